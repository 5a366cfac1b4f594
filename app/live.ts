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

  /**
   * The /ws endpoint: accept, say hello, then keep the socket registered until it closes. A browser says which page
   * opened the socket (Origin): only this site's pages are accepted, others get 403 (RFC 6455 10.2; what the feed
   * says is public, but no other site needs it). Clients that send no Origin (wscat, scripts) are not browsers.
   */
  async handle(scope: WebSocketScope, receive: Receive, send: Send): Promise<void> {
    const first = await receive();
    if (first.type !== 'websocket.connect') return;
    if (!sameOrigin(scope)) {
      await send({ type: 'websocket.close', code: 1008 }); // before accept: the server answers 403
      return;
    }
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

/** Whether the handshake has no Origin, or one whose scheme, host and port are this server's (the Host it was sent to). */
export function sameOrigin(scope: WebSocketScope): boolean {
  let origin: string | undefined;
  let host: string | undefined;
  for (const [name, value] of scope.headers) {
    if (name === 'origin') origin = value;
    else if (name === 'host') host = value;
  }
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    // rawpi serves plain http and ws, so its pages are http:; "null" (a sandboxed page, a file) is no site.
    if (url.protocol !== 'http:') return false;
    // URL drops the default port, 80; so may the Host a browser sends (RFC 9110 7.2): parsing both alike compares them.
    const hostUrl = new URL(`http://${host}`);
    return url.hostname === hostUrl.hostname && url.port === hostUrl.port;
  } catch {
    return false;
  }
}
