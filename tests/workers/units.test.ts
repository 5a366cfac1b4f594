// Unit tests of the pool's small parts: IPC type guards, backoff, exit reasons, options and the
// thread rule, the progress throttle, the worker configuration, degraded mode, the re-queue rule, respawn backoff, and
// the canceller losing a race to another cancel, the master's answer from the stored digits failing twice.
import t from 'tap';
import { backoffDelay } from '../../workers/backoff.js';
import { Degraded } from '../../workers/degraded.js';
import { describeExit } from '../../workers/exit-reason.js';
import { isJob, isMasterMessage, isWorkerMessage } from '../../workers/ipc.js';
import { POOL_DEFAULTS, resolvePoolOptions, threadsFor } from '../../workers/pool-options.js';
import { ProgressThrottle } from '../../workers/progress.js';
import { retryDecision } from '../../workers/requeue.js';
import { Canceller } from '../../workers/cancel.js';
import { DatabaseError, DatabaseUnavailableError, StageError } from '../../db/index.js';
import { answerFromCache } from '../../workers/cache.js';
import { RespawnBackoff, STABLE_WORKER_MS } from '../../workers/respawn-backoff.js';
import { decodeWorkerConfig, encodeWorkerConfig } from '../../workers/worker-config.js';

const job = {
  id: 1, n: 10, stage: 'taken', progress: 0.5, attempts: 1, digit: null, error: null, errorStage: null,
  fromCache: false, createdAt: 1, startedAt: 2, finishedAt: null, updatedAt: 3,
};

t.test('IPC guards accept the messages of the protocol and reject anything else', async (t) => {
  t.ok(isMasterMessage({ type: 'run', job: { id: 1, n: 5, attempts: 1 }, threads: 1 }));
  t.ok(isMasterMessage({ type: 'cancel', jobId: 3 }));
  t.ok(isMasterMessage({ type: 'stop' }));
  t.notOk(isMasterMessage({ type: 'run', job: { id: 1, n: '5', attempts: 1 }, threads: 1 }));
  t.notOk(isMasterMessage({ type: 'run', job: { id: 1, n: 5, attempts: 1 }, threads: 0 }));
  t.notOk(isMasterMessage({ type: 'cancel' }));
  t.notOk(isMasterMessage({ type: 'ready', pid: 1 }), 'a worker message is not a master message');
  t.notOk(isMasterMessage(null));
  t.notOk(isMasterMessage('stop'));

  t.ok(isWorkerMessage({ type: 'ready', pid: 42 }));
  t.ok(isWorkerMessage({ type: 'request' }));
  t.ok(isWorkerMessage({ type: 'changed', job }));
  t.ok(isWorkerMessage({ type: 'done', jobId: 1, outcome: 'stored', ms: 12 }));
  t.ok(isWorkerMessage({ type: 'done', jobId: 1, outcome: 'error', ms: 12, error: 'boom' }));
  t.ok(isWorkerMessage({ type: 'done', jobId: 1, outcome: 'deferred', ms: 12, error: 'database or disk is full' }));
  t.ok(isWorkerMessage({ type: 'fatal', error: 'no database' }));
  t.ok(isWorkerMessage({ type: 'log', line: 'hello' }));
  t.notOk(isWorkerMessage({ type: 'done', jobId: 1, outcome: 'exploded', ms: 12 }));
  t.notOk(isWorkerMessage({ type: 'changed', job: { ...job, stage: 'lost' } }));
  t.notOk(isWorkerMessage({ type: 'stop' }));
  t.notOk(isWorkerMessage([]));

  t.ok(isJob(job));
  t.notOk(isJob({ ...job, fromCache: 0 }));
  t.notOk(isJob({ ...job, digit: '3' }));
});

t.test('backoff doubles from initial up to max', async (t) => {
  const b = { initial: 100, max: 1000 };
  t.same([1, 2, 3, 4, 5, 6, 100].map((k) => backoffDelay(b, k)), [100, 200, 400, 800, 1000, 1000, 1000]);
  t.equal(backoffDelay(b, 0), 100);
});

t.test('exit reasons name the signal or the code', async (t) => {
  t.equal(describeExit(null, 'SIGKILL'), 'killed by SIGKILL');
  t.equal(describeExit(1, null), 'exited with code 1');
  t.match(describeExit(null, 'SIGABRT'), /out of memory/);
});

