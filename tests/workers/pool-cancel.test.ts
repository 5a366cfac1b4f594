// cancel(): a waiting job is cancelled at once, a running one by aborting its computation (the worker survives),
// a finished or unknown one is left alone; a worker that ignores cancel or stop is killed; a cancel that meets a
// stop or a re-queue wins.
import t from 'tap';
import { WorkerPool } from '../../workers/pool.js';
import { isAlive, logLines, migratedStore, nextJob, onceAt, PI, until, withJobs } from './helpers.js';

t.test('cancel a waiting job and a running one', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  // A generous cancel timeout: this is about aborting when asked, on however loaded a machine.
  const pool = new WorkerPool({ store, workers: 1, engineThreads: 1, log, cancelTimeoutMs: 30_000 });
  await pool.start();
  t.teardown(() => pool.stop());
  const [worker] = pool.processes();

  const big = (await store.repos.jobs.submit(1_000_000)).job;
  const running = nextJob(pool, (j) => j.id === big.id && j.stage === 'taken');
  pool.notify();
  await running;
  t.equal(pool.busyWith(big.id), true, 'a worker holds the running job: it may not be submitted again yet');
  const waiting = (await store.repos.jobs.submit(50)).job;
  pool.notify();
  t.equal((await store.repos.jobs.findById(waiting.id))?.stage, 'registered', 'the only worker is busy');

  t.equal(await pool.cancel(waiting.id), true, 'waiting job cancelled');
  t.equal((await store.repos.jobs.findById(waiting.id))?.stage, 'cancelled');

  t.equal(pool.busyWith(waiting.id), false, 'a cancelled job nobody held: the pool has let go of it');
  t.equal(await pool.cancel(big.id), true, 'running job cancelled');
  // Its worker told how it ended; the pool lets go of it once that is handled (a few ticks at most).
  for (let turn = 0; turn < 100 && pool.busyWith(big.id); turn++) await new Promise((resolve) => setImmediate(resolve));
  t.equal(pool.busyWith(big.id), false, 'its end handled, the pool has let go of it: it may run again');
  const row = await store.repos.jobs.findById(big.id);
  t.equal(row?.stage, 'cancelled');
  t.equal(row?.error, null);
  t.notOk(lines.some((l) => /killing it/.test(l)), 'the computation stopped when asked; the worker was not killed');
  t.same(pool.processes().map((p) => p.pid), [worker!.pid], 'the same worker is still there');

  // It goes on working.
  const next = (await store.repos.jobs.submit(123)).job;
  const stored = nextJob(pool, (j) => j.id === next.id && j.stage === 'stored');
  pool.notify();
  t.equal((await stored).digit, Number(PI[122]));

  t.equal(await pool.cancel(next.id), false, 'a stored job is not cancelled');
  t.equal(await pool.cancel(999_999), false, 'nor an unknown one');
  t.equal(await pool.cancel(big.id), false, 'nor one cancelled already');
});

t.test('a worker that ignores cancel, and then stop, is killed; the jobs end cancelled and re-queued', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  const pool = new WorkerPool({
    store, workers: 1, log, cancelTimeoutMs: 100, respawnBackoffMs: { initial: 10 },
    workerModule: new URL('./fixtures/stubborn-worker.mjs', import.meta.url),
    execArgv: [],
  });
  const spawned: number[] = [];
  pool.on('worker', (e) => { if (e.type === 'spawned') spawned.push(e.pid); });
  await pool.start();

  const first = (await store.repos.jobs.submit(10)).job;
  const handed = nextJob(pool, (j) => j.id === first.id && j.stage === 'scheduled');
  pool.notify();
  await handed;
  await until(() => pool.processes()[0]?.jobId === first.id, 'the job to be handed over');
  t.equal(await pool.cancel(first.id), true, 'cancelled by killing the worker');
  t.equal((await store.repos.jobs.findById(first.id))?.stage, 'cancelled');
  t.ok(lines.some((l) => /did not stop job \d+ within 100 ms: killing it/.test(l)));

  // The replacement takes the next job and ignores stop as well.
  const second = (await store.repos.jobs.submit(20)).job;
  pool.notify();
  await until(() => pool.processes()[0]?.jobId === second.id, 'the next job to be handed over');
  await pool.stop(200);
  t.ok(lines.some((l) => /still running after 200 ms: killing it/.test(l)));
  t.equal((await store.repos.jobs.findById(second.id))?.stage, 'registered', 're-queued');
  t.equal(spawned.length, 2);
  for (const pid of spawned) t.notOk(isAlive(pid), `worker ${pid} is gone`);
});

