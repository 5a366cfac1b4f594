// Configuration, uvicorn-style: every option is a flag and an environment variable, with a default
// that `--help` prints. Flags win over the environment; bad values stop the start with a clear message.

import os from 'node:os';

type Kind = 'int' | 'string' | 'bool';

interface OptionSpec {
  flag: string;
  env: string;
  kind: Kind;
  default: number | string | boolean;
  help: string;
  min?: number;
  max?: number;
}

/** The table of options: one line each. Sizes are bytes, times milliseconds. */
export const OPTIONS = {
  host: { flag: '--host', env: 'HOST', kind: 'string', default: '127.0.0.1', help: 'interface to listen on' },
  port: { flag: '--port', env: 'PORT', kind: 'int', default: 8000, min: 0, max: 65535, help: 'TCP port (0 picks a free one)' },
  databaseUrl: { flag: '--database-url', env: 'DATABASE_URL', kind: 'string', default: 'data/rawpi.sqlite', help: 'SQLite database file (created on first run)' },
  dbBusyTimeout: { flag: '--db-busy-timeout', env: 'DB_BUSY_TIMEOUT', kind: 'int', default: 25, min: 0, max: 60_000, help: "ms SQLite waits, blocking, for another process's lock before rawpi retries without blocking" },
  dbLockTimeout: { flag: '--db-lock-timeout', env: 'DB_LOCK_TIMEOUT', kind: 'int', default: 5_000, min: 0, max: 3_600_000, help: 'ms a database write keeps retrying a lock held by another process (503 after)' },
  dbCheckInterval: { flag: '--db-check-interval', env: 'DB_CHECK_INTERVAL', kind: 'int', default: 2_000, min: 100, max: 3_600_000, help: 'ms between checks that the database file is still the one opened' },
  workers: { flag: '--workers', env: 'WORKERS', kind: 'int', default: os.availableParallelism(), min: 0, max: 64, help: 'pi worker processes (0: none, jobs wait)' },
  maxDigits: { flag: '--max-digits', env: 'MAX_DIGITS', kind: 'int', default: 10_000_000, min: 1, max: 100_000_000, help: 'largest n a job may ask for' },
  maxAttempts: { flag: '--max-attempts', env: 'MAX_ATTEMPTS', kind: 'int', default: 3, min: 1, max: 100, help: 'tries per job before it is marked error' },
  jobDbRetries: { flag: '--job-db-retries', env: 'JOB_DB_RETRIES', kind: 'int', default: 5, min: 0, max: 100, help: 'retries of a worker write the database refused for now (locked, full, gone); then the job is re-queued' },
  maxRequestLine: { flag: '--max-request-line', env: 'MAX_REQUEST_LINE', kind: 'int', default: 8 * 1024, min: 64, max: 1 << 20, help: 'longest request line, bytes (414 beyond)' },
  maxHeaderBytes: { flag: '--max-header-bytes', env: 'MAX_HEADER_BYTES', kind: 'int', default: 16 * 1024, min: 256, max: 1 << 22, help: 'largest request head, bytes (431 beyond)' },
  maxHeaderCount: { flag: '--max-header-count', env: 'MAX_HEADER_COUNT', kind: 'int', default: 100, min: 1, max: 10_000, help: 'most header fields (431 beyond)' },
  maxBody: { flag: '--max-body', env: 'MAX_BODY', kind: 'int', default: 1024 * 1024, min: 0, max: 1 << 30, help: 'largest request body, bytes (413 beyond)' },
  maxConnections: { flag: '--max-connections', env: 'MAX_CONNECTIONS', kind: 'int', default: 20_000, min: 1, max: 1_000_000, help: 'open connections before new ones get 503' },
  headersTimeout: { flag: '--headers-timeout', env: 'HEADERS_TIMEOUT', kind: 'int', default: 10_000, min: 10, max: 3_600_000, help: 'ms for a request head to arrive (408 after)' },
  keepAliveTimeout: { flag: '--keep-alive-timeout', env: 'KEEP_ALIVE_TIMEOUT', kind: 'int', default: 5_000, min: 10, max: 3_600_000, help: 'ms an idle persistent connection stays open' },
  bodyTimeout: { flag: '--body-timeout', env: 'BODY_TIMEOUT', kind: 'int', default: 30_000, min: 10, max: 3_600_000, help: 'ms a request body may stall (408 after)' },
  shutdownTimeout: { flag: '--shutdown-timeout', env: 'SHUTDOWN_TIMEOUT', kind: 'int', default: 10_000, min: 0, max: 3_600_000, help: 'ms in-flight requests get on SIGTERM' },
  wsMaxMessage: { flag: '--ws-max-message', env: 'WS_MAX_MESSAGE', kind: 'int', default: 1024 * 1024, min: 125, max: 1 << 28, help: 'largest WebSocket message, bytes (close 1009)' },
  wsPingInterval: { flag: '--ws-ping-interval', env: 'WS_PING_INTERVAL', kind: 'int', default: 20_000, min: 100, max: 3_600_000, help: 'ms between server pings to find dead peers' },
  accessLog: { flag: '--access-log', env: 'ACCESS_LOG', kind: 'bool', default: true, help: 'one log line per response (--no-access-log to turn off)' },
  trace: { flag: '--trace', env: 'TRACE', kind: 'bool', default: false, help: 'print the raw bytes in and out of every connection' },
} satisfies Record<string, OptionSpec>;

