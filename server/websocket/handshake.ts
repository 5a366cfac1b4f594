// The WebSocket opening handshake (RFC 6455 section 4), as pure functions over a request's
// method, HTTP version and headers: detect an upgrade, validate it, build the 101 response head.

import { createHash } from 'node:crypto';
import type { Header } from '../interface.js';

/** Appended to Sec-WebSocket-Key before hashing (1.3, 4.2.2). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The only protocol version this server speaks (4.4). */
export const WEBSOCKET_VERSION = '13';

export type HandshakeResult =
  | { ok: true; key: string; subprotocols: string[] }
  | { ok: false; status: 400 | 426; reason: string; headers: Header[] };

// RFC 7230 3.2.6: token = 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A field value may hold tabs, visible ASCII and obs-text, never CR, LF or NUL (RFC 7230 3.2).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Base64 of exactly 16 bytes is 22 characters and '==' (4.1, point 7).
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/** All values of a header (names in `headers` are lower-case), in order. */
export function headerValues(headers: readonly Header[], name: string): string[] {
  const values: string[] = [];
  for (const [n, v] of headers) if (n === name) values.push(v);
  return values;
}

/** The comma-separated list elements of every occurrence of a header, trimmed, empties dropped. */
export function headerTokens(headers: readonly Header[], name: string): string[] {
  const tokens: string[] = [];
  for (const value of headerValues(headers, name)) {
    for (const part of value.split(',')) {
      const token = part.trim();
      if (token !== '') tokens.push(token);
    }
  }
  return tokens;
}

function hasToken(headers: readonly Header[], name: string, token: string): boolean {
  return headerTokens(headers, name).some((t) => t.toLowerCase() === token);
}

/**
 * Whether the request asks to become a WebSocket: an Upgrade header with the token
 * "websocket" and a Connection header with the token "upgrade", both case-insensitive (4.2.1).
 */
export function isUpgradeRequest(headers: readonly Header[]): boolean {
  return hasToken(headers, 'upgrade', 'websocket') && hasToken(headers, 'connection', 'upgrade');
}

function reject(reason: string): HandshakeResult {
  return { ok: false, status: 400, reason, headers: [] };
}

/**
 * Validates an opening handshake (4.2.1). A failure carries the status to answer with, a
 * one-line reason for the response body, and headers that belong on that response.
 */
export function validateHandshake(method: string, httpVersion: string, headers: readonly Header[]): HandshakeResult {
  // 4.2.1 point 1: "An HTTP/1.1 or higher GET request".
  if (method !== 'GET') return reject(`WebSocket handshake: expected method GET, got ${method}`);
  if (httpVersion !== '1.1') return reject(`WebSocket handshake: expected HTTP/1.1, got HTTP/${httpVersion}`);
  // A GET's content has no meaning (RFC 9110 9.3.1), and here the bytes after the head are the first frames: a body
  // would belong to the HTTP message (RFC 9112 6.3), and guessing where it ends and the frames begin is not done.
  const lengths = headerValues(headers, 'content-length');
  if (headerValues(headers, 'transfer-encoding').length > 0 || lengths.some((v) => Number(v) !== 0)) {
    return reject(`WebSocket handshake: expected a request without content, got ${lengths.length > 0 ? `Content-Length: ${lengths[0]}` : 'Transfer-Encoding'}`);
  }
  // Point 2: a Host header.
  const hosts = headerValues(headers, 'host');
  if (hosts.length !== 1 || hosts[0]!.trim() === '') {
    return reject(`WebSocket handshake: expected one non-empty Host header, got ${hosts.length === 0 ? 'none' : hosts.length > 1 ? hosts.length : 'an empty one'}`);
  }
  // Points 3 and 4: Upgrade: websocket and Connection: Upgrade.
  if (!hasToken(headers, 'upgrade', 'websocket')) {
    return reject(`WebSocket handshake: expected "Upgrade: websocket", got ${describe(headers, 'upgrade')}`);
  }
  if (!hasToken(headers, 'connection', 'upgrade')) {
    return reject(`WebSocket handshake: expected "Connection: Upgrade", got ${describe(headers, 'connection')}`);
  }
  // Point 6 and 4.4: Sec-WebSocket-Version 13, else 426 naming the version we speak.
  const versions = headerTokens(headers, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0] !== WEBSOCKET_VERSION) {
    return {
      ok: false,
      status: 426,
      reason: `WebSocket handshake: expected "Sec-WebSocket-Version: ${WEBSOCKET_VERSION}", got ${describe(headers, 'sec-websocket-version')}`,
      headers: [['sec-websocket-version', WEBSOCKET_VERSION], ['upgrade', 'websocket'], ['connection', 'upgrade']],
    };
  }
  // Point 5: Sec-WebSocket-Key, base64 of a 16-byte nonce.
  const keys = headerValues(headers, 'sec-websocket-key');
  if (keys.length !== 1) {
    return reject(`WebSocket handshake: expected one Sec-WebSocket-Key header, got ${keys.length === 0 ? 'none' : keys.length}`);
  }
  const key = keys[0]!.trim();
  if (!KEY.test(key) || Buffer.from(key, 'base64').length !== 16) {
    return reject(`WebSocket handshake: expected Sec-WebSocket-Key to be base64 of 16 bytes, got ${JSON.stringify(key)}`);
  }
  // Point 8 and 4.1 point 10: subprotocols are unique tokens.
  const subprotocols = headerTokens(headers, 'sec-websocket-protocol');
  const seen = new Set<string>();
  for (const protocol of subprotocols) {
    if (!TOKEN.test(protocol)) {
      return reject(`WebSocket handshake: expected Sec-WebSocket-Protocol to list tokens, got ${JSON.stringify(protocol)}`);
    }
    if (seen.has(protocol)) {
      return reject(`WebSocket handshake: expected unique Sec-WebSocket-Protocol values, got ${JSON.stringify(protocol)} twice`);
    }
    seen.add(protocol);
  }
  return { ok: true, key, subprotocols };
}

