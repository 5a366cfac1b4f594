// The data layer's public entry: re-exports everything, and openStore() for a handle with repositories.
// openStore does not migrate: the master calls migrateToLatest, workers assertSchemaCurrent.
import { openDatabase, type DatabaseHandle, type DatabaseOptions } from './database.js';
import { repositories, type Repositories } from './repositories/index.js';
import { UnitOfWork } from './unit-of-work.js';

export * from './schema.js';
export * from './errors.js';
export * from './database.js';
export * from './stages.js';
export { isDatabaseUnavailable } from './sqlite.js';
export { retry, backoffDelay, sleep, type Backoff, type RetryPolicy } from './retry.js';
export { fileIdentity, type FileIdentity } from './file-guard.js';
export * from './repositories/index.js';
export { UnitOfWork } from './unit-of-work.js';
export { inTransaction, type Db } from './transaction.js';
export { MIGRATION_TABLE, type MigrationStatus } from './migrate.js';
export { migrationNames } from './migrations/index.js';

export interface Store {
  handle: DatabaseHandle;
  repos: Repositories;
  uow: UnitOfWork;
  close(): Promise<void>;
}

export function openStore(opts?: DatabaseOptions): Store {
  const handle = openDatabase(opts);
  return { handle, repos: repositories(handle.kysely), uow: new UnitOfWork(handle), close: () => handle.close() };
}
