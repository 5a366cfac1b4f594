// Chudnovsky series by binary splitting on BigInt: P, Q, T over a range of terms [a, b), k >= 1.
// pi = 426880 * sqrt(10005) * Q(1,N) / (13591409 * Q(1,N) + T(1,N)).

export interface Split {
  /** Product of p(k); 0n when not asked for (the rightmost range never needs it). */
  p: bigint;
  /** Q = q * 2^e: the powers of two of Q (about a sixth of its bits) are kept apart and applied by shifts. */
  q: bigint;
  e: number;
  t: bigint;
}

/** 640320^3 / 24 = 2^15 * Q_ODD. */
const Q_ODD = 10939058860032000n >> 15n;
const A = 13591409n;
const B = 545140134n;

/** Decimal digits each term adds: log10(640320^3 / 1728). */
export const DIGITS_PER_TERM = Math.log10(640320 ** 3 / 1728);

/** Number N such that terms 1..N-1 give at least `digits` correct decimals. */
export function termCount(digits: number): number {
  return Math.ceil(digits / DIGITS_PER_TERM) + 2;
}

/** Called with the number of terms just finished; keep it cheap, it runs once per term. */
export type TermTick = (terms: number) => void;

function leaf(k: number, needP: boolean): Split {
  // (6k-5)(2k-1) < 2^53 for k < 1e7, so one Number product is exact.
  const p = -BigInt((6 * k - 5) * (2 * k - 1)) * BigInt(6 * k - 1);
  let odd = k;
  let e = 15;
  while ((odd & 1) === 0) {
    odd >>>= 1;
    e += 3;
  }
  const q = BigInt(odd * odd) * BigInt(odd) * Q_ODD;
  const t = p * (A + B * BigInt(k));
  return { p: needP ? p : 0n, q, e, t };
}

/** The sums of two adjacent ranges: P = Pl*Pr, Q = Ql*Qr, T = Tl*Qr + Pl*Tr. */
export function join(l: Split, r: Split, needP: boolean): Split {
  return {
    p: needP ? l.p * r.p : 0n,
    q: l.q * r.q,
    e: l.e + r.e,
    t: ((l.t * r.q) << BigInt(r.e)) + l.p * r.t,
  };
}

/** P, Q, T for terms a..b-1 (1 <= a < b). needP = false skips P at every rightmost node. */
export function splitRange(a: number, b: number, needP: boolean, tick?: TermTick): Split {
  if (b - a === 1) {
    const s = leaf(a, needP);
    if (tick) tick(1);
    return s;
  }
  const m = (a + b) >>> 1;
  return join(splitRange(a, m, true, tick), splitRange(m, b, needP, tick), needP);
}

/** Ranges at least this long yield to the event loop between halves in splitRangeAsync. */
const PAUSE_TERMS = 1024;

/** splitRange that awaits `pause` between big subranges, so a computation on the main thread can be observed and aborted. */
export async function splitRangeAsync(a: number, b: number, needP: boolean, tick: TermTick | undefined, pause: () => Promise<void>): Promise<Split> {
  if (b - a < PAUSE_TERMS) return splitRange(a, b, needP, tick);
  const m = (a + b) >>> 1;
  const l = await splitRangeAsync(a, m, true, tick, pause);
  const r = await splitRangeAsync(m, b, needP, tick, pause);
  await pause();
  return join(l, r, needP);
}
