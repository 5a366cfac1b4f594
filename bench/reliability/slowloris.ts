// Slowloris: many connections send a request head one byte at a time and never finish it, while a normal
// client keeps asking for /healthz. The server's header deadline (--headers-timeout) must close every slow
// connection (408 or a close), and the normal client must keep being served meanwhile.
//
//   node dist/bench/reliability/slowloris.js [--connections 1000] [--byte-interval 1000] [--headers-timeout 5000]
// starts the real server (dist/app/main.js --workers 0 --headers-timeout 5000), runs the attack on 127.0.0.1,
// and prints the normal client's latency percentiles while the slow connections are attached.

import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from './lib/paths.js';
import { percentile } from './lib/metrics.js';
import { checkResponseStream, rawExchange } from './lib/raw.js';

export interface SlowConnection {
  openedAt: number;
  closedAt: number | null;
  bytesSent: number;
  answer: string;
  reset: boolean;
}

export interface SlowlorisReport {
  connections: number;
  /** Slow connections that were opened (connected). */
  opened: number;
  /** Closed by the server with a 408 response. */
  closedWith408: number;
  /** Closed by the server with no response (or another status). */
  closedOtherwise: number;
  /** Still open when the run ended: the deadline did not work. */
  stillOpen: number;
  /** Could not even connect. */
  refused: number;
  /** Time from connect to close, ms: median and max. */
  closeAfterMedianMs: number;
  closeAfterMaxMs: number;
  /** The normal client while every slow connection was attached, and over the whole run. */
  normal: { requests: number; failures: number; attached: { requests: number; p50: number; p99: number; max: number }; all: { p50: number; p99: number; max: number } };
  ms: number;
}

export interface SlowlorisOptions {
  port: number;
  connections: number;
  /** ms between two bytes of a slow connection. */
  byteIntervalMs: number;
  /** The server's --headers-timeout: the run waits this long plus `graceMs` for the last close. */
  headersTimeoutMs: number;
  graceMs?: number;
  /** How many slow connections to open at once while ramping up. */
  openBatch?: number;
  /** Pause between two normal requests, ms. */
  normalPauseMs?: number;
  /** The normal client's path. */
  normalPath?: string;
}

const SLOW_HEAD = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ';

function openSlow(port: number, byteIntervalMs: number, conns: SlowConnection[]): Promise<boolean> {
  return new Promise((resolve) => {
    const c: SlowConnection = { openedAt: 0, closedAt: null, bytesSent: 0, answer: '', reset: false };
    const socket = net.connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      c.openedAt = performance.now();
      conns.push(c);
      resolve(true);
      const tick = () => {
        if (c.closedAt !== null) return;
        const byte = c.bytesSent < SLOW_HEAD.length ? SLOW_HEAD[c.bytesSent]! : 'a';
        socket.write(byte);
        c.bytesSent++;
        timer = setTimeout(tick, byteIntervalMs);
      };
      tick();
    });
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { if (c.answer.length < 200) c.answer += d; });
    socket.on('error', () => { c.reset = true; if (c.openedAt === 0) resolve(false); });
    socket.on('close', () => {
      clearTimeout(timer);
      if (c.openedAt !== 0 && c.closedAt === null) c.closedAt = performance.now();
    });
    slowSockets.add(socket);
    socket.on('close', () => slowSockets.delete(socket));
  });
}
const slowSockets = new Set<net.Socket>();

/** One request on a new connection (the shared raw client); resolves with the latency in ms, or null if it failed. */
async function normalRequest(port: number, path: string, timeoutMs: number): Promise<number | null> {
  const r = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: timeoutMs });
  const check = checkResponseStream(r.raw);
  return r.closed && check.ok && check.responses[0]?.status === 200 ? r.ms : null;
}

