// How long the pool waits before replacing a dead worker: a backoff that doubles with each crash in a row, so a
// crash loop slows down instead of forking without end; no wait while no crash counts (a worker the pool killed).
import { backoffDelay, type Backoff } from './backoff.js';

/** A worker that ran this long before dying starts a new crash count (respawn backoff from the start). */
export const STABLE_WORKER_MS = 60_000;

export class RespawnBackoff {
  private crashesInRow = 0;

  constructor(private readonly backoff: Backoff, private readonly now: () => number = Date.now) {}

  /** A worker spawned at `spawnedAt` died by itself (the pool did not kill it). */
  crashed(spawnedAt: number): void {
    // A worker that lived long was not part of a crash loop.
    if (this.now() - spawnedAt >= STABLE_WORKER_MS) this.crashesInRow = 0;
    this.crashesInRow++;
  }

  /** A worker stored a job: whatever crashed before, workers work. */
  reset(): void {
    this.crashesInRow = 0;
  }

  /** The wait before the next replacement: none unless workers crashed in a row. */
  delayMs(): number {
    return this.crashesInRow === 0 ? 0 : backoffDelay(this.backoff, this.crashesInRow);
  }
}
