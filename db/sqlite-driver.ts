// Kysely's driver for rawpi's one better-sqlite3 connection: transactions are BEGIN IMMEDIATE; a statement that
// finds the file locked by another process is retried after an awaited backoff, with the connection free for
// other queries meanwhile, until the lock timeout; and no statement runs on a file that was removed or replaced.
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { DatabaseUnavailableError } from './errors.js';
import type { FileGuard } from './file-guard.js';
import { retry, sleep, type Backoff } from './retry.js';

export interface LockWaitOptions {
  /** How long a statement keeps trying while another process holds the lock (ms); then DatabaseUnavailableError. */
  lockTimeoutMs: number;
  /** The awaited waits between tries. */
  backoff: Backoff;
}

/** SQLite's "another connection holds the lock" (after busy_timeout ran out), with its extended codes. */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** Errors after which the guard looks at the file: a removed file shows up as these, if at all. */
function suggestsFileTrouble(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CANTOPEN|IOERR|NOTADB|CORRUPT|READONLY_DBMOVED)/.test(code);
}

/** Compiled statements kept by the driver (see RawpiSqliteDriver.prepared). */
export const STATEMENT_CACHE_MAX = 256;

/** One holder at a time; lock() resolves when it is this caller's turn. */
class Mutex {
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => { this.release = resolve; });
  }

  unlock(): void {
    const release = this.release;
    this.held = undefined;
    this.release = undefined;
    release?.();
  }
}

/**
 * Transactions open with BEGIN IMMEDIATE, not Kysely's plain (deferred) BEGIN: a deferred transaction that reads
 * and then writes can fail with SQLITE_BUSY when another process wrote meanwhile, and then retrying is not safe;
 * IMMEDIATE takes the write lock up front, so the wait happens at BEGIN, where nothing was done yet.
 *
 * Kysely calls acquireConnection → statements → releaseConnection, and a transaction holds the connection
 * from BEGIN to COMMIT. A statement outside a transaction (BEGIN included) that gets SQLITE_BUSY changed
 * nothing, so it is tried again; while it waits, the mutex is released, so reads and other writers go on.
 * Inside a transaction nothing is retried (BEGIN IMMEDIATE already holds the write lock).
 */
export class RawpiSqliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: DatabaseConnection;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly path: string,
    private readonly lockWait: LockWaitOptions,
    private readonly guard: FileGuard | null,
  ) {
    this.connection = {
      executeQuery: <R>(q: CompiledQuery) => this.execute(q) as Promise<QueryResult<R>>,
      streamQuery: <R>(q: CompiledQuery) => this.stream(q) as AsyncIterableIterator<QueryResult<R>>,
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  /**
   * On some errors (SQLITE_FULL, SQLITE_IOERR, ...) SQLite has already rolled the transaction back; a second
   * ROLLBACK would throw "no transaction is active" and hide the real error, so it is skipped.
   */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.db.inTransaction) return;
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.statements.clear();
    this.db.close();
  }

  private async execute(q: CompiledQuery): Promise<QueryResult<unknown>> {
    const outside = !this.db.inTransaction;
    try {
      return await retry(async () => this.run(q, outside), {
        retryable: (err) => outside && isBusy(err),
        backoff: this.lockWait.backoff,
        deadlineMs: this.lockWait.lockTimeoutMs,
        sleep: (ms) => this.waitUnlocked(ms),
      });
    } catch (err) {
      throw this.explain(err, outside);
    }
  }

  /** One try. Before a write outside a transaction (BEGIN included), the guard looks at the file (one stat). */
  private run(q: CompiledQuery, outside: boolean): QueryResult<unknown> {
    const { sql, parameters } = q;
    if (this.guard && !/^\s*rollback\b/i.test(sql)) {
      this.guard.assertAvailable();
    }
    const stmt = this.prepared(sql);
    if (this.guard && outside && !stmt.reader) {
      this.guard.check();
      this.guard.assertAvailable();
    }
    if (stmt.reader) return { rows: stmt.all(parameters) };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return {
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    };
  }

  /**
   * Kysely writes the same SQL text for the same query shape, so compiled statements are kept: preparing one costs
   * more than running it on the small queries a page makes (a tenth of the digits route's time). Bounded: past
   * STATEMENT_CACHE_MAX distinct texts (IN lists of every length, say) the cache starts over.
   */
  private prepared(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_MAX) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  private async *stream(q: CompiledQuery): AsyncIterableIterator<QueryResult<unknown>> {
    this.guard?.assertAvailable();
    const stmt = this.db.prepare(q.sql);
    if (!stmt.reader) throw new Error('only queries that return rows can be streamed');
    for (const row of stmt.iterate(q.parameters)) yield { rows: [row] };
  }

  /** The caller holds the mutex: let others use the connection during the wait, then take it back. */
  private async waitUnlocked(ms: number): Promise<void> {
    this.mutex.unlock();
    try {
      await sleep(ms);
    } finally {
      await this.mutex.lock();
    }
  }

  /** A clearer error: the lock that did not go away in time, or the file that is gone. */
  private explain(err: unknown, retried: boolean): unknown {
    if (err instanceof DatabaseUnavailableError) return err;
    if (isBusy(err)) {
      const waited = retried ? ` (still after ${this.lockWait.lockTimeoutMs} ms)` : '';
      return new DatabaseUnavailableError(
        `database ${this.path} is locked by another process${waited}; nothing was changed`, 'SQLITE_BUSY', { cause: err },
      );
    }
    if (this.guard && suggestsFileTrouble(err) && !this.guard.check().available) {
      try {
        this.guard.assertAvailable();
      } catch (lost) {
        (lost as Error).cause = err;
        return lost;
      }
    }
    return err;
  }
}
