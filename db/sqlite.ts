// Everything SQLite-specific: opening better-sqlite3 with rawpi's pragmas, the dialect (its driver is in
// sqlite-driver.ts), the catalogue query, and translation of SQLite error codes into DatabaseError.
import BetterSqlite3 from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, sql, type Driver, type DialectAdapter, type Kysely } from 'kysely';
import { DatabaseError, DatabaseUnavailableError } from './errors.js';
import type { FileGuard } from './file-guard.js';
import { RawpiSqliteDriver, type LockWaitOptions } from './sqlite-driver.js';

/** SQLite has transactional DDL: this lets Kysely's Migrator run each migration batch in one IMMEDIATE transaction. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export interface DialectOptions extends LockWaitOptions {
  path: string;
  /** Watches the file at the path; null for ':memory:'. */
  guard: FileGuard | null;
}

/** Kysely's SQLite dialect (query compiler, introspection) with rawpi's driver. */
export class RawpiSqliteDialect extends SqliteDialect {
  constructor(private readonly db: BetterSqlite3.Database, private readonly opts: DialectOptions) {
    super({ database: db });
  }
  override createDriver(): Driver {
    const { path, guard, lockTimeoutMs, backoff } = this.opts;
    return new RawpiSqliteDriver(this.db, path, { lockTimeoutMs, backoff }, guard);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const TABLES_SQL = `select name from sqlite_master
  where type in ('table', 'view') and substr(name, 1, 7) <> 'sqlite_' order by name`;

export interface SqliteOpenOptions {
  path: string;
  /** How long SQLite itself waits, blocking the thread, for another process's lock (then SQLITE_BUSY). */
  busyTimeoutMs: number;
  /** Refuse to create the file: fail when nothing is at the path. */
  mustExist?: boolean;
  /** Sees the file's table names before anything is written to it (e.g. WAL mode); throw to refuse the file. */
  verify?: (tables: string[]) => void;
}

/** Opens the file (creating it when missing, unless mustExist) and applies WAL, synchronous=NORMAL, busy_timeout, foreign_keys=ON. */
export function openSqlite({ path, busyTimeoutMs, mustExist, verify }: SqliteOpenOptions): BetterSqlite3.Database {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { timeout: busyTimeoutMs, fileMustExist: mustExist === true });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // The first read checks the header: a file that is not SQLite fails here, before it is changed.
    const tables = (db.prepare(TABLES_SQL).all() as Array<{ name: string }>).map((r) => r.name);
    verify?.(tables);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db?.close();
    throw translateSqliteError(err, path);
  }
}

export function createSqliteDialect(db: BetterSqlite3.Database, opts: DialectOptions): SqliteDialect {
  return new RawpiSqliteDialect(db, opts);
}

/** Names of the user tables and views (SQLite's own sqlite_* objects excluded). */
export async function listTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql.raw<{ name: string }>(TABLES_SQL).execute(db);
  return rows.map((r) => r.name);
}

/** Turns SQLite's "not a database" and friends into a DatabaseError naming the file; other errors pass through. */
export function translateSqliteError(err: unknown, path: string): unknown {
  if (err instanceof DatabaseError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'SQLITE_NOTADB':
      return new DatabaseError(`${path} is not a rawpi database: it is not an SQLite database file`, { cause: err });
    case 'SQLITE_CORRUPT':
      return new DatabaseError(`${path} is corrupt: ${message}`, { cause: err });
    case 'SQLITE_CANTOPEN':
      return new DatabaseError(`cannot open database ${path}: ${message}`, { cause: err });
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return new DatabaseError(`cannot write database ${path}: ${message}`, { cause: err });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new DatabaseError(`database ${path} is locked by another process: ${message}`, { cause: err });
    default:
      if (typeof code === 'string' && code.startsWith('SQLITE_')) {
        return new DatabaseError(`database ${path}: ${message}`, { cause: err });
      }
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR') {
        return new DatabaseError(`cannot open database ${path}: ${message}`, { cause: err });
      }
      return err;
  }
}

/**
 * Whether an error means "the database cannot serve right now" (locked past busy_timeout, disk full, file gone
 * or read-only, I/O error) rather than a bug: callers answer 503 and carry on; the next request may succeed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_FULL' || code === 'SQLITE_READONLY'
    || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY_')
    || code.startsWith('SQLITE_READONLY_') || code.startsWith('SQLITE_CANTOPEN_');
}
