// Turns the text of a request head (request line and header lines, CRLFs already checked) into a RequestHead.
// Every rule enforced here cites its section of RFC 9112 (message syntax) or RFC 9110 (semantics).

import type { Header } from '../interface.js';
import { ProtocolError, printable } from './errors.js';
import { TARGET, TOKEN, badFieldValueChar, isToken, splitList, trimOws } from './syntax.js';

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' };

export interface RequestHead {
  method: string;
  /** The request-target exactly as sent. */
  target: string;
  version: '1.0' | '1.1';
  /** The path of the target (absolute-form reduced to its path), undecoded. */
  path: string;
  /** What follows '?', undecoded, without the '?'. */
  query: string;
  /** Header fields in order, names lower-cased, values with surrounding whitespace removed. */
  headers: Header[];
  /** Whether the connection may carry another request after this one (RFC 9112 9.3). */
  keepAlive: boolean;
  /** `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 10.1.1). */
  expectContinue: boolean;
  /** The protocols named by `Upgrade` when `Connection: upgrade` is present, or 'CONNECT'; otherwise null. */
  upgrade: string | null;
  body: BodyFraming;
}

const MAX_CONTENT_LENGTH_DIGITS = 15; // below 2^53: the length stays an exact JavaScript number
/** Host = uri-host [ ":" port ] (RFC 9110 7.2): no whitespace, slashes, userinfo or other delimiters. */
const HOST_SYNTAX = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:[0-9]*)?$/;

/** The request line's parts; `authority` is the host[:port] of an absolute-form target, else null. */
export type RequestLine = Pick<RequestHead, 'method' | 'target' | 'version' | 'path' | 'query'> & { authority: string | null };

/** Parses the request line (RFC 9112 3). */
export function parseRequestLine(line: string): RequestLine {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) {
    if (sp1 === 0) throw new ProtocolError(400, 'The request line starts with a space: it must be METHOD SP target SP HTTP/1.1, e.g. "GET / HTTP/1.1" (RFC 9112 3).');
    throw new ProtocolError(400, `Expected a request line like "GET / HTTP/1.1", got "${printable(line)}" (RFC 9112 3).`);
  }
  const method = line.slice(0, sp1);
  for (let i = 0; i < method.length; i++) {
    if (TOKEN[method.charCodeAt(i)] !== 1) {
      throw new ProtocolError(400, `The method "${printable(method)}" has a character a method cannot have: methods are tokens like GET or POST (RFC 9110 9.1).`);
    }
  }
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 < 0) {
    throw new ProtocolError(400, `The request line has no HTTP version: write "${printable(line)} HTTP/1.1" or HTTP/1.0 (HTTP/0.9 is not supported; RFC 9112 3).`);
  }
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (target.length === 0) throw new ProtocolError(400, 'Two spaces after the method: the request target is missing, e.g. "GET / HTTP/1.1" (RFC 9112 3).');
  if (version.indexOf(' ') >= 0) {
    throw new ProtocolError(400, `The request line has more than two spaces: a space in the target must be written %20, e.g. "/foo%20bar" (RFC 9112 3.2).`);
  }
  const v = parseVersion(version);
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (TARGET[c] !== 1) {
      if (c === 0x23) throw new ProtocolError(400, 'The request target has a fragment (#...): browsers keep fragments to themselves; send the path and query only (RFC 9112 3.2).');
      throw new ProtocolError(400, `The request target has a byte that must be percent-encoded (${printable(target[i]!)} at position ${i + 1}) (RFC 9112 3.2, RFC 3986 2.1).`);
    }
  }
  const { path, query, authority } = splitTarget(method, target);
  return { method, target, version: v, path, query, authority };
}

function parseVersion(version: string): '1.0' | '1.1' {
  if (version === 'HTTP/1.1') return '1.1';
  if (version === 'HTTP/1.0') return '1.0';
  // HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 2.3). Any other major.minor is 505, decided on its
  // first eight characters, so the answer is the same whether the line arrives whole or in pieces.
  if (/^HTTP\/[0-9]\.[0-9]/.test(version) && !/^HTTP\/1\.[01]/.test(version)) {
    throw new ProtocolError(505, `${version.slice(0, 8)} is not supported: this server speaks HTTP/1.0 and HTTP/1.1 (RFC 9110 15.6.6).`);
  }
  throw new ProtocolError(400, `Expected HTTP/1.1 or HTTP/1.0 at the end of the request line, got "${printable(version)}" (versions are case-sensitive; RFC 9112 2.3).`);
}

