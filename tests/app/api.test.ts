// The JSON API over HTTP: statuses, Location, pagination, stage history, cancel, and bad input that changes nothing.

import t from 'tap';
import { request, startApp } from './fixtures/app-server.js';

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } });

t.test('POST /api/jobs creates (201 + Location), then finds (200)', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const a = await request(s.port, 'POST', '/api/jobs', json({ n: 1234 }));
  t.equal(a.status, 201);
  t.equal(a.headers.get('location'), '/api/jobs/1234');
  t.match(JSON.parse(a.text), { n: 1234, stage: 'registered', links: { digits: '/pi/1234' } });
  const b = await request(s.port, 'POST', '/api/jobs', json({ n: 1234 }));
  t.equal(b.status, 200, 'the same n again is the existing job');
  t.equal(JSON.parse(b.text).id, JSON.parse(a.text).id);
  t.equal(await s.store.repos.jobs.count(), 1);
});

t.test('bad input gets a clear 4xx with a JSON message, and nothing is stored', async (t) => {
  const s = await startApp({ maxDigits: 1000 });
  t.teardown(s.stop);
  const cases: Array<[string, { body?: string; headers?: Record<string, string> }, number, RegExp]> = [
    ['n = 0', json({ n: 0 }), 422, /at least 1/],
    ['negative n', json({ n: -5 }), 422, /at least 1/],
    ['n over the maximum', json({ n: 1001 }), 422, /at most 1,000/],
    ['fractional n', json({ n: 1.5 }), 422, /whole number/],
    ['n as a string', json({ n: '100' }), 422, /JSON number/],
    ['n = 1e3 (a float in JSON)', { body: '{"n": 1e400}', headers: { 'Content-Type': 'application/json' } }, 422, /whole number|at most/],
    ['missing n', json({}), 422, /missing "n"/],
    ['extra fields', json({ n: 5, admin: true }), 422, /unknown field/],
    ['an array', json([5]), 422, /JSON object/],
    ['malformed JSON', { body: '{"n": ', headers: { 'Content-Type': 'application/json' } }, 400, /not valid JSON/],
    ['too deep', { body: `${'['.repeat(100)}${']'.repeat(100)}`, headers: { 'Content-Type': 'application/json' } }, 400, /nested deeper/],
    ['wrong media type', { body: 'n=5', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 415, /application\/json/],
    ['too large', { body: JSON.stringify({ n: 5, pad: 'x'.repeat(20000) }), headers: { 'Content-Type': 'application/json' } }, 413, /larger than/],
  ];
  for (const [name, opts, status, message] of cases) {
    const r = await request(s.port, 'POST', '/api/jobs', opts);
    t.equal(r.status, status, `${name}: ${status}`);
    t.equal(r.headers.get('content-type'), 'application/json', `${name}: JSON`);
    t.match(JSON.parse(r.text).error.message, message, `${name}: says why`);
  }
  t.equal(await s.store.repos.jobs.count(), 0, 'nothing was stored');
});

t.test('GET /api/jobs pages newest first with a cursor; bad cursors and limits are 400', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  for (let n = 1; n <= 7; n++) await s.jobs.submit(n);
  const first = JSON.parse((await request(s.port, 'GET', '/api/jobs?limit=3')).text);
  t.same(first.jobs.map((j: { n: number }) => j.n), [7, 6, 5]);
  await s.jobs.submit(100); // a new job does not shift the pages already handed out
  const second = JSON.parse((await request(s.port, 'GET', first.next)).text);
  t.same(second.jobs.map((j: { n: number }) => j.n), [4, 3, 2]);
  const third = JSON.parse((await request(s.port, 'GET', second.next)).text);
  t.same(third.jobs.map((j: { n: number }) => j.n), [1]);
  t.equal(third.next_cursor, null);
  t.equal((await request(s.port, 'GET', '/api/jobs?cursor=garbage')).status, 400);
  t.equal((await request(s.port, 'GET', '/api/jobs?limit=0')).status, 400);
  t.equal((await request(s.port, 'GET', '/api/jobs?limit=abc')).status, 400);
});

t.test('GET /api/jobs/:n has the stage history; DELETE cancels; unknown n is 404; ended job is 409', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  await s.jobs.submit(42);
  const got = JSON.parse((await request(s.port, 'GET', '/api/jobs/42')).text);
  t.same(got.events.map((e: { kind: string }) => e.kind), ['registered']);
  const del = await request(s.port, 'DELETE', '/api/jobs/42');
  t.equal(del.status, 200);
  t.equal(JSON.parse(del.text).stage, 'cancelled');
  t.equal((await request(s.port, 'DELETE', '/api/jobs/42')).status, 409, 'cancelling twice: conflict');
  const again = await request(s.port, 'POST', '/api/jobs', json({ n: 42 }));
  t.equal(again.status, 202, 'posting a cancelled n again registers it for a fresh run');
  t.equal(again.headers.get('location'), '/api/jobs/42', 'where to follow it');
  t.match(JSON.parse(again.text), { n: 42, stage: 'registered', attempts: 0 });
  t.equal((await request(s.port, 'POST', '/api/jobs', json({ n: 42 }))).status, 200, 'and once it is live, posting finds it');
  t.equal((await request(s.port, 'GET', '/api/jobs/43')).status, 404);
  t.equal((await request(s.port, 'GET', '/api/jobs/abc')).status, 422);
  const negative = await request(s.port, 'GET', '/api/jobs/-1');
  t.equal(negative.status, 422, 'n in the path follows the same rule as in forms');
  t.match(JSON.parse(negative.text).error.message, /digits only/);
});

t.test('GET /api/pi/:n/digit answers from stored digits', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  t.equal((await request(s.port, 'GET', '/api/pi/5/digit')).status, 404, 'nothing computed yet');
  const missing = await request(s.port, 'GET', '/api/pi/2000000/digit');
  t.match(JSON.parse(missing.text).error.message, /^the 2,000,000th decimal is not computed yet/);
  await s.store.repos.digits.store('14159265358979');
  const r = await request(s.port, 'GET', '/api/pi/5/digit');
  t.same(JSON.parse(r.text), { n: 5, digit: 9 });
});

t.test('405 with Allow, 404 for unknown paths, HEAD like GET without a body', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const r = await request(s.port, 'PUT', '/api/jobs');
  t.equal(r.status, 405);
  t.equal(r.headers.get('allow'), 'GET, HEAD, POST');
  t.equal((await request(s.port, 'GET', '/nowhere')).status, 404);
  const head = await request(s.port, 'HEAD', '/healthz');
  t.equal(head.status, 200);
  t.equal(head.text, '');
  t.equal(head.headers.get('content-length'), '3');
});

t.test('/metrics speaks Prometheus text', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  await s.jobs.submit(10);
  await request(s.port, 'GET', '/healthz');
  const m = await request(s.port, 'GET', '/metrics');
  t.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.match(m.text, /rawpi_http_requests_total\{status="200"\} \d+/);
  t.match(m.text, /rawpi_jobs\{stage="registered"\} 1/);
  t.match(m.text, /rawpi_queue_depth 1/);
  t.match(m.text, /rawpi_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
});
