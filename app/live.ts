// The live job feed: every job change goes to every open /ws socket at once. A slow socket gets only the
// latest state of each job (older ones are coalesced), so one slow browser never holds up the others.

import type { Receive, Send, WebSocketScope } from '../server/interface.js';
import type { Job } from '../db/index.js';
import { jobJson } from './job-json.js';

interface Client {
  send: Send;
  pending: Map<number, Job>;
  flushing: boolean;
}

export class LiveFeed {
  private readonly clients = new Set<Client>();
  /** Messages pushed since start, for /metrics. */
  published = 0;

  get size(): number {
    return this.clients.size;
  }

  publish(job: Job): void {
    this.published++;
    for (const client of this.clients) {
      client.pending.set(job.id, job);
      if (!client.flushing) void this.flush(client);
    }
  }

  private async flush(client: Client): Promise<void> {
    client.flushing = true;
    try {
      while (client.pending.size > 0 && this.clients.has(client)) {
        const jobs = [...client.pending.values()];
        client.pending.clear();
        await client.send({ type: 'websocket.send', text: JSON.stringify({ type: 'jobs', jobs: jobs.map(jobJson) }) });
      }
    } catch {
      this.clients.delete(client); // the socket closed under us
    } finally {
      client.flushing = false;
    }
  }

  /** The /ws endpoint: accept, say hello, then keep the socket registered until it closes. */
  async handle(_scope: WebSocketScope, receive: Receive, send: Send): Promise<void> {
    const first = await receive();
    if (first.type !== 'websocket.connect') return;
    await send({ type: 'websocket.accept' });
    const client: Client = { send, pending: new Map(), flushing: false };
    this.clients.add(client);
    try {
      await send({ type: 'websocket.send', text: JSON.stringify({ type: 'hello' }) });
      for (;;) {
        const m = await receive();
        if (m.type === 'websocket.disconnect') return;
        // Messages from the page are not expected; they are ignored.
      }
    } finally {
      this.clients.delete(client);
    }
  }
}
