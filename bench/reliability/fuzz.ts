// The request fuzzer: random and mutated requests (mutations of llhttp's request corpus: bit flips, inserted
// CR/LF/NUL/space/colon, truncations, duplications, splices of two cases), fed to the sans-IO parser (whole,
// split at random places, and byte by byte: the outcome must not depend on the split) and to a live server
// (each answer must be whole HTTP responses or a clean close; the server must close every connection).
//
// Deterministic: input i of seed s is always the same bytes (`--show I` prints it).
//   node dist/bench/reliability/fuzz.js [--inputs 1000000] [--live 100000] [--seed 1] [--concurrency 32] [--show I]
// The live part starts the real server (dist/app/main.js --workers 0) and checks its RSS and connection gauge.

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { RequestParser } from '../../server/http/request-parser.js';
import { ProtocolError } from '../../server/http/errors.js';
import { Rng } from './lib/rng.js';
import { fixturePath, isMain } from './lib/paths.js';
import { checkResponseStream, rawExchange } from './lib/raw.js';

// --- inputs ---

export function loadCorpus(): Buffer[] {
  const data = JSON.parse(readFileSync(fixturePath('llhttp-requests.json'), 'utf8')) as { cases: Array<{ raw_b64: string }> };
  return data.cases.map((c) => Buffer.from(c.raw_b64, 'base64'));
}

const SPECIAL = ['\r', '\n', '\0', ' ', ':', '\t', '\r\n', ',', ';', '"', '\x7f', '\xff', '\r\n\r\n', '\n\n'];
const TOKENS = [
  'Transfer-Encoding: chunked\r\n', 'Transfer-Encoding: gzip, chunked\r\n', 'Transfer-Encoding: chunked, identity\r\n',
  'Content-Length: 0\r\n', 'Content-Length: 5\r\n', 'Content-Length: 99999999999999999999\r\n', 'Content-Length: -1\r\n',
  '0\r\n\r\n', 'ffffffffffffffff\r\n', '5\r\nhello\r\n', '\r\n\r\n', 'HTTP/1.1', ' HTTP/1.0', 'HTTP/2.0', 'Expect: 100-continue\r\n',
  'Connection: close\r\n', 'Connection: keep-alive\r\n', 'Upgrade: websocket\r\nConnection: Upgrade\r\n', '%00', '%2e%2e/', '../',
  'Host: x\r\n', 'Host: a\r\nHost: b\r\n', '\xc0\xae', ' \r\n', '\t', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', ';ext="q\\"x"', '\r\n ',
];
const NUMBERS = ['0', '1', '-1', '+1', '00', '4294967296', '18446744073709551616', '9007199254740993', '1e3', '0x10', '', ' 1', '99999999999999999999999999'];

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'M-SEARCH', 'get', 'G\x7fET'];
const TARGETS = [
  '/', '/echo', '/echo?x=1&y', '/healthz', '/metrics', '/api/jobs', '/api/jobs/7', '/api/jobs?limit=3', '/api/jobs?limit=0',
  '/api/jobs?cursor=eyJ2IjoxLCJpZCI6MX0', '/api/jobs?cursor=%ff', '/pi/12', '/pi/12.txt', '/pi/0', '/pi/-1', '/api/pi/3/digit',
  '/static/app.js', '/static/style.css', '/static/../README.md', '/static/%2e%2e/x', '/static/a%00b', '/?after=abc', '/ws', '*',
  'http://x/echo', 'http://u:p@x/', 'x:80', '/%', '/%zz', '/%c0%ae', '/a#frag', `/${'a'.repeat(300)}`,
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.2', 'http/1.1', 'HTTP/1.10', ''];

function randomBytes(rng: Rng, n: number, printable: boolean): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = printable ? rng.range(0x20, 0x7e) : rng.int(256);
  return b;
}

function generatedBody(rng: Rng): string {
  switch (rng.int(5)) {
    case 0: return JSON.stringify({ n: rng.pick([1, 5, 10, 1000, 0, -3, 1.5, 1e9, 'x', null]) });
    case 1: return `n=${rng.pick(NUMBERS)}${rng.chance(0.3) ? '&n=2' : ''}`;
    case 2: return '['.repeat(rng.range(1, 40)) + ']'.repeat(rng.range(0, 40));
    case 3: return '';
    default: return randomBytes(rng, rng.range(1, 200), rng.chance(0.5)).toString('latin1');
  }
}

