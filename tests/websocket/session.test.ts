// Tests for runWebSocket over real loopback sockets: the ASGI websocket flow, echo with the `ws`
// client, raw-socket frames, close codes both ways, refusals, protocol errors, pings, shutdown.

import t from 'tap';
import { once } from 'node:events';
import WebSocket from 'ws';
import { InterfaceError, type App, type ReceiveMessage, type Send, type Receive, type WebSocketScope } from '../../server/interface.js';
import { Opcode } from '../../server/websocket/frames.js';
import { activeWebSocketCount, closeAllWebSockets, WEBSOCKET_DEFAULTS } from '../../server/websocket/session.js';
import { RawClient, clientFrame, closeBody, plain, startServer } from './fixtures/helpers.js';

/** An app that accepts and echoes until disconnected, recording what it received. */
function echoApp(received: ReceiveMessage[]): App {
  return async (_scope, receive, send) => {
    received.push(await receive());
    await send({ type: 'websocket.accept' });
    for (;;) {
      const message = await receive();
      received.push(message);
      if (message.type !== 'websocket.receive') return;
      await send(message.text != null ? { type: 'websocket.send', text: message.text } : { type: 'websocket.send', bytes: message.bytes! });
    }
  };
}

/** An app written inline: gets scope, receive and send; errors it raises are kept. */
function appOf(body: (receive: Receive, send: Send, scope: WebSocketScope) => Promise<void>): App {
  return async (scope, receive, send) => body(receive, send, scope as WebSocketScope);
}

async function openWs(url: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  await once(ws, 'open');
  return ws;
}

