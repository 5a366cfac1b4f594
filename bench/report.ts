// The results: the raw record (JSON), a Markdown report with medians and ratios, and a hand-written SVG bar chart.

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_LABELS, type ClientId, type Measurement } from './clients.js';
import type { GrowthResult, IdleResult } from './memory.js';
import { CPU_SAMPLE_MS } from './proc.js';
import { ROUTES } from './routes.js';
import { median } from './stats.js';
import type { ServerKind } from './serve-common.js';

export interface RunRecord {
  route: string; client: ClientId; server: ServerKind; round: number; m?: Measurement; error?: string;
  /** CPU time the server process used while the client ran (user + system, from /proc). */
  serverCpuSeconds?: number;
}

export interface BenchResults {
  started: string;
  finished: string;
  command: string;
  machine: { cores: number; cpu: string; node: string; os: string; memoryGiB: number; loadBefore: number[]; loadAfter: number[] };
  pinning: string;
  options: { duration: number; rounds: number; warmup: number; routes: string[]; clients: ClientId[]; smoke: boolean; idle: number; requests: number };
  runs: RunRecord[];
  skipped: string[];
  memory: { idle: IdleResult[]; growth: GrowthResult[]; skipped?: string };
  pi: { command: string; code: number | null; seconds: number; output: string } | { skipped: string };
}

export interface Cell {
  rps: number; p50Ms: number; p99Ms: number; errors: number; rounds: number;
  /** Server CPU time per answered request, in microseconds, and the share of the run its core was busy (NaN: not read). */
  cpuUs: number; busy: number;
  /** How busy the load generator kept its own core (NaN: not read): near 1.0, the client set the pace. */
  clientBusy: number;
}
export interface Row {
  route: string; label: string; client: ClientId; rawpi: Cell | null; node: Cell | null; ratio: number | null; failures: string[];
  /** The bare net responder on the same route and client (hello only), or null. */
  bare: Cell | null;
}


function cell(runs: RunRecord[]): Cell | null {
  const measured = runs.filter((r) => r.m !== undefined);
  const ok = measured.map((r) => r.m!);
  if (ok.length === 0) return null;
  const cpu = measured.map((r) => r.serverCpuSeconds ?? NaN);
  return {
    rps: median(ok.map((m) => m.rps)), p50Ms: median(ok.map((m) => m.p50Ms)), p99Ms: median(ok.map((m) => m.p99Ms)),
    errors: ok.reduce((a, m) => a + m.errors, 0), rounds: ok.length,
    cpuUs: median(ok.map((m, i) => (m.requests > 0 ? (cpu[i]! * 1e6) / m.requests : NaN))),
    busy: median(ok.map((m, i) => cpu[i]! / m.seconds)),
    clientBusy: median(ok.map((m) => m.clientBusy ?? NaN)),
  };
}

export function summarize(results: BenchResults): Row[] {
  const rows: Row[] = [];
  for (const route of ROUTES) {
    for (const client of results.options.clients) {
      const runs = results.runs.filter((r) => r.route === route.id && r.client === client);
      if (runs.length === 0) continue;
      const rawpi = cell(runs.filter((r) => r.server === 'rawpi'));
      const node = cell(runs.filter((r) => r.server === 'node'));
      const bare = cell(runs.filter((r) => r.server === 'bare'));
      rows.push({
        route: route.id, label: route.label, client, rawpi, node, bare,
        ratio: rawpi !== null && node !== null && node.rps > 0 ? rawpi.rps / node.rps : null,
        failures: runs.filter((r) => r.error !== undefined).map((r) => `${r.server} round ${r.round}: ${r.error}`),
      });
    }
  }
  return rows;
}

export interface Goal { goal: string; measured: string; met: boolean | null }

const KEEP_ALIVE: readonly ClientId[] = ['ac-p10', 'ac-p1', 'wrk'];
const MB = 1024 * 1024;

