// Request smuggling: every ambiguous framing, as a table. Each case's bytes are followed by a pipelined
// `GET /smuggled`; the live server (the real app, /echo reports the body length) must either frame the
// request exactly as RFC 9112 says, or answer 400 (or the 4xx/501 named) with Connection: close and close,
// so that nothing after the first request (and nothing inside its body) is ever read as a request.
// Each case is also fed to the sans-IO parser whole and one byte at a time: the outcome must not depend on
// how the bytes were split.

import t from 'tap';
import { parseAll, type ParseResult } from '../http/parse-all.js';
import { parseResponses, type RawResponse } from '../server/helpers.js';
import { rawExchange, startLiveApp, type LiveApp } from './fixtures/live-app.js';

/** One response with one of these statuses, `Connection: close`, then the close; /smuggled never answered. */
interface Reject { reject: number[] }
/**
 * /echo answers once per body given (exact length and bytes); then `after`: by default the pipelined
 * /smuggled request is answered (404); [] means the server closes without reading it; [400] means what
 * follows the first request is itself refused (400 + close).
 */
interface Frame { echo: string[]; after?: number[] }
/** Like Frame, for routes that answer without reading the body: these statuses, then `after`. */
interface Unread { statuses: number[]; after?: number[] }
type Expect = Reject | Frame | Unread;

interface Case {
  name: string; rule: string; request: string; expect: Expect;
  /** Refused by the connection (e.g. the WebSocket handshake), after the parser framed it. */
  refusedAfterParse?: boolean;
  /** A known bug makes the expected responses differ: those assertions are `todo` until it is fixed. */
  knownBug?: string;
}

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
/** A complete request hidden in a body: if it is ever answered, the framing was read two ways. */
const INNER = 'GET /inner HTTP/1.1\r\nHost: x\r\n\r\n';

const post = (headers: string[], body: string, version = 'HTTP/1.1') =>
  `POST /echo ${version}\r\n${version === 'HTTP/1.1' ? 'Host: x\r\n' : ''}${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
const chunked = (body: string, te = 'Transfer-Encoding: chunked', extra: string[] = []) => post([te, ...extra], body);
/** POST to /healthz, a GET route: the app answers 405 without reading the body, which must still be skipped. */
const unread = (headers: string[], body: string) => `POST /healthz HTTP/1.1\r\nHost: x\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
const BIG = `${'x'.repeat(100_000)}${INNER}`;

const R400: Reject = { reject: [400] };

