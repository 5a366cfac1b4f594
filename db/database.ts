// Opens rawpi's typed Kysely database (one handle per process; never share it across fork) without migrating.
// The file defaults to $DATABASE_URL or data/rawpi.sqlite; the file and its directory are created on first open.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely } from 'kysely';
import { DatabaseError } from './errors.js';
import { createSqliteDialect, openSqlite } from './sqlite.js';
import type { Database } from './schema.js';

export { DatabaseError };
import { checkNotForeign } from './migrate.js';
export { migrateToLatest, migrateDown, assertSchemaCurrent, migrationStatus } from './migrate.js';

export const DEFAULT_DATABASE_PATH = 'data/rawpi.sqlite';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface DatabaseOptions {
  /** A file path, or a 'sqlite:' / 'file:' URL. Default: $DATABASE_URL, else data/rawpi.sqlite. */
  path?: string;
  /** How long a writer waits for another process's write lock. Default 5000. */
  busyTimeoutMs?: number;
}

export interface DatabaseHandle {
  kysely: Kysely<Database>;
  /** The file path actually opened. */
  path: string;
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

/** Opens (creating when missing) without migrating; throws DatabaseError for a file that is not rawpi's. */
export function openDatabase(opts: DatabaseOptions = {}): DatabaseHandle {
  const path = resolveDatabasePath(opts);
  const busyTimeoutMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new DatabaseError(`cannot create the directory of database ${path}: ${reason}`, { cause: err });
    }
  }
  const sqlite = openSqlite({ path, busyTimeoutMs, verify: (tables) => checkNotForeign(path, tables) });
  const kysely = new Kysely<Database>({ dialect: createSqliteDialect(sqlite) });
  let closed: Promise<void> | undefined;
  return {
    kysely,
    path,
    close() {
      closed ??= kysely.destroy();
      return closed;
    },
  };
}
