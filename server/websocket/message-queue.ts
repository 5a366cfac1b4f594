// An async queue of messages for an app's receive(): push() from the socket side, take() from the app.
// Once a final message is pushed it is handed out again on every later take(), so receive() never hangs.

export class MessageQueue<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];
  #final: T | null = null;

  /** How many messages wait for the app. */
  get length(): number {
    return this.#items.length;
  }

  /** Whether the final message has been pushed. */
  get finished(): boolean {
    return this.#final !== null;
  }

  push(item: T): void {
    if (this.#final !== null) throw new Error('expected no messages after the final one, got another push');
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /** Pushes the last message; every take() after it has been handed out returns it again. */
  finish(item: T): void {
    if (this.#final !== null) return;
    this.push(item);
    this.#final = item;
    for (const waiter of this.#waiters.splice(0)) waiter(item);
  }

  take(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.#final !== null) return Promise.resolve(this.#final);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