/** A request from a small grammar of the app's routes and HTTP's framing, mostly valid, sometimes not. */
export function generateRequest(rng: Rng): Buffer {
  const method = rng.pick(METHODS);
  const target = rng.pick(TARGETS);
  const version = rng.pick(VERSIONS);
  const lines = [version === '' ? `${method} ${target}` : `${method} ${target} ${version}`];
  if (rng.chance(0.9)) lines.push(`Host: ${rng.pick(['x', 'localhost:8000', '127.0.0.1', 'a b', ''])}`);
  const extra = rng.int(6);
  for (let i = 0; i < extra; i++) {
    lines.push(rng.pick([
      'Content-Type: application/json', 'Content-Type: application/x-www-form-urlencoded', 'Content-Type: text/plain',
      'Connection: close', 'Connection: keep-alive', 'Connection: upgrade', 'Expect: 100-continue', 'Expect: 200-ok',
      'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Accept: text/html',
      'If-None-Match: *', 'If-Modified-Since: Thu, 01 Jan 2099 00:00:00 GMT', 'Origin: http://x', `X-R: ${randomBytes(rng, rng.int(20), true).toString('latin1')}`,
    ]));
  }
  let body = rng.chance(0.6) ? generatedBody(rng) : '';
  switch (rng.int(6)) {
    case 0: break; // no framing: any body bytes are the next request
    case 1: case 2: lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`); break;
    case 3: lines.push(`Content-Length: ${rng.pick([Buffer.byteLength(body, 'latin1') + rng.range(-3, 3), ...NUMBERS])}`); break;
    case 4: {
      lines.push(rng.pick(['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked', 'Transfer-Encoding: Chunked', 'Transfer-Encoding: gzip, chunked']));
      if (rng.chance(0.1)) lines.push('Content-Length: 3');
      let chunkedBody = '';
      let rest = body;
      while (rest.length > 0) {
        const size = Math.min(rest.length, rng.range(1, 50));
        chunkedBody += `${size.toString(16)}${rng.chance(0.1) ? ';a=b' : ''}\r\n${rest.slice(0, size)}\r\n`;
        rest = rest.slice(size);
      }
      body = `${chunkedBody}0\r\n${rng.chance(0.1) ? 'X-T: 1\r\n' : ''}\r\n`;
      break;
    }
    default: lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`, 'Transfer-Encoding: chunked');
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

function insertAt(b: Buffer, at: number, what: Buffer): Buffer {
  return Buffer.concat([b.subarray(0, at), what, b.subarray(at)]);
}

/** One random mutation. */
export function mutate(rng: Rng, input: Buffer): Buffer {
  const b = input;
  const at = rng.int(b.length + 1);
  switch (rng.int(10)) {
    case 0: { // flip a bit
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      const i = rng.int(c.length);
      c[i] = c[i]! ^ (1 << rng.int(8));
      return c;
    }
    case 1: { // a random byte
      if (b.length === 0) return b;
      const c = Buffer.from(b);
      c[rng.int(c.length)] = rng.int(256);
      return c;
    }
    case 2: case 3: return insertAt(b, at, Buffer.from(rng.pick(SPECIAL), 'latin1')); // CR, LF, NUL, SP, colon...
    case 4: return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.range(1, 16)))]); // delete
    case 5: return b.subarray(0, at); // truncate
    case 6: { // duplicate a range
      const len = rng.range(1, 64);
      return insertAt(b, rng.int(b.length + 1), b.subarray(at, at + len));
    }
    case 7: return insertAt(b, at, Buffer.from(rng.pick(TOKENS), 'latin1'));
    case 8: { // replace a number
      const text = b.toString('latin1');
      const numbers = [...text.matchAll(/[0-9a-fA-F]+/g)];
      if (numbers.length === 0) return b;
      const m = rng.pick(numbers);
      return Buffer.from(text.slice(0, m.index) + rng.pick(NUMBERS) + text.slice(m.index! + m[0].length), 'latin1');
    }
    default: { // swap the case of a range
      const c = Buffer.from(b);
      const end = Math.min(c.length, at + rng.range(1, 20));
      for (let i = at; i < end; i++) {
        const x = c[i]!;
        if (x >= 0x41 && x <= 0x5a) c[i] = x + 32;
        else if (x >= 0x61 && x <= 0x7a) c[i] = x - 32;
      }
      return c;
    }
  }
}

