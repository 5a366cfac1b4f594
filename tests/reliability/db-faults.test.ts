// Database faults against the real server (app/main.ts with forked workers): the database locked by another process
// (3 s, within the lock timeout; then longer than a 1 s --db-lock-timeout), and the file removed at run time.
// Expected: writes wait or get 503 with Retry-After (never 500), reads and /healthz are answered meanwhile, nothing
// is lost, the server recovers by itself; a removed file gives 503, /healthz 503, and no worker respawn loop.
// The long versions (an 8 s lock against the default 5 s timeout, a 10 s watch): `make reliability ARGS="dbLocked
// dbLockedLong dbRemoved"`. The full disk needs root: tests/reliability/disk-full.test.ts.

import t from 'tap';
import { dbLocked, dbRemoved } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

t.setTimeout(300_000); // three real servers in a row, each computing a job

t.test('the database locked by another process for 3 s', async (t) => {
  assertReport(t, await dbLocked({ lockMs: 3000 }));
});

t.test('the database locked for longer than the lock timeout (3 s lock, --db-lock-timeout 1000)', async (t) => {
  assertReport(t, await dbLocked({ lockMs: 3000, args: ['--db-lock-timeout', '1000'] }));
});

t.test('the database file removed at run time', async (t) => {
  assertReport(t, await dbRemoved({ watchMs: 5000 }));
});
