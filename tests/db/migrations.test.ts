// Migrations: up on a fresh file, down, and up again; assertSchemaCurrent for workers; idempotent re-runs.
// Uses the static migration list, so the same path runs from .ts here and from dist in production.
import t from 'tap';
import {
  assertSchemaCurrent,
  DatabaseError,
  migrateDown,
  migrateToLatest,
  migrationNames,
  migrationStatus,
} from '../../db/index.js';
import { listTables } from '../../db/sqlite.js';
import { tempStore } from './fixtures/helpers.js';

const APP_TABLES = ['digit_chunks', 'job_events', 'jobs'];

t.test('up, down and up again', async (t) => {
  const store = await tempStore(t, { migrate: false });
  const h = store.handle;
  t.same(migrationNames, ['0001_initial']);

  await t.rejects(assertSchemaCurrent(h), { constructor: DatabaseError, message: /is not migrated \(pending: 0001_initial\)/ });
  t.same(await migrationStatus(h), { applied: [], pending: ['0001_initial'] });

  t.same(await migrateToLatest(h), ['0001_initial'], 'applied');
  await assertSchemaCurrent(h);
  t.same(await migrateToLatest(h), [], 'second run applies nothing');
  t.same((await listTables(h.kysely)).filter((n) => APP_TABLES.includes(n)), APP_TABLES);
  const { job } = await store.repos.jobs.submit(7);
  t.equal(job.stage, 'registered');

  t.equal(await migrateDown(h), '0001_initial', 'rolled back');
  t.same((await listTables(h.kysely)).filter((n) => APP_TABLES.includes(n)), [], 'tables dropped');
  t.same(await migrationStatus(h), { applied: [], pending: ['0001_initial'] });
  await t.rejects(assertSchemaCurrent(h), DatabaseError);
  t.equal(await migrateDown(h), null, 'nothing left to roll back');

  t.same(await migrateToLatest(h), ['0001_initial'], 'up again');
  await assertSchemaCurrent(h);
  t.equal(await store.repos.jobs.count(), 0, 'empty after down/up');
  t.equal((await store.repos.jobs.submit(7)).created, true);
});

t.test('schema constraints hold (CHECKs, foreign keys on)', async (t) => {
  const { handle } = await tempStore(t);
  const now = Date.now();
  await t.rejects(
    handle.kysely.insertInto('jobs').values({ n: 0, stage: 'registered', created_at: now, updated_at: now }).execute(),
    /CHECK constraint failed/,
  );
  await t.rejects(
    handle.kysely.insertInto('job_events').values({ job_id: 999, kind: 'registered', at: now, error: null, detail: null }).execute(),
    /FOREIGN KEY constraint failed/,
  );
});
