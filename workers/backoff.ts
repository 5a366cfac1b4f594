// Exponential backoff: the delay before the k-th consecutive retry or respawn, doubled each time
// from `initial` and capped at `max`, so a crash loop slows down instead of forking without end.

export interface Backoff { initial: number; max: number }

/** Delay before attempt `k` (1 = first retry): initial · 2^(k-1), at most max. */
export function backoffDelay(b: Backoff, k: number): number {
  const steps = Math.max(0, Math.floor(k) - 1);
  return Math.min(b.max, b.initial * 2 ** Math.min(steps, 40));
}
