// How busy the load generator kept its own core (bench/proc.ts busyShare, run's busyAfterMs) and how the report uses
// it: a client at its limit is named in the goals, so a ratio that measures the client is not read as the server's.
import t from 'tap';
import { busyShare, run } from '../../bench/proc.js';
import { goals, summarize, type BenchResults, type RunRecord } from '../../bench/report.js';
import type { Measurement } from '../../bench/clients.js';

t.test('busyShare: CPU seconds per second over the samples after the start-up', async (t) => {
  const samples = [
    { atMs: 100, cpuSeconds: 0.09 }, // start-up: loading the program, skipped
    { atMs: 500, cpuSeconds: 0.2 },
    { atMs: 1000, cpuSeconds: 0.45 },
    { atMs: 1500, cpuSeconds: 0.7 },
  ];
  const near = (x: number | null, want: number) => x !== null && Math.abs(x - want) < 1e-9;
  t.ok(near(busyShare(samples, 400), 0.5), 'half a core from 500 ms to 1500 ms');
  t.ok(near(busyShare(samples, 0), (0.7 - 0.09) / 1.4), 'from the first sample when nothing is skipped');
  t.equal(busyShare(samples, 1200), null, 'one sample after the start-up: no span to judge');
  t.equal(busyShare([{ atMs: 500, cpuSeconds: 0.2 }, { atMs: 650, cpuSeconds: 0.3 }], 0), null, 'less than 200 ms of span: null, not a guess from a tick or two');
  t.equal(busyShare([], 0), null, 'no samples (the process ended at once): null');
});

t.test('run() with busyAfterMs: a process that only waits keeps its core idle', async (t) => {
  const r = await run([process.execPath, '-e', 'setTimeout(() => {}, 1200)'], { timeoutMs: 30_000, busyAfterMs: 500 });
  t.equal(r.code, 0, 'the waiting process exits 0');
  t.type(r.busy, 'number', 'its busy share was read');
  t.ok(r.busy! < 0.3, `a sleeping process is far from a busy core (${r.busy})`);
  const plain = await run([process.execPath, '-e', ''], { timeoutMs: 30_000 });
  t.equal(plain.busy, null, 'not asked: not read');
});

function measurement(rps: number, clientBusy: number | null): Measurement {
  return { requests: rps * 4, seconds: 4, rps, p50Ms: 1, p99Ms: 2, errors: 0, detail: {}, command: 'autocannon', clientBusy };
}

function results(rawpiClientBusy: number | null): BenchResults {
  const runs: RunRecord[] = [
    { route: 'hello', client: 'ac-p10', server: 'rawpi', round: 1, m: measurement(80_000, rawpiClientBusy), serverCpuSeconds: 3.6 },
    { route: 'hello', client: 'ac-p10', server: 'node', round: 1, m: measurement(50_000, 0.9), serverCpuSeconds: 3.9 },
  ];
  return {
    started: '2026-11-24T00:00:00Z', finished: '2026-11-24T00:01:00Z', command: 'test',
    machine: { cores: 2, cpu: 'test', node: 'v20', os: 'linux', memoryGiB: 1, loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] },
    pinning: 'test',
    options: { duration: 4, rounds: 1, warmup: 0, routes: ['hello'], clients: ['ac-p10'], smoke: false, idle: 0, requests: 0 },
    runs, skipped: [], memory: { idle: [], growth: [] }, pi: { skipped: 'test' },
  };
}

t.test('the -p10 goal says when the load generator, not the server, was the limit', async (t) => {
  const at = (busy: number | null) => {
    const r = results(busy);
    return goals(r, summarize(r)).find((g) => g.goal.includes('-p10'))!;
  };
  const bound = at(0.99);
  t.equal(bound.measured, '1.60×; the load generator\'s core was 99 % busy with rawpi: the client set the pace', 'a client at 99 % is named');
  t.equal(bound.met, false, 'the goal is still judged by the ratio: a client limit explains a miss, it does not excuse it');
  t.equal(at(0.8).measured, '1.60×', 'a client with room to spare is not mentioned');
  t.equal(at(null).measured, '1.60×', 'nor one whose CPU was not read');
});

