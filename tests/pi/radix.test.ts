// Binary fraction to decimal by the scaled remainder tree: the digits of g/2^bits truncated, against BigInt toString.
import t from 'tap';
import { fractionDigits, FivePowers, chunkBits } from '../../workers/pi/radix.js';

/** A fraction with the given decimal digits followed by `tail` (so splits can land next to runs of 0s or 9s). */
function fractionOf(decimals: string, tail: string): { g: bigint; bits: number } {
  const d = decimals.length + tail.length;
  const bits = chunkBits(d) + 8;
  return { g: (BigInt(decimals + tail) << BigInt(bits)) / 10n ** BigInt(d) + 1n, bits };
}

function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

t.test('random fractions, small leaves so the tree is deep', async (t) => {
  const rnd = lcg(7);
  for (const d of [1, 9, 10, 11, 57, 100, 999, 4096, 10_000]) {
    let s = '';
    for (let i = 0; i < d; i++) s += String(Math.floor(rnd() * 10));
    const f = fractionOf(s, '5');
    t.equal(fractionDigits(f, d, new FivePowers(d, 4)), s, `d=${d}`);
  }
});

t.test('runs of 9s and 0s across every split', async (t) => {
  for (const fill of ['9', '0']) {
    for (const d of [64, 333, 1000]) {
      const s = '3' + fill.repeat(d - 2) + '7';
      // The run goes on past the last digit but stops: a tail of exact zeros could legitimately come out one lower
      // (the digits are those of a value within a tiny error below), which is what guard digits are for.
      t.equal(fractionDigits(fractionOf(s, fill.repeat(5) + '4'), d, new FivePowers(d, 4)), s, `${fill} d=${d}`);
      const s2 = fill.repeat(d);
      t.equal(fractionDigits(fractionOf(s2, '1'), d, new FivePowers(d, 4)), s2, `all ${fill} d=${d}`);
    }
  }
});