t.test('options: defaults, partial backoffs, validation, the thread rule', async (t) => {
  t.equal(POOL_DEFAULTS.maxAttempts, 3);
  t.ok(POOL_DEFAULTS.workers >= 1);
  const o = resolvePoolOptions({ workers: 2, respawnBackoffMs: { max: 50 }, pollIntervalMs: undefined });
  t.equal(o.workers, 2);
  t.same(o.respawnBackoffMs, { initial: POOL_DEFAULTS.respawnBackoffMs.initial, max: 50 });
  t.equal(o.pollIntervalMs, POOL_DEFAULTS.pollIntervalMs, 'undefined keeps the default');
  t.throws(() => resolvePoolOptions({ workers: 0 }), RangeError);
  t.throws(() => resolvePoolOptions({ maxAttempts: 1.5 }), RangeError);
  t.equal(POOL_DEFAULTS.dbRetries, 5, 'a worker retries a refused write five times before giving the job back');
  t.same(resolvePoolOptions({ dbRetryBackoffMs: { initial: 10 } }).dbRetryBackoffMs, { initial: 10, max: POOL_DEFAULTS.dbRetryBackoffMs.max });
  t.equal(resolvePoolOptions({ dbRetries: 0 }).dbRetries, 0, 'no retries is allowed');
  t.throws(() => resolvePoolOptions({ dbRetries: -1 }), RangeError);
  t.equal(threadsFor(500_000, 0, o), 2, 'a lone large job gets engineThreads');
  t.equal(threadsFor(500_000, 1, o), 1, 'not when another job runs');
  t.equal(threadsFor(5_000, 0, o), 1, 'a small job gets one');
});

t.test('progress throttle: at most one write per interval, none in flight after settle', async (t) => {
  let now = 0;
  const writes: number[] = [];
  let release: () => void = () => {};
  const p = new ProgressThrottle((f) => {
    writes.push(f);
    return new Promise<void>((r) => { release = r; });
  }, 250, undefined, () => now);
  p.report(0.1);
  t.same(writes, [], 'nothing within the first interval');
  now = 300;
  p.report(0.2);
  p.report(0.25);
  t.same(writes, [0.2], 'one write');
  now = 700;
  p.report(0.3);
  t.same(writes, [0.2], 'not while the previous write is in flight');
  release();
  await new Promise((r) => setImmediate(r));
  now = 1000;
  p.report(1.7);
  t.same(writes, [0.2, 1], 'clamped to 0..1');
  const settled = p.settle();
  release();
  await settled;
  now = 2000;
  p.report(0.9);
  t.same(writes, [0.2, 1], 'nothing after settle');
});

t.test('worker configuration round-trips through the environment and is validated', async (t) => {
  const config = {
    databasePath: '/tmp/x.sqlite', busyTimeoutMs: 25, lockTimeoutMs: 5000, dbRetries: 5, dbRetryBackoffMs: { initial: 500, max: 8000 },
    progressIntervalMs: 250, maxDigits: 1000, workerId: 3,
  };
  t.same(decodeWorkerConfig(encodeWorkerConfig(config)), config);
  t.throws(() => decodeWorkerConfig({}), /not set/);
  t.throws(() => decodeWorkerConfig(encodeWorkerConfig({ ...config, databasePath: '' })), /databasePath/);
  t.throws(() => decodeWorkerConfig(encodeWorkerConfig({ ...config, dbRetries: -1 })), /dbRetries/);
  t.throws(() => decodeWorkerConfig(encodeWorkerConfig({ ...config, dbRetryBackoffMs: { initial: 1, max: Number.NaN } })), /dbRetryBackoffMs.max/);
});

t.test('degraded: no try until the backoff has passed, growing with each failed try, reset by a recovery', async (t) => {
  let now = 1000;
  const d = new Degraded({ initial: 200, max: 500 }, () => now);
  t.equal(d.active, false);
  t.equal(d.tryDue(), false, 'nothing to try when not degraded');
  t.same(d.fail('worker 3 cannot work: database file x does not exist'), { began: true, delayMs: 200 });
  t.equal(d.why, 'worker 3 cannot work: database file x does not exist');
  now += 199;
  t.equal(d.tryDue(), false, 'not before the wait is over');
  now += 1;
  t.equal(d.tryDue(), true);
  t.same(d.fail('the try failed'), { began: false, delayMs: 400 }, 'the wait doubles');
  t.same(d.fail('again'), { began: false, delayMs: 500 }, 'up to the maximum');
  t.equal(d.recover(), 'again');
  t.equal(d.active, false);
  t.same(d.fail('later'), { began: true, delayMs: 200 }, 'a new spell starts from the first wait');
});

t.test('re-queue: a job that lost its worker waits a doubling backoff per attempt, and fails after maxAttempts', async (t) => {
  const o = { maxAttempts: 3, retryBackoffMs: { initial: 500, max: 10_000 } };
  t.same(retryDecision({ stage: 'taken', attempts: 1 }, true, o), { action: 'wait', delayMs: 500 });
  t.same(retryDecision({ stage: 'calculated', attempts: 2 }, true, o), { action: 'wait', delayMs: 1000 }, 'the wait doubles');
  t.same(retryDecision({ stage: 'scheduled', attempts: 3 }, true, o), { action: 'fail' }, 'the third hand-out was the last');
  t.same(retryDecision({ stage: 'taken', attempts: 1 }, false, o), { action: 'requeue' }, 'a stopping pool re-queues at once');
  t.same(retryDecision({ stage: 'taken', attempts: 3 }, false, o), { action: 'fail' }, 'but fails a job out of attempts');
  for (const stage of ['registered', 'stored', 'error', 'cancelled'] as const) {
    t.same(retryDecision({ stage, attempts: 1 }, true, o), { action: 'none' }, `a ${stage} job is left alone`);
  }
  t.same(retryDecision(undefined, true, o), { action: 'none' }, 'and so is one that is gone');
});

