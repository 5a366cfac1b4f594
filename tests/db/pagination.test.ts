// Keyset pagination of the jobs list: newest first, stable while jobs are inserted between pages,
// opaque cursors, and InvalidCursorError / InvalidArgumentError for bad cursors and limits.
import t from 'tap';
import { InvalidArgumentError, InvalidCursorError, DatabaseError } from '../../db/index.js';
import { tempStore } from './fixtures/helpers.js';

t.test('pages are newest first and stable under inserts', async (t) => {
  const { repos } = await tempStore(t);
  for (let n = 1; n <= 25; n++) await repos.jobs.submit(n);

  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let extra = 1000;
  do {
    const page: Awaited<ReturnType<typeof repos.jobs.list>> = await repos.jobs.list({ limit: 10, cursor });
    seen.push(...page.jobs.map((j) => j.n));
    cursor = page.nextCursor;
    pages++;
    // Jobs submitted between pages appear on the first page of a new listing, never in this one.
    await repos.jobs.submit(extra++);
    await repos.jobs.submit(extra++);
  } while (cursor !== null);

  t.equal(pages, 3);
  t.same(seen, Array.from({ length: 25 }, (_, i) => 25 - i), 'every original job once, newest first');
  const fresh = await repos.jobs.list({ limit: 3 });
  t.same(fresh.jobs.map((j) => j.n), [1005, 1004, 1003]);
  t.type(fresh.nextCursor, 'string');
});

t.test('exact multiples end with a null cursor; empty lists work', async (t) => {
  const { repos } = await tempStore(t);
  t.same(await repos.jobs.list({ limit: 5 }), { jobs: [], nextCursor: null });
  for (let n = 1; n <= 4; n++) await repos.jobs.submit(n);
  const first = await repos.jobs.list({ limit: 2 });
  const second = await repos.jobs.list({ limit: 2, cursor: first.nextCursor });
  t.same(second.jobs.map((j) => j.n), [2, 1]);
  t.equal(second.nextCursor, null);
  t.match(first.nextCursor, /^[A-Za-z0-9_-]+$/, 'base64url');
});

t.test('bad cursors and limits', async (t) => {
  const { repos } = await tempStore(t);
  await repos.jobs.submit(1);
  const forged = Buffer.from(JSON.stringify({ v: 1, id: -3 })).toString('base64url');
  const notJson = Buffer.from('hello').toString('base64url');
  for (const cursor of ['', 'not a cursor!', notJson, forged, 'eyJ2Ijo', 'x'.repeat(500)]) {
    await t.rejects(repos.jobs.list({ limit: 5, cursor }), InvalidCursorError, `cursor ${JSON.stringify(cursor.slice(0, 20))}`);
  }
  const err = await repos.jobs.list({ limit: 5, cursor: 'garbage!' }).catch((e: unknown) => e);
  t.ok(err instanceof DatabaseError, 'InvalidCursorError is a DatabaseError');
  for (const limit of [0, -1, 1.5, 1001]) {
    await t.rejects(repos.jobs.list({ limit }), InvalidArgumentError, `limit ${limit}`);
  }
});
