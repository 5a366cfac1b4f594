// Every limit and timeout: its name, its option, and what the client sees when it is exceeded.

import { once } from 'node:events';
import net from 'node:net';
import t from 'tap';
import { helloApp } from '../../app/hello.js';
import { DEFAULT_CONNECTION_LIMITS, DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from '../../server/http/limits.js';
import { RawClient, exchange, startServer } from './helpers.js';

const H = 'Host: test\r\n';

t.test('defaults are the documented ones', async (t) => {
  t.same(DEFAULT_LIMITS, { maxRequestLineBytes: 8192, maxHeaderBytes: 16384, maxHeaderCount: 100, maxBodyBytes: 1048576, maxChunkLineBytes: 4096 });
  t.same(DEFAULT_TIMEOUTS, { headersTimeoutMs: 10000, keepAliveTimeoutMs: 5000, bodyTimeoutMs: 30000, shutdownTimeoutMs: 10000 });
  t.equal(DEFAULT_CONNECTION_LIMITS.maxConnections, 20000);
});

t.test('request line, header block, header count and body limits', async (t) => {
  const s = await startServer(helloApp, { limits: { maxRequestLineBytes: 100, maxHeaderBytes: 400, maxHeaderCount: 5, maxBodyBytes: 50 } });
  t.teardown(s.stop);
  const cases: Array<[string, string, number, RegExp]> = [
    ['request line over 100 bytes', `GET /${'a'.repeat(120)} HTTP/1.1\r\n${H}\r\n`, 414, /--max-request-line/],
    ['header block over 400 bytes', `GET / HTTP/1.1\r\n${H}X-Big: ${'b'.repeat(420)}\r\n\r\n`, 431, /--max-header-bytes/],
    ['6 header fields', `GET / HTTP/1.1\r\n${H}${'A: 1\r\n'.repeat(5)}\r\n`, 431, /--max-header-count/],
    ['Content-Length over 50', `POST /echo HTTP/1.1\r\n${H}Content-Length: 51\r\n\r\n`, 413, /--max-body/],
    ['chunked body over 50', `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n20\r\n${'x'.repeat(32)}\r\n20\r\n`, 413, /--max-body/],
  ];
  for (const [name, request, status, reason] of cases) {
    const { responses, closed } = await exchange(s.port, request);
    t.equal(responses[0]?.status, status, `${name}: ${status}`);
    t.match(responses[0]?.body.toString(), reason, `${name}: names its option`);
    t.ok(closed, `${name}: closed`);
  }
  const ok = await exchange(s.port, `POST /echo HTTP/1.1\r\n${H}Content-Length: 50\r\nConnection: close\r\n\r\n${'y'.repeat(50)}`);
  t.equal(ok.responses[0]?.status, 200, 'a body of exactly the limit is accepted');
  const okHeaders = await exchange(s.port, `GET / HTTP/1.1\r\n${H}${'A: 1\r\n'.repeat(3)}Connection: close\r\n\r\n`);
  t.equal(okHeaders.responses[0]?.status, 200, '5 header fields are accepted');
});

t.test('headers timeout: a slow head gets 408 and the connection closes', async (t) => {
  const s = await startServer(helloApp, { timeouts: { headersTimeoutMs: 200 } });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send('GET / HTTP/1.1\r\nHost: sl');
  await c.waitClosed();
  const [r] = c.responses();
  t.equal(r?.status, 408);
  t.match(r?.body.toString(), /--headers-timeout/);
  const silent = await RawClient.connect(s.port);
  await silent.waitClosed();
  t.equal(silent.received.length, 0, 'a connection that says nothing is closed without a response');
});

t.test('keep-alive timeout closes an idle persistent connection', async (t) => {
  const s = await startServer(helloApp, { timeouts: { keepAliveTimeoutMs: 200 } });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
  await c.waitResponses(1);
  await c.waitClosed();
  t.ok(c.closed, 'closed by the server after the idle timeout');
  t.equal(c.responses().length, 1);
});

t.test('a client that never closes its side of a finished connection is cut off after the keep-alive timeout', async (t) => {
  const s = await startServer(helloApp, { timeouts: { keepAliveTimeoutMs: 200 } });
  t.teardown(s.stop);
  // allowHalfOpen: the client reads the response and the server's FIN, but never sends its own.
  const socket = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (d: Buffer) => { received += d.toString('latin1'); });
  await once(socket, 'connect');
  socket.write('GET / HTTP/1.0\r\n\r\n');
  await once(socket, 'end');
  t.match(received, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n/, 'the response came, then the server\'s FIN');
  t.equal(s.server.connectionCount, 1, 'half-open: the server still holds the connection');
  while (s.server.connectionCount > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  t.pass('the server let go of it by itself (the sweeper destroys it once the keep-alive timeout, at least 1 s, has passed)');
});

t.test('body timeout: a stalled body gets 408', async (t) => {
  const s = await startServer(helloApp, { timeouts: { bodyTimeoutMs: 200 } });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`);
  await c.waitClosed();
  t.equal(c.responses()[0]?.status, 408);
  t.match(c.responses()[0]?.body.toString(), /--body-timeout/);
});

t.test('max connections: one more gets 503 and is closed', async (t) => {
  const s = await startServer(helloApp, { connectionLimits: { maxConnections: 2 } });
  t.teardown(s.stop);
  const a = await RawClient.connect(s.port);
  const b = await RawClient.connect(s.port);
  a.send(`GET / HTTP/1.1\r\n${H}\r\n`);
  b.send(`GET / HTTP/1.1\r\n${H}\r\n`);
  await a.waitResponses(1);
  await b.waitResponses(1);
  const c = await RawClient.connect(s.port);
  await c.waitClosed();
  const [r] = c.responses();
  t.equal(r?.status, 503);
  t.match(r?.body.toString(), /--max-connections/);
  a.end();
  b.end();
});

t.test('max connections: a refused client that never closes its side is let go', async (t) => {
  // keep-alive timeout 1 s: the first client holds the only slot while the second connects (the cut-off is 1 s anyway).
  const s = await startServer(helloApp, { connectionLimits: { maxConnections: 1 }, timeouts: { keepAliveTimeoutMs: 1000 } });
  t.teardown(s.stop);
  const a = await RawClient.connect(s.port);
  a.send(`GET / HTTP/1.1\r\n${H}\r\n`);
  await a.waitResponses(1);
  t.equal(s.server.connectionCount, 1, 'the first client holds the only slot');
  // allowHalfOpen: this client keeps its side open after the server's FIN, and keeps writing.
  const c = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
  t.teardown(() => c.destroy());
  c.on('error', () => {}); // the reset its writes meet once the server has let go
  const closed = new Promise((resolve) => c.on('close', resolve));
  let received = '';
  c.on('data', (d: Buffer) => { received += d.toString('latin1'); });
  await once(c, 'connect');
  c.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await once(c, 'end');
  t.match(received, /^HTTP\/1\.1 503 /, 'it got its 503');
  // It trickles a byte every 100 ms; once the server has let go, a write meets a reset and the socket closes.
  const trickle = setInterval(() => c.write('x'), 100);
  t.teardown(() => clearInterval(trickle));
  await closed;
  t.pass('the server closed the socket the client held open');
  a.end();
});

t.test('backpressure: an app that does not read the body pauses the socket, then resumes', async (t) => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => { release = r; });
  let received = 0;
  const s = await startServer(async (scope, receive, send) => {
    if (scope.type !== 'http') return;
    await gate;
    for (;;) {
      const m = await receive();
      if (m.type !== 'http.request') return;
      received += m.body.byteLength;
      if (!m.more_body) break;
    }
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', '2']] });
    await send({ type: 'http.response.body', body: 'ok' });
  }, { connectionLimits: { bodyHighWaterMark: 16 * 1024 }, limits: { maxBodyBytes: 32 * 1024 * 1024 } });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  const size = 16 * 1024 * 1024; // more than loopback socket buffers hold
  c.send(`POST / HTTP/1.1\r\n${H}Content-Length: ${size}\r\nConnection: close\r\n\r\n`);
  c.socket.write(Buffer.alloc(size, 0x61));
  await new Promise((r) => setTimeout(r, 300));
  t.ok(c.socket.writableLength > 0, 'the client cannot push the whole body while the app is not reading');
  release();
  await c.waitClosed();
  t.equal(c.responses()[0]?.status, 200);
  t.equal(received, size, 'every byte arrived once the app read');
});
