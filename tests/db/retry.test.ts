// The retry helper (db/retry.ts) that the driver's lock wait and the workers' database steps use: which errors
// are retried, the doubling waits, the deadline and the retry count, and abort. Time is simulated.
import t from 'tap';
import { backoffDelay, retry, type RetryPolicy } from '../../db/index.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
const isBusy = (err: unknown) => (err as { code?: string }).code === 'SQLITE_BUSY';

/** A clock that only moves when the retry waits. */
function fakeTime(): { waits: number[]; policy: Pick<RetryPolicy, 'sleep' | 'now'> } {
  let now = 0;
  const waits: number[] = [];
  return { waits, policy: { now: () => now, sleep: async (ms) => { waits.push(ms); now += ms; } } };
}

/** Fails with `err` the first `failures` times, then resolves with the try number. */
function failing(failures: number, err: () => Error = busy): { tries: number[]; fn: (k: number) => Promise<number> } {
  const tries: number[] = [];
  return { tries, fn: async (k) => { tries.push(k); if (tries.length <= failures) throw err(); return k; } };
}

t.test('backoff doubles from initial up to max', async (t) => {
  const b = { initial: 10, max: 250 };
  t.same([1, 2, 3, 4, 5, 6, 7].map((k) => backoffDelay(b, k)), [10, 20, 40, 80, 160, 250, 250]);
});

t.test('a retryable failure is tried again after the backoff, until it succeeds', async (t) => {
  const time = fakeTime();
  const { tries, fn } = failing(3);
  const seen: Array<[number, number]> = [];
  const result = await retry(fn, {
    retryable: isBusy, backoff: { initial: 10, max: 25 }, deadlineMs: 1000, ...time.policy,
    onRetry: (_err, k, ms) => seen.push([k, ms]),
  });
  t.equal(result, 3, 'the fourth try (retry 3) succeeded');
  t.same(tries, [0, 1, 2, 3]);
  t.same(time.waits, [10, 20, 25], 'doubling, capped');
  t.same(seen, [[1, 10], [2, 20], [3, 25]], 'told before each wait');
});

t.test('any other error is thrown at once, as it was', async (t) => {
  const time = fakeTime();
  const other = new Error('no such table: jobs');
  const { tries, fn } = failing(5, () => other);
  await t.rejects(retry(fn, { retryable: isBusy, backoff: { initial: 10, max: 10 }, deadlineMs: 1000, ...time.policy }), other);
  t.same(tries, [0]);
  t.same(time.waits, []);
});

t.test('the deadline: no wait reaches past it, one last try at it, then the last error', async (t) => {
  const time = fakeTime();
  const { tries, fn } = failing(100);
  await t.rejects(retry(fn, { retryable: isBusy, backoff: { initial: 40, max: 40 }, deadlineMs: 100, ...time.policy }), { code: 'SQLITE_BUSY' });
  t.same(time.waits, [40, 40, 20], 'the last wait is cut to the deadline');
  t.equal(tries.length, 4);
});

t.test('a deadline of 0 means one try only', async (t) => {
  const time = fakeTime();
  const { tries, fn } = failing(1);
  await t.rejects(retry(fn, { retryable: isBusy, backoff: { initial: 10, max: 10 }, deadlineMs: 0, ...time.policy }));
  t.same(tries, [0]);
});

t.test('a retry count: that many retries after the first try', async (t) => {
  const time = fakeTime();
  const { tries, fn } = failing(100);
  await t.rejects(retry(fn, { retryable: isBusy, backoff: { initial: 5, max: 100 }, retries: 3, ...time.policy }));
  t.same(tries, [0, 1, 2, 3]);
  t.same(time.waits, [5, 10, 20]);
});

t.test('an abort ends the waiting and throws the last error', async (t) => {
  const controller = new AbortController();
  const { tries, fn } = failing(100);
  const running = retry(fn, { retryable: isBusy, backoff: { initial: 60_000, max: 60_000 }, retries: 5, signal: controller.signal });
  await new Promise((r) => setImmediate(r));
  controller.abort();
  await t.rejects(running, { code: 'SQLITE_BUSY' }, 'not after a minute: at once');
  t.same(tries, [0]);
});
