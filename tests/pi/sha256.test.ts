// The SHA-256 table of tests/fixtures/pi-sha256.json for n up to 10^6: hash of "3." + n decimals, and the n-th decimal.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { computePiDecimals, computePiDecimalsSync } from '../../workers/pi/index.js';

interface Row { n: number; digit: number; sha256: string }
const table = (JSON.parse(readFileSync(new URL('../fixtures/pi-sha256.json', import.meta.url), 'utf8')) as Row[])
  .filter((r) => r.n <= 1_000_000);
const sha = (decimals: string): string => createHash('sha256').update('3.' + decimals).digest('hex');

t.test('the table has rows up to 10^6', async (t) => {
  t.ok(table.some((r) => r.n === 1_000_000));
});

t.test('each n on its own (sync up to 10^4, threads above)', async (t) => {
  for (const row of table) {
    const d = row.n <= 10_000 ? computePiDecimalsSync(row.n) : await computePiDecimals(row.n);
    t.equal(d.length, row.n, `length for n=${row.n}`);
    t.equal(sha(d), row.sha256, `sha256 for n=${row.n}`);
    t.equal(Number(d[row.n - 1]), row.digit, `digit ${row.n}`);
  }
});