/** The issue's goals, judged from the rows (null: not measured in this run). */
export function goals(results: BenchResults, rows: Row[]): Goal[] {
  const ratioGoal = (goal: string, picked: Row[], target: number): Goal => {
    const rated = picked.filter((r) => r.ratio !== null);
    if (rated.length === 0) return { goal, measured: 'not measured', met: null };
    const worst = rated.reduce((a, b) => (b.ratio! < a.ratio! ? b : a));
    if (rated.length === 1) return { goal, measured: `${fmtRatio(worst.ratio)}${clientLimit(worst)}${ceiling(worst)}`, met: worst.ratio! >= target };
    // Every cell under the target is named, with what limited it, so a miss can be read without the tables.
    const under = rated.filter((r) => r.ratio! < target);
    const misses = under.length === 0 ? '' : `; under ${target}×: ${under.map(missed).join(', ')}`;
    const bare = rated.find((r) => r.bare !== null);
    return { goal, measured: `worst ${fmtRatio(worst.ratio)} (${worst.label}, ${worst.client}) of ${rated.length}${misses}${bare === undefined ? '' : ceiling(bare)}`, met: worst.ratio! >= target };
  };
  const out = [
    ratioGoal('hello app ≥ 1.5× node:http under wrk', rows.filter((r) => r.route === 'hello' && r.client === 'wrk'), 1.5),
    ratioGoal('hello app ≥ 1.8× under autocannon -p10', rows.filter((r) => r.route === 'hello' && r.client === 'ac-p10'), 1.8),
    p99Goal(rows.filter((r) => r.route === 'hello' && (r.client === 'wrk' || r.client === 'ac-p10'))),
    ratioGoal('full app: every route ≥ 1.3× (keep-alive clients)', rows.filter((r) => r.route !== 'hello' && KEEP_ALIVE.includes(r.client)), 1.3),
    ratioGoal('ab (a connection per request) ≥ 1.3×', rows.filter((r) => r.client === 'ab'), 1.3),
  ];
  const idle = results.memory.idle.find((r) => r.kind === 'rawpi');
  out.push(idle === undefined
    ? { goal: '10,000 idle connections < 150 MB RSS', measured: 'not measured', met: null }
    : { goal: '10,000 idle connections < 150 MB RSS', measured: `${fmtMB(idle.rssAfterBytes)} with ${idle.open.toLocaleString('en-US')} open`, met: idle.asked < 10_000 ? null : idle.open >= 10_000 && idle.rssAfterBytes < 150 * MB });
  const growth = results.memory.growth.find((r) => r.kind === 'rawpi');
  if (growth === undefined || growth.samples.length < 2) out.push({ goal: 'no RSS growth over 1M requests', measured: 'not measured', met: null });
  else {
    const first = growth.samples[0]!;
    const last = growth.samples[growth.samples.length - 1]!;
    const delta = last.rssBytes - first.rssBytes;
    out.push({
      goal: 'no RSS growth over 1M requests (≤ 10% from the first sample)',
      measured: `${fmtMB(first.rssBytes)} at ${fmtCount(first.requests)} → ${fmtMB(last.rssBytes)} at ${fmtCount(last.requests)} (${delta >= 0 ? '+' : ''}${fmtMB(delta)})`,
      met: last.requests >= 1_000_000 ? delta <= 0.1 * first.rssBytes : null,
    });
  }
  out.push(piGoal(results.pi));
  return out;
}

/** One row of the table pi-bench prints when CLN ran (| n | rawpi | CLN | rawpi/CLN | digits | runs |), or null. */
export function piRow(output: string, n: string): { ours: string; cln: string; ratio: string; digits: string } | null {
  const cells = output.split('\n').find((line) => line.startsWith(`| ${n} |`))?.split('|').map((c) => c.trim());
  // ['', n, rawpi, CLN, ratio, digits, runs, ''] when CLN ran; shorter without it.
  if (cells === undefined || cells.length < 8) return null;
  const [, , ours, cln, ratio, digits] = cells as [string, string, string, string, string, string];
  return { ours, cln, ratio, digits };
}

/**
 * The pi goal from pi-bench's table: the ratio at 10^6 and 10^7 as printed (two decimals), met when both are
 * ≤ 1.00 and both programs' digits matched the table; missed when either size missed, whether or not the other
 * was measured.
 */