async function closeEvent(ws: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

t.test('WEBSOCKET_DEFAULTS', async (t) => {
  t.same(WEBSOCKET_DEFAULTS, { maxMessageBytes: 1048576, pingIntervalMs: 20000, pingTimeoutMs: 20000, closeTimeoutMs: 5000 });
  t.ok(Object.isFrozen(WEBSOCKET_DEFAULTS));
});

t.test('echo text and binary with the ws client', async (t) => {
  const received: ReceiveMessage[] = [];
  const server = await startServer(echoApp(received));
  const ws = await openWs(server.url);
  ws.send('hello, π');
  const [text, textIsBinary] = await once(ws, 'message');
  t.equal(text.toString(), 'hello, π');
  t.equal(textIsBinary, false);
  ws.send(Buffer.from([0, 1, 2, 255]));
  const [bytes, bytesIsBinary] = await once(ws, 'message');
  t.same([...bytes], [0, 1, 2, 255]);
  t.equal(bytesIsBinary, true);
  const big = Buffer.alloc(300_000, 7);
  ws.send(big);
  const [echoed] = await once(ws, 'message');
  t.ok(big.equals(echoed), 'a 300 kB message round-trips');
  ws.close(1000, 'done');
  t.same(await closeEvent(ws), { code: 1000, reason: '' }, 'the server echoes the close code');
  await server.close();
  const summary = received.map((m) => (m.type === 'websocket.receive' && m.bytes ? { ...m, bytes: m.bytes.length } : m));
  t.same(summary, [
    { type: 'websocket.connect' },
    { type: 'websocket.receive', text: 'hello, π' },
    { type: 'websocket.receive', bytes: 4 },
    { type: 'websocket.receive', bytes: 300_000 },
    { type: 'websocket.disconnect', code: 1000, reason: 'done' },
  ]);
});

t.test('subprotocol and extra headers on accept', async (t) => {
  let scopeSeen: WebSocketScope | null = null;
  const server = await startServer(appOf(async (receive, send, scope) => {
    scopeSeen = scope;
    await receive();
    await send({ type: 'websocket.accept', subprotocol: 'superchat', headers: [['x-served-by', 'rawpi']] });
    await receive();
  }));
  const ws = new WebSocket(server.url, ['chat', 'superchat']);
  const upgraded = once(ws, 'upgrade');
  await once(ws, 'open');
  const [response] = await upgraded;
  t.equal(response.headers['x-served-by'], 'rawpi');
  t.equal(ws.protocol, 'superchat');
  t.same(scopeSeen!.subprotocols, ['chat', 'superchat']);
  ws.close();
  await closeEvent(ws);
  await server.close();
});

t.test('a fragmented message with a ping in between, from a raw socket', async (t) => {
  const received: ReceiveMessage[] = [];
  const server = await startServer(echoApp(received));
  const client = await RawClient.connect(server.port);
  t.match(await client.head(), /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  client.send(Buffer.concat([
    clientFrame(Opcode.Text, 'Hel', { fin: false }),
    clientFrame(Opcode.Ping, 'still here?'),
    clientFrame(Opcode.Continuation, 'lo', { fin: false }),
  ]));
  t.same(plain([(await client.next())!]), [{ type: 'pong', data: Buffer.from('still here?').toString('hex') }], 'ping answered mid-message');
  client.send(clientFrame(Opcode.Continuation, ' world'));
  t.same(await client.next(), { type: 'text', data: 'Hello world' });
  client.send(clientFrame(Opcode.Close, closeBody(1000, 'bye')));
  t.same(await client.next(), { type: 'close', code: 1000, reason: '' }, 'close echoed with the code');
  t.equal(await client.next(), null, 'then the server closes the TCP connection (7.1.1)');
  await server.close();
  t.same(received.at(-1), { type: 'websocket.disconnect', code: 1000, reason: 'bye' });
});

t.test('bytes sent right behind the request head are handed over and parsed after accept', async (t) => {
  const received: ReceiveMessage[] = [];
  const server = await startServer(echoApp(received));
  const client = await RawClient.connect(server.port);
  client.send(clientFrame(Opcode.Text, 'early'));
  await client.head();
  t.same(await client.next(), { type: 'text', data: 'early' });
  client.send(clientFrame(Opcode.Close));
  t.same(await client.next(), { type: 'close', code: 1005, reason: '' }, 'an empty close is answered with an empty close');
  await server.close();
  t.same(received.at(-1), { type: 'websocket.disconnect', code: 1005, reason: '' });
});

t.test('pings and pongs', async (t) => {
  t.test('a client ping gets a pong with its payload', async (t) => {
    const server = await startServer(echoApp([]));
    const ws = await openWs(server.url);
    ws.ping('abc');
    const [data] = await once(ws, 'pong');
    t.equal(data.toString(), 'abc');
    ws.close();
    await closeEvent(ws);
    await server.close();
  });

  t.test('the server pings every pingIntervalMs', async (t) => {
    const server = await startServer(echoApp([]), { pingIntervalMs: 5 });
    const ws = await openWs(server.url);
    await once(ws, 'ping'); // ws answers with a pong by itself
    await once(ws, 'ping');
    ws.close();
    await closeEvent(ws);
    await server.close();
    t.pass('two pings arrived');
  });

  t.test('no pong within pingTimeoutMs drops the connection with 1006', async (t) => {
    const received: ReceiveMessage[] = [];
    const server = await startServer(echoApp(received), { pingIntervalMs: 5, pingTimeoutMs: 20 });
    const client = await RawClient.connect(server.port);
    await client.head();
    t.same(plain([(await client.next())!]), [{ type: 'ping', data: '' }]);
    // The raw client never answers.
    for (let event = await client.next(); event !== null; event = await client.next()) t.equal(event.type, 'ping');
    await server.close();
    t.same(received.at(-1), { type: 'websocket.disconnect', code: 1006, reason: '' });
    t.match(server.logs.join('\n'), /no pong within 20 ms/);
  });
});

t.test('close codes', async (t) => {
  t.test('the app closes with a code and reason', async (t) => {
    let afterClose: ReceiveMessage | null = null;
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 4001, reason: 'bye now' });
      afterClose = await receive();
    }));
    const ws = new WebSocket(server.url);
    t.same(await closeEvent(ws), { code: 4001, reason: 'bye now' });
    await server.close();
    t.same(afterClose, { type: 'websocket.disconnect', code: 4001, reason: 'bye now' }, 'ws echoes code and reason');
  });

  t.test('the client closes with a code and reason', async (t) => {
    const received: ReceiveMessage[] = [];
    const server = await startServer(echoApp(received));
    const ws = await openWs(server.url);
    ws.close(4002, 'later');
    t.same(await closeEvent(ws), { code: 4002, reason: '' });
    await server.close();
    t.same(received.at(-1), { type: 'websocket.disconnect', code: 4002, reason: 'later' });
  });

  t.test('the client closes without a code', async (t) => {
    const received: ReceiveMessage[] = [];
    const server = await startServer(echoApp(received));
    const ws = await openWs(server.url);
    ws.close();
    t.equal((await closeEvent(ws)).code, 1005);
    await server.close();
    t.same(received.at(-1), { type: 'websocket.disconnect', code: 1005, reason: '' });
  });

  t.test('the app returns without closing: 1000', async (t) => {
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
    }));
    const ws = new WebSocket(server.url);
    t.equal((await closeEvent(ws)).code, 1000);
    await server.close();
  });

  t.test('the app raises after accepting: 1011, logged', async (t) => {
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      throw new Error('app bug');
    }));
    const ws = new WebSocket(server.url);
    t.equal((await closeEvent(ws)).code, 1011);
    await server.close();
    t.match(server.logs.join('\n'), /app raised: Error: app bug/);
  });

  t.test('a peer that never answers our close is dropped after closeTimeoutMs: 1006', async (t) => {
    let afterClose: ReceiveMessage | null = null;
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 1000 });
      afterClose = await receive();
    }), { closeTimeoutMs: 20 });
    const client = await RawClient.connect(server.port);
    await client.head();
    t.same(await client.next(), { type: 'close', code: 1000, reason: '' });
    t.equal(await client.next(), null, 'the server hung up without our close');
    await server.close();
    t.same(afterClose, { type: 'websocket.disconnect', code: 1006, reason: '' });
    t.match(server.logs.join('\n'), /closing handshake not finished within 20 ms/);
  });

  t.test('the peer drops the TCP connection: 1006', async (t) => {
    const received: ReceiveMessage[] = [];
    const server = await startServer(echoApp(received));
    const client = await RawClient.connect(server.port);
    await client.head();
    client.socket.destroy();
    await server.close();
    t.same(received.at(-1), { type: 'websocket.disconnect', code: 1006, reason: '' });
  });

  t.test('receive() after the disconnect keeps returning it', async (t) => {
    const after: ReceiveMessage[] = [];
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      while ((await receive()).type !== 'websocket.disconnect');
      after.push(await receive(), await receive());
    }));
    const ws = await openWs(server.url);
    ws.close(1000);
    await closeEvent(ws);
    await server.close();
    t.same(after, [{ type: 'websocket.disconnect', code: 1000, reason: '' }, { type: 'websocket.disconnect', code: 1000, reason: '' }]);
  });
});

