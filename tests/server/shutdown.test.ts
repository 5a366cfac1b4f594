// Graceful shutdown: idle connections close at once, a request in flight finishes with Connection: close.

import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawClient, startServer } from './helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('a request in flight gets its response with Connection: close, then the server stops', async (t) => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => { release = r; });
  let started: () => void = () => {};
  const inFlight = new Promise<void>((r) => { started = r; });
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    if (scope.path === '/slow') {
      started();
      await gate;
    }
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', '4']] });
    await send({ type: 'http.response.body', body: 'done' });
  });
  const idle = await RawClient.connect(s.port);
  idle.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  await idle.waitResponses(1);
  const busy = await RawClient.connect(s.port);
  busy.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n');
  await inFlight;
  const stopped = s.server.stop(5000);
  await idle.waitClosed();
  t.ok(idle.closed, 'the idle keep-alive connection is closed at once');
  t.notOk(busy.closed, 'the busy one stays open');
  release();
  const [r] = await busy.waitResponses(1);
  t.equal(r!.body.toString(), 'done');
  t.equal(r!.header('connection'), 'close');
  await stopped;
  await busy.waitClosed();
  await t.rejects(RawClient.connect(s.port), 'no longer accepting');
});

t.test('a request that outlives the shutdown timeout is cut off', async (t) => {
  const s = await startServer(async () => { await new Promise(() => {}); }, { lifespan: 'off' });
  const c = await RawClient.connect(s.port);
  c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  await new Promise((r) => setTimeout(r, 50));
  await s.server.stop(200);
  await c.waitClosed();
  t.match(s.logs.join('\n'), /still busy after 200 ms/);
});

t.test('SIGTERM makes `rawpi` exit 0 after finishing', async (t) => {
  const main = fileURLToPath(new URL('../../app/main.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'rawpi-sigterm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [...process.execArgv, main, '--port', '0', '--workers', '0', '--database-url', join(dir, 'db.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line: ${err}`)), 20000);
    child.stderr.on('data', () => { if (/listening on http:\/\/127\.0\.0\.1:(\d+)/.test(err)) { clearTimeout(timer); resolve(); } });
  });
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)![1]);
  const c = await RawClient.connect(port);
  c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  await c.waitResponses(1);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0);
  t.match(err, /SIGTERM: shutting down gracefully/);
});
