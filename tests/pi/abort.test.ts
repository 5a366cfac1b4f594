// Abort: an aborted signal rejects with an AbortError, before or during the computation, threaded or not;
// the engine works again afterwards.
import t from 'tap';
import { computePiDecimals, computePiDecimalsSync } from '../../workers/pi/index.js';

t.test('already aborted', async (t) => {
  const c = new AbortController();
  c.abort('cancel');
  await t.rejects(computePiDecimals(10, { signal: c.signal }), { name: 'AbortError' });
});

for (const threads of [2, 1]) {
  t.test(`aborted during the series, threads: ${threads}`, async (t) => {
    const c = new AbortController();
    const run = computePiDecimals(threads === 2 ? 3_000_000 : 300_000, {
      threads,
      signal: c.signal,
      onProgress: (f) => { if (f > 0 && f < 1) c.abort('stop'); },
    });
    await t.rejects(run, { name: 'AbortError' });
    t.ok(c.signal.aborted);
  });
}

t.test('works again after an abort', async (t) => {
  t.equal(await computePiDecimals(40_000), computePiDecimalsSync(40_000));
});
