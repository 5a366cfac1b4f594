// The application's job service: submit and cancel jobs through the repositories, wake the worker pool,
// and publish every change the app makes itself to the live feed (the pool publishes the workers' changes).

import { isResubmittable, isTerminal, type Job, type Repositories } from '../db/index.js';
import { HttpError } from './http/request.js';
import type { LiveFeed } from './live.js';

/** The worker pool as the application sees it. */
export interface JobRunner {
  notify(): void;
  cancel(jobId: number): Promise<boolean>;
  /** Whether the runner still acts on the job (a worker holds it, its end is being handled, or an action waits for it). */
  busyWith(jobId: number): boolean;
}

export class JobService {
  constructor(
    readonly repos: Repositories,
    private readonly runner: JobRunner | null,
    private readonly feed: LiveFeed,
    readonly maxDigits: number,
  ) {}

  /**
   * Creates the job for n, or finds the existing one (the UNIQUE n makes this idempotent); a job for n that ended in
   * error or was cancelled is registered again for a fresh run (resubmitted).
   */
  async submit(n: number): Promise<{ job: Job; created: boolean; resubmitted: boolean }> {
    // A job that just ended may still have its worker winding down; running it again then would let that worker's
    // end act on the new run. It is a moment: say so, and change nothing.
    const existing = await this.repos.jobs.findByN(n);
    if (existing !== undefined && isResubmittable(existing.stage) && this.runner?.busyWith(existing.id)) {
      throw new HttpError(409, `the job for n=${n} has just ended (${existing.stage}) and its worker is still letting go of it; submit it again in a moment`);
    }
    const result = await this.repos.jobs.submit(n);
    if (result.created || result.resubmitted) {
      this.feed.publish(result.job);
      this.runner?.notify();
    }
    return result;
  }

  /** Cancels a job that is queued or running: 404 if there is none, 409 if it already ended. */
  async cancel(n: number): Promise<Job> {
    const job = await this.repos.jobs.findByN(n);
    if (job === undefined) throw new HttpError(404, `there is no job for n=${n}`);
    if (isTerminal(job.stage)) throw new HttpError(409, `the job for n=${n} has already ended (${job.stage}); nothing to cancel`);
    if (this.runner !== null) await this.runner.cancel(job.id);
    else await this.repos.jobs.cancel(job.id);
    const after = (await this.repos.jobs.findById(job.id))!;
    this.feed.publish(after);
    return after;
  }
}
