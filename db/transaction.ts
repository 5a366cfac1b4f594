// Runs a function in a write transaction: the given one when already inside a transaction, else a new one.
// New transactions are BEGIN IMMEDIATE (see db/sqlite-driver.ts), so they never fail with SQLITE_BUSY on upgrade,
// and a BEGIN that finds another process's lock is retried there, without blocking, up to the lock timeout.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

export function inTransaction<T>(db: Db, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
