// The disk under the database fills up while a worker computes, then frees (an 8 MB tmpfs filled with a file):
// writes answer 503 (never 500), reads go on, no worker crash loop, and the job computing meanwhile is stored once
// space is back. Mounting a tmpfs needs root: skipped otherwise. Long version: `make reliability ARGS=diskFull`.

import t from 'tap';
import { diskFull } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

t.setTimeout(300_000); // waits out a full disk, then a job

const root = process.getuid?.() === 0;

t.test('the disk under the database fills up, then frees', { skip: root ? false : 'mounting a tmpfs to fill needs root (mount -t tmpfs); run the suite as root to include it' }, async (t) => {
  assertReport(t, await diskFull());
});
