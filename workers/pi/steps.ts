// The stages between the series and the digits: truncating the sums, joining two halves, and pi = C*Q/S as a binary
// fraction by a half-precision reciprocal and one Karp-Markstein correction. Pure functions on BigInt.
import { bitLength, shiftDown } from './bits.js';
import { reciprocal, reciprocalSqrt } from './newton.js';
import type { Split } from './series.js';
import type { Fraction } from './radix.js';

const A = 13591409n;

/** A big number kept as m * 2^shift (m holds the significant bits). */
export interface Scaled { m: bigint; shift: number }

/**
 * The sums shifted right together so Q keeps `keep` bits: T/Q and P/Q (all that matters) change by < 2^-keep.
 * Returns the sums untouched when Q is already that small.
 */
export function truncateSplit(s: Split, keep: number): Split {
  const shift = bitLength(s.q) + s.e - keep;
  if (shift <= 0) return s;
  // Q = q * 2^e loses `shift` bits: first from its power of two, then from q.
  const fromQ = Math.max(0, shift - s.e);
  return { p: s.p >> BigInt(shift), q: s.q >> BigInt(fromQ), e: s.e - (shift - fromQ), t: s.t >> BigInt(shift) };
}

/** Q = q * 2^e as one BigInt. */
export function fullQ(s: Split): bigint {
  return s.q << BigInt(s.e);
}

/** x keeping its top `keep` bits. */
export function scaled(x: bigint, keep: number): Scaled {
  const shift = Math.max(0, bitLength(x) - keep);
  return { m: x >> BigInt(shift), shift };
}

/** Left part of S = 13591409*Q + T for a series cut in two: Qr * (13591409*Ql + Tl) (Qr = rq * 2^re). S = that + Pl*Tr. */
export function leftOfS(left: Split, rq: bigint, re: number): bigint {
  return (rq * (A * fullQ(left) + left.t)) << BigInt(re);
}

/** S = 13591409*Q + T of one range covering the whole series. */
export function wholeS(sp: Split): bigint {
  return A * fullQ(sp) + sp.t;
}

/** 426880 * sqrt(10005) * 2^bits, via the reciprocal square root: sqrt(a) = a / sqrt(a). */
export function chudnovskyConstant(bits: number): bigint {
  return 426880n * 10005n * reciprocalSqrt(10005n, bits);
}

/** Bits of the reciprocal used for a quotient of `bits` bits: a little over half. */
export function halfBits(bits: number): number {
  return Math.ceil(bits / 2) + 48;
}

/** The denominator trimmed to bits + 32 bits and its reciprocal to halfBits(bits): y ~ 2^(L + h) / den. */
export interface Divisor { den: Scaled; y: bigint; h: number }

export function divisor(s: bigint, bits: number): Divisor {
  const den = scaled(s, bits + 32);
  const h = halfBits(bits);
  return { den, y: reciprocal(den.m, h), h };
}

/**
 * floor(num/den) for num = n.m * 2^n.shift, den = d.den.m * 2^d.den.shift, in units of 2^-bits (within a few units),
 * by Karp-Markstein: z0 = num*y at half precision, then z = z0 + y*(num - den*z0).
 */
export function quotient(n: Scaled, d: Divisor, bits: number): bigint {
  const dm = d.den.m;
  const L = bitLength(dm);
  const num = shiftDown(n.m, d.den.shift - n.shift - bits);
  const sigma = Math.max(0, bitLength(num) - L - d.h);
  const z0 = (shiftDown(num, L + sigma - 32) * d.y) >> BigInt(d.h + 32);
  const r = num - ((dm * z0) << BigInt(sigma));
  const corr = (shiftDown(r, L - 32) * d.y) >> BigInt(d.h + 32);
  return (z0 << BigInt(sigma)) + corr;
}

/** pi's fractional part from pi * 2^bits. */
export function piFraction(piScaled: bigint, bits: number): Fraction {
  const g = piScaled - (3n << BigInt(bits));
  if (g < 0n || g >= 1n << BigInt(bits)) throw new Error('pi engine: result out of range, arithmetic error');
  return { g, bits };
}

/** pi * 2^bits from the constant C*2^bits, Q and S (any common scale). */
export function piScaled(c: bigint, q: bigint, s: bigint, bits: number): bigint {
  const qs = scaled(q, bits + 64);
  const cq = scaled(c * qs.m, bits + 64);
  return quotient({ m: cq.m, shift: cq.shift + qs.shift - bits }, divisor(s, bits), bits);
}
