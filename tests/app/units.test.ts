// Small pure pieces of the app: the router, escaping templates, digit grouping, validation of n.

import t from 'tap';
import { groupThousands, ordinal } from '../../app/http/numbers.js';
import { stageText } from '../../app/pages/job-row.js';
import { Router } from '../../app/router.js';
import { html, raw } from '../../app/http/html.js';
import { groupDigits, groupedStream } from '../../app/pages/digit-groups.js';
import { parseNJson, parseNText } from '../../app/validation.js';

t.test('router: full, partial (405 with Allow) and no match', async (t) => {
  const noop = async () => {};
  const r = new Router().add('GET', '/pi/:n.txt', noop).add('GET', '/pi/:n', noop).add('POST', '/api/jobs', noop).add('*', '/echo', noop).add('GET', '/static/*path', noop);
  t.match(r.match('GET', '/pi/12.txt'), { kind: 'full', params: { n: '12' } });
  t.match(r.match('GET', '/pi/12'), { kind: 'full', params: { n: '12' } });
  t.match(r.match('HEAD', '/pi/12'), { kind: 'full' }, 'HEAD is served by GET routes');
  t.same(r.match('DELETE', '/pi/12'), { kind: 'partial', allow: ['GET', 'HEAD'] });
  t.match(r.match('BREW', '/echo'), { kind: 'full' }, '"*" takes any method');
  t.match(r.match('GET', '/static/a/b.css'), { kind: 'full', params: { path: 'a/b.css' } });
  t.same(r.match('GET', '/pi/12/x'), { kind: 'none' });
  t.same(r.match('GET', '/api/jobsx'), { kind: 'none' });
});

t.test('templates escape by default', async (t) => {
  const user = '<img src=x onerror="alert(1)">&\'';
  t.equal(html`<p>${user}</p>`.value, '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</p>');
  t.equal(html`<p>${raw('<b>ok</b>')}</p>`.value, '<p><b>ok</b></p>');
  t.equal(html`<ul>${[1, 2].map((i) => html`<li>${i}</li>`)}</ul>`.value, '<ul><li>1</li><li>2</li></ul>');
  t.equal(html`${null}${undefined}${false}`.value, '');
});

t.test('digit grouping is the same whatever the chunking', async (t) => {
  const digits = '1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679'.repeat(3);
  const whole = (await collect(groupedStream(from([digits])))).join('');
  t.equal(whole.split('\n').length, 3, 'three lines of a hundred');
  t.equal(whole.split('\n')[0]!.split(' ').length, 10, 'ten groups a line');
  t.notMatch(whole, /\s$/, 'no trailing separator');
  for (const size of [1, 3, 7, 10, 64, 100, 299]) {
    const chunks: string[] = [];
    for (let i = 0; i < digits.length; i += size) chunks.push(digits.slice(i, i + size));
    t.equal((await collect(groupedStream(from(chunks)))).join(''), whole, `chunks of ${size}`);
  }
  t.equal(groupDigits('12345', 8), '123 45', 'a group boundary inside a chunk gets a space');
  t.equal(groupDigits('123', 8), '123\u0000', 'at a chunk end it is left to the next chunk (marker)');
});

async function* from(chunks: string[]): AsyncGenerator<string> {
  for (const c of chunks) yield c;
}
async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

t.test('validation of n', async (t) => {
  t.equal(parseNText(' 42 ', 100), 42);
  for (const bad of ['', '0', '-1', '+1', '1e3', '1.5', '0x10', 'abc', '101', '9'.repeat(20)]) t.equal(statusOf(() => parseNText(bad, 100)), 422, `"${bad}"`);
  t.equal(parseNJson(7, 100), 7);
  for (const bad of [0, -1, 1.5, 101, '7', null, true, [7], Number.NaN, Infinity]) t.equal(statusOf(() => parseNJson(bad, 100)), 422, String(bad));
});

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { status?: number }).status;
  }
  return undefined;
}

t.test('groupThousands writes integers as toLocaleString("en-US") does', async (t) => {
  const values = [0, 1, 12, 123, 999, 1000, 1001, 12345, 123456, 1000000, 9876543210, -1, -999, -1000, -1234567, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 200; i++) values.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
  for (const n of values) t.equal(groupThousands(n), n.toLocaleString('en-US'), String(n));
  t.equal(groupThousands(1.5), '1.5', 'a fraction falls back to toLocaleString');
});

t.test('ordinal: English suffixes, 11th-13th included, on grouped numbers', async (t) => {
  const cases: Array<[number, string]> = [[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [11, '11th'], [12, '12th'], [13, '13th'],
    [21, '21st'], [101, '101st'], [111, '111th'], [1000000, '1,000,000th'], [2000002, '2,000,002nd']];
  for (const [n, text] of cases) t.equal(ordinal(n), text, String(n));
});

t.test('stage text: where and why for errors, the cache, and the attempt of a retried job', async (t) => {
  const job = { id: 1, n: 10, stage: 'registered' as const, progress: 0, attempts: 0, digit: null, error: null, errorStage: null, fromCache: false, createdAt: 1, startedAt: null, finishedAt: null, updatedAt: 1 };
  t.equal(stageText(job), 'registered', 'a new job');
  t.equal(stageText({ ...job, attempts: 1 }), 'registered (attempt 2)', 'waiting for its second attempt after a worker failed');
  t.equal(stageText({ ...job, stage: 'taken', attempts: 1 }), 'taken', 'a first attempt says nothing more');
  t.equal(stageText({ ...job, stage: 'taken', attempts: 3 }), 'taken (attempt 3)');
  t.equal(stageText({ ...job, stage: 'stored', attempts: 2 }), 'stored', 'an ended job: no attempt');
  t.equal(stageText({ ...job, stage: 'stored', fromCache: true }), 'stored (from cache)');
  t.equal(stageText({ ...job, stage: 'error', errorStage: 'taken', error: 'boom', attempts: 3 }), 'error at taken: boom');
});
