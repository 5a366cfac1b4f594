// The pool with real forked workers: 50 jobs of mixed n all stored exactly once with the right digit,
// answers from the stored digits (master short-cut and worker), and no child process left after stop().
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { isTerminal, type Job } from '../../db/index.js';
import { WorkerPool } from '../../workers/pool.js';
import { isAlive, logLines, migratedStore, nextJob, PI, until } from './helpers.js';

/** 50 distinct n, mostly small, a few larger; deterministic. */
function mixedNs(): number[] {
  const ns = new Set<number>([1, 2, 3, 10, 99, 100, 101, 1000, 4999, 5000, 12_000, 25_000]);
  let x = 12345;
  while (ns.size < 50) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    ns.add(1 + (x % 5000));
  }
  return [...ns];
}

t.test('50 jobs of mixed n are all stored exactly once, with the right digit', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  const pool = new WorkerPool({ store, workers: 2, log, pollIntervalMs: 500 });
  const events: Job[] = [];
  pool.on('job', (job) => events.push(job));
  const spawned: number[] = [];
  pool.on('worker', (e) => { if (e.type === 'spawned') spawned.push(e.pid); });
  await pool.start();
  t.same(pool.stats(), { workers: 2, busy: 0, idle: 2, starting: 0, degraded: false }, 'all workers ready and idle');

  const ns = mixedNs();
  const ids = new Map<number, number>();
  for (const n of ns) {
    const { job, created } = await store.repos.jobs.submit(n);
    t.ok(created);
    ids.set(job.id, n);
    pool.notify();
  }
  const finished = (): boolean => [...ids.keys()].every((id) => events.some((e) => e.id === id && isTerminal(e.stage)));
  await until(finished, 'an event for the end of every job');

  for (const [id, n] of ids) {
    const job = await store.repos.jobs.findById(id);
    t.equal(job?.stage, 'stored', `job n=${n} stored`);
    t.equal(job?.digit, Number(PI[n - 1]), `job n=${n} has the ${n}th decimal`);
    t.equal(job?.attempts, 1, `job n=${n} handed out once`);
    const kinds = (await store.repos.events.listForJob(id)).map((e) => e.kind);
    t.equal(kinds.filter((k) => k === 'stored').length, 1, `job n=${n} has one stored event`);
    t.notOk(kinds.includes('error') || kinds.includes('retried'), `job n=${n} never failed`);
    t.equal(events.filter((e) => e.id === id && e.stage === 'stored').length, 1, `one stored job event for n=${n}`);
  }
  const largest = Math.max(...ns);
  t.equal(await store.repos.digits.largestN(), largest, 'the longest computation is kept');
  let kept = '';
  for await (const piece of store.repos.digits.readDecimals(largest)) kept += piece;
  t.equal(kept, PI.slice(0, largest), 'the stored digits are pi');
  t.ok(lines.some((l) => /took job \d+ \(n=\d+/.test(l)), 'log: took job');
  t.ok(lines.some((l) => /done in \d+\.\d+ s/.test(l)), 'log: done in t s');

  // New jobs within the stored digits: answered by the master without a worker.
  for (const n of [7, 777, 24_999]) {
    const { job } = await store.repos.jobs.submit(n);
    const storedEvent = nextJob(pool, (j) => j.id === job.id && j.stage === 'stored');
    pool.notify();
    const stored = await storedEvent;
    t.equal(stored.fromCache, true, `n=${n} from cache`);
    t.equal(stored.digit, Number(PI[n - 1]));
  }
  t.ok(lines.some((l) => /answered from the stored digits/.test(l)), 'log: master short-cut');

  // Digits stored by someone else meanwhile: the master does not know, the worker finds them.
  await store.repos.digits.store(PI.slice(0, 40_000));
  const { job } = await store.repos.jobs.submit(30_000);
  const storedEvent = nextJob(pool, (j) => j.id === job.id && j.stage === 'stored');
  pool.notify();
  const stored = await storedEvent;
  t.equal(stored.fromCache, true, 'the worker answered from the stored digits');
  t.equal(stored.digit, Number(PI[29_999]));

  const pids = pool.processes().map((p) => p.pid);
  t.same(pids.sort(), [...spawned].sort(), 'the spawned workers are the live ones');
  await pool.stop();
  t.same(pool.stats().workers, 0);
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
});

t.test('start() fails, leaving no process, when workers cannot open the database', async (t) => {
  const { store, path } = await migratedStore(t);
  const { log } = logLines();
  const spawned: number[] = [];
  // The master's store is fine; the workers are pointed at a file that is not a database (next to it: a new
  // t.testdir() would remove the master's file, which the master would notice).
  const bad = join(dirname(path), 'not-a-db.sqlite');
  writeFileSync(bad, 'this is not SQLite, just text that is long enough '.repeat(100));
  const pool = new WorkerPool({ store: { ...store, handle: { ...store.handle, path: bad } }, workers: 2, log });
  pool.on('worker', (e) => { if (e.type === 'spawned') spawned.push(e.pid); });
  await t.rejects(pool.start(), /not a rawpi database|not an SQLite database/);
  t.equal(spawned.length, 2);
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
});
