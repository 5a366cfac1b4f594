// Test helpers: start a server on a free port, talk to it over a raw socket, and parse what comes back.

import net from 'node:net';
import { HttpServer, type ServerOptions } from '../../server/server.js';
import type { App } from '../../server/interface.js';

export interface Started {
  server: HttpServer;
  port: number;
  logs: string[];
  out: string[];
  stop: () => Promise<void>;
}

export async function startServer(app: App, options: Partial<ServerOptions> = {}): Promise<Started> {
  const logs: string[] = [];
  const out: string[] = [];
  const server = new HttpServer(app, {
    host: '127.0.0.1', port: 0, accessLog: false,
    log: (line) => logs.push(line), out: (text) => out.push(text),
    ...options,
  });
  const { port } = await server.start();
  return { server, port, logs, out, stop: () => server.stop(2000) };
}

export interface RawResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  header(name: string): string | undefined;
}

/** Parses responses out of raw bytes: Content-Length, chunked, or up to the end (close-delimited). */
export function parseResponses(data: Buffer, opts: { headRequests?: number[]; closed?: boolean } = {}): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = data.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const lines = data.toString('latin1', pos, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers = lines.slice(1).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as [string, string];
    });
    const get = (n: string) => headers.find(([k]) => k === n)?.[1];
    const status = Number(m[1]);
    let p = end + 4;
    let body: Buffer = Buffer.alloc(0);
    const isHead = opts.headRequests?.includes(responses.length) ?? false;
    if (status < 200 || status === 204 || status === 304 || isHead) {
      // no body
    } else if (get('content-length') !== undefined) {
      const n = Number(get('content-length'));
      if (data.length < p + n) break;
      body = data.subarray(p, p + n);
      p += n;
    } else if (get('transfer-encoding') === 'chunked') {
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const le = data.indexOf('\r\n', p);
        if (le < 0) break;
        const size = parseInt(data.toString('latin1', p, le), 16);
        if (size === 0) {
          const te = data.indexOf('\r\n', le + 2);
          if (te < 0) break;
          p = te + 2;
          complete = true;
          break;
        }
        if (data.length < le + 2 + size + 2) break;
        parts.push(data.subarray(le + 2, le + 2 + size));
        p = le + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else {
      if (!opts.closed) break;
      body = data.subarray(p);
      p = data.length;
    }
    const r: RawResponse = { status, reason: m[2]!, headers, body, header: get };
    responses.push(r);
    pos = p;
  }
  return { responses, rest: data.subarray(pos) };
}

/** A raw TCP client that records everything it receives and whether the server closed. */
export class RawClient {
  readonly socket: net.Socket;
  /** What arrived so far, joined when asked for (joining on every read would be quadratic for large responses). */
  get received(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
  private chunks: Buffer[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => { this.chunks.push(d); this.notify(); });
    socket.on('close', () => { this.closed = true; this.notify(); });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits until `pred` holds (checked on every event), or fails after `ms`. */
  async until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.toString('latin1').slice(0, 500))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  responses(headRequests?: number[]): RawResponse[] {
    return parseResponses(this.received, { headRequests, closed: this.closed }).responses;
  }

  async waitResponses(n: number, headRequests?: number[]): Promise<RawResponse[]> {
    await this.until(() => this.responses(headRequests).length >= n, `${n} response(s)`);
    return this.responses(headRequests);
  }

  async waitClosed(): Promise<void> {
    await this.until(() => this.closed, 'the server to close the connection');
  }

  end(): void {
    this.socket.end();
  }
}

/** Sends bytes on a new connection and returns every response until the server closes. */
export async function exchange(port: number, data: string | Buffer): Promise<{ responses: RawResponse[]; closed: boolean; raw: string }> {
  const c = await RawClient.connect(port);
  c.send(data);
  await c.waitClosed();
  return { responses: c.responses(), closed: c.closed, raw: c.received.toString('latin1') };
}
