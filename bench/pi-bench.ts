// Benchmark: computePiDecimals at 10^5, 10^6, 10^7 beside Debian's `pi` (CLN), digits checked against the SHA-256
// table. Prints a Markdown table. Run: npx tsc -p tsconfig.json && node dist/bench/pi-bench.js [--max N] [--threads T]
// [--repeat R] (default 3: R runs of each, alternating rawpi and CLN; the median is reported, every run listed).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computePiDecimals } from '../workers/pi/index.js';
import { wholeNumberOption } from './options.js';
import { median } from './stats.js';

interface Row { n: number; sha256: string }

/** tests/fixtures/pi-sha256.json, looked for upwards from this file (bench/ or dist/bench/). */
function loadTable(): Row[] {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const p = join(dir, 'tests', 'fixtures', 'pi-sha256.json');
    if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')) as Row[];
  }
  throw new Error('tests/fixtures/pi-sha256.json not found');
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function hasCln(): boolean {
  return spawnSync('pi', ['10'], { encoding: 'utf8' }).status === 0;
}

/** Debian's pi prints n significant digits: "3." and n - 1 decimals. */
function runCln(n: number): Promise<{ seconds: number; text: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('pi', [String(n + 1)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`pi exited with ${code}`));
      resolve({ seconds, text: Buffer.concat(chunks).toString('latin1').replace(/\s+/g, '') });
    });
  });
}

async function main(): Promise<void> {
  const max = wholeNumberOption('--max', 10_000_000, 'pi-bench');
  const threads = wholeNumberOption('--threads', 2, 'pi-bench');
  const repeat = wholeNumberOption('--repeat', 3, 'pi-bench');
  const table = loadTable();
  const cln = hasCln();
  const sizes = [100_000, 1_000_000, 10_000_000].filter((n) => n <= max);
  if (!cln) console.log('Debian\'s `pi` (CLN) is not installed, so only rawpi is timed. To compare: apt-get install pi\n');
  console.log(`rawpi: computePiDecimals(n, { threads: ${threads} }), Node ${process.version}; CLN: \`pi n+1\`. ` +
    `Wall-clock seconds, the median of ${repeat} run(s)${cln ? ' of each, taking turns (rawpi, CLN, rawpi, ...)' : ''}; every run in ` +
    `the last column. rawpi's two threads start in its first run (10^5) and are reused after it, as in a worker.\n`);
  console.log(cln ? '| n | rawpi (s) | CLN pi (s) | rawpi/CLN | digits | runs rawpi / CLN (s) |' : '| n | rawpi (s) | digits | runs (s) |');
  console.log(cln ? '|---:|---:|---:|---:|---|---|' : '|---:|---:|---|---|');
  for (const n of sizes) {
    const expected = table.find((r) => r.n === n)?.sha256;
    const ours: number[] = [];
    const theirs: number[] = [];
    let oursOk = true;
    let clnOk = true;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const decimals = await computePiDecimals(n, { threads });
      ours.push((performance.now() - t0) / 1000);
      oursOk &&= sha('3.' + decimals) === expected;
      if (!cln) continue;
      const c = await runCln(n);
      theirs.push(c.seconds);
      clnOk &&= sha(c.text) === expected;
    }
    const runs = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ');
    if (!cln) {
      console.log(`| ${n.toLocaleString('en')} | ${median(ours).toFixed(2)} | ${oursOk ? 'match table' : 'MISMATCH'} | ${runs(ours)} |`);
      continue;
    }
    const agree = oursOk && clnOk ? 'both match table' : `rawpi ${oursOk ? 'ok' : 'MISMATCH'}, CLN ${clnOk ? 'ok' : 'MISMATCH'}`;
    console.log(`| ${n.toLocaleString('en')} | ${median(ours).toFixed(2)} | ${median(theirs).toFixed(2)} | ${(median(ours) / median(theirs)).toFixed(2)} | ${agree} | ${runs(ours)} / ${runs(theirs)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
