// End to end, in a real browser: the real server (node dist/app/main.js, 2 workers, a temp database) and Debian's
// Chromium driven by playwright-core. Run with `make e2e` (or `npx tap tests/e2e/browser.e2e.ts` after a build).
// Named .e2e.ts so `make test` (tests/**/*.test.ts) does not pick it up.
//
// Covers: a job submitted through the form goes live to "stored" with the right n-th decimal without a reload;
// a job made elsewhere (the API) shows up by itself; every cell follows a job message by the server's text rules
// (messages spoken to the page by the test through a routed /ws); the digits page and its <mark>; a pending /pi/N
// page reloads itself when the job is stored (by message, and by resync after being cut off); a server restart
// (badge offline, then online, same port and database) and the resync that brings a job made meanwhile; rejected
// input (the #n-error message, no new row); narrow screens; no script errors and no CSP violations throughout.
// No timing assertions: every wait has a generous timeout and nothing more.
//
// Page code is passed to the browser as strings: the tests' tsconfig has no DOM types.

import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/app/main.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'tests/e2e/output');
const PI = readFileSync(join(ROOT, 'tests/fixtures/pi-100k.txt'), 'latin1').trim(); // "3." and 100,000 decimals
const PI_TABLE = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/pi-sha256.json'), 'utf8')) as Array<{ n: number; digit: number }>;
const decimal = (n: number): string => {
  if (n <= 100_000) return PI[n + 1]!;
  const row = PI_TABLE.find((r) => r.n === n);
  if (!row) throw new Error(`no reference digit for n=${n}`);
  return String(row.digit);
};

const WAIT = 30_000; // the longest any one wait may take (reconnect backoff tops out at 15 s ±50%)

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -p tsconfig.json, or make e2e)`);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (make e2e does it)`);

rmSync(OUTPUT, { recursive: true, force: true }); // screenshots of this run only
mkdirSync(OUTPUT, { recursive: true });

// ---- the server, as a child process ----

interface Server {
  proc: ChildProcess;
  port: number;
  url: string;
  log: string[];
}

const tmp = mkdtempSync(join(tmpdir(), 'rawpi-e2e-'));
const databaseUrl = join(tmp, 'db.sqlite');

function startServer(port: number): Promise<Server> {
  const proc = spawn(process.execPath, [MAIN, '--port', String(port), '--database-url', databaseUrl, '--workers', '2', '--no-access-log'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server did not start in time:\n${log.join('\n')}`));
    }, WAIT);
    let buffered = '';
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        const m = /rawpi listening on (http:\/\/[^\s]+:(\d+))/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ proc, port: Number(m[2]), url: m[1]!, log });
        }
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${log.join('\n')}`));
    });
  });
}

function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.proc.once('exit', () => resolve());
    s.proc.kill('SIGTERM');
  });
}

