// Tests for the opening handshake functions (RFC 6455 section 4): upgrade detection,
// validation with 400/426 answers, Sec-WebSocket-Accept, and the 101 response head.

import t from 'tap';
import type { Header } from '../../server/interface.js';
import {
  acceptKey, acceptResponseHead, checkAcceptHeaders, isUpgradeRequest, parseSubprotocols, validateHandshake,
} from '../../server/websocket/handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const base: Header[] = [
  ['host', 'server.example.com'],
  ['upgrade', 'websocket'],
  ['connection', 'Upgrade'],
  ['sec-websocket-key', KEY],
  ['sec-websocket-version', '13'],
];
const without = (name: string): Header[] => base.filter(([n]) => n !== name);
const replacing = (name: string, value: string): Header[] => [...without(name), [name, value]];

t.test('Sec-WebSocket-Accept: the RFC 6455 example (1.3)', async (t) => {
  // The RFC's value (28 characters: base64 of a 20-byte SHA-1 digest).
  t.equal(acceptKey(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

t.test('isUpgradeRequest', async (t) => {
  t.ok(isUpgradeRequest(base));
  t.ok(isUpgradeRequest([['upgrade', 'WebSocket'], ['connection', 'keep-alive, UPGRADE']]), 'tokens are case-insensitive, in lists');
  t.ok(isUpgradeRequest([['upgrade', 'h2c, websocket'], ['connection', 'close'], ['connection', 'upgrade']]), 'across repeated headers');
  t.notOk(isUpgradeRequest([['upgrade', 'websocket']]), 'no Connection: upgrade');
  t.notOk(isUpgradeRequest([['connection', 'upgrade']]), 'no Upgrade header');
  t.notOk(isUpgradeRequest([['upgrade', 'h2c'], ['connection', 'upgrade']]), 'another protocol');
  t.notOk(isUpgradeRequest([['upgrade', 'websockets'], ['connection', 'upgraded']]), 'whole tokens only');
  t.notOk(isUpgradeRequest([]), 'plain request');
});

t.test('a valid handshake', async (t) => {
  t.same(validateHandshake('GET', '1.1', base), { ok: true, key: KEY, subprotocols: [] });
  const offered = validateHandshake('GET', '1.1', [...base, ['sec-websocket-protocol', 'chat, superchat'], ['sec-websocket-protocol', 'v2.pi']]);
  t.same(offered, { ok: true, key: KEY, subprotocols: ['chat', 'superchat', 'v2.pi'] });
  t.same(parseSubprotocols([['sec-websocket-protocol', ' a ,b,, c ']]), ['a', 'b', 'c']);
  t.same(validateHandshake('GET', '1.1', [...base, ['content-length', '0']]), { ok: true, key: KEY, subprotocols: [] }, 'Content-Length: 0 is no content');
});

t.test('rejections with 400 and a one-line reason', async (t) => {
  const cases: [string, string, string, Header[], RegExp][] = [
    ['POST', 'POST', '1.1', base, /^WebSocket handshake: expected method GET, got POST$/],
    ['HTTP/1.0', 'GET', '1.0', base, /^WebSocket handshake: expected HTTP\/1\.1, got HTTP\/1\.0$/],
    ['no Host', 'GET', '1.1', without('host'), /expected one non-empty Host header, got none/],
    ['empty Host', 'GET', '1.1', replacing('host', ''), /expected one non-empty Host header, got an empty one/],
    ['two Hosts', 'GET', '1.1', [...base, ['host', 'other']], /expected one non-empty Host header, got 2/],
    ['no Upgrade', 'GET', '1.1', without('upgrade'), /expected "Upgrade: websocket", got no such header/],
    ['wrong Connection', 'GET', '1.1', replacing('connection', 'keep-alive'), /expected "Connection: Upgrade", got "keep-alive"/],
    ['no key', 'GET', '1.1', without('sec-websocket-key'), /expected one Sec-WebSocket-Key header, got none/],
    ['two keys', 'GET', '1.1', [...base, ['sec-websocket-key', KEY]], /expected one Sec-WebSocket-Key header, got 2/],
    ['key not base64', 'GET', '1.1', replacing('sec-websocket-key', 'not a key at all!!!!!!==') , /expected Sec-WebSocket-Key to be base64 of 16 bytes, got "not a key at all!!!!!!=="/],
    ['key of 15 bytes', 'GET', '1.1', replacing('sec-websocket-key', Buffer.alloc(15).toString('base64')), /base64 of 16 bytes/],
    ['key of 17 bytes', 'GET', '1.1', replacing('sec-websocket-key', Buffer.alloc(17).toString('base64')), /base64 of 16 bytes/],
    ['subprotocol not a token', 'GET', '1.1', [...base, ['sec-websocket-protocol', 'chat, two words']], /expected Sec-WebSocket-Protocol to list tokens, got "two words"/],
    ['subprotocol twice', 'GET', '1.1', [...base, ['sec-websocket-protocol', 'chat, chat']], /expected unique Sec-WebSocket-Protocol values, got "chat" twice/],
    // The bytes after the head are frames: a body would be read as frames (RFC 6455 4.1, RFC 9112 6.3).
    ['a Content-Length body', 'GET', '1.1', [...base, ['content-length', '7']], /expected a request without content, got Content-Length: 7/],
    ['a chunked body', 'GET', '1.1', [...base, ['transfer-encoding', 'chunked']], /expected a request without content, got Transfer-Encoding/],
  ];
  for (const [name, method, version, headers, reason] of cases) {
    const result = validateHandshake(method, version, headers);
    t.equal(result.ok, false, name);
    if (result.ok) continue;
    t.equal(result.status, 400, `${name}: 400`);
    t.match(result.reason, reason, `${name}: reason`);
    t.notMatch(result.reason, /[\r\n]/, `${name}: one line`);
    t.same(result.headers, [], `${name}: no extra headers`);
  }
});

t.test('a version other than 13 gets 426 naming version 13 (4.4)', async (t) => {
  for (const headers of [replacing('sec-websocket-version', '8'), without('sec-websocket-version'), replacing('sec-websocket-version', '13, 8')]) {
    const result = validateHandshake('GET', '1.1', headers);
    t.equal(result.ok, false);
    if (result.ok) continue;
    t.equal(result.status, 426);
    t.match(result.reason, /^WebSocket handshake: expected "Sec-WebSocket-Version: 13", got /);
    t.same(result.headers.find(([n]) => n === 'sec-websocket-version'), ['sec-websocket-version', '13']);
    t.same(result.headers.find(([n]) => n === 'upgrade'), ['upgrade', 'websocket'], 'a 426 names the protocol to upgrade to');
  }
});

t.test('the 101 response head (4.2.2)', async (t) => {
  t.equal(acceptResponseHead(KEY).toString('latin1'),
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
  t.equal(acceptResponseHead(KEY, 'chat', [['x-served-by', 'rawpi'], ['set-cookie', 'a=b']]).toString('latin1'),
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n'
    + 'x-served-by: rawpi\r\nset-cookie: a=b\r\n\r\n');
  t.throws(() => acceptResponseHead(KEY, 'two words'), /expected the subprotocol to be a token, got "two words"/);
  t.throws(() => acceptResponseHead(KEY, null, [['x-evil', 'a\r\nb']]), /expected the value of header "x-evil" without CR, LF or NUL/);
  t.throws(() => acceptResponseHead(KEY, null, [['bad name', 'x']]), /expected a header name to be a token, got "bad name"/);
  t.throws(() => acceptResponseHead(KEY, null, [['Sec-WebSocket-Accept', 'x']]), /which the WebSocket handshake sets itself/);
  t.equal(checkAcceptHeaders(null, [['x-ok', 'fine\tvalue']]), null);
});
