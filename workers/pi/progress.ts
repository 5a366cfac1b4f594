// Progress of one computation as a fraction 0..1, throttled: series terms fill most of it, the later stages the rest.

/** Share of the bar for the series; the stages after it take the rest in fixed steps. */
export const SERIES_SHARE = 0.7;
const INTERVAL_MS = 250;

export class ProgressReporter {
  private done = 0;
  private total = 1;
  private shown = -1;
  private value = 0;
  private lastAt = 0;

  constructor(private readonly cb?: (fraction: number) => void) {}

  /** A new attempt over `terms` series terms (a guard-digit retry starts again from 0 but never shows less). */
  start(terms: number): void {
    this.total = Math.max(1, terms);
    this.done = 0;
  }

  terms(k: number): void {
    this.done += k;
    this.set(SERIES_SHARE * Math.min(1, this.done / this.total));
  }

  /** A stage after the series has finished, at fraction `f` of the whole. */
  stage(f: number): void {
    this.set(f);
  }

  /** Always reports 1, unthrottled. */
  finish(): void {
    this.value = 1;
    this.emit();
  }

  private set(f: number): void {
    if (f <= this.value) return;
    this.value = f;
    if (performance.now() - this.lastAt >= INTERVAL_MS) this.emit();
  }

  private emit(): void {
    if (!this.cb || this.value === this.shown) return;
    this.shown = this.value;
    this.lastAt = performance.now();
    this.cb(this.value);
  }
}