export interface FuzzInput { index: number; kind: string; bytes: Buffer }

/** Input number `index` of run `seed`: the same bytes every time. */
export function makeInput(seed: number, index: number, corpus: Buffer[]): FuzzInput {
  const rng = Rng.forInput(seed, index);
  const r = rng.next();
  let kind: string;
  let bytes: Buffer;
  let mutations: number;
  if (r < 0.45) {
    kind = 'mutated corpus case';
    bytes = rng.pick(corpus);
    mutations = rng.range(1, 4);
  } else if (r < 0.6) {
    kind = 'splice of two corpus cases';
    const a = rng.pick(corpus);
    const b = rng.pick(corpus);
    bytes = Buffer.concat([a.subarray(0, rng.int(a.length + 1)), b.subarray(rng.int(b.length + 1))]);
    mutations = rng.range(0, 2);
  } else if (r < 0.85) {
    kind = 'generated request';
    bytes = generateRequest(rng);
    mutations = rng.chance(0.5) ? rng.range(1, 3) : 0;
  } else if (r < 0.95) {
    kind = 'pipelined requests';
    const n = rng.range(2, 4);
    bytes = Buffer.concat(Array.from({ length: n }, () => (rng.chance(0.7) ? generateRequest(rng) : rng.pick(corpus))));
    mutations = rng.range(0, 2);
  } else {
    kind = 'random bytes';
    bytes = randomBytes(rng, rng.int(300), rng.chance(0.5));
    mutations = 0;
  }
  for (let i = 0; i < mutations; i++) bytes = mutate(rng, bytes);
  return { index, kind, bytes };
}

// --- the parser ---

/** Statuses the parser may answer with. */
export const PARSER_STATUSES = new Set([400, 413, 414, 417, 431, 501, 505]);

export interface ParseRun {
  /** Messages and outcome, as text to compare between splits. */
  summary: string;
  /** A broken invariant (crash, hang, bad event), or null. */
  problem: string | null;
  events: number;
}

/** Feeds the chunks to a fresh parser the way the connection does, checking every event. */
export function runParser(chunks: Buffer[]): ParseRun {
  const parser = new RequestParser();
  const messages: string[] = [];
  let body = 0;
  let fed = 0;
  let events = 0;
  let dataTotal = 0;
  let outcome = 'incomplete';
  let status: number | null = null;
  const result = (problem: string | null): ParseRun => ({ summary: JSON.stringify({ messages, outcome, status }), problem, events });
  try {
    for (const chunk of chunks) {
      parser.feed(chunk);
      fed += chunk.length;
      // An event per byte and a few more is the most a correct parser can need: more means it spins.
      const budget = 2 * fed + 16;
      for (let spins = 0; ; spins++) {
        if (spins > budget) return result(`no need-data after ${spins} events (a hang)`);
        if (parser.state === 'MUST_CLOSE') {
          // The message asked to close: the connection reads nothing more (whether more bytes came or not).
          outcome = 'closed';
          return result(null);
        }
        const ev = parser.next();
        events++;
        if (ev.type === 'need-data') break;
        if (ev.type === 'head') {
          body = 0;
          messages.push(`${ev.head.method} ${ev.head.target} ${ev.head.version} ${ev.head.body.kind}`);
        } else if (ev.type === 'data') {
          if (ev.data.length === 0) return result('an empty data event');
          body += ev.data.length;
          dataTotal += ev.data.length;
          if (dataTotal > fed) return result('more body bytes than were fed');
        } else if (ev.type === 'end') {
          messages[messages.length - 1] += ` body=${body} trailers=${ev.trailers.length}`;
          if (parser.head?.upgrade != null) { outcome = 'upgrade'; return result(null); }
          parser.startNextRequest();
        } else if (ev.type === 'error') {
          outcome = 'reject';
          status = ev.error.status;
          if (!PARSER_STATUSES.has(status)) return result(`unexpected status ${status}`);
          if (!(ev.error instanceof ProtocolError) || ev.error.reason.length === 0) return result('an error without a reason');
          const again = parser.next();
          if (again.type !== 'error') return result(`after an error, next() gave ${again.type}`);
          return result(null);
        } else if (ev.type === 'paused') {
          return result('paused outside MUST_CLOSE');
        }
      }
    }
    outcome = parser.inMessage ? 'incomplete' : 'accept';
    return result(null);
  } catch (err) {
    return result(`the parser threw: ${(err as Error)?.stack ?? String(err)}`);
  }
}

