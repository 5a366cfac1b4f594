// The load generators, each run as its own process pinned to the client core, and their output parsed into one shape:
//   ac-p10  autocannon -c 100 -p 10 (keep-alive, 10 pipelined requests per connection)
//   ac-p1   autocannon -c 100 -p 1  (keep-alive)
//   wrk     wrk -t1 -c100 (keep-alive; a Lua script sets the POST and prints the summary as JSON)
//   ab      ab -c 50 without -k: HTTP/1.0, a new TCP connection per request
// autocannon miscounts against servers that close connections, so the connection-per-request mode is ab's alone.

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { have, pinned, run } from './proc.js';

export const CLIENTS = ['ac-p10', 'ac-p1', 'wrk', 'ab'] as const;
export type ClientId = (typeof CLIENTS)[number];

export const CLIENT_LABELS: Record<ClientId, string> = {
  'ac-p10': 'autocannon -c100 -p10',
  'ac-p1': 'autocannon -c100 -p1',
  wrk: 'wrk -t1 -c100',
  ab: 'ab -c50 (no keep-alive)',
};

export interface Target { url: string; method: 'GET' | 'POST'; body?: string; contentType?: string }

export interface Measurement {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors, timeouts and non-2xx responses together. */
  errors: number;
  detail: Record<string, number>;
  command: string;
  /** How busy the load generator kept its own core while it ran (1.0 = 100 %), or null when not read. */
  clientBusy: number | null;
}

export interface ClientContext { core: string | null; tmp: string }

const AUTOCANNON = join(createRequire(import.meta.url).resolve('autocannon/package.json'), '..', 'autocannon.js');

/** Why a client cannot run here, or null. */
export function missing(client: ClientId): string | null {
  if (client === 'wrk' && !have('wrk')) return 'wrk is not installed (apt-get install wrk)';
  if (client === 'ab' && !have('ab')) return 'ab is not installed (apt-get install apache2-utils)';
  return null;
}

export async function measure(client: ClientId, target: Target, seconds: number, ctx: ClientContext): Promise<Measurement> {
  switch (client) {
    case 'ac-p10': return autocannon(target, seconds, 10, ctx);
    case 'ac-p1': return autocannon(target, seconds, 1, ctx);
    case 'wrk': return wrk(target, seconds, ctx);
    case 'ab': return ab(target, seconds, ctx);
  }
}

/** When to start judging how busy a client keeps its core: after its start-up, or a quarter into a short run. */
function busyAfterMs(seconds: number): number {
  return Math.min(1000, seconds * 250);
}

function check(what: string, r: { code: number | null; stdout: string; stderr: string; timedOut: boolean }): void {
  if (r.timedOut) throw new Error(`${what} did not finish in time`);
  if (r.code !== 0) throw new Error(`${what} exited with ${r.code}: ${r.stderr.slice(-2000) || r.stdout.slice(-2000)}`);
}

/** autocannon for `seconds`, or for `amount` requests when given. */
export async function autocannon(target: Target, seconds: number, pipelining: number, ctx: ClientContext, amount?: number): Promise<Measurement> {
  const args = ['-c', '100', '-p', String(pipelining), '-j', '-n', '-t', '10'];
  args.push(...(amount === undefined ? ['-d', String(seconds)] : ['-a', String(amount)]));
  if (target.method === 'POST') args.push('-m', 'POST', '-H', `content-type=${target.contentType ?? 'application/json'}`, '-b', target.body ?? '');
  args.push(target.url);
  const argv = pinned(ctx.core, [process.execPath, AUTOCANNON, ...args]);
  const r = await run(argv, { timeoutMs: (amount === undefined ? seconds * 1000 : 120_000) + 30_000, busyAfterMs: busyAfterMs(amount === undefined ? seconds : 4) });
  check('autocannon', r);
  const j = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    duration: number; errors: number; timeouts: number; non2xx: number; resets: number; mismatches: number;
    latency: { p50: number; p99: number }; requests: { total: number };
  };
  const total = j.requests.total;
  return {
    requests: total, seconds: j.duration, rps: total / j.duration, p50Ms: j.latency.p50, p99Ms: j.latency.p99,
    errors: j.errors + j.non2xx, // autocannon counts timeouts among errors
    detail: { errors: j.errors, timeouts: j.timeouts, non2xx: j.non2xx, resets: j.resets, mismatches: j.mismatches },
    command: `autocannon ${args.join(' ')}`,
    clientBusy: r.busy,
  };
}

