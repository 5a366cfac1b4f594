// Tests for the sans-IO frame parser and encoders (RFC 6455 section 5). Every parser case is fed
// whole, one byte at a time, and followed by more data (which must parse, or be ignored after the end).

import t, { type Test } from 'tap';
import {
  FrameParser, Opcode, binaryFrame, closeFrame, encodeFrame, pingFrame, pongFrame, textFrame,
  type FrameEvent, type FrameParserOptions,
} from '../../server/websocket/frames.js';
import { clientFrame, closeBody, plain } from './fixtures/helpers.js';

const TRAILER = clientFrame(Opcode.Pong, 'after');
const TRAILER_EVENT = { type: 'pong', data: Buffer.from('after').toString('hex') };

/** Feeds `bytes` three ways and checks each gives `expected` (plain() form). */
function check(t: Test, name: string, bytes: Buffer, expected: unknown[], options: FrameParserOptions = {}): void {
  t.test(name, async (t) => {
    const whole = new FrameParser(options);
    t.same(plain(whole.feed(bytes)), expected, 'fed whole');

    const bytewise = new FrameParser(options);
    const events: FrameEvent[] = [];
    for (let i = 0; i < bytes.length; i++) events.push(...bytewise.feed(bytes.subarray(i, i + 1)));
    t.same(plain(events), expected, 'fed one byte at a time');

    const last = expected[expected.length - 1] as { type?: string } | undefined;
    const finished = last?.type === 'close' || last?.type === 'error';
    const followed = new FrameParser(options);
    t.same(plain(followed.feed(Buffer.concat([bytes, TRAILER]))), finished ? expected : [...expected, TRAILER_EVENT],
      finished ? 'data after the end is ignored' : 'data after it parses too');
  });
}

const hex = (s: string | Buffer): string => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('hex');
const protocolError = (reason: string) => [{ type: 'error', code: 1002, reason }];

t.test('data frames', async (t) => {
  check(t, 'text', clientFrame(Opcode.Text, 'Hello'), [{ type: 'text', data: 'Hello' }]);
  check(t, 'empty text', clientFrame(Opcode.Text, ''), [{ type: 'text', data: '' }]);
  check(t, 'multibyte text', clientFrame(Opcode.Text, 'π ≈ 3.14159 🥧'), [{ type: 'text', data: 'π ≈ 3.14159 🥧' }]);
  check(t, 'a leading BOM is kept as data', clientFrame(Opcode.Text, '\ufeffhi'), [{ type: 'text', data: '\ufeffhi' }]);
  check(t, 'binary', clientFrame(Opcode.Binary, Buffer.from([0, 1, 2, 255])), [{ type: 'binary', data: '000102ff' }]);
  check(t, 'empty binary', clientFrame(Opcode.Binary), [{ type: 'binary', data: '' }]);
  const medium = Buffer.alloc(300, 0x61);
  check(t, '16-bit length', clientFrame(Opcode.Binary, medium), [{ type: 'binary', data: hex(medium) }]);
  const large = Buffer.alloc(70_000, 0x62);
  check(t, '64-bit length', clientFrame(Opcode.Binary, large), [{ type: 'binary', data: hex(large) }]);
  check(t, 'small payload in a 64-bit length (not minimal, accepted)', clientFrame(Opcode.Text, 'x', { lengthBits: 64 }),
    [{ type: 'text', data: 'x' }]);
  check(t, 'two messages back to back', Buffer.concat([clientFrame(Opcode.Text, 'a'), clientFrame(Opcode.Binary, 'b')]),
    [{ type: 'text', data: 'a' }, { type: 'binary', data: hex('b') }]);
});