t.test('refusing the handshake', async (t) => {
  t.test('websocket.close before accept gives HTTP 403', async (t) => {
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.close' });
    }));
    const client = await RawClient.connect(server.port);
    t.match(await client.head(), /^HTTP\/1\.1 403 Forbidden\r\n[^]*Connection: close\r\n/);
    t.equal(await client.body(), 'WebSocket connection refused by the application\n');
    await server.close();
  });

  t.test('the ws client sees the 403 as an unexpected response', async (t) => {
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 4003 });
    }));
    const ws = new WebSocket(server.url);
    ws.on('error', () => {}); // terminate() while connecting reports an error
    const [, response] = await once(ws, 'unexpected-response');
    t.equal(response.statusCode, 403);
    response.resume();
    ws.terminate();
    await server.close();
  });

  t.test('an app returning without accepting gives 403', async (t) => {
    const server = await startServer(appOf(async (receive) => {
      await receive();
    }));
    const client = await RawClient.connect(server.port);
    t.match(await client.head(), /^HTTP\/1\.1 403 Forbidden\r\n/);
    await server.close();
  });

  t.test('an app raising before accepting gives 500', async (t) => {
    const server = await startServer(appOf(async () => {
      throw new Error('no database');
    }));
    const client = await RawClient.connect(server.port);
    t.match(await client.head(), /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    await server.close();
    t.match(server.logs.join('\n'), /app raised: Error: no database/);
  });
});

