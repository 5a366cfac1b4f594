// Runs an ASGI-like app on node:http, so benchmarks compare the two servers on identical application code.

import http from 'node:http';
import type { App, Header, HttpScope, ReceiveMessage, SendMessage } from '../server/interface.js';

export function nodeHttpServer(app: App): http.Server {
  return http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const headers: Header[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
    const scope: HttpScope = {
      type: 'http', asgi: { version: '3.0', spec_version: '2.4' }, http_version: req.httpVersion === '1.0' ? '1.0' : '1.1',
      method: req.method ?? 'GET', scheme: 'http', path: safeDecode(rawPath), raw_path: rawPath,
      query_string: q < 0 ? '' : url.slice(q + 1), root_path: '', headers,
      client: [req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0], server: null, state: {},
    };
    const chunks: Buffer[] = [];
    let ended = false;
    let wake: (() => void) | null = null;
    req.on('data', (d: Buffer) => { chunks.push(d); wake?.(); });
    req.on('end', () => { ended = true; wake?.(); });
    let done = false;
    const receive = async (): Promise<ReceiveMessage> => {
      while (chunks.length === 0 && !ended) await new Promise<void>((r) => { wake = r; });
      if (done) return { type: 'http.disconnect' };
      const body = Buffer.concat(chunks.splice(0));
      if (ended) done = true;
      return { type: 'http.request', body, more_body: !ended };
    };
    const send = async (m: SendMessage): Promise<void> => {
      if (m.type === 'http.response.start') {
        res.statusCode = m.status;
        for (const [name, value] of m.headers ?? []) res.setHeader(name, value);
      } else if (m.type === 'http.response.body') {
        const ok = m.body === undefined ? true : res.write(m.body);
        if (!m.more_body) res.end();
        else if (!ok) await new Promise((r) => res.once('drain', r));
      }
    };
    app(scope, receive, send).catch((err: unknown) => {
      if (!res.headersSent) { res.statusCode = 500; res.end('Internal Server Error\n'); } else res.destroy(err as Error);
    });
  });
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