/** Splits the target by its form (RFC 9112 3.2): origin-form, absolute-form, authority-form (CONNECT), asterisk-form (OPTIONS). */
function splitTarget(method: string, target: string): { path: string; query: string; authority: string | null } {
  const first = target.charCodeAt(0);
  if (method === 'CONNECT') {
    // authority-form = uri-host ":" port (RFC 9112 3.2.3)
    if (!/^[^\s/?#@]+:[0-9]+$/.test(target)) throw new ProtocolError(400, `CONNECT takes host:port as its target, got "${printable(target)}" (RFC 9112 3.2.3).`);
    return { path: '', query: '', authority: null };
  }
  if (first === 0x2f /* / */) return splitQuery(target, null);
  if (target === '*') {
    if (method !== 'OPTIONS') throw new ProtocolError(400, `The target "*" is only for OPTIONS, not ${method} (RFC 9112 3.2.4).`);
    return { path: '*', query: '', authority: null };
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?]*)(.*)$/.exec(target);
  if (m === null) {
    throw new ProtocolError(400, `The request target must start with "/" (e.g. "GET /index.html HTTP/1.1"), got "${printable(target)}" (RFC 9112 3.2).`);
  }
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw new ProtocolError(400, `An absolute target must be an http or https URI (this is an origin server, not a proxy), got "${printable(m[1]!)}:" (RFC 9110 4.2, RFC 9112 3.2.2).`);
  }
  const authority = m[2]!;
  if (authority.includes('@')) throw new ProtocolError(400, 'The target has user:password@ in it: http URIs must not carry userinfo (RFC 9110 4.2.4).');
  if (authority.length === 0) throw new ProtocolError(400, 'The absolute target has an empty host (RFC 9110 4.2.1).');
  if (!HOST_SYNTAX.test(authority)) throw new ProtocolError(400, `The absolute target's host "${printable(authority)}" is not a host[:port] (RFC 9110 4.2.1, 7.2).`);
  const rest = m[3]!;
  return splitQuery(rest.startsWith('/') ? rest : `/${rest}`, authority);
}

function splitQuery(pathAndQuery: string, authority: string | null): { path: string; query: string; authority: string | null } {
  const q = pathAndQuery.indexOf('?');
  return q < 0 ? { path: pathAndQuery, query: '', authority } : { path: pathAndQuery.slice(0, q), query: pathAndQuery.slice(q + 1), authority };
}

/**
 * Parses one header line `name: value` (RFC 9112 5), step by step, each step with its own error: obs-fold, no
 * colon, no name, a bad character in the name or the value. Returns [rawName, value]. The parser checks the header
 * lines of a head on their bytes (RequestParser.fieldLine) and comes here for the ones it refuses, and for trailers.
 */
export function parseFieldLine(line: string): [string, string] {
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) {
    throw new ProtocolError(400, `A header line starts with whitespace ("${printable(line)}"): line folding (obs-fold) is not accepted; put each header on one line (RFC 9112 5.2).`);
  }
  const colon = line.indexOf(':');
  if (colon < 0) throw new ProtocolError(400, `Expected "Name: value", got "${printable(line)}" (no colon) (RFC 9112 5).`);
  if (colon === 0) throw new ProtocolError(400, `The header line "${printable(line)}" has no name before the colon (RFC 9112 5).`);
  const name = line.slice(0, colon);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (TOKEN[c] !== 1) {
      if ((c === 0x20 || c === 0x09) && i === name.length - 1) {
        throw new ProtocolError(400, `No whitespace is allowed between the header name and the colon: write "${printable(name.trimEnd())}:" (RFC 9112 5.1).`);
      }
      if (c === 0x0d) throw new ProtocolError(400, `A bare CR inside the header line "${printable(line)}": lines end with CRLF, and CR appears nowhere else (RFC 9112 2.2).`);
      throw new ProtocolError(400, `The header name "${printable(name)}" has a character names cannot have (${printable(name[i]!)}): names are tokens (RFC 9110 5.1).`);
    }
  }
  const value = trimOws(line.slice(colon + 1));
  const bad = badFieldValueChar(value);
  if (bad >= 0) {
    const what = value.charCodeAt(bad) === 0x0d ? 'a bare CR (lines end with CRLF and CR appears nowhere else; RFC 9112 2.2)' : `a control character (${printable(value[bad]!)}) (RFC 9110 5.5)`;
    throw new ProtocolError(400, `The value of header "${printable(name)}" contains ${what}.`);
  }
  return [name, value];
}