t.test('protocol errors close with their code', async (t) => {
  t.test('oversize message: 1009 (ws client)', async (t) => {
    const received: ReceiveMessage[] = [];
    const server = await startServer(echoApp(received), { maxMessageBytes: 1000 });
    const ws = await openWs(server.url);
    ws.send(Buffer.alloc(1000));
    await once(ws, 'message');
    ws.send(Buffer.alloc(1001));
    t.equal((await closeEvent(ws)).code, 1009);
    await server.close();
    t.match(received.at(-1), { type: 'websocket.disconnect', code: 1009 });
  });

  const cases: [string, Buffer, number, RegExp][] = [
    ['unmasked client frame', clientFrame(Opcode.Text, 'hi', { mask: false }), 1002, /expected a masked text frame from the client, got an unmasked one/],
    ['invalid UTF-8 in a text message', clientFrame(Opcode.Text, Buffer.from([0x61, 0xff])), 1007, /expected UTF-8 in a text message/],
    ['reserved opcode', clientFrame(0x3, 'x'), 1002, /reserved opcode 0x3/],
    ['close code 1005 on the wire', clientFrame(Opcode.Close, closeBody(1005)), 1002, /got 1005/],
  ];
  for (const [name, bytes, code, reason] of cases) {
    t.test(`${name}: ${code} (raw socket)`, async (t) => {
      const received: ReceiveMessage[] = [];
      const server = await startServer(echoApp(received));
      const client = await RawClient.connect(server.port);
      await client.head();
      client.send(bytes);
      const event = await client.next();
      t.match(event, { type: 'close', code, reason }, 'a close frame naming the problem');
      t.equal(await client.next(), null, 'then the server hangs up (7.1.7)');
      await server.close();
      t.match(received.at(-1), { type: 'websocket.disconnect', code });
      t.match(server.logs.join('\n'), new RegExp(`protocol error, closing with ${code}`));
    });
  }
});

t.test('the app breaking the message order gets an InterfaceError', async (t) => {
  t.test('send before accept, then a second accept, then send after close', async (t) => {
    const errors: string[] = [];
    const attempt = async (fn: () => Promise<void>): Promise<void> => {
      try {
        await fn();
        errors.push('no error');
      } catch (err) {
        errors.push(err instanceof InterfaceError ? err.message : `not an InterfaceError: ${String(err)}`);
      }
    };
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await attempt(() => send({ type: 'websocket.send', text: 'too early' }));
      await attempt(() => send({ type: 'websocket.accept', subprotocol: 'unoffered' }));
      await send({ type: 'websocket.accept' });
      await attempt(() => send({ type: 'websocket.accept' }));
      await attempt(() => send({ type: 'websocket.send', text: 'a', bytes: new Uint8Array(1) }));
      await attempt(() => send({ type: 'websocket.send' }));
      await attempt(() => send({ type: 'websocket.close', code: 1006 }));
      await send({ type: 'websocket.close' });
      await attempt(() => send({ type: 'websocket.send', text: 'too late' }));
      await attempt(() => send({ type: 'websocket.close' }));
    }));
    const ws = new WebSocket(server.url);
    t.equal((await closeEvent(ws)).code, 1000);
    await server.close();
    t.same(errors, [
      "expected 'websocket.accept' or 'websocket.close' to answer the handshake, got 'websocket.send'",
      'expected a subprotocol the client offered (none), got "unoffered"',
      "expected 'websocket.send' or 'websocket.close' after 'websocket.accept', got 'websocket.accept'",
      "expected exactly one of 'text' or 'bytes' in 'websocket.send', got both",
      "expected exactly one of 'text' or 'bytes' in 'websocket.send', got neither",
      'expected a close code of 1000-1003, 1007-1011 or 3000-4999, got 1006',
      "expected no more messages after 'websocket.close', got 'websocket.send'",
      "expected no more messages after 'websocket.close', got 'websocket.close'",
    ]);
  });

  t.test('send after the peer closed', async (t) => {
    let error: unknown = null;
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      t.match(await receive(), { type: 'websocket.disconnect', code: 4000 });
      try {
        await send({ type: 'websocket.send', text: 'anyone?' });
      } catch (err) {
        error = err;
      }
      await send({ type: 'websocket.close' }); // closing what the peer closed is harmless
    }));
    const ws = await openWs(server.url);
    ws.close(4000);
    await closeEvent(ws);
    await server.close();
    t.type(error, InterfaceError);
    t.match((error as Error).message, /expected an open websocket for 'websocket.send', got one already closed \(the peer closed with code 4000\)/);
  });
});

