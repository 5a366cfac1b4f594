// The pool's degraded state: workers cannot work (a worker said 'fatal', the database file is gone), so none is
// started until the database looks usable again; then one try at a time, each after a growing backoff.
import { backoffDelay, type Backoff } from './backoff.js';

export class Degraded {
  private reason: string | null = null;
  private failures = 0;
  private nextTryAt = 0;

  constructor(private readonly backoff: Backoff, private readonly now: () => number = Date.now) {}

  get active(): boolean {
    return this.reason !== null;
  }

  /** Why, or null when not degraded. */
  get why(): string | null {
    return this.reason;
  }

  /** A failure (entering, or a try that failed): the next try waits backoff(failures in a row). */
  fail(reason: string): { began: boolean; delayMs: number } {
    const began = this.reason === null;
    this.failures++;
    const delayMs = backoffDelay(this.backoff, this.failures);
    this.nextTryAt = this.now() + delayMs;
    this.reason = reason;
    return { began, delayMs };
  }

  /** Degraded, and the wait since the last failure is over. */
  tryDue(): boolean {
    return this.reason !== null && this.now() >= this.nextTryAt;
  }

  /** A worker could work: no longer degraded. Returns the reason it was. */
  recover(): string | null {
    const was = this.reason;
    this.reason = null;
    this.failures = 0;
    return was;
  }
}
