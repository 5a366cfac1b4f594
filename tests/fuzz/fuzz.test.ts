// The short fuzz run of `make test`: 10^4 seeded inputs (mutated llhttp corpus cases, splices, generated and
// pipelined requests, random bytes) through the sans-IO parser and through a live server. The long run
// (10^6) is `make reliability ARGS=fuzz` (bench/reliability/fuzz.ts). Any failing input can be printed with
// `node dist/bench/reliability/fuzz.js --seed 1 --show INDEX`.

import t from 'tap';
import { fuzzLive, fuzzParser, gcFunction } from '../../bench/reliability/fuzz.js';
import { rawExchange, startLiveApp } from '../reliability/fixtures/live-app.js';

const SEED = 1;
const INPUTS = 10_000;
const HEAP_GROWTH_MB = 48; // generous: the bound catches a leak per input, not noise

const show = (f: { index: number; kind: string; problem: string; bytes: string }) =>
  `#${f.index} (${f.kind}): ${f.problem.slice(0, 300)} | input ${JSON.stringify(f.bytes.slice(0, 200))}`;

t.test(`the parser: ${INPUTS} inputs, no crash, no hang, the same outcome however the bytes are split`, async (t) => {
  const stats = fuzzParser({ seed: SEED, count: INPUTS });
  t.equal(stats.inputs, INPUTS);
  t.same(stats.failures.slice(0, 5).map(show), [], `no failures (${stats.failures.length})`);
  t.same(stats.statusSplits.slice(0, 3).map(show), [], 'the status does not depend on how the bytes were split');
  t.ok(stats.heapAfterMb - stats.heapBeforeMb < HEAP_GROWTH_MB, `heap ${stats.heapBeforeMb.toFixed(1)} -> ${stats.heapAfterMb.toFixed(1)} MB`);
  t.comment(`outcomes: ${JSON.stringify(stats.outcomes)}; ${stats.events} events`);
});

t.test(`a live server: ${INPUTS} inputs, every answer whole HTTP responses or a clean close, every connection closed`, async (t) => {
  const app = await startLiveApp({ server: { timeouts: { headersTimeoutMs: 1000, keepAliveTimeoutMs: 1000, bodyTimeoutMs: 1000 } } });
  t.teardown(() => app.stop());
  const gc = gcFunction();
  // Warm up with other inputs, then read the heap (this process holds both the server and the clients).
  await fuzzLive(app.port, { seed: SEED ^ 0x5a5a, count: 500, concurrency: 32 });
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed / 1024 / 1024;
  const stats = await fuzzLive(app.port, { seed: SEED, count: INPUTS, concurrency: 32, holdEvery: 250, maxWaitMs: 15_000 });
  t.equal(stats.inputs, INPUTS);
  t.same(stats.failures.slice(0, 5).map((f) => `${show(f)} | answer ${JSON.stringify(f.answer.slice(0, 200))}`), [], `no failures (${stats.failures.length})`);
  // Every connection is gone (the held ones by the server's own timeouts).
  const deadline = Date.now() + 10_000;
  while (app.server.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(app.server.connectionCount, 0, 'no connection left open');
  const health = await rawExchange(app.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.match(health.raw.toString('latin1'), /^HTTP\/1\.1 200 /, 'the server still answers');
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed / 1024 / 1024;
  t.ok(heapAfter - heapBefore < HEAP_GROWTH_MB, `heap ${heapBefore.toFixed(1)} -> ${heapAfter.toFixed(1)} MB`);
  t.comment(`${stats.responses} responses ${JSON.stringify(stats.byStatus)}, ${stats.silentCloses} silent closes, ${stats.resets} resets, ${(stats.ms / 1000).toFixed(1)} s`);
});
