// The sans-IO request parser: bytes in (feed), events out (next). No sockets, no timers, like h11.
// One parser per connection; after each message it pauses until the connection asks for the next request.

import type { Header } from '../interface.js';
import { ProtocolError, printable } from './errors.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { analyseHeaders, checkContentLengthField, commonName, parseFieldLine, parseRequestLine, type RequestHead, type RequestLine } from './request-head.js';
import { FIELD_VALUE, HEX, QDTEXT, TOKEN } from './syntax.js';

export type ParserEvent =
  | { type: 'head'; head: RequestHead }
  | { type: 'data'; data: Buffer }
  | { type: 'end'; trailers: Header[] }
  | { type: 'error'; error: ProtocolError }
  | { type: 'need-data' }
  | { type: 'paused' };

export interface ParserOptions {
  /**
   * RFC 9112 3.2: answer 400 to an HTTP/1.1 request without exactly one Host. Always on in the server;
   * the llhttp conformance test turns it off to compare the rest of the parse with llhttp's parser-level view.
   */
  requireHost: boolean;
}

/** What the server uses (and tests, unless they say otherwise). */
export const SERVER_PARSER_OPTIONS: Readonly<ParserOptions> = Object.freeze({ requireHost: true });

export const NEED_DATA: ParserEvent = Object.freeze({ type: 'need-data' });
export const PAUSED: ParserEvent = Object.freeze({ type: 'paused' });

/**
 * Parser states. A message goes HEAD -> (BODY_LENGTH | CHUNK_SIZE <-> CHUNK_DATA -> CHUNK_DATA_END ... -> TRAILERS) -> END -> DONE.
 * END means "the body is complete, report 'end' next", so events come one per call and in order.
 * From DONE, `startNextRequest()` goes back to HEAD, unless the message ended the connection (MUST_CLOSE).
 */
export type ParserState =
  | 'HEAD' | 'BODY_LENGTH' | 'CHUNK_SIZE' | 'CHUNK_DATA' | 'CHUNK_DATA_END' | 'TRAILERS'
  | 'END' | 'DONE' | 'MUST_CLOSE' | 'ERROR';

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const EMPTY = Buffer.alloc(0);
const MAX_CHUNK_SIZE_DIGITS = 13; // 16^13 > 2^52: a larger size is an overflow attempt

export const CRLF_HINT = 'lines must end with CRLF: in telnet that is Enter, with nc use -C';

/**
 * The request line's errors that can be known before the line ends, judged so that the first bad byte decides
 * whatever the segmentation: a CR inside the line is known bad one byte after it (the next byte is not LF), a
 * version that is not HTTP/1.x eight characters into it (request-head.ts judges those eight: 505 or 400).
 * `line` is the line so far, without a CRLF; a CR in it is followed by something other than LF.
 */
function earlyRequestLineError(line: string): void {
  const cr = line.indexOf('\r');
  const sp2 = line.indexOf(' ', line.indexOf(' ') + 1);
  if (sp2 > 0 && line.length - sp2 - 1 >= 8 && !isHttp1Version(line, sp2 + 1) && (cr < 0 || sp2 + 9 < cr + 2)) {
    parseRequestLine(line.slice(0, sp2 + 9)); // never HTTP/1.x: 505 or 400 now
  }
  if (cr >= 0) {
    throw new ProtocolError(400, `A bare CR in the request line "${printable(line)}": ${CRLF_HINT} (RFC 9112 2.2).`);
  }
}

/** Whether `line` has "HTTP/1.0" or "HTTP/1.1" at `at` (compared in place: this runs for every request line). */
function isHttp1Version(line: string, at: number): boolean {
  if (!line.startsWith('HTTP/1.', at)) return false;
  const minor = line.charCodeAt(at + 7);
  return minor === 0x30 || minor === 0x31;
}

function lineTooLong(max: number, what: string): ProtocolError {
  return new ProtocolError(400, `The ${what} is longer than ${max} bytes (RFC 9112 7.1).`);
}

/** The trailer section shares the head's limit (--max-header-bytes): over it is 431, line by line or in total. */
function trailerSectionTooLarge(max: number): ProtocolError {
  return new ProtocolError(431, `The trailer section is larger than ${max} bytes (RFC 9112 7.1.2, RFC 6585 5).`);
}

/**
 * How many buffered bytes are turned into text at once for the lines of request heads: a few typical heads (body
 * bytes after a head are converted only up to this).
 */
