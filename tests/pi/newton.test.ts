// Newton reciprocal and reciprocal square root (multiplications only) against exact BigInt division and square root.
import t from 'tap';
import { isqrt, reciprocal, reciprocalSqrt } from '../../workers/pi/newton.js';
import { bitLength } from '../../workers/pi/bits.js';

t.test('isqrt', async (t) => {
  for (const x of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 40n, 10n ** 40n - 1n]) {
    const r = isqrt(x);
    t.ok(r * r <= x && (r + 1n) * (r + 1n) > x, String(x));
  }
});

t.test('bitLength', async (t) => {
  t.equal(bitLength(0n), 0);
  t.equal(bitLength(1n), 1);
  t.equal(bitLength(255n), 8);
  t.equal(bitLength(256n), 9);
  t.equal(bitLength(-256n), 9);
  t.equal(bitLength(1n << 100_000n), 100_001);
});

t.test('reciprocal within a few units', async (t) => {
  const s = 3n ** 30_000n + 12_345n;
  const L = BigInt(bitLength(s));
  for (const bits of [50, 4000, 9000, 40_000, 100_000]) {
    const exact = (1n << (L + BigInt(bits))) / s;
    const d = reciprocal(s, bits) - exact;
    t.ok(d >= -4n && d <= 4n, `bits=${bits}: off by ${d}`);
  }
});

t.test('reciprocal square root within a few units', async (t) => {
  for (const bits of [50, 4000, 9000, 40_000, 100_000]) {
    const exact = isqrt((1n << BigInt(2 * bits)) / 10005n);
    const d = reciprocalSqrt(10005n, bits) - exact;
    t.ok(d >= -4n && d <= 4n, `bits=${bits}: off by ${d}`);
  }
});
