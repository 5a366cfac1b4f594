// Starts the full application, wired as app/main.ts wires it, on rawpi or on node:http for a benchmark run.
// argv: rawpi|node PORT DATABASE [--keep-alive-timeout MS]. No worker processes (--workers 0: submitted jobs stay
// registered), no access log; the database is migrated here (bench/seed.ts fills it beforehand).

import { migrateToLatest, openStore } from '../db/index.js';
import { OPTIONS } from '../app/config.js';
import { buildApplication } from '../app/application.js';
import { parseServeArgs, serve } from './serve-common.js';

const args = parseServeArgs(process.argv.slice(2), 'node dist/bench/serve-app.js rawpi|node PORT DATABASE [--keep-alive-timeout MS]');
if (args.kind === 'bare') {
  process.stderr.write('serve-app: the bare responder stands in for the hello app only (serve-hello.js bare)\n');
  process.exit(2);
}
const databasePath = args.positional[0];
if (databasePath === undefined) {
  process.stderr.write('serve-app: the database path is missing\n');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const store = openStore({ path: databasePath });
await migrateToLatest(store.handle);
// No workers: submitted jobs stay registered. The connection gauges stay 0 (only /metrics shows them, unmeasured).
const { app } = buildApplication({ repos: store.repos, pool: null, maxDigits: OPTIONS.maxDigits.default, log });
await serve(app, args, { lifespan: 'auto', onStop: () => store.close() });
