// One job inside a worker: taken → computed (or answered from the stored digits) → calculated →
// stored, writing each stage, throttled progress and any error through the repositories.
import { isTerminal, type Job, type Repositories, type Stage, type Store } from '../db/index.js';
import { computePiDecimals } from './pi/index.js';
import { cachedDigit, storeFromCache } from './cache.js';
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
  /** The engine; replaceable in tests. */
  compute?: typeof computePiDecimals;
}

export interface RunJobResult { outcome: JobOutcome; error?: string }

/** The decimal the job is about: the n-th after the point (3 for n = 0). */
export function digitOf(decimals: string, n: number): number {
  return n === 0 ? 3 : Number(decimals.charAt(n - 1));
}

export async function runJob(store: Pick<Store, 'repos' | 'uow'>, job: JobAssignment, opts: RunJobOptions): Promise<RunJobResult> {
  const { repos } = store;
  const { jobs } = repos;
  const { signal, onChange } = opts;
  const compute = opts.compute ?? computePiDecimals;
  try {
    if (signal.aborted) throw signal.reason;
    onChange(await jobs.advance(job.id, 'taken'));
    if (job.n > opts.maxDigits) {
      const error = `n = ${job.n} is more than the ${opts.maxDigits} decimals this server computes`;
      onChange(await jobs.fail(job.id, error));
      return { outcome: 'error', error };
    }
    const cached = await cachedDigit(repos, job.n);
    if (cached !== undefined) {
      await storeFromCache(repos, job.id, cached, onChange);
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
    // Once computed, the result is kept even if a cancel or stop arrives now: storing is quick.
    onChange(await jobs.advance(job.id, 'calculated'));
    // One transaction: a job is never 'stored' without its digits being there.
    onChange(await store.uow.run(async (r) => {
      if (job.n > await r.digits.largestN()) await r.digits.store(decimals);
      return r.jobs.advance(job.id, 'stored', { digit: digitOf(decimals, job.n) });
    }));
    return { outcome: 'stored' };
  } catch (err) {
    if (signal.aborted) return aborted(repos, job, signal.reason as AbortReason, onChange);
    return failed(repos, job, errorText(err), onChange);
  }
}

async function aborted(repos: Repositories, job: JobAssignment, reason: AbortReason, onChange: (job: Job) => void): Promise<RunJobResult> {
  if (reason !== 'cancel') return { outcome: 'interrupted' };
  const row = await repos.jobs.findById(job.id);
  if (row && isTerminal(row.stage)) return { outcome: outcomeOf(row.stage) };
  onChange(await repos.jobs.cancel(job.id, 'cancelled while running'));
  return { outcome: 'cancelled' };
}

/** Records the error at the stage the job is in, unless the job already ended (say, cancelled meanwhile). */
async function failed(repos: Repositories, job: JobAssignment, error: string, onChange: (job: Job) => void): Promise<RunJobResult> {
  try {
    const row = await repos.jobs.findById(job.id);
    if (row && isTerminal(row.stage)) return { outcome: outcomeOf(row.stage), error };
    onChange(await repos.jobs.fail(job.id, error));
  } catch (err) {
    return { outcome: 'error', error: `${error}; and recording it failed: ${errorText(err)}` };
  }
  return { outcome: 'error', error };
}

function outcomeOf(stage: Stage): JobOutcome {
  return stage === 'stored' ? 'stored' : stage === 'cancelled' ? 'cancelled' : 'error';
}
