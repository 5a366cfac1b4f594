// The ASGI-like interface as an app sees it: scope fields, message order, misuse, failures, lifespan.

import t from 'tap';
import type { App, HttpScope, SendMessage } from '../../server/interface.js';
import { RawClient, exchange, startServer } from './helpers.js';

t.test('the http scope', async (t) => {
  let seen: HttpScope | null = null;
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type === 'lifespan') return;
    if (scope.type !== 'http') return;
    seen = scope;
    await send({ type: 'http.response.start', status: 204 });
    await send({ type: 'http.response.body' });
  }, { lifespan: 'off', rootPath: '/base' });
  t.teardown(s.stop);
  await exchange(s.port, 'GET /caf%C3%A9/a%20b?x=%20y&z HTTP/1.1\r\nHost: test\r\nX-Mixed-Case: One\r\nx-mixed-case: Two\r\nConnection: close\r\n\r\n');
  const scope = seen! as HttpScope;
  t.equal(scope.type, 'http');
  t.same(scope.asgi, { version: '3.0', spec_version: '2.4' });
  t.equal(scope.http_version, '1.1');
  t.equal(scope.method, 'GET');
  t.equal(scope.scheme, 'http');
  t.equal(scope.path, '/café/a b', 'path is percent-decoded as UTF-8');
  t.equal(scope.raw_path, '/caf%C3%A9/a%20b', 'raw_path is as sent');
  t.equal(scope.query_string, 'x=%20y&z', 'query string undecoded, without "?"');
  t.equal(scope.root_path, '/base');
  t.same(scope.headers.filter(([n]) => n === 'x-mixed-case'), [['x-mixed-case', 'One'], ['x-mixed-case', 'Two']], 'lower-cased names, duplicates kept in order');
  t.equal(scope.client?.[0], '127.0.0.1');
  t.equal(scope.server?.[1], s.port);
});

t.test('misuse raises an error that names what was expected and what arrived', async (t) => {
  const errors: string[] = [];
  const attempt = (messages: SendMessage[]): App => async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    try {
      for (const m of messages) await send(m);
    } catch (err) {
      errors.push((err as Error).message);
      throw err;
    }
  };
  const bodyFirst = await startServer(attempt([{ type: 'http.response.body', body: 'x' }]));
  t.teardown(bodyFirst.stop);
  const r1 = await exchange(bodyFirst.port, 'GET / HTTP/1.0\r\n\r\n');
  t.equal(r1.responses[0]?.status, 500, 'body before start: the server answers 500');
  t.match(errors[0], /Expected http\.response\.start, but the app sent http\.response\.body/);

  const twice = await startServer(attempt([
    { type: 'http.response.start', status: 200 }, { type: 'http.response.start', status: 200 },
  ]));
  t.teardown(twice.stop);
  const r2 = await exchange(twice.port, 'GET / HTTP/1.0\r\n\r\n');
  t.equal(r2.responses[0]?.status, 500, 'start twice: nothing was written yet, so 500');
  t.match(errors[1], /Expected http\.response\.body, but the app sent http\.response\.start/);

  // RFC 9110 15, 15.2: a 1xx is interim and never the answer; a status is three digits up to 599.
  for (const [i, status] of [100, 101, 600, 999].entries()) {
    const bad = await startServer(attempt([{ type: 'http.response.start', status }, { type: 'http.response.body', body: 'x' }]));
    t.teardown(bad.stop);
    const r = await exchange(bad.port, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    t.same(r.responses.map((x) => x.status), [500], `status ${status}: one response, the server's 500`);
    t.match(errors[2 + i], /http\.response\.start needs a final status from 200 to 599, got \d+/);
    if (status < 200) t.match(errors[2 + i], /1xx responses are interim/);
  }
});

t.test('misuse of send() rejects its promise, never throws from the call', async (t) => {
  const outcomes: string[] = [];
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    for (const bad of [undefined, null, 'http.response.start', { type: 'http.response.body', body: 'x' }, { status: 200 }]) {
      let promise: Promise<void> | undefined;
      try {
        promise = send(bad as unknown as SendMessage);
      } catch (err) {
        outcomes.push(`threw: ${(err as Error).message}`);
        continue;
      }
      await promise.then(() => outcomes.push('resolved'), (err: Error) => outcomes.push(`rejected: ${err.message}`));
    }
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', '2']] });
    await send({ type: 'http.response.body', body: 'ok' });
  });
  t.teardown(s.stop);
  const r = await exchange(s.port, 'GET / HTTP/1.0\r\n\r\n');
  t.equal(r.responses[0]?.status, 200, 'the app recovered and answered');
  t.equal(outcomes.length, 5);
  for (const o of outcomes) t.match(o, /^rejected: /, o);
  t.match(outcomes[0], /send\(\) takes a message object/);
  t.match(outcomes[3], /Expected http\.response\.start, but the app sent http\.response\.body/);
  t.match(outcomes[4], /but the app sent undefined/);
});

