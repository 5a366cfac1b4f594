// Progress: fractions in 0..1, never decreasing, reported while it runs and ending at 1, threaded or not.
import t from 'tap';
import { computePiDecimals } from '../../workers/pi/index.js';

for (const threads of [2, 1]) {
  t.test(`threads: ${threads}`, async (t) => {
    const seen: number[] = [];
    await computePiDecimals(150_000, { threads, onProgress: (f) => seen.push(f) });
    t.ok(seen.length >= 2, `several reports (${seen.length})`);
    t.ok(seen.every((f) => f >= 0 && f <= 1), 'in 0..1');
    t.ok(seen.every((f, i) => i === 0 || f > seen[i - 1]!), 'increasing');
    t.equal(seen[seen.length - 1], 1, 'ends at 1');
    t.ok(seen.some((f) => f > 0 && f < 1), 'something in between');
  });
}

t.test('small n still ends at 1', async (t) => {
  const seen: number[] = [];
  await computePiDecimals(50, { onProgress: (f) => seen.push(f) });
  t.equal(seen[seen.length - 1], 1);
});
