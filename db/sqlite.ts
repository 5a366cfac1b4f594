// Everything SQLite-specific: opening better-sqlite3 with rawpi's pragmas, a dialect whose transactions are
// BEGIN IMMEDIATE, the catalogue query, and translation of SQLite error codes into DatabaseError.
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type DialectAdapter,
  type Kysely,
  type SqliteDialectConfig,
} from 'kysely';
import { DatabaseError } from './errors.js';

/**
 * Kysely's SqliteDriver opens transactions with a plain (deferred) BEGIN: a transaction that reads and then
 * writes can then fail with SQLITE_BUSY without waiting when another process wrote meanwhile. BEGIN IMMEDIATE
 * takes the write lock up front, waiting up to busy_timeout, so every db.transaction() is safe under contention.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #database: SqliteDialectConfig['database'];
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#database = config.database;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * On some errors (SQLITE_FULL, SQLITE_IOERR, ...) SQLite has already rolled the transaction back; a second
   * ROLLBACK would throw "no transaction is active" and hide the real error, so it is skipped.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const db = this.#database;
    if (typeof db !== 'function' && (db as { inTransaction?: boolean }).inTransaction === false) return;
    await super.rollbackTransaction(connection);
  }
}

/** SQLite has transactional DDL: this lets Kysely's Migrator run each migration batch in one IMMEDIATE transaction. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const TABLES_SQL = `select name from sqlite_master
  where type in ('table', 'view') and substr(name, 1, 7) <> 'sqlite_' order by name`;

export interface SqliteOpenOptions {
  path: string;
  busyTimeoutMs: number;
  /** Sees the file's table names before anything is written to it (e.g. WAL mode); throw to refuse the file. */
  verify?: (tables: string[]) => void;
}

/** Opens the file (creating it when missing) and applies WAL, synchronous=NORMAL, busy_timeout, foreign_keys=ON. */
export function openSqlite({ path, busyTimeoutMs, verify }: SqliteOpenOptions): BetterSqlite3.Database {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
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

export function createSqliteDialect(db: BetterSqlite3.Database): SqliteDialect {
  return new ImmediateSqliteDialect({ database: db });
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
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_FULL' || code === 'SQLITE_READONLY'
    || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_BUSY_')
    || code.startsWith('SQLITE_READONLY_') || code.startsWith('SQLITE_CANTOPEN_');
}
