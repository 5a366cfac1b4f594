// Re-queueing the jobs no worker holds any more but that did not end (the worker died, gave the job back 'deferred',
// or was done with it still live): back to 'registered' after a backoff, counting attempts, until maxAttempts.
import { RETRYABLE_STAGES, StageError, type Job, type Repositories } from '../db/index.js';
import { backoffDelay } from './backoff.js';
import type { DoneMessage } from './ipc.js';
import type { PendingActions } from './pending-actions.js';
import type { PoolOptions } from './pool-options.js';

/** What becomes of a job that lost its worker (see retryDecision). */
export type RetryDecision =
  /** Nothing: it is gone, ended, or already waiting in 'registered'. */
  | { action: 'none' }
  /** It was handed out maxAttempts times: it ends in 'error' with the reason. */
  | { action: 'fail' }
  /** The pool is stopping: back to 'registered' at once, since no timer may outlive the pool. */
  | { action: 'requeue' }
  /** Back to 'registered' once the retry backoff for its attempts has passed. */
  | { action: 'wait'; delayMs: number };

/** Whether a retry can start from the job's stage (live, but not already registered). */
function requeueable(job: Pick<Job, 'stage'> | undefined): boolean {
  return job !== undefined && RETRYABLE_STAGES.includes(job.stage);
}

/**
 * The write refused because the job left the stages a retry starts from after it was read: a cancel() landed in
 * between (or the job ended otherwise). The write is conditional on the stage (the repository checks it in the
 * same transaction), so nothing changed: as for a job read in that stage, there is nothing to do.
 */
function endedMeanwhile(err: unknown): err is StageError {
  return err instanceof StageError && !RETRYABLE_STAGES.includes(err.from);
}

/**
 * The rule for a job whose worker died or gave it back, as the database has it now. job.attempts counts the
 * hand-outs (claimNext adds one), so with maxAttempts 3 the waits are backoff(1) and backoff(2), then it fails.
 */
export function retryDecision(
  job: Pick<Job, 'stage' | 'attempts'> | undefined, running: boolean, o: Pick<PoolOptions, 'maxAttempts' | 'retryBackoffMs'>,
): RetryDecision {
  if (!requeueable(job)) return { action: 'none' };
  if (job!.attempts >= o.maxAttempts) return { action: 'fail' };
  if (!running) return { action: 'requeue' };
  return { action: 'wait', delayMs: backoffDelay(o.retryBackoffMs, job!.attempts) };
}

/** What the re-queueing needs from the pool. */
export interface RequeueHost {
  /** The master's repositories (throws before the pool started). */
  repos(): Repositories;
  /** True while the pool runs; once it stops, nothing waits out a backoff any more. */
  running(): boolean;
  /** A job row changed: the pool's 'job' event. */
  changed(job: Job): void;
  /** A job waits again: hand it to an idle worker. */
  notify(): void;
  log(line: string): void;
}

/**
 * The jobs held by nobody: each waits out its backoff in its stage, as the job's pending action (PendingActions:
 * cancel() drops it, stop() carries it out at once). When the master's own writes are refused (the database is
 * unavailable), the write is tried again after a backoff until the database takes it (PendingActions.waitOut).
 */
export class Requeue {
  constructor(
    private readonly options: Pick<PoolOptions, 'maxAttempts' | 'retryBackoffMs'>,
    private readonly pendingActions: Pick<PendingActions, 'schedule' | 'waitOut'>,
    private readonly host: RequeueHost,
  ) {}

  /** A worker is done with a job it held and did not cancel: whatever is left of the job goes back to the queue. */
  async afterDone(m: DoneMessage): Promise<void> {
    if (m.outcome === 'interrupted') await this.requeueWhenPossible(m.jobId, 'the pool stopped');
    // The database was unavailable ('deferred'), or the worker could record neither its result nor its error
    // (disk full, database gone): the job is live, held by nobody. Retry it with backoff like a crash, counting
    // the attempt (retryLater ignores jobs that did end).
    if (m.outcome === 'error' || m.outcome === 'deferred') await this.retryLater(m.jobId, m.error ?? 'the worker could not record the result');
  }

  /**
   * A job whose worker died or gave it back: to the queue after a backoff, or error once maxAttempts is reached
   * (retryDecision). If the database does not take the master's writes either, it tries again later
   * (PendingActions.waitOut).
   */
  async retryLater(jobId: number, reason: string, outage = 0): Promise<void> {
    try {
      const { jobs } = this.host.repos();
      const job = await jobs.findById(jobId);
      const decision = retryDecision(job, this.host.running(), this.options);
      switch (decision.action) {
        case 'none':
          return;
        case 'fail': {
          const failed = await jobs.fail(jobId, reason); // logged once it did fail (not if it ended meanwhile)
          this.host.log(`job ${jobId} (n=${job!.n}) failed after ${job!.attempts} attempt(s): ${reason}`);
          this.host.changed(failed);
          return;
        }
        case 'requeue':
          this.host.changed(await jobs.retry(jobId, reason));
          return;
        case 'wait':
          this.host.log(`job ${jobId} (n=${job!.n}) will be retried in ${decision.delayMs} ms (attempt ${job!.attempts} of ${this.options.maxAttempts}: ${reason})`);
          this.pendingActions.schedule(jobId, decision.delayMs, () => this.requeueWhenPossible(jobId, reason, 0));
          return;
      }
    } catch (err) {
      if (endedMeanwhile(err)) return this.nothingToDo(jobId, err);
      if (!this.pendingActions.waitOut(jobId, err, outage, (next) => this.retryLater(jobId, reason, next))) throw err;
    }
  }

  /** Back to 'registered' (event 'retried' with the reason) if the job is still unfinished. */
  private async now(jobId: number, reason: string): Promise<void> {
    const { jobs } = this.host.repos();
    const job = await jobs.findById(jobId);
    if (!requeueable(job)) return;
    try {
      this.host.changed(await jobs.retry(jobId, reason));
    } catch (err) {
      if (!endedMeanwhile(err)) throw err;
      this.nothingToDo(jobId, err);
    }
  }

  /**
   * Back to 'registered' (if still unfinished) and dispatch; if the database does not take it now, again after a
   * backoff (PendingActions.waitOut), so that an outage does not leave the job where it is until the next start.
   */
  async requeueWhenPossible(jobId: number, reason: string, outage = 0): Promise<void> {
    try {
      await this.now(jobId, reason);
    } catch (err) {
      if (!this.pendingActions.waitOut(jobId, err, outage, (next) => this.requeueWhenPossible(jobId, reason, next))) throw err;
      return;
    }
    this.host.notify();
  }

  private nothingToDo(jobId: number, err: StageError): void {
    this.host.log(`job ${jobId} is ${err.from} meanwhile: nothing to re-queue`);
  }
}
