// Where a server spends its time under load: starts it with `node --cpu-prof` (pinned like the bench), loads one route,
// stops it, and prints the functions with the most self time from the .cpuprofile it wrote.
// usage: node dist/bench/profile.js [--server rawpi|node|bare (bare: --route hello only)] [--route ID] [--client ac-p10|ac-p1|wrk] [--seconds S] [--top N] [--keep DIR]

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, missing, type ClientId } from './clients.js';
import { pinning } from './proc.js';
import { ROUTES } from './routes.js';
import type { ServerKind } from './serve-common.js';
import { seedDatabase } from './seed.js';
import { startServer } from './servers.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface SelfTime { name: string; where: string; ms: number; percent: number }

const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

/** Self time per function (samples weighted by their time deltas), largest first; percent of the busy (non-idle) time. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { name: string; where: string; us: number }>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    const where = f.url === '' ? '' : `${f.url.startsWith('file://') ? relative(ROOT, fileURLToPath(f.url)) : f.url}:${f.lineNumber + 1}`;
    const key = `${f.functionName}\0${where}`;
    const t = totals.get(key) ?? { name: f.functionName || '(anonymous)', where, us: 0 };
    t.us += us;
    if (f.functionName !== '(idle)') all += us;
    totals.set(key, t);
  });
  return [...totals.values()].sort((a, b) => b.us - a.us).map((t) => ({ name: t.name, where: t.where, ms: t.us / 1000, percent: (100 * t.us) / all }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (flag: string, fallback: string) => { const i = args.indexOf(flag); return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback; };
  const kind = get('--server', 'rawpi') as ServerKind;
  const route = ROUTES.find((r) => r.id === get('--route', 'healthz'));
  const client = get('--client', missing('wrk') === null ? 'wrk' : 'ac-p10') as ClientId;
  const seconds = Number(get('--seconds', '10'));
  const top = Number(get('--top', '25'));
  if (route === undefined || (kind !== 'rawpi' && kind !== 'node' && !(kind === 'bare' && route.suite === 'hello'))) throw new Error(`usage: ${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')[2]}`);
  const tmp = mkdtempSync(join(os.tmpdir(), 'rawpi-profile-'));
  const keep = args.includes('--keep') ? get('--keep', tmp) : null;
  const dir = keep ?? join(tmp, 'prof');
  try {
    const database = join(tmp, 'bench.sqlite');
    if (route.suite === 'app') await seedDatabase(database);
    const pin = pinning();
    const server = await startServer({ suite: route.suite, kind, database, core: pin.server, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir] });
    let rps = 0;
    try {
      const target = { url: `${server.base}${route.path}`, method: route.method, body: route.body, contentType: route.contentType };
      rps = (await measure(client, target, seconds, { core: pin.client, tmp })).rps;
    } finally {
      await server.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
    const rows = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    const idle = rows.find((r) => r.name === '(idle)');
    process.stdout.write(`${kind}, ${route.label}, ${client} for ${seconds} s: ${Math.round(rps).toLocaleString('en-US')} req/s (under the profiler); idle ${((idle?.ms ?? 0) / 1000).toFixed(1)} s of the profile (start-up and shutdown included)\n\n`);
    process.stdout.write('| self % of busy | self ms | function | where |\n| ---: | ---: | --- | --- |\n');
    for (const r of rows.filter((x) => x !== idle).slice(0, top)) process.stdout.write(`| ${r.percent.toFixed(1)} | ${r.ms.toFixed(0)} | ${r.name} | ${r.where} |\n`);
    if (keep !== null) process.stdout.write(`\nprofile: ${join(dir, file)}\n`);
  } finally {
    if (keep === null || !keep.startsWith(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
