// WorkerPool's options, their exported defaults (POOL_DEFAULTS), and the rule that picks how many
// engine threads a job gets.
import { availableParallelism } from 'node:os';
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_LOCK_TIMEOUT_MS, type DatabaseHandle, type Repositories } from '../db/index.js';
import type { Backoff } from './backoff.js';
import { ENGINE_MAX_DIGITS } from './pi/index.js';

export interface PoolOptions {
  /** Number of worker processes. */
  workers: number;
  /** A job whose worker dies is retried until it has been handed out this many times (job.attempts), then fails. */
  maxAttempts: number;
  /** Delay before re-queueing a job whose worker died: initial · 2^(attempts-1), capped. */
  retryBackoffMs: Backoff;
  /** Delay before replacing a dead worker: initial · 2^(crashes in a row - 1), capped; no fork bomb. */
  respawnBackoffMs: Backoff;
  /** stop(): how long workers get to finish before they are killed. */
  shutdownTimeoutMs: number;
  /** cancel(): how long a worker gets to abort a running job before it is killed (the job is cancelled anyway). */
  cancelTimeoutMs: number;
  /** Safety net: look for waiting jobs this often even if nobody calls notify(). */
  pollIntervalMs: number;
  /** Minimum time between two progress writes (and 'job' events) for one running job. */
  progressIntervalMs: number;
  /** SQLite file; undefined = db's default ($DATABASE_URL, else data/rawpi.sqlite). Ignored when `store` is given. */
  databasePath: string | undefined;
  /** The workers' (and an own store's) SQLite busy_timeout: the blocking part of a wait for another process's lock. */
  busyTimeoutMs: number;
  /** How long a database statement in a worker keeps retrying a lock (awaited backoff) before it fails. */
  lockTimeoutMs: number;
  /**
   * A database write in a worker that fails for a transient reason (locked past lockTimeoutMs, disk full, I/O
   * error, file gone) is retried this many times, after dbRetryBackoffMs; then the job goes back to the master
   * ('deferred', re-queued with backoff like a crash), never to 'error' for that reason alone.
   */
  dbRetries: number;
  dbRetryBackoffMs: Backoff;
  /** Engine threads for a large job (n ≥ largeJobDigits) handed out while no other job runs; every other job gets 1. */
  engineThreads: number;
  largeJobDigits: number;
  /** Jobs asking for more decimals fail with an error. */
  maxDigits: number;
}

export interface PoolSetup extends Partial<Omit<PoolOptions, 'retryBackoffMs' | 'respawnBackoffMs' | 'dbRetryBackoffMs'>> {
  retryBackoffMs?: Partial<Backoff>;
  respawnBackoffMs?: Partial<Backoff>;
  dbRetryBackoffMs?: Partial<Backoff>;
  /** The master's own database access; if given, the pool uses it (and does not close it) instead of opening one. */
  store?: { handle: DatabaseHandle; repos: Repositories };
  /** Lifecycle log lines; default: none. */
  log?: (line: string) => void;
  /** Node options of the worker processes; default the master's (process.execArgv), e.g. add --max-old-space-size. */
  execArgv?: string[];
  /** The worker entry module; default workers/worker (.ts or .js like this module). For tests. */
  workerModule?: string | URL;
}

export const POOL_DEFAULTS: Readonly<PoolOptions> = Object.freeze({
  workers: availableParallelism(),
  maxAttempts: 3,
  retryBackoffMs: Object.freeze({ initial: 500, max: 10_000 }),
  respawnBackoffMs: Object.freeze({ initial: 200, max: 30_000 }),
  shutdownTimeoutMs: 5_000,
  cancelTimeoutMs: 1_500,
  pollIntervalMs: 2_000,
  progressIntervalMs: 250,
  databasePath: undefined,
  busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS,
  lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
  dbRetries: 5,
  dbRetryBackoffMs: Object.freeze({ initial: 500, max: 8_000 }),
  engineThreads: 2,
  largeJobDigits: 100_000,
  maxDigits: ENGINE_MAX_DIGITS,
});

export function resolvePoolOptions(setup: PoolSetup): PoolOptions {
  const { store: _store, log: _log, workerModule: _module, execArgv: _execArgv, retryBackoffMs, respawnBackoffMs, dbRetryBackoffMs, ...rest } = setup;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<PoolOptions>;
  const o: PoolOptions = {
    ...POOL_DEFAULTS,
    ...defined,
    retryBackoffMs: { ...POOL_DEFAULTS.retryBackoffMs, ...retryBackoffMs },
    respawnBackoffMs: { ...POOL_DEFAULTS.respawnBackoffMs, ...respawnBackoffMs },
    dbRetryBackoffMs: { ...POOL_DEFAULTS.dbRetryBackoffMs, ...dbRetryBackoffMs },
  };
  for (const k of ['workers', 'maxAttempts', 'engineThreads'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1) throw new RangeError(`WorkerPool: ${k} must be a positive integer`);
  }
  if (!Number.isSafeInteger(o.dbRetries) || o.dbRetries < 0) throw new RangeError('WorkerPool: dbRetries must be a whole number');
  if (o.maxDigits > ENGINE_MAX_DIGITS) throw new RangeError(`WorkerPool: maxDigits is above the engine's ${ENGINE_MAX_DIGITS}`);
  return o;
}

/** Threads for a job: engineThreads for a large one when no other job runs, else 1. */
export function threadsFor(n: number, otherJobsRunning: number, o: Pick<PoolOptions, 'engineThreads' | 'largeJobDigits'>): number {
  return n >= o.largeJobDigits && otherJobsRunning === 0 ? o.engineThreads : 1;
}