const TEXT_SPAN = 2048;

/** The smallest buffer feed() allocates when bytes wait for more. */
const MIN_ROOM = 256;

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** When not null, `buf` is a view of this buffer of ours, which may have room after it for the next bytes. */
  private room: Buffer | null = null;
  private _state: ParserState = 'HEAD';
  private error: ProtocolError | null = null;
  /** While reading a head: how far the scan for line ends has gone, relative to `pos`. */
  private scanned = 0;
  private lineStart = 0;
  private lineCount = 0;
  /** Body bookkeeping for the current message. */
  private remaining = 0;
  private bodyBytes = 0;
  private trailers: Header[] = [];
  private headerCountSoFar = 0;
  private trailerBytes = 0;
  private _head: RequestHead | null = null;
  private closeAfter = false;

  /** Complete limits and options, shared, not copied: with a connection per request, a copy each shows in a profile. */
  constructor(readonly limits: Readonly<Limits> = DEFAULT_LIMITS, readonly options: Readonly<ParserOptions> = SERVER_PARSER_OPTIONS) {}

  get state(): ParserState {
    return this._state;
  }

  /** The head of the message being read or just read. */
  get head(): RequestHead | null {
    return this._head;
  }

  /**
   * The method of the message being read, once its request line is parsed (even if its header section then
   * fails: an error answer to HEAD has no body, RFC 9110 9.3.2); null before.
   */
  get method(): string | null {
    return this.messageMethod;
  }

  /** The current message's method, from its request line on (see `method`). */
  private messageMethod: string | null = null;

  /** Bytes received and not yet turned into events. */
  get bufferedBytes(): number {
    return this.buf.length - this.pos;
  }

  /** Whether the parser has seen part of a request it has not finished (for timeouts and clean closes). */
  get inMessage(): boolean {
    return (this._state === 'HEAD' && this.buf.length > this.pos) || (this._state !== 'HEAD' && this._state !== 'DONE' && this._state !== 'MUST_CLOSE' && this._state !== 'ERROR');
  }

  feed(data: Buffer): void {
    if (data.length === 0) return;
    this.text = ''; // the text was of the old buffer
    this.textBuf = EMPTY;
    if (this.pos >= this.buf.length) {
      // Everything before was used: parse the caller's buffer as it is.
      this.buf = data;
      this.pos = 0;
      this.room = null;
      return;
    }
    // Part of a line or of a message waits for more. The new bytes go after it, into room left in our own buffer,
    // else into a new buffer twice the size: a head sent a byte at a time is copied in linear, not quadratic, time.
    // Bytes already handed out (body pieces) lie before the end, and only the space after it is written.
    const room = this.room;
    if (room !== null) {
      const end = this.buf.byteOffset - room.byteOffset + this.buf.length;
      if (end + data.length <= room.length) {
        data.copy(room, end);
        this.buf = room.subarray(end - this.buf.length, end + data.length);
        return;
      }
    }
    const rest = this.buf.length - this.pos;
    const next = Buffer.allocUnsafe(Math.max(2 * (rest + data.length), MIN_ROOM));
    this.buf.copy(next, 0, this.pos);
    data.copy(next, rest);
    this.buf = next.subarray(0, rest + data.length);
    this.pos = 0;
    this.room = next;
  }

  /** Hands over the bytes after the current message (for a protocol switch) and empties the buffer. */
  takeRemaining(): Buffer {
    const rest = this.buf.subarray(this.pos);
    this.release();
    return rest;
  }

  /** After 'end' (state DONE), makes the parser ready for the next pipelined request. */
  startNextRequest(): void {
    if (this._state !== 'DONE') {
      throw new Error(`startNextRequest() is for a parser in state DONE, but it is in ${this._state}`);
    }
    this._head = null;
    this.messageMethod = null;
    this._state = this.closeAfter ? 'MUST_CLOSE' : 'HEAD';
    this.scanned = 0;
    this.lineStart = 0;
    this.lineCount = 0;
    if (this.pos >= this.buf.length) this.release();
  }

  /** Every byte is used: drop the buffers and their text, so that an idle connection holds none of them. */
  private release(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.room = null;
    this.text = '';
    this.textBuf = EMPTY;
  }

  next(): ParserEvent {
    try {
      switch (this._state) {
        case 'HEAD': return this.readHead();
        case 'BODY_LENGTH': return this.readLengthBody();
        case 'CHUNK_SIZE': return this.readChunkSize();
        case 'CHUNK_DATA': return this.readChunkData();
        case 'CHUNK_DATA_END': return this.readChunkDataEnd();
        case 'TRAILERS': return this.readTrailers();
        case 'END': return this.endMessage([]);
        case 'DONE': return PAUSED;
        case 'MUST_CLOSE':
          if (this.pos < this.buf.length) {
            throw new ProtocolError(400, 'Another request arrived on a connection that the previous request closed (HTTP/1.0 without keep-alive, or Connection: close) (RFC 9112 9.6).');
          }
          return PAUSED;
        case 'ERROR': return { type: 'error', error: this.error! };
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this._state = 'ERROR';
      this.error = err;
      return { type: 'error', error: err };
    }
  }

  private readHead(): ParserEvent {
    const buf = this.buf;
    const end = buf.length;
    // RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line.
    if (this.lineCount === 0 && this.scanned === 0) {
      while (this.pos < end && buf[this.pos] === CR && this.pos + 1 < end && buf[this.pos + 1] === LF) this.pos += 2;
      if (this.pos < end && buf[this.pos] === LF) throw new ProtocolError(400, `Got a bare LF before the request line: ${CRLF_HINT} (RFC 9112 2.2).`);
      if (this.pos >= end || (buf[this.pos] === CR && this.pos + 1 >= end)) return NEED_DATA;
    }
    const base = this.pos;
    let i = base + this.scanned;
    for (;;) {
      const lf = buf.indexOf(LF, i);
      const lineBegin = base + this.lineStart;
      const from = i > lineBegin ? i - 1 : lineBegin; // bytes before `from` were checked by an earlier call
      this.checkLimits(base, lineBegin, from, lf < 0 ? end : lf + 1);
      if (lf < 0) {
        this.checkPartialLine(lineBegin, from, end);
        this.scanned = end - base;
        return NEED_DATA;
      }
      if (lf === lineBegin || buf[lf - 1] !== CR) {
        // A bad byte before the LF (a request line's bad version, a bare CR, obs-fold) decides, as it would in pieces.
        this.checkPartialLine(lineBegin, from, lf);
        throw new ProtocolError(400, `Got a bare LF after "${printable(buf.toString('latin1', lineBegin, lf))}": ${CRLF_HINT} (RFC 9112 2.2).`);
      }
      // Each line is checked as soon as it is complete, so a telnet user learns of a mistake on Enter.
      if (lf - 1 === lineBegin) {
        this.pos = lf + 1; // the empty line: the head ends here
        this.scanned = 0;
        this.lineStart = 0;
        return this.finishHead();
      }
      if (this.lineCount === 0) this.startLine(this.latin1(lineBegin, lf - 1));
      else this.fieldLine(lineBegin, lf - 1);
      this.lineCount++;
      this.lineStart = lf + 1 - base;
      i = lf + 1;
    }
  }

  /**
   * Rejects a line before its CRLF arrives when it can never become valid: a CR not followed by LF,
   * a header line that starts with whitespace (obs-fold), or a version that is not HTTP/1.x.
   */
  private checkPartialLine(lineBegin: number, from: number, end: number): void {
    const buf = this.buf;
    if (this.lineCount === 0 && lineBegin < end) {
      // The request line: a bare CR or a version that can never be HTTP/1.x, whichever shows first. A CR as
      // the last byte may still be followed by LF: it is not judged yet.
      const last = buf[end - 1] === CR ? end - 1 : end;
      earlyRequestLineError(buf.toString('latin1', lineBegin, last));
      return;
    }
    for (let cr = buf.indexOf(CR, from); cr >= 0 && cr + 1 < end; cr = buf.indexOf(CR, cr + 1)) {
      if (buf[cr + 1] !== LF) {
        throw new ProtocolError(400, `Got a CR that is not followed by LF in "${printable(buf.toString('latin1', lineBegin, cr + 2))}": ${CRLF_HINT} (RFC 9112 2.2).`);
      }
    }
    if (lineBegin >= end) return;
    const first = buf[lineBegin];
    if (first === 0x20 || first === 0x09) parseFieldLine(buf.toString('latin1', lineBegin, end)); // throws the obs-fold error
  }

  /**
   * The bytes buf[textFrom, textFrom + text.length) as latin-1 text, converted once for the lines of a head (and of
   * the pipelined heads after it): a slice of a string costs less than a conversion per line. V8 makes a slice of
   * 13 characters or more a view of this text, so a header value an app keeps keeps up to TEXT_SPAN characters
   * alive (before, its line).
   */
  private text = '';
  private textBuf: Buffer = EMPTY;
  private textFrom = 0;

  /** buf[begin, end) as latin-1 text, sliced from `text` (converted again when the range is not in it). */
  private latin1(begin: number, end: number): string {
    const buf = this.buf;
    if (this.textBuf !== buf || begin < this.textFrom || end > this.textFrom + this.text.length) {
      const stop = Math.min(buf.length, begin + TEXT_SPAN);
      if (end > stop) return buf.toString('latin1', begin, end);
      this.text = buf.toString('latin1', begin, stop);
      this.textBuf = buf;
      this.textFrom = begin;
    }
    return this.text.slice(begin - this.textFrom, end - this.textFrom);
  }

  private requestLine: RequestLine | null = null;
  private headers: Header[] = [];

  private startLine(line: string): void {
    try {
      this.requestLine = parseRequestLine(line);
    } catch (err) {
      // The error this line would have met had it come in pieces wins (a line parseRequestLine accepts has no CR
      // and an HTTP/1.x version, so earlyRequestLineError has nothing to say about it: it runs for bad lines only).
      earlyRequestLineError(line);
      throw err;
    }
    this.messageMethod = this.requestLine.method;
    this.headers = [];
  }

  /**
   * The header line buf[begin, end) (without its CRLF). A valid line is checked on its bytes, in one pass: name
   * ":" OWS value OWS, a token and field-value characters (RFC 9112 5, RFC 9110 5.1, 5.5); a common name is known
   * from its bytes, and only the value becomes a string. Any other line is handed to parseFieldLine, which says
   * what is wrong with it.
   */
  private fieldLine(begin: number, end: number): void {
    if (this.headers.length >= this.limits.maxHeaderCount) {
      throw new ProtocolError(431, `More than ${this.limits.maxHeaderCount} header fields (the limit is the option --max-header-count) (RFC 6585 5).`);
    }
    const buf = this.buf;
    let colon = begin;
    while (colon < end && TOKEN[buf[colon]!] === 1) colon++;
    let a = colon + 1;
    let b = end;
    while (a < b && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
    while (b > a && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
    let v = a;
    while (v < b && FIELD_VALUE[buf[v]!] === 1) v++;
    let lower: string;
    let value: string;
    if (colon > begin && colon < end && buf[colon] === COLON && v === b) {
      lower = commonName(buf, begin, colon) ?? this.latin1(begin, colon).toLowerCase();
      value = this.latin1(a, b);
    } else {
      const [name, checked] = parseFieldLine(this.latin1(begin, end)); // throws, saying what is wrong
      lower = name.toLowerCase();
      value = checked;
    }
    if (lower === 'content-length') checkContentLengthField(value, this.headers);
    this.headers.push([lower, value]);
  }

  /**
   * The size limits, judged so that the first bad byte decides whatever the segmentation. `avail` ends the bytes of
   * the current line at hand (after its LF when it is complete). A limit is known crossed at one byte: the head's
   * byte maxHeaderBytes+1 (CRLFs count), or the request line's byte maxRequestLineBytes+1 (the limit is on the line
   * without its CRLF, RFC 9112 3), unless that byte is LF, or CR followed by LF (the line ends at the limit): a CR
   * there is judged by the byte after it. If that byte is at hand, the bytes before it are checked first, as they
   * would be had they arrived alone (an error there wins), then the limit decides: 414 (RFC 9110 15.5.15) or 431.
   */
  private checkLimits(base: number, lineBegin: number, from: number, avail: number): void {
    const buf = this.buf;
    const limits = this.limits;
    let at = avail;
    let error: ProtocolError | null = null;
    if (this.lineCount === 0) {
      const over = lineBegin + limits.maxRequestLineBytes;
      const known = buf[over] === CR ? over + 1 : over;
      if (known < avail && buf[known] !== LF) {
        at = known;
        error = new ProtocolError(414, `The request line is longer than ${limits.maxRequestLineBytes} bytes (the limit is the option --max-request-line; RFC 9110 15.5.15, RFC 9112 3).`);
      }
    }
    if (base + limits.maxHeaderBytes < at) {
      at = base + limits.maxHeaderBytes;
      error = new ProtocolError(431, `The request head is larger than ${limits.maxHeaderBytes} bytes (the limit is the option --max-header-bytes) (RFC 6585 5).`);
    }
    if (error === null) return;
    this.checkPartialLine(lineBegin, Math.min(from, at), at);
    throw error;
  }

  private finishHead(): ParserEvent {
    const start = this.requestLine!;
    const headers = this.headers;
    const meaning = analyseHeaders(start.method, start.version, headers, this.options.requireHost);
    // RFC 9112 3.2.2: with an absolute-form target, the target's host is the one meant, whatever Host says (Host
    // was still required and checked above); the app sees it in the host header, added for HTTP/1.0 without one.
    if (start.authority !== null) {
      let found = false;
      for (let i = 0; i < headers.length; i++) {
        if (headers[i]![0] === 'host') {
          headers[i]![1] = start.authority;
          found = true;
        }
      }
      if (!found && start.version === '1.0') {
        headers.push(['host', start.authority]);
      }
    }
    const head: RequestHead = {
      method: start.method, target: start.target, version: start.version, path: start.path, query: start.query,
      headers,
      keepAlive: meaning.keepAlive, expectContinue: meaning.expectContinue, upgrade: meaning.upgrade, body: meaning.body,
    };
    this.requestLine = null;
    if (head.body.kind === 'length' && head.body.length > this.limits.maxBodyBytes) {
      throw new ProtocolError(413, `The body (Content-Length ${head.body.length}) is larger than ${this.limits.maxBodyBytes} bytes (the limit is the option --max-body) (RFC 9110 15.5.14).`);
    }
    this._head = head;
    this.closeAfter = !head.keepAlive;
    this.headerCountSoFar = headers.length;
    this.bodyBytes = 0;
    this.trailers = [];
    if (head.body.kind === 'length') {
      this.remaining = head.body.length;
      this._state = 'BODY_LENGTH';
    } else if (head.body.kind === 'chunked') {
      this._state = 'CHUNK_SIZE';
    } else {
      this._state = 'END';
    }
    return { type: 'head', head };
  }

  private endMessage(trailers: Header[]): ParserEvent {
    this._state = 'DONE';
    return { type: 'end', trailers };
  }

  private readLengthBody(): ParserEvent {
    return this.readBodyBytes('END');
  }

  /** Emits up to `remaining` body bytes already buffered (zero-copy); moves to `next` when they are all read. */
  private readBodyBytes(next: ParserState): ParserEvent {
    const available = this.buf.length - this.pos;
    if (available === 0) return NEED_DATA;
    const take = available < this.remaining ? available : this.remaining;
    const data = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.remaining -= take;
    if (this.remaining === 0) this._state = next;
    return { type: 'data', data };
  }

  /**
   * The next CRLF-ended line (without the CRLF), or null until it is complete. A line longer than `max` is `tooLong`
   * (by default 400: the line is malformed; the trailer section says 431, its limit is the head's).
   */
  private readLine(max: number, what: string, tooLong: (max: number, what: string) => ProtocolError = lineTooLong): string | null {
    const lf = this.buf.indexOf(LF, this.pos);
    if (lf < 0) {
      // A CR as the last byte may end a line of exactly `max` bytes: it is judged with the byte after it.
      const pending = this.buf.length - this.pos - (this.buf[this.buf.length - 1] === CR ? 1 : 0);
      if (pending > max) throw tooLong(max, what);
      return null;
    }
    if (lf - this.pos - (this.buf[lf - 1] === CR ? 1 : 0) > max) throw tooLong(max, what);
    if (lf === this.pos || this.buf[lf - 1] !== CR) {
      throw new ProtocolError(400, `Got a bare LF in the ${what}: ${CRLF_HINT} (RFC 9112 7.1).`);
    }
    const line = this.buf.toString('latin1', this.pos, lf - 1);
    this.pos = lf + 1;
    return line;
  }

  private readChunkSize(): ParserEvent {
    const line = this.readLine(this.limits.maxChunkLineBytes, 'chunk-size line');
    if (line === null) return NEED_DATA;
    // chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1); no whitespace accepted (stricter than BWS).
    let i = 0;
    while (i < line.length && HEX[line.charCodeAt(i)] === 1) i++;
    if (i === 0) {
      throw new ProtocolError(400, `Expected a chunk size in hex (e.g. "1a"), got "${printable(line)}"${line === '' ? ': the last chunk is "0" followed by an empty line' : ''} (RFC 9112 7.1).`);
    }
    const digits = line.slice(0, i).replace(/^0+(?=.)/, '');
    if (digits.length > MAX_CHUNK_SIZE_DIGITS) throw new ProtocolError(400, `The chunk size ${printable(line.slice(0, i))} is too large to be real (RFC 9112 7.1).`);
    if (i < line.length) validateChunkExtensions(line, i);
    const size = parseInt(digits, 16);
    if (size === 0) {
      this._state = 'TRAILERS';
      this.trailerBytes = 0;
      return this.readTrailers();
    }
    this.bodyBytes += size;
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      throw new ProtocolError(413, `The chunked body is larger than ${this.limits.maxBodyBytes} bytes (the limit is the option --max-body) (RFC 9110 15.5.14).`);
    }
    this.remaining = size;
    this._state = 'CHUNK_DATA';
    return this.readChunkData();
  }

  private readChunkData(): ParserEvent {
    return this.readBodyBytes('CHUNK_DATA_END');
  }

  private readChunkDataEnd(): ParserEvent {
    const available = this.buf.length - this.pos;
    if (available >= 1 && this.buf[this.pos] !== CR) throw new ProtocolError(400, `Chunk data must be followed by CRLF, got "${printable(this.buf.toString('latin1', this.pos, this.pos + 1))}": the chunk is longer than its size says (RFC 9112 7.1).`);
    if (available < 2) return NEED_DATA;
    if (this.buf[this.pos + 1] !== LF) throw new ProtocolError(400, `Chunk data must be followed by CRLF, got CR and "${printable(this.buf.toString('latin1', this.pos + 1, this.pos + 2))}" (RFC 9112 7.1).`);
    this.pos += 2;
    this._state = 'CHUNK_SIZE';
    return this.readChunkSize();
  }

  private readTrailers(): ParserEvent {
    for (;;) {
      const before = this.pos;
      const line = this.readLine(this.limits.maxHeaderBytes, 'trailer section', trailerSectionTooLarge);
      if (line === null) return NEED_DATA;
      this.trailerBytes += this.pos - before;
      if (this.trailerBytes > this.limits.maxHeaderBytes) throw trailerSectionTooLarge(this.limits.maxHeaderBytes);
      if (line === '') return this.endMessage(this.trailers);
      const [name, value] = parseFieldLine(line);
      const lower = name.toLowerCase();
      // RFC 9110 6.5.1: framing, routing and control fields must not be sent as trailers.
      if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'host' || lower === 'connection' || lower === 'trailer') {
        throw new ProtocolError(400, `"${name}" cannot be sent as a trailer field (RFC 9110 6.5.1).`);
      }
      if (++this.headerCountSoFar > this.limits.maxHeaderCount) {
        throw new ProtocolError(431, `More than ${this.limits.maxHeaderCount} header and trailer fields (RFC 6585 5).`);
      }
      this.trailers.push([lower, value]);
    }
  }
}