type Specs = typeof OPTIONS;
export type Config = { [K in keyof Specs]: Specs[K]['kind'] extends 'int' ? number : Specs[K]['kind'] extends 'bool' ? boolean : string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseValue(spec: OptionSpec, raw: string, source: string): number | string | boolean {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'bool') {
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(`${source} expects true or false, got "${raw}"`);
  }
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(`${source} expects a whole number, got "${raw}"`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw new ConfigError(`${source} must be from ${spec.min} to ${spec.max}, got ${raw}`);
  }
  return n;
}

/** Reads the environment, then the flags (`--port 8080`, `--port=8080`, `--trace`, `--no-access-log`). */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Config | 'help' {
  const specs = OPTIONS as Record<string, OptionSpec>;
  const config: Record<string, number | string | boolean> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const fromEnv = env[spec.env];
    config[key] = fromEnv !== undefined && fromEnv !== '' ? parseValue(spec, fromEnv, `${spec.env} (environment)`) : spec.default;
  }
  const byFlag = new Map(Object.entries(specs).map(([key, spec]) => [spec.flag, key] as const));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    let key = byFlag.get(flag);
    if (key === undefined && flag.startsWith('--no-')) {
      const positive = byFlag.get(`--${flag.slice(5)}`);
      if (positive !== undefined && specs[positive]!.kind === 'bool' && eq < 0) {
        config[positive] = false;
        continue;
      }
    }
    if (key === undefined) throw new ConfigError(`unknown option "${arg}"; --help lists them`);
    const spec = specs[key]!;
    if (spec.kind === 'bool' && eq < 0) {
      config[key] = true;
      continue;
    }
    const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new ConfigError(`${flag} needs a value`);
    config[key] = parseValue(spec, raw, flag);
  }
  return config as Config;
}

export function helpText(program = 'rawpi'): string {
  const rows = Object.values(OPTIONS as Record<string, OptionSpec>).map((s) => {
    const flag = s.kind === 'bool' ? s.flag : `${s.flag} ${s.kind === 'int' ? 'N' : 'VALUE'}`;
    return `  ${flag.padEnd(26)} ${s.env.padEnd(20)} ${s.help} [default: ${String(s.default)}]`;
  });
  return `Usage: ${program} [options]\n\nEvery option can also be set by its environment variable; a flag wins.\n\n  ${'flag'.padEnd(26)} ${'environment'.padEnd(20)} meaning\n${rows.join('\n')}\n  --help                     print this and exit\n`;
}
