// The engine's API contract: ENGINE_MAX_DIGITS, RangeError for bad n or threads, exactly n decimals.
import t from 'tap';
import { computePiDecimals, computePiDecimalsSync, ENGINE_MAX_DIGITS } from '../../workers/pi/index.js';

const bad = [0, -1, 1.5, NaN, Infinity, ENGINE_MAX_DIGITS + 1, '10' as unknown as number];

t.test('ENGINE_MAX_DIGITS is a safe bound under BigInt\'s 2^30 bits', async (t) => {
  t.equal(ENGINE_MAX_DIGITS, 100_000_000);
  t.ok(ENGINE_MAX_DIGITS * Math.log2(10) * 2.5 < 2 ** 30);
});

t.test('sync throws RangeError for bad n', async (t) => {
  for (const n of bad) t.throws(() => computePiDecimalsSync(n), RangeError, String(n));
});

t.test('async rejects with RangeError for bad n', async (t) => {
  for (const n of bad) await t.rejects(computePiDecimals(n), RangeError, String(n));
});

t.test('async rejects with RangeError for bad threads', async (t) => {
  for (const threads of [0, -2, 1.5]) await t.rejects(computePiDecimals(10, { threads }), RangeError, String(threads));
});

t.test('returns exactly n decimals', async (t) => {
  for (const n of [1, 3, 10, 12_345]) {
    const d = await computePiDecimals(n);
    t.equal(d.length, n);
    t.match(d, /^\d+$/);
  }
});