t.test('a stop while a worker is still cancelling its job: the job ends cancelled, not re-queued', async (t) => {
  const { store } = await migratedStore(t);
  const { lines, log } = logLines();
  const pool = new WorkerPool({
    store, workers: 1, log, cancelTimeoutMs: 60_000,
    workerModule: new URL('./fixtures/stubborn-worker.mjs', import.meta.url),
    execArgv: [],
  });
  await pool.start();
  const { job } = await store.repos.jobs.submit(10);
  pool.notify();
  await until(() => pool.processes()[0]?.jobId === job.id, 'the job to be handed over');
  const cancelled = pool.cancel(job.id);
  await until(() => lines.some((l) => new RegExp(`^worker \\d+ cancelling job ${job.id}$`).test(l)), 'the cancel to be sent');
  await pool.stop(100); // the worker ignores both: killed while its job is being cancelled
  t.equal(await cancelled, true, 'the caller hears it was cancelled');
  t.equal((await store.repos.jobs.findById(job.id))?.stage, 'cancelled', 'the next pool does not run it');
  t.same((await store.repos.events.listForJob(job.id)).map((e) => e.kind), ['registered', 'scheduled', 'cancelled'], 'no retried event');
});

// A cancel() that lands after a re-queue read the job and before it writes: the write finds the job ended.
for (const { maxAttempts, write } of [{ maxAttempts: 1, write: 'failing it' }, { maxAttempts: 2, write: 're-queueing it' }]) {
  t.test(`a cancel between a re-queue's read and its write (${write}): the job stays cancelled, nothing alarming is logged`, async (t) => {
    const { store } = await migratedStore(t);
    const { lines, log } = logLines();
    // The master's repositories, with cancel() run right after the re-queue's last read of the job (the
    // maxAttempts-th: one read per retry decision, one more before each re-queue after a backoff).
    let armed: number | undefined;
    let reads = 0;
    let cancelledMeanwhile: Promise<boolean> | undefined;
    const repos = withJobs(store.repos, {
      findById: async (id) => {
        const row = await store.repos.jobs.findById(id);
        if (id === armed && ++reads === maxAttempts) {
          armed = undefined;
          cancelledMeanwhile = pool.cancel(id);
          await cancelledMeanwhile;
        }
        return row;
      },
    });
    const pool: WorkerPool = new WorkerPool({
      store: { handle: store.handle, repos }, workers: 1, maxAttempts, log,
      retryBackoffMs: { initial: 10 }, workerModule: new URL('./fixtures/deferring-worker.mjs', import.meta.url), execArgv: [],
    });
    await pool.start();
    const { job } = await store.repos.jobs.submit(5000);
    onceAt(pool, job.id, 'scheduled', () => { armed = job.id; });
    pool.notify();
    await until(() => cancelledMeanwhile !== undefined, 'the cancel to land');
    t.equal(await cancelledMeanwhile, true, 'cancelled');
    await pool.stop(); // waits for the re-queue to finish
    t.equal((await store.repos.jobs.findById(job.id))?.stage, 'cancelled');
    t.same((await store.repos.events.listForJob(job.id)).map((e) => e.kind), ['registered', 'scheduled', 'cancelled'], 'nothing after the cancel');
    t.same(lines.filter((l) => /^pool: /.test(l)), [], 'no failure logged');
  });
}
