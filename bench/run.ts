// `make bench`: rawpi vs node:http on the same application code, then memory and scale, then the pi engine vs
// CLN's pi (bench/pi-bench.ts). Writes latest.md, latest.svg and latest.json to bench/results/ (or --out DIR).
// `--smoke` is the short version `make test` runs so the scripts cannot rot; its numbers mean nothing.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENTS, CLIENT_LABELS, measure, missing, type ClientContext, type ClientId, type Target } from './clients.js';
import { idleConnections, rssGrowth } from './memory.js';
import { cpuSeconds, pinning, run, sleep } from './proc.js';
import { markdown, summarize, writeResults, type BenchResults, type RunRecord } from './report.js';
import { ROUTES, SMOKE_ROUTES, type Route } from './routes.js';
import type { ServerKind } from './serve-common.js';
import { seedDatabase } from './seed.js';
import { killServers, startServer, type RunningServer, type Suite } from './servers.js';

export interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  routes: string[];
  clients: ClientId[];
  idle: number;
  requests: number;
  memory: boolean;
  pi: boolean;
  smoke: boolean;
  out: string;
}

const RESULTS_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../bench/results/' : './results/', import.meta.url));
const PI_BENCH = fileURLToPath(new URL('./pi-bench.js', import.meta.url));

export const USAGE = `usage: node dist/bench/run.js [options]   (make bench ARGS="...")
  --duration S     seconds per route, client and server (default 4; --smoke: 1)
  --rounds N       rounds, servers alternating rawpi, node:http in each (default 3; --smoke: 1)
  --warmup S       seconds of warm-up per route after each server start (default 1; --smoke: 0)
  --routes LIST    comma-separated, of: ${ROUTES.map((r) => r.id).join(', ')} (default all; --smoke: ${SMOKE_ROUTES.join(',')})
  --clients LIST   comma-separated, of: ${CLIENTS.join(', ')} (default all)
  --idle N         idle keep-alive connections held for the memory test (default 10000; --smoke: 100)
  --requests N     requests for the RSS growth test, in ten steps (default 1000000; --smoke: 4000, in two)
  --no-memory      skip the memory tests
  --no-pi          skip bench/pi-bench.js (--smoke skips it)
  --smoke          one very short round, to check that everything runs
  --out DIR        where to write latest.md, latest.svg, latest.json (default bench/results; --smoke: a temp dir)
`;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): Options {
  const smoke = argv.includes('--smoke');
  const o: Options = {
    duration: smoke ? 1 : 4, rounds: smoke ? 1 : 3, warmup: smoke ? 0 : 1,
    routes: smoke ? [...SMOKE_ROUTES] : ROUTES.map((r) => r.id), clients: [...CLIENTS],
    idle: smoke ? 100 : 10_000, requests: smoke ? 4000 : 1_000_000, memory: true, pi: !smoke, smoke, out: '',
  };
  const int = (flag: string, v: string | undefined, min: number): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} expects a whole number ≥ ${min}, got ${v ?? 'nothing'}`);
    return Number(v);
  };
  const list = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] => {
    const items = (v ?? '').split(',').filter((s) => s !== '');
    const bad = items.filter((s) => !allowed.includes(s as T));
    if (items.length === 0 || bad.length > 0) throw new UsageError(`${flag} expects a comma-separated list of ${allowed.join(', ')}; got ${v ?? 'nothing'}`);
    return items as T[];
  };
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i]!.indexOf('=');
    const flag = eq > 0 ? argv[i]!.slice(0, eq) : argv[i]!;
    const value = () => (eq > 0 ? argv[i]!.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--smoke': break;
      case '--duration': o.duration = int(flag, value(), 1); break;
      case '--rounds': o.rounds = int(flag, value(), 1); break;
      case '--warmup': o.warmup = int(flag, value(), 0); break;
      case '--routes': o.routes = list(flag, value(), ROUTES.map((r) => r.id)); break;
      case '--clients': o.clients = list(flag, value(), CLIENTS); break;
      case '--idle': o.idle = int(flag, value(), 1); break;
      case '--requests': o.requests = int(flag, value(), 10); break;
      case '--no-memory': o.memory = false; break;
      case '--no-pi': o.pi = false; break;
      case '--out': o.out = value() ?? ''; break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option ${argv[i]}`);
    }
  }
  if (o.out === '') o.out = smoke ? mkdtempSync(join(os.tmpdir(), 'rawpi-bench-smoke-')) : RESULTS_DIR;
  return o;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const KINDS: readonly ServerKind[] = ['rawpi', 'node'];
