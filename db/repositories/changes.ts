// Whether the database changed since a moment: a token that differs after any committed change, so a reader can
// keep what it built from the data (a rendered page) until the token moves.
import { sql } from 'kysely';
import type { Db } from '../transaction.js';

export class ChangesRepository {
  constructor(private readonly db: Db) {}

  /**
   * A token that changes when another connection (a worker process) commits a change, from SQLite's
   * `PRAGMA data_version`, or when this connection changes a row, from `total_changes()`; the pragma does not
   * count this connection's own commits, hence both. Read it before the data it vouches for: a change landing
   * between the two then only makes the next reader build again, never keeps stale data.
   * See https://sqlite.org/pragma.html#pragma_data_version.
   */
  async token(): Promise<string> {
    const { rows } = await sql<{ version: number; changes: number }>`select (select data_version from pragma_data_version) as version, total_changes() as changes`.execute(this.db);
    const row = rows[0]!;
    return `${row.version}.${row.changes}`;
  }
}
