// One setImmediate per event-loop turn for all the connections whose outbox waits, instead of one each:
// a turn that reads from many sockets (a connection per request, under load) schedules a single flush.

/** What the scheduler flushes. */
export interface Flushable {
  flushOutbox(): void;
}

export class FlushScheduler {
  /**
   * The connections to flush at the end of this turn, in queue[0..count). Two arrays are used in turn (a flush may
   * schedule for the next turn while it runs), and they keep their size: slots are cleared, never cut off (setting
   * an array's length to 0 frees its storage, and the next turn would allocate it again).
   */
  private queue: Array<Flushable | undefined> = [];
  private count = 0;
  private spare: Array<Flushable | undefined> = [];
  private scheduled = false;

  /** Flushes `target` once the event loop has run every callback of this turn (its check phase). */
  schedule(target: Flushable): void {
    this.queue[this.count++] = target;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    const count = this.count;
    this.queue = this.spare;
    this.count = 0;
    let i = 0;
    try {
      for (; i < count; i++) {
        const target = queue[i]!;
        queue[i] = undefined;
        target.flushOutbox();
      }
    } finally {
      // Even if a flush threw, the arrays stay two (the connections after it are on their way to being torn down)
      // and no slot keeps a connection alive.
      for (; i < count; i++) queue[i] = undefined;
      this.spare = queue;
    }
  };
}