const WRK_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

async function wrk(target: Target, seconds: number, ctx: ClientContext): Promise<Measurement> {
  let lua = '';
  if (target.method === 'POST') {
    lua += `wrk.method = "POST"\nwrk.body = ${JSON.stringify(target.body ?? '')}\nwrk.headers["Content-Type"] = ${JSON.stringify(target.contentType ?? 'application/json')}\n`;
  }
  const script = join(ctx.tmp, `wrk-${target.method.toLowerCase()}.lua`);
  writeFileSync(script, lua + WRK_DONE);
  const args = ['-t1', '-c100', `-d${seconds}s`, '--timeout', '10s', '-s', script, target.url];
  const r = await run(pinned(ctx.core, ['wrk', ...args]), { timeoutMs: seconds * 1000 + 30_000, busyAfterMs: busyAfterMs(seconds) });
  check('wrk', r);
  const line = r.stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (line === undefined) throw new Error(`wrk printed no summary: ${r.stdout}`);
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
  const s = j.duration_us! / 1e6;
  const errors = j.connect! + j.read! + j.write! + j.status! + j.timeout!;
  return {
    requests: j.requests!, seconds: s, rps: j.requests! / s, p50Ms: j.p50_us! / 1000, p99Ms: j.p99_us! / 1000, errors,
    detail: { connect: j.connect!, read: j.read!, write: j.write!, non2xx3xx: j.status!, timeout: j.timeout! },
    command: `wrk ${args.join(' ').replace(script, `${target.method.toLowerCase()}.lua`)}`,
    clientBusy: r.busy,
  };
}

async function ab(target: Target, seconds: number, ctx: ClientContext): Promise<Measurement> {
  // -t sets -n to 50000, so -n comes after it; -r keeps going on socket errors (they are counted as failures).
  const args = ['-q', '-r', '-c', '50', '-t', String(seconds), '-n', '100000000', '-s', '10'];
  if (target.method === 'POST') {
    const file = join(ctx.tmp, 'ab-body');
    writeFileSync(file, target.body ?? '');
    args.push('-p', file, '-T', target.contentType ?? 'application/json');
  }
  args.push(target.url);
  const r = await run(pinned(ctx.core, ['ab', ...args]), { timeoutMs: seconds * 1000 + 30_000, busyAfterMs: busyAfterMs(seconds) });
  check('ab', r);
  const num = (re: RegExp, fallback?: number): number => {
    const m = re.exec(r.stdout);
    if (m === null) {
      if (fallback !== undefined) return fallback;
      throw new Error(`ab output without ${re}: ${r.stdout}`);
    }
    return Number(m[1]);
  };
  const complete = num(/^Complete requests:\s+(\d+)/m);
  const failed = num(/^Failed requests:\s+(\d+)/m);
  const non2xx = num(/^Non-2xx responses:\s+(\d+)/m, 0);
  const taken = num(/^Time taken for tests:\s+([\d.]+) seconds/m);
  return {
    requests: complete, seconds: taken, rps: complete / taken,
    p50Ms: num(/^\s+50%\s+(\d+)/m, NaN), p99Ms: num(/^\s+99%\s+(\d+)/m, NaN),
    errors: failed + non2xx,
    detail: { failed, non2xx },
    command: `ab ${args.join(' ').replace(join(ctx.tmp, 'ab-body'), 'body.json')}`,
    clientBusy: r.busy,
  };
}
