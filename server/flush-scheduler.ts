// One setImmediate per event-loop turn for all the connections whose outbox waits, instead of one each:
// a turn that reads from many sockets (a connection per request, under load) schedules a single flush.

/** What the scheduler flushes. */
export interface Flushable {
  flushOutbox(): void;
}

export class FlushScheduler {
  private queue: Flushable[] = [];
  /** The other of two arrays used in turn, so that a turn allocates none. */
  private spare: Flushable[] = [];
  private scheduled = false;

  /** Flushes `target` once the event loop has run every callback of this turn (its check phase). */
  schedule(target: Flushable): void {
    this.queue.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = this.spare;
    try {
      for (let i = 0; i < queue.length; i++) queue[i]!.flushOutbox();
    } finally {
      // Even if a flush threw, the arrays stay two (the connections after it are on their way to being torn down).
      queue.length = 0;
      this.spare = queue;
    }
  };
}
