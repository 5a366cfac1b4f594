// The parser microbenchmark (`node dist/bench/parser-bench.js`) in a tiny run, so the script cannot rot: every case
// parses or builds what it should and prints its row. No timing is asserted.
import t from 'tap';
import { builtScript, runScript } from './run-script.js';

t.test('parser-bench --iterations 2000 --rounds 2: a row per case, each with its rounds', async (t) => {
  const SCRIPT = builtScript(t, 'parser-bench.js');
  if (SCRIPT === null) return;
  const r = await runScript(SCRIPT, ['--iterations', '2000', '--rounds', '2'], 60_000);
  t.equal(r.code, 0, 'exits 0', { stderr: r.stderr.slice(-2000) });
  const rows = r.stdout.split('\n').filter((line) => /^\| (parse|response head)/.test(line));
  t.equal(rows.length, 4, 'four cases: three request heads and a response head');
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    t.ok(Number(cells[1]) > 0, `${cells[0]}: a time per request`);
    t.equal(cells[2]!.split(' ').length, 2, `${cells[0]}: both rounds listed`);
  }
  const bad = await runScript(SCRIPT, ['--iterations', 'many'], 30_000);
  t.equal(bad.code, 2, 'a bad option exits 2');
  t.match(bad.stderr, /--iterations takes a whole number of at least 1, got many/, 'and says what it expected');
});
