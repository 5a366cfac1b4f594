// Applies and checks rawpi's schema with Kysely's Migrator over the static migration list.
// Refuses, with a DatabaseError, files that hold foreign tables or migrations newer than this code knows.
import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import { DatabaseError } from './errors.js';
import { migrationNames, staticMigrationProvider } from './migrations/index.js';
import { listTables, translateSqliteError } from './sqlite.js';
import type { DatabaseHandle } from './database.js';

export const MIGRATION_TABLE = 'rawpi_migration';
export const MIGRATION_LOCK_TABLE = 'rawpi_migration_lock';

export interface MigrationStatus {
  /** Applied migrations known to this code, in order. */
  applied: string[];
  /** Known migrations not applied yet. */
  pending: string[];
}

function migrator(h: DatabaseHandle): Migrator {
  return new Migrator({
    db: h.kysely,
    provider: staticMigrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/** Throws DatabaseError when a file's tables are not rawpi's (tables but no rawpi migrations). */
export function checkNotForeign(path: string, tables: string[]): void {
  if (tables.includes(MIGRATION_TABLE)) return;
  const foreign = tables.filter((t) => t !== MIGRATION_LOCK_TABLE);
  if (foreign.length > 0) {
    throw new DatabaseError(
      `${path} is not a rawpi database: it holds other tables (${foreign.slice(0, 5).join(', ')}` +
        `${foreign.length > 5 ? ', ...' : ''}) and no rawpi migrations`,
    );
  }
}

/** Reads what is applied; throws DatabaseError when the file is not rawpi's or is newer than this code. */
export async function migrationStatus(h: DatabaseHandle): Promise<MigrationStatus> {
  try {
    const tables = await listTables(h.kysely);
    checkNotForeign(h.path, tables);
    if (!tables.includes(MIGRATION_TABLE)) return { applied: [], pending: [...migrationNames] };
    const rows = await (h.kysely as Kysely<any>).selectFrom(MIGRATION_TABLE).select('name').execute();
    const applied = new Set(rows.map((r: { name: string }) => r.name));
    const unknown = [...applied].filter((name) => !migrationNames.includes(name)).sort();
    if (unknown.length > 0) {
      throw new DatabaseError(
        `${h.path} has a newer schema than this version of rawpi knows (unknown migrations: ${unknown.join(', ')}); ` +
          `upgrade rawpi or use another database`,
      );
    }
    return {
      applied: migrationNames.filter((name) => applied.has(name)),
      pending: migrationNames.filter((name) => !applied.has(name)),
    };
  } catch (err) {
    throw translateSqliteError(err, h.path);
  }
}

function failure(h: DatabaseHandle, action: string, error: unknown, results?: MigrationResult[]): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const translated = translateSqliteError(error, h.path);
  if (translated instanceof DatabaseError) return translated;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseError(`${action} ${h.path} failed${failed ? ` in migration ${failed}` : ''}: ${message}`, {
    cause: error,
  });
}

/** Applies every pending migration (all in one IMMEDIATE transaction). Returns the names applied. */
export async function migrateToLatest(h: DatabaseHandle): Promise<string[]> {
  await migrationStatus(h);
  const { error, results } = await migrator(h).migrateToLatest();
  if (error !== undefined) throw failure(h, 'migrating', error, results);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Rolls back the last applied migration. Returns its name, or null when nothing was applied. */
export async function migrateDown(h: DatabaseHandle): Promise<string | null> {
  const status = await migrationStatus(h);
  if (status.applied.length === 0) return null;
  const { error, results } = await migrator(h).migrateDown();
  if (error !== undefined) throw failure(h, 'rolling back', error, results);
  return results?.find((r) => r.status === 'Success')?.migrationName ?? null;
}

/** For workers, which never migrate: throws DatabaseError unless every known migration is applied. */
export async function assertSchemaCurrent(h: DatabaseHandle): Promise<void> {
  const { pending } = await migrationStatus(h);
  if (pending.length > 0) {
    throw new DatabaseError(
      `${h.path} is not migrated (pending: ${pending.join(', ')}); run \`make migrate\` or start the server first`,
    );
  }
}
