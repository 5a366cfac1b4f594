// Over real sockets: keep-alive matrix, pipelining, chunked both ways, 100-continue, HEAD/204/304, errors.

import t from 'tap';
import http from 'node:http';
import { helloApp } from '../../app/hello.js';
import type { App } from '../../server/interface.js';
import { RawClient, exchange, startServer } from './helpers.js';

const H = 'Host: test\r\n';

t.test('keep-alive matrix (RFC 9112 9.3, RFC 1945)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const cases: Array<[string, string, boolean, string | undefined]> = [
    ['HTTP/1.0 without Connection closes', 'GET / HTTP/1.0\r\n\r\n', false, 'close'],
    ['HTTP/1.0 with keep-alive persists and says so', 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', true, 'keep-alive'],
    ['HTTP/1.0 with KEEP-ALIVE (any case) persists', 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', true, 'keep-alive'],
    ['HTTP/1.1 persists by default', `GET / HTTP/1.1\r\n${H}\r\n`, true, undefined],
    ['HTTP/1.1 with Connection: close closes', `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, false, 'close'],
    ['HTTP/1.1 with Connection: CLOSE closes', `GET / HTTP/1.1\r\n${H}Connection: foo, CLOSE\r\n\r\n`, false, 'close'],
  ];
  for (const [name, request, persists, connectionHeader] of cases) {
    const c = await RawClient.connect(s.port);
    c.send(request);
    const [r] = await c.waitResponses(1);
    t.equal(r!.status, 200, `${name}: 200`);
    t.equal(r!.header('connection'), connectionHeader, `${name}: Connection header`);
    if (persists) {
      c.send(`GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
      const rs = await c.waitResponses(2);
      t.equal(rs[1]!.status, 200, `${name}: a second request is served on the same connection`);
    }
    await c.waitClosed();
    t.ok(c.closed, `${name}: closed at the end`);
  }
});

t.test('pipelined requests are answered in order (RFC 9112 9.3.2)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const req = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\n${H}${extra}\r\n`;
  const { responses } = await exchange(s.port, req('/echo?n=1') + req('/nope') + `POST /echo?n=3 HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello` + req('/', 'Connection: close\r\n'));
  t.same(responses.map((r) => r.status), [200, 404, 200, 200]);
  t.match(responses[0]!.body.toString(), /target: +\/echo\?n=1/);
  t.match(responses[2]!.body.toString(), /body length: +5 bytes/);
});

t.test('a pipelined request is never read out of a body (RFC 9112 6.3)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const smuggled = `GET /nope HTTP/1.1\r\n${H}\r\n`;
  const { responses } = await exchange(s.port, `POST /echo HTTP/1.1\r\n${H}Content-Length: ${smuggled.length}\r\nConnection: close\r\n\r\n${smuggled}`);
  t.equal(responses.length, 1, 'one response only');
  t.match(responses[0]!.body.toString(), new RegExp(`body length: +${smuggled.length} bytes`));
});

t.test('chunked request body is de-chunked for the app (RFC 9112 7.1)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const { responses } = await exchange(s.port, `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext="a b"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n`);
  t.equal(responses[0]!.status, 200);
  t.match(responses[0]!.body.toString(), /body length: +11 bytes/);
  t.match(responses[0]!.body.toString(), /"hello world"/);
});

const streaming: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  await send({ type: 'http.response.start', status: 200, headers: [['Content-Type', 'text/plain']] });
  await send({ type: 'http.response.body', body: 'part one, ', more_body: true });
  await send({ type: 'http.response.body', body: 'part two', more_body: false });
};

t.test('a body without Content-Length is chunked for 1.1 and close-delimited for 1.0', async (t) => {
  const s = await startServer(streaming);
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [r] = await c.waitResponses(1);
  t.equal(r!.header('transfer-encoding'), 'chunked');
  t.equal(r!.body.toString(), 'part one, part two');
  t.notOk(c.closed, 'the 1.1 connection stays open');
  c.end();
  const old = await exchange(s.port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  t.equal(old.responses[0]!.header('transfer-encoding'), undefined, 'no chunked coding for HTTP/1.0');
  t.equal(old.responses[0]!.header('connection'), 'close', 'the 1.0 body ends with the connection');
  t.equal(old.responses[0]!.body.toString(), 'part one, part two');
});

t.test('HEAD, 204 and 304 carry no body (RFC 9110 6.4.1)', async (t) => {
  const statusApp: App = async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    const status = Number(scope.path.slice(1)) || 200;
    await send({ type: 'http.response.start', status, headers: [['Content-Length', '5']] });
    await send({ type: 'http.response.body', body: status === 200 ? 'hello' : '' });
  };
  const s = await startServer(statusApp);
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`HEAD / HTTP/1.1\r\n${H}\r\nGET /204 HTTP/1.1\r\n${H}\r\nGET /304 HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  await c.waitClosed();
  const rs = c.responses([0]);
  t.same(rs.map((r) => r.status), [200, 204, 304, 200]);
  t.equal(rs[0]!.header('content-length'), '5', 'HEAD shows the length GET would have');
  t.equal(rs[1]!.header('content-length'), undefined, 'a 204 never carries Content-Length (RFC 9110 8.6), even when the app set one');
  t.equal(rs[2]!.header('content-length'), '5', 'a 304 may: it is the length a 200 would have');
  t.equal(rs[3]!.body.toString(), 'hello', 'the bytes after HEAD/204/304 are the next response, nothing leaked');
});

t.test('Expect: 100-continue is answered when the app asks for the body (RFC 9110 10.1.1)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`POST /echo HTTP/1.1\r\n${H}Content-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
  await c.until(() => c.received.toString().startsWith('HTTP/1.1 100 Continue\r\n\r\n'), '100 Continue');
  c.send('ping');
  await c.waitClosed();
  const rest = c.received.subarray('HTTP/1.1 100 Continue\r\n\r\n'.length).toString();
  t.match(rest, /^HTTP\/1\.1 200 OK/);
  t.match(rest, /body length: +4 bytes/);
});

