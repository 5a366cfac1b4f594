// Starts the full application, wired as app/main.ts wires it, on rawpi or on node:http for a benchmark run.
// argv: rawpi|node PORT DATABASE [--keep-alive-timeout MS]. No worker processes (--workers 0: submitted jobs stay
// registered), no access log; the database is migrated here (bench/seed.ts fills it beforehand).

import { migrateToLatest, openStore } from '../db/index.js';
import { createApp } from '../app/app.js';
import { JobService } from '../app/jobs.js';
import { LiveFeed } from '../app/live.js';
import { Metrics } from '../app/metrics.js';
import { StaticFiles } from '../app/static-files.js';
import { STATIC_DIR } from '../app/static-dir.js';
import { OPTIONS } from '../app/config.js';
import { parseServeArgs, serve } from './serve-common.js';

const args = parseServeArgs(process.argv.slice(2), 'node dist/bench/serve-app.js rawpi|node PORT DATABASE [--keep-alive-timeout MS]');
const databasePath = args.positional[0];
if (databasePath === undefined) {
  process.stderr.write('serve-app: the database path is missing\n');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const store = openStore({ path: databasePath });
await migrateToLatest(store.handle);
const feed = new LiveFeed();
// The connection gauge is the server's business: rawpi's app/main.ts reads it from HttpServer; here both servers
// report 0 (only /metrics shows it, and /metrics is not measured).
const metrics = new Metrics({ connections: () => 0, websockets: () => 0, workers: () => ({ busy: 0, idle: 0 }) });
const jobs = new JobService(store.repos, null, feed, OPTIONS.maxDigits.default);
const app = createApp({ jobs, feed, metrics, files: new StaticFiles(STATIC_DIR), log });
await serve(app, args, { lifespan: 'auto', onStop: () => store.close() });
