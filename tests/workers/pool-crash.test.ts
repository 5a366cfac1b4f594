// A worker killed with SIGKILL mid-job: the death is noticed, the job is retried and stored once, the
// worker replaced; after maxAttempts the job ends in error; a crash loop is slowed down by the backoff.
import t from 'tap';
import { WorkerPool } from '../../workers/pool.js';
import { isAlive, logLines, migratedStore, nextJob, PI, until } from './helpers.js';

t.test('kill -9 a worker mid-job: the job is retried and stored once', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  const pool = new WorkerPool({ store, workers: 1, engineThreads: 1, log, retryBackoffMs: { initial: 50 }, respawnBackoffMs: { initial: 50 } });
  const spawned: number[] = [];
  pool.on('worker', (e) => { if (e.type === 'spawned') spawned.push(e.pid); });
  await pool.start();
  t.teardown(() => pool.stop());

  const n = 1_000_000; // seconds of work: surely mid-computation when the worker says 'taken'
  const { job } = await store.repos.jobs.submit(n);
  const running = nextJob(pool, (j) => j.id === job.id && j.stage === 'taken');
  pool.notify();
  await running;
  const victim = pool.processes().find((p) => p.jobId === job.id);
  t.ok(victim, 'a worker holds the job');
  const stored = nextJob(pool, (j) => j.id === job.id && j.stage === 'stored', 120_000);
  process.kill(victim!.pid, 'SIGKILL');
  const done = await stored;

  t.equal(done.attempts, 2, 'handed out twice');
  const events = await store.repos.events.listForJob(job.id);
  const retried = events.filter((e) => e.kind === 'retried');
  t.equal(retried.length, 1, 'one retry');
  t.equal(retried[0]?.detail, 'worker crashed: killed by SIGKILL');
  t.equal(events.filter((e) => e.kind === 'stored').length, 1, 'stored once');
  t.equal(await store.repos.digits.largestN(), n);
  t.equal(done.digit, await store.repos.digits.digitAt(n), 'the digit is the stored n-th decimal');
  let prefix = '';
  for await (const piece of store.repos.digits.readDecimals(PI.length)) prefix += piece;
  t.equal(prefix, PI, 'the stored digits begin with the reference');
  t.ok(lines.some((l) => l.includes(`(pid ${victim!.pid}) crashed: killed by SIGKILL`)), 'log: crashed');
  t.ok(lines.some((l) => /replaced by worker \d+/.test(l)), 'log: replaced');
  t.equal(pool.stats().workers, 1, 'the worker was replaced');
  t.notOk(isAlive(victim!.pid));

  await pool.stop();
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
});

t.test('a job whose worker dies after maxAttempts hand-outs ends in error with the reason', async (t) => {
  const { store } = await migratedStore(t);
  const { log } = logLines();
  // maxAttempts 1: the first death is final. The slow respawn keeps the test from forking a replacement.
  const pool = new WorkerPool({ store, workers: 1, maxAttempts: 1, engineThreads: 1, log, respawnBackoffMs: { initial: 60_000 } });
  await pool.start();
  t.teardown(() => pool.stop());
  const { job } = await store.repos.jobs.submit(1_000_000);
  const running = nextJob(pool, (j) => j.id === job.id && j.stage === 'taken');
  const failed = nextJob(pool, (j) => j.id === job.id && j.stage === 'error');
  pool.notify();
  await running;
  process.kill(pool.processes().find((p) => p.jobId === job.id)!.pid, 'SIGKILL');
  const row = await failed;
  t.equal(row.error, 'worker crashed: killed by SIGKILL');
  t.equal(row.errorStage, 'taken');
  t.equal(row.attempts, 1);
  t.equal((await store.repos.events.listForJob(job.id)).filter((e) => e.kind === 'retried').length, 0, 'no retry');
});

t.test('a crash loop is slowed down by the respawn backoff, never more workers than asked for', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  const pool = new WorkerPool({
    store, workers: 2, log, respawnBackoffMs: { initial: 20, max: 160 },
    workerModule: new URL('./fixtures/crashing-worker.mjs', import.meta.url),
    execArgv: [], // plain JavaScript: no TypeScript loader, so it dies fast
  });
  const spawned: number[] = [];
  let live = 0;
  let mostLive = 0;
  pool.on('worker', (e) => {
    if (e.type === 'spawned') {
      spawned.push(e.pid);
      mostLive = Math.max(mostLive, ++live);
    }
    if (e.type === 'exited') live--;
  });
  await pool.start();
  const delays = (): number[] => lines.flatMap((l) => /will be replaced in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
  await until(() => delays().length >= 8, 'eight crashes');
  await pool.stop();
  const d = delays();
  t.same(d.slice(0, 4), [20, 40, 80, 160], 'the delay doubles');
  t.same(d.slice(4), d.slice(4).map(() => 160), 'up to the maximum');
  t.ok(mostLive <= 2, 'never more live workers than configured');
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
});
