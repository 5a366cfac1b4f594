// Runs an ASGI-like app on node:http, so benchmarks compare the two servers on identical application code.
// HTTP only (no WebSocket, no lifespan: the bench apps need neither); the same receive/send semantics as
// server/request-cycle.ts: after the body, receive() waits for the response to finish or the client to leave.

import http from 'node:http';
import type { App, HttpScope, ReceiveMessage, SendMessage } from '../server/interface.js';

export function nodeHttpServer(app: App, opts: { keepAliveTimeoutMs?: number } = {}): http.Server {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const raw = req.rawHeaders;
    const headers: HttpScope['headers'] = [];
    for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
    const scope: HttpScope = {
      type: 'http', asgi: { version: '3.0', spec_version: '2.4' }, http_version: req.httpVersion === '1.0' ? '1.0' : '1.1',
      method: req.method ?? 'GET', scheme: 'http', path: safeDecode(rawPath), raw_path: rawPath,
      query_string: q < 0 ? '' : url.slice(q + 1), root_path: '', headers,
      client: [req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0],
      server: [req.socket.localAddress ?? '', req.socket.localPort ?? 0], state: {},
    };
    const chunks: Buffer[] = [];
    let ended = false, bodyReturned = false, closed = false;
    let wake: (() => void) | null = null, drained: (() => void) | null = null;
    const wakeUp = () => { const w = wake; wake = null; w?.(); };
    const drain = () => { const d = drained; drained = null; d?.(); };
    req.on('data', (d: Buffer) => { chunks.push(d); wakeUp(); });
    req.on('end', () => { ended = true; wakeUp(); });
    res.on('drain', drain);
    res.on('close', () => { closed = true; wakeUp(); drain(); });
    const receive = async (): Promise<ReceiveMessage> => {
      for (;;) {
        if (chunks.length > 0 || (ended && !bodyReturned)) {
          bodyReturned = ended;
          return { type: 'http.request', body: chunks.length === 1 ? chunks.pop()! : Buffer.concat(chunks.splice(0)), more_body: !ended };
        }
        if (closed) return { type: 'http.disconnect' };
        await new Promise<void>((r) => { wake = r; });
      }
    };
    const send = async (m: SendMessage): Promise<void> => {
      if (closed) return; // as rawpi: sending to a closed connection is a no-op
      if (m.type === 'http.response.start') {
        res.writeHead(m.status, (m.headers ?? []).flat()); // a flat list keeps repeated names (Set-Cookie) apart
      } else if (m.type === 'http.response.body') {
        if (!m.more_body) res.end(m.body);
        else if (m.body !== undefined && !res.write(m.body)) await new Promise<void>((r) => { drained = r; });
      }
    };
    app(scope, receive, send).catch((err: unknown) => {
      if (!res.headersSent) { res.writeHead(500, { 'Content-Type': 'text/plain' }); res.end('Internal Server Error\n'); } else res.destroy(err as Error);
    });
  });
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? 5000; // rawpi's default
  return server;
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
