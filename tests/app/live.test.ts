// The live feed over a real WebSocket (the `ws` client): a job change reaches every open socket; other sites' pages
// are refused.

import t from 'tap';
import WebSocket from 'ws';
import { request, startApp } from './fixtures/app-server.js';

function open(port: number, path = '/ws', origin?: string): Promise<{ ws: WebSocket; messages: unknown[]; next: () => Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, origin === undefined ? {} : { origin });
    const messages: unknown[] = [];
    const waiters: Array<(m: unknown) => void> = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      const w = waiters.shift();
      if (w) w(m); else messages.push(m);
    });
    ws.once('open', () => resolve({
      ws, messages,
      next: () => messages.length > 0 ? Promise.resolve(messages.shift()) : new Promise((r) => waiters.push(r)),
    }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

t.test('every open socket gets each job change', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const a = await open(s.port);
  const b = await open(s.port);
  t.teardown(() => { a.ws.close(); b.ws.close(); });
  t.same(await a.next(), { type: 'hello' });
  t.same(await b.next(), { type: 'hello' });
  await request(s.port, 'POST', '/api/jobs', { body: '{"n": 321}', headers: { 'Content-Type': 'application/json' } });
  for (const client of [a, b]) {
    const m = await client.next() as { type: string; jobs: Array<{ n: number; stage: string }> };
    t.equal(m.type, 'jobs');
    t.match(m.jobs, [{ n: 321, stage: 'registered' }]);
  }
  await request(s.port, 'DELETE', '/api/jobs/321');
  const cancelled = await a.next() as { jobs: Array<{ stage: string }> };
  t.equal(cancelled.jobs[0]!.stage, 'cancelled');
});

t.test('a WebSocket to another path is refused with 403', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  await t.rejects(open(s.port, '/elsewhere'), /status 403/);
});

t.test("only this site's pages may open the feed: another Origin gets 403 (RFC 6455 10.2)", async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const own = await open(s.port, '/ws', `http://127.0.0.1:${s.port}`);
  t.same(await own.next(), { type: 'hello' }, 'a page of this site');
  own.ws.close();
  const plain = await open(s.port, '/ws');
  t.same(await plain.next(), { type: 'hello' }, 'no Origin: not a browser');
  plain.ws.close();
  for (const origin of ['http://evil.example', `http://127.0.0.1:${s.port + 1}`, `https://127.0.0.1:${s.port}`, 'null']) {
    await t.rejects(open(s.port, '/ws', origin), /status 403/, origin);
  }
});