/** chunk-ext = *( ";" chunk-ext-name [ "=" chunk-ext-val ] ), chunk-ext-val = token / quoted-string (RFC 9112 7.1.1). */
function validateChunkExtensions(line: string, start: number): void {
  let i = start;
  const fail = (): never => {
    throw new ProtocolError(400, `Expected chunk extensions like ";name=value" after the chunk size, got "${printable(line.slice(start))}" (RFC 9112 7.1.1).`);
  };
  while (i < line.length) {
    if (line.charCodeAt(i) !== 0x3b /* ; */) fail();
    i++;
    const nameStart = i;
    while (i < line.length && TOKEN[line.charCodeAt(i)] === 1) i++;
    if (i === nameStart) fail();
    if (i < line.length && line.charCodeAt(i) === 0x3d /* = */) {
      i++;
      if (line.charCodeAt(i) === 0x22 /* " */) {
        i++;
        for (;;) {
          if (i >= line.length) fail();
          const c = line.charCodeAt(i);
          if (c === 0x22) { i++; break; }
          if (c === 0x5c /* \ */) {
            const n = line.charCodeAt(i + 1);
            if (i + 1 >= line.length || !(n === 0x09 || (n >= 0x20 && n !== 0x7f))) fail();
            i += 2;
          } else if (QDTEXT[c] === 1) i++;
          else fail();
        }
      } else {
        const valueStart = i;
        while (i < line.length && TOKEN[line.charCodeAt(i)] === 1) i++;
        if (i === valueStart) fail();
      }
    }
  }
}
