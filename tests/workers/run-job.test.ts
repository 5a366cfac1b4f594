// Tests of one job's pipeline inside a worker (runJob), in-process with a stand-in engine: stages and
// events, the cache, progress, errors, cancel and stop, against a real migrated database.
import t from 'tap';
import type { Job, Store } from '../../db/index.js';
import { runJob, type RunJobOptions } from '../../workers/run-job.js';
import { migratedStore, PI, withJobs } from './helpers.js';

type Compute = NonNullable<RunJobOptions['compute']>;

const fromFixture: Compute = async (n) => PI.slice(0, n);

/** A stand-in engine that runs until aborted, then rejects like the real one. */
const endless: Compute = (_n, opts) => new Promise((_resolve, reject) => {
  opts?.signal?.addEventListener('abort', () => {
    const err = new Error('aborted');
    err.name = 'AbortError';
    reject(err);
  });
});

async function claimed(store: Store, n: number): Promise<Job> {
  await store.repos.jobs.submit(n);
  const job = await store.repos.jobs.claimNext();
  if (!job || job.n !== n) throw new Error('claim failed');
  return job;
}

function options(compute: Compute, changes: Job[], signal = new AbortController().signal): RunJobOptions {
  return { signal, threads: 1, maxDigits: 50_000, progressIntervalMs: 0, onChange: (j) => changes.push(j), compute };
}

t.test('a computed job goes taken → calculated → stored, with its digit and the digits stored', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 1000);
  const changes: Job[] = [];
  const result = await runJob(store, job, options(fromFixture, changes));
  t.same(result, { outcome: 'stored' });
  t.same(changes.map((j) => j.stage), ['taken', 'calculated', 'stored']);
  const row = await store.repos.jobs.findById(job.id);
  t.equal(row?.stage, 'stored');
  t.equal(row?.digit, Number(PI[999]));
  t.equal(row?.fromCache, false);
  t.equal(await store.repos.digits.largestN(), 1000);
  const kinds = (await store.repos.events.listForJob(job.id)).map((e) => e.kind);
  t.same(kinds, ['registered', 'scheduled', 'taken', 'calculated', 'stored']);
});

t.test('a job within the stored digits is answered from them without computing', async (t) => {
  const { store } = await migratedStore(t);
  await store.repos.digits.store(PI.slice(0, 2000));
  const job = await claimed(store, 1500);
  const changes: Job[] = [];
  const result = await runJob(store, job, options(async () => t.fail('computed') as never, changes));
  t.same(result, { outcome: 'stored' });
  t.same(changes.map((j) => [j.stage, j.fromCache]), [['taken', false], ['calculated', true], ['stored', true]]);
  t.equal(changes.at(-1)?.digit, Number(PI[1499]));
});

t.test('progress is written and reported while computing', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 300);
  const changes: Job[] = [];
  const compute: Compute = async (n, opts) => {
    opts?.onProgress?.(0.5);
    await new Promise((r) => setTimeout(r, 20));
    return PI.slice(0, n);
  };
  await runJob(store, job, options(compute, changes));
  t.same(changes.map((j) => [j.stage, j.progress]), [['taken', 0], ['taken', 0.5], ['calculated', 1], ['stored', 1]]);
});

t.test('an engine error is recorded at the stage the job was in', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const changes: Job[] = [];
  const result = await runJob(store, job, options(async () => { throw new Error('engine broke'); }, changes));
  t.same(result, { outcome: 'error', error: 'engine broke' });
  const row = await store.repos.jobs.findById(job.id);
  t.equal(row?.stage, 'error');
  t.equal(row?.errorStage, 'taken');
  t.equal(row?.error, 'engine broke');
  t.equal(changes.at(-1)?.stage, 'error');
});

t.test('a job above maxDigits fails without computing', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 60_000);
  const result = await runJob(store, job, options(async () => t.fail('computed') as never, []));
  t.equal(result.outcome, 'error');
  t.match(result.error, /more than the 50000 decimals/);
});

t.test('cancel aborts the computation and records cancelled', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const controller = new AbortController();
  const changes: Job[] = [];
  const running = runJob(store, job, options(endless, changes, controller.signal));
  await new Promise((r) => setTimeout(r, 20));
  controller.abort('cancel');
  t.same(await running, { outcome: 'cancelled' });
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'cancelled');
  t.equal(changes.at(-1)?.stage, 'cancelled');
});