t.test('an app that throws before responding gives 500; after starting, the connection closes', async (t) => {
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    if (scope.path === '/late') {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'partial', more_body: true });
    }
    throw new Error('boom');
  });
  t.teardown(s.stop);
  const early = await exchange(s.port, 'GET /early HTTP/1.1\r\nHost: t\r\n\r\n');
  t.equal(early.responses[0]?.status, 500);
  t.match(s.logs.join('\n'), /app error on GET \/early: Error: boom/);
  const late = await exchange(s.port, 'GET /late HTTP/1.1\r\nHost: t\r\n\r\n');
  t.ok(late.closed, 'closed');
  t.match(late.raw, /^HTTP\/1\.1 200 OK/);
  t.notMatch(late.raw, /0\r\n\r\n$/, 'no last-chunk: the client sees the body was cut short');
});

t.test("the app's Content-Length is enforced: too many or too few bytes close the connection", async (t) => {
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', '5']] });
    await send({ type: 'http.response.body', body: scope.path === '/more' ? 'too many bytes' : 'abc' });
  });
  t.teardown(s.stop);
  const more = await exchange(s.port, 'GET /more HTTP/1.1\r\nHost: t\r\n\r\n');
  t.ok(more.closed);
  t.notMatch(more.raw, /too many/, 'the extra bytes never go out');
  t.match(s.logs.join('\n'), /declared Content-Length 5 and sent 14 bytes/);
  const fewer = await exchange(s.port, 'GET /fewer HTTP/1.1\r\nHost: t\r\n\r\n');
  t.ok(fewer.closed);
  t.match(s.logs.join('\n'), /declared Content-Length 5 and sent only 3 bytes/);
});

t.test('response headers that would split the response are refused', async (t) => {
  const s = await startServer(async (scope, _r, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status: 200, headers: [['X-Evil', 'a\r\nSet-Cookie: b']] });
  });
  t.teardown(s.stop);
  const r = await exchange(s.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
  t.equal(r.responses[0]?.status, 500);
  t.notMatch(r.raw, /Set-Cookie/);
});

t.test('receive() gives http.disconnect when the client goes away', async (t) => {
  let result: string | null = null;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const s = await startServer(async (scope, receive) => {
    if (scope.type !== 'http') return;
    const first = await receive();
    const second = await receive();
    result = `${first.type}:${(first as { more_body?: boolean }).more_body}, ${second.type}`;
    done();
  });
  t.teardown(s.stop);
  const c = await RawClient.connect(s.port);
  c.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc');
  await new Promise((r) => setTimeout(r, 100));
  c.socket.destroy();
  await finished;
  t.equal(result, 'http.request:true, http.disconnect');
});

t.test('lifespan: startup fills state that every scope sees; shutdown runs at stop', async (t) => {
  const events: string[] = [];
  const app: App = async (scope, receive, send) => {
    if (scope.type === 'lifespan') {
      for (;;) {
        const m = await receive();
        events.push(m.type);
        if (m.type === 'lifespan.startup') {
          scope.state.greeting = 'from startup';
          await send({ type: 'lifespan.startup.complete' });
        } else if (m.type === 'lifespan.shutdown') {
          await send({ type: 'lifespan.shutdown.complete' });
          return;
        }
      }
    }
    if (scope.type !== 'http') return;
    const text = String(scope.state.greeting);
    await send({ type: 'http.response.start', status: 200, headers: [['Content-Length', String(text.length)]] });
    await send({ type: 'http.response.body', body: text });
  };
  const s = await startServer(app);
  const r = await exchange(s.port, 'GET / HTTP/1.0\r\n\r\n');
  t.equal(r.responses[0]?.body.toString(), 'from startup');
  await s.stop();
  t.same(events, ['lifespan.startup', 'lifespan.shutdown']);
});

t.test('lifespan startup failure stops the start with its message', async (t) => {
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'lifespan') return;
    await receive();
    await send({ type: 'lifespan.startup.failed', message: 'no database' });
  };
  await t.rejects(startServer(app), /application startup failed: no database/);
});
