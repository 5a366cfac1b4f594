// Opens rawpi's typed Kysely database (one handle per process; never share it across fork) without migrating.
// The file defaults to $DATABASE_URL or data/rawpi.sqlite; the file and its directory are created on first open
// (unless `create: false`), and a guard watches that the file stays the one opened.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely } from 'kysely';
import { DatabaseError } from './errors.js';
import { AVAILABLE, FileGuard, type DatabaseStatus } from './file-guard.js';
import type { Backoff } from './retry.js';
import { createSqliteDialect, openSqlite } from './sqlite.js';
import type { Database } from './schema.js';

export { DatabaseError };
export type { DatabaseStatus };
import { checkNotForeign } from './migrate.js';
export { migrateToLatest, migrateDown, assertSchemaCurrent, migrationStatus } from './migrate.js';

export const DEFAULT_DATABASE_PATH = 'data/rawpi.sqlite';
/** SQLite's own wait for a lock, which blocks the thread: kept short, the lock wait below does the rest. */
export const DEFAULT_BUSY_TIMEOUT_MS = 25;
/** How long a statement keeps retrying (awaited, not blocking) while another process holds the lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5000;
/** The awaited waits between those tries. */
export const DEFAULT_LOCK_BACKOFF_MS: Readonly<Backoff> = Object.freeze({ initial: 10, max: 250 });
/** How often the file at the path is compared with the file opened (0: only before writes and after errors). */
export const DEFAULT_CHECK_INTERVAL_MS = 2000;

export interface DatabaseOptions {
  /** A file path, or a 'sqlite:' / 'file:' URL. Default: $DATABASE_URL, else data/rawpi.sqlite. */
  path?: string;
  /** How long SQLite waits, blocking the thread, for another process's write lock before the lock wait takes over. */
  busyTimeoutMs?: number;
  /** How long a statement keeps retrying a locked database (awaited backoff) before DatabaseUnavailableError. */
  lockTimeoutMs?: number;
  lockBackoffMs?: Partial<Backoff>;
  /** Create the file (and its directory) when missing. Default true; workers pass false (only the server creates it). */
  create?: boolean;
  /** Compare the file at the path with the one opened this often (ms); 0: only before writes and after errors. */
  checkIntervalMs?: number;
  /** Where the guard says that the file was removed or replaced, or is back. Default: nowhere. */
  log?: (line: string) => void;
}

export interface DatabaseHandle {
  kysely: Kysely<Database>;
  /** The file path actually opened. */
  path: string;
  /** The last known state of the file (no system call): unavailable once removed or replaced. */
  status(): DatabaseStatus;
  /** Looks at the file now (one stat) and returns the new status. */
  check(): DatabaseStatus;
  close(): Promise<void>;
}

/** 'sqlite:data/x.db', 'sqlite:///abs/x.db', 'file:x.db', 'file:///abs/x.db' or a bare path → a file path. */
export function databasePathFrom(urlOrPath: string): string {
  const value = urlOrPath.trim();
  if (value === '') throw new DatabaseError('empty database path');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value);
  if (!scheme || /^[a-z]:[\\/]/i.test(value)) return value; // bare path (or a Windows drive letter)
  const name = scheme[1]!.toLowerCase();
  if (name !== 'sqlite' && name !== 'file' && name !== 'sqlite3') {
    throw new DatabaseError(`unsupported database URL '${value}': rawpi supports sqlite: and file: URLs only`);
  }
  let rest = value.slice(scheme[0].length);
  if (rest.startsWith('//')) {
    // sqlite:///abs/path, sqlite://localhost/abs/path, or sqlite://relative/path
    rest = rest.slice(2);
    if (rest.startsWith('localhost/')) rest = rest.slice('localhost'.length);
  }
  rest = rest.split('?')[0]!;
  if (rest === '') throw new DatabaseError(`database URL '${value}' has no path`);
  return decodeURIComponent(rest);
}

/** The path the options select: option, then $DATABASE_URL, then data/rawpi.sqlite. */
export function resolveDatabasePath(opts: DatabaseOptions = {}, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = opts.path ?? (env.DATABASE_URL ? env.DATABASE_URL : DEFAULT_DATABASE_PATH);
  return databasePathFrom(chosen);
}

/** Opens (creating when missing, unless told not to) without migrating; throws DatabaseError for a file that is not rawpi's. */
export function openDatabase(opts: DatabaseOptions = {}): DatabaseHandle {
  const path = resolveDatabasePath(opts);
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const inMemory = path === ':memory:';
  const create = opts.create ?? true;
  if (!inMemory && create) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DatabaseError(`cannot create the directory of database ${path}: ${reason}`, { cause: err });
    }
  }
  if (!inMemory && !create && !existsSync(path)) {
    throw new DatabaseError(`database file ${path} does not exist (it was removed?); only the server creates it`);
  }
  const sqlite = openSqlite({ path, busyTimeoutMs, mustExist: !create, verify: (tables) => checkNotForeign(path, tables) });
  let guard: FileGuard | null = null;
  try {
    guard = inMemory ? null : FileGuard.forPath(path, opts.log);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const kysely = new Kysely<Database>({
    dialect: createSqliteDialect(sqlite, {
      path,
      guard,
      lockTimeoutMs: opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      backoff: { ...DEFAULT_LOCK_BACKOFF_MS, ...opts.lockBackoffMs },
    }),
  });
  const interval = opts.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const timer = guard && interval > 0 ? setInterval(() => guard.check(), interval).unref() : undefined;
  let closed: Promise<void> | undefined;
  return {
    kysely,
    path,
    status: () => guard?.status() ?? AVAILABLE,
    check: () => guard?.check() ?? AVAILABLE,
    close() {
      clearInterval(timer);
      closed ??= kysely.destroy();
      return closed;
    },
  };
}
