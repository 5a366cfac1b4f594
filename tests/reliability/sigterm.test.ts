// SIGTERM while autocannon (and an accounting client that tracks every request) loads `/`: the process exits 0
// within the shutdown timeout, and no request that reached the server goes unanswered. bench/reliability/faults.ts.

import t from 'tap';
import { sigterm } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

// A real server under load competes with the rest of `make test` for the cores: room to finish.
t.setTimeout(600_000);

/**
 * Found by this test (see tests/reliability/README-section.md): on shutdown, server/connection.ts closes
 * "idle" keep-alive connections at once with socket.end(), but keeps reading them: the request the client
 * already sent is parsed and run, and its response is written after end() ("write after end" in the log).
 * The client sees the connection close without an answer.
 */
const SHUTDOWN_RACE = 'bug: requests in flight on idle keep-alive connections are run but never answered at shutdown (server/connection.ts shutdown/close)';
const KNOWN = {
  'autocannon: every request that reached the server was answered (sent - answered - errors - connections = 0)': SHUTDOWN_RACE,
  'accounting client: every request written got a whole response': SHUTDOWN_RACE,
  'accounting client: the last responses carried Connection: close': SHUTDOWN_RACE,
};

t.test('SIGTERM under load', async (t) => {
  assertReport(t, await sigterm({ connections: 50, loadBeforeMs: 3000 }), KNOWN);
});