/**
 * Header names seen on nearly every request, by length: the parser knows one from its bytes by comparing them with
 * the few names of its length, without making a string of the name or a lower-case copy of it.
 */
const COMMON_BY_LENGTH: string[][] = [];
for (const n of ['host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'connection', 'content-length',
  'content-type', 'transfer-encoding', 'cookie', 'referer', 'origin', 'upgrade', 'expect', 'cache-control',
  'if-none-match', 'if-modified-since', 'sec-websocket-key', 'sec-websocket-version', 'authorization', 'pragma']) {
  (COMMON_BY_LENGTH[n.length] ??= []).push(n);
}

/**
 * The lower-case common name spelled by the token bytes[begin, end) in any case (RFC 9110 5.1), or null when it is
 * none of them. In a token, c | 0x20 equals a lower-case letter only for that letter in either case, and '-' only
 * for '-': the names hold nothing else.
 */
export function commonName(bytes: Uint8Array, begin: number, end: number): string | null {
  const candidates = COMMON_BY_LENGTH[end - begin];
  if (candidates === undefined) return null;
  next: for (let k = 0; k < candidates.length; k++) {
    const lower = candidates[k]!;
    for (let i = 0; i < lower.length; i++) {
      if ((bytes[begin + i]! | 0x20) !== lower.charCodeAt(i)) continue next;
    }
    return lower;
  }
  return null;
}

/** Checks a Content-Length line as soon as it arrives: digits only, at most once (RFC 9110 8.6). */
export function checkContentLengthField(value: string, earlier: Header[]): void {
  // RFC 9110 8.6 lets a recipient accept identical repeats; we reject any repeat: one length, no doubt.
  for (let i = 0; i < earlier.length; i++) {
    if (earlier[i]![0] === 'content-length') throw new ProtocolError(400, 'Content-Length was sent more than once: send it once (RFC 9110 8.6, RFC 9112 6.3).');
  }
  if (!/^[0-9]+$/.test(value)) throw new ProtocolError(400, `Content-Length must be digits only, got "${printable(value)}" (RFC 9110 8.6).`);
  if (value.replace(/^0+(?=.)/, '').length > MAX_CONTENT_LENGTH_DIGITS) {
    throw new ProtocolError(400, `Content-Length ${printable(value)} is too large to be real (RFC 9110 8.6).`);
  }
}