export async function slowloris(opts: SlowlorisOptions): Promise<SlowlorisReport> {
  const started = performance.now();
  const conns: SlowConnection[] = [];
  let refused = 0;
  let stop = false;
  const latencies: Array<{ at: number; ms: number }> = [];
  let normalFailures = 0;
  const normal = (async () => {
    while (!stop) {
      const at = performance.now();
      const ms = await normalRequest(opts.port, opts.normalPath ?? '/healthz', 10_000);
      if (ms === null) normalFailures++;
      else latencies.push({ at, ms });
      await new Promise((r) => setTimeout(r, opts.normalPauseMs ?? 10));
    }
  })();

  // Ramp up in batches, so the listen backlog is not what is being measured.
  const batch = opts.openBatch ?? 100;
  for (let i = 0; i < opts.connections; i += batch) {
    const results = await Promise.all(Array.from({ length: Math.min(batch, opts.connections - i) }, () => openSlow(opts.port, opts.byteIntervalMs, conns)));
    refused += results.filter((ok) => !ok).length;
  }
  const allAttached = performance.now();

  // Wait for the deadline to close them all (or give up after the timeout plus grace).
  const deadline = allAttached + opts.headersTimeoutMs + (opts.graceMs ?? 5000);
  while (performance.now() < deadline && conns.some((c) => c.closedAt === null)) await new Promise((r) => setTimeout(r, 50));
  const firstClose = Math.min(...conns.map((c) => c.closedAt ?? Number.POSITIVE_INFINITY));
  stop = true;
  await normal;
  for (const s of slowSockets) s.destroy();

  const closed = conns.filter((c) => c.closedAt !== null);
  const closeAfter = closed.map((c) => c.closedAt! - c.openedAt);
  const attached = latencies.filter((l) => l.at >= allAttached && l.at + l.ms <= firstClose).map((l) => l.ms);
  const all = latencies.map((l) => l.ms);
  return {
    connections: opts.connections,
    opened: conns.length,
    closedWith408: closed.filter((c) => c.answer.startsWith('HTTP/1.1 408 ')).length,
    closedOtherwise: closed.filter((c) => !c.answer.startsWith('HTTP/1.1 408 ')).length,
    stillOpen: conns.length - closed.length,
    refused,
    closeAfterMedianMs: percentile(closeAfter, 50),
    closeAfterMaxMs: percentile(closeAfter, 100),
    normal: {
      requests: latencies.length + normalFailures,
      failures: normalFailures,
      attached: { requests: attached.length, p50: percentile(attached, 50), p99: percentile(attached, 99), max: percentile(attached, 100) },
      all: { p50: percentile(all, 50), p99: percentile(all, 99), max: percentile(all, 100) },
    },
    ms: performance.now() - started,
  };
}

export function describe(r: SlowlorisReport): string {
  const f = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));
  return [
    `${r.connections} slow connections: ${r.opened} opened, ${r.refused} refused; closed by the server: ${r.closedWith408} with 408, ${r.closedOtherwise} otherwise; ${r.stillOpen} still open`,
    `closed ${f(r.closeAfterMedianMs)} ms after connecting (median), ${f(r.closeAfterMaxMs)} ms at most`,
    `normal client: ${r.normal.requests} requests, ${r.normal.failures} failed; while all slow connections were attached: ${r.normal.attached.requests} requests, p50 ${f(r.normal.attached.p50)} ms, p99 ${f(r.normal.attached.p99)} ms, max ${f(r.normal.attached.max)} ms; whole run p99 ${f(r.normal.all.p99)} ms`,
  ].join('\n');
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

export async function slowlorisMain(args: string[]): Promise<{ report: SlowlorisReport; ok: boolean }> {
  const connections = argValue(args, '--connections', 1000);
  const byteIntervalMs = argValue(args, '--byte-interval', 1000);
  const headersTimeoutMs = argValue(args, '--headers-timeout', 5000);
  const { startRawpi } = await import('./lib/rawpi-process.js');
  const dir = mkdtempSync(join(tmpdir(), 'rawpi-slowloris-'));
  const server = await startRawpi({ databaseUrl: join(dir, 'db.sqlite'), workers: 0, args: ['--headers-timeout', String(headersTimeoutMs)] });
  try {
    process.stderr.write(`slowloris: ${connections} connections, a byte every ${byteIntervalMs} ms, against ${server.url} (--headers-timeout ${headersTimeoutMs})\n`);
    const report = await slowloris({ port: server.port, connections, byteIntervalMs, headersTimeoutMs });
    process.stderr.write(`${describe(report)}\n`);
    const ok = report.stillOpen === 0 && report.normal.failures === 0 && report.opened === connections;
    process.stderr.write(`slowloris: ${ok ? 'ok' : 'FAILED'}; goal p99 < 100 ms while attached: ${report.normal.attached.p99 < 100 ? 'met' : 'missed'}\n`);
    return { report, ok };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const { ok } = await slowlorisMain(process.argv.slice(2));
  process.exit(ok ? 0 : 1);
}