/** The hello suite also measures the bare net responder: the ceiling both servers are compared with. */
const KINDS_BY_SUITE: Record<Suite, readonly ServerKind[]> = { hello: [...KINDS, 'bare'], app: KINDS };

function url(server: RunningServer, route: Route): string { return `${server.base}${route.path}`; }

function target(server: RunningServer, route: Route): Target {
  return { url: url(server, route), method: route.method, body: route.body, contentType: route.contentType };
}

/** One request per route before measuring: the right status and length, or the session is not worth measuring. */
async function verify(server: RunningServer, routes: readonly Route[]): Promise<void> {
  for (const route of routes) {
    const res = await fetch(url(server, route), { method: route.method, body: route.body, headers: route.contentType ? { 'content-type': route.contentType } : {} });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== route.expect.status || (route.expect.bodyLength !== undefined && body.length !== route.expect.bodyLength)) {
      throw new Error(`${server.kind} ${route.method} ${route.path}: ${res.status}, ${body.length} bytes; expected ${route.expect.status}${route.expect.bodyLength !== undefined ? `, ${route.expect.bodyLength} bytes` : ''}: ${body.subarray(0, 200).toString()}`);
    }
  }
}

export async function runBench(o: Options, command: string, loadBefore: number[] = os.loadavg()): Promise<{ results: BenchResults; files: { json: string; md: string; svg: string } }> {
  const started = new Date();
  const tmp = mkdtempSync(join(os.tmpdir(), 'rawpi-bench-'));
  const interrupted = (signal: NodeJS.Signals) => {
    log(`bench: ${signal}: stopping the servers`);
    killServers();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const pin = pinning();
    const ctx: ClientContext = { core: pin.client, tmp };
    const skipped: string[] = [];
    const clients = o.clients.filter((c) => {
      const why = missing(c);
      if (why !== null) skipped.push(`${CLIENT_LABELS[c]}: ${why}`);
      return why === null;
    });
    const routes = ROUTES.filter((r) => o.routes.includes(r.id));
    const database = join(tmp, 'bench.sqlite');
    if (routes.some((r) => r.suite === 'app') || o.memory) log(`seeded ${database}: ${await seedDatabase(database)} jobs, 100,000 decimals`);
    log(`${pin.note}; ${o.rounds} round(s) × ${routes.length} route(s) × ${clients.length} client(s) × 2 servers (3 for hello: the bare responder too) × ${o.duration} s`);

    const runs: RunRecord[] = [];
    const warmer: ClientId | null = clients.includes('wrk') ? 'wrk' : clients.includes('ac-p1') ? 'ac-p1' : clients[0] ?? null;
    for (let round = 1; round <= o.rounds; round++) {
      for (const suite of ['hello', 'app'] as Suite[]) {
        const suiteRoutes = routes.filter((r) => r.suite === suite);
        if (suiteRoutes.length === 0) continue;
        // Both servers are up (idle ones cost nothing) and take turns cell by cell, rawpi then node:http, so that
        // whatever else the machine does drifts over both alike; each round starts fresh processes.
        const servers = new Map<ServerKind, RunningServer>();
        const broken = new Map<ServerKind, string>();
        try {
          for (const kind of KINDS_BY_SUITE[suite]) servers.set(kind, await startServer({ suite, kind, database, core: pin.server }));
          for (const [kind, server] of servers) {
            try {
              await verify(server, ROUTES.filter((r) => r.suite === suite)); // all of them: cheap, and checks the adapter
            } catch (err) {
              broken.set(kind, (err as Error).message);
              log(`[round ${round}] ${(err as Error).message}`);
            }
          }
          if (o.warmup > 0 && warmer !== null) {
            for (const route of suiteRoutes) {
              for (const [kind, server] of servers) if (!broken.has(kind)) await measure(warmer, target(server, route), o.warmup, ctx);
            }
          }
          for (const route of suiteRoutes) {
            for (const client of clients) {
              for (const [kind, server] of servers) {
                const record: RunRecord = { route: route.id, client, server: kind, round };
                if (broken.has(kind)) record.error = broken.get(kind)!;
                else {
                  try {
                    const cpuBefore = cpuSeconds(server.pid);
                    record.m = await measure(client, target(server, route), o.duration, ctx);
                    const cpuAfter = cpuSeconds(server.pid);
                    if (cpuBefore !== null && cpuAfter !== null) record.serverCpuSeconds = cpuAfter - cpuBefore;
                  } catch (err) {
                    record.error = (err as Error).message.slice(0, 500);
                  }
                }
                runs.push(record);
                const m = record.m;
                log(`[round ${round}/${o.rounds}] ${kind.padEnd(5)} ${route.label.padEnd(28)} ${CLIENT_LABELS[client].padEnd(24)} ${m === undefined ? `FAILED: ${record.error}` : `${Math.round(m.rps).toLocaleString('en-US').padStart(8)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  errors ${m.errors}`}`);
                await sleep(250);
              }
            }
          }
        } finally {
          for (const server of servers.values()) await server.stop();
        }
      }
    }

    const memory: BenchResults['memory'] = { idle: [], growth: [] };
    if (!o.memory) memory.skipped = '--no-memory';
    else {
      for (const kind of KINDS) {
        const r = await idleConnections(kind, database, o.idle, pin.server, ctx);
        log(`${kind}: ${r.open} idle connections open (${r.failed} failed): RSS ${(r.rssBeforeBytes / 2 ** 20).toFixed(1)} → ${(r.rssAfterBytes / 2 ** 20).toFixed(1)} MB`);
        memory.idle.push(r);
      }
      for (const kind of KINDS) {
        const g = await rssGrowth(kind, database, o.requests, o.smoke ? 2 : 10, pin.server, ctx);
        log(`${kind}: RSS over ${o.requests} requests (MB): ${g.samples.map((s) => (s.rssBytes / 2 ** 20).toFixed(0)).join(' ')}; errors ${g.errors}`);
        memory.growth.push(g);
      }
    }

    let pi: BenchResults['pi'];
    if (!o.pi) pi = { skipped: o.smoke ? 'not part of --smoke' : '--no-pi' };
    else if (!existsSync(PI_BENCH)) pi = { skipped: `${relative(process.cwd(), PI_BENCH)} does not exist (bench/pi-bench.ts not written yet?)` };
    else {
      log('pi: node dist/bench/pi-bench.js');
      const t0 = performance.now();
      const r = await run([process.execPath, PI_BENCH], { timeoutMs: 10 * 60_000 });
      const output = r.stdout + (r.stderr.trim() !== '' ? `\n[stderr]\n${r.stderr}` : '') + (r.timedOut ? '\n[killed after 10 minutes]' : '');
      pi = { command: 'node dist/bench/pi-bench.js', code: r.code, seconds: (performance.now() - t0) / 1000, output };
      process.stderr.write(r.stdout);
    }

    const results: BenchResults = {
      started: started.toISOString(), finished: new Date().toISOString(), command,
      machine: {
        cores: os.cpus().length, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version,
        os: `${os.type()} ${os.release()} ${os.arch()}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadBefore, loadAfter: os.loadavg(),
      },
      pinning: pin.note,
      options: { duration: o.duration, rounds: o.rounds, warmup: o.warmup, routes: o.routes, clients: o.clients, smoke: o.smoke, idle: o.idle, requests: o.requests },
      runs, skipped, memory, pi,
    };
    return { results, files: writeResults(o.out, results) };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message !== '') process.stderr.write(`bench: ${err.message}\n`);
    (err.message === '' ? process.stdout : process.stderr).write(USAGE);
    process.exit(err.message === '' ? 0 : 2);
  }
  const loadBefore = os.loadavg();
  if (loadBefore[0]! > 1.5 && !o.smoke) log(`note: the load average is ${loadBefore[0]!.toFixed(2)}; other processes will disturb the numbers`);
  const { results, files } = await runBench(o, ['node dist/bench/run.js', ...process.argv.slice(2)].join(' '), loadBefore);
  process.stdout.write(`${markdown(results, summarize(results))}\nwritten: ${files.md}, ${files.svg}, ${files.json}\n`);
  const failed = results.runs.filter((r) => r.error !== undefined).length;
  if (failed > 0) {
    log(`bench: ${failed} run(s) failed`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
