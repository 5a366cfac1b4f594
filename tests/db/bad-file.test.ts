// Files that are not rawpi databases (text, foreign SQLite tables, a directory) and newer schemas
// fail at open or migrate with a DatabaseError carrying a clear message, and foreign files are left unchanged.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { sql } from 'kysely';
import {
  assertSchemaCurrent,
  DatabaseError,
  migrateToLatest,
  MIGRATION_TABLE,
  openDatabase,
} from '../../db/index.js';
import { tempDir } from './fixtures/helpers.js';

t.test('a text file', async (t) => {
  const path = join(tempDir(t), 'notes.txt');
  const text = 'these are my notes, not a database\n'.repeat(50);
  writeFileSync(path, text);
  const err = t.throws(() => openDatabase({ path })) as Error;
  t.ok(err instanceof DatabaseError, 'DatabaseError');
  t.match(err.message, /notes\.txt is not a rawpi database: it is not an SQLite database file/);
  t.equal(readFileSync(path, 'utf8'), text, 'file untouched');
});

t.test('an SQLite file with foreign tables and no rawpi migrations', async (t) => {
  const path = join(tempDir(t), 'shop.sqlite');
  const foreign = new BetterSqlite3(path);
  foreign.exec('create table customers (id integer primary key, name text); create table orders (id integer)');
  foreign.close();
  const err = t.throws(() => openDatabase({ path })) as Error;
  t.ok(err instanceof DatabaseError, 'DatabaseError');
  t.match(err.message, /shop\.sqlite is not a rawpi database: it holds other tables \(customers, orders\)/);
  const check = new BetterSqlite3(path, { readonly: true });
  t.equal(check.pragma('journal_mode', { simple: true }), 'delete', 'not switched to WAL');
  t.same(
    check.prepare(`select name from sqlite_master where type = 'table' order by name`).pluck().all(),
    ['customers', 'orders'],
    'no tables added',
  );
  check.close();
});

t.test('a newer schema than the code knows', async (t) => {
  const path = join(tempDir(t), 'rawpi.sqlite');
  const h = openDatabase({ path });
  await migrateToLatest(h);
  await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999_from_the_future', '2999-01-01T00:00:00.000Z')`.execute(
    h.kysely,
  );
  await h.close();

  const again = openDatabase({ path });
  t.teardown(() => again.close());
  await t.rejects(migrateToLatest(again), {
    constructor: DatabaseError,
    message: /newer schema than this version of rawpi knows \(unknown migrations: 9999_from_the_future\)/,
  });
  await t.rejects(assertSchemaCurrent(again), { constructor: DatabaseError, message: /newer schema/ });
});

t.test('a directory, or a path under a file', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'adir'));
  t.throws(() => openDatabase({ path: join(dir, 'adir') }), DatabaseError);
  writeFileSync(join(dir, 'afile'), 'x');
  t.throws(() => openDatabase({ path: join(dir, 'afile', 'db.sqlite') }), DatabaseError);
});
