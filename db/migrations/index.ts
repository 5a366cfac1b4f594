// The static migration list: every migration module imported explicitly, so the Migrator works from .ts and dist.
// Add new migrations here with a name that sorts after the last one.
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};

export const migrationNames: readonly string[] = Object.keys(migrations).sort();

export const staticMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
