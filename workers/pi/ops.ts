// The operations a lane (a worker thread, or the main thread) runs for the two-lane plan of plan.ts.
// Each lane keeps its big intermediate values here, so only what the other lane needs is copied between threads.
import { splitRange, splitRangeAsync, type Split } from './series.js';
import { chudnovskyConstant, divisor, leftOfS, piFraction, quotient, scaled, truncateSplit, type Divisor, type Scaled } from './steps.js';
import { fractionDigits, fractionDigitsAsync, FivePowers, splitFraction, type Fraction } from './radix.js';

export interface LaneHooks {
  /** Terms of the series just finished. */
  tick?: (terms: number) => void;
  /** Set on the main thread: awaited between big steps so the event loop runs. */
  pause?: () => Promise<void>;
}

export class LaneState {
  split?: Split;
  c?: bigint;
  div?: Divisor;
  f?: Fraction;
  powers?: FivePowers;
  part?: { f: Fraction; d: number };
}

export interface SeriesArgs { a: number; b: number; needP: boolean; keep: number }

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`pi engine: lane has no ${what} yet`);
  return v;
}

export const laneOps = {
  /** Forgets everything (a lane handed back to the idle pool). */
  async reset(st: LaneState): Promise<null> {
    for (const k of Object.keys(st) as (keyof LaneState)[]) st[k] = undefined;
    return null;
  },
  /** Both lanes: P, Q, T of terms a..b-1, truncated so Q keeps `keep` bits. */
  async series(st: LaneState, x: SeriesArgs, h: LaneHooks): Promise<null> {
    const sp = h.pause ? await splitRangeAsync(x.a, x.b, x.needP, h.tick, h.pause) : splitRange(x.a, x.b, x.needP, h.tick);
    st.split = truncateSplit(sp, x.keep);
    return null;
  },
  /** Right lane, after its series: 426880*sqrt(10005)*2^bits. */
  async constant(st: LaneState, x: { bits: number }): Promise<null> {
    st.c = chudnovskyConstant(x.bits);
    return null;
  },
  /** Left lane: P and Q of its part, for the right lane. */
  async leftParts(st: LaneState): Promise<Split> {
    const sp = need(st.split, 'series');
    return { p: sp.p, q: sp.q, e: sp.e, t: 0n };
  },
  /** Right lane: Q of its part (q * 2^e), for the left lane. */
  async rightQ(st: LaneState): Promise<{ q: bigint; e: number }> {
    const sp = need(st.split, 'series');
    return { q: sp.q, e: sp.e };
  },
  /** Right lane: Pl*Tr, the part of S the left lane lacks. */
  async joinPT(st: LaneState, x: { lp: bigint }): Promise<bigint> {
    return x.lp * need(st.split, 'series').t;
  },
  /** Right lane: C*Q = C*Ql*Qr trimmed (C = 426880*sqrt(10005)*2^bits), as m * 2^shift in the scale of Q. */
  async numerator(st: LaneState, x: { lq: bigint; le: number; bits: number }): Promise<Scaled> {
    const sp = need(st.split, 'series');
    const q = scaled(x.lq * sp.q, x.bits + 64);
    const cq = scaled(need(st.c, 'constant') * q.m, x.bits + 64);
    st.c = st.split = undefined;
    return { m: cq.m, shift: cq.shift + q.shift + x.le + sp.e - x.bits };
  },
  /** Left lane: S = Qr*(13591409*Ql + Tl) + Pl*Tr and its reciprocal at half precision. */
  async divisor(st: LaneState, x: { rq: bigint; re: number; pt: bigint; bits: number }): Promise<null> {
    const s = leftOfS(need(st.split, 'series'), x.rq, x.re) + x.pt;
    st.split = undefined;
    st.div = divisor(s, x.bits);
    return null;
  },
  /** Right lane: the powers of five for the conversion of `digits` decimals. */
  async powers(st: LaneState, x: { digits: number }): Promise<bigint[]> {
    st.powers = new FivePowers(x.digits);
    return st.powers.chain();
  },
  /** Left lane: pi = C*Q/S; its fraction split once. Keeps the first part, returns the other. */
  async piSplit(st: LaneState, x: { num: Scaled; bits: number; digits: number; chain: bigint[] }): Promise<{ f: Fraction; d: number }> {
    const f = piFraction(quotient(x.num, need(st.div, 'divisor'), x.bits), x.bits);
    st.div = undefined;
    const pw = new FivePowers(x.digits);
    pw.seed(x.chain);
    st.powers = pw;
    if (x.digits <= 2 * pw.leaf) {
      st.part = { f, d: x.digits };
      return { f: { g: 0n, bits: 1 }, d: 0 };
    }
    const s = splitFraction(f, x.digits, pw);
    st.part = { f: s.hi, d: s.hiDigits };
    return { f: s.lo, d: s.loDigits };
  },
  /** Digits of the part kept by piSplit, or of the one given. */
  async digits(st: LaneState, x: { part?: { f: Fraction; d: number } }, h: LaneHooks): Promise<string> {
    const part = x.part ?? need(st.part, 'part');
    const pw = need(st.powers, 'powers');
    st.part = st.powers = undefined;
    if (part.d === 0) return '';
    return h.pause ? fractionDigitsAsync(part.f, part.d, pw, h.pause) : fractionDigits(part.f, part.d, pw);
  },
};

export type LaneOp = keyof typeof laneOps;
