// The settings a forked worker needs (database path, limits), passed from master to child
// through one environment variable as JSON, with encoding and validating decoding.

export const WORKER_CONFIG_ENV = 'RAWPI_WORKER_CONFIG';

export interface WorkerConfig {
  /** The SQLite file; every worker opens its own connection to it. */
  databasePath: string;
  busyTimeoutMs: number;
  /** How long a statement keeps retrying a locked database (see db/sqlite-driver.ts). */
  lockTimeoutMs: number;
  /** Retries of a database write that failed for a transient reason, and the waits between them (run-job.ts). */
  dbRetries: number;
  dbRetryBackoffMs: { initial: number; max: number };
  /** Minimum time between two progress writes for one job. */
  progressIntervalMs: number;
  /** Jobs asking for more decimals fail with an error instead of being computed. */
  maxDigits: number;
  /** A number for log lines ("worker 3"). */
  workerId: number;
}

export function encodeWorkerConfig(config: WorkerConfig): Record<string, string> {
  return { [WORKER_CONFIG_ENV]: JSON.stringify(config) };
}

/** Reads the configuration from the environment; throws a readable error if it is missing or wrong. */
export function decodeWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const raw = env[WORKER_CONFIG_ENV];
  if (!raw) throw new Error(`${WORKER_CONFIG_ENV} is not set: workers are started by the pool`);
  const v: unknown = JSON.parse(raw);
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const num = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`${WORKER_CONFIG_ENV}: bad ${k}`);
    return x;
  };
  if (typeof o.databasePath !== 'string' || o.databasePath === '') {
    throw new Error(`${WORKER_CONFIG_ENV}: bad databasePath`);
  }
  const backoff = (typeof o.dbRetryBackoffMs === 'object' && o.dbRetryBackoffMs !== null ? o.dbRetryBackoffMs : {}) as Record<string, unknown>;
  const backoffPart = (k: 'initial' | 'max'): number => {
    const x = backoff[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`${WORKER_CONFIG_ENV}: bad dbRetryBackoffMs.${k}`);
    return x;
  };
  return {
    databasePath: o.databasePath,
    busyTimeoutMs: num('busyTimeoutMs'),
    lockTimeoutMs: num('lockTimeoutMs'),
    dbRetries: num('dbRetries'),
    dbRetryBackoffMs: { initial: backoffPart('initial'), max: backoffPart('max') },
    progressIntervalMs: num('progressIntervalMs'),
    maxDigits: num('maxDigits'),
    workerId: num('workerId'),
  };
}
