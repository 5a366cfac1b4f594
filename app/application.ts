// Builds the application from its parts (repositories, an optional worker pool, gauges): the one piece of
// wiring that `make serve` (app/main.ts), the benchmarks and the tests share.

import type { App } from '../server/interface.js';
import type { Repositories } from '../db/index.js';
import type { DatabaseHealth } from './health.js';
import type { WorkerPool } from '../workers/pool.js';
import { createApp } from './app.js';
import { JobService } from './jobs.js';
import { LiveFeed } from './live.js';
import { Metrics, type RuntimeGauges } from './metrics.js';
import { StaticFiles } from './static-files.js';
import { STATIC_DIR } from './static-dir.js';

export interface ApplicationParts {
  repos: Repositories;
  /** The store's handle: /healthz and /metrics say whether the database file is still there. */
  database?: DatabaseHealth;
  /** The worker pool, started and stopped by the app's lifespan; null runs no workers (jobs wait). */
  pool: WorkerPool | null;
  maxDigits: number;
  /** The server's open connections and WebSockets, for /metrics (the app cannot see the server itself). */
  gauges?: Partial<Pick<RuntimeGauges, 'connections' | 'websockets'>>;
  staticDir?: string;
  log?: (line: string) => void;
}

export interface Application {
  app: App;
  jobs: JobService;
  feed: LiveFeed;
  metrics: Metrics;
}

export function buildApplication(parts: ApplicationParts): Application {
  const { pool } = parts;
  const feed = new LiveFeed();
  const metrics = new Metrics({
    connections: () => parts.gauges?.connections?.() ?? 0,
    websockets: () => parts.gauges?.websockets?.() ?? 0,
    workers: () => (pool === null ? { busy: 0, idle: 0, degraded: false } : pool.stats()),
    ...(parts.database ? { database: () => parts.database!.status() } : {}),
  });
  pool?.on('job', (job) => {
    feed.publish(job);
    metrics.jobChanged(job);
  });
  const jobs = new JobService(parts.repos, pool, feed, parts.maxDigits);
  const app = createApp({
    jobs, feed, metrics, files: new StaticFiles(parts.staticDir ?? STATIC_DIR),
    ...(parts.log ? { log: parts.log } : {}),
    ...(parts.database ? { database: parts.database } : {}),
    onStartup: async () => { await pool?.start(); },
    onShutdown: async () => { await pool?.stop(); },
  });
  return { app, jobs, feed, metrics };
}
