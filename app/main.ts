// The composition root: configuration, database and migrations, worker pool, application and server, wired once.
// `make serve` runs this; `--help` prints every option with its default.

import { HttpServer, handleSignals } from '../server/server.js';
import { DatabaseError, migrateToLatest, openStore, resolveDatabasePath } from '../db/index.js';
import { WorkerPool } from '../workers/pool.js';
import { ENGINE_MAX_DIGITS } from '../workers/pi/index.js';
import { ConfigError, helpText, parseConfig, type Config } from './config.js';
import { buildApplication } from './application.js';

export function serverOptions(config: Config) {
  return {
    host: config.host,
    port: config.port,
    accessLog: config.accessLog,
    trace: config.trace,
    limits: {
      maxRequestLineBytes: config.maxRequestLine,
      maxHeaderBytes: config.maxHeaderBytes,
      maxHeaderCount: config.maxHeaderCount,
      maxBodyBytes: config.maxBody,
    },
    timeouts: {
      headersTimeoutMs: config.headersTimeout,
      keepAliveTimeoutMs: config.keepAliveTimeout,
      bodyTimeoutMs: config.bodyTimeout,
      shutdownTimeoutMs: config.shutdownTimeout,
    },
    connectionLimits: { maxConnections: config.maxConnections },
    websocket: { maxMessageBytes: config.wsMaxMessage, pingIntervalMs: config.wsPingInterval },
  };
}

function fail(message: string): never {
  process.stderr.write(`rawpi: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config | 'help';
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rawpi: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config === 'help') {
    process.stdout.write(helpText());
    return;
  }
  if (config.maxDigits > ENGINE_MAX_DIGITS) fail(`--max-digits ${config.maxDigits} is more than the engine can compute (${ENGINE_MAX_DIGITS})`);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  // Each worker process opens the database by its file: an in-memory database would be a different, empty one in each.
  if (config.workers > 0 && resolveDatabasePath({ path: config.databaseUrl }) === ':memory:') {
    fail('--database-url :memory: cannot work with workers: each worker process opens the database by its file, and an in-memory database exists in one process only; give a file path (or --workers 0)');
  }
  // The master migrates before any worker forks; workers only check the schema.
  let store;
  try {
    store = openStore({
      path: config.databaseUrl,
      busyTimeoutMs: config.dbBusyTimeout,
      lockTimeoutMs: config.dbLockTimeout,
      checkIntervalMs: config.dbCheckInterval,
      log,
    });
    const applied = await migrateToLatest(store.handle);
    if (applied.length > 0) log(`database ${store.handle.path}: applied ${applied.join(', ')}`);
  } catch (err) {
    if (err instanceof DatabaseError) fail(err.message);
    throw err;
  }
  const openedStore = store;

  const pool = config.workers > 0
    ? new WorkerPool({
      workers: config.workers, maxAttempts: config.maxAttempts, maxDigits: config.maxDigits, databasePath: openedStore.handle.path,
      store: openedStore, shutdownTimeoutMs: Math.min(config.shutdownTimeout, 5000), log,
      busyTimeoutMs: config.dbBusyTimeout, lockTimeoutMs: config.dbLockTimeout, dbRetries: config.jobDbRetries,
    })
    : null;
  const { app } = buildApplication({
    repos: openedStore.repos, database: openedStore.handle, pool, maxDigits: config.maxDigits, log,
    gauges: { connections: () => server.connectionCount, websockets: () => server.webSocketCount },
  });
  const server = new HttpServer(app, { ...serverOptions(config), log });
  let url: string;
  try {
    ({ url } = await server.start());
  } catch (err) {
    await pool?.stop();
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? `: another program listens on ${config.host}:${config.port}; choose another port with --port or PORT`
      : code === 'EACCES' ? `: ports below 1024 need privileges; choose another port with --port or PORT`
        : code === 'EADDRNOTAVAIL' ? `: ${config.host} is not an address of this machine; choose one with --host or HOST` : '';
    fail(`${(err as Error).message}${hint}`);
  }
  log(`rawpi listening on ${url} (database ${openedStore.handle.path}, ${config.workers} worker(s); Ctrl+C to stop)`);
  handleSignals(server, log, () => openedStore.close());
}

void main();
