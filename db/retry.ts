// Retrying an operation that failed for a reason that passes (a lock held by another process, a full disk):
// the waits between tries are awaited timers, never sleeps on the event loop, doubling up to a cap.

export interface Backoff { initial: number; max: number }

export interface RetryPolicy {
  /** Which failures are worth another try; any other error is thrown at once. */
  retryable(err: unknown): boolean;
  /** The wait before retry k (1-based): initial · 2^(k-1), at most max, in ms. */
  backoff: Backoff;
  /** Give up once this many ms have passed since the first try (no wait reaches past it). */
  deadlineMs?: number;
  /** Give up after this many retries (the first try is not a retry). */
  retries?: number;
  /** Stops the waiting: the last error is thrown at once. */
  signal?: AbortSignal;
  /** Told before each wait: the failure, which retry comes next, and the wait. */
  onRetry?(err: unknown, retry: number, delayMs: number): void;
  /** How to wait; replaceable (the database driver frees its connection while it waits; tests skip time). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  now?(): number;
}

/** The wait before retry k (1 = the first retry). */
export function backoffDelay(b: Backoff, k: number): number {
  const steps = Math.max(0, Math.floor(k) - 1);
  return Math.min(b.max, b.initial * 2 ** Math.min(steps, 40));
}

/** An awaited timer that ends early (without an error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `fn` (given the retry number, 0 for the first try) until it succeeds, its error is not retryable, the
 * retries or the deadline run out, or the signal aborts; then throws the last error as it was.
 */
export async function retry<T>(fn: (retry: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const now = policy.now ?? Date.now;
  const wait = policy.sleep ?? sleep;
  const started = now();
  for (let k = 0; ; k++) {
    try {
      return await fn(k);
    } catch (err) {
      if (!policy.retryable(err) || policy.signal?.aborted) throw err;
      if (policy.retries !== undefined && k >= policy.retries) throw err;
      let delay = backoffDelay(policy.backoff, k + 1);
      if (policy.deadlineMs !== undefined) {
        const left = started + policy.deadlineMs - now();
        if (left <= 0) throw err;
        delay = Math.min(delay, left);
      }
      policy.onRetry?.(err, k + 1, delay);
      await wait(delay, policy.signal);
      if (policy.signal?.aborted) throw err;
    }
  }
}
