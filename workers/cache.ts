// Answering a job from the digits already stored, without computing: used by the workers and by
// the master's short-cut; records calculated and stored with fromCache: true.
import { isDatabaseUnavailable, isTerminal, StageError, type Job, type Repositories } from '../db/index.js';
import { errorText } from './error-text.js';

/** The n-th decimal of pi if the stored digits reach that far, else undefined. */
export async function cachedDigit(repos: Repositories, n: number): Promise<number | undefined> {
  if (n > await repos.digits.largestN()) return undefined;
  return repos.digits.digitAt(n);
}

/** Moves a job that is 'taken' to calculated and stored from the cache, reporting each change. */
export async function storeFromCache(
  repos: Repositories, jobId: number, digit: number, onChange: (job: Job) => void,
): Promise<Job> {
  onChange(await repos.jobs.advance(jobId, 'calculated', { fromCache: true }));
  const job = await repos.jobs.advance(jobId, 'stored', { digit, fromCache: true });
  onChange(job);
  return job;
}

/**
 * The master's short-cut for a 'scheduled' job: taken → calculated → stored from the stored digits.
 * False when the digits do not reach n, or when it failed with the job still 'scheduled' (a worker computes it then);
 * a failure after 'taken' records the error on the job. An unavailable database (a write refused, or the look at the
 * job after the failure) is not the job's fault: no error is recorded, the job is left to `onStranded` (the pool
 * re-queues it once the database takes it), and the answer is true. So is a job whose error cannot be recorded.
 */
export async function answerFromCache(
  repos: Repositories, job: Job, onChange: (job: Job) => void, onError: (err: unknown) => void, onStranded: () => void,
): Promise<boolean> {
  try {
    const digit = await cachedDigit(repos, job.n);
    if (digit === undefined) return false;
    onChange(await repos.jobs.advance(job.id, 'taken'));
    await storeFromCache(repos, job.id, digit, onChange);
    return true;
  } catch (err) {
    onError(err);
    try {
      const now = await repos.jobs.findById(job.id);
      if (!now || isTerminal(now.stage)) return true;
      if (now.stage === 'scheduled') return false;
      if (isDatabaseUnavailable(err)) throw err;
      onChange(await repos.jobs.fail(job.id, errorText(err)));
    } catch (again) {
      // A job that ended meanwhile (a cancel won the race) needs nothing more; any other job would be stranded.
      if (again instanceof StageError && isTerminal(again.from)) return true;
      if (!isDatabaseUnavailable(again)) onError(again);
      onStranded();
    }
    return true;
  }
}
