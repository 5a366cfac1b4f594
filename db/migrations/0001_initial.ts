// Migration 0001: jobs, job_events and digit_chunks. Frozen: never edit after release, add a new migration instead.
// Typed against Kysely<any> and imports nothing from the application, so later code changes cannot alter it.
import { sql, type Kysely } from 'kysely';

const STAGES = sql`('registered', 'scheduled', 'taken', 'calculated', 'stored', 'error', 'cancelled')`;
const EVENT_KINDS = sql`('registered', 'scheduled', 'taken', 'calculated', 'stored', 'error', 'cancelled', 'retried')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('n', 'integer', (c) => c.notNull().unique().check(sql`n >= 1`))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ${STAGES}`))
    .addColumn('progress', 'real', (c) => c.notNull().defaultTo(0).check(sql`progress >= 0 and progress <= 1`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('digit', 'integer', (c) => c.check(sql`digit between 0 and 9`))
    .addColumn('error', 'text')
    .addColumn('error_stage', 'text', (c) => c.check(sql`error_stage in ${STAGES}`))
    .addColumn('from_cache', 'integer', (c) => c.notNull().defaultTo(0).check(sql`from_cache in (0, 1)`))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'integer')
    .addColumn('finished_at', 'integer')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_stage_id').on('jobs').columns(['stage', 'id']).execute();

  await db.schema
    .createTable('job_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('job_id', 'integer', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ${EVENT_KINDS}`))
    .addColumn('at', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('job_events_job_id_id').on('job_events').columns(['job_id', 'id']).execute();

  // The decimals of pi after "3." of the largest computation; `start` = 0-based index of the first decimal.
  await db.schema
    .createTable('digit_chunks')
    .addColumn('start', 'integer', (c) => c.primaryKey().check(sql`start >= 0`))
    .addColumn('length', 'integer', (c) => c.notNull().check(sql`length > 0`))
    .addColumn('decimals', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('digit_chunks').execute();
  await db.schema.dropTable('job_events').execute();
  await db.schema.dropTable('jobs').execute();
}
