// Serializes one response, sans-IO: status line and headers, then body bytes framed by Content-Length,
// chunked coding (HTTP/1.1) or connection close (HTTP/1.0), as RFC 9112 6 and 7 say.

import type { Header } from '../interface.js';
import { InterfaceError } from '../interface.js';
import { httpDate } from './date.js';
import { reasonPhrase, statusHasNoBody } from './status.js';
import { TOKEN } from './syntax.js';

export const SERVER_NAME = 'rawpi';

export type Framing = 'length' | 'chunked' | 'close' | 'none';

export interface RequestFacts {
  method: string;
  version: '1.0' | '1.1';
  /** Whether the request allows the connection to persist (and the server wants it to). */
  keepAlive: boolean;
}

const CRLF = '\r\n';
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

export class ResponseWriter {
  /** Whether the connection persists after this response; final once `head()` is called. */
  keepAlive: boolean;
  framing: Framing = 'none';
  status = 0;
  /** Body bytes the app has sent so far (before framing). */
  bodyBytes = 0;
  /** The length the app declared with Content-Length, or -1. */
  declaredLength = -1;
  private readonly suppressBody: boolean;

  constructor(private readonly request: RequestFacts) {
    this.keepAlive = request.keepAlive;
    this.suppressBody = request.method === 'HEAD';
  }

  /** Builds the status line and header block; decides framing (RFC 9112 6.3, 9.3). */
  head(status: number, headers: readonly Header[], closeAfter = false): string {
    // RFC 9110 15: a status is three digits, 100 to 599; a 1xx is interim, never the answer (RFC 9110 15.2), and
    // the server sends the one this interface has, 100 Continue, itself.
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new InterfaceError(`http.response.start needs a final status from 200 to 599, got ${String(status)}${Number.isInteger(status) && status >= 100 && status < 200 ? ' (1xx responses are interim; the server sends 100 Continue itself)' : ''}`);
    }
    this.status = status;
    let out = statusLine(status);
    let hasDate = false;
    let hasServer = false;
    let contentLength = -1;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      const name = h[0];
      const value = h[1];
      const kind = headerKind(name);
      checkValue(name, value);
      if (kind !== OTHER) {
        if (kind === CONTENT_LENGTH) {
          if (!isDigits(value) || contentLength >= 0) {
            throw new InterfaceError(`Content-Length must be sent once, as digits; got "${value}"`);
          }
          contentLength = Number(value);
          if (status === 204) continue; // RFC 9110 8.6: a server MUST NOT send Content-Length in a 204 (a 304 may have it)
        } else if (kind === CONNECTION) {
          if (/(^|,)\s*close\s*(,|$)/i.test(value)) this.keepAlive = false;
          continue; // the server decides Connection below
        } else if (kind === TRANSFER_ENCODING) {
          throw new InterfaceError('Transfer-Encoding is the server\'s to set: omit Content-Length and the server chunks the body');
        } else if (kind === DATE) hasDate = true;
        else hasServer = true;
      }
      out += name + ': ' + value + CRLF;
    }
    if (closeAfter) this.keepAlive = false;
    if (!hasDate && !hasServer) out += dateAndServerLines();
    else if (!hasDate) out += `Date: ${httpDate()}${CRLF}`;
    else if (!hasServer) out += `Server: ${SERVER_NAME}${CRLF}`;

    if (statusHasNoBody(status)) {
      this.framing = 'none'; // RFC 9110 15.3.5, 15.4.5: no content; a Content-Length the app set is passed as metadata
    } else if (contentLength >= 0) {
      this.framing = 'length';
      this.declaredLength = contentLength;
    } else if (this.request.version === '1.1') {
      this.framing = 'chunked';
      if (!this.suppressBody) out += `Transfer-Encoding: chunked${CRLF}`;
      else this.framing = 'none';
    } else {
      // HTTP/1.0 has no chunked coding: the body ends when the connection closes (RFC 1945 7.2.2).
      this.framing = this.suppressBody ? 'none' : 'close';
      if (!this.suppressBody) this.keepAlive = false;
    }
    if (this.suppressBody && this.framing !== 'none') this.framing = 'none';
    if (this.suppressBody && contentLength >= 0) this.declaredLength = -1;

    if (!this.keepAlive) out += `Connection: close${CRLF}`;
    else if (this.request.version === '1.0') out += `Connection: keep-alive${CRLF}`;
    return out + CRLF;
  }

  /**
   * Frames a piece of the body. Returns what to write, or null for nothing.
   * Throws BodyLengthError when the app sends more than its Content-Length.
   */
  body(chunk: Uint8Array | string): Buffer | string | null {
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (length === 0) return null;
    if (this.suppressBody) return null; // HEAD: the app may send the body it would send to GET; none goes out
    this.bodyBytes += length;
    switch (this.framing) {
      case 'none':
        throw new BodyLengthError(`a ${this.status} response has no body, but the app sent ${length} bytes`);
      case 'length':
        if (this.bodyBytes > this.declaredLength) {
          throw new BodyLengthError(`the app declared Content-Length ${this.declaredLength} and sent ${this.bodyBytes} bytes`);
        }
        return typeof chunk === 'string' ? chunk : asBuffer(chunk);
      case 'close':
        return typeof chunk === 'string' ? chunk : asBuffer(chunk);
      case 'chunked':
        if (typeof chunk === 'string') return `${length.toString(16)}\r\n${chunk}\r\n`;
        return Buffer.concat([Buffer.from(`${length.toString(16)}\r\n`, 'latin1'), chunk, CRLF_BUF]);
    }
  }

  /** Ends the body. Returns the closing bytes, or null. Throws BodyLengthError when fewer bytes than declared were sent. */
  end(): Buffer | null {
    if (this.framing === 'length' && this.bodyBytes < this.declaredLength) {
      throw new BodyLengthError(`the app declared Content-Length ${this.declaredLength} and sent only ${this.bodyBytes} bytes`);
    }
    if (this.framing === 'close') this.keepAlive = false;
    return this.framing === 'chunked' ? LAST_CHUNK : null;
  }
}

