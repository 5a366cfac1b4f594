// kill -9 the master while jobs run, start it again on the same database: every job ends stored (or error),
// none lost, none duplicated, correct digits, and no worker of the first run is left. bench/reliability/faults.ts.

import t from 'tap';
import { killMaster } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

// A real server computing 10^6 digits competes with the rest of `make test` for the cores: room to finish.
t.setTimeout(600_000);

t.test('kill -9 the master, then start it again', async (t) => {
  assertReport(t, await killMaster());
});
