// SIGTERM while autocannon (and an accounting client that tracks every request) loads `/`: the process exits 0
// within the shutdown timeout, and no request that reached the server goes unanswered. bench/reliability/faults.ts.

import t from 'tap';
import { sigterm } from '../../bench/reliability/faults.js';
import { assertReport } from './fixtures/report.js';

// A real server under load competes with the rest of `make test` for the cores: room to finish.
t.setTimeout(600_000);

/**
 * Found by this test (README, Reliability, bug 1): on shutdown, server/connection.ts closed "idle" keep-alive
 * connections at once with socket.end(), but kept reading them: the request the client had already sent was
 * run, and its response written after end(). The client saw the connection close without an answer.
 * Fixed: no request is run after the server decided to close a connection, and idle keep-alive connections get
 * a short grace at shutdown (server/connection.ts shutdown), so a client that honours Connection: close loses
 * nothing. autocannon does not honour it: the one request per connection it writes after the close is lost,
 * and a client deaf to Connection: close in the same run shows that those are all it loses.
 */
t.test('SIGTERM under load', async (t) => {
  assertReport(t, await sigterm({ connections: 50, loadBeforeMs: 3000 }));
});
