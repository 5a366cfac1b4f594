// The pi benchmark (`node dist/bench/pi-bench.js`) at its smallest size, so the script cannot rot: it must compute
// 10^5 decimals that match the SHA-256 table, run each program the number of times asked, and print its table row.
// No timing is asserted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PI_BENCH = join(ROOT, 'dist', 'bench', 'pi-bench.js');

function runPiBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PI_BENCH, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

t.test('pi-bench --max 100000 --repeat 2: one checked row, the median of two runs of each program', async (t) => {
  if (!existsSync(PI_BENCH)) {
    t.fail(`${PI_BENCH} is missing: build first (make test does: npx tsc -p tsconfig.json)`);
    return;
  }
  const r = await runPiBench(['--max', '100000', '--repeat', '2']);
  t.equal(r.code, 0, 'exits 0', { stderr: r.stderr.slice(-4000) });
  t.match(r.stdout, /the median of 2 run\(s\) of each/, 'says what each cell is');
  const rows = r.stdout.split('\n').filter((line) => /^\| [\d,]+ \|/.test(line));
  t.same(rows.map((line) => line.split('|')[1]!.trim()), ['100,000'], 'one row, for 10^5 (--max 100000)');
  const cells = (rows[0] ?? '').split('|').slice(1, -1).map((c) => c.trim());
  t.notMatch(rows[0] ?? '', /MISMATCH/, 'no program printed digits that differ from the table');
  const withCln = cells.length === 6;
  t.comment(withCln ? 'CLN pi is installed: both programs timed' : 'CLN pi is not installed: rawpi timed alone');
  const runs = cells[cells.length - 1]!.split('/').map((side) => side.trim().split(' ').map(Number));
  t.equal(runs.length, withCln ? 2 : 1, 'the runs of each program are listed');
  for (const side of runs) t.ok(side.length === 2 && side.every((s) => s > 0), `two runs, each with a time: ${side.join(' ')}`);
  t.equal(cells[withCln ? 4 : 2], withCln ? 'both match table' : 'match table', 'the digits were checked against the table');
  // The median of two is their mean; the printed runs are rounded to 0.01 s, so the cell may differ by that much.
  const [a, b] = runs[0]!;
  t.ok(Math.abs(Number(cells[1]) - (a! + b!) / 2) <= 0.0101, `the rawpi cell (${cells[1]}) is the median of its runs (${a} ${b})`);
});
