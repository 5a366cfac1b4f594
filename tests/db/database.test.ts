// openDatabase: the file path (option, DATABASE_URL, default; sqlite:/file: URLs), directory creation, pragmas.
// Uses temporary files only; the default path is checked by resolution, never created in the repository.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { sql } from 'kysely';
import {
  DatabaseError,
  databasePathFrom,
  DEFAULT_DATABASE_PATH,
  openDatabase,
  resolveDatabasePath,
} from '../../db/index.js';
import { tempDir } from './fixtures/helpers.js';

t.test('paths and URLs', async (t) => {
  t.equal(databasePathFrom('data/x.sqlite'), 'data/x.sqlite');
  t.equal(databasePathFrom('/abs/x.sqlite'), '/abs/x.sqlite');
  t.equal(databasePathFrom('sqlite:data/x.sqlite'), 'data/x.sqlite');
  t.equal(databasePathFrom('sqlite:///abs/x.sqlite'), '/abs/x.sqlite');
  t.equal(databasePathFrom('sqlite://localhost/abs/x.sqlite'), '/abs/x.sqlite');
  t.equal(databasePathFrom('file:x.sqlite'), 'x.sqlite');
  t.equal(databasePathFrom('file:///abs/my%20x.sqlite'), '/abs/my x.sqlite');
  t.equal(databasePathFrom(':memory:'), ':memory:');
  t.throws(() => databasePathFrom('postgres://localhost/rawpi'), DatabaseError);
  t.throws(() => databasePathFrom(''), DatabaseError);

  t.equal(resolveDatabasePath({}, {}), DEFAULT_DATABASE_PATH);
  t.equal(DEFAULT_DATABASE_PATH, 'data/rawpi.sqlite');
  t.equal(resolveDatabasePath({}, { DATABASE_URL: 'sqlite:/tmp/a.db' }), '/tmp/a.db');
  t.equal(resolveDatabasePath({ path: 'b.db' }, { DATABASE_URL: 'sqlite:/tmp/a.db' }), 'b.db', 'option wins');
});

t.test('creates the directory and the file, with WAL and the other pragmas', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'nested', 'deeper', 'rawpi.sqlite');
  const h = openDatabase({ path, busyTimeoutMs: 1234 });
  t.teardown(() => h.close());
  t.equal(h.path, path);
  t.ok(existsSync(path), 'file created with its directories');
  const pragma = async (name: string) =>
    Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(h.kysely)).rows[0]!)[0];
  t.equal(await pragma('journal_mode'), 'wal');
  t.equal(await pragma('synchronous'), 1, 'NORMAL');
  t.equal(await pragma('foreign_keys'), 1);
  t.equal(await pragma('busy_timeout'), 1234);
  await h.close();
  await h.close(); // idempotent
});

t.test('DATABASE_URL is the default when no path is given', async (t) => {
  const dir = tempDir(t);
  const saved = process.env.DATABASE_URL;
  t.teardown(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });
  process.env.DATABASE_URL = `sqlite://${join(dir, 'env.sqlite')}`;
  const h = openDatabase();
  t.equal(h.path, join(dir, 'env.sqlite'));
  await h.close();
  t.ok(existsSync(join(dir, 'env.sqlite')));
});