const CRLF_BUF = Buffer.from(CRLF, 'latin1');

/** Status lines, built once per status code. */
const STATUS_LINES: string[] = [];

/** `HTTP/1.1 404 Not Found` and its CRLF. */
export function statusLine(status: number): string {
  return (STATUS_LINES[status] ??= `HTTP/1.1 ${status} ${reasonPhrase(status)}${CRLF}`);
}

/** The Date and Server lines most responses carry, as one string rebuilt once a second. */
let linesDate = '';
let dateAndServer = '';

export function dateAndServerLines(): string {
  const date = httpDate();
  if (date !== linesDate) {
    linesDate = date;
    dateAndServer = `Date: ${date}${CRLF}Server: ${SERVER_NAME}${CRLF}`;
  }
  return dateAndServer;
}

/** The header names the writer treats specially; every other name is OTHER. */
const OTHER = 0;
const CONTENT_LENGTH = 1;
const CONNECTION = 2;
const TRANSFER_ENCODING = 3;
const DATE = 4;
const SERVER = 5;
const SPECIAL = new Map([['content-length', CONTENT_LENGTH], ['connection', CONNECTION], ['transfer-encoding', TRANSFER_ENCODING], ['date', DATE], ['server', SERVER]]);

/** Names already checked, with their kind: an app sends the same few names again and again. Bounded. */
const KINDS = new Map<string, number>();
const KINDS_MAX = 512;

/**
 * What a response header name is to the writer (RFC 9110 5.1: compared without case), after checking that it is a
 * token: a name that is not would let an app split the response.
 */
function headerKind(name: string): number {
  const known = KINDS.get(name);
  if (known !== undefined) return known;
  if (typeof name !== 'string') throw new InterfaceError(`response headers are [name, value] pairs of strings, got a ${typeof name} as a name`);
  if (name.length === 0) throw new InterfaceError('response header name is empty');
  for (let i = 0; i < name.length; i++) {
    if (TOKEN[name.charCodeAt(i)] !== 1) throw new InterfaceError(`response header name ${JSON.stringify(name)} is not a token (RFC 9110 5.1)`);
  }
  const kind = SPECIAL.get(name.toLowerCase()) ?? OTHER;
  if (KINDS.size < KINDS_MAX) KINDS.set(name, kind);
  return kind;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The response's body does not match its declared length: the connection must close. */
export class BodyLengthError extends Error {
  override name = 'BodyLengthError';
}

/** Values must hold no CR, LF or NUL (nor anything beyond latin-1): that is what stops response splitting. */
function checkValue(name: string, value: string): void {
  if (typeof value !== 'string') {
    throw new InterfaceError(`response headers are [name, value] pairs of strings, got [string, ${typeof value}]`);
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0 || c > 0xff) {
      throw new InterfaceError(`response header "${name}" has a CR, LF, NUL or non-latin-1 character in its value`);
    }
  }
}
