// The parser on its own, sans-IO: every case fed whole, one byte at a time, and with another request after it.

import t, { type Test } from 'tap';
import { parseAll, splits, type ParseResult } from './parse-all.js';
import { RequestParser } from '../../server/http/request-parser.js';

interface Case {
  name: string;
  raw: string;
  /** For accepted cases: what the first message must look like. */
  expect?: { method?: string; target?: string; path?: string; query?: string; version?: string; body?: string; keepAlive?: boolean; headers?: [string, string][]; trailers?: [string, string][]; expectContinue?: boolean };
  /** For rejected cases: the status and a piece of the reason. */
  reject?: [number, RegExp];
  limits?: Record<string, number>;
}

const H = 'Host: h\r\n';
const CASES: Case[] = [
  { name: 'simple GET', raw: `GET /a?b=c HTTP/1.1\r\n${H}\r\n`, expect: { method: 'GET', target: '/a?b=c', path: '/a', query: 'b=c', version: '1.1', body: '', keepAlive: true } },
  { name: 'HTTP/1.0 closes by default', raw: 'GET / HTTP/1.0\r\n\r\n', expect: { version: '1.0', keepAlive: false } },
  { name: 'HTTP/1.0 keep-alive', raw: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', expect: { keepAlive: true } },
  { name: 'leading empty lines are ignored (RFC 9112 2.2)', raw: `\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`, expect: { method: 'GET' } },
  { name: 'names keep their case, values lose surrounding whitespace', raw: `GET / HTTP/1.1\r\n${H}X-A:  \t one two \t\r\nx-a: 2\r\n\r\n`, expect: { headers: [['host', 'h'], ['x-a', 'one two'], ['x-a', '2']] } },
  { name: 'Content-Length body', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`, expect: { body: 'hello' } },
  { name: 'Content-Length with leading zeros', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 003\r\n\r\nabc`, expect: { body: 'abc' } },
  { name: 'chunked with extensions and trailers', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\n3;a=b;c="d;\\"e"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n`, expect: { body: 'abc', trailers: [['x-t', '1']] } },
  { name: 'absolute-form target: its host replaces Host (RFC 9112 3.2.2)', raw: `GET http://example.com:8080/p?q HTTP/1.1\r\n${H}X: 1\r\n\r\n`, expect: { path: '/p', query: 'q', target: 'http://example.com:8080/p?q', headers: [['host', 'example.com:8080'], ['x', '1']] } },
  { name: 'absolute-form https target', raw: `GET HTTPS://example.com HTTP/1.1\r\n${H}\r\n`, expect: { path: '/', headers: [['host', 'example.com']] } },
  { name: 'absolute-form from HTTP/1.0 without Host: the target host is added', raw: 'GET http://example.com/x HTTP/1.0\r\nX: 1\r\n\r\n', expect: { path: '/x', headers: [['x', '1'], ['host', 'example.com']] } },
  { name: 'asterisk-form for OPTIONS', raw: `OPTIONS * HTTP/1.1\r\n${H}\r\n`, expect: { path: '*' } },
  { name: 'Expect: 100-continue', raw: `PUT / HTTP/1.1\r\n${H}Expect: 100-Continue\r\nContent-Length: 1\r\n\r\nx`, expect: { expectContinue: true, body: 'x' } },
  { name: 'obs-text in a value is kept', raw: `GET / HTTP/1.1\r\n${H}X: caf\xe9\r\n\r\n`, expect: { headers: [['host', 'h'], ['x', 'caf\xe9']] } },

  { name: 'bare LF ends a line', raw: `GET / HTTP/1.1\n${H}\r\n`, reject: [400, /CRLF/] },
  { name: "an absolute target whose host is not host[:port]", raw: `GET http://h:abc/ HTTP/1.1\r\n${H}\r\n`, reject: [400, /absolute target's host "h:abc" is not a host\[:port\]/] },
  { name: 'an absolute target of another scheme', raw: `GET ftp://example.com/f HTTP/1.1\r\n${H}\r\n`, reject: [400, /must be an http or https URI .* got "ftp:"/] },
  { name: 'bare CR inside a value', raw: `GET / HTTP/1.1\r\n${H}X: a\rb\r\n\r\n`, reject: [400, /CR/] },
  { name: 'NUL in a value', raw: `GET / HTTP/1.1\r\n${H}X: a\x00b\r\n\r\n`, reject: [400, /control character/] },
  { name: 'header without colon', raw: `GET / HTTP/1.1\r\n${H}Nocolon\r\n\r\n`, reject: [400, /no colon/] },
  { name: 'non-token header name', raw: `GET / HTTP/1.1\r\n${H}X(y): 1\r\n\r\n`, reject: [400, /names are tokens/] },
  { name: 'empty header name', raw: `GET / HTTP/1.1\r\n${H}: v\r\n\r\n`, reject: [400, /no name/] },
  { name: 'space before colon (RFC 9112 5.1)', raw: `GET / HTTP/1.1\r\n${H}X : v\r\n\r\n`, reject: [400, /colon/] },
  { name: 'obs-fold (RFC 9112 5.2)', raw: `GET / HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n`, reject: [400, /folding/] },
  { name: 'whitespace before the first header', raw: `GET / HTTP/1.1\r\n ${H}\r\n`, reject: [400, /folding/] },
  { name: 'HTTP/0.9 line', raw: 'GET /\r\n\r\n', reject: [400, /no HTTP version/] },
  { name: 'HTTP/3.0 is 505', raw: 'GET / HTTP/3.0\r\n\r\n', reject: [505, /not supported/] },
  { name: 'method with a bad character', raw: 'GE(T / HTTP/1.1\r\n\r\n', reject: [400, /method/] },
  { name: 'two spaces between method and target', raw: 'GET  / HTTP/1.1\r\n\r\n', reject: [400, /target is missing/] },
  { name: 'fragment in the target', raw: `GET /a#b HTTP/1.1\r\n${H}\r\n`, reject: [400, /fragment/] },
  { name: 'UTF-8 byte in the target', raw: `GET /caf\xc3\xa9 HTTP/1.1\r\n${H}\r\n`, reject: [400, /percent-encoded/] },
  { name: 'target without a leading slash', raw: `GET a/b HTTP/1.1\r\n${H}\r\n`, reject: [400, /must start with "\/"/] },
  { name: 'asterisk for GET', raw: `GET * HTTP/1.1\r\n${H}\r\n`, reject: [400, /only for OPTIONS/] },
  { name: 'no Host in HTTP/1.1 (RFC 9112 3.2)', raw: 'GET / HTTP/1.1\r\n\r\n', reject: [400, /Host/] },
  { name: 'two Hosts', raw: `GET / HTTP/1.0\r\n${H}${H}\r\n`, reject: [400, /More than one Host/] },
  { name: 'Host with a space', raw: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', reject: [400, /Host header/] },
  { name: 'Content-Length with a sign', raw: `POST / HTTP/1.1\r\n${H}Content-Length: +5\r\n\r\n`, reject: [400, /digits only/] },
  { name: 'Content-Length as a list', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5, 5\r\n\r\n`, reject: [400, /digits only/] },
  { name: 'Content-Length twice, same value', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 5\r\n\r\n`, reject: [400, /more than once/] },
  { name: 'Content-Length overflow', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 99999999999999999999\r\n\r\n`, reject: [400, /too large/] },
  { name: 'Transfer-Encoding and Content-Length', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n`, reject: [400, /Both/] },
  { name: 'Transfer-Encoding from HTTP/1.0', raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', reject: [400, /HTTP\/1\.0/] },
  { name: 'chunked not last', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n`, reject: [400, /end with "chunked"/] },
  { name: 'chunked twice', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n`, reject: [400, /only once/] },
  { name: 'unknown coding before chunked', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n`, reject: [501, /not implemented/] },
  { name: 'empty Transfer-Encoding', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n\r\n`, reject: [400, /empty member/] },
  { name: 'chunk size with a sign', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n`, reject: [400, /chunk size in hex/] },
  { name: 'chunk size with a space', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n`, reject: [400, /chunk extensions/] },
  { name: 'chunk size overflow', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n`, reject: [400, /too large/] },
  { name: 'chunk data longer than its size', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n`, reject: [400, /followed by CRLF/] },
  { name: 'bare LF after chunk size', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n`, reject: [400, /bare LF/] },
  { name: 'Content-Length as a trailer', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n`, reject: [400, /trailer/] },
  { name: 'request line limit (414)', raw: `GET /${'x'.repeat(64)} HTTP/1.1\r\n${H}\r\n`, reject: [414, /--max-request-line/], limits: { maxRequestLineBytes: 32 } },
  { name: 'header bytes limit (431)', raw: `GET / HTTP/1.1\r\n${H}X: ${'x'.repeat(300)}\r\n\r\n`, reject: [431, /--max-header-bytes/], limits: { maxHeaderBytes: 256 } },
  { name: 'header count limit (431)', raw: `GET / HTTP/1.1\r\n${H}A: 1\r\nB: 2\r\nC: 3\r\n\r\n`, reject: [431, /--max-header-count/], limits: { maxHeaderCount: 3 } },
  { name: 'body limit by Content-Length (413)', raw: `POST / HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\n`, reject: [413, /--max-body/], limits: { maxBodyBytes: 10 } },
  { name: 'body limit by chunks (413)', raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n`, reject: [413, /--max-body/], limits: { maxBodyBytes: 10 } },
];

const NEXT = `GET /next HTTP/1.1\r\n${H}\r\n`;

function check(t: Test, c: Case, r: ParseResult, how: string): void {
  if (c.reject) {
    t.equal(r.outcome, 'reject', `${how}: rejected`);
    t.equal(r.error?.status, c.reject[0], `${how}: status ${c.reject[0]}`);
    t.match(r.error?.reason, c.reject[1], `${how}: reason`);
    return;
  }
  const m = r.messages[0];
  t.ok(m?.complete, `${how}: one complete message`);
  const e = c.expect!;
  const got = {
    method: m?.head.method, target: m?.head.target, path: m?.head.path, query: m?.head.query, version: m?.head.version,
    body: m?.body, keepAlive: m?.head.keepAlive, headers: m?.head.headers, trailers: m?.trailers, expectContinue: m?.head.expectContinue,
  };
  t.match(got, e, `${how}: parsed as expected`);
}

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const raw = Buffer.from(c.raw, 'latin1');
    check(t, c, parseAll([raw], c.limits), 'whole');
    check(t, c, parseAll([...raw].map((b) => Buffer.from([b])), c.limits), 'byte by byte');
    const withNext = parseAll([Buffer.concat([raw, Buffer.from(NEXT)])], c.limits);
    check(t, c, withNext, 'with a request after it');
    if (!c.reject && withNext.messages[0]!.head.keepAlive) {
      t.equal(withNext.messages[1]?.head.target, '/next', 'with a request after it: the next request is parsed on its own');
    }
  });
}

t.test('the parser pauses after each message until the connection asks for the next', async (t) => {
  const p = new RequestParser();
  p.feed(Buffer.from(`GET /1 HTTP/1.1\r\n${H}\r\nGET /2 HTTP/1.1\r\n${H}\r\n`));
  t.equal(p.next().type, 'head');
  t.equal(p.next().type, 'end');
  t.equal(p.next().type, 'paused', 'paused while the first response is written');
  t.equal(p.state, 'DONE');
  p.startNextRequest();
  const ev = p.next();
  t.equal(ev.type === 'head' && ev.head.target, '/2');
  t.throws(() => p.startNextRequest(), /state DONE/, 'a guarded transition names the state it needs');
});

t.test('after an HTTP/1.0 request without keep-alive, more bytes are an error (RFC 9112 9.6)', async (t) => {
  const r = parseAll([Buffer.from('GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n')]);
  t.equal(r.outcome, 'reject');
  t.match(r.error?.reason, /closed/);
});

t.test('errors are sticky: the parser never resumes after one', async (t) => {
  const p = new RequestParser();
  p.feed(Buffer.from('BAD\r\n\r\n'));
  const first = p.next();
  p.feed(Buffer.from(`GET / HTTP/1.1\r\n${H}\r\n`));
  t.equal(first.type, 'error');
  t.same(p.next(), first);
});

t.test('a line is rejected as soon as it is complete, before the head ends (telnet users learn on Enter)', async (t) => {
  const p = new RequestParser();
  p.feed(Buffer.from('GET / HTTP/1.1\r\nBad Header: x\r\n'));
  const ev = p.next();
  t.equal(ev.type, 'error');
});

t.test('the first bad byte of a request line decides the status, however the bytes are split (fuzzer finds)', async (t) => {
  const cases: Array<[string, number]> = [
    ['POST /static/app.js HTTP/2.0\rTransfer-Encoding: gzip, chunked\r\n\nHost: 127.0.0.1\r\n\r\n', 505], // the version shows before the bare CR
    ['GET / HTTP/1.9007199254740993\rConnection : keep-alive\r\n\r\n', 505],
    ['get /?after=abc HTTP/2.0\xfb\nHost: a b\r\n\r\n', 505], // the version shows before the bare LF
    ['M-SEARCH /echo HTTP/1.2\n\r\nHost: \r\n\r\n', 505],
    ['PUT /url HTTP/1.9007199254740993\t\nContent-Length: 3\n\nabc', 505],
    ['GET / HTTP/2\r.0\r\n\r\n', 400], // the bare CR shows before the eighth character of the version
    ['GET / HTTP/1.1\n\r\n', 400], // a good version, then a bare LF
  ];
  for (const [raw, status] of cases) {
    const bytes = Buffer.from(raw, 'latin1');
    const splits = [[bytes], [...bytes].map((b) => Buffer.from([b]))];
    for (let at = 1; at < bytes.length; at++) splits.push([bytes.subarray(0, at), bytes.subarray(at)]);
    const statuses = new Set(splits.map((chunks) => parseAll(chunks).error?.status));
    t.same([...statuses], [status], `${JSON.stringify(raw)}: ${status} whole, byte by byte and at each of ${bytes.length - 1} splits`);
  }
});

/**
 * Cases for the size limits against the other errors: the earliest byte at which the request is known to be bad
 * decides. A request line (without its CRLF) longer than the limit is known bad at its byte limit+1 (a CR there
 * is judged by the byte after it: LF ends a line of exactly the limit); the head is known too big at its byte
 * maxHeaderBytes+1 (CRLFs count). Only an error that shows within the bytes before that one wins over 414/431.
 */
type Expect = [number | 'accept', RegExp?];
function sameEverySplit(t: Test, cases: Array<[string, string, Expect]>, limits: Record<string, number>): void {
  for (const [name, raw, [status, reason]] of cases) {
    const wrong: string[] = [];
    for (const [how, chunks] of splits(Buffer.from(raw, 'latin1'))) {
      const r = parseAll(chunks, limits);
      const got = r.error?.status ?? r.outcome;
      if (got !== status || (reason && !reason.test(r.error?.reason ?? ''))) wrong.push(`${how}: ${got} ${r.error?.reason ?? ''}`);
    }
    t.same(wrong.slice(0, 4), [], `${name}: ${status} whole, byte by byte and at every split (${wrong.length} wrong)`);
  }
}

const TOO_LONG: Expect = [414, /longer than 32 bytes.*--max-request-line/];
const BARE_CR = /bare CR|CR that is not followed by LF/;
/** A request line of exactly n bytes (without CRLF), padded in the target. */
const line = (n: number, version = 'HTTP/1.1', method = 'GET'): string => `${method} /${'a'.repeat(n - method.length - version.length - 3)} ${version}`;

t.test('a request line over the limit: 414 unless an error shows within its first limit bytes, however it is split', async (t) => {
  const L = 32;
  const cases: Array<[string, string, Expect]> = [];
  for (const n of [L - 3, L - 2, L - 1, L, L + 1, L + 2, L + 20]) {
    const fits = n <= L;
    cases.push(
      [`good line of ${n}`, `${line(n)}\r\n${H}\r\n`, fits ? ['accept'] : TOO_LONG],
      // The version's eighth character is the line's last byte: byte n.
      [`HTTP/2.0 line of ${n}`, `${line(n, 'HTTP/2.0')}\r\n${H}\r\n`, fits ? [505, /HTTP\/2\.0 is not supported/] : TOO_LONG],
      [`HTTP/1.x line of ${n}`, `${line(n, 'HTTP/1.x')}\r\n${H}\r\n`, fits ? [400, /Expected HTTP\/1\.1 or HTTP\/1\.0/] : TOO_LONG],
      // A bad method shows only when the line ends (or its version is bad): after the limit.
      [`bad method, line of ${n}`, `${line(n, 'HTTP/1.1', 'GE(T')}\r\n${H}\r\n`, fits ? [400, /method/] : TOO_LONG],
      [`HTTP/2.0 line of ${n} ending in a bare LF`, `${line(n, 'HTTP/2.0')}\n${H}\r\n`, fits ? [505, /not supported/] : TOO_LONG],
      [`good line of ${n} ending in a bare LF`, `${line(n)}\n${H}\r\n`, fits ? [400, /bare LF/] : TOO_LONG],
      // Its CR is byte n+1, known bare at byte n+2.
      [`line of ${n} ending in a bare CR`, `${line(n)}\rX${H}\r\n`, n + 2 <= L ? [400, BARE_CR] : TOO_LONG],
      [`empty lines, then a line of ${n}`, `\r\n\r\n${line(n)}\r\n${H}\r\n`, fits ? ['accept'] : TOO_LONG],
    );
  }
  // A bare CR at byte c is known bad at byte c+1: before the limit's byte L+1 only if c < L.
  for (const c of [L - 2, L - 1, L, L + 1]) {
    cases.push([`bare CR at byte ${c} of a long line`, `GET /${'a'.repeat(c - 6)}\r${'b'.repeat(40)} HTTP/1.1\r\n${H}\r\n`, c < L ? [400, BARE_CR] : TOO_LONG]);
  }
  cases.push(
    ['HTTP/2.0 early in a long line', `GET / HTTP/2.0${'x'.repeat(40)}\r\n${H}\r\n`, [505, /HTTP\/2\.0 is not supported/]],
    ['HTTP/2.0 with a bad method early in a long line', `GE(T / HTTP/2.0${'x'.repeat(40)}\r\n${H}\r\n`, [400, /method/]],
    ['HTTP/2.0 late in a long line (the README\'s case)', `${line(L + 60, 'HTTP/2.0')}\r\n${H}\r\n`, TOO_LONG],
    ['HTTP/1.x late in a long line', `${line(L + 60, 'HTTP/1.x')}\r\n${H}\r\n`, TOO_LONG],
    ['bare CR early in a long line', `GET /\r${'b'.repeat(60)} HTTP/1.1\r\n${H}\r\n`, [400, BARE_CR]],
  );
  sameEverySplit(t, cases, { maxRequestLineBytes: L });
});

t.test('the head size limit (431) against a request line\'s errors, however it is split', async (t) => {
  sameEverySplit(t, [
    ['HTTP/2.0 after the head limit', `GET /${'a'.repeat(30)} HTTP/2.0\r\n${H}\r\n`, [431, /--max-header-bytes/]],
    ['HTTP/2.0 before the head limit', `GET / HTTP/2.0${'a'.repeat(30)}\r\n${H}\r\n`, [505, /not supported/]],
    ['bare CR before the head limit', `GET /\r${'a'.repeat(30)} HTTP/1.1\r\n${H}\r\n`, [400, BARE_CR]],
  ], { maxHeaderBytes: 24 });
});

t.test('a header line over the head limit: 431 unless an error shows within the head\'s first limit bytes, however it is split', async (t) => {
  const HB = 64;
  const START = `GET / HTTP/1.1\r\n${H}`; // 25 bytes
  sameEverySplit(t, [
    ['a head of exactly the limit', `${START}X: ${'a'.repeat(32)}\r\n\r\n`, ['accept']],
    ['a head one byte over the limit', `${START}X: ${'a'.repeat(33)}\r\n\r\n`, [431, /larger than 64 bytes.*--max-header-bytes/]],
    ['bare CR early in a header line that crosses the limit', `${START}X: a\rb${'c'.repeat(60)}\r\n\r\n`, [400, BARE_CR]],
    ['bare CR at the head\'s byte 63', `${START}X: ${'a'.repeat(34)}\rb${'c'.repeat(20)}\r\n\r\n`, [400, BARE_CR]],
    ['bare CR at the head\'s byte 64', `${START}X: ${'a'.repeat(35)}\rb${'c'.repeat(20)}\r\n\r\n`, [431, /--max-header-bytes/]],
    ['obs-fold in a header line that crosses the limit', `${START} X: ${'a'.repeat(60)}\r\n\r\n`, [400, /folding/]],
    ['bare LF after the limit', `${START}X: ${'a'.repeat(60)}\n\r\n`, [431, /--max-header-bytes/]],
    ['bare LF before the limit', `${START}X: a\n${'Y: '.repeat(30)}\r\n\r\n`, [400, /bare LF/]],
    ['bad header name in a line that crosses the limit', `${START}X(: ${'a'.repeat(60)}\r\n\r\n`, [431, /--max-header-bytes/]],
  ], { maxHeaderBytes: HB });
});

t.test('chunk-size and trailer lines at their limits, however they are split', async (t) => {
  const START = `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n`; // 56 bytes
  sameEverySplit(t, [
    ['a chunk-size line of exactly the limit', `${START}1;a=${'b'.repeat(12)}\r\nx\r\n0\r\n\r\n`, ['accept']],
    ['a chunk-size line one byte over the limit', `${START}1;a=${'b'.repeat(13)}\r\nx\r\n0\r\n\r\n`, [400, /chunk-size line is longer than 16/]],
  ], { maxChunkLineBytes: 16 });
  sameEverySplit(t, [
    ['a trailer line of exactly the limit', `${START}0\r\nX: ${'a'.repeat(61)}\r\n\r\n`, [431, /trailer section is larger/]],
    ['a trailer line one byte over the limit', `${START}0\r\nX: ${'a'.repeat(62)}\r\n\r\n`, [431, /trailer section is larger than 64/]],
    ['a trailer line far over the limit', `${START}0\r\nX: ${'a'.repeat(200)}\r\n\r\n`, [431, /trailer section is larger than 64/]],
  ], { maxHeaderBytes: 64 });
});

t.test('body pieces already handed out stay intact while later bytes wait in the parser, in pieces of any size', async (t) => {
  // Bytes that wait for more (a partial chunk-size line) are joined with the next read in the parser's own buffer,
  // and the body pieces handed out from it point into it: joining more bytes must not write over them. Many
  // one-byte chunks keep a partial line waiting at the end of most reads, so that buffer lives long and fills up.
  const chunks = Array.from({ length: 300 }, (_, i) => String.fromCharCode(97 + (i % 26)));
  const raw = Buffer.from(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${chunks.map((c) => `1\r\n${c}\r\n`).join('')}0\r\n\r\nGET /next HTTP/1.1\r\n${H}\r\n`, 'latin1');
  let wrong = 0;
  for (let size = 2; size <= 13; size++) {
    for (let offset = 0; offset < size; offset++) {
      const pieces: Buffer[] = [raw.subarray(0, offset)];
      for (let i = offset; i < raw.length; i += size) pieces.push(raw.subarray(i, i + size));
      const r = parseAll(pieces);
      if (r.outcome !== 'accept' || r.messages.length !== 2 || r.messages[0]!.body !== chunks.join('') || r.messages[1]!.head.target !== '/next') {
        wrong++;
        t.fail(`in pieces of ${size} bytes after ${offset}: ${r.outcome}, body ${JSON.stringify(r.messages[0]?.body.slice(0, 40))}`);
      }
    }
  }
  t.equal(wrong, 0, 'the same two requests, whatever the piece size (2 to 13 bytes) and where the pieces start');
});