t.test('stop aborts the computation and records nothing (the master re-queues)', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const controller = new AbortController();
  const running = runJob(store, job, options(endless, [], controller.signal));
  await new Promise((r) => setTimeout(r, 20));
  controller.abort('stop');
  t.same(await running, { outcome: 'interrupted' });
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'taken');
});

t.test('a job cancelled before the worker took it stays cancelled, without an error', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  await store.repos.jobs.cancel(job.id);
  const result = await runJob(store, job, options(fromFixture, []));
  t.equal(result.outcome, 'cancelled');
  const row = await store.repos.jobs.findById(job.id);
  t.equal(row?.stage, 'cancelled');
  t.equal(row?.error, null);
});

// --- the database unavailable for a while (locked past the lock timeout, disk full, file gone) ---

const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

/** The store, with `jobs.<method>` (or the unit of work) failing as if the disk were full, `failures` times. */
function flaky(store: Store, target: 'advance' | 'uow', failures: number): Pick<Store, 'repos' | 'uow'> {
  let left = failures;
  const fail = () => left-- > 0;
  const repos = withJobs(store.repos, target === 'advance'
    ? { advance: (...args) => (fail() ? Promise.reject(diskFull()) : store.repos.jobs.advance(...args)) }
    : {});
  const uow = { run: (fn: Parameters<Store['uow']['run']>[0]) => (target === 'uow' && fail() ? Promise.reject(diskFull()) : store.uow.run(fn)) } as Store['uow'];
  return { repos, uow };
}

const retrying = (o: RunJobOptions, lines: string[], dbRetries = 3): RunJobOptions => ({
  ...o, dbRetries, dbRetryBackoffMs: { initial: 1, max: 4 }, log: (l) => lines.push(l),
});

t.test('a stage move the database refuses for a while is retried, and the job is stored once', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 1000);
  const lines: string[] = [];
  const result = await runJob(flaky(store, 'advance', 2), job, retrying(options(fromFixture, []), lines));
  t.same(result, { outcome: 'stored' });
  t.match(lines, [/job \d+: moving it to taken failed \(database or disk is full\); retry 1 of 3/, /retry 2 of 3/]);
  const kinds = (await store.repos.events.listForJob(job.id)).map((e) => e.kind);
  t.same(kinds, ['registered', 'scheduled', 'taken', 'calculated', 'stored'], 'each stage once');
});

t.test('storing the digits is retried with the computed digits: no recomputation', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 1000);
  let computed = 0;
  const result = await runJob(flaky(store, 'uow', 2), job, retrying(options(async (n) => { computed++; return PI.slice(0, n); }, []), []));
  t.same(result, { outcome: 'stored' });
  t.equal(computed, 1);
  t.equal(await store.repos.digits.largestN(), 1000);
});

t.test('a database that stays unavailable: the job is handed back (deferred), never recorded as an error', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 1000);
  const lines: string[] = [];
  const result = await runJob(flaky(store, 'uow', 1000), job, retrying(options(fromFixture, []), lines, 2));
  t.same(result, { outcome: 'deferred', error: 'database or disk is full' });
  t.equal(lines.filter((l) => /storing the digits failed/.test(l)).length, 2, 'two retries, as configured');
  const row = await store.repos.jobs.findById(job.id);
  t.equal(row?.stage, 'calculated', 'left live, for the master to re-queue');
  t.equal(row?.error, null);
  t.notOk((await store.repos.events.listForJob(job.id)).some((e) => e.kind === 'error'), 'no error event');
});

t.test('without retries a refused write hands the job back at once', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const result = await runJob(flaky(store, 'advance', 1), job, options(fromFixture, []));
  t.equal(result.outcome, 'deferred');
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'scheduled');
});

t.test('a stop while waiting to retry ends the job at once (interrupted), without recording anything', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const controller = new AbortController();
  const lines: string[] = [];
  const o = { ...options(fromFixture, [], controller.signal), dbRetries: 5, dbRetryBackoffMs: { initial: 60_000, max: 60_000 }, log: (l: string) => lines.push(l) };
  const running = runJob(flaky(store, 'uow', 1000), job, o);
  while (lines.length === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort('stop');
  t.same(await running, { outcome: 'interrupted' }, 'not after a minute: at once');
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'calculated');
});

t.test('an engine error is still recorded (not retried, not deferred)', async (t) => {
  const { store } = await migratedStore(t);
  const job = await claimed(store, 100);
  const result = await runJob(store, job, retrying(options(async () => { throw new Error('engine broke'); }, []), []));
  t.same(result, { outcome: 'error', error: 'engine broke' });
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'error');
});