/** Random cut points. */
function randomSplit(rng: Rng, b: Buffer): Buffer[] {
  const cuts = new Set<number>();
  const n = rng.range(1, 5);
  for (let i = 0; i < n; i++) cuts.add(rng.int(b.length + 1));
  const sorted = [...cuts].sort((x, y) => x - y);
  const parts: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) { parts.push(b.subarray(prev, c)); prev = c; }
  parts.push(b.subarray(prev));
  return parts;
}

export interface ParserFailure { index: number; kind: string; problem: string; bytes: string }

export interface ParserStats {
  inputs: number;
  failures: ParserFailure[];
  /** Inputs whose splits agree on the messages and on rejecting, but not on the status (a lesser finding). */
  statusSplits: ParserFailure[];
  outcomes: Record<string, number>;
  events: number;
  slowestMs: number;
  slowestIndex: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  ms: number;
}

/** A gc() to measure the heap with, when V8 lets us have one. */
export function gcFunction(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

function heapMb(gc: (() => void) | null): number {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/**
 * Runs inputs [from, from + count) of `seed` through the parser: whole, at random splits, and (for inputs up to
 * 2 KiB, one in `bytewiseEvery`) byte by byte. Each must keep every invariant, and all splits must agree.
 */
export function fuzzParser(opts: { seed: number; count: number; from?: number; bytewiseEvery?: number; onProgress?: (done: number, stats: ParserStats) => void }): ParserStats {
  const corpus = loadCorpus();
  const gc = gcFunction();
  const from = opts.from ?? 0;
  const started = performance.now();
  const stats: ParserStats = { inputs: 0, failures: [], statusSplits: [], outcomes: {}, events: 0, slowestMs: 0, slowestIndex: -1, heapBeforeMb: 0, heapAfterMb: 0, ms: 0 };
  // Warm up before the first heap reading, so JIT and caches are not counted as growth.
  for (let i = 0; i < 200; i++) runParser([makeInput(opts.seed ^ 0x5a5a, i, corpus).bytes]);
  stats.heapBeforeMb = heapMb(gc);
  for (let k = 0; k < opts.count; k++) {
    const index = from + k;
    const input = makeInput(opts.seed, index, corpus);
    const rng = Rng.forInput(opts.seed ^ 0x1234567, index);
    const t0 = performance.now();
    const whole = runParser([input.bytes]);
    const runs: Array<[string, ParseRun]> = [['whole', whole], ['split', runParser(randomSplit(rng, input.bytes))]];
    if (input.bytes.length <= 2048 && index % (opts.bytewiseEvery ?? 4) === 0) {
      runs.push(['byte by byte', runParser([...input.bytes].map((x) => Buffer.from([x])))]);
    }
    const ms = performance.now() - t0;
    if (ms > stats.slowestMs) { stats.slowestMs = ms; stats.slowestIndex = index; }
    stats.inputs++;
    stats.events += runs.reduce((s, [, r]) => s + r.events, 0);
    const outcome = (JSON.parse(whole.summary) as { outcome: string; status: number | null });
    const key = outcome.status === null ? outcome.outcome : `${outcome.outcome} ${outcome.status}`;
    stats.outcomes[key] = (stats.outcomes[key] ?? 0) + 1;
    for (const [how, run] of runs) {
      if (run.problem !== null) {
        stats.failures.push({ index, kind: input.kind, problem: `${how}: ${run.problem}`, bytes: input.bytes.toString('latin1') });
        break;
      }
      if (run.summary !== whole.summary) {
        const a = JSON.parse(run.summary) as { messages: string[]; outcome: string; status: number | null };
        const b = JSON.parse(whole.summary) as typeof a;
        const statusOnly = a.outcome === 'reject' && b.outcome === 'reject' && JSON.stringify(a.messages) === JSON.stringify(b.messages);
        (statusOnly ? stats.statusSplits : stats.failures).push({
          index, kind: input.kind, problem: `${how} parse differs from the whole parse: ${run.summary} vs ${whole.summary}`, bytes: input.bytes.toString('latin1'),
        });
        break;
      }
    }
    if (opts.onProgress && (k + 1) % 10_000 === 0) opts.onProgress(k + 1, stats);
  }
  stats.heapAfterMb = heapMb(gc);
  stats.ms = performance.now() - started;
  return stats;
}

// --- the live server ---

export interface LiveFailure { index: number; kind: string; problem: string; bytes: string; answer: string }

export interface LiveStats {
  inputs: number;
  failures: LiveFailure[];
  responses: number;
  byStatus: Record<string, number>;
  silentCloses: number;
  resets: number;
  ms: number;
}

/**
 * Sends inputs [from, from + count) of `seed` to the server on `port`, `concurrency` connections at a time.
 * Most connections half-close after the input (the server must then answer what it can and close); one in
 * `holdEvery` stays open, so the server's own timeouts must close it. `maxWaitMs` bounds each connection.
 */
export async function fuzzLive(port: number, opts: { seed: number; count: number; from?: number; concurrency?: number; holdEvery?: number; maxWaitMs?: number; onProgress?: (done: number, stats: LiveStats) => void }): Promise<LiveStats> {
  const corpus = loadCorpus();
  const from = opts.from ?? 0;
  const started = performance.now();
  const stats: LiveStats = { inputs: 0, failures: [], responses: 0, byStatus: {}, silentCloses: 0, resets: 0, ms: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const k = next++;
      if (k >= opts.count) return;
      const index = from + k;
      const input = makeInput(opts.seed, index, corpus);
      const hold = opts.holdEvery !== undefined && index % opts.holdEvery === 0;
      const ex = await rawExchange(port, input.bytes, { halfClose: !hold, ms: opts.maxWaitMs ?? 15_000 });
      stats.inputs++;
      const fail = (problem: string) => stats.failures.push({ index, kind: input.kind, problem, bytes: input.bytes.toString('latin1').slice(0, 2000), answer: ex.raw.toString('latin1').slice(0, 2000) });
      if (ex.refused) fail('connection refused: is the server down?');
      else if (!ex.closed) fail(`the server did not close the connection within ${opts.maxWaitMs ?? 15_000} ms${hold ? '' : ' after the client half-closed'}`);
      else {
        const check = checkResponseStream(ex.raw);
        if (!check.ok) fail(`not whole HTTP responses: ${check.problem}`);
        stats.responses += check.responses.length;
        for (const r of check.responses) stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
        if (ex.raw.length === 0) stats.silentCloses++;
        if (ex.reset) stats.resets++;
      }
      if (opts.onProgress && stats.inputs % 10_000 === 0) opts.onProgress(stats.inputs, stats);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 32 }, worker));
  stats.ms = performance.now() - started;
  return stats;
}

