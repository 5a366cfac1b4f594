// Raw sockets that never hang: send bytes, collect the answer until the server closes or a deadline passes,
// and check that what came back is a sequence of well-formed HTTP/1.1 responses.

import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  raw: Buffer;
  /** The server closed (FIN or reset) before the deadline. */
  closed: boolean;
  /** The connection ended with a reset (ECONNRESET/EPIPE) rather than a FIN. */
  reset: boolean;
  /** Could not connect at all (e.g. ECONNREFUSED). */
  refused: boolean;
  ms: number;
}

/**
 * Sends `data` on a new connection and collects what comes back until the server closes, or `ms` passes
 * (then the client closes and `closed` is false). `halfClose` sends FIN after the data.
 */
export function rawExchange(port: number, data: Buffer | string, opts: { ms?: number; halfClose?: boolean } = {}): Promise<RawExchange> {
  const ms = opts.ms ?? 5000;
  const started = performance.now();
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let reset = false;
    let connected = false;
    let done = false;
    const socket = net.connect(port, '127.0.0.1');
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(parts), closed, reset, refused: !connected, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('connect', () => {
      connected = true;
      socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      if (opts.halfClose) socket.end();
    });
    socket.on('data', (d) => parts.push(d));
    socket.on('error', () => { reset = true; }); // ECONNRESET / EPIPE / ECONNREFUSED
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

export interface ResponseInfo { status: number; headers: Array<[string, string]>; bodyBytes: number }

export interface StreamCheck {
  ok: boolean;
  responses: ResponseInfo[];
  /** Why the bytes are not a sequence of whole responses (when !ok). */
  problem: string | null;
}

const STATUS_LINE = /^HTTP\/1\.1 ([1-5]\d\d) [\x20-\x7e]*$/;
const FIELD_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([\x20-\x7e\x80-\xff\t]*)$/;

/**
 * Checks that `raw` is nothing but whole HTTP/1.1 responses: status line, field lines, CRLF, and a body
 * framed by Content-Length, chunked, or the close. A response with Content-Length but no body is accepted
 * when the next bytes start another response or the stream ends there (the answer to a HEAD).
 */
export function checkResponseStream(raw: Buffer): StreamCheck {
  const responses: ResponseInfo[] = [];
  let pos = 0;
  const fail = (problem: string): StreamCheck => ({ ok: false, responses, problem: `${problem} at byte ${pos}: ${JSON.stringify(raw.toString('latin1', pos, pos + 120))}` });
  while (pos < raw.length) {
    const end = raw.indexOf('\r\n\r\n', pos);
    if (end < 0) return fail('an incomplete response head');
    const lines = raw.toString('latin1', pos, end).split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) return fail('not a status line');
    const status = Number(m[1]);
    const headers: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const f = FIELD_LINE.exec(line);
      if (!f) return fail(`a bad field line ${JSON.stringify(line)}`);
      headers.push([f[1]!.toLowerCase(), f[2]!.trim()]);
    }
    const get = (n: string) => headers.filter(([k]) => k === n).map(([, v]) => v);
    let p = end + 4;
    let bodyBytes = 0;
    const cl = get('content-length');
    const te = get('transfer-encoding');
    if (cl.length > 1 || (cl.length === 1 && te.length > 0)) return fail('ambiguous response framing');
    if (status < 200 || status === 204 || status === 304) {
      // no body
    } else if (cl.length === 1) {
      if (!/^\d+$/.test(cl[0]!)) return fail('a bad Content-Length');
      const n = Number(cl[0]);
      const responseAt = (q: number) => q === raw.length || raw.toString('latin1', q, q + 9) === 'HTTP/1.1 ';
      if (p + n <= raw.length && responseAt(p + n)) {
        p += n;
        bodyBytes = n;
      } else if (!responseAt(p)) {
        return fail(`a body that does not match its Content-Length ${n}`);
      } // else: the answer to a HEAD, no body follows
    } else if (te.length > 0) {
      if (te.join(',').toLowerCase() !== 'chunked') return fail('an unknown response transfer coding');
      const headAnswer = p === raw.length || raw.toString('latin1', p, p + 9) === 'HTTP/1.1 ';
      for (;;) {
        if (headAnswer) break; // the answer to a HEAD: no body follows
        const le = raw.indexOf('\r\n', p);
        if (le < 0) return fail('an incomplete chunk size');
        const sizeText = raw.toString('latin1', p, le);
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) return fail('a bad chunk size');
        const size = parseInt(sizeText, 16);
        p = le + 2;
        if (size === 0) {
          if (raw.toString('latin1', p, p + 2) !== '\r\n') return fail('a bad last chunk');
          p += 2;
          break;
        }
        if (p + size + 2 > raw.length) return fail('an incomplete chunk');
        if (raw.toString('latin1', p + size, p + size + 2) !== '\r\n') return fail('chunk data without CRLF');
        p += size + 2;
        bodyBytes += size;
      }
    } else {
      bodyBytes = raw.length - p; // close-delimited
      p = raw.length;
    }
    responses.push({ status, headers, bodyBytes });
    pos = p;
  }
  return { ok: true, responses, problem: null };
}
