// Every n from 1 to 2,000 gives the prefix of the 2,000-decimal result: truncated, never rounded.
import t from 'tap';
import { computePiDecimals, computePiDecimalsSync } from '../../workers/pi/index.js';

const long = computePiDecimalsSync(2000);

t.test('the first decimals', async (t) => {
  t.equal(computePiDecimalsSync(1), '1');
  t.equal(computePiDecimalsSync(2), '14');
  t.equal(computePiDecimalsSync(5), '14159'); // 3.141592...: truncated, not 14160
  t.equal(long.slice(0, 20), '14159265358979323846');
});

t.test('sync: every n is a prefix', async (t) => {
  const bad: number[] = [];
  for (let n = 1; n <= 2000; n++) if (computePiDecimalsSync(n) !== long.slice(0, n)) bad.push(n);
  t.same(bad, []);
});

t.test('async on the calling thread: every 7th n is a prefix', async (t) => {
  const bad: number[] = [];
  for (let n = 1; n <= 2000; n += 7) if ((await computePiDecimals(n)) !== long.slice(0, n)) bad.push(n);
  t.same(bad, []);
});
