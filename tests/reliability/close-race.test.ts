// The server closes an idle keep-alive connection (keep-alive timeout, or graceful shutdown) at the moment
// the client sends its next request on it. The close may win, but then the request must not be run: a
// request the app runs must be answered, or the client cannot know whether it had an effect.
// Made deterministic: for the keep-alive timeout, the event loop is stalled (600 ms, like a busy SQLite
// wait) past the deadline, and the request is sent right after; for shutdown, stop() and the request go in
// the same tick. Either way the server has called end() before it reads the request.

import t, { type Test } from 'tap';
import type { App } from '../../server/interface.js';
import { RawClient, startServer } from '../server/helpers.js';


function countingApp(): { app: App; ran: string[] } {
  const ran: string[] = [];
  const app: App = async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    ran.push(scope.path);
    if (scope.path === '/block') {
      const until = Date.now() + 600;
      while (Date.now() < until) { /* a synchronous stall: the event loop is stuck, like a busy SQLite wait */ }
    }
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', '2']] });
    await send({ type: 'http.response.body', body: 'ok' });
  };
  return { app, ran };
}

async function race(t: Test, trigger: 'keep-alive timeout' | 'graceful shutdown'): Promise<void> {
  const { app, ran } = countingApp();
  const s = await startServer(app, { lifespan: 'off', timeouts: { keepAliveTimeoutMs: trigger === 'keep-alive timeout' ? 100 : 60_000 } });
  t.teardown(() => s.stop());
  const a = await RawClient.connect(s.port);
  a.send('GET /first HTTP/1.1\r\nHost: t\r\n\r\n');
  await a.waitResponses(1);
  if (trigger === 'keep-alive timeout') {
    const b = await RawClient.connect(s.port);
    b.send('GET /block HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    // The server (this process) is stuck in /block past A's keep-alive deadline. When the loop resumes, the
    // sweeper (due first) ends A, then this timer sends on A before the FIN is read here.
    await new Promise((r) => setTimeout(r, 150));
  } else {
    void s.server.stop(2000); // closes A at once: it is idle
  }
  a.send('GET /second HTTP/1.1\r\nHost: t\r\n\r\n');
  await a.until(() => a.closed || a.responses().length >= 2, 'an answer or a close', 5000);
  const answered = a.responses().length >= 2;
  const ran2 = ran.includes('/second');
  t.comment(`${trigger}: /second ${ran2 ? 'was run' : 'was not run'} by the app and ${answered ? 'was answered' : 'got no answer'}; server log: ${s.logs.join(' | ') || '(nothing)'}`);
  t.ok(answered || !ran2, 'a request the app ran is answered (or the app never runs it)');
  t.notOk(s.logs.some((l) => /write after end/.test(l)), 'no response is written after the connection was ended');
}

t.test('keep-alive timeout racing the next request', (t) => race(t, 'keep-alive timeout'));
t.test('graceful shutdown racing the next request', (t) => race(t, 'graceful shutdown'));
