// Binary fraction to decimal digits by a scaled remainder tree: multiplications by powers of five, no division.
// A fraction g / 2^bits in [0,1) with d digits splits into its first k digits and frac(g * 10^k), each converted alone;
// g * 10^k = (g * 5^k) << k, so only powers of five are multiplied.
import { BITS_PER_DIGIT } from './limits.js';
import { shiftDown } from './bits.js';

/** Guard bits kept below the last digit at every level. */
const GUARD_BITS = 32;
/** Chunks of about 2x this are converted with BigInt toString. */
export const LEAF_DIGITS = 1500;

/** A fixed-point fraction g / 2^bits, 0 <= g < 2^bits. */
export interface Fraction { g: bigint; bits: number }

/** Bits carried for a chunk of `digits` decimals. */
export function chunkBits(digits: number): number {
  return Math.ceil(digits * BITS_PER_DIGIT) + GUARD_BITS;
}

/**
 * Powers 5^(leaf * 2^j) by repeated squaring; every split takes its first part of size leaf * 2^j,
 * so the tree only ever needs these powers. The leaf is chosen so the top split is close to half.
 */
export class FivePowers {
  readonly leaf: number;
  private readonly cache: bigint[] = [];
  private readonly small = new Map<number, bigint>();

  constructor(readonly totalDigits: number, leafDigits = LEAF_DIGITS) {
    let parts = 1;
    while (Math.ceil(totalDigits / parts) > 2 * leafDigits) parts *= 2;
    this.leaf = Math.ceil(totalDigits / parts);
  }

  /** 5^(leaf * 2^j). */
  power(j: number): bigint {
    if (this.cache.length === 0) this.cache.push(5n ** BigInt(this.leaf));
    while (this.cache.length <= j) {
      const last = this.cache[this.cache.length - 1]!;
      this.cache.push(last * last);
    }
    return this.cache[j]!;
  }

  /** All powers up to the one of the top split (to hand to another thread). */
  chain(): bigint[] {
    const top = this.splitOf(this.totalDigits).j;
    const out: bigint[] = [];
    for (let j = 0; j <= top; j++) out.push(this.power(j));
    return out;
  }

  /** Takes powers computed elsewhere (another thread). */
  seed(chain: bigint[]): void {
    if (this.cache.length < chain.length) this.cache.splice(0, this.cache.length, ...chain);
  }

  /** 5^d for a leaf-sized d. */
  smallPower(d: number): bigint {
    let p = this.small.get(d);
    if (p === undefined) {
      p = 5n ** BigInt(d);
      this.small.set(d, p);
    }
    return p;
  }

  /** The size of the first part when splitting d > 2*leaf digits: the largest leaf * 2^j below d, with its j. */
  splitOf(d: number): { k: number; j: number } {
    let j = 0;
    while (this.leaf * 2 ** (j + 1) < d) j++;
    return { k: this.leaf * 2 ** j, j };
  }
}

/** The fraction reduced (downward) to the bits needed for d digits. */
export function reduceTo(f: Fraction, digits: number): Fraction {
  const bits = chunkBits(digits);
  return bits >= f.bits ? f : { g: f.g >> BigInt(f.bits - bits), bits };
}

export interface FractionSplit { hi: Fraction; hiDigits: number; lo: Fraction; loDigits: number }

/**
 * One split of a d-digit conversion (f already reduced to d digits): the fraction for the first k digits and the one
 * for the other d - k. The first is nudged up by 2^(GUARD/2) units unless frac(f*10^k) >= 1/2, so that its digits are
 * exactly those of floor(f*10^k) despite truncation (the nudge never reaches the next integer).
 */
export function splitFraction(f: Fraction, d: number, pw: FivePowers): FractionSplit {
  const { k, j } = pw.splitOf(d);
  // frac(f * 10^k) = frac(f * 5^k / 2^(bits-k)): the low bits - k bits of g * 5^k, which only the low bits - k bits
  // of g reach.
  const remBits = f.bits - k;
  const rem = BigInt.asUintN(remBits, BigInt.asUintN(remBits, f.g) * pw.power(j));
  const loBits = chunkBits(d - k);
  const lo = { g: shiftDown(rem, remBits - loBits), bits: loBits };
  const hiBits = chunkBits(k);
  let hg = shiftDown(f.g, f.bits - hiBits);
  if (rem < 1n << BigInt(remBits - 1)) hg += 1n << BigInt(GUARD_BITS / 2);
  return { hi: { g: hg, bits: hiBits }, hiDigits: k, lo, loDigits: d - k };
}

/** The first d decimals of the fraction (truncated; see splitFraction for exactness at the splits). */
export function fractionDigits(f: Fraction, d: number, pw: FivePowers): string {
  f = reduceTo(f, d);
  if (d <= 2 * pw.leaf) {
    const v = (f.g * pw.smallPower(d)) >> BigInt(f.bits - d);
    return v.toString().padStart(d, '0');
  }
  const s = splitFraction(f, d, pw);
  return fractionDigits(s.hi, s.hiDigits, pw) + fractionDigits(s.lo, s.loDigits, pw);
}

/** Chunks above this many digits await `pause` between their halves in fractionDigitsAsync. */
const PAUSE_DIGITS = 100_000;

/** fractionDigits that lets the event loop run between big chunks (for a conversion on the main thread). */
export async function fractionDigitsAsync(f: Fraction, d: number, pw: FivePowers, pause: () => Promise<void>): Promise<string> {
  if (d <= PAUSE_DIGITS || d <= 2 * pw.leaf) return fractionDigits(f, d, pw);
  const s = splitFraction(reduceTo(f, d), d, pw);
  await pause();
  const hi = await fractionDigitsAsync(s.hi, s.hiDigits, pw, pause);
  await pause();
  return hi + (await fractionDigitsAsync(s.lo, s.loDigits, pw, pause));
}
