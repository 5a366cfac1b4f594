// Limits and precision constants of the pi engine: the largest n accepted, guard digits, bits per digit.
// BigInt is capped at 2^30 bits (~3.2e8 digits) and the engine holds ~2.3x the result's size, so 1e8 is a safe bound.

export const ENGINE_MAX_DIGITS = 100_000_000;

/** Extra decimals computed past n; recomputed with more when they are all 0 or all 9. */
export const DEFAULT_GUARD_DIGITS = 12;

/** log2(10): binary bits per decimal digit. */
export const BITS_PER_DIGIT = Math.log2(10);

/** Fraction bits needed to carry `digits` decimals with a safety margin for rounding in the Newton steps. */
export function fractionBits(digits: number): number {
  return Math.ceil(digits * BITS_PER_DIGIT) + 64;
}

/** Throws RangeError unless n is an integer in 1..ENGINE_MAX_DIGITS. */
export function checkDigits(n: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > ENGINE_MAX_DIGITS) {
    throw new RangeError(`number of decimals must be an integer from 1 to ${ENGINE_MAX_DIGITS}, got ${String(n)}`);
  }
}
