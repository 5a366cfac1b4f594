// Every input the app takes, swept with bad values: n in forms, JSON and paths; page cursors and limits;
// JSON bodies too large, malformed, of the wrong type or too deep. Each gets a clear 4xx (a message that says
// why: JSON under /api, text or HTML elsewhere) and changes nothing: after the whole sweep, the jobs, their
// events and the stored digits are exactly as before. Sent over raw sockets, so bytes are exactly as written.

import t from 'tap';
import { sql } from 'kysely';
import { parseResponses } from '../server/helpers.js';
import { rawExchange, startLiveApp, type LiveApp } from './fixtures/live-app.js';

interface Case {
  name: string;
  method: string;
  target: string;
  /** Content-Type, or null for none. */
  type?: string | null;
  body?: string | Buffer;
  status: number;
  /** What the message must say. */
  says: RegExp;
  accept?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const form = (name: string, body: string | Buffer, status: number, says: RegExp): Case => ({ name: `form: ${name}`, method: 'POST', target: '/', type: FORM, body, status, says });
const json = (name: string, body: string | Buffer, status: number, says: RegExp, type: string | null = JSON_TYPE): Case => ({ name: `json: ${name}`, method: 'POST', target: '/api/jobs', type, body, status, says });
const get = (name: string, target: string, status: number, says: RegExp, method = 'GET'): Case => ({ name: `${method} ${name}`, method, target, status, says });

const NOT_DIGITS = /digits only|whole number/;
const RANGE_LOW = /at least 1/;
const RANGE_HIGH = /at most 1,000,000/;
const BAD_CURSOR = /cursor/;
const BAD_LIMIT = /limit must be/;

const CASES: Case[] = [
  // n in the form (POST /): 422 re-renders the form with the reason
  form('n empty', 'n=', 422, /Enter n/),
  form('n missing', 'x=5', 422, /Enter n/),
  form('n = 0', 'n=0', 422, RANGE_LOW),
  form('n = 00', 'n=00', 422, RANGE_LOW),
  form('n negative', 'n=-5', 422, NOT_DIGITS),
  form('n with a plus sign', 'n=%2B5', 422, NOT_DIGITS),
  form('n as 1e3', 'n=1e3', 422, NOT_DIGITS),
  form('n fractional', 'n=1.5', 422, NOT_DIGITS),
  form('n = 5.0', 'n=5.0', 422, NOT_DIGITS),
  form('n in hex', 'n=0x10', 422, NOT_DIGITS),
  form('n as words', 'n=abc', 422, NOT_DIGITS),
  form('n Infinity', 'n=Infinity', 422, NOT_DIGITS),
  form('n NaN', 'n=NaN', 422, NOT_DIGITS),
  form('n over --max-digits', 'n=1000001', 422, RANGE_HIGH),
  form('n of 13 digits', 'n=1000000000000', 422, RANGE_HIGH),
  form('n very long', `n=${'9'.repeat(3000)}`, 422, RANGE_HIGH),
  form('n with an inner space', 'n=1+0', 422, NOT_DIGITS),
  form('n with a NUL', 'n=1%000', 422, NOT_DIGITS),
  form('n in full-width digits', 'n=%EF%BC%91%EF%BC%90', 422, NOT_DIGITS),
  form('n in Arabic-Indic digits', 'n=%D9%A3', 422, NOT_DIGITS),
  form('n as broken UTF-8', 'n=%ff%fe', 422, NOT_DIGITS),
  form('n with a broken escape', 'n=%zz', 422, NOT_DIGITS),
  form('n as raw invalid UTF-8 bytes', Buffer.from([0x6e, 0x3d, 0xc0, 0xaf]), 422, NOT_DIGITS),
  form('n with HTML', 'n=%3Cscript%3E', 422, NOT_DIGITS),
  form('body larger than the form limit', `n=5&pad=${'x'.repeat(5000)}`, 413, /larger than/),
  { name: 'form: no Content-Type', method: 'POST', target: '/', type: null, body: 'n=5', status: 415, says: /expected a form/ },
  { name: 'form: JSON to the form', method: 'POST', target: '/', type: JSON_TYPE, body: '{"n":5}', status: 415, says: /expected a form/ },
  { name: 'form: text/plain', method: 'POST', target: '/', type: 'text/plain', body: 'n=5', status: 415, says: /expected a form/ },
  { name: 'form: multipart', method: 'POST', target: '/', type: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="n"\r\n\r\n5\r\n--x--\r\n', status: 415, says: /expected a form/ },

  // n in JSON (POST /api/jobs)
  json('n = 0', '{"n":0}', 422, RANGE_LOW),
  json('n negative', '{"n":-1}', 422, RANGE_LOW),
  json('n fractional', '{"n":1.5}', 422, /whole number/),
  json('n = 1e300', '{"n":1e300}', 422, RANGE_HIGH),
  json('n = 1e400 (Infinity)', '{"n":1e400}', 422, /whole number|at most/),
  json('n over --max-digits', '{"n":1000001}', 422, RANGE_HIGH),
  json('n = 2^53 + 1', '{"n":9007199254740993}', 422, RANGE_HIGH),
  json('n as a string', '{"n":"1000"}', 422, /JSON number/),
  json('n null', '{"n":null}', 422, /JSON number, got null/),
  json('n true', '{"n":true}', 422, /JSON number/),
  json('n an array', '{"n":[1000]}', 422, /JSON number/),
  json('n an object', '{"n":{"value":1000}}', 422, /JSON number/),
  json('n missing', '{}', 422, /missing "n"/),
  json('an unknown field', '{"n":1000,"admin":true}', 422, /unknown field/),
  json('a __proto__ field', '{"__proto__":{"n":1000}}', 422, /unknown field|missing "n"/),
  json('a constructor field', '{"n":1000,"constructor":{"prototype":{}}}', 422, /unknown field/),
  json('an array', '[1000]', 422, /JSON object/),
  json('a bare number', '1000', 422, /JSON object/),
  json('a string', '"1000"', 422, /JSON object/),
  json('null', 'null', 422, /JSON object/),
  json('duplicate n, the last bad', '{"n":1000,"n":-1}', 422, RANGE_LOW),
  json('malformed: truncated', '{"n":', 400, /not valid JSON/),
  json('malformed: unquoted key', '{n:1000}', 400, /not valid JSON/),
  json('malformed: single quotes', "{'n':1000}", 400, /not valid JSON/),
  json('malformed: trailing comma', '{"n":1000,}', 400, /not valid JSON/),
  json('malformed: empty body', '', 400, /not valid JSON/),
  json('malformed: a BOM first', '\ufeff{"n":1000}', 400, /not valid JSON/),
  json('malformed: NaN', '{"n":NaN}', 400, /not valid JSON/),
  json('malformed: invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0xff, 0x7d]), 400, /not valid JSON/),
  json('malformed: two documents', '{"n":1000}{"n":2000}', 400, /not valid JSON/),
  json('too deep: arrays', `${'['.repeat(8000)}${']'.repeat(8000)}`, 400, /nested deeper/),
  json('too deep: objects in n', `{"n":${'{"a":'.repeat(20)}1${'}'.repeat(20)}}`, 400, /nested deeper/),
  json('too deep and unclosed', '['.repeat(15_000), 400, /nested deeper/),
  json('too large', JSON.stringify({ n: 5, pad: 'x'.repeat(20_000) }), 413, /larger than/),
  json('too large, all whitespace', `${' '.repeat(17_000)}{"n":5}`, 413, /larger than/),
  json('no Content-Type', '{"n":1000}', 415, /application\/json/, null),
  json('a form', 'n=1000', 415, /application\/json/, FORM),
  json('text/plain', '{"n":1000}', 415, /application\/json/, 'text/plain'),
  json('application/json-patch+json', '{"n":1000}', 415, /application\/json/, 'application/json-patch+json'),

  // n in paths
  get('/api/jobs/abc', '/api/jobs/abc', 422, NOT_DIGITS),
  get('/api/jobs/-1', '/api/jobs/-1', 422, NOT_DIGITS),
  get('/api/jobs/0', '/api/jobs/0', 422, RANGE_LOW),
  get('/api/jobs/1e3', '/api/jobs/1e3', 422, NOT_DIGITS),
  get('/api/jobs/1.0', '/api/jobs/1.0', 422, NOT_DIGITS),
  get('/api/jobs/ 20-digit n', '/api/jobs/99999999999999999999', 422, RANGE_HIGH),
  get('/api/jobs/%2D1 (encoded minus)', '/api/jobs/%2D1', 422, NOT_DIGITS),
  get('/api/jobs/%EF%BC%91 (full-width)', '/api/jobs/%EF%BC%91', 422, NOT_DIGITS),
  get('/api/jobs/unknown', '/api/jobs/424242', 404, /no job/),
  get('/api/jobs/abc', '/api/jobs/abc', 422, NOT_DIGITS, 'DELETE'),
  get('/api/jobs/unknown', '/api/jobs/424242', 404, /no job/, 'DELETE'),
  get('/api/jobs/ENDED (already stored)', '/api/jobs/77', 409, /already ended/, 'DELETE'),
  get('/api/pi/x/digit', '/api/pi/x/digit', 422, NOT_DIGITS),
  get('/api/pi/0/digit', '/api/pi/0/digit', 422, RANGE_LOW),
  get('/api/pi/1000001/digit', '/api/pi/1000001/digit', 422, RANGE_HIGH),
  get('/api/pi/5000/digit (not computed)', '/api/pi/5000/digit', 404, /not computed/),
  get('/pi/abc', '/pi/abc', 422, NOT_DIGITS),
  get('/pi/0', '/pi/0', 422, RANGE_LOW),
  get('/pi/-5', '/pi/-5', 422, NOT_DIGITS),
  get('/pi/1e3.txt', '/pi/1e3.txt', 422, NOT_DIGITS),
  get('/pi/0.txt', '/pi/0.txt', 422, RANGE_LOW),
  get('/pi/1000001.txt', '/pi/1000001.txt', 422, RANGE_HIGH),
  get('/pi/abc.txt', '/pi/abc.txt', 422, NOT_DIGITS),
  get('/pi/5000.txt (not computed)', '/pi/5000.txt', 404, /not computed/),
  get('/pi/5000 (unknown n)', '/pi/5000', 404, /Nobody has asked/),

  // pages and cursors
  get('/?after=garbage', '/?after=garbage', 400, /after/),
  get('/?after= (empty)', '/?after=', 400, /after/),
  get('/?after=not base64url', '/?after=%2B%2F%3D', 400, /after/),
  get('/?after=base64 of text', `/?after=${Buffer.from('hello').toString('base64url')}`, 400, /after/),
  get('/?after=v2 cursor', `/?after=${Buffer.from('{"v":2,"id":1}').toString('base64url')}`, 400, /after/),
  get('/?after=id -1', `/?after=${Buffer.from('{"v":1,"id":-1}').toString('base64url')}`, 400, /after/),
  get('/?after=id 1.5', `/?after=${Buffer.from('{"v":1,"id":1.5}').toString('base64url')}`, 400, /after/),
  get('/?after=id "1"', `/?after=${Buffer.from('{"v":1,"id":"1"}').toString('base64url')}`, 400, /after/),
  get('/?after=id 2^60', `/?after=${Buffer.from('{"v":1,"id":1152921504606846976}').toString('base64url')}`, 400, /after/),
  get('/?after=very long', `/?after=${'A'.repeat(5000)}`, 400, /after/),
  get('/api/jobs?cursor=garbage', '/api/jobs?cursor=garbage', 400, BAD_CURSOR),
  get('/api/jobs?cursor= (empty)', '/api/jobs?cursor=', 400, BAD_CURSOR),
  get('/api/jobs?cursor=v2', `/api/jobs?cursor=${Buffer.from('{"v":2,"id":1}').toString('base64url')}`, 400, BAD_CURSOR),
  get('/api/jobs?cursor=array', `/api/jobs?cursor=${Buffer.from('[1]').toString('base64url')}`, 400, BAD_CURSOR),
  get('/api/jobs?cursor=null', `/api/jobs?cursor=${Buffer.from('null').toString('base64url')}`, 400, BAD_CURSOR),
  get('/api/jobs?limit=0', '/api/jobs?limit=0', 400, BAD_LIMIT),
  get('/api/jobs?limit=501', '/api/jobs?limit=501', 400, BAD_LIMIT),
  get('/api/jobs?limit=-1', '/api/jobs?limit=-1', 400, BAD_LIMIT),
  get('/api/jobs?limit=1.5', '/api/jobs?limit=1.5', 400, BAD_LIMIT),
  get('/api/jobs?limit=abc', '/api/jobs?limit=abc', 400, BAD_LIMIT),
  get('/api/jobs?limit= (empty)', '/api/jobs?limit=', 400, BAD_LIMIT),
  get('/api/jobs?limit=99999', '/api/jobs?limit=99999', 400, BAD_LIMIT),
  get('/api/jobs?limit=1e2', '/api/jobs?limit=1e2', 400, BAD_LIMIT),

  // methods and routes
  get('/api/jobs/5', '/api/jobs/5', 405, /not allowed/, 'POST'),
  get('/api/jobs', '/api/jobs', 405, /not allowed/, 'PUT'),
  get('/', '/', 405, /not allowed/, 'DELETE'),
  get('/pi/5', '/pi/5', 405, /not allowed/, 'POST'),
  get('/api/jobs/5/extra', '/api/jobs/5/extra', 404, /nothing is at/),
];

async function send(app: LiveApp, c: Case) {
  const body = c.body === undefined ? Buffer.alloc(0) : typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body;
  const head = [`${c.method} ${c.target} HTTP/1.1`, 'Host: x', 'Connection: close'];
  if (c.type !== undefined && c.type !== null) head.push(`Content-Type: ${c.type}`);
  else if (c.type === undefined && body.length > 0) head.push(`Content-Type: ${FORM}`);
  if (body.length > 0 || c.method === 'POST') head.push(`Content-Length: ${body.length}`);
  if (c.accept) head.push(`Accept: ${c.accept}`);
  const ex = await rawExchange(app.port, Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]), { ms: 10_000 });
  return { ex, responses: parseResponses(ex.raw, { closed: true }).responses };
}

async function snapshot(app: LiveApp) {
  const db = app.store.handle.kysely;
  const jobs = await db.selectFrom('jobs').selectAll().orderBy('id').execute();
  const events = await sql<{ c: number }>`select count(*) as c from job_events`.execute(db);
  return { jobs: JSON.stringify(jobs), events: Number(events.rows[0]!.c), digits: await app.store.repos.digits.largestN() };
}

t.test('every bad input gets a clear 4xx and changes nothing', async (t) => {
  const app = await startLiveApp({ maxDigits: 1_000_000 });
  t.teardown(() => app.stop());
  // Something to change: a few jobs, one of them stored with its digits.
  for (const n of [10, 77, 500]) await app.jobs.submit(n);
  const job77 = (await app.store.repos.jobs.findByN(77))!;
  for (const stage of ['scheduled', 'taken', 'calculated'] as const) await app.store.repos.jobs.advance(job77.id, stage);
  await app.store.uow.run(async (r) => {
    await r.digits.store('14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706');
    return r.jobs.advance(job77.id, 'stored', { digit: 6 });
  });
  const before = await snapshot(app);
  t.comment(`${CASES.length} cases`);

  for (const c of CASES) {
    const { ex, responses } = await send(app, c);
    const r = responses[0];
    const text = r?.body.toString('utf8') ?? '';
    t.ok(ex.closed, `${c.name}: answered and closed`);
    t.equal(r?.status, c.status, `${c.name}: ${c.status}`, { got: ex.raw.toString('latin1').slice(0, 300) });
    if (c.target.startsWith('/api/')) {
      let message = '';
      try { message = (JSON.parse(text) as { error: { message: string; status: number } }).error.message; } catch { /* checked below */ }
      t.equal(r?.header('content-type'), 'application/json', `${c.name}: a JSON error`);
      t.match(message, c.says, `${c.name}: says why`);
    } else {
      t.match(text, c.says, `${c.name}: says why`);
    }
  }
  const after = await snapshot(app);
  t.equal(after.events, before.events, 'no event was written');
  t.equal(after.digits, before.digits, 'the stored digits are untouched');
  t.equal(after.jobs, before.jobs, 'the jobs are exactly as before (count, stages, everything)');
  t.equal(await app.store.repos.jobs.count(), 3, 'the job count is unchanged');
});

t.test('the same bad n is refused identically by the form, the JSON API and the path', async (t) => {
  const app = await startLiveApp({ maxDigits: 1_000_000 });
  t.teardown(() => app.stop());
  for (const bad of ['0', '-1', '1.5', 'abc', '1000001', '']) {
    const viaForm = (await send(app, form(bad, `n=${encodeURIComponent(bad)}`, 422, /./))).responses[0];
    const viaPath = (await send(app, get(bad, `/api/jobs/${encodeURIComponent(bad) || '%20'}`, 422, /./))).responses[0];
    t.equal(viaForm?.status, 422, `form n=${JSON.stringify(bad)}: 422`);
    t.equal(viaPath?.status, 422, `path n=${JSON.stringify(bad)}: 422`);
  }
  t.equal(await app.store.repos.jobs.count(), 0);
});