t.test('respawn backoff: doubles with each crash in a row; a stored job or a long-lived worker starts over', async (t) => {
  let now = 1_000_000;
  const r = new RespawnBackoff({ initial: 200, max: 1000 }, () => now);
  t.equal(r.delayMs(), 0, 'no crash counts: replaced at once');
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    r.crashed(now - 10);
    delays.push(r.delayMs());
  }
  t.same(delays, [200, 400, 800, 1000], 'doubling up to the maximum');
  r.reset();
  t.equal(r.delayMs(), 0, 'a stored job ends the crash loop');
  r.crashed(now - 10);
  r.crashed(now - 10);
  t.equal(r.delayMs(), 400);
  r.crashed(now - STABLE_WORKER_MS);
  t.equal(r.delayMs(), 200, 'a worker that ran a minute was not part of the loop: the count starts again');
});

t.test('cancel: a cancel recorded by someone else between the read and the write ends the wait as cancelled, quietly', async (t) => {
  const logs: string[] = [];
  const worker = { id: 1, alive: true, job: { id: 7, cancelling: false }, send: () => {}, kill: () => {} };
  const jobs = {
    // The job is live when read; by the time the master writes, another cancel has recorded it.
    findById: async () => ({ ...job, id: 7, stage: 'taken' }),
    cancel: async () => { throw new StageError('cancelled', 'cancelled', 'the job has ended'); },
  };
  const canceller = new Canceller({ cancelTimeoutMs: 60_000 }, { drop: () => {}, waitOut: () => false }, {
    repos: () => ({ jobs }) as never,
    holderOf: () => worker as never,
    changed: () => {},
    log: (line) => logs.push(line),
  });
  const cancelled = canceller.cancel(7); // the worker is asked to stop the job
  await new Promise((r) => setImmediate(r));
  worker.job = null as never; // it died instead: the master records the cancel
  await canceller.orphaned(7);
  t.equal(await cancelled, true, 'the caller hears that the job ended cancelled');
  t.same(logs.filter((l) => !/cancelling job 7/.test(l)), [], 'nothing alarming is logged');
});

t.test('answer from the stored digits: a job whose error cannot be recorded is re-queued, one that ended is left', async (t) => {
  const run = async (failWith: Error) => {
    const logged: string[] = [];
    const repos = {
      digits: { largestN: async () => 100, digitAt: async () => 5 },
      jobs: {
        advance: async () => { throw new Error('disk I/O error'); }, // the answer fails after 'taken'...
        findById: async () => ({ ...job, id: 7, stage: 'taken' }),
        fail: async () => { throw failWith; }, // ...and so does recording it
      },
    };
    const answer = await answerFromCache(repos as never, { ...job, id: 7, stage: 'scheduled' } as never, () => {}, (err) => logged.push((err as Error).message));
    return { answer, logged };
  };
  const refused = await run(new DatabaseError('job 7 changed while moving it to \'error\'; try again'));
  t.equal(refused.answer, 'requeue', 'a job whose error the database refused is re-queued');
  t.same(refused.logged, ['disk I/O error', 'job 7 changed while moving it to \'error\'; try again'], 'and both errors are logged');
  const outage = await run(new DatabaseUnavailableError('database is locked', 'SQLITE_BUSY'));
  t.equal(outage.answer, 'requeue', 'so is one whose error met an outage');
  t.same(outage.logged, ['disk I/O error'], 'the outage itself is not logged as an error of the job');
  const ended = await run(new StageError('cancelled', 'error', 'the job has ended'));
  t.equal(ended.answer, 'ended', 'a job a cancel ended meanwhile is left as it is');
  t.same(ended.logged, ['disk I/O error']);
});

t.test('pending actions: a job has one while it waits and while it runs, none after', async (t) => {
  const { PendingActions } = await import('../../workers/pending-actions.js');
  const tracked: Promise<unknown>[] = [];
  const actions = new PendingActions({ retryBackoffMs: { initial: 1, max: 1 } }, { running: () => true, track: (w) => { tracked.push(w); }, log: () => {} });
  let finish!: () => void;
  const started = new Promise<void>((resolve) => {
    actions.schedule(5, 1, () => { resolve(); return new Promise<void>((r) => { finish = r; }); });
  });
  t.equal(actions.has(5), true, 'waiting');
  t.equal(actions.has(6), false);
  await started;
  t.equal(actions.has(5), true, 'running');
  finish();
  await Promise.all(tracked);
  t.equal(actions.has(5), false, 'done');
  actions.schedule(6, 60_000, async () => {});
  actions.drop(6);
  t.equal(actions.has(6), false, 'dropped');
});
