// Throttled progress reporting: the engine may report thousands of times per second; at most one
// write per interval reaches the database, never two at once, and none after settle().

export class ProgressThrottle {
  private last: number;
  private pending: Promise<void> | undefined;
  private closed = false;

  /** The first write happens one interval after construction, so short jobs write none. */
  constructor(
    private readonly write: (fraction: number) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Called by the engine; cheap when nothing is due. */
  report = (fraction: number): void => {
    if (this.closed || this.pending || !Number.isFinite(fraction)) return;
    const t = this.now();
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    const f = Math.min(1, Math.max(0, fraction));
    this.pending = this.write(f)
      .catch(this.onError)
      .finally(() => { this.pending = undefined; });
  };

  /** Stops reporting and waits for a write in flight, so it cannot land after the next stage. */
  async settle(): Promise<void> {
    this.closed = true;
    await this.pending;
  }
}