const CASES: Case[] = [
  // --- Content-Length and Transfer-Encoding together ---
  { name: 'CL then TE: chunked', rule: 'RFC 9112 6.3(3): both present is a smuggling attempt; reject or use TE, and close', request: post(['Content-Length: 4', 'Transfer-Encoding: chunked'], `0\r\n\r\n${INNER}`), expect: R400 },
  { name: 'TE: chunked then CL', rule: 'RFC 9112 6.3(3)', request: post(['Transfer-Encoding: chunked', 'Content-Length: 40'], `5\r\nhello\r\n0\r\n\r\n${INNER}`), expect: R400 },
  { name: 'CL: 0 with TE: chunked', rule: 'RFC 9112 6.3(3)', request: post(['Content-Length: 0', 'Transfer-Encoding: chunked'], `${INNER.length.toString(16)}\r\n${INNER}\r\n0\r\n\r\n`), expect: R400 },
  { name: 'TE: chunked with CL in other case', rule: 'RFC 9112 6.3(3); field names are case-insensitive (RFC 9110 5.1)', request: post(['transfer-encoding: chunked', 'CONTENT-LENGTH: 3'], `0\r\n\r\n`), expect: R400 },
  { name: 'TE: identity with CL', rule: 'RFC 9112 6.3(3): any Transfer-Encoding with Content-Length', request: post(['Transfer-Encoding: identity', 'Content-Length: 5'], 'hello'), expect: R400 },

  // --- duplicated or malformed Content-Length ---
  { name: 'CL twice, different', rule: 'RFC 9112 6.3(5): differing lengths are an unrecoverable error: 400 and close', request: post(['Content-Length: 5', 'Content-Length: 6'], 'hello!'), expect: R400 },
  { name: 'CL twice, identical', rule: 'RFC 9110 8.6: a recipient may accept identical repeats or reject; rawpi rejects', request: post(['Content-Length: 5', 'Content-Length: 5'], 'hello'), expect: R400 },
  { name: 'CL as a list "5, 5"', rule: 'RFC 9110 8.6 (list of identical values): rawpi rejects', request: post(['Content-Length: 5, 5'], 'hello'), expect: R400 },
  { name: 'CL as a list "5, 6"', rule: 'RFC 9112 6.3(5)', request: post(['Content-Length: 5, 6'], 'hello!'), expect: R400 },
  { name: 'CL with a sign "+5"', rule: 'RFC 9110 8.6: Content-Length = 1*DIGIT', request: post(['Content-Length: +5'], 'hello'), expect: R400 },
  { name: 'CL negative', rule: 'RFC 9110 8.6: 1*DIGIT', request: post(['Content-Length: -1'], 'hello'), expect: R400 },
  { name: 'CL in hex', rule: 'RFC 9110 8.6: 1*DIGIT', request: post(['Content-Length: 0x5'], 'hello'), expect: R400 },
  { name: 'CL with an inner space', rule: 'RFC 9110 8.6: 1*DIGIT', request: post(['Content-Length: 1 0'], 'helloworld'), expect: R400 },
  { name: 'CL empty', rule: 'RFC 9110 8.6: 1*DIGIT', request: post(['Content-Length:'], 'hello'), expect: R400 },
  { name: 'CL with a NUL', rule: 'RFC 9110 5.5: no CTL in field values', request: post(['Content-Length: 5\0'], 'hello'), expect: R400 },
  { name: 'CL with a vertical tab', rule: 'RFC 9110 5.5: no CTL in field values', request: post(['Content-Length: \x0b5'], 'hello'), expect: R400 },
  { name: 'CL in full-width digits', rule: 'RFC 9110 8.6: DIGIT is ASCII', request: post(['Content-Length: \xef\xbc\x95'], 'hello'), expect: R400 },
  { name: 'CL overflowing 2^64', rule: 'RFC 9112 6.3(5): an invalid length is unrecoverable (no wrap-around)', request: post(['Content-Length: 18446744073709551621'], 'hello'), expect: R400 },
  { name: 'CL beyond 2^53', rule: 'RFC 9112 6.3(5)', request: post(['Content-Length: 9007199254740997'], 'hello'), expect: { reject: [400, 413] } },
  { name: 'CL with a space before the colon', rule: 'RFC 9112 5.1: whitespace between name and colon MUST be rejected with 400', request: post(['Content-Length : 5'], 'hello'), expect: R400 },
  { name: 'CL line folded', rule: 'RFC 9112 5.2: obs-fold: reject with 400 (or replace by SP)', request: post(['Content-Length:', ' 5'], 'hello'), expect: R400 },
  { name: 'CL after a folded line', rule: 'RFC 9112 5.2', request: post(['X-A: 1', ' Content-Length: 5'], 'hello'), expect: R400 },
  { name: 'CL with a leading-whitespace first field', rule: 'RFC 9112 2.2: whitespace before the first field line: reject', request: `POST /echo HTTP/1.1\r\n Content-Length: 5\r\nHost: x\r\n\r\nhello`, expect: R400 },
  { name: 'CL with a NUL in the name', rule: 'RFC 9110 5.1: field names are tokens', request: post(['Content-Length\0: 5'], 'hello'), expect: R400 },
  { name: 'CL name with a space', rule: 'RFC 9110 5.1: field names are tokens', request: post(['Content Length: 5'], 'hello'), expect: R400 },
  { name: 'CL with leading zeros', rule: 'RFC 9110 8.6: 1*DIGIT, so 005 is 5', request: post(['Content-Length: 005'], 'hello'), expect: { echo: ['hello'] } },
  { name: 'CL surrounded by OWS', rule: 'RFC 9112 5.1: OWS around the value is not part of it', request: post(['Content-Length: \t5 \t'], 'hello'), expect: { echo: ['hello'] } },
  { name: 'CL without a space', rule: 'RFC 9112 5.1: OWS is optional', request: post(['Content-Length:5'], 'hello'), expect: { echo: ['hello'] } },
  { name: 'CL name in odd case', rule: 'RFC 9110 5.1: names are case-insensitive', request: post(['cOnTeNt-LeNgTh: 5'], 'hello'), expect: { echo: ['hello'] } },
  { name: 'CL body holding a request', rule: 'RFC 9112 6.3(6): exactly Content-Length octets are the body', request: post([`Content-Length: ${INNER.length}`], INNER), expect: { echo: [INNER] } },
  { name: 'CL on a GET', rule: 'RFC 9112 6.3(6): framing does not depend on the method', request: `GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello`, expect: { echo: ['hello'] } },
  { name: 'CL shorter than the bytes sent', rule: 'RFC 9112 6.3(6): the rest (an empty line, skipped per 2.2) precedes the next request', request: post(['Content-Length: 3'], 'hel\r\n'), expect: { echo: ['hel'] } },

  // --- Transfer-Encoding variants ---
  { name: 'TE: Chunked (odd case)', rule: 'RFC 9112 7: transfer-coding names are case-insensitive', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding: Chunked'), expect: { echo: ['hello'] } },
  { name: 'TE: CHUNKED', rule: 'RFC 9112 7', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding: CHUNKED'), expect: { echo: ['hello'] } },
  { name: 'TE name in odd case', rule: 'RFC 9110 5.1', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'tRaNsFeR-eNcOdInG: chunked'), expect: { echo: ['hello'] } },
  { name: 'TE with spaces and tabs around', rule: 'RFC 9112 5.1: OWS', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding: \t chunked \t'), expect: { echo: ['hello'] } },
  { name: 'TE without a space', rule: 'RFC 9112 5.1', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding:chunked'), expect: { echo: ['hello'] } },
  { name: 'TE with a space before the colon', rule: 'RFC 9112 5.1: MUST reject with 400', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding : chunked'), expect: R400 },
  { name: 'TE with a tab before the colon', rule: 'RFC 9112 5.1', request: chunked('5\r\nhello\r\n0\r\n\r\n', 'Transfer-Encoding\t: chunked'), expect: R400 },
  { name: 'TE folded (obs-fold)', rule: 'RFC 9112 5.2', request: post(['Transfer-Encoding:', ' chunked'], '5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'TE folded with a tab', rule: 'RFC 9112 5.2', request: post(['Transfer-Encoding: gzip,', '\tchunked'], '5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'TE as the first, whitespace-led field', rule: 'RFC 9112 2.2', request: `POST /echo HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: x\r\n\r\n0\r\n\r\n`, expect: R400 },
  { name: 'TE with a vertical tab', rule: 'RFC 9110 5.5: no CTL', request: chunked('0\r\n\r\n', 'Transfer-Encoding: \x0bchunked'), expect: R400 },
  { name: 'TE with a NUL', rule: 'RFC 9110 5.5: no CTL', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked\0'), expect: R400 },
  { name: 'TE with a bare CR inside', rule: 'RFC 9112 2.2: a bare CR is invalid', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked\rX: y'), expect: R400 },
  { name: 'TE ended by a bare LF', rule: 'RFC 9112 2.2: lines end with CRLF (rawpi does not accept bare LF)', request: 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\n\r\n0\r\n\r\n', expect: R400 },
  { name: 'TE quoted', rule: 'RFC 9112 7: a coding is a token', request: chunked('0\r\n\r\n', 'Transfer-Encoding: "chunked"'), expect: R400 },
  { name: 'TE with obs-text', rule: 'RFC 9112 7: a coding is a token', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunk\xe9d'), expect: R400 },
  { name: 'TE: chunked with a parameter', rule: 'RFC 9112 7: chunked has no parameters; rawpi refuses', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked;q=1'), expect: R400 },
  { name: 'TE: xchunked', rule: 'RFC 9112 6.3(4): final coding not chunked: 400 and close', request: chunked('0\r\n\r\n', 'Transfer-Encoding: xchunked'), expect: R400 },
  { name: 'TE: identity', rule: 'RFC 9112 6.3(4)', request: chunked(`5\r\nhello\r\n0\r\n\r\n`, 'Transfer-Encoding: identity'), expect: R400 },
  { name: 'TE: chunked, gzip (chunked not last)', rule: 'RFC 9112 6.3(4): MUST respond 400 and close', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked, gzip'), expect: R400 },
  { name: 'TE: chunked then TE: gzip (two fields)', rule: 'RFC 9112 6.3(4); RFC 9110 5.3: repeated fields combine in order', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked', ['Transfer-Encoding: gzip']), expect: R400 },
  { name: 'TE: chunked, chunked', rule: 'RFC 9112 6.1: chunked MUST NOT be applied more than once', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked, chunked'), expect: R400 },
  { name: 'TE: chunked twice (two fields)', rule: 'RFC 9112 6.1', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked', ['Transfer-Encoding: chunked']), expect: R400 },
  { name: 'TE: gzip, chunked', rule: 'RFC 9112 6.1: a coding not understood: 501 (and close)', request: chunked('0\r\n\r\n', 'Transfer-Encoding: gzip, chunked'), expect: { reject: [501] } },
  { name: 'TE: gzip then TE: chunked (two fields)', rule: 'RFC 9112 6.1', request: chunked('0\r\n\r\n', 'Transfer-Encoding: gzip', ['Transfer-Encoding: chunked']), expect: { reject: [501] } },
  { name: 'TE: chunked, (empty member)', rule: 'RFC 9110 5.6.1 lets a recipient ignore empty members; rawpi refuses them', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked,'), expect: R400 },
  { name: 'TE: , chunked (empty member first)', rule: 'RFC 9110 5.6.1; rawpi refuses', request: chunked('0\r\n\r\n', 'Transfer-Encoding: , chunked'), expect: R400 },
  { name: 'TE empty', rule: 'RFC 9112 6.1: Transfer-Encoding = #transfer-coding (1 or more)', request: chunked('0\r\n\r\n', 'Transfer-Encoding:'), expect: R400 },
  { name: 'TE: chunked plus an empty TE field', rule: 'RFC 9112 6.1', request: chunked('0\r\n\r\n', 'Transfer-Encoding: chunked', ['Transfer-Encoding: ']), expect: R400 },
  { name: 'Transfer_Encoding (underscore) is another field', rule: 'RFC 9112 6.3(7): no TE, no CL: the body is empty; the bytes after are the next request', request: chunked('0\r\n\r\n', 'Transfer_Encoding: chunked'), expect: { echo: [''], after: [400] } },
  { name: 'TE on a GET', rule: 'RFC 9112 6.3(4): framing does not depend on the method', request: `GET /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, expect: { echo: ['hello'] } },

  // --- HTTP/1.0 with Transfer-Encoding ---
  { name: 'HTTP/1.0 with TE: chunked', rule: 'RFC 9112 6.1: a 1.0 message with TE has faulty framing: 400 and close', request: post(['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n', 'HTTP/1.0'), expect: R400 },
  { name: 'HTTP/1.0 with TE and CL', rule: 'RFC 9112 6.1: faulty framing even if Content-Length is present', request: post(['Transfer-Encoding: chunked', 'Content-Length: 5'], 'hello', 'HTTP/1.0'), expect: R400 },
  { name: 'HTTP/1.0 keep-alive with TE', rule: 'RFC 9112 6.1', request: post(['Connection: keep-alive', 'Transfer-Encoding: chunked'], '0\r\n\r\n', 'HTTP/1.0'), expect: R400 },
  { name: 'HTTP/1.0 with CL: close after it', rule: 'RFC 9112 9.3: 1.0 without keep-alive closes; nothing after it is read', request: post(['Content-Length: 5'], 'hello', 'HTTP/1.0'), expect: { echo: ['hello'], after: [] } },
  { name: 'HTTP/1.0 keep-alive with CL', rule: 'RFC 9112 9.3: 1.0 with keep-alive persists', request: post(['Connection: keep-alive', 'Content-Length: 5'], 'hello', 'HTTP/1.0'), expect: { echo: ['hello'] } },
  { name: 'Connection: close on 1.1', rule: 'RFC 9112 9.6: nothing after a close request is read', request: post(['Connection: close', 'Content-Length: 5'], 'hello'), expect: { echo: ['hello'], after: [] } },

  // --- chunk sizes ---
  { name: 'chunked, baseline', rule: 'RFC 9112 7.1', request: chunked('5\r\nhello\r\n0\r\n\r\n'), expect: { echo: ['hello'] } },
  { name: 'chunked, body holding a request', rule: 'RFC 9112 7.1: chunk data is opaque', request: chunked(`${INNER.length.toString(16)}\r\n${INNER}\r\n0\r\n\r\n`), expect: { echo: [INNER] } },
  { name: 'chunked, several chunks', rule: 'RFC 9112 7.1', request: chunked('2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n'), expect: { echo: ['hello'] } },
  { name: 'chunk size in upper-case hex', rule: 'RFC 9112 7.1: HEXDIG is case-insensitive', request: chunked('A\r\n0123456789\r\n0\r\n\r\n'), expect: { echo: ['0123456789'] } },
  { name: 'chunk size with leading zeros', rule: 'RFC 9112 7.1: 1*HEXDIG, so 0005 is 5', request: chunked('0005\r\nhello\r\n0\r\n\r\n'), expect: { echo: ['hello'] } },
  { name: 'chunk size with 30 leading zeros', rule: 'RFC 9112 7.1: zeros do not count toward overflow', request: chunked(`${'0'.repeat(30)}5\r\nhello\r\n000\r\n\r\n`), expect: { echo: ['hello'] } },
  { name: 'chunk size "+5"', rule: 'RFC 9112 7.1: 1*HEXDIG, no sign', request: chunked('+5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size "-5"', rule: 'RFC 9112 7.1', request: chunked('-5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size "0x5"', rule: 'RFC 9112 7.1', request: chunked('0x5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size with a leading space', rule: 'RFC 9112 7.1', request: chunked(' 5\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size with a trailing space', rule: 'RFC 9112 7.1 (BWS only before ";"): rawpi refuses', request: chunked('5 \r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size with a trailing tab', rule: 'RFC 9112 7.1', request: chunked('5\t\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size with BWS before an extension', rule: 'RFC 9112 7.1.1 allows BWS; rawpi refuses all whitespace', request: chunked('5 ;a=b\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size empty', rule: 'RFC 9112 7.1', request: chunked('\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size with a NUL', rule: 'RFC 9112 7.1', request: chunked('5\0\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size 2^64+5 (wraps to 5)', rule: 'RFC 9112 7.1: recipients MUST anticipate overflow', request: chunked('10000000000000005\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size 2^128+5', rule: 'RFC 9112 7.1', request: chunked(`1${'0'.repeat(31)}5\r\nhello\r\n0\r\n\r\n`), expect: R400 },
  { name: 'chunk size 2^53+1', rule: 'RFC 9112 7.1', request: chunked('20000000000001\r\nhello\r\n0\r\n\r\n'), expect: { reject: [400, 413] } },
  { name: 'chunk size 2^52-1', rule: 'RFC 9112 7.1: beyond --max-body', request: chunked('fffffffffffff\r\nhello\r\n0\r\n\r\n'), expect: { reject: [400, 413] } },
  { name: 'chunk size just beyond --max-body', rule: 'RFC 9110 15.5.14', request: chunked('100001\r\nhello\r\n0\r\n\r\n'), expect: { reject: [413] } },
  { name: 'chunk size line ended by a bare LF', rule: 'RFC 9112 7.1: CRLF', request: chunked('5\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk size line with a bare CR', rule: 'RFC 9112 2.2', request: chunked('5\rhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk extension, token and quoted', rule: 'RFC 9112 7.1.1: extensions are ignored', request: chunked('5;a=b;c="d\\"e"\r\nhello\r\n0;z\r\n\r\n'), expect: { echo: ['hello'] } },
  { name: 'chunk extension with an empty name', rule: 'RFC 9112 7.1.1', request: chunked('5;\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk extension quoted across CRLF', rule: 'RFC 9112 7.1.1: a quoted-string has no CR or LF', request: chunked('5;a="x\r\ny"\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk extension longer than 4 KiB', rule: 'RFC 9112 7.1.1: servers limit extension length', request: chunked(`5;a=${'b'.repeat(5000)}\r\nhello\r\n0\r\n\r\n`), expect: R400 },

  // --- chunk data and its CRLF ---
  { name: 'bare LF inside chunk data', rule: 'RFC 9112 7.1: chunk data is chunk-size octets, whatever they are', request: chunked('5\r\nhe\nlo\r\n0\r\n\r\n'), expect: { echo: ['he\nlo'] } },
  { name: 'bare CR inside chunk data', rule: 'RFC 9112 7.1', request: chunked('5\r\nhe\rlo\r\n0\r\n\r\n'), expect: { echo: ['he\rlo'] } },
  { name: 'CRLF inside chunk data', rule: 'RFC 9112 7.1', request: chunked('5\r\nh\r\nlo\r\n0\r\n\r\n'), expect: { echo: ['h\r\nlo'] } },
  { name: 'NUL inside chunk data', rule: 'RFC 9112 7.1', request: chunked('5\r\nhe\0lo\r\n0\r\n\r\n'), expect: { echo: ['he\0lo'] } },
  { name: 'no CRLF after chunk data', rule: 'RFC 9112 7.1: chunk-data CRLF', request: chunked('5\r\nhello0\r\n\r\n'), expect: R400 },
  { name: 'bare LF after chunk data', rule: 'RFC 9112 7.1', request: chunked('5\r\nhello\n0\r\n\r\n'), expect: R400 },
  { name: 'bare CR after chunk data', rule: 'RFC 9112 7.1', request: chunked('5\r\nhello\r0\r\n\r\n'), expect: R400 },
  { name: 'chunk data longer than its size', rule: 'RFC 9112 7.1', request: chunked('3\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'chunk data shorter than its size', rule: 'RFC 9112 7.1: the size wins, then CRLF is missing', request: chunked('7\r\nhello\r\n0\r\n\r\n'), expect: R400 },
  { name: 'last chunk without the final CRLF', rule: 'RFC 9112 7.1: the next request line is read as a trailer field, and refused', request: chunked('0\r\n'), expect: R400 },
  { name: 'last chunk followed by an empty line', rule: 'RFC 9112 2.2: empty lines before a request line are skipped', request: chunked('0\r\n\r\n\r\n'), expect: { echo: [''] } },
  { name: 'trailer field', rule: 'RFC 9112 7.1.2', request: chunked('5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n'), expect: { echo: ['hello'] } },
  { name: 'Content-Length as a trailer', rule: 'RFC 9110 6.5.1: framing fields are not allowed in trailers', request: chunked('5\r\nhello\r\n0\r\nContent-Length: 40\r\n\r\n'), expect: R400 },
  { name: 'Transfer-Encoding as a trailer', rule: 'RFC 9110 6.5.1', request: chunked('5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n'), expect: R400 },
  { name: 'trailer folded', rule: 'RFC 9112 5.2', request: chunked('5\r\nhello\r\n0\r\nX-A: 1\r\n b\r\n\r\n'), expect: R400 },
  { name: 'trailer ended by a bare LF', rule: 'RFC 9112 2.2', request: chunked('5\r\nhello\r\n0\r\nX-A: 1\n\r\n'), expect: R400 },

  // --- line endings of the head ---
  { name: 'head with bare LF line ends', rule: 'RFC 9112 2.2 (rawpi does not accept bare LF)', request: 'POST /echo HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello', expect: R400 },
  { name: 'head with bare CR line ends', rule: 'RFC 9112 2.2: a bare CR is invalid', request: 'POST /echo HTTP/1.1\rHost: x\rContent-Length: 5\r\r\nhello', expect: R400 },
  { name: 'head ended by LF CR LF', rule: 'RFC 9112 2.2', request: 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\n\r\nhello', expect: R400 },
  { name: 'TE name with a non-ASCII letter', rule: 'RFC 9110 5.1: field names are ASCII tokens', request: chunked('0\r\n\r\n', 'Transfer-Encoding'.replace('e', '\xd0\xb5') + ': chunked'), expect: R400 },
  { name: 'CL name with a non-ASCII letter', rule: 'RFC 9110 5.1', request: post(['Cont\xd0\xb5nt-Length: 5'], 'hello'), expect: R400 },

  // --- bodies the app never reads: the server must still skip them by their framing ---
  { name: 'unread CL body holding a request', rule: 'RFC 9112 6.3(6): the body is Content-Length octets whether read or not', request: unread([`Content-Length: ${INNER.length}`], INNER), expect: { statuses: [405] } },
  { name: 'unread chunked body holding a request', rule: 'RFC 9112 7.1', request: unread(['Transfer-Encoding: chunked'], `${INNER.length.toString(16)}\r\n${INNER}\r\n0\r\n\r\n`), expect: { statuses: [405] } },
  { name: 'unread 100 KB body ending in a request', rule: 'RFC 9112 6.3(6): skipped past the server\'s read-ahead buffer too', request: unread([`Content-Length: ${BIG.length}`], BIG), expect: { statuses: [405] } },
  { name: 'unread body after Expect: 100-continue', rule: 'RFC 9110 10.1.1: a final status first; the body sent anyway is skipped (or the connection closed)', request: unread(['Expect: 100-continue', `Content-Length: ${INNER.length}`], INNER), expect: { statuses: [405] } },
  { name: 'unread chunked body with a bad chunk', rule: 'RFC 9112 7.1: a framing error found while skipping closes the connection', request: unread(['Transfer-Encoding: chunked'], `5\r\nhello\r\nzz\r\n${INNER}`), expect: { statuses: [405], after: [] } },
  { name: 'non-websocket Upgrade with a body', rule: 'RFC 9110 7.8: a server may ignore Upgrade; the body is framed as usual', request: post(['Connection: Upgrade', 'Upgrade: h2c', 'Content-Length: 5'], 'hello'), expect: { echo: ['hello'] } },
  { name: 'websocket Upgrade with a body and no key', rule: 'RFC 6455 4.2.1: a bad handshake is 400; nothing after it is read', request: post(['Connection: Upgrade', 'Upgrade: websocket', 'Content-Length: 5'], 'hello'), expect: R400, refusedAfterParse: true },
];

function bodyLength(r: RawResponse): number | null {
  const m = /^body length: +(\d+) bytes$/m.exec(r.body.toString('latin1'));
  return m ? Number(m[1]) : null;
}

function bodyPreview(r: RawResponse): string | null {
  const m = /^body: +(".*")( \.\.\.)?$/m.exec(r.body.toString('latin1'));
  return m ? (JSON.parse(m[1]!) as string) : null;
}

/** What the parser makes of the bytes, as comparable text (whole vs byte by byte). */
function summary(r: ParseResult): string {
  return JSON.stringify({
    outcome: r.outcome, status: r.error?.status ?? null,
    messages: r.messages.map((m) => ({ method: m.head.method, target: m.head.target, body: m.body, complete: m.complete })),
  });
}

let app: LiveApp;
t.before(async () => { app = await startLiveApp({ server: { timeouts: { headersTimeoutMs: 3000, bodyTimeoutMs: 3000, keepAliveTimeoutMs: 3000 } } }); });
t.teardown(() => app.stop());

t.test('every case has a rule and a unique name', async (t) => {
  t.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  for (const c of CASES) t.match(c.rule, /RFC \d+/, c.name);
});

for (const c of CASES) {
  t.test(`${c.name} [${c.rule}]`, async (t) => {
    const bytes = Buffer.from(c.request + SMUGGLED, 'latin1');

    // The sans-IO parser: the same outcome whole and one byte at a time.
    const whole = parseAll([bytes]);
    const bytewise = parseAll([...bytes].map((b) => Buffer.from([b])));
    t.equal(summary(bytewise), summary(whole), 'the parser frames it the same whole and byte by byte');

    // The live server.
    const ex = await rawExchange(app.port, bytes, { ms: 8000 });
    t.ok(ex.closed, 'the server closes the connection (no hang)');
    const { responses, rest } = parseResponses(ex.raw, { closed: true });
    t.equal(rest.length, 0, 'nothing but whole HTTP responses comes back');
    const statusLines = ex.raw.toString('latin1').match(/^HTTP\/1\.1 \d{3}/gm) ?? [];
    t.equal(statusLines.length, responses.length, 'no response hides inside another');
    // The app's 404 reads "nothing is at /PATH"; an error message may quote the bytes, which is no answer.
    const answered = (path: string) => responses.some((r) => r.status === 404 && r.body.toString('latin1').includes(`nothing is at ${path}`));
    const answeredSmuggled = answered('/smuggled');
    t.notOk(answered('/inner'), 'a request inside a body is never answered');
    const detail = { raw: ex.raw.toString('latin1').slice(0, 600) };

    if ('reject' in c.expect) {
      t.equal(responses.length, 1, 'exactly one response', detail);
      const r = responses[0];
      t.ok(r !== undefined && c.expect.reject.includes(r.status), `status ${r?.status} is one of ${c.expect.reject.join('/')}`, detail);
      t.equal(r?.header('connection'), 'close', 'Connection: close');
      t.notOk(answeredSmuggled, 'the pipelined /smuggled is never answered');
      if (!c.refusedAfterParse) {
        t.equal(whole.outcome, 'reject', 'the parser rejects it too');
        t.equal(whole.messages.filter((m) => m.complete).length, 0, 'no message completed before the error');
      }
      return;
    }

    if ('statuses' in c.expect) {
      const after: Array<number | 'smuggled'> = c.expect.after ?? ['smuggled'];
      const want = [...c.expect.statuses, ...after.map((a) => (a === 'smuggled' ? 404 : a))];
      t.same(responses.map((r) => r.status), want, `statuses ${want.join(', ')}`, { ...detail, ...(c.knownBug ? { todo: c.knownBug } : {}) });
      t.equal(answeredSmuggled, after.includes('smuggled'), after.includes('smuggled') ? 'the pipelined /smuggled is answered as its own request' : 'the pipelined /smuggled is never answered');
      return;
    }
    const echoes = c.expect.echo;
    const after: Array<number | 'smuggled'> = c.expect.after ?? ['smuggled'];
    t.equal(responses.length, echoes.length + after.length, `${echoes.length} echo response(s) then ${JSON.stringify(after)}`, detail);
    echoes.forEach((body, i) => {
      const r = responses[i];
      t.equal(r?.status, 200, `response ${i + 1} is the echo`, detail);
      t.equal(r && bodyLength(r), body.length, `response ${i + 1}: the body is exactly ${body.length} bytes`);
      if (body.length > 0 && body.length <= 200) t.equal(r && bodyPreview(r), body, `response ${i + 1}: the body bytes`);
    });
    after.forEach((what, j) => {
      const r = responses[echoes.length + j];
      if (what === 'smuggled') {
        t.equal(r?.status, 404, 'the pipelined /smuggled is answered as its own request (404)');
        t.ok(answeredSmuggled, 'and it says nothing is at /smuggled');
      } else {
        t.equal(r?.status, what, `then ${what}`);
        t.equal(r?.header('connection'), 'close', 'with Connection: close');
      }
    });
    if (!after.includes('smuggled')) t.notOk(answeredSmuggled, 'the pipelined /smuggled is never answered');
  });
}
