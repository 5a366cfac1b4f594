// Response helpers over `send`: HTML, JSON, text, redirects, errors and streamed bodies,
// each with the security headers the pages rely on.

import type { Header, HttpScope, Send } from '../../server/interface.js';
import type { SafeHtml } from './html.js';

/** Sent with every response the app makes: browsers must believe the Content-Type. */
export const SECURITY_HEADERS: readonly Header[] = Object.freeze([['X-Content-Type-Options', 'nosniff']] as Header[]);

/** Sent with HTML pages, which take their scripts and styles from /static only (no inline code). */
export const PAGE_HEADERS: readonly Header[] = Object.freeze([
  ['Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'same-origin'],
  ['X-Frame-Options', 'DENY'],
] as Header[]);

export async function respond(send: Send, status: number, contentType: string, body: string | Uint8Array, extra: readonly Header[] = []): Promise<void> {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  await send({
    type: 'http.response.start',
    status,
    headers: [['Content-Type', contentType], ['Content-Length', String(length)], ...SECURITY_HEADERS, ...extra],
  });
  await send({ type: 'http.response.body', body });
}

export function sendHtml(send: Send, status: number, page: SafeHtml | Uint8Array, extra: readonly Header[] = []): Promise<void> {
  return respond(send, status, 'text/html; charset=utf-8', page instanceof Uint8Array ? page : page.value, [...PAGE_HEADERS, ['Cache-Control', 'no-store'], ...extra]);
}

export function sendJson(send: Send, status: number, value: unknown, extra: readonly Header[] = []): Promise<void> {
  return respond(send, status, 'application/json', JSON.stringify(value), [['Cache-Control', 'no-store'], ...extra]);
}

export function sendText(send: Send, status: number, text: string, extra: readonly Header[] = []): Promise<void> {
  return respond(send, status, 'text/plain; charset=utf-8', text, extra);
}

/** 303 See Other after a form post (RFC 9110 15.4.4); HTTP/1.0 clients do not know 303, so they get 302. */
export function redirectAfterPost(scope: HttpScope, send: Send, location: string): Promise<void> {
  const status = scope.http_version === '1.0' ? 302 : 303;
  return respond(send, status, 'text/plain; charset=utf-8', `See ${location}\n`, [['Location', location]]);
}

/** An error for API clients: JSON with a message; for others, plain text. */
export function sendError(scope: HttpScope, send: Send, status: number, message: string, extra: readonly Header[] = []): Promise<void> {
  if (wantsJson(scope)) return sendJson(send, status, { error: { status, message } }, extra);
  return sendText(send, status, `${status}: ${message}\n`, extra);
}

export function wantsJson(scope: HttpScope): boolean {
  return scope.path.startsWith('/api/');
}

/** Streams a body piece by piece (chunked on HTTP/1.1); waits on the socket between pieces (backpressure). */
export async function sendStream(send: Send, status: number, contentType: string, pieces: AsyncIterable<string>, extra: readonly Header[] = []): Promise<void> {
  await send({ type: 'http.response.start', status, headers: [['Content-Type', contentType], ...SECURITY_HEADERS, ...extra] });
  for await (const piece of pieces) {
    await send({ type: 'http.response.body', body: piece, more_body: true });
  }
  await send({ type: 'http.response.body', body: '', more_body: false });
}
