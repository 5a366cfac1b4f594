// Runs llhttp's request test suite (tests/fixtures/llhttp-requests.json) through our parser three ways:
// whole, one byte at a time, and split in two at every offset. Deviations are listed below with their reason.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseAll, splits, type ParseResult } from './parse-all.js';

interface LlhttpMessage { method: string | null; url: string | null; version: string | null; headers: [string, string][]; body: string }
interface LlhttpCase { file: string; name: string; raw_b64: string; outcome: ParseResult['outcome']; messages: LlhttpMessage[] }

const corpus = JSON.parse(readFileSync(new URL('../fixtures/llhttp-requests.json', import.meta.url), 'utf8')) as { cases: LlhttpCase[] };

/**
 * Where rawpi differs from llhttp. Every difference is stricter (we reject what llhttp accepts),
 * except method names: any token is a method here (RFC 9110 9.1), and the application answers 405 or 501.
 * Also documented in the README ("Conformance").
 */
export const DEVIATIONS: Record<string, { outcome: ParseResult['outcome']; status?: number; reason: string }> = {
  ' / M-SEARCH request': { outcome: 'reject', status: 400, reason: 'asterisk-form "*" is only for OPTIONS (RFC 9112 3.2.4)' },
  ' / SOURCE request with ICE': { outcome: 'reject', status: 400, reason: 'ICE/1.0 is not HTTP (RFC 9112 2.3)' },
  ' / OPTIONS request with RTSP': { outcome: 'reject', status: 400, reason: 'RTSP/1.0 is not HTTP (RFC 9112 2.3)' },
  ' / ANNOUNCE request with RTSP': { outcome: 'reject', status: 400, reason: 'RTSP/1.0 is not HTTP (RFC 9112 2.3)' },
  'No HTTP version': { outcome: 'reject', status: 400, reason: 'HTTP/0.9 request lines are not supported (RFC 9112 3)' },
  'Fragment in URI': { outcome: 'reject', status: 400, reason: 'a fragment is never part of a request-target (RFC 9112 3.2)' },
  'POST with chunked as last transfer-encoding': { outcome: 'reject', status: 400, reason: 'fragment in the target; and codings other than chunked are not implemented (501, RFC 9112 6.1)' },
  'POST with chunked as last transfer-encoding (multiple headers)': { outcome: 'reject', status: 400, reason: 'as above' },
  'host:port and basic auth': { outcome: 'reject', status: 400, reason: 'userinfo in an http URI is an error (RFC 9110 4.2.4)' },
  ' / HTTP protocol and ANNOUNCE method': { outcome: 'accept', reason: 'lenient: any token is a method (RFC 9110 9.1); the app answers 405/501' },
  ' / Invalid method': { outcome: 'accept', reason: 'lenient: any token is a method (RFC 9110 9.1); the app answers 405/501' },
};

/** llhttp keeps trailing whitespace in values; RFC 9112 5.1 says it is not part of the value, so we compare trimmed. */
function expectedMessages(c: LlhttpCase): LlhttpMessage[] {
  return c.messages.filter((m) => m.method !== null).map((m) => ({
    ...m,
    headers: m.headers.map(([n, v]) => [n.toLowerCase(), v.replace(/^[ \t]+|[ \t]+$/g, '')] as [string, string]),
  }));
}

function comparable(r: ParseResult): LlhttpMessage[] {
  return r.messages.filter((m) => m.complete).map((m) => ({
    method: m.head.method,
    url: m.head.target,
    version: m.head.version,
    // llhttp reports trailer fields with the header fields; names compared without case.
    headers: [...m.head.headers, ...m.trailers],
    body: m.body,
  }));
}

t.test('corpus shape', async (t) => {
  t.equal(corpus.cases.length, 117, 'all 117 cases of the fixture are here');
  for (const name of Object.keys(DEVIATIONS)) {
    t.ok(corpus.cases.some((c) => c.name === name), `deviation "${name}" names a real case`);
  }
});

// Part 1: the parse itself, with the Host rule off so every case can be compared with llhttp's parser.
for (const c of corpus.cases) {
  t.test(`${c.file}: ${c.name}`, async (t) => {
    const raw = Buffer.from(c.raw_b64, 'base64');
    const deviation = DEVIATIONS[c.name];
    const outcome = deviation?.outcome ?? c.outcome;
    let checked = 0;
    for (const [how, chunks] of splits(raw)) {
      const r = parseAll(chunks, {}, { requireHost: false });
      const ok = r.outcome === outcome
        && (deviation?.status === undefined || r.error?.status === deviation.status)
        && (deviation !== undefined || JSON.stringify(comparable(r)) === JSON.stringify(expectedMessages(c)));
      if (!ok) {
        t.fail(`${how}: expected ${outcome}${deviation ? ` (deviation: ${deviation.reason})` : ''}, got ${r.outcome}`, {
          error: r.error?.reason, got: comparable(r), wanted: expectedMessages(c),
        });
        return;
      }
      if (r.outcome === 'reject' && !(r.error && r.error.status >= 400 && r.error.status < 600)) {
        t.fail(`${how}: rejected without an error status`);
        return;
      }
      checked++;
    }
    t.pass(`${outcome} in all ${checked} ways of feeding it`);
  });
}

// Part 2: as the server runs it, Host is required; the only extra rejects are HTTP/1.1 requests without one.
t.test('with the Host rule on, the only new rejects are HTTP/1.1 requests without exactly one Host', async (t) => {
  for (const c of corpus.cases) {
    const raw = Buffer.from(c.raw_b64, 'base64');
    const lenient = parseAll([raw], {}, { requireHost: false });
    const strict = parseAll([raw]);
    if (strict.outcome === lenient.outcome) continue;
    t.equal(strict.outcome, 'reject', `${c.name}: stricter only`);
    t.equal(strict.error?.status, 400, `${c.name}: 400`);
    t.match(strict.error?.reason, /Host header/, `${c.name}: the reason names Host`);
  }
});
