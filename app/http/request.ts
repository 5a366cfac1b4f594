// Request helpers: headers, query parameters, and bodies read with a size limit (urlencoded forms, JSON).

import type { HttpScope, Receive } from '../../server/interface.js';

/** A 4xx the app answers with, carrying the message the client reads. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function header(scope: HttpScope, name: string): string | undefined {
  for (const [n, v] of scope.headers) if (n === name) return v;
  return undefined;
}

export function queryParams(scope: HttpScope): URLSearchParams {
  return new URLSearchParams(scope.query_string);
}

/** Reads the whole body, refusing more than `limit` bytes (413). */
export async function readBody(receive: Receive, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for (;;) {
    const m = await receive();
    if (m.type !== 'http.request') throw new HttpError(400, 'the client went away before the body arrived');
    size += m.body.byteLength;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
    parts.push(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
    if (!m.more_body) return Buffer.concat(parts);
  }
}

function mediaType(scope: HttpScope): string {
  return (header(scope, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export async function readForm(scope: HttpScope, receive: Receive, limit: number): Promise<URLSearchParams> {
  const type = mediaType(scope);
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, `expected a form (Content-Type: application/x-www-form-urlencoded), got ${type || 'no Content-Type'}`);
  }
  const body = await readBody(receive, limit);
  return new URLSearchParams(body.toString('utf8'));
}

/** Reads a JSON body: 415 for another media type, 413 when too large, 400 when malformed or nested deeper than `maxDepth`. */
export async function readJson(scope: HttpScope, receive: Receive, limit: number, maxDepth = 16): Promise<unknown> {
  const type = mediaType(scope);
  if (type !== 'application/json') throw new HttpError(415, `expected Content-Type: application/json, got ${type || 'none'}`);
  const text = (await readBody(receive, limit)).toString('utf8');
  if (jsonDepth(text) > maxDepth) throw new HttpError(400, `the JSON is nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Nesting depth of brackets outside strings, counted before parsing so deep input cannot exhaust the stack. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { if (++depth > max) max = depth; }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