export function piGoal(pi: BenchResults['pi']): Goal {
  const goal = 'pi ≤ 1.0× CLN wall time at 10^6 and 10^7 digits';
  if (!('output' in pi)) return { goal, measured: `not measured (${pi.skipped})`, met: null };
  const parts: string[] = [];
  let missed = false;
  let unmeasured = false;
  for (const [n, name] of [['1,000,000', '10^6'], ['10,000,000', '10^7']] as const) {
    const row = piRow(pi.output, n);
    if (row === null) {
      parts.push(`${name}: not measured`);
      unmeasured = true;
      continue;
    }
    parts.push(`${name}: ${row.ratio}× (${row.ours} vs ${row.cln} s)${row.digits === 'both match table' ? '' : `, ${row.digits}`}`);
    if (!(Number(row.ratio) <= 1) || row.digits !== 'both match table') missed = true;
  }
  return { goal, measured: parts.join('; '), met: missed ? false : unmeasured ? null : true };
}

/** The hello route's p99 latency, rawpi against node:http, under the clients the ratio goals name. */
function p99Goal(picked: Row[]): Goal {
  const goal = 'hello app p99 no worse than node:http\'s (wrk, autocannon -p10)';
  const both = picked.filter((r) => r.rawpi !== null && r.node !== null);
  if (both.length === 0) return { goal, measured: 'not measured', met: null };
  const measured = both.map((r) => `${CLIENT_LABELS[r.client]}: ${fmtMs(r.rawpi!.p99Ms)} vs ${fmtMs(r.node!.p99Ms)} ms`).join('; ');
  return { goal, measured, met: both.every((r) => r.rawpi!.p99Ms <= r.node!.p99Ms) };
}

/** A load generator this busy with rawpi was the limit of that run, not the server. */
export const CLIENT_BOUND = 0.95;

/** ' (the load generator's core was 99 % busy with rawpi: the client set the pace)', or '' when it was not. */
function clientLimit(r: Row): string {
  const busy = clientBoundAt(r);
  return busy === null ? '' : `; the load generator's core was ${pct(busy)} busy with rawpi: the client set the pace`;
}

/** How busy the load generator was with rawpi on this cell, when that made it the limit (≥ CLIENT_BOUND); else null. */
function clientBoundAt(r: Row): number | null {
  const busy = r.rawpi?.clientBusy ?? NaN;
  return busy >= CLIENT_BOUND ? busy : null;
}

/** The servers' CPU per request, node:http over rawpi (above 1: rawpi did less work per request); NaN when not read. */
function cpuRatio(r: Row): number {
  return r.rawpi !== null && r.node !== null ? r.node.cpuUs / r.rawpi.cpuUs : NaN;
}

/** A cell under its target: 'GET / (100 jobs) ac-p10 0.87× (load generator 100 % busy; CPU per request node:http/rawpi 1.18×)'. */
function missed(r: Row): string {
  const notes: string[] = [];
  const busy = clientBoundAt(r);
  if (busy !== null) notes.push(`load generator ${pct(busy)} busy`);
  const cpu = cpuRatio(r);
  if (Number.isFinite(cpu)) notes.push(`CPU per request node:http/rawpi ${fmtRatio(cpu)}`);
  return `${r.label} ${r.client} ${fmtRatio(r.ratio)}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** '; the bare responder (the ceiling): 1.77×', its req/s over node:http's on the same cell, or '' when not measured. */
function ceiling(r: Row): string {
  if (r.bare === null || r.node === null || !(r.node.rps > 0)) return '';
  return `; the bare responder (the ceiling): ${fmtRatio(r.bare.rps / r.node.rps)}`;
}

function pct(x: number): string { return Number.isNaN(x) ? '–' : `${Math.round(100 * x)} %`; }

export function fmtRatio(r: number | null): string { return r === null ? '–' : `${r.toFixed(2)}×`; }
function fmtMB(b: number): string { return `${(b / MB).toFixed(1)} MB`; }
function fmtCount(n: number): string { return n >= 1e6 ? `${+(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n); }
function fmtRps(x: number): string { return Math.round(x).toLocaleString('en-US'); }
function fmtMs(x: number): string { return Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1); }
function fmtCell(c: Cell | null, f: (c: Cell) => string): string { return c === null ? 'failed' : f(c); }