/** Decides framing, persistence and expectations from the header fields (RFC 9112 6, 9; RFC 9110 7.2, 10.1.1). */
export function analyseHeaders(
  method: string,
  version: '1.0' | '1.1',
  headers: Header[],
  requireHost = true,
): Pick<RequestHead, 'keepAlive' | 'expectContinue' | 'upgrade' | 'body'> {
  let hosts = 0;
  let contentLength: string | null = null;
  let contentLengthCount = 0;
  const transferCodings: string[] = [];
  let sawTransferEncoding = false;
  let close = false;
  let keepAliveToken = false;
  let upgradeToken = false;
  let upgradeValue: string | null = null;
  let expectContinue = false;

  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    switch (name) {
      case 'host':
        hosts++;
        if (!HOST_SYNTAX.test(value)) {
          throw new ProtocolError(400, `The Host header "${printable(value)}" is not a host[:port] (RFC 9110 7.2).`);
        }
        break;
      case 'content-length':
        contentLengthCount++;
        contentLength = value;
        break;
      case 'transfer-encoding':
        sawTransferEncoding = true;
        for (const coding of splitList(value)) transferCodings.push(coding.toLowerCase());
        break;
      case 'connection':
        for (const token of splitList(value)) {
          const t = token.toLowerCase();
          if (t === 'close') close = true;
          else if (t === 'keep-alive') keepAliveToken = true;
          else if (t === 'upgrade') upgradeToken = true;
          else if (t !== '' && !isToken(t)) throw new ProtocolError(400, `The Connection header holds "${printable(token)}", which is not a token (RFC 9110 7.6.1).`);
        }
        break;
      case 'upgrade':
        upgradeValue = upgradeValue === null ? value : `${upgradeValue}, ${value}`;
        break;
      case 'expect':
        if (version === '1.1') {
          // RFC 9110 10.1.1: 100-continue is the only expectation; HTTP/1.0 requests' expectations are ignored.
          if (value.toLowerCase() === '100-continue') expectContinue = true;
          else throw new ProtocolError(417, `Only "Expect: 100-continue" is understood, got "${printable(value)}" (RFC 9110 10.1.1).`);
        }
        break;
    }
  }

  // RFC 9112 3.2: HTTP/1.1 requests carry exactly one Host; more than one is an error in any version.
  if (hosts > 1) throw new ProtocolError(400, 'More than one Host header: a request names one host (RFC 9112 3.2).');
  if (hosts === 0 && version === '1.1' && requireHost) {
    throw new ProtocolError(400, 'HTTP/1.1 requests must have a Host header: add a line like "Host: localhost" after the request line (RFC 9112 3.2).');
  }

  let body: BodyFraming = { kind: 'none' };
  if (method === 'CONNECT') {
    // RFC 9110 9.3.6: a CONNECT request has no content; what follows the head belongs to the tunnel.
  } else if (sawTransferEncoding) {
    // RFC 9112 6.1: a 1.0 message with Transfer-Encoding has faulty framing.
    if (version === '1.0') throw new ProtocolError(400, 'Transfer-Encoding is an HTTP/1.1 feature: an HTTP/1.0 request must use Content-Length (RFC 9112 6.1).');
    // RFC 9112 6.3 (3): Transfer-Encoding with Content-Length is a smuggling vector; reject.
    if (contentLengthCount > 0) throw new ProtocolError(400, 'Both Transfer-Encoding and Content-Length were sent: the body length would be ambiguous, send only one (RFC 9112 6.3).');
    const last = transferCodings[transferCodings.length - 1];
    if (transferCodings.some((c) => c === '') || last === undefined) {
      throw new ProtocolError(400, 'Transfer-Encoding has an empty member: it must name codings, e.g. "Transfer-Encoding: chunked" (RFC 9112 6.1).');
    }
    for (const c of transferCodings) {
      if (!isToken(c)) throw new ProtocolError(400, `Transfer-Encoding holds "${printable(c)}", which is not a coding name (RFC 9112 6.1).`);
    }
    if (last !== 'chunked') {
      // RFC 9112 6.3 (4): a request whose final coding is not chunked cannot be framed: 400 and close.
      throw new ProtocolError(400, `Transfer-Encoding must end with "chunked" in a request, got "${transferCodings.join(', ')}" (RFC 9112 6.3).`);
    }
    if (transferCodings.length > 1) {
      // RFC 9112 6.1: chunked at most once; other codings (gzip, deflate) are not implemented here.
      if (transferCodings.indexOf('chunked') < transferCodings.length - 1) throw new ProtocolError(400, 'chunked may be applied only once (RFC 9112 6.1).');
      throw new ProtocolError(501, `Transfer coding "${transferCodings[0]}" is not implemented: send the body with "Transfer-Encoding: chunked" alone (RFC 9112 6.1).`);
    }
    body = { kind: 'chunked' };
  } else if (contentLengthCount > 0) {
    // A repeat was refused as its line arrived (parser); analyseHeaders alone still refuses one.
    checkContentLengthField(contentLength!, contentLengthCount > 1 ? headers : []);
    const length = Number(contentLength!);
    body = length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }

  // RFC 9112 9.3: 1.1 persists unless "close"; 1.0 persists only with "keep-alive".
  const keepAlive = !close && (version === '1.1' || keepAliveToken);
  let upgrade: string | null = null;
  if (method === 'CONNECT') upgrade = 'CONNECT';
  else if (upgradeToken && upgradeValue !== null && version === '1.1') upgrade = upgradeValue;
  return { keepAlive, expectContinue, upgrade, body };
}