t.test('no 100 Continue when the app answers without reading the body', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send(`POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nExpect: 100-continue\r\n\r\n`);
  const [r] = await c.waitResponses(1);
  t.equal(r!.status, 200);
  t.notMatch(c.received.toString(), /100 Continue/);
  c.send(`abcdGET /echo HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
  const rs = await c.waitResponses(2);
  t.equal(rs[1]!.status, 200, 'the unread body was dropped and the next request served');
});

t.test('bad requests get a status and a one-line reason a telnet user can act on', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const cases: Array<[string, string, number, RegExp]> = [
    ['bare LF', 'GET / HTTP/1.1\nHost: x\n\n', 400, /CRLF: in telnet that is Enter, with nc use -C/],
    ['no Host in 1.1', 'GET / HTTP/1.1\r\n\r\n', 400, /must have a Host header/],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, /More than one Host/],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', 505, /HTTP\/2\.0 is not supported/],
    ['lower-case version', 'GET / http/1.1\r\n\r\n', 400, /case-sensitive/],
    ['space in the target', 'GET /a b HTTP/1.1\r\n\r\n', 400, /%20/],
    ['space before colon', `GET / HTTP/1.1\r\n${H}Foo : bar\r\n\r\n`, 400, /between the header name and the colon/],
    ['obs-fold', `GET / HTTP/1.1\r\n${H}Foo: a\r\n  b\r\n\r\n`, 400, /folding/],
    ['CL and TE together', `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n`, 400, /Both Transfer-Encoding and Content-Length/],
    ['TE from HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 400, /HTTP\/1\.1 feature/],
    ['unknown transfer coding', `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`, 501, /not implemented/],
    ['unknown expectation', `POST / HTTP/1.1\r\n${H}Expect: tea\r\n\r\n`, 417, /100-continue/],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501, /not one/],
    ['bad percent-encoding', `GET /%zz HTTP/1.1\r\n${H}\r\n`, 400, /percent-encoding/],
  ];
  for (const [name, request, status, reason] of cases) {
    const { responses, closed } = await exchange(s.port, request);
    t.equal(responses[0]?.status, status, `${name}: ${status}`);
    t.match(responses[0]?.body.toString(), reason, `${name}: the reason explains`);
    t.equal(responses[0]?.header('connection'), 'close', `${name}: Connection: close`);
    t.ok(closed, `${name}: connection closed`);
  }
});

t.test('the error answer to HEAD has no content (RFC 9110 9.3.2)', async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const cases: Array<[string, string, string]> = [
    ['no Host', 'HEAD / HTTP/1.1\r\n\r\n', '400 Bad Request'],
    ['bad percent-encoding', `HEAD /%zz HTTP/1.1\r\n${H}\r\n`, '400 Bad Request'],
    ['a body over --max-body', `HEAD / HTTP/1.1\r\n${H}Content-Length: 999999999\r\n\r\n`, '413 Content Too Large'],
  ];
  for (const [name, request, status] of cases) {
    const { raw, closed } = await exchange(s.port, request);
    t.match(raw, new RegExp(`^HTTP/1\\.1 ${status}\r\n`), `${name}: ${status}`);
    t.match(raw, /\r\nContent-Length: [1-9]\d*\r\n/, `${name}: the length GET would have`);
    t.ok(raw.endsWith('\r\n\r\n'), `${name}: nothing after the head`);
    t.ok(closed, `${name}: closed`);
  }
});

t.test("node's http client talks to it, with keep-alive", async (t) => {
  const s = await startServer(helloApp);
  t.teardown(s.stop);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const get = (path: string, method = 'GET', body?: string) => new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
    const req = http.request({ port: s.port, host: '127.0.0.1', path, method, agent }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body: data, socket: req.socket }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
  const a = await get('/');
  const b = await get('/echo', 'PUT', 'x'.repeat(100_000));
  t.equal(a.status, 200);
  t.equal(a.body, 'Hello from rawpi!\n');
  t.match(b.body, /body length: +100000 bytes/, 'a 100 kB chunked upload arrives whole');
  t.equal(a.socket, b.socket, 'both requests used one connection');
});

t.test('--trace shows the bytes on the wire, escaped', async (t) => {
  const s = await startServer(helloApp, { trace: true });
  t.teardown(s.stop);
  await exchange(s.port, 'GET / HTTP/1.0\r\n\r\n');
  const text = s.out.join('');
  t.match(text, /<< GET \/ HTTP\/1\.0\\r\\n/);
  t.match(text, />> HTTP\/1\.1 200 OK\\r\\n/);
});

t.test('access log: one line per response, Common Log Format plus duration', async (t) => {
  const s = await startServer(helloApp, { accessLog: true });
  t.teardown(s.stop);
  await exchange(s.port, 'GET /nope?x=1 HTTP/1.0\r\n\r\n');
  await new Promise((r) => setImmediate(r));
  t.match(s.out.join(''), /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/nope\?x=1 HTTP\/1\.0" 404 \d+ [\d.]+ms\n$/);
});
