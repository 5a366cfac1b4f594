// /healthz as a readiness check, and what the app answers when its database file is moved away at run time:
// 503 with Retry-After for every request that needs the database, /metrics still answering, and back when it is.

import { renameSync } from 'node:fs';
import t from 'tap';
import { DatabaseUnavailableError, type Repositories } from '../../db/index.js';
import { Metrics } from '../../app/metrics.js';
import { request, startApp } from './fixtures/app-server.js';

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } });

t.test('/healthz is 200 while the database file is there, 503 with the reason once it is moved away, 200 when it is back', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const path = s.store.handle.path;
  await s.jobs.submit(10);

  const ok = await request(s.port, 'GET', '/healthz');
  t.equal(ok.status, 200);
  t.equal(ok.text, 'ok\n');
  t.equal(ok.headers.get('cache-control'), 'no-store');

  renameSync(path, `${path}.away`);
  t.teardown(() => { try { renameSync(`${path}.away`, path); } catch { /* already back */ } });
  // The first write notices it by itself (a stat before every write transaction), and refuses.
  const post = await request(s.port, 'POST', '/api/jobs', json({ n: 20 }));
  t.equal(post.status, 503, 'a write is refused: it would go to a file that is no longer at the path');
  t.equal(post.headers.get('retry-after'), '2');
  t.match(JSON.parse(post.text), { error: { status: 503 } });

  const health = await request(s.port, 'GET', '/healthz');
  t.equal(health.status, 503, '/healthz says the database is unavailable');
  t.match(health.text, /database unavailable: no file is at that path/);
  t.equal(health.headers.get('retry-after'), '2');
  t.equal((await request(s.port, 'GET', '/api/jobs')).status, 503, 'reads are refused too: the data is no longer the database');
  t.equal((await request(s.port, 'GET', '/', { headers: { accept: 'text/html' } })).status, 503);
  const metrics = await request(s.port, 'GET', '/metrics');
  t.equal(metrics.status, 200, '/metrics still answers');
  t.match(metrics.text, /^rawpi_database_available 0$/m);
  t.notMatch(metrics.text, /rawpi_jobs\{/, 'without the job gauges it cannot read');

  renameSync(`${path}.away`, path);
  s.store.handle.check(); // the periodic check (every 2 s by default) would find it too
  t.equal((await request(s.port, 'GET', '/healthz')).status, 200, 'the same file back at the path: ready again');
  t.equal((await request(s.port, 'POST', '/api/jobs', json({ n: 20 }))).status, 201);
  t.same((await s.store.repos.jobs.list({ limit: 10 })).jobs.map((j) => j.n), [20, 10], 'nothing was written while it was away');
});

t.test('/metrics: database availability and a degraded worker pool', async (t) => {
  const unavailable = new DatabaseUnavailableError('database file x was removed or replaced', 'RAWPI_DATABASE_LOST');
  const repos = { jobs: { countByStage: () => Promise.reject(unavailable) } } as unknown as Repositories;
  const down = await new Metrics({
    connections: () => 0, websockets: () => 0,
    workers: () => ({ busy: 0, idle: 0, degraded: true }),
    database: () => ({ available: false, problem: 'no file is at that path any more' }),
  }).render(repos);
  t.match(down, /^rawpi_database_available 0$/m);
  t.match(down, /^rawpi_workers_degraded 1$/m);
  t.notMatch(down, /rawpi_queue_depth/);

  const broken = { jobs: { countByStage: () => Promise.reject(new Error('a bug')) } } as unknown as Repositories;
  await t.rejects(new Metrics({ connections: () => 0, websockets: () => 0, workers: () => ({ busy: 0, idle: 0 }) }).render(broken), /a bug/, 'other errors are not hidden');
});
