// Newton iterations with precision doubling on fixed-point BigInt, multiplications only:
// reciprocal of a big number, reciprocal square root of a small one. Results are within a few units of the last bit.
import { bitLength, shiftDown } from './bits.js';

/** Below this many bits a plain BigInt division or square root is cheap. */
const BASE_BITS = 4096;

/** Precision ladder from the base up to `bits`, each step at most doubling (with 16 spare bits). */
function ladder(bits: number): number[] {
  const steps = [bits];
  while (steps[steps.length - 1]! > BASE_BITS) steps.push(Math.ceil(steps[steps.length - 1]! / 2) + 16);
  return steps.reverse();
}

/** Integer square root, floor(sqrt(x)) for x >= 0 (for small x: Newton from above with BigInt division). */
export function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << BigInt((bitLength(x) >> 1) + 1);
  for (;;) {
    const next = (r + x / r) >> 1n;
    if (next >= r) return r;
    r = next;
  }
}

/**
 * y ~ 2^(L + bits) / s where L = bitLength(s) > 0, so 2^bits <= y <= 2^(bits+1).
 * Each step: e = 1 - s*y (s truncated to the new precision), y += y*e.
 */
export function reciprocal(s: bigint, bits: number): bigint {
  if (s <= 0n) throw new RangeError('reciprocal of a non-positive number');
  const L = bitLength(s);
  const steps = ladder(bits);
  let h = steps[0]!;
  let lt = h + 32;
  let y = (1n << BigInt(lt + h)) / shiftDown(s, L - lt);
  for (let i = 1; i < steps.length; i++) {
    const w = steps[i]!;
    lt = w + 32;
    const st = shiftDown(s, L - lt);
    const e = ((1n << BigInt(lt + h)) - st * y) >> BigInt(h);
    y = (y << BigInt(w - h)) + ((y * e) >> BigInt(h + 32));
    h = w;
  }
  return y;
}

/** y ~ 2^bits / sqrt(a) for a small positive a. Each step: e = 1 - a*y^2, y += y*e/2. */
export function reciprocalSqrt(a: bigint, bits: number): bigint {
  if (a <= 0n) throw new RangeError('reciprocal square root of a non-positive number');
  const steps = ladder(bits);
  let h = steps[0]!;
  let y = isqrt((1n << BigInt(2 * h)) / a);
  for (let i = 1; i < steps.length; i++) {
    const w = steps[i]!;
    const e = (1n << BigInt(2 * h)) - a * (y * y);
    y = (y << BigInt(w - h)) + ((y * e) >> BigInt(3 * h + 1 - w));
    h = w;
  }
  return y;
}