// --- command line ---

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

export interface FuzzReport { parser: ParserStats; live: LiveStats | null; server: { rssBeforeMb: number; rssAfterMb: number; connectionsAfter: number; healthy: boolean; crashed: boolean } | null }

export async function fuzzMain(args: string[]): Promise<FuzzReport> {
  const seed = argValue(args, '--seed', 1);
  const show = argValue(args, '--show', -1);
  if (show >= 0) {
    const input = makeInput(seed, show, loadCorpus());
    process.stdout.write(`input ${show} of seed ${seed} (${input.kind}), ${input.bytes.length} bytes:\n${JSON.stringify(input.bytes.toString('latin1'))}\n`);
    process.exit(0);
  }
  const inputs = argValue(args, '--inputs', 1_000_000);
  const live = argValue(args, '--live', 100_000);
  const concurrency = argValue(args, '--concurrency', 32);
  const say = (line: string) => process.stderr.write(`fuzz: ${line}\n`);
  say(`parser: ${inputs} inputs, seed ${seed}`);
  const parser = fuzzParser({ seed, count: inputs, onProgress: (n, s) => { if (n % 100_000 === 0) say(`parser: ${n} inputs, ${s.failures.length} failure(s)`); } });
  say(`parser: ${parser.inputs} inputs in ${(parser.ms / 1000).toFixed(1)} s, ${parser.failures.length} failure(s), heap ${parser.heapBeforeMb.toFixed(1)} -> ${parser.heapAfterMb.toFixed(1)} MB, slowest input ${parser.slowestMs.toFixed(1)} ms (#${parser.slowestIndex})`);
  for (const f of parser.failures.slice(0, 20)) say(`  #${f.index} (${f.kind}): ${f.problem.slice(0, 400)}\n    ${JSON.stringify(f.bytes.slice(0, 300))}`);
  say(`parser: ${parser.statusSplits.length} input(s) rejected with a status that depends on how the bytes were split`);
  for (const f of parser.statusSplits.slice(0, 5)) say(`  #${f.index} (${f.kind}): ${f.problem.slice(0, 400)}\n    ${JSON.stringify(f.bytes.slice(0, 200))}`);
  if (live <= 0) return { parser, live: null, server: null };

  const { startRawpi } = await import('./lib/rawpi-process.js');
  const { rssMb, metricValue } = await import('./lib/metrics.js');
  const dir = mkdtempSync(join(tmpdir(), 'rawpi-fuzz-'));
  const server = await startRawpi({ databaseUrl: join(dir, 'db.sqlite'), workers: 0, args: ['--headers-timeout', '2000', '--keep-alive-timeout', '2000', '--body-timeout', '2000'] });
  let crashed = false;
  void server.exited.then(() => { crashed = true; });
  try {
    say(`live: ${live} inputs to ${server.url} (pid ${server.pid}), ${concurrency} at a time`);
    // Warm up, then read the RSS the run starts from.
    await fuzzLive(server.port, { seed: seed ^ 0x5a5a, count: 2000, concurrency });
    const rssBeforeMb = rssMb(server.pid);
    const liveStats = await fuzzLive(server.port, { seed, count: live, concurrency, holdEvery: 500, onProgress: (n, s) => { if (n % 50_000 === 0) say(`live: ${n} inputs, ${s.failures.length} failure(s)`); } });
    await new Promise((r) => setTimeout(r, 3000)); // let held connections time out
    const rssAfterMb = rssMb(server.pid);
    // Raw requests with Connection: close, so the only connection open while /metrics renders is its own.
    const health = await rawExchange(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const metrics = await rawExchange(server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const open = metricValue(metrics.raw.toString('latin1'), 'rawpi_open_connections');
    const connectionsAfter = open === null ? -1 : open - 1;
    const healthy = /^HTTP\/1\.1 200 /.test(health.raw.toString('latin1'));
    say(`live: ${liveStats.inputs} inputs in ${(liveStats.ms / 1000).toFixed(1)} s, ${liveStats.failures.length} failure(s), ${liveStats.responses} responses ${JSON.stringify(liveStats.byStatus)}, ${liveStats.silentCloses} silent closes, ${liveStats.resets} resets; server RSS ${rssBeforeMb.toFixed(0)} -> ${rssAfterMb.toFixed(0)} MB, ${connectionsAfter} other connection(s) open after, /healthz ${healthy ? 200 : 'failed'}`);
    for (const f of liveStats.failures.slice(0, 20)) say(`  #${f.index} (${f.kind}): ${f.problem.slice(0, 300)}\n    sent ${JSON.stringify(f.bytes.slice(0, 300))}\n    got  ${JSON.stringify(f.answer.slice(0, 300))}`);
    return { parser, live: liveStats, server: { rssBeforeMb, rssAfterMb, connectionsAfter, healthy, crashed } };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const report = await fuzzMain(process.argv.slice(2));
  const failed = report.parser.failures.length + (report.live?.failures.length ?? 0) + (report.server && (!report.server.healthy || report.server.crashed || report.server.connectionsAfter !== 0) ? 1 : 0);
  process.exit(failed > 0 ? 1 : 0);
}