async function api(s: Server, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(s.url + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

async function waitForJob(s: Server, n: number, stage: string): Promise<any> {
  const deadline = Date.now() + WAIT * 4;
  for (;;) {
    const { status, json } = await api(s, 'GET', `/api/jobs/${n}`);
    if (status === 200 && json.stage === stage) return json;
    if (Date.now() > deadline) throw new Error(`job n=${n} did not reach ${stage}: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the browser ----

let server = await startServer(0);
const PORT = server.port;
const browser: Browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
const page: Page = await context.newPage();

// A gate on /ws, so a test can keep the page disconnected on purpose while the real server is up.
// Open, the page talks to the real server (closing either side closes the other); shut, every attempt is refused.
// The page side of the open socket is kept too, so a test can also speak to the page as the server would.
let wsGateOpen = true;
let pageSocket: WebSocketRoute | null = null;
await page.routeWebSocket(/\/ws$/, (ws) => {
  if (!wsGateOpen) {
    ws.close({ code: 1013, reason: 'gate shut by the test' });
    return;
  }
  ws.connectToServer();
  pageSocket = ws;
});

// Script errors and CSP violations fail the run; failed WebSocket attempts while the server is down are expected.
const problems: string[] = [];
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
});
let navigations = 0;
page.on('framenavigated', (f) => {
  if (f === page.mainFrame()) navigations++;
});

t.teardown(async () => {
  await browser.close().catch(() => {});
  await stopServer(server);
  rmSync(tmp, { recursive: true, force: true });
});

const status = page.locator('#live-status');
const rows = page.locator('table#jobs tbody tr');
const row = (n: number) => page.locator(`table#jobs tbody tr[data-n="${n}"]`);

async function expectRowStored(t: Test, n: number): Promise<void> {
  await page.waitForSelector(`table#jobs tbody tr[data-n="${n}"][data-stage="stored"]`, { timeout: WAIT * 4 });
  t.match(await row(n).locator('td.stage').textContent(), /^stored( \(from cache\))?$/, `n=${n}: the stage cell says stored`);
  t.match(await row(n).locator('td.stage').getAttribute('class'), /\bstage-stored\b/, `n=${n}: the stage class is stage-stored`);
  t.equal(await row(n).locator('td.progress').textContent(), 'done', `n=${n}: progress says done`);
  t.equal(await row(n).locator('td.digit').textContent(), decimal(n), `n=${n}: the ${n}th decimal is ${decimal(n)}`);
  t.match(await row(n).locator('td.time').textContent(), /^\d+ ms$|^\d+\.\d\d s$/, `n=${n}: the time is shown`);
}

// ---- the tests, in order: they share the server, the database and the page ----

t.test('the index page goes live', async (t) => {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  t.equal(await page.getAttribute('body', 'data-page'), 'index');
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  t.match(await status.textContent(), /on/, 'the badge says live updates are on');
  t.equal(await rows.count(), 0, 'no jobs yet');
  t.equal(await page.locator('footer code.telnet').textContent(), `telnet 127.0.0.1 ${PORT}`, 'the telnet hint names this server');
});

t.test('a job submitted through the form reaches stored, live, without a reload', async (t) => {
  await page.fill('#n', '5000');
  await Promise.all([page.waitForEvent('load'), page.click('button[type="submit"]')]);
  t.equal(new URL(page.url()).pathname, '/', 'redirected to /');
  // The POST navigated (303 to /); from here on the page must not navigate again.
  await page.evaluate('window.__noReload = 1');
  const before = navigations;
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  await expectRowStored(t, 5000);

  // A job made elsewhere (another tab, the API) appears by itself and goes live too.
  const made = await api(server, 'POST', '/api/jobs', { n: 100_000 });
  t.equal(made.status, 201, 'the API made a job');
  await expectRowStored(t, 100_000);
  // Smaller than a stored job: answered from the stored digits.
  t.equal((await api(server, 'POST', '/api/jobs', { n: 1234 })).status, 201);
  await expectRowStored(t, 1234);
  t.equal(await row(1234).locator('td.stage').textContent(), 'stored (from cache)');

  t.equal(await page.evaluate('window.__noReload'), 1, 'the marker survived: no reload');
  t.equal(navigations, before, 'no navigation since the submit');
  t.same(await rows.evaluateAll((trs) => trs.map((tr) => (tr as any).dataset.n)), ['1234', '100000', '5000'], 'newest first');

  const shot = join(OUTPUT, 'table.png');
  await page.locator('section.jobs').screenshot({ path: shot, animations: 'disabled' });
  await page.screenshot({ path: join(OUTPUT, 'index.png'), fullPage: true, animations: 'disabled' });
  t.comment(`screenshot of the table: ${shot}`); // shown by --reporter=tap; `make e2e` prints the path too
});

t.test('each field of a job message lands in its cell, by the same text rules as the server', async (t) => {
  const real = (await api(server, 'GET', '/api/jobs/5000')).json;
  const { events: _events, ...job } = real;
  const cells = async () => Object.fromEntries(await Promise.all(['stage', 'progress', 'digit', 'time'].map(async (c) => [c, await row(5000).locator(`td.${c}`).textContent()])));
  /** Sends the page one job change, as the server would, and waits until the row shows `expected` (or gives up). */
  const say = async (change: Record<string, unknown>, expected: Record<string, string>, message: string) => {
    pageSocket!.send(JSON.stringify({ type: 'jobs', jobs: [{ ...job, ...change }] }));
    const deadline = Date.now() + WAIT;
    let shown = await cells();
    while (JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      shown = await cells();
    }
    t.same(shown, expected, message);
    t.equal(await row(5000).getAttribute('data-stage'), change.stage, `${message}: data-stage`);
    t.equal(await row(5000).locator('td.stage').getAttribute('class'), `stage stage-${String(change.stage)}`, `${message}: the stage class`);
  };
  const running = { digit: null, duration_ms: null, finished_at: null, from_cache: false };

  await say({ ...running, stage: 'taken', progress: 0.42 }, { stage: 'taken', progress: '42%', digit: '', time: '' }, 'running: a progress bar, no digit, no time');
  t.equal(Number(await row(5000).locator('td.progress progress').getAttribute('value')), 0.42, 'the bar is at 42%');
  await say({ ...running, stage: 'calculated', progress: 1 }, { stage: 'calculated', progress: '100%', digit: '', time: '' }, 'the same bar moves on');
  await say({ ...running, stage: 'registered', progress: 0, attempts: 1 }, { stage: 'registered (attempt 2)', progress: '0%', digit: '', time: '' }, 'back in the queue after a worker failed: the attempt it waits for');

  const failed = { digit: null, from_cache: false };
  await say({ ...failed, stage: 'error', error_stage: 'calculated', error: 'worker <b>exited</b> & gave up', duration_ms: 1234 },
    { stage: 'error at calculated: worker <b>exited</b> & gave up', progress: '', digit: '', time: '1.23 s' }, 'error: where and why, in seconds');
  t.equal(await row(5000).locator('b').count(), 0, 'message text is text, never markup');
  await say({ ...failed, stage: 'error', error_stage: null, error: null, duration_ms: 999 },
    { stage: 'error at unknown stage: no message', progress: '', digit: '', time: '999 ms' }, 'error without details, in ms');
  await say({ ...failed, stage: 'cancelled', error_stage: null, error: null, duration_ms: 58 },
    { stage: 'cancelled', progress: '', digit: '', time: '58 ms' }, 'cancelled');
  await say({ stage: 'stored', from_cache: true, digit: 7, duration_ms: 12 },
    { stage: 'stored (from cache)', progress: 'done', digit: '7', time: '12 ms' }, 'stored from the cache');

  // The truth comes back with the next resync: drop the page's socket; it reconnects by itself.
  pageSocket!.close({ code: 1012, reason: 'the test hangs up' });
  await page.waitForSelector(`#job-${job.id} td.digit:text-is("${decimal(5000)}")`, { timeout: WAIT });
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  await expectRowStored(t, 5000);
  t.equal(await row(5000).locator('td.stage').textContent(), 'stored', 'computed, not from cache');
  t.equal(await page.evaluate('window.__noReload'), 1, 'still no reload');
});

t.test('the digits page shows the decimals and highlights the n-th', async (t) => {
  await Promise.all([page.waitForURL('**/pi/5000'), row(5000).locator('td.link a').click()]);
  t.equal(await page.getAttribute('body', 'data-page'), 'pi');
  const text = (await page.locator('#digits').textContent())!;
  t.ok(text.startsWith('3.1415926535 8979323846'), 'starts with 3.1415926535, in groups of 10');
  t.equal(text.replace(/\s+/g, ''), PI.slice(0, 5002), 'the 5000 decimals, exactly');
  const lines = text.split('\n');
  t.equal(lines.length, 50, '100 decimals a line');
  t.equal(lines[1]!.split(' ').length, 10, 'ten groups a line');
  const mark = page.locator('#digits mark#nth');
  t.equal(await mark.textContent(), decimal(5000), 'the <mark> holds the 5000th decimal');
  t.equal(await mark.getAttribute('title'), 'decimal 5000');
  t.ok(text.endsWith(decimal(5000)), 'the mark is the last decimal');
  await page.locator('#digits').screenshot({ path: join(OUTPUT, 'digits.png') });
});

t.test('a pending /pi/N page reloads itself when the job is stored', async (t) => {
  const n = 1_000_000; // a few seconds of work: long enough to open the page first
  const pending = async () => (await page.getAttribute('body', 'data-page')) === 'pi-pending';
  t.equal((await api(server, 'POST', '/api/jobs', { n })).status, 201);
  await page.goto(`http://127.0.0.1:${PORT}/pi/${n}`);
  if (await pending()) {
    t.equal(await page.locator(`table#jobs.single tbody tr[data-n="${n}"]`).count(), 1, 'the pending page has its one-row table');
    await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
    await page.screenshot({ path: join(OUTPUT, 'pending.png'), animations: 'disabled' });

    // The message path: a "stored" message for the job reloads the page (sent by the test: the job is still running).
    await page.evaluate('window.__beforeReload = 1');
    const id = Number((await page.locator('table#jobs tbody tr').getAttribute('id'))!.slice('job-'.length));
    const { events: _events, ...job } = (await api(server, 'GET', `/api/jobs/${n}`)).json;
    await Promise.all([page.waitForEvent('load', { timeout: WAIT }), pageSocket!.send(JSON.stringify({ type: 'jobs', jobs: [{ ...job, id, stage: 'stored' }] }))]);
    t.equal(await page.evaluate('window.__beforeReload'), undefined, 'a stored message reloads the page');
  } else {
    t.comment('the job finished before the page opened: the message path was not exercised');
  }
  if (await pending()) {
    // The resync path: the job finishes while the page is cut off; on reconnect the page finds out and reloads.
    await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
    wsGateOpen = false;
    pageSocket!.close({ code: 1012, reason: 'cut off by the test' });
    await page.waitForSelector('#live-status[data-state="offline"]', { timeout: WAIT });
    await waitForJob(server, n, 'stored');
    t.ok(await pending(), 'cut off, the page has not heard that the job is stored');
    wsGateOpen = true;
    await page.waitForSelector('body[data-page="pi"]', { timeout: WAIT });
    t.pass('reconnected, it resynced and reloaded');
  } else {
    t.comment('the job finished before the page reloaded: the resync path was not exercised');
  }
  t.equal(await page.getAttribute('body', 'data-page'), 'pi', 'now the digits page');
  await page.waitForSelector('#digits mark#nth', { state: 'attached', timeout: WAIT * 2 }); // the end of a 1 MB stream
  t.equal((await api(server, 'GET', `/api/jobs/${n}`)).json.digit, Number(decimal(n)), `the API agrees: the ${n}th decimal is ${decimal(n)}`);
  t.equal(await page.locator('#digits mark#nth').textContent(), decimal(n), `the ${n}th decimal is highlighted`);
  t.equal(await page.locator('#digits mark#nth').getAttribute('title'), `decimal ${n}`);
});

t.test('a pending /pi/N page whose job is cancelled shows the end, and its button runs the job again', async (t) => {
  const n = 3_000_000; // seconds of work: it is still running when the page opens
  t.equal((await api(server, 'POST', '/api/jobs', { n })).status, 201);
  await page.goto(`http://127.0.0.1:${PORT}/pi/${n}`);
  if ((await page.getAttribute('body', 'data-page')) !== 'pi-pending') {
    t.comment('the job finished before the page opened: nothing to cancel');
    return;
  }
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  const cancelled = await api(server, 'DELETE', `/api/jobs/${n}`);
  if (cancelled.status !== 200) {
    t.comment('the job finished before the cancel');
    return;
  }
  await page.waitForSelector('body[data-page="pi-ended"]', { timeout: WAIT });
  t.pass('the cancel reloaded the page');
  t.match(await page.locator('main').textContent(), /The job was cancelled\. No decimals were stored\./);

  // The resync path: submitted again while the page is cut off; on reconnect the page finds out and reloads.
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  wsGateOpen = false;
  pageSocket!.close({ code: 1012, reason: 'cut off by the test' });
  await page.waitForSelector('#live-status[data-state="offline"]', { timeout: WAIT });
  t.equal((await api(server, 'POST', '/api/jobs', { n })).status, 202, 'submitted again');
  wsGateOpen = true;
  await page.waitForSelector('body[data-page="pi-pending"]', { timeout: WAIT });
  t.pass('reconnected, it resynced and reloaded to the pending page');
  t.equal((await api(server, 'DELETE', `/api/jobs/${n}`)).status, 200, 'cancelled again');
  await page.waitForSelector('body[data-page="pi-ended"]', { timeout: WAIT });
  await Promise.all([page.waitForURL(`http://127.0.0.1:${PORT}/`, { timeout: WAIT }), page.click('main form button[type="submit"]')]);
  t.not((await api(server, 'GET', `/api/jobs/${n}`)).json.stage, 'cancelled', 'the button submitted n again: the job runs');
  t.equal((await api(server, 'DELETE', `/api/jobs/${n}`)).status, 200, 'cancelled again, to leave the workers free');
});

t.test('a server restart: the badge goes offline, then online, and the table resyncs', async (t) => {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  await page.evaluate('window.__noReload = 2');
  const countBefore = await rows.count();

  await stopServer(server);
  await page.waitForSelector('#live-status[data-state="offline"], #live-status[data-state="connecting"]', { timeout: WAIT });
  t.pass(`the badge left online: "${await status.textContent()}"`);
  await page.waitForSelector('#live-status[data-state="offline"]', { timeout: WAIT });
  t.match(await status.textContent(), /off/, 'the badge says live updates are off');

  // Back on the same port and database, but the page is kept off /ws while a job is made and finished,
  // so the only way the page can learn of it is the resync on reconnect.
  wsGateOpen = false;
  server = await startServer(PORT);
  t.equal(server.port, PORT, 'the same port');
  t.equal((await api(server, 'POST', '/api/jobs', { n: 777 })).status, 201, 'a job made while the page is disconnected');
  await waitForJob(server, 777, 'stored');
  t.equal(await row(777).count(), 0, 'the page does not know it yet');
  t.not(await status.getAttribute('data-state'), 'online', 'and is not online');

  wsGateOpen = true;
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  t.pass('back online');
  await expectRowStored(t, 777);
  t.equal(await rows.count(), countBefore + 1, 'one more row, the rest kept');
  t.equal(await page.evaluate('window.__noReload'), 2, 'resynced without a reload');

  // And live again: a job made now arrives over the socket.
  t.equal((await api(server, 'POST', '/api/jobs', { n: 20_000 })).status, 201);
  await expectRowStored(t, 20_000);
});

t.test('bad input: the server says why, and no row is added', async (t) => {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  const count = await rows.count();
  const jobsBefore = (await api(server, 'GET', '/api/jobs?limit=50')).json.jobs.length;
  for (const [bad, message] of [['abc', /whole number/], ['0', /at least 1/]] as const) {
    await page.fill('#n', bad);
    await Promise.all([page.waitForEvent('load'), page.click('button[type="submit"]')]);
    const error = page.locator('#n-error');
    await error.waitFor({ state: 'visible', timeout: WAIT });
    t.match(await error.textContent(), message, `n=${bad}: the message says why`);
    t.equal(await error.getAttribute('role'), 'alert');
    t.equal(await page.inputValue('#n'), bad, `n=${bad}: the input keeps what was typed`);
    await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
    t.equal(await rows.count(), count, `n=${bad}: no new row`);
  }
  await page.screenshot({ path: join(OUTPUT, 'error.png'), fullPage: true });
  t.equal((await api(server, 'GET', '/api/jobs?limit=50')).json.jobs.length, jobsBefore, 'and no new job in the API');
});

t.test('narrow screens', async (t) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.waitForSelector('#live-status[data-state="online"]', { timeout: WAIT });
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  t.equal(overflow, 0, 'the page does not scroll sideways');
  await page.screenshot({ path: join(OUTPUT, 'narrow.png'), fullPage: true });
  await page.goto(`http://127.0.0.1:${PORT}/pi/5000`);
  t.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'nor do the digits');
  await page.setViewportSize({ width: 1100, height: 800 });
});

t.test('no script errors, no CSP violations', async (t) => {
  t.same(problems, []);
});
