// When a connection carries on and when it ends (RFC 9112 9.3, 9.6), in the races a slow reader makes: the request
// body or the next request arriving while a closing response is still being written, and a client's half-close.

import t, { type Test } from 'tap';
import type { App } from '../../server/interface.js';
import { RawClient, startServer } from './helpers.js';

/** More than loopback buffers hold, so the response stays unfinished until the client reads. */
const BIG = Buffer.alloc(16 * 1024 * 1024, 0x61);

/**
 * /big answers at once with BIG, without reading the request body (?close adds Connection: close); /read reads the
 * whole body first (it notes a disconnect); / says hi.
 */
function appCounting(seen: string[]): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') return;
    seen.push(`${scope.method} ${scope.path}`);
    if (scope.path === '/read') {
      for (;;) {
        const m = await receive();
        if (m.type === 'http.disconnect') {
          seen.push('disconnect');
          return;
        }
        if (m.type === 'http.request' && !m.more_body) break;
      }
    }
    const big = scope.path === '/big';
    const body = big ? BIG : Buffer.from('hi\n');
    const headers: [string, string][] = [['Content-Length', String(body.length)]];
    if (big && scope.query_string === 'close') headers.push(['Connection', 'close']);
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body });
  };
}

/** Sends `first`, then `then` once the server is writing the big response, and reads only after the server got it. */
async function slowReader(t: Test, first: string, then: string): Promise<{ statuses: number[]; seen: string[]; closed: boolean }> {
  const seen: string[] = [];
  const s = await startServer(appCounting(seen), { trace: true });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.socket.pause();
  c.send(first);
  await c.until(() => seen.length === 1, 'the app to start answering');
  c.send(then);
  // The trace line is printed as the server reads the bytes, which it handles before anything else runs.
  const marker = then.slice(0, 12).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
  await c.until(() => s.out.join('').includes(`<< ${marker}`), 'the server to read the rest');
  c.socket.resume();
  await c.waitClosed();
  return { statuses: c.responses().map((r) => r.status), seen, closed: c.closed };
}

t.test('after a response with Connection: close, nothing more is read or answered (RFC 9112 9.6)', async (t) => {
  const r = await slowReader(t, 'POST /big?close HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n', 'helloGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  t.same(r.statuses, [200], 'only the first request is answered');
  t.same(r.seen, ['POST /big'], 'the request after the body never reached the app');
  t.ok(r.closed);
});

t.test('after an HTTP/1.0 response without keep-alive, a request sent meanwhile gets no answer, not even an error', async (t) => {
  const r = await slowReader(t, 'POST /big HTTP/1.0\r\nContent-Length: 5\r\n\r\n', 'helloGET / HTTP/1.0\r\n\r\n');
  t.same(r.statuses, [200], 'no 400 for the request the client should not have sent');
  t.same(r.seen, ['POST /big']);
});

t.test('a body that arrives while a keep-alive response is written is dropped, and the next request is answered', async (t) => {
  const r = await slowReader(t, 'POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n', 'helloGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.same(r.statuses, [200, 200]);
  t.same(r.seen, ['POST /big', 'GET /']);
});

/**
 * Sends `bytes` (a big request first) and a FIN at once, and reads only after the FIN has had time to reach the
 * server while the big response is still unfinished: the race these tests are about. Resolves once the server
 * closed (within RawClient's 5 s, well under the 30 s body timeout).
 */
async function halfClosed(t: Test, bytes: string): Promise<{ statuses: number[]; seen: string[] }> {
  const seen: string[] = [];
  const s = await startServer(appCounting(seen));
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.socket.pause();
  c.send(bytes);
  c.end();
  await c.until(() => seen.length === 1, 'the app to start answering');
  await new Promise((resolve) => setTimeout(resolve, 100));
  c.socket.resume();
  await c.waitClosed();
  return { statuses: c.responses().map((r) => r.status), seen };
}

t.test('a client that half-closes after pipelining gets every complete request answered, then the close', async (t) => {
  const r = await halfClosed(t, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET /partial HTT');
  t.same(r.statuses, [200, 200], 'both complete requests are answered');
  t.same(r.seen, ['GET /big', 'GET /'], 'the incomplete one is not run');
});

t.test('a pipelined request whose body the FIN cut off ends the connection at once, not after the body timeout', async (t) => {
  const r = await halfClosed(t, 'GET /big HTTP/1.1\r\nHost: x\r\n\r\nPOST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
  t.same(r.statuses, [200], 'only the complete request is answered');
  t.same(r.seen, ['GET /big', 'POST /read', 'disconnect'], 'the cut-off request hears the disconnect');
});
