// The response head the server writes for an app (server/http/response-writer.ts, sans-IO): what an app may not
// put in it (names that are not tokens, CR/LF/NUL in values: response splitting), the headers the server decides
// (Content-Length checked, Transfer-Encoding and Connection its own), whatever case the app spells them in.

import t from 'tap';
import type { Header } from '../../server/interface.js';
import { ResponseWriter } from '../../server/http/response-writer.js';

const GET = { method: 'GET', version: '1.1', keepAlive: true } as const;

function head(headers: Header[], status = 200, request: { method: string; version: '1.0' | '1.1'; keepAlive: boolean } = GET) {
  const w = new ResponseWriter(request);
  return { text: w.head(status, headers), w };
}

t.test('names must be tokens and values free of CR, LF and NUL, however often a name was seen before', async (t) => {
  // A valid name is remembered (the writer keeps the names it checked); that must never let a bad one through.
  for (let i = 0; i < 3; i++) t.match(head([['X-Trace', 'a']]).text, /\r\nX-Trace: a\r\n/, `a token name is written (${i + 1})`);
  for (const bad of ['X Trace', 'X-Trace:', 'X-Trace\r\nSet-Cookie', '', 'Ünïcode', 'X-Trace ']) {
    t.throws(() => head([[bad, 'a']]), /response header name ("[^\n\r]*" is not a token|is empty)/, `${JSON.stringify(bad)} refused`);
  }
  for (const value of ['a\r\nSet-Cookie: x=1', 'a\nb', 'a\rb', 'a\0b', 'snowman \u2603']) {
    t.throws(() => head([['X-Trace', value]]), /response header "X-Trace" has a CR, LF, NUL or non-latin-1 character in its value/, `value ${JSON.stringify(value)} refused`);
  }
  t.throws(() => head([[5 as unknown as string, 'a']]), /pairs of strings/, 'a name that is not a string is refused');
  t.throws(() => head([['X-Trace', 5 as unknown as string]]), /pairs of strings/, 'so is a value that is not one');
  t.match(head([['X-Latin', 'caf\u00e9']]).text, /X-Latin: caf\u00e9\r\n/, 'latin-1 text (obs-text) is allowed in a value');
});

t.test('Content-Length in any case frames the body; it must be digits, sent once', async (t) => {
  for (const name of ['Content-Length', 'content-length', 'CONTENT-LENGTH', 'cOnTeNt-LeNgTh']) {
    const { text, w } = head([[name, '18']]);
    t.equal(w.framing, 'length', `${name}: framed by length`);
    t.equal(w.declaredLength, 18, `${name}: the declared length`);
    t.notMatch(text, /Transfer-Encoding/, `${name}: not chunked`);
  }
  t.throws(() => head([['Content-Length', '18'], ['content-length', '18']]), /Content-Length must be sent once, as digits/, 'twice: refused');
  for (const v of ['', '-1', '1.5', ' 18', '0x12', '18 ']) {
    t.throws(() => head([['Content-Length', v]]), /Content-Length must be sent once, as digits/, `${JSON.stringify(v)}: refused`);
  }
  const none = head([['Content-Length', '0']], 204);
  t.notMatch(none.text, /Content-Length/i, '204: the app\'s Content-Length is not sent (RFC 9110 8.6)');
  t.equal(none.w.framing, 'none', '204: no body');
  t.match(head([['Content-Length', '5']], 304).text, /\r\nContent-Length: 5\r\n/, '304: it is kept');
});

t.test('the server owns Transfer-Encoding and Connection; Date and Server are added unless the app sent them', async (t) => {
  for (const name of ['Transfer-Encoding', 'transfer-encoding']) {
    t.throws(() => head([[name, 'chunked']]), /Transfer-Encoding is the server's to set/, `${name} refused`);
  }
  const closing = head([['Connection', 'close'], ['Content-Length', '0']]);
  t.equal(closing.w.keepAlive, false, 'Connection: close from the app closes the connection');
  t.equal(closing.text.match(/Connection:/gi)?.length, 1, 'and the server writes Connection once, itself');
  const kept = head([['CONNECTION', 'keep-alive'], ['Content-Length', '0']]);
  t.equal(kept.w.keepAlive, true, 'another Connection value changes nothing');
  t.notMatch(kept.text, /Connection/i, 'and is not copied');
  const plain = head([['Content-Length', '0']]).text;
  t.match(plain, /\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\nServer: rawpi\r\n/, 'Date and Server added');
  const own = head([['date', 'Thu, 01 Jan 1970 00:00:00 GMT'], ['SERVER', 'mine'], ['Content-Length', '0']]).text;
  t.equal(own.match(/^date:/gim)?.length, 1, 'the app\'s Date (any case) replaces the server\'s');
  t.equal(own.match(/^server:/gim)?.length, 1, 'so does its Server');
});

t.test('past the names the writer remembers, every name is still checked and recognised', async (t) => {
  for (let i = 0; i < 1000; i++) head([[`X-Name-${i}`, 'v']]);
  t.equal(head([['Content-LENGTH', '3']]).w.framing, 'length', 'a Content-Length spelled anew is still recognised');
  t.throws(() => head([['Bad Name', 'v']]), /is not a token/, 'a bad name is still refused');
  t.throws(() => head([['TRANSFER-encoding', 'chunked']]), /Transfer-Encoding is the server's to set/, 'Transfer-Encoding still refused');
});
