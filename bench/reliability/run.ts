// `make reliability`: the long versions of the hostile-input and fault scenarios, one after the other,
// each against the real server (dist/app/main.js) on 127.0.0.1, then a summary. Exit status 1 if any failed.
//
//   make reliability                              everything (about 5 minutes)
//   make reliability ARGS="slowloris sigterm"     some parts
//   make reliability ARGS="fuzz --inputs 1000000 --live 1000000 --seed 7"
//
// Parts: fuzz (10^6 parser inputs, 10^5 live; --inputs, --live, --seed, --concurrency), slowloris (1,000
// connections, a byte a second, --headers-timeout 5000; --connections, --byte-interval), and the faults of
// faults.ts: killWorker, killMaster, sigterm, dbLocked, dbLockedLong, diskFull, dbRemoved.

import { fuzzMain } from './fuzz.js';
import { slowlorisMain, describe } from './slowloris.js';
import { SCENARIOS } from './faults.js';
import { isMain } from './lib/paths.js';

const FAULTS = Object.keys(SCENARIOS) as Array<keyof typeof SCENARIOS>;
const PARTS = ['fuzz', 'slowloris', ...FAULTS];

interface Outcome { part: string; ok: boolean; seconds: number; summary: string }

async function runPart(part: string, options: string[]): Promise<Outcome> {
  const t0 = Date.now();
  const done = (ok: boolean, summary: string): Outcome => ({ part, ok, seconds: (Date.now() - t0) / 1000, summary });
  try {
    if (part === 'fuzz') {
      const r = await fuzzMain(options);
      const failures = r.parser.failures.length + (r.live?.failures.length ?? 0);
      const server = r.server;
      const ok = failures === 0 && (server === null || (server.healthy && !server.crashed && server.connectionsAfter === 0));
      return done(ok, `parser ${r.parser.inputs} inputs, ${r.parser.failures.length} failures, ${r.parser.statusSplits.length} status-by-split; `
        + `live ${r.live?.inputs ?? 0} inputs, ${r.live?.failures.length ?? 0} failures${server ? `, RSS ${server.rssBeforeMb.toFixed(0)} -> ${server.rssAfterMb.toFixed(0)} MB, ${server.connectionsAfter} connection(s) left` : ''}`);
    }
    if (part === 'slowloris') {
      const { report, ok } = await slowlorisMain(options);
      return done(ok, describe(report).split('\n').join('; '));
    }
    const report = await SCENARIOS[part as keyof typeof SCENARIOS]();
    process.stdout.write(`${report.text()}\n`);
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.what);
    return done(report.ok, failed.length === 0 ? `${report.checks.length} checks passed` : `${failed.length} of ${report.checks.length} checks failed: ${failed.join('; ')}`);
  } catch (err) {
    return done(false, `error: ${(err as Error)?.stack ?? String(err)}`);
  }
}

export async function main(args: string[]): Promise<number> {
  const named = args.filter((a) => PARTS.includes(a));
  const options = args.filter((a) => !PARTS.includes(a));
  const unknown = options.filter((a, i) => a.startsWith('--') === false && !(i > 0 && options[i - 1]!.startsWith('--')));
  if (unknown.length > 0) {
    process.stderr.write(`unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.join(', ')}\n`);
    return 2;
  }
  const parts = named.length > 0 ? named : PARTS;
  const outcomes: Outcome[] = [];
  for (const part of parts) {
    process.stdout.write(`\n### ${part}\n`);
    const o = await runPart(part, options);
    outcomes.push(o);
    process.stdout.write(`${o.ok ? 'ok' : 'FAILED'} ${part} (${o.seconds.toFixed(1)} s): ${o.summary}\n`);
  }
  process.stdout.write('\n## reliability summary\n');
  for (const o of outcomes) process.stdout.write(`${o.ok ? 'ok    ' : 'FAILED'} ${o.part.padEnd(13)} ${o.seconds.toFixed(0).padStart(4)} s  ${o.summary.slice(0, 300)}\n`);
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

if (isMain(import.meta.url)) process.exit(await main(process.argv.slice(2)));
