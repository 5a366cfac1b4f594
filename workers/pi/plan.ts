// The two-lane plan for n + guard digits: the lanes sum the two parts of the series (the right one also makes the
// constant), join them (right: Pl*Tr, then C*Ql*Qr and the powers of five; left: S and its reciprocal), then the left
// divides and splits the fraction, and each converts half of the digits.
import { fractionBits } from './limits.js';
import { termCount } from './series.js';
import type { Lane } from './lanes.js';
import type { Fraction } from './radix.js';
import type { Scaled } from './steps.js';
import type { Split } from './series.js';
import type { ProgressReporter } from './progress.js';

/**
 * Where the series is cut between the lanes, as a fraction of the terms. The right lane makes the constant after its
 * series, so the left lane takes more terms. Measured on one thread per half (the series of each part, the constant):
 * at 10^6 digits left 414-508 ms against right 438-541 + constant 143 with a cut at 0.5, 481-511 against 378-386 + 143
 * at 0.555; at 10^7, 5978 against 5764 + 1227 ms at 0.5, 6462 against 4834 + 1227 at 0.555, 5906 against
 * 5261 + 1227 at 0.53. 0.55 lies between the best cuts of the two sizes.
 */
export const SERIES_CUT = 0.55;
/** Extra bits kept by the series sums over the working precision. */
const SERIES_SPARE_BITS = 64;

/** All `digits` decimals of pi from the two lanes (unchecked: the caller looks at the guard digits). */
export async function runPlan(digits: number, left: Lane, right: Lane, progress: ProgressReporter): Promise<string> {
  const bits = fractionBits(digits);
  const terms = termCount(digits);
  const cut = Math.max(2, Math.min(terms - 1, Math.round(1 + (terms - 1) * SERIES_CUT)));
  const keep = bits + SERIES_SPARE_BITS;
  progress.start(terms - 1);
  const rightSeries = right.call('series', { a: cut, b: terms, needP: false, keep }).then(() => right.call('constant', { bits }));
  await Promise.all([left.call('series', { a: 1, b: cut, needP: true, keep }), rightSeries]);
  progress.stage(0.72);
  const [lp, rq] = await Promise.all([left.call<Split>('leftParts'), right.call<{ q: bigint; e: number }>('rightQ')]);
  // The right lane's calls run in order: Pl*Tr first, as the left lane needs it for S.
  const pt = right.call<bigint>('joinPT', { lp: lp.p });
  const num = right.call<Scaled>('numerator', { lq: lp.q, le: lp.e, bits });
  const chain = right.call<bigint[]>('powers', { digits });
  const div = pt.then((v) => left.call('divisor', { rq: rq.q, re: rq.e, pt: v, bits }));
  const [, numv, chainv] = await Promise.all([div, num, chain]);
  progress.stage(0.82);
  const part = await left.call<{ f: Fraction; d: number }>('piSplit', { num: numv, bits, digits, chain: chainv });
  progress.stage(0.88);
  const [hi, lo] = await Promise.all([left.call<string>('digits', {}), right.call<string>('digits', { part })]);
  return hi + lo;
}
