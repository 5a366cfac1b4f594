// Slowloris, short: 100 connections trickle a request head a byte at a time; the header deadline
// (--headers-timeout, 1 s here) closes each with 408, and a normal client keeps being served meanwhile.
// The full run (1,000 connections, a byte a second, 5 s deadline, p99 reported) is bench/reliability/slowloris.ts.

import t from 'tap';
import { describe, slowloris } from '../../bench/reliability/slowloris.js';
import { startLiveApp } from './fixtures/live-app.js';

t.test('100 slow connections are cut off by the header deadline; the normal client is served throughout', async (t) => {
  const headersTimeoutMs = 1000;
  const app = await startLiveApp({ server: { timeouts: { headersTimeoutMs } } });
  t.teardown(() => app.stop());
  const r = await slowloris({ port: app.port, connections: 100, byteIntervalMs: 200, headersTimeoutMs, graceMs: 10_000, normalPauseMs: 20 });
  t.comment(describe(r));
  t.equal(r.opened, 100, 'every slow connection was accepted');
  t.equal(r.stillOpen, 0, 'none is still open');
  t.equal(r.closedWith408, 100, 'each got 408 Request Timeout before the close');
  t.equal(r.normal.failures, 0, 'no normal request failed');
  t.ok(r.normal.attached.requests > 0, `the normal client was served while they were attached (${r.normal.attached.requests} requests)`);
  const deadline = Date.now() + 5000;
  while (app.server.connectionCount > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  t.equal(app.server.connectionCount, 0, 'the server holds no connection afterwards');
});