export function markdown(results: BenchResults, rows: Row[]): string {
  const m = results.machine;
  const o = results.options;
  const lines: string[] = [];
  lines.push(`# rawpi vs node:http${o.smoke ? ' (smoke run: numbers mean nothing)' : ''}`, '');
  lines.push(`- date: ${results.started} (finished ${results.finished})`);
  lines.push(`- machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}`);
  lines.push(`- pinning: ${results.pinning}; everything on 127.0.0.1`);
  lines.push(`- load average before / after: ${m.loadBefore.map((x) => x.toFixed(2)).join(' ')} / ${m.loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
  lines.push(`- command: \`${results.command}\``);
  lines.push(`- method: both servers run the same application code (bench/serve-app.ts builds app/main.ts's app with no workers and no access log; bench/node-http-adapter.ts runs it on node:http). ${o.rounds} round(s); in each, both servers start in fresh processes, get ${o.warmup} s of warm-up per route, then take turns (rawpi, node:http, rawpi, node:http, ...) for ${o.duration} s per route and client. Cells are medians over rounds; errors are summed (socket errors, timeouts, non-2xx).`);
  lines.push('');
  lines.push('## Goals', '', '| goal | measured | met |', '| --- | --- | --- |');
  for (const g of goals(results, rows)) lines.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? '–' : g.met ? 'yes' : '**no**'} |`);
  lines.push('', '## Throughput and latency', '');
  lines.push('| route | client | rawpi req/s | node:http req/s | rawpi / node | rawpi p50 / p99 ms | node:http p50 / p99 ms | errors rawpi / node |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    lines.push(`| ${r.label} | ${CLIENT_LABELS[r.client]} | ${fmtCell(r.rawpi, (c) => fmtRps(c.rps))} | ${fmtCell(r.node, (c) => fmtRps(c.rps))} | ${fmtRatio(r.ratio)} | ${fmtCell(r.rawpi, (c) => `${fmtMs(c.p50Ms)} / ${fmtMs(c.p99Ms)}`)} | ${fmtCell(r.node, (c) => `${fmtMs(c.p50Ms)} / ${fmtMs(c.p99Ms)}`)} | ${fmtCell(r.rawpi, (c) => String(c.errors))} / ${fmtCell(r.node, (c) => String(c.errors))} |`);
  }
  const failures = rows.flatMap((r) => r.failures.map((f) => `- ${r.label}, ${r.client}, ${f}`));
  if (failures.length > 0) lines.push('', 'Runs that failed:', '', ...failures);
  if (results.skipped.length > 0) lines.push('', 'Skipped:', '', ...results.skipped.map((s) => `- ${s}`));
  lines.push('', 'ab reports whole milliseconds. The ratio is of the req/s medians.', '');
  const costed = rows.filter((r) => r.rawpi !== null && r.node !== null && !Number.isNaN(r.rawpi.cpuUs) && !Number.isNaN(r.node.cpuUs));
  if (costed.length > 0) {
    lines.push('## Server CPU per request', '');
    lines.push('The CPU time each server process used while the client ran (user + system, from /proc/PID/stat, 10 ms ticks), divided by the requests it answered, and how busy that made its core. Where a core is well short of 100 %, something else set the pace (the load generator on its own core, or the kernel\'s loopback), and the req/s ratio above understates the difference in work; the CPU ratio says how much work each server did per request.', '');
    lines.push(`The last column is the load generator's own core (its CPU time read every ${CPU_SAMPLE_MS} ms, from its first second, or a quarter of a shorter run, to its exit): at ${pct(CLIENT_BOUND)} or more the client, not the server, was the limit, and both servers' req/s are the client's speed against them.`, '');
    lines.push('| route | client | rawpi µs/req | node:http µs/req | node:http / rawpi | core busy rawpi / node:http | load generator busy, rawpi / node:http |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of costed) {
      lines.push(`| ${r.label} | ${CLIENT_LABELS[r.client]} | ${r.rawpi!.cpuUs.toFixed(1)} | ${r.node!.cpuUs.toFixed(1)} | ${fmtRatio(cpuRatio(r))} | ${pct(r.rawpi!.busy)} / ${pct(r.node!.busy)} | ${pct(r.rawpi!.clientBusy)} / ${pct(r.node!.clientBusy)} |`);
    }
    lines.push('');
  }
  const ceiling = rows.filter((r) => r.bare !== null);
  if (ceiling.length > 0) {
    lines.push('## The ceiling: a bare `net` responder', '');
    lines.push('bench/bare-responder.ts answers each request head with a fixed response and parses almost nothing: what Node\'s sockets alone cost. It took its turn beside the two servers on the hello route, in the same rounds.', '');
    lines.push('| route | client | bare req/s | rawpi req/s (of bare) | node:http req/s (of bare) | CPU µs/req bare / rawpi / node:http | load generator busy bare / rawpi / node:http |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    const share = (c: Cell | null, b: Cell) => fmtCell(c, (x) => `${fmtRps(x.rps)} (${Math.round((100 * x.rps) / b.rps)} %)`);
    const us = (c: Cell | null) => (c === null || Number.isNaN(c.cpuUs) ? '–' : c.cpuUs.toFixed(1));
    const busy = (c: Cell | null) => (c === null ? '–' : pct(c.clientBusy));
    for (const r of ceiling) lines.push(`| ${r.label} | ${CLIENT_LABELS[r.client]} | ${fmtRps(r.bare!.rps)} | ${share(r.rawpi, r.bare!)} | ${share(r.node, r.bare!)} | ${us(r.bare)} / ${us(r.rawpi)} / ${us(r.node)} | ${busy(r.bare)} / ${busy(r.rawpi)} / ${busy(r.node)} |`);
    lines.push('');
  }
  lines.push('## Memory and scale', '');
  if (results.memory.skipped !== undefined) lines.push(`Skipped: ${results.memory.skipped}`, '');
  if (results.memory.idle.length > 0) {
    lines.push('Idle keep-alive connections (the full app; each connection made one GET /healthz, then stayed idle; keep-alive timeout raised to 300 s for this test):', '');
    lines.push('| server | connections asked / open | RSS before | RSS with them open | per connection |', '| --- | ---: | ---: | ---: | ---: |');
    for (const r of results.memory.idle) {
      lines.push(`| ${serverName(r.kind)} | ${r.asked.toLocaleString('en-US')} / ${r.open.toLocaleString('en-US')}${r.failed > 0 ? ` (${r.failed} failed)` : ''} | ${fmtMB(r.rssBeforeBytes)} | ${fmtMB(r.rssAfterBytes)} | ${(r.perConnectionBytes / 1024).toFixed(1)} KiB |`);
    }
    lines.push('');
  }
  if (results.memory.growth.length > 0) {
    lines.push('RSS along a long run of GET /healthz (autocannon -c100 -p1 -a, in ten equal steps; RSS read after each step):', '');
    lines.push('| server | requests | req/s | errors | RSS after the first step | RSS at the end | change | RSS per step (MB) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const g of results.memory.growth) {
      const first = g.samples[0]!;
      const last = g.samples[g.samples.length - 1]!;
      const d = last.rssBytes - first.rssBytes;
      lines.push(`| ${serverName(g.kind)} | ${fmtCount(last.requests)} | ${fmtRps(g.rps)} | ${g.errors} | ${fmtMB(first.rssBytes)} (${fmtCount(first.requests)}) | ${fmtMB(last.rssBytes)} | ${d >= 0 ? '+' : ''}${fmtMB(d)} | ${g.samples.map((s) => (s.rssBytes / MB).toFixed(0)).join(' ')} |`);
    }
    lines.push('');
  }
  lines.push('## Pi: the engine vs CLN\'s `pi` (bench/pi-bench.ts)', '');
  if ('skipped' in results.pi) lines.push(`Skipped: ${results.pi.skipped}`, '');
  else {
    lines.push(`\`${results.pi.command}\` (exit ${results.pi.code}, ${results.pi.seconds.toFixed(0)} s), its output as printed:`, '');
    lines.push('```', results.pi.output.trimEnd(), '```', '');
  }
  lines.push('Raw numbers (every run of every round, with the commands): latest.json. Chart: latest.svg.', '');
  return lines.join('\n');
}