function describe(headers: readonly Header[], name: string): string {
  const values = headerValues(headers, name);
  return values.length === 0 ? 'no such header' : JSON.stringify(values.join(', '));
}

/** The comma-separated Sec-WebSocket-Protocol offers, as a list (4.2.1 point 8). */
export function parseSubprotocols(headers: readonly Header[]): string[] {
  return headerTokens(headers, 'sec-websocket-protocol');
}

/** Sec-WebSocket-Accept: base64 of SHA-1 of the key and the GUID (4.2.2 point 5.4). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

// Headers the handshake itself sets; an app may not supply them. Extensions are not negotiated.
const RESERVED = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions', 'content-length', 'transfer-encoding']);

/**
 * Checks a subprotocol and extra headers for the 101 response; returns what is wrong, or null.
 * The subprotocol must be a token; it is the caller's job to check it was offered (4.1 point 6).
 */
export function checkAcceptHeaders(subprotocol: string | null | undefined, extraHeaders: readonly Header[]): string | null {
  if (subprotocol != null && !TOKEN.test(subprotocol)) {
    return `expected the subprotocol to be a token, got ${JSON.stringify(subprotocol)}`;
  }
  for (const [name, value] of extraHeaders) {
    if (!TOKEN.test(name)) return `expected a header name to be a token, got ${JSON.stringify(name)}`;
    if (RESERVED.has(name.toLowerCase())) {
      return `expected headers other than ${JSON.stringify(name)}, which the WebSocket handshake sets itself`;
    }
    if (!FIELD_VALUE.test(value)) {
      return `expected the value of header ${JSON.stringify(name)} without CR, LF or NUL, got ${JSON.stringify(value)}`;
    }
  }
  return null;
}

/**
 * The 101 Switching Protocols response head (4.2.2 point 5), ending in the blank line.
 * Throws a TypeError when checkAcceptHeaders() would report a problem.
 */
export function acceptResponseHead(key: string, subprotocol?: string | null, extraHeaders: readonly Header[] = []): Buffer {
  const problem = checkAcceptHeaders(subprotocol, extraHeaders);
  if (problem !== null) throw new TypeError(problem);
  let head = 'HTTP/1.1 101 Switching Protocols\r\n'
    + 'Upgrade: websocket\r\n'
    + 'Connection: Upgrade\r\n'
    + `Sec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (subprotocol != null) head += `Sec-WebSocket-Protocol: ${subprotocol}\r\n`;
  for (const [name, value] of extraHeaders) head += `${name}: ${value}\r\n`;
  return Buffer.from(head + '\r\n', 'latin1');
}
