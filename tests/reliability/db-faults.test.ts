// Database faults: locked by another process (3 s, then 8 s: past the 5 s busy timeout), the disk full
// (a tmpfs; needs root), the file removed at run time. Expected: requests wait or get 503 (never 500),
// nothing is lost, the server recovers by itself, no worker crash loop.
//
// Disabled by default: several checks fail on bugs reported in tests/reliability/README-section.md.
// Enable with RAWPI_DB_FAULTS=1 (e.g. `RAWPI_DB_FAULTS=1 npx tap tests/reliability/db-faults.test.ts`),
// or all of them run by `make reliability ARGS="dbLocked dbLockedLong diskFull dbRemoved"`.

import t from 'tap';
import { dbLocked, dbLockedLong, dbRemoved, diskFull } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

t.setTimeout(600_000); // four real servers in a row, one of them waiting out a full disk

const enabled = process.env.RAWPI_DB_FAULTS === '1';
const skip = enabled ? false : 'database fault tests are disabled until the bugs they found are fixed: set RAWPI_DB_FAULTS=1';
const root = process.getuid?.() === 0;

t.test('the database locked by another process for 3 s', { skip }, async (t) => {
  assertReport(t, await dbLocked({ lockMs: 3000 }));
});

t.test('the database locked for 8 s (past the busy timeout)', { skip }, async (t) => {
  assertReport(t, await dbLockedLong());
});

t.test('the disk under the database fills up, then frees', { skip: skip || (root ? false : 'needs root to mount a tmpfs') }, async (t) => {
  assertReport(t, await diskFull());
});

t.test('the database file removed at run time', { skip }, async (t) => {
  assertReport(t, await dbRemoved());
});