t.test('fragmentation (5.4)', async (t) => {
  check(t, 'text in three fragments', Buffer.concat([
    clientFrame(Opcode.Text, 'Hel', { fin: false }),
    clientFrame(Opcode.Continuation, 'lo, ', { fin: false }),
    clientFrame(Opcode.Continuation, 'world'),
  ]), [{ type: 'text', data: 'Hello, world' }]);
  check(t, 'binary with empty fragments', Buffer.concat([
    clientFrame(Opcode.Binary, '', { fin: false }),
    clientFrame(Opcode.Continuation, 'ab', { fin: false }),
    clientFrame(Opcode.Continuation, ''),
  ]), [{ type: 'binary', data: hex('ab') }]);
  check(t, 'control frames interleaved with fragments', Buffer.concat([
    clientFrame(Opcode.Text, 'frag', { fin: false }),
    clientFrame(Opcode.Ping, 'p1'),
    clientFrame(Opcode.Continuation, 'men', { fin: false }),
    clientFrame(Opcode.Pong, 'p2'),
    clientFrame(Opcode.Continuation, 'ted'),
  ]), [{ type: 'ping', data: hex('p1') }, { type: 'pong', data: hex('p2') }, { type: 'text', data: 'fragmented' }]);
  const pie = Buffer.from('🥧', 'utf8');
  check(t, 'a character split across fragments', Buffer.concat([
    clientFrame(Opcode.Text, pie.subarray(0, 1), { fin: false }),
    clientFrame(Opcode.Continuation, pie.subarray(1, 3), { fin: false }),
    clientFrame(Opcode.Continuation, pie.subarray(3)),
  ]), [{ type: 'text', data: '🥧' }]);
  check(t, 'continuation without a started message', clientFrame(Opcode.Continuation, 'x'),
    protocolError('expected a text or binary frame to start a message, got a continuation frame'));
  check(t, 'a new message inside a fragmented one', Buffer.concat([
    clientFrame(Opcode.Text, 'a', { fin: false }),
    clientFrame(Opcode.Binary, 'b'),
  ]), protocolError('expected a continuation frame (a fragmented text message is unfinished), got a binary frame'));
  check(t, 'close in the middle of a fragmented message ends it', Buffer.concat([
    clientFrame(Opcode.Text, 'a', { fin: false }),
    clientFrame(Opcode.Close, closeBody(1000)),
  ]), [{ type: 'close', code: 1000, reason: '' }]);
});

t.test('control frames (5.5)', async (t) => {
  check(t, 'ping', clientFrame(Opcode.Ping, 'are you there'), [{ type: 'ping', data: hex('are you there') }]);
  check(t, 'empty ping', clientFrame(Opcode.Ping), [{ type: 'ping', data: '' }]);
  check(t, 'pong', clientFrame(Opcode.Pong, 'yes'), [{ type: 'pong', data: hex('yes') }]);
  const max = Buffer.alloc(125, 0x70);
  check(t, 'ping of 125 bytes', clientFrame(Opcode.Ping, max), [{ type: 'ping', data: hex(max) }]);
  check(t, 'ping of 126 bytes', clientFrame(Opcode.Ping, Buffer.alloc(126)),
    protocolError('expected a ping payload of at most 125 bytes, got a 16-bit length'));
  check(t, 'fragmented ping', clientFrame(Opcode.Ping, 'x', { fin: false }),
    protocolError('expected FIN set on a ping frame (control frames cannot be fragmented), got FIN 0'));
  check(t, 'fragmented close', clientFrame(Opcode.Close, closeBody(1000), { fin: false }),
    protocolError('expected FIN set on a close frame (control frames cannot be fragmented), got FIN 0'));
});

t.test('close frames (5.5.1, 7.4)', async (t) => {
  check(t, 'code and reason', clientFrame(Opcode.Close, closeBody(1000, 'done')), [{ type: 'close', code: 1000, reason: 'done' }]);
  check(t, 'empty body reports 1005', clientFrame(Opcode.Close), [{ type: 'close', code: 1005, reason: '' }]);
  check(t, 'a 1-byte body', clientFrame(Opcode.Close, Buffer.from([3])),
    protocolError('expected a close frame body of 0 or at least 2 bytes, got 1 byte'));
  check(t, 'UTF-8 reason', clientFrame(Opcode.Close, closeBody(4000, 'au revoir ✋')), [{ type: 'close', code: 4000, reason: 'au revoir ✋' }]);
  check(t, 'invalid UTF-8 reason', clientFrame(Opcode.Close, closeBody(1000, Buffer.from([0x6f, 0x6b, 0xc3]))),
    [{ type: 'error', code: 1007, reason: 'expected a UTF-8 close reason, got an invalid byte sequence' }]);
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    check(t, `valid code ${code}`, clientFrame(Opcode.Close, closeBody(code)), [{ type: 'close', code, reason: '' }]);
  }
  for (const code of [0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    check(t, `invalid code ${code}`, clientFrame(Opcode.Close, closeBody(code)),
      protocolError(`expected a close code of 1000-1003, 1007-1011 or 3000-4999, got ${code}`));
  }
  t.test('the parser is finished after a close', async (t) => {
    const parser = new FrameParser();
    parser.feed(clientFrame(Opcode.Close, closeBody(1000)));
    t.equal(parser.state, 'closed');
    t.same(parser.feed(clientFrame(Opcode.Text, 'late')), []);
  });
});

