// The first 100,000 decimals equal tests/fixtures/pi-100k.txt on every path: sync, two threads, calling thread.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { computePiDecimals, computePiDecimalsSync } from '../../workers/pi/index.js';

const fixture = readFileSync(new URL('../fixtures/pi-100k.txt', import.meta.url), 'utf8').trim();
const N = 100_000;

t.test('the fixture is "3." and 100,000 decimals', async (t) => {
  t.equal(fixture.length, N + 2);
  t.equal(fixture.slice(0, 2), '3.');
});

t.test('sync', async (t) => {
  t.equal(computePiDecimalsSync(N), fixture.slice(2));
});

t.test('two worker threads', async (t) => {
  t.equal(await computePiDecimals(N, { threads: 2 }), fixture.slice(2));
});

t.test('calling thread (threads: 1)', async (t) => {
  t.equal(await computePiDecimals(N, { threads: 1 }), fixture.slice(2));
});

t.test('threaded, n not a round number', async (t) => {
  t.equal(await computePiDecimals(77_777), fixture.slice(2, 2 + 77_777));
});
