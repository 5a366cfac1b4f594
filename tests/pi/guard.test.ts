// Guard digits: inconclusive ones (all 9 or all 0) make the engine compute again with more; forced here with a tiny
// guard at places where pi has 999 or 000 right after n (the Feynman point: 999999 from decimal 762).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { settleGuard, nextGuard } from '../../workers/pi/guard.js';
import { computePiDecimalsSyncWith } from '../../workers/pi/sync.js';
import { computePiDecimalsWith } from '../../workers/pi/compute.js';

const pi = readFileSync(new URL('../fixtures/pi-100k.txt', import.meta.url), 'utf8').trim().slice(2);

t.test('settleGuard', async (t) => {
  t.equal(settleGuard('1415926', 4), '1415');
  t.equal(settleGuard('1415999', 4), null);
  t.equal(settleGuard('1415000', 4), null);
  t.equal(settleGuard('1415909', 4), '1415');
  t.equal(settleGuard('1415', 4), null);
  t.ok(nextGuard(3) > 3);
});

t.test('the fixture has the runs used below', async (t) => {
  t.equal(pi.slice(761, 767), '999999');
  t.equal(pi.slice(600, 603), '000');
  t.equal(pi.slice(31899, 31903), '9999');
  t.equal(pi.slice(37321, 37325), '0000');
});

t.test('sync: all-9 guard at the Feynman point is recomputed', async (t) => {
  const guards: number[] = [];
  t.equal(computePiDecimalsSyncWith(761, 3, (g) => guards.push(g)), pi.slice(0, 761));
  t.same(guards, [3, nextGuard(3)]);
});

t.test('sync: all-0 guard is recomputed', async (t) => {
  const guards: number[] = [];
  t.equal(computePiDecimalsSyncWith(600, 3, (g) => guards.push(g)), pi.slice(0, 600));
  t.equal(guards.length, 2);
});

t.test('a conclusive guard is not recomputed', async (t) => {
  const guards: number[] = [];
  t.equal(computePiDecimalsSyncWith(758, 3, (g) => guards.push(g)), pi.slice(0, 758));
  t.same(guards, [3]);
});

t.test('async on two threads: all-9 and all-0 guards are recomputed', async (t) => {
  for (const n of [31899, 37321]) {
    const guards: number[] = [];
    t.equal(await computePiDecimalsWith(n, { threads: 2 }, 4, (g) => guards.push(g)), pi.slice(0, n), `n=${n}`);
    t.equal(guards.length, 2, `n=${n} computed twice`);
  }
});

t.test('async on the calling thread: all-9 guard is recomputed', async (t) => {
  const guards: number[] = [];
  t.equal(await computePiDecimalsWith(761, { threads: 1 }, 3, (g) => guards.push(g)), pi.slice(0, 761));
  t.equal(guards.length, 2);
});