t.test('backpressure', async (t) => {
  t.test('send() resolves only once the socket has drained', async (t) => {
    const big = new Uint8Array(8 * 1024 * 1024);
    const needDrainAfterSend: boolean[] = [];
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      for (let i = 0; i < 3; i++) {
        await send({ type: 'websocket.send', bytes: big });
        needDrainAfterSend.push(server.sockets[0]!.writableNeedDrain);
      }
      await send({ type: 'websocket.close' });
      await receive();
    }));
    const ws = new WebSocket(server.url, { maxPayload: 64 * 1024 * 1024 });
    let messages = 0;
    ws.on('message', (data: Buffer) => {
      if (data.length === big.length) messages++;
    });
    await closeEvent(ws);
    await server.close();
    t.equal(messages, 3);
    t.same(needDrainAfterSend, [false, false, false]);
  });

  t.test('an app that receives slowly loses nothing', async (t) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const texts: string[] = [];
    const server = await startServer(appOf(async (receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await released;
      for (;;) {
        const message = await receive();
        if (message.type !== 'websocket.receive') break;
        texts.push(message.text!);
        if (texts.length === 200) await send({ type: 'websocket.close' });
      }
    }));
    const ws = await openWs(server.url);
    for (let i = 0; i < 200; i++) ws.send(`message ${i}`);
    // With 32 messages waiting for the app, the session stops reading the socket.
    while (!server.sockets[0]!.isPaused()) await new Promise((resolve) => setImmediate(resolve));
    t.pass('reading paused while the app does not receive');
    release();
    await closeEvent(ws);
    await server.close();
    t.same(texts, Array.from({ length: 200 }, (_, i) => `message ${i}`));
  });
});

t.test('shutdown: closeAllWebSockets and activeWebSocketCount', async (t) => {
  const baseline = activeWebSocketCount();
  const received: ReceiveMessage[] = [];
  let connecting!: () => void;
  const oneConnecting = new Promise<void>((resolve) => (connecting = resolve));
  let holdReceive: ReceiveMessage | null = null;
  const server = await startServer(async (scope, receive, send) => {
    if ((scope as WebSocketScope).path === '/wait') {
      await receive();
      connecting(); // never answers the handshake
      holdReceive = await receive();
      return;
    }
    await echoApp(received)(scope, receive, send);
  });
  const a = await openWs(server.url);
  const b = await openWs(server.url);
  const waiting = await RawClient.connect(server.port, '/wait');
  await oneConnecting;
  t.equal(activeWebSocketCount(), baseline + 3);
  closeAllWebSockets();
  const [closeA, closeB] = await Promise.all([closeEvent(a), closeEvent(b)]);
  t.equal(closeA.code, 1001);
  t.equal(closeA.reason, 'server shutting down');
  t.equal(closeB.code, 1001);
  t.match(await waiting.head(), /^HTTP\/1\.1 503 Service Unavailable\r\n/, 'an unanswered handshake is refused with 503');
  await server.close();
  t.equal(activeWebSocketCount(), baseline);
  t.same(received.filter((m) => m.type === 'websocket.disconnect'), [
    { type: 'websocket.disconnect', code: 1001, reason: 'server shutting down' },
    { type: 'websocket.disconnect', code: 1001, reason: 'server shutting down' },
  ], 'ws echoed the code and reason');
  t.same(holdReceive, { type: 'websocket.disconnect', code: 1001, reason: '' });
  t.throws(() => closeAllWebSockets(1006), /expected a close code of 1000-1003, 1007-1011 or 3000-4999, got 1006/);
});
