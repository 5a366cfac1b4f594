// The master's view of one forked worker: the child process, its state, the job it holds, and
// a promise that settles when it is ready (or fails before that).
import { fork, type ChildProcess } from 'node:child_process';
import type { MasterMessage } from './ipc.js';
import { encodeWorkerConfig, type WorkerConfig } from './worker-config.js';

/**
 * starting → idle ⇄ assigning (the master is claiming a job for it) → busy → (request) idle …;
 * stopping once told to stop; exited at the end.
 */
export type WorkerState = 'starting' | 'idle' | 'assigning' | 'busy' | 'stopping' | 'exited';

export interface HeldJob { id: number; n: number; startedAt: number; progressTenths: number; cancelling: boolean }

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly spawnedAt = Date.now();
  state: WorkerState = 'starting';
  job: HeldJob | undefined;
  /** The last 'fatal' message, if the worker could not start. */
  fatal: string | undefined;
  /** Set when the pool itself killed it (stop timeout, cancel timeout): not a crash. */
  killedByPool = false;
  readonly ready: Promise<void>;
  private settleReady!: (err?: Error) => void;
  readonly exited: Promise<void>;
  private settleExited!: () => void;

  constructor(readonly id: number, module: string | URL, config: WorkerConfig, execArgv: string[] = process.execArgv) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.ready.catch(() => {}); // observed by whoever waits for it; never unhandled
    this.exited = new Promise<void>((resolve) => { this.settleExited = resolve; });
    this.child = fork(module, [], {
      env: { ...process.env, ...encodeWorkerConfig(config) },
      execArgv,
      // A worker never writes to the master's stdout (under tap that is the TAP stream): stdout goes to stderr.
      stdio: ['ignore', 2, 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.pid = this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.state !== 'exited';
  }

  /** Whether it ever said 'ready'. */
  wasReady = false;

  markReady(): void {
    this.wasReady = true;
    this.settleReady();
  }
  markFailed(err: Error): void { this.settleReady(err); }
  markExited(): void {
    this.state = 'exited';
    this.settleExited();
  }

  /** Sends if the channel is open; false if it could not be sent (the exit event follows). */
  send(message: MasterMessage): boolean {
    if (!this.child.connected) return false;
    try {
      this.child.send(message, () => { /* a failed send means the child is gone: its exit event follows */ });
      return true;
    } catch {
      return false;
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }
}
