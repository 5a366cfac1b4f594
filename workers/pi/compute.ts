// computePiDecimals: n decimals of pi on two worker threads (or the calling thread), with progress and abort.
// Small n run on the calling thread; inconclusive guard digits make it compute again with more.
import { checkDigits, DEFAULT_GUARD_DIGITS } from './limits.js';
import { nextGuard, settleGuard } from './guard.js';
import { LocalLane, ThreadLane, type Lane } from './lanes.js';
import { acquireLane, releaseLane } from './thread-pool.js';
import { ProgressReporter } from './progress.js';
import { runPlan } from './plan.js';

export interface ComputeOptions {
  /** Fraction done, 0..1, at most every ~250 ms while the series advances and at each later stage; 1 at the end. */
  onProgress?: (fraction: number) => void;
  /** Aborting rejects with an AbortError; worker threads are terminated at once. */
  signal?: AbortSignal;
  /** Default 2; 1 = no worker threads (computed on the calling thread, yielding to the event loop between steps). */
  threads?: number;
}

/** Below this many digits threads cost more than they save. */
export const THREAD_MIN_DIGITS = 30_000;

export function abortError(signal: AbortSignal): Error {
  const err = new Error('pi computation aborted', { cause: signal.reason });
  err.name = 'AbortError';
  return err;
}

/**
 * Runs the plan once, on two threads (idle ones from the pool, handed back after a clean run) or on the calling thread;
 * an abort terminates the threads at once.
 */
function attempt(digits: number, threaded: boolean, signal: AbortSignal | undefined, progress: ProgressReporter): Promise<string> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const onTerms = (k: number): void => progress.terms(k);
  const lanes: Lane[] = threaded ? [acquireLane(onTerms), acquireLane(onTerms)] : [new LocalLane(onTerms), new LocalLane(onTerms)];
  let settled = false;
  return new Promise<string>((resolve, reject) => {
    const onAbort = (): void => {
      settled = true;
      for (const lane of lanes) lane.close();
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    runPlan(digits, lanes[0]!, lanes[1]!, progress).then(
      (digitsText) => {
        signal?.removeEventListener('abort', onAbort);
        for (const lane of lanes) {
          if (lane instanceof ThreadLane && !settled) void releaseLane(lane);
          else lane.close();
        }
        resolve(digitsText);
      },
      (err: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        for (const lane of lanes) lane.close();
        reject(err);
      },
    );
  });
}

export function computePiDecimals(n: number, opts: ComputeOptions = {}): Promise<string> {
  return computePiDecimalsWith(n, opts, DEFAULT_GUARD_DIGITS);
}

/** computePiDecimals with the first attempt's guard digits given (tests force a tiny guard to see the retry). */
export async function computePiDecimalsWith(n: number, opts: ComputeOptions, guard: number, onAttempt?: (guard: number) => void): Promise<string> {
  checkDigits(n);
  const { signal, onProgress } = opts;
  const threads = opts.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${String(threads)}`);
  if (signal?.aborted) throw abortError(signal);
  const progress = new ProgressReporter(onProgress);
  const threaded = threads >= 2 && n >= THREAD_MIN_DIGITS;
  for (;;) {
    onAttempt?.(guard);
    const digits = await attempt(n + guard, threaded, signal, progress);
    const decided = settleGuard(digits, n);
    if (decided !== null) {
      progress.finish();
      return decided;
    }
    guard = nextGuard(guard);
  }
}
