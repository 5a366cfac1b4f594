// Answering a job from the digits already stored, without computing: used by the workers and by
// the master's short-cut; records calculated and stored with fromCache: true.
import { endedFirst, isDatabaseUnavailable, isTerminal, type Job, type Repositories } from '../db/index.js';
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

/** What became of a job the master tried to answer from the stored digits. */
export type CacheAnswer =
  /** Answered: calculated and stored. */
  | 'stored'
  /** Not answered and still 'scheduled' (the digits do not reach n, or the answer failed early): a worker computes it. */
  | 'to-worker'
  /** Ended otherwise: its error recorded, or cancelled meanwhile. Nothing more to do. */
  | 'ended'
  /** Left past 'scheduled' with neither answer nor error recorded (the database refused them): re-queue it. */
  | 'requeue';

/**
 * The master's short-cut for a 'scheduled' job: taken → calculated → stored from the stored digits. A failure after
 * 'taken' records the error on the job, unless the database was unavailable: that is not the job's fault, and the
 * job is to be re-queued, as is one whose error could not be recorded.
 */
export async function answerFromCache(
  repos: Repositories, job: Job, onChange: (job: Job) => void, onError: (err: unknown) => void,
): Promise<CacheAnswer> {
  try {
    const digit = await cachedDigit(repos, job.n);
    if (digit === undefined) return 'to-worker';
    onChange(await repos.jobs.advance(job.id, 'taken'));
    await storeFromCache(repos, job.id, digit, onChange);
    return 'stored';
  } catch (err) {
    onError(err);
    try {
      const now = await repos.jobs.findById(job.id);
      if (!now || isTerminal(now.stage)) return 'ended';
      if (now.stage === 'scheduled') return 'to-worker';
      if (isDatabaseUnavailable(err)) return 'requeue';
      onChange(await repos.jobs.fail(job.id, errorText(err)));
      return 'ended';
    } catch (again) {
      if (endedFirst(again)) return 'ended';
      if (!isDatabaseUnavailable(again)) onError(again);
      return 'requeue';
    }
  }
}
