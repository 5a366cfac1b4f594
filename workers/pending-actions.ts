// Each job's one pending action (a timer and what it then does), shared by the re-queue and the canceller: a retry
// after its backoff, or a master write the database refused, tried again; cancel() drops it and stop() runs it now.
import { isDatabaseUnavailable } from '../db/index.js';
import { backoffDelay } from './backoff.js';
import { errorText } from './error-text.js';
import type { PoolOptions } from './pool-options.js';

/** What the pending actions need from the pool. */
export interface PendingActionsHost {
  /** True while the pool runs; once it stops, nothing waits out a backoff any more. */
  running(): boolean;
  /** Background work that stop() waits for (its failure is logged). */
  track(work: Promise<unknown>): void;
  log(line: string): void;
}

/**
 * The jobs' pending actions, at most one a job: a job held by nobody waits out its backoff in its stage (Requeue),
 * and a master write the database refused is tried again after a backoff until the database takes it (waitOut),
 * be it a retry or a cancel (Canceller.orphaned). cancel() drops the job's action (drop), and stop() carries out
 * every one at once (runAllNow).
 */
export class PendingActions {
  private readonly pending = new Map<number, { timer: NodeJS.Timeout; action: () => Promise<void> }>();
  /** Jobs whose action is running now (its timer fired, or stop() ran it). */
  private readonly running = new Set<number>();

  constructor(private readonly options: Pick<PoolOptions, 'retryBackoffMs'>, private readonly host: PendingActionsHost) {}

  /** Runs `action` after `delay` ms (or at stop), as the job's one pending action (replacing any earlier one). */
  schedule(jobId: number, delay: number, action: () => Promise<void>): void {
    clearTimeout(this.pending.get(jobId)?.timer);
    const timer = setTimeout(() => {
      this.pending.delete(jobId);
      this.host.track(this.run(jobId, action));
    }, delay);
    this.pending.set(jobId, { timer, action });
  }

  /** Whether the job has an action waiting or running. */
  has(jobId: number): boolean {
    return this.pending.has(jobId) || this.running.has(jobId);
  }

  private async run(jobId: number, action: () => Promise<void>): Promise<void> {
    this.running.add(jobId);
    try {
      await action();
    } finally {
      this.running.delete(jobId);
    }
  }

  /** The job ends some other way (cancel()): its pending action is dropped. */
  drop(jobId: number): void {
    clearTimeout(this.pending.get(jobId)?.timer);
    this.pending.delete(jobId);
  }

  /**
   * stop(): every job's pending action runs now, not after its backoff, with the pool no longer running, so that
   * each does once what it was waiting to do, and nothing else: a retry follows retryDecision (back to
   * 'registered', or 'error' once it was handed out maxAttempts times), a cancel is tried once more
   * (Canceller.orphaned). A write the database still refuses is not waited out any more.
   */
  runAllNow(): void {
    for (const [jobId, { timer, action }] of this.pending) {
      clearTimeout(timer);
      this.host.track(this.run(jobId, action));
    }
    this.pending.clear();
  }

  /**
   * A master write on the job failed (`outage` failures so far). One to wait out (the database is unavailable and
   * the pool still runs): `again` runs after a growing backoff as the job's pending action, and the answer is true.
   * Otherwise false: the caller rethrows.
   */
  waitOut(jobId: number, err: unknown, outage: number, again: (outage: number) => Promise<void>): boolean {
    if (!isDatabaseUnavailable(err) || !this.host.running()) return false;
    const delay = backoffDelay(this.options.retryBackoffMs, outage + 1);
    this.host.log(`job ${jobId} could not be moved (${errorText(err)}): trying again in ${delay} ms`);
    this.schedule(jobId, delay, () => again(outage + 1));
    return true;
  }
}