function serverName(k: ServerKind): string { return k === 'rawpi' ? 'rawpi' : k === 'node' ? 'node:http' : 'bare net responder'; }

const GOAL_BY_ROW = (r: Row): number | null =>
  r.route === 'hello' && r.client === 'wrk' ? 1.5 : r.route === 'hello' && r.client === 'ac-p10' ? 1.8 : r.client === 'ab' || r.route !== 'hello' ? 1.3 : null;

function esc(s: string): string { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }

/** One horizontal bar per route × client: the ratio rawpi / node:http, with parity (1.0) and each row's goal marked. */
export function svg(results: BenchResults, rows: Row[]): string {
  const left = 390, barW = 420, right = 230, rowH = 24, top = 70, bottom = 50;
  const width = left + barW + right;
  const height = top + rows.length * rowH + bottom;
  const maxRatio = Math.max(2, ...rows.map((r) => r.ratio ?? 0), ...rows.map((r) => GOAL_BY_ROW(r) ?? 0)) * 1.05;
  const x = (v: number) => left + (v / maxRatio) * barW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="12" y="22" font-size="15" font-weight="bold">rawpi / node:http, requests per second (median of ${results.options.rounds} round(s))${results.options.smoke ? ' (smoke run)' : ''}</text>`);
  out.push(`<text x="12" y="42" fill="#555">${esc(`${results.machine.cores} cores, ${results.machine.cpu}, Node ${results.machine.node}; ${results.started.slice(0, 10)}; ${results.pinning}`)}</text>`);
  out.push(`<text x="12" y="58" fill="#555">Bar: ratio (right of the 1.0 line: rawpi faster). Red tick: the goal. Right: req/s rawpi vs node:http.</text>`);
  for (let t = 0; t <= maxRatio; t += 0.5) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 4}" x2="${x(t).toFixed(1)}" y2="${top + rows.length * rowH}" stroke="${t === 1 ? '#333' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${t.toFixed(1)}×</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    if (i > 0 && rows[i - 1]!.route !== r.route) out.push(`<line x1="8" y1="${y}" x2="${width - 8}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(`${r.label} · ${CLIENT_LABELS[r.client]}`)}</text>`);
    const goal = GOAL_BY_ROW(r);
    if (r.ratio !== null) {
      const fill = goal === null ? '#8aa4c8' : r.ratio >= goal ? '#3b7dd8' : '#e0a030';
      out.push(`<rect x="${left}" y="${y + 5}" width="${Math.max(1, x(r.ratio) - left).toFixed(1)}" height="${rowH - 10}" fill="${fill}"/>`);
      out.push(`<text x="${left + barW + 8}" y="${y + 16}"><tspan font-weight="bold">${fmtRatio(r.ratio)}</tspan>  ${esc(`${fmtRps(r.rawpi!.rps)} vs ${fmtRps(r.node!.rps)}`)}</text>`);
    } else {
      out.push(`<text x="${left + 4}" y="${y + 16}" fill="#b00">failed</text>`);
    }
    if (goal !== null) out.push(`<line x1="${x(goal).toFixed(1)}" y1="${y + 2}" x2="${x(goal).toFixed(1)}" y2="${y + rowH - 2}" stroke="#d00" stroke-width="2"/>`);
  });
  out.push(`<text x="12" y="${height - 12}" fill="#555">Blue: goal met; amber: below the goal; grey-blue: no goal for that row. Generated by bench/run.ts; numbers in latest.md and latest.json.</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeResults(dir: string, results: BenchResults): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const rows = summarize(results);
  const files = { json: join(dir, 'latest.json'), md: join(dir, 'latest.md'), svg: join(dir, 'latest.svg') };
  writeFileSync(files.json, `${JSON.stringify({ ...results, summary: rows }, null, 1)}\n`);
  writeFileSync(files.md, markdown(results, rows));
  writeFileSync(files.svg, svg(results, rows));
  return files;
}