t.test('frame header rules (5.1, 5.2)', async (t) => {
  check(t, 'unmasked client frame', clientFrame(Opcode.Text, 'hi', { mask: false }),
    protocolError('expected a masked text frame from the client, got an unmasked one'));
  for (const rsv of [1, 2, 4, 7]) {
    check(t, `RSV bits ${rsv}`, clientFrame(Opcode.Text, 'hi', { rsv }),
      protocolError(`expected RSV bits 0 (no extension negotiated), got 0x${rsv.toString(16)}`));
  }
  for (const opcode of [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    check(t, `reserved opcode 0x${opcode.toString(16)}`, clientFrame(opcode, 'x'),
      protocolError(`expected opcode 0x0-0x2 or 0x8-0xA, got reserved opcode 0x${opcode.toString(16)}`));
  }
  check(t, '64-bit length with the top bit set', clientFrame(Opcode.Binary, '', { lengthBits: 64, declaredLength: 1n << 63n }),
    protocolError('expected a 64-bit payload length with the most significant bit 0, got it set'));
  t.test('a server-side parser (requireMask false) refuses masked frames', async (t) => {
    const parser = new FrameParser({ requireMask: false });
    t.same(plain(parser.feed(clientFrame(Opcode.Text, 'hi'))), protocolError('expected an unmasked text frame, got a masked one'));
    t.equal(parser.state, 'failed');
    t.same(parser.feed(clientFrame(Opcode.Text, 'hi', { mask: false })), [], 'ignores bytes after failing');
  });
});

t.test('message size limit', async (t) => {
  const options = { maxMessageBytes: 10 };
  check(t, 'exactly at the limit', clientFrame(Opcode.Binary, Buffer.alloc(10)), [{ type: 'binary', data: '00'.repeat(10) }], options);
  check(t, 'one frame over the limit', clientFrame(Opcode.Binary, Buffer.alloc(11)),
    [{ type: 'error', code: 1009, reason: 'expected a message of at most 10 bytes, got 11 bytes' }], options);
  check(t, 'fragments adding up over the limit', Buffer.concat([
    clientFrame(Opcode.Text, 'abcdef', { fin: false }),
    clientFrame(Opcode.Continuation, 'ghijk'),
  ]), [{ type: 'error', code: 1009, reason: 'expected a message of at most 10 bytes, got fragments totalling 11 bytes' }], options);
  check(t, 'control frames do not count', Buffer.concat([
    clientFrame(Opcode.Text, 'abcde', { fin: false }),
    clientFrame(Opcode.Ping, 'twelve bytes'),
    clientFrame(Opcode.Continuation, 'fghij'),
  ]), [{ type: 'ping', data: hex('twelve bytes') }, { type: 'text', data: 'abcdefghij' }], options);
  t.test('checked from the header, before any payload arrives', async (t) => {
    const parser = new FrameParser();
    const header = clientFrame(Opcode.Binary, '', { lengthBits: 64, declaredLength: 1n << 40n });
    t.same(plain(parser.feed(header)), [{ type: 'error', code: 1009, reason: `expected a message of at most 1048576 bytes, got ${2 ** 40} bytes` }]);
  });
  t.throws(() => new FrameParser({ maxMessageBytes: -1 }), /maxMessageBytes must be a non-negative integer, got -1/);
});

t.test('UTF-8 in text messages (8.1)', async (t) => {
  const invalid = [{ type: 'error', code: 1007, reason: 'expected UTF-8 in a text message, got an invalid or truncated byte sequence' }];
  check(t, 'an invalid byte', clientFrame(Opcode.Text, Buffer.from([0x68, 0xff, 0x69])), invalid);
  check(t, 'a surrogate encoded in UTF-8', clientFrame(Opcode.Text, Buffer.from([0xed, 0xa0, 0x80])), invalid);
  check(t, 'an overlong encoding', clientFrame(Opcode.Text, Buffer.from([0xc0, 0xaf])), invalid);
  check(t, 'a truncated character at the end', clientFrame(Opcode.Text, Buffer.from([0x61, 0xf0, 0x9f])), invalid);
  check(t, 'a truncated character at the end of fragments', Buffer.concat([
    clientFrame(Opcode.Text, 'ok', { fin: false }),
    clientFrame(Opcode.Continuation, Buffer.from([0xe2, 0x82])),
  ]), invalid);
  check(t, 'invalid bytes fail at their fragment, before the message ends', Buffer.concat([
    clientFrame(Opcode.Text, Buffer.from([0x61, 0xff]), { fin: false }),
  ]), [{ type: 'error', code: 1007, reason: 'expected UTF-8 in a text message, got an invalid byte sequence' }]);
  check(t, 'binary messages are not checked', clientFrame(Opcode.Binary, Buffer.from([0xff])), [{ type: 'binary', data: 'ff' }]);
});

t.test('encoders (server frames, unmasked)', async (t) => {
  const reader = (): FrameParser => new FrameParser({ requireMask: false, maxMessageBytes: 1 << 20 });
  t.same(textFrame('Hi'), Buffer.from([0x81, 0x02, 0x48, 0x69]), 'text frame bytes');
  t.same(binaryFrame(Buffer.from([1, 2])), Buffer.from([0x82, 0x02, 1, 2]), 'binary frame bytes');
  t.same(pingFrame(), Buffer.from([0x89, 0x00]), 'empty ping');
  t.same(pongFrame(Buffer.from('x')), Buffer.from([0x8a, 0x01, 0x78]), 'pong');
  t.same(closeFrame(), Buffer.from([0x88, 0x00]), 'close without a code');
  t.same(closeFrame(1000, 'ok'), Buffer.from([0x88, 0x04, 0x03, 0xe8, 0x6f, 0x6b]), 'close with code and reason');
  t.same(encodeFrame(Opcode.Text, Buffer.from('a'), false), Buffer.from([0x01, 0x01, 0x61]), 'FIN clear');
  for (const size of [0, 125, 126, 65535, 65536, 200_000]) {
    const payload = Buffer.alloc(size, 0x5a);
    const frame = binaryFrame(payload);
    t.equal(frame.length, size + (size < 126 ? 2 : size <= 65535 ? 4 : 10), `${size} bytes use the shortest length`);
    t.same(plain(reader().feed(frame)), [{ type: 'binary', data: hex(payload) }], `${size} bytes round-trip`);
  }
  t.same(reader().feed(closeFrame(4321, 'bye ✋')), [{ type: 'close', code: 4321, reason: 'bye ✋' }], 'close round-trips');
  t.throws(() => closeFrame(1005), /expected a close code of 1000-1003, 1007-1011 or 3000-4999, got 1005/);
  t.throws(() => closeFrame(1006), /got 1006/);
  t.throws(() => closeFrame(undefined, 'why'), /expected no close reason without a close code/);
  t.throws(() => closeFrame(1000, 'x'.repeat(124)), /expected a close reason of at most 123 UTF-8 bytes, got 124/);
  t.doesNotThrow(() => closeFrame(1000, 'x'.repeat(123)));
  t.throws(() => pingFrame(Buffer.alloc(126)), /expected a control frame payload of at most 125 bytes, got 126/);
  t.throws(() => encodeFrame(Opcode.Ping, Buffer.alloc(0), false), /expected FIN on a control frame/);
});
