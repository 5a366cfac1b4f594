// Lanes run the operations of ops.ts: ThreadLane in a worker_threads Worker, LocalLane on the calling thread.
// Closing a ThreadLane terminates its worker, which interrupts even a long BigInt operation.
import { Worker } from 'node:worker_threads';
import { LaneState, laneOps, type LaneOp } from './ops.js';

/** PI_TRACE=1 prints each thread operation's time to stderr (for profiling the plan). */
const TRACE = !!process.env.PI_TRACE;

export interface Lane {
  call<T>(op: LaneOp, args?: unknown): Promise<T>;
  close(): void;
}

/** The worker script beside this module: .js when compiled, .ts when run from sources (tap's loader is inherited). */
export function threadScriptUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./thread-main${ext}`, import.meta.url);
}

export class ThreadLane implements Lane {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  /** Receives the series progress of the current computation. */
  onTerms: (terms: number) => void;

  constructor(onTerms: (terms: number) => void = () => {}) {
    this.onTerms = onTerms;
    this.worker = new Worker(threadScriptUrl());
    this.worker.on('message', (msg: { id?: number; result?: unknown; error?: string; progress?: number }) => {
      if (msg.progress !== undefined) return this.onTerms(msg.progress);
      const call = this.calls.get(msg.id!);
      if (!call) return;
      this.calls.delete(msg.id!);
      if (msg.error !== undefined) call.reject(new Error(`pi worker thread: ${msg.error}`));
      else call.resolve(msg.result as never);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`pi worker thread exited (code ${code})`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const call of this.calls.values()) call.reject(this.failure);
    this.calls.clear();
  }

  call<T>(op: LaneOp, args?: unknown): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const t0 = performance.now();
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      if (TRACE) {
        const done = resolve;
        resolve = (v: T | PromiseLike<T>) => {
          process.stderr.write(`[pi] ${op} ${(performance.now() - t0).toFixed(0)} ms\n`);
          done(v);
        };
      }
      this.calls.set(id, { resolve: resolve as (v: never) => void, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  get healthy(): boolean {
    return this.failure === undefined;
  }

  /** Idle lanes do not keep the process alive. */
  keepAlive(on: boolean): void {
    if (on) this.worker.ref();
    else this.worker.unref();
  }

  close(): void {
    this.fail(new Error('pi worker thread closed'));
    void this.worker.terminate();
  }
}

export class LocalLane implements Lane {
  private readonly state = new LaneState();
  private closed = false;

  constructor(private readonly onTerms: (terms: number) => void) {}

  /** Lets the event loop run (abort, timers); throws once the lane is closed. */
  private readonly pause = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.closed) throw new Error('pi lane closed');
  };

  /** Calls run one after another, in the order made, like a thread's messages. */
  private queue: Promise<unknown> = Promise.resolve();

  call<T>(op: LaneOp, args?: unknown): Promise<T> {
    const run = async (): Promise<T> => {
      await this.pause();
      const fn = laneOps[op] as (st: LaneState, a: unknown, h: object) => Promise<unknown>;
      return (await fn(this.state, args, { tick: this.onTerms, pause: this.pause })) as T;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.closed = true;
  }
}
