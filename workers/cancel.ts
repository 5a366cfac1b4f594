// Cancelling a job wherever it is: a waiting one in the database at once, a running one through its worker (killed
// if it does not stop in time), one whose worker is gone by the master; and the callers waiting to hear the end.
import { endedFirst, isDatabaseUnavailable, isTerminal, type Job, type Repositories } from '../db/index.js';
import { errorText } from './error-text.js';
import type { PendingActions } from './pending-actions.js';
import type { PoolOptions } from './pool-options.js';
import type { WorkerProcess } from './worker-process.js';

/** What cancelling needs from the pool. */
export interface CancelHost {
  /** The master's repositories (throws before the pool started). */
  repos(): Repositories;
  /** The live worker holding the job, if one does. */
  holderOf(jobId: number): WorkerProcess | undefined;
  /** A job row changed: the pool's 'job' event. */
  changed(job: Job): void;
  log(line: string): void;
}

export class Canceller {
  /** The cancel() calls waiting for a running job's worker to tell how the job ended. */
  private readonly waiters = new Map<number, Array<(cancelled: boolean) => void>>();

  constructor(
    private readonly options: Pick<PoolOptions, 'cancelTimeoutMs'>,
    private readonly pendingActions: Pick<PendingActions, 'drop' | 'waitOut'>,
    private readonly host: CancelHost,
  ) {}

  /** Resolves true if the job ended cancelled, false if it was unknown or already finished (see WorkerPool.cancel). */
  async cancel(jobId: number): Promise<boolean> {
    const repos = this.host.repos();
    const before = await repos.jobs.findById(jobId);
    if (!before || isTerminal(before.stage)) return false;
    const w = this.host.holderOf(jobId);
    if (w?.job) {
      const held = w.job;
      const done = new Promise<boolean>((resolve) => this.addWaiter(jobId, resolve));
      if (!held.cancelling) {
        held.cancelling = true;
        this.host.log(`worker ${w.id} cancelling job ${jobId}`);
        w.send({ type: 'cancel', jobId });
        setTimeout(() => {
          if (w.job === held && w.alive) {
            this.host.log(`worker ${w.id} did not stop job ${jobId} within ${this.options.cancelTimeoutMs} ms: killing it`);
            w.killedByPool = true;
            w.kill('SIGKILL');
          }
        }, this.options.cancelTimeoutMs).unref();
      }
      return done;
    }
    try {
      const cancelled = await repos.jobs.cancel(jobId, 'cancelled before it ran');
      // Dropped only once the cancel is recorded: a refused write changed nothing, and the job keeps its pending
      // re-queue (or pending cancel). One that fired during the write came first or finds the job ended.
      this.pendingActions.drop(jobId);
      this.host.changed(cancelled);
      return true;
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err; // the caller answers 503; nothing changed
      const now = await repos.jobs.findById(jobId);
      if (now?.stage === 'cancelled') return true;
      if (now && !isTerminal(now.stage) && this.host.holderOf(jobId)) return this.cancel(jobId);
      this.host.log(`cancelling job ${jobId} failed: ${errorText(err)}`);
      return false;
    }
  }

  /**
   * The worker of a job being cancelled died, was killed for not stopping, or could not record the cancel: the
   * master records it (if the database does not take it now, the caller hears false and it is tried again later,
   * or once more at stop: the job's pending action stays the cancel, never a retry).
   */
  async orphaned(jobId: number, outage = 0): Promise<void> {
    const { jobs } = this.host.repos();
    try {
      const job = await jobs.findById(jobId);
      if (job && !isTerminal(job.stage)) this.host.changed(await jobs.cancel(jobId, 'cancelled; its worker was gone'));
      this.settle(jobId, (await jobs.findById(jobId))?.stage === 'cancelled');
    } catch (err) {
      if (endedFirst(err)) {
        // The job ended between the read and the write (another cancel recorded it first): nothing is left to do.
        this.settle(jobId, err.from === 'cancelled');
        return;
      }
      this.settle(jobId, false);
      if (this.pendingActions.waitOut(jobId, err, outage, (next) => this.orphaned(jobId, next))) return;
      if (!isDatabaseUnavailable(err)) throw err;
      // The pool stops (this was the try stop() makes at once, or the worker was stopped while cancelling) and the
      // database still refuses. The job is left in its live stage: never re-queued (the user asked to cancel it) nor
      // failed (that write would be refused too), and stop() does not wait for a database that may not come back.
      // The cancel is lost with this process: its caller heard false, and the next start re-queues the job as
      // unfinished, like any job a stopped master could not record. Hence the log line.
      this.host.log(`job ${jobId} could not be cancelled before the pool stopped (${errorText(err)}); left in its stage, the next start re-queues it`);
    }
  }

  /** The job's worker told how it ended: whoever waits to cancel it hears whether it ended cancelled. */
  settle(jobId: number, cancelled: boolean): void {
    const list = this.waiters.get(jobId);
    this.waiters.delete(jobId);
    for (const resolve of list ?? []) resolve(cancelled);
  }

  /** stop(): whoever still waits hears false. */
  settleAll(): void {
    for (const [jobId] of this.waiters) this.settle(jobId, false);
  }

  private addWaiter(jobId: number, resolve: (cancelled: boolean) => void): void {
    const list = this.waiters.get(jobId) ?? [];
    list.push(resolve);
    this.waiters.set(jobId, list);
  }
}
