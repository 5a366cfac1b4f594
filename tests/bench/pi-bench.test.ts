// The pi benchmark (`node dist/bench/pi-bench.js`) at its smallest size, so the script cannot rot: it must compute
// 10^5 decimals that match the SHA-256 table, run each program the number of times asked, and print its table row.
// No timing is asserted.
import t from 'tap';
import { piGoal, piRow } from '../../bench/report.js';
import { builtScript, runScript } from './run-script.js';

t.test('pi-bench --max 100000 --repeat 3: one checked row, the median of three runs of each program', async (t) => {
  const PI_BENCH = builtScript(t, 'pi-bench.js');
  if (PI_BENCH === null) return;
  const r = await runScript(PI_BENCH, ['--max', '100000', '--repeat', '3'], 120_000);
  t.equal(r.code, 0, 'exits 0', { stderr: r.stderr.slice(-4000) });
  t.match(r.stdout, /the median of 3 run\(s\)/, 'says what each cell is');
  const rows = r.stdout.split('\n').filter((line) => /^\| [\d,]+ \|/.test(line));
  t.same(rows.map((line) => line.split('|')[1]!.trim()), ['100,000'], 'one row, for 10^5 (--max 100000)');
  const cells = (rows[0] ?? '').split('|').slice(1, -1).map((c) => c.trim());
  t.notMatch(rows[0] ?? '', /MISMATCH/, 'no program printed digits that differ from the table');
  const withCln = cells.length === 6;
  t.comment(withCln ? 'CLN pi is installed: both programs timed' : 'CLN pi is not installed: rawpi timed alone');
  const runs = cells[cells.length - 1]!.split('/').map((side) => side.trim().split(' '));
  t.equal(runs.length, withCln ? 2 : 1, 'the runs of each program are listed');
  for (const side of runs) t.ok(side.length === 3 && side.every((x) => Number(x) > 0), `three runs, each with a time: ${side.join(' ')}`);
  t.equal(cells[withCln ? 4 : 2], withCln ? 'both match table' : 'match table', 'the digits were checked against the table');
  // Of three runs the median is the middle one, printed the same way.
  const middle = (side: string[]): string => [...side].sort((a, b) => Number(a) - Number(b))[1]!;
  t.equal(cells[1], middle(runs[0]!), 'the rawpi cell is the median of its runs');
  if (withCln) t.equal(cells[2], middle(runs[1]!), 'the CLN cell is the median of its runs');
  // The report reads this very table: its row parser must find what the table printed.
  const row = piRow(r.stdout, '100,000');
  if (withCln) t.same(row, { ours: cells[1], cln: cells[2], ratio: cells[3], digits: cells[4] }, 'the report reads the row as printed');
  else t.equal(row, null, 'without CLN there is no row to compare');
  // This table stops at 10^5: the report's pi goal (10^6 and 10^7) is not measured, and says so.
  const goal = piGoal({ command: 'node dist/bench/pi-bench.js', code: r.code, seconds: 1, output: r.stdout });
  t.equal(goal.met, null, 'the pi goal is not judged from a table without 10^6 and 10^7');
  t.match(goal.measured, /10\^6: not measured; 10\^7: not measured/);
});

t.test('the report judges the pi goal from the table pi-bench prints', async (t) => {
  const table = (r6: string, r7: string, digits7 = 'both match table'): string => [
    '| n | rawpi (s) | CLN pi (s) | rawpi/CLN | digits | runs rawpi / CLN (s) |', '|---:|---:|---:|---:|---|---|',
    '| 100,000 | 0.07 | 0.08 | 0.79 | both match table | 0.23 0.07 0.06 / 0.08 0.10 0.08 |',
    `| 1,000,000 | 0.90 | 1.00 | ${r6} | both match table | 0.90 0.91 0.89 / 1.00 1.01 0.99 |`,
    `| 10,000,000 | 9.00 | 10.00 | ${r7} | ${digits7} | 9.00 9.10 8.90 / 10.00 10.10 9.90 |`,
  ].join('\n');
  const run = (output: string) => piGoal({ command: 'node dist/bench/pi-bench.js', code: 0, seconds: 1, output });
  t.same(run(table('0.90', '1.00')), { goal: 'pi ≤ 1.0× CLN wall time at 10^6 and 10^7 digits', measured: '10^6: 0.90× (0.90 vs 1.00 s); 10^7: 1.00× (9.00 vs 10.00 s)', met: true });
  t.equal(run(table('1.01', '0.90')).met, false, 'a ratio over 1.00 at 10^6 misses');
  t.equal(run(table('0.90', '1.01')).met, false, 'a ratio over 1.00 at 10^7 misses');
  const wrong = run(table('0.90', '0.90', 'rawpi MISMATCH, CLN ok'));
  t.equal(wrong.met, false, 'wrong digits miss, however fast');
  t.match(wrong.measured, /rawpi MISMATCH/);
  const withoutRow = (output: string, n: string): string => output.split('\n').filter((line) => !line.startsWith(`| ${n} |`)).join('\n');
  t.equal(run(withoutRow(table('1.01', '0.90'), '10,000,000')).met, false, 'a miss at 10^6 is a miss even when 10^7 was not measured');
  t.equal(run(withoutRow(table('0.90', '0.90'), '1,000,000')).met, null, 'one size met and one not measured: not judged');
  const noCln = ['| n | rawpi (s) | digits | runs (s) |', '|---:|---:|---|---|', '| 1,000,000 | 0.90 | match table | 0.90 0.91 0.89 |',
    '| 10,000,000 | 9.00 | match table | 9.00 9.10 8.90 |'].join('\n');
  t.same(run(noCln).met, null, 'without CLN there is nothing to compare with');
  t.same(piGoal({ skipped: '--no-pi' }), { goal: 'pi ≤ 1.0× CLN wall time at 10^6 and 10^7 digits', measured: 'not measured (--no-pi)', met: null });
});