t.test('a goal over many cells names each cell under its target, what limited it, and the ceiling', async (t) => {
  const r = results(null);
  r.options.routes = ['hello', 'index', 'static'];
  r.options.clients = ['ac-p10', 'wrk', 'ab'];
  r.runs = [
    // GET /: the client at 100 % with both servers, rawpi doing less work per request.
    { route: 'index', client: 'ac-p10', server: 'rawpi', round: 1, m: measurement(8_700, 1), serverCpuSeconds: 8_700 * 4 * 40e-6 },
    { route: 'index', client: 'ac-p10', server: 'node', round: 1, m: measurement(10_000, 1), serverCpuSeconds: 10_000 * 4 * 50e-6 },
    // GET / under wrk: under the target, the client with room to spare.
    { route: 'index', client: 'wrk', server: 'rawpi', round: 1, m: measurement(12_000, 0.5), serverCpuSeconds: 12_000 * 4 * 80e-6 },
    { route: 'index', client: 'wrk', server: 'node', round: 1, m: measurement(10_000, 0.4), serverCpuSeconds: 10_000 * 4 * 96e-6 },
    // A static file: over the target, so not named.
    { route: 'static', client: 'wrk', server: 'rawpi', round: 1, m: measurement(20_000, 0.5), serverCpuSeconds: 3 },
    { route: 'static', client: 'wrk', server: 'node', round: 1, m: measurement(10_000, 0.5), serverCpuSeconds: 3 },
    // A connection per request, with the bare responder beside both.
    { route: 'hello', client: 'ab', server: 'rawpi', round: 1, m: measurement(11_000, null), serverCpuSeconds: 4 },
    { route: 'hello', client: 'ab', server: 'node', round: 1, m: measurement(10_000, null), serverCpuSeconds: 4 },
    { route: 'hello', client: 'ab', server: 'bare', round: 1, m: measurement(14_000, null), serverCpuSeconds: 4 },
    { route: 'index', client: 'ab', server: 'rawpi', round: 1, m: measurement(5_000, null), serverCpuSeconds: 4 },
    { route: 'index', client: 'ab', server: 'node', round: 1, m: measurement(5_000, null), serverCpuSeconds: 4 },
    // The hello route under wrk, one cell, with the bare responder beside it.
    { route: 'hello', client: 'wrk', server: 'rawpi', round: 1, m: measurement(15_000, 0.6), serverCpuSeconds: 4 },
    { route: 'hello', client: 'wrk', server: 'node', round: 1, m: measurement(10_000, 0.5), serverCpuSeconds: 4 },
    { route: 'hello', client: 'wrk', server: 'bare', round: 1, m: measurement(20_000, 0.7), serverCpuSeconds: 4 },
  ];
  const all = goals(r, summarize(r));
  const full = all.find((g) => g.goal.startsWith('full app'))!;
  t.equal(full.met, false, 'two cells under 1.3×: missed');
  t.equal(full.measured, 'worst 0.87× (GET / (100 jobs), ac-p10) of 3; under 1.3×: GET / (100 jobs) ac-p10 0.87× (load generator 100 % busy; CPU per request node:http/rawpi 1.25×), GET / (100 jobs) wrk 1.20× (CPU per request node:http/rawpi 1.20×)',
    'each miss is named with its client limit and the servers\' work per request; the cell over the target is not');
  const ab = all.find((g) => g.goal.startsWith('ab'))!;
  t.equal(ab.measured, 'worst 1.00× (GET / (100 jobs), ab) of 2; under 1.3×: hello app: GET / ab 1.10× (CPU per request node:http/rawpi 1.10×), GET / (100 jobs) ab 1.00× (CPU per request node:http/rawpi 1.00×); the bare responder (the ceiling): 1.40×',
    'the ceiling is said beside the misses: what no server on Node\'s sockets could beat here');
  const wrk = all.find((g) => g.goal.includes('under wrk'))!;
  t.equal(wrk.measured, '1.50×; the bare responder (the ceiling): 2.00×', 'a one-cell goal says its ceiling too');
  const p10 = all.find((g) => g.goal.includes('-p10'))!;
  t.equal(p10.measured, 'not measured', 'a goal without its cells is not measured');
});
