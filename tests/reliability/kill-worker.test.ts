// kill -9 a worker in the middle of a 10^6-digit job: the job is retried, stored exactly once, and
// /pi/1000000.txt is exactly "3." and the reference decimals (sha256 dd382ef6...). bench/reliability/faults.ts.

import t from 'tap';
import { killWorker } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

// A real server computing 10^6 digits competes with the rest of `make test` for the cores: room to finish.
t.setTimeout(600_000);

t.test('kill -9 a worker mid-job', async (t) => {
  assertReport(t, await killWorker({ n: 1_000_000 }));
});
