// The change token: it stays while nothing changes, and moves when this connection or another one (a worker
// process has its own) commits a change, so a page kept under it is never served stale.
import { join } from 'node:path';
import t from 'tap';
import { openStore } from '../../db/index.js';
import { tempStore } from './fixtures/helpers.js';

t.test('reads leave the token as it is', async (t) => {
  const { repos } = await tempStore(t);
  await repos.jobs.submit(10);
  const before = await repos.changes.token();
  await repos.jobs.list({ limit: 10 });
  await repos.jobs.findByN(10);
  await repos.digits.largestN();
  t.equal(await repos.changes.token(), before);
});

t.test("this connection's own writes move the token", async (t) => {
  const { repos } = await tempStore(t);
  const empty = await repos.changes.token();
  const { job } = await repos.jobs.submit(10);
  const submitted = await repos.changes.token();
  t.not(submitted, empty, 'after a submit');
  await repos.jobs.cancel(job.id);
  t.not(await repos.changes.token(), submitted, 'after a cancel');
});

t.test("another connection's commits move the token", async (t) => {
  const store = await tempStore(t);
  const other = openStore({ path: join(store.dir, 'rawpi.sqlite') });
  t.teardown(() => other.close());
  const { job } = await store.repos.jobs.submit(10);
  const before = await store.repos.changes.token();
  await other.repos.jobs.claimNext();
  const claimed = await store.repos.changes.token();
  t.not(claimed, before, 'after the other connection claimed the job');
  await other.repos.jobs.setProgress(job.id, 0.5);
  t.not(await store.repos.changes.token(), claimed, 'after its progress write');
  t.equal(await store.repos.changes.token(), await store.repos.changes.token(), 'and stays until the next change');
});
