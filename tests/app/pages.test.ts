// The HTML pages: the form and the table, POST / with good and bad n, the digits page and its text form.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../db/index.js';
import { request, startApp } from './fixtures/app-server.js';
import { RawClient } from '../server/helpers.js';

const PI = readFileSync(new URL('../fixtures/pi-100k.txt', import.meta.url), 'latin1').trim();
const form = (n: string) => ({ body: new URLSearchParams({ n }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

t.test('GET / shows the form and the table, newest first, with security headers', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  for (const n of [10, 20, 30]) await s.jobs.submit(n);
  const r = await request(s.port, 'GET', '/');
  t.equal(r.status, 200);
  t.match(r.text, /<form method="post" action="\/"/);
  const order = [...r.text.matchAll(/<tr id="job-\d+" data-n="(\d+)"/g)].map((m) => Number(m[1]));
  t.same(order, [30, 20, 10]);
  t.match(r.text, /<a href="\/pi\/20">pi to 20 decimals<\/a>/);
  t.equal(r.headers.get('x-content-type-options'), 'nosniff');
  t.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  t.notMatch(r.text, /style="|<script>|onclick=/, 'no inline script or style: the CSP holds');
});

t.test('GET / is never stale: a change by the app or by a worker connection shows on the next load', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const stages = async () => [...(await request(s.port, 'GET', '/')).text.matchAll(/data-n="(\d+)" data-stage="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  await s.jobs.submit(10);
  t.same(await stages(), ['10:registered']);
  t.same(await stages(), ['10:registered'], 'the same page while nothing changed');
  await s.jobs.submit(20);
  t.same(await stages(), ['20:registered', '10:registered'], "after the app's own write");
  const worker = openStore({ path: join(s.dir, 'db.sqlite') }); // a worker process writes through its own connection
  t.teardown(() => worker.close());
  await worker.repos.jobs.claimNext();
  t.same(await stages(), ['20:registered', '10:scheduled'], "after another connection's commit");
  const older = await request(s.port, 'GET', `/?after=${encodeURIComponent('bogus')}`);
  t.equal(older.status, 400, 'older pages still check their cursor');
});

t.test('POST / with a valid n creates the job and redirects with 303 (302 for HTTP/1.0)', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const r = await request(s.port, 'POST', '/', form('500'));
  t.equal(r.status, 303);
  t.equal(r.headers.get('location'), '/');
  t.ok(await s.store.repos.jobs.findByN(500));
  t.equal((await request(s.port, 'POST', '/', form('0000000000000000042'))).status, 303, 'leading zeros, however many, are n=42');
  t.ok(await s.store.repos.jobs.findByN(42));
  const c = await RawClient.connect(s.port);
  const body = 'n=600';
  c.send(`POST / HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  await c.waitClosed();
  t.equal(c.responses()[0]?.status, 302, 'HTTP/1.0 does not know 303');
});

t.test('POST / with a bad n re-renders the form with a message, and stores nothing', async (t) => {
  const s = await startApp({ maxDigits: 10_000_000 });
  t.teardown(s.stop);
  const bad: Array<[string, RegExp]> = [
    ['-5', /digits only/], ['0', /at least 1, got 0/], ['10000001', /at most 10,000,000 \(the server&#39;s --max-digits\), got 10,000,001\./], ['1e3', /digits only/], ['1.5', /digits only/],
    ['abc', /digits only/], ['', /Enter n/], ['9'.repeat(300), /at most 10,000,000 .*, got a number of 300 digits\./], ['<script>alert(1)</script>', /digits only/],
  ];
  for (const [n, message] of bad) {
    const r = await request(s.port, 'POST', '/', form(n));
    t.equal(r.status, 422, `"${n.slice(0, 20)}": 422`);
    const error = /<p id="n-error" class="error" role="alert">([^<]*)<\/p>/.exec(r.text)?.[1] ?? '';
    t.match(error, message, `"${n.slice(0, 20)}": the message explains`);
    t.notMatch(r.text, /<script>alert/, 'what the user typed is escaped');
  }
  t.equal((await request(s.port, 'POST', '/', { body: 'n=5', headers: { 'Content-Type': 'text/plain' } })).status, 415);
  t.equal(await s.store.repos.jobs.count(), 0, 'nothing was stored');
});

t.test('GET /pi/:n streams grouped digits with the n-th highlighted; .txt gives plain digits', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  await s.store.repos.digits.store(PI.slice(2, 2 + 5000));
  const page = await request(s.port, 'GET', '/pi/1234');
  t.equal(page.status, 200);
  const pre = /<pre class="digits" id="digits">([\s\S]*?)<\/pre>/.exec(page.text)![1]!;
  const plain = pre.replace(/<mark id="nth" title="decimal 1234">(\d)<\/mark>/, '$1').replace(/\s/g, '');
  t.equal(plain, PI.slice(0, 2 + 1234), 'the digits are pi to 1234 decimals');
  t.match(pre, new RegExp(`<mark id="nth" title="decimal 1234">${PI[2 + 1233]}</mark>$`), 'the 1234th decimal is highlighted');
  t.match(pre, /^3\.1415926535 8979323846 /, 'groups of ten');
  t.equal(pre.split('\n')[1]!.replace(/ /g, '').length, 100, 'a hundred decimals a line');
  const txt = await request(s.port, 'GET', '/pi/5000.txt');
  t.equal(txt.text, PI.slice(0, 2 + 5000));
  t.equal(txt.headers.get('content-length'), '5002');
  const one = await request(s.port, 'GET', '/pi/1');
  t.match(one.text, /3\.<mark id="nth" title="decimal 1">1<\/mark><\/pre>/);
  const ten = await request(s.port, 'GET', '/pi/10');
  t.match(ten.text, /3\.141592653<mark id="nth" title="decimal 10">5<\/mark><\/pre>/);
  const eleven = await request(s.port, 'GET', '/pi/11');
  t.match(eleven.text, /3\.1415926535 <mark id="nth" title="decimal 11">8<\/mark><\/pre>/);
});

t.test('GET /pi/:n for a job not done shows its status; an unknown n offers to create it', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  await s.jobs.submit(777);
  const pending = await request(s.port, 'GET', '/pi/777');
  t.equal(pending.status, 200);
  t.match(pending.text, /data-page="pi-pending"/);
  t.match(pending.text, /<tr id="job-\d+" data-n="777" data-stage="registered" data-updated="\d+">/);
  const unknown = await request(s.port, 'GET', '/pi/778');
  t.equal(unknown.status, 404);
  t.match(unknown.text, /<input type="hidden" name="n" value="778">/);
  t.equal((await request(s.port, 'GET', '/pi/778.txt')).status, 404);
  t.equal((await request(s.port, 'GET', '/pi/abc')).status, 422);
});

t.test('GET /pi/:n for a job that ended in error or was cancelled says so and offers to run it again', async (t) => {
  const s = await startApp();
  t.teardown(s.stop);
  const { job } = await s.jobs.submit(779);
  await s.jobs.repos.jobs.fail(job.id, 'worker crashed: killed by SIGKILL');
  const ended = await request(s.port, 'GET', '/pi/779');
  t.equal(ended.status, 404);
  t.match(ended.text, /data-page="pi-ended"/, 'not the pending page, which would promise a reload');
  t.match(ended.text, /The job ended in an error at the registered stage: worker crashed: killed by SIGKILL\. No decimals were stored\./);
  t.match(ended.text, /<form method="post" action="\/"><input type="hidden" name="n" value="779"><button type="submit">Compute pi to 779 decimals again<\/button>/);
  const text = await request(s.port, 'GET', '/pi/779.txt');
  t.equal(text.status, 404);
  t.match(text.text, /the job ended in an error; submit n=779 again/);
  // The button posts the form: the job runs again.
  const posted = await request(s.port, 'POST', '/', form('779'));
  t.equal(posted.status, 303);
  t.match(await s.jobs.repos.jobs.findByN(779), { stage: 'registered', error: null, attempts: 0 });
  const pending = await request(s.port, 'GET', '/pi/779');
  t.match(pending.text, /data-page="pi-pending"/);
});
