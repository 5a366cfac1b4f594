// Another process holds the database's write lock (BEGIN EXCLUSIVE with better-sqlite3, the fault scenarios' locker):
// a write waits without blocking the event loop or the reads on the same connection, and succeeds once the lock
// goes; past the lock timeout it fails with DatabaseUnavailableError (503 for the app) and writes nothing.
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { DatabaseUnavailableError, DEFAULT_BUSY_TIMEOUT_MS, isDatabaseUnavailable, migrateToLatest, openStore, type DatabaseOptions } from '../../db/index.js';
import { holdExclusiveLock } from '../../bench/reliability/lib/locker.js';
import { tempDir } from './fixtures/helpers.js';

async function store(t: Parameters<typeof tempDir>[0], opts: DatabaseOptions = {}) {
  const s = openStore({ path: join(tempDir(t), 'rawpi.sqlite'), ...opts });
  t.teardown(() => s.close());
  await migrateToLatest(s.handle);
  return s;
}

t.test("SQLite's own (blocking) busy timeout is short by default", async (t) => {
  const s = await store(t);
  const { rows } = await sql.raw<{ timeout: number }>('pragma busy_timeout').execute(s.handle.kysely);
  t.equal(Object.values(rows[0]!)[0], DEFAULT_BUSY_TIMEOUT_MS);
  t.ok(DEFAULT_BUSY_TIMEOUT_MS <= 100, 'tens of milliseconds, not seconds');
});

t.test('a write waits for the lock while reads and timers go on, then succeeds', async (t) => {
  const s = await store(t, { lockTimeoutMs: 60_000 });
  await s.repos.jobs.submit(1);
  const lock = await holdExclusiveLock(s.handle.path, 3000);
  let written = false;
  const write = s.repos.jobs.submit(2).then((r) => { written = true; return r; });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  t.teardown(() => clearInterval(timer));
  // The same connection answers a read while the write waits (the write frees it between its tries).
  const page = await s.repos.jobs.list({ limit: 10 });
  t.same(page.jobs.map((j) => j.n), [1], 'the read is answered');
  t.notOk(written, 'while the write is still waiting for the lock');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(ticks > 0, 'the event loop turns while the write waits');
  t.notOk(written, 'the write still waits');
  const { created, job } = await write;
  t.ok(created, 'the write went through once the lock was released');
  t.equal(job.n, 2);
  await lock.released;
  t.equal(await s.repos.jobs.count(), 2);
});

t.test('past the lock timeout the write fails with DatabaseUnavailableError and changes nothing', async (t) => {
  const s = await store(t, { lockTimeoutMs: 300 });
  await s.repos.jobs.submit(1);
  const lock = await holdExclusiveLock(s.handle.path, 2500);
  const failed = await s.repos.jobs.submit(2).then(() => null, (err: unknown) => err);
  t.type(failed, DatabaseUnavailableError);
  t.ok(isDatabaseUnavailable(failed), 'the app maps it to 503');
  t.match((failed as Error).message, /is locked by another process \(still after 300 ms\); nothing was changed/);
  t.equal((failed as DatabaseUnavailableError).code, 'SQLITE_BUSY');
  t.equal((await s.repos.jobs.list({ limit: 10 })).jobs.length, 1, 'reads still work during the lock');
  await lock.released;
  t.equal(await s.repos.jobs.count(), 1, 'nothing was written');
  t.ok((await s.repos.jobs.submit(2)).created, 'after the lock, the same write works');
});

t.test('a lock timeout of 0 gives up at the first refusal', async (t) => {
  const s = await store(t, { lockTimeoutMs: 0 });
  const lock = await holdExclusiveLock(s.handle.path, 1500);
  await t.rejects(s.repos.jobs.submit(1), DatabaseUnavailableError);
  await lock.released;
});
