// The database file removed or replaced at run time (db/file-guard.ts): found before the next write, by the
// periodic check, or on request; then every statement is refused with DatabaseUnavailableError until the same file
// is back; and workers (create: false) never make a new file.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  DatabaseError, DatabaseUnavailableError, fileIdentity, isDatabaseUnavailable, migrateToLatest, openDatabase, openStore,
} from '../../db/index.js';
import { tempDir, tempStore } from './fixtures/helpers.js';

t.test('fileIdentity: device and inode, null when nothing is there', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a'), 'x');
  const id = fileIdentity(join(dir, 'a'));
  t.ok(id && id.ino > 0);
  t.equal(fileIdentity(join(dir, 'missing')), null);
  t.equal(fileIdentity(join(dir, 'a', 'below-a-file')), null);
});

t.test('moved away: the next write notices and refuses, reads are refused too; moved back: served again', async (t) => {
  const s = await tempStore(t);
  const path = s.handle.path;
  await s.repos.jobs.submit(1);
  t.same(s.handle.status(), { available: true, problem: null });

  renameSync(path, `${path}.away`);
  t.equal(s.handle.status().available, true, 'status() makes no system call: nothing is known yet');
  const err = await s.repos.jobs.submit(2).then(() => null, (e: unknown) => e);
  t.type(err, DatabaseUnavailableError, 'the write checks the file first');
  t.ok(isDatabaseUnavailable(err));
  t.match((err as Error).message, /database file .* was removed or replaced \(no file is at that path any more\); nothing was changed/);
  t.equal(s.handle.status().available, false);
  await t.rejects(s.repos.jobs.list({ limit: 10 }), DatabaseUnavailableError, 'reads are refused once it is known');

  renameSync(`${path}.away`, path);
  t.same(s.handle.check(), { available: true, problem: null }, 'the same file back at the path');
  t.ok((await s.repos.jobs.submit(2)).created);
  t.equal(await s.repos.jobs.count(), 2, 'nothing went astray meanwhile');
});

t.test('replaced by another file: refused, and the other file is not touched', async (t) => {
  const s = await tempStore(t);
  const path = s.handle.path;
  const other = openStore({ path: join(s.dir, 'other.sqlite') });
  await migrateToLatest(other.handle);
  await other.close();
  renameSync(join(s.dir, 'other.sqlite'), path);
  const status = s.handle.check();
  t.equal(status.available, false);
  t.match(status.problem, /another file is at that path now/);
  await t.rejects(s.repos.jobs.submit(1), DatabaseUnavailableError);
  const fresh = openStore({ path });
  t.teardown(() => fresh.close());
  t.equal(await fresh.repos.jobs.count(), 0, 'the new file got nothing');
});

t.test('the periodic check notices and logs it, then logs the file coming back', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'rawpi.sqlite');
  const lines: string[] = [];
  const h = openDatabase({ path, checkIntervalMs: 20, log: (l) => lines.push(l) });
  t.teardown(() => h.close());
  renameSync(path, `${path}.away`);
  while (h.status().available) await new Promise((r) => setTimeout(r, 10));
  t.match(lines, [new RegExp(`database file ${path} was removed or replaced \\(no file is at that path any more\\); requests that need the database answer 503`)]);
  renameSync(`${path}.away`, path);
  while (!h.status().available) await new Promise((r) => setTimeout(r, 10));
  t.match(lines[1], /is back \(the file rawpi opened\)/);
  t.equal(lines.length, 2, 'one line per change, not one per check');
});

t.test('create: false (workers) refuses a missing file and makes nothing', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'sub', 'rawpi.sqlite');
  t.throws(() => openDatabase({ path, create: false }), DatabaseError);
  t.throws(() => openDatabase({ path, create: false }), /database file .* does not exist/);
  t.notOk(existsSync(join(dir, 'sub')), 'not even the directory');
  const made = openDatabase({ path });
  await made.close();
  const opened = openDatabase({ path, create: false });
  t.equal(opened.status().available, true, 'an existing file opens');
  await opened.close();
});
