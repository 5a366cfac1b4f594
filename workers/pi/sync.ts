// The whole computation on the calling thread: series, pi as a binary fraction, decimal digits, guard-digit check.
// computePiDecimalsSync is for small n and tests; computePiDecimalsSyncWith exposes the guard for tests.
import { checkDigits, DEFAULT_GUARD_DIGITS, fractionBits } from './limits.js';
import { splitRange, termCount } from './series.js';
import { chudnovskyConstant, fullQ, piFraction, piScaled, wholeS } from './steps.js';
import { fractionDigits, FivePowers } from './radix.js';
import { settleGuard, nextGuard } from './guard.js';

/** The first `digits` decimals of pi on this thread (unchecked: the last ones may be off). */
export function piDigitsUnchecked(digits: number): string {
  const bits = fractionBits(digits);
  const sp = splitRange(1, termCount(digits), false);
  const f = piFraction(piScaled(chudnovskyConstant(bits), fullQ(sp), wholeS(sp), bits), bits);
  return fractionDigits(f, digits, new FivePowers(digits));
}

/** The first n decimals, recomputing with more guard digits while they are inconclusive; reports each attempt's guard. */
export function computePiDecimalsSyncWith(n: number, guard = DEFAULT_GUARD_DIGITS, onAttempt?: (guard: number) => void): string {
  checkDigits(n);
  for (;;) {
    onAttempt?.(guard);
    const decided = settleGuard(piDigitsUnchecked(n + guard), n);
    if (decided !== null) return decided;
    guard = nextGuard(guard);
  }
}

export function computePiDecimalsSync(n: number): string {
  return computePiDecimalsSyncWith(n);
}
