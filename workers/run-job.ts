// One job inside a worker: taken → computed (or answered from the stored digits) → calculated →
// stored, writing each stage, throttled progress and any error through the repositories. A write that fails
// because the database is unavailable (locked, full, gone) is retried with backoff, then the job is handed back.
import { isDatabaseUnavailable, isTerminal, retry, type AdvanceOptions, type Backoff, type Job, type Repositories, type Stage, type Store } from '../db/index.js';
import { computePiDecimals } from './pi/index.js';
import { cachedDigit } from './cache.js';
import { errorText } from './error-text.js';
import type { JobAssignment, JobOutcome } from './ipc.js';
import { ProgressThrottle } from './progress.js';

/** Why the signal of a running job was aborted. */
export type AbortReason = 'cancel' | 'stop';

export interface RunJobOptions {
  /** Aborted with reason 'cancel' (record cancelled) or 'stop' (record nothing: the master re-queues). */
  signal: AbortSignal;
  threads: number;
  maxDigits: number;
  progressIntervalMs: number;
  /** Every row the worker wrote, as it is afterwards. */
  onChange: (job: Job) => void;
  log?: (line: string) => void;
  /**
   * A database step that fails because the database is unavailable (isDatabaseUnavailable) is tried again this
   * many times (default 0), after these waits; still failing, the job ends 'deferred' and stays where it was.
   */
  dbRetries?: number;
  dbRetryBackoffMs?: Backoff;
  /** The engine; replaceable in tests. */
  compute?: typeof computePiDecimals;
}

export interface RunJobResult { outcome: JobOutcome; error?: string }

/** The decimal the job is about: the n-th after the point (3 for n = 0). */
export function digitOf(decimals: string, n: number): number {
  return n === 0 ? 3 : Number(decimals.charAt(n - 1));
}

type Step = <T>(what: string, fn: (again: boolean) => Promise<T>) => Promise<T>;

export async function runJob(store: Pick<Store, 'repos' | 'uow'>, job: JobAssignment, opts: RunJobOptions): Promise<RunJobResult> {
  const { repos } = store;
  const { jobs } = repos;
  const { signal, onChange } = opts;
  const compute = opts.compute ?? computePiDecimals;
  const retries = opts.dbRetries ?? 0;
  const step: Step = (what, fn) => retry((k) => fn(k > 0), {
    retryable: isDatabaseUnavailable,
    retries,
    backoff: opts.dbRetryBackoffMs ?? { initial: 500, max: 8000 },
    signal,
    onRetry: (err, k, delay) => opts.log?.(`job ${job.id}: ${what} failed (${errorText(err)}); retry ${k} of ${retries} in ${delay} ms`),
  });
  /** A stage move; a retry first looks whether the failed try did make it (then it is not made twice). */
  const moveTo = (to: Stage, extra?: AdvanceOptions): Promise<Job> => step(`moving it to ${to}`, async (again) => {
    const row = again ? await jobs.findById(job.id) : undefined;
    return row?.stage === to ? row : jobs.advance(job.id, to, extra);
  });
  try {
    if (signal.aborted) throw signal.reason;
    onChange(await moveTo('taken'));
    if (job.n > opts.maxDigits) {
      const error = `n = ${job.n} is more than the ${opts.maxDigits} decimals this server computes`;
      onChange(await step('recording the error', () => jobs.fail(job.id, error)));
      return { outcome: 'error', error };
    }
    const cached = await step('reading the stored digits', () => cachedDigit(repos, job.n));
    if (cached !== undefined) {
      onChange(await moveTo('calculated', { fromCache: true }));
      onChange(await moveTo('stored', { digit: cached, fromCache: true }));
      return { outcome: 'stored' };
    }
    const progress = new ProgressThrottle(async (fraction) => {
      if (!(await jobs.setProgress(job.id, fraction))) return;
      const row = await jobs.findById(job.id);
      if (row) onChange(row);
    }, opts.progressIntervalMs, (err) => opts.log?.(`progress write for job ${job.id} failed: ${errorText(err)}`));
    let decimals: string;
    try {
      decimals = await compute(job.n, { signal, threads: opts.threads, onProgress: progress.report });
    } finally {
      await progress.settle();
    }
    if (decimals.length !== job.n) throw new Error(`engine returned ${decimals.length} decimals for n = ${job.n}`);
    // Once computed, the result is kept even if a cancel or stop arrives now: storing is quick (unless the
    // database is unavailable: then a stop or cancel ends the retries).
    onChange(await moveTo('calculated'));
    // One transaction: a job is never 'stored' without its digits being there.
    onChange(await step('storing the digits', () => store.uow.run(async (r) => {
      const row = await r.jobs.findById(job.id);
      if (row?.stage === 'stored') return row;
      if (job.n > await r.digits.largestN()) await r.digits.store(decimals);
      return r.jobs.advance(job.id, 'stored', { digit: digitOf(decimals, job.n) });
    })));
    return { outcome: 'stored' };
  } catch (err) {
    if (signal.aborted) return aborted(repos, job, signal.reason as AbortReason, onChange);
    // Not the job's fault: it stays in its stage, and the master re-queues it (counting the attempt).
    if (isDatabaseUnavailable(err)) return { outcome: 'deferred', error: errorText(err) };
    return failed(repos, job, errorText(err), onChange, step);
  }
}

/** Records a cancel (not a stop). If the database does not take it, the outcome says so and the master records it. */
async function aborted(repos: Repositories, job: JobAssignment, reason: AbortReason, onChange: (job: Job) => void): Promise<RunJobResult> {
  if (reason !== 'cancel') return { outcome: 'interrupted' };
  try {
    const row = await repos.jobs.findById(job.id);
    if (row && isTerminal(row.stage)) return { outcome: outcomeOf(row.stage) };
    onChange(await repos.jobs.cancel(job.id, 'cancelled while running'));
  } catch (err) {
    if (isDatabaseUnavailable(err)) return { outcome: 'deferred', error: `cancelled, but recording it failed: ${errorText(err)}` };
    throw err;
  }
  return { outcome: 'cancelled' };
}

/** Records the error at the stage the job is in, unless the job already ended (say, cancelled meanwhile). */
async function failed(repos: Repositories, job: JobAssignment, error: string, onChange: (job: Job) => void, step: Step): Promise<RunJobResult> {
  try {
    const row = await step('reading the job', () => repos.jobs.findById(job.id));
    if (row && isTerminal(row.stage)) return { outcome: outcomeOf(row.stage), error };
    onChange(await step('recording the error', () => repos.jobs.fail(job.id, error)));
  } catch (err) {
    return { outcome: 'error', error: `${error}; and recording it failed: ${errorText(err)}` };
  }
  return { outcome: 'error', error };
}

function outcomeOf(stage: Stage): JobOutcome {
  return stage === 'stored' ? 'stored' : stage === 'cancelled' ? 'cancelled' : 'error';
}
