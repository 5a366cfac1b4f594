// Fault scenarios against the real server (dist/app/main.js, or app/main.ts under tap), each a function that
// returns a Report of named checks and measurements:
//
//   killWorker    kill -9 a worker in the middle of a 10^6-digit job: stored exactly once, correct digits
//   killMaster    kill -9 the master while jobs run, start it again: nothing lost or duplicated, no orphan
//   sigterm       SIGTERM while autocannon (and an accounting client) load `/`: no request fails, exit 0
//   dbLocked      another process holds BEGIN EXCLUSIVE for 3 s: writes wait or 503, reads go on, nothing lost
//   dbLockedLong  the same for 8 s, longer than the server's 5 s lock timeout (--db-lock-timeout)
//   diskFull      the database's file system fills up (tmpfs, needs root), then frees: 503, no crash loop
//   dbRemoved     the database file is deleted at run time: a clear error and 503, no crash loop
//
//   node dist/bench/reliability/faults.js [scenario ...]

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Report } from './lib/checks.js';
import { eventCounts, inspectDb, tableNames } from './lib/db-inspect.js';
import { holdExclusiveLock } from './lib/locker.js';
import { keepAliveLoad } from './lib/load.js';
import { percentile } from './lib/metrics.js';
import { fixturePath, isMain } from './lib/paths.js';
import { getJob, http, isAlive, listJobs, poll, postJob, sleep, startRawpi, waitGone, type HttpResult, type JobView, type RawpiProcess } from './lib/rawpi-process.js';

const TERMINAL = new Set(['stored', 'error', 'cancelled']);

/** sha256 of "3." + the first n decimals, from tests/fixtures/pi-sha256.json (n = 1, 10, ..., 10^7). */
export function referenceSha(n: number): string | undefined {
  const table = JSON.parse(readFileSync(fixturePath('pi-sha256.json'), 'utf8')) as Array<{ n: number; sha256: string }>;
  return table.find((r) => r.n === n)?.sha256;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'latin1').digest('hex');

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rawpi-${prefix}-`));
}

async function waitTerminal(port: number, n: number, ms: number): Promise<JobView> {
  return poll(`job n=${n} to end`, async () => {
    const j = await getJob(port, n);
    return j && TERMINAL.has(j.stage) ? j : undefined;
  }, ms, 250);
}

interface Timed { status: number | string; ms: number; text: string; retryAfter: string | null; endedAt: number }

/** One request's status, duration, start of its body, Retry-After, and when it ended (performance.now()). */
async function timed(f: () => Promise<HttpResult>): Promise<Timed> {
  const t0 = performance.now();
  try {
    const r = await f();
    return { status: r.status, ms: Math.round(performance.now() - t0), text: r.text.slice(0, 300), retryAfter: r.headers.get('retry-after'), endedAt: performance.now() };
  } catch (err) {
    return { status: `failed: ${(err as Error).message}`, ms: Math.round(performance.now() - t0), text: '', retryAfter: null, endedAt: performance.now() };
  }
}

// --- kill -9 a worker mid-job ---

export async function killWorker(opts: { n?: number; killAtPercent?: number } = {}): Promise<Report> {
  const n = opts.n ?? 1_000_000;
  const report = new Report(`kill -9 a worker in the middle of a ${n.toLocaleString('en-US')}-digit job`);
  const expected = referenceSha(n);
  if (expected === undefined) throw new Error(`no reference sha256 for n=${n}`);
  const dir = tempDir('killworker');
  const dbPath = join(dir, 'db.sqlite');
  const server = await startRawpi({ databaseUrl: dbPath, workers: 1 });
  try {
    report.check('POST /api/jobs creates the job (201)', (await postJob(server.port, n)).status === 201);
    const at = opts.killAtPercent ?? 30;
    const m = await server.waitForLog(new RegExp(`worker (\\d+) job \\d+ progress (${at}|[${Math.floor(at / 10) + 1}-9]0)%`), 120_000);
    const workerId = m[1]!;
    const pid = Number(new RegExp(`worker ${workerId} \\(pid (\\d+)\\) spawned`).exec(server.log())![1]);
    const before = await getJob(server.port, n);
    report.measure('killed at', `worker ${workerId} (pid ${pid}), job at ${Math.round((before?.progress ?? 0) * 100)}% (stage ${before?.stage})`);
    process.kill(pid, 'SIGKILL');
    const t0 = performance.now();
    await server.waitForLog(/crashed: killed by SIGKILL/, 10_000).catch(() => null);
    const job = await waitTerminal(server.port, n, 300_000);
    report.measure('recovered in', `${((performance.now() - t0) / 1000).toFixed(1)} s after the kill`);
    report.check('the job ends stored', job.stage === 'stored', job);
    report.check('it took a second attempt', job.attempts === 2, `attempts ${job.attempts}`);
    report.check('the killed worker is gone', !isAlive(pid));
    report.check('a new worker replaced it', /replaced by worker \d+/.test(server.log()));
    const text = await http(server.port, 'GET', `/pi/${n}.txt`, { ms: 60_000 });
    report.check(`/pi/${n}.txt is 200`, text.status === 200, text.status);
    report.check(`/pi/${n}.txt is "3." and exactly ${n} decimals`, text.text.length === n + 2 && text.text.startsWith('3.'), `length ${text.text.length}`);
    report.check(`sha256 matches the reference (${expected.slice(0, 12)}...)`, sha256(text.text) === expected, sha256(text.text));
    const full = await getJob(server.port, n);
    const kinds = (full?.events ?? []).map((e) => e.kind);
    report.measure('events', kinds.join(' > '));
    report.check('exactly one "stored" event', kinds.filter((k) => k === 'stored').length === 1, kinds);
    report.check('one "retried" event naming the SIGKILL', (full?.events ?? []).filter((e) => e.kind === 'retried' && /SIGKILL/.test(e.detail ?? '')).length === 1, full?.events);
    report.check('one job in the list', (await listJobs(server.port)).length === 1);
    const exit = await server.stop();
    report.check('the server exits 0 on SIGTERM', exit.code === 0, exit);
    const snap = inspectDb(dbPath);
    report.check('in the file: one job, stored once', snap.jobs.length === 1 && eventCounts(snap, 'stored').get(snap.jobs[0]!.id) === 1, snap.jobs);
    report.check(`in the file: the digit chunks are contiguous and hold ${n} decimals`, snap.chunks.contiguous && snap.chunks.decimals === n, snap.chunks);
    return report;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- kill -9 the master, start again ---

export async function killMaster(opts: { ns?: number[]; workers?: number } = {}): Promise<Report> {
  // The 10^6 job is the reference for the others: each smaller n must be its prefix.
  const ns = opts.ns ?? [300_000, 1_000_000, 200_000, 100_000, 50_000, 150_000, 10_000, 250_000];
  const report = new Report(`kill -9 the master while ${ns.length} jobs run, then start it again`);
  const dir = tempDir('killmaster');
  const dbPath = join(dir, 'db.sqlite');
  const first = await startRawpi({ databaseUrl: dbPath, workers: opts.workers ?? 2 });
  let second: RawpiProcess | null = null;
  try {
    for (const n of ns) report.check(`submit n=${n}`, (await postJob(first.port, n)).status === 201);
    // Wait until every worker holds a job and the largest one is under way.
    await first.waitForLog(/worker \d+ job \d+ progress [1-9]0%/, 120_000);
    const running = (await listJobs(first.port)).filter((j) => !TERMINAL.has(j.stage) && j.stage !== 'registered');
    const workerPids = first.workerPids();
    report.measure('at the kill', `${running.length} job(s) running, ${(await listJobs(first.port)).filter((j) => j.stage === 'stored').length} stored; worker pids ${workerPids.join(', ')}`);
    report.check('jobs were running at the kill', running.length > 0, running);
    report.check('the logged workers were alive before the kill', workerPids.length > 0 && workerPids.every(isAlive), workerPids);
    process.kill(first.pid, 'SIGKILL');
    const exit = await first.exited;
    report.check('the master died of SIGKILL', exit.signal === 'SIGKILL', exit);
    const t0 = performance.now();
    const orphans = await waitGone(workerPids, 10_000);
    report.measure('workers gone after', `${Math.round(performance.now() - t0)} ms`);
    report.check('no orphan worker left (all logged pids exit within 10 s)', orphans.length === 0, `alive: ${orphans.join(', ')}`);
    const mid = inspectDb(dbPath);
    report.measure('left in the file', mid.jobs.map((j) => `${j.n}:${j.stage}`).join(' '));

    second = await startRawpi({ databaseUrl: dbPath, workers: opts.workers ?? 2 });
    const requeued = /re-queued (\d+) unfinished job/.exec(second.log());
    report.measure('the second run', requeued ? `re-queued ${requeued[1]} unfinished job(s)` : 're-queued none');
    const jobs = await poll('every job to end', async () => {
      const all = await listJobs(second!.port);
      return all.every((j) => TERMINAL.has(j.stage)) ? all : undefined;
    }, 300_000, 500);
    report.check(`${ns.length} jobs, none lost`, jobs.length === ns.length && ns.every((n) => jobs.some((j) => j.n === n)), jobs.map((j) => j.n));
    report.check('no job duplicated', new Set(jobs.map((j) => j.n)).size === jobs.length);
    report.check('every job stored or error', jobs.every((j) => j.stage === 'stored' || j.stage === 'error'), jobs.map((j) => `${j.n}:${j.stage}`));
    report.check('every job stored (none needed to fail)', jobs.every((j) => j.stage === 'stored'), jobs.filter((j) => j.stage !== 'stored'));
    const largest = Math.max(...ns);
    const ref = await http(second.port, 'GET', `/pi/${largest}.txt`, { ms: 60_000 });
    const refSha = referenceSha(largest);
    report.check(`/pi/${largest}.txt matches the reference sha256`, refSha !== undefined && sha256(ref.text) === refSha, sha256(ref.text));
    const wrong: number[] = [];
    for (const n of ns) {
      const r = await http(second.port, 'GET', `/pi/${n}.txt`, { ms: 60_000 });
      if (r.text !== ref.text.slice(0, n + 2)) wrong.push(n);
    }
    report.check('every stored job gives the right digits', wrong.length === 0, wrong);
    const secondPids = second.workerPids();
    const exit2 = await second.stop();
    report.check('the second run exits 0 on SIGTERM', exit2.code === 0, exit2);
    report.check('and leaves no worker', (await waitGone(secondPids, 10_000)).length === 0);
    const snap = inspectDb(dbPath);
    const stored = eventCounts(snap, 'stored');
    report.check('in the file: each job has exactly one "stored" event', snap.jobs.every((j) => stored.get(j.id) === 1), [...stored]);
    report.check('in the file: the digit chunks are contiguous', snap.chunks.contiguous && snap.chunks.decimals === largest, snap.chunks);
    return report;
  } finally {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    await second?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- SIGTERM under load ---

interface AutocannonResult { errors: number; timeouts: number; non2xx: number; resets: number; '2xx': number; requests: { sent: number; total: number }; statusCodeStats: Record<string, { count: number }> }
interface AutocannonInstance { on(event: 'reqError', f: (err: Error & { code?: string }) => void): void; on(event: 'response', f: (...args: unknown[]) => void): void; stop(): void }
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

export async function sigterm(opts: { connections?: number; accountingConnections?: number; loadBeforeMs?: number; shutdownTimeoutMs?: number; seedJobs?: number } = {}): Promise<Report> {
  const connections = opts.connections ?? 50;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 10_000;
  const report = new Report(`SIGTERM while autocannon (${connections} connections) loads /`);
  const dir = tempDir('sigterm');
  const server = await startRawpi({ databaseUrl: join(dir, 'db.sqlite'), workers: 0, args: ['--shutdown-timeout', String(shutdownTimeoutMs)] });
  try {
    for (let i = 1; i <= (opts.seedJobs ?? 40); i++) await postJob(server.port, i * 1000); // a table to render
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    const errorCodes: Record<string, number> = {};
    let responses = 0;
    // Responses autocannon received that said the connection closes (its HTTP parser's shouldKeepAlive is false).
    let closeResponses = 0;
    const setupClient = (client: { on(event: 'headers', f: (info: { shouldKeepAlive?: boolean }) => void): void }) => {
      client.on('headers', (info) => { if (info.shouldKeepAlive === false) closeResponses++; });
    };
    const done = new Promise<AutocannonResult>((resolve, reject) => {
      const inst = autocannon({ url: `${server.url}/`, connections, duration: 60, pipelining: 1, timeout: 20, setupClient }, (err, result) => (err ? reject(err) : resolve(result)));
      inst.on('reqError', (err) => { const code = err.code ?? err.message; errorCodes[code] = (errorCodes[code] ?? 0) + 1; });
      inst.on('response', () => { responses++; });
      // Stop as soon as the server is gone: after that every attempt is a refused connection.
      void server.exited.then(() => setTimeout(() => inst.stop(), 200));
    });
    const accounting = keepAliveLoad(server.port, '/', opts.accountingConnections ?? 8);
    // The same client, but deaf to Connection: close as autocannon is: shows what happens to such a client's requests.
    const deaf = keepAliveLoad(server.port, '/', opts.accountingConnections ?? 8, { ignoreClose: true });
    await sleep(opts.loadBeforeMs ?? 3000);
    const beforeSignal = responses;
    const t0 = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const exitMs = performance.now() - t0;
    const result = await done;
    const acc = await accounting.stop();
    const deafStats = await deaf.stop();
    report.measure('before SIGTERM', `${beforeSignal} autocannon responses in ${opts.loadBeforeMs ?? 3000} ms`);
    report.measure('exit', `code ${exit.code} ${Math.round(exitMs)} ms after SIGTERM (shutdown timeout ${shutdownTimeoutMs} ms)`);
    report.check('the process exits 0', exit.code === 0, exit);
    report.check('within the shutdown timeout', exitMs < shutdownTimeoutMs + 2000, `${Math.round(exitMs)} ms`);
    const refusedAc = (errorCodes.ECONNREFUSED ?? 0);
    const otherErrors = Object.entries(errorCodes).filter(([c]) => c !== 'ECONNREFUSED');
    // autocannon writes a request on every new connection; a refused connection counts one request sent and
    // one error: those requests never reached the server. Requests lost on a FIN are not counted as errors by
    // autocannon (it reconnects silently), so they show up only as sent - answered - errors - connections
    // (when autocannon stops, each connection has one request outstanding: checked on a run without SIGTERM,
    // where sent - answered - errors = connections exactly).
    const lostSilently = result.requests.sent - responses - result.errors - connections;
    report.measure('autocannon', { sent: result.requests.sent, responses, non2xx: result.non2xx, errors: result.errors, errorCodes, timeouts: result.timeouts, refusedNewConnections: refusedAc, lostOnFin: lostSilently, closeResponses });
    report.check('autocannon: no non-2xx response', result.non2xx === 0, result.statusCodeStats);
    report.check('autocannon: no error other than refused new connections (after the listener closed)', otherErrors.length === 0, otherErrors);
    report.check('autocannon: no timeout', result.timeouts === 0);
    // autocannon ignores Connection: close: it writes its next request on the connection the server just said it
    // would close (RFC 9112 9.6: a client must not), and that request meets the FIN. So each close response can
    // cost it that one request, and nothing else may be lost: a server that closed connections without a close
    // response (or without answering) fails here. The deaf accounting client below shows the mechanism.
    report.check('autocannon: no request lost but one written after each Connection: close response it got (sent - answered - errors - connections ≤ close responses)', lostSilently <= closeResponses, { lostSilently, closeResponses });
    report.measure('accounting client', { sent: acc.sent, answered: acc.answered, withConnectionClose: acc.answeredWithClose, byStatus: acc.byStatus, closedBeforeAnyByte: acc.closedIdleBeforeAnswer, truncated: acc.unansweredFin, reset: acc.unansweredReset, refusedNewConnections: acc.refused, p99ms: Math.round(percentile(acc.latenciesMs, 99)) });
    report.check('accounting client: every request written got a whole response', acc.sent === acc.answered, { sent: acc.sent, answered: acc.answered, closedBeforeAnyByte: acc.closedIdleBeforeAnswer, truncated: acc.unansweredFin, reset: acc.unansweredReset });
    report.check('accounting client: the last responses carried Connection: close', acc.answeredWithClose > 0, acc.answeredWithClose);
    report.check('accounting client: only 200s', Object.keys(acc.byStatus).every((s) => s === '200'), acc.byStatus);
    const deafLost = deafStats.sent - deafStats.answered;
    report.measure('accounting client deaf to Connection: close (as autocannon)', { sent: deafStats.sent, answered: deafStats.answered, withConnectionClose: deafStats.answeredWithClose, sentAfterClose: deafStats.sentAfterClose, lost: deafLost, lostAfterClose: deafStats.lostAfterClose });
    report.check('deaf client: every request it lost was written after the server\'s Connection: close; every other one was answered', deafStats.answeredWithClose > 0 && deafLost === deafStats.lostAfterClose, { lost: deafLost, lostAfterClose: deafStats.lostAfterClose, sentAfterClose: deafStats.sentAfterClose });
    report.check('the log says it shut down gracefully', /SIGTERM: shutting down gracefully/.test(server.log()));
    const connectionLines = server.log().split('\n').filter((l) => /^connection #/.test(l));
    report.measure('connection errors logged', `${connectionLines.length}${connectionLines.length > 0 ? `, e.g. ${connectionLines[0]}` : ''}`);
    return report;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- the database locked by another process ---

/**
 * `args`: more server flags, e.g. ['--db-lock-timeout', '1000'] to give up sooner than the lock lasts.
 * `runningN`: the job a worker computes when the lock is taken (10^6: a few seconds, so it is still computing).
 */
export async function dbLocked(opts: { lockMs?: number; args?: string[]; runningN?: number } = {}): Promise<Report> {
  const lockMs = opts.lockMs ?? 3000;
  const args = opts.args ?? [];
  const report = new Report(`the database locked (BEGIN EXCLUSIVE) by another process for ${lockMs} ms${args.length > 0 ? ` (server ${args.join(' ')})` : ''}`);
  const dir = tempDir('dblocked');
  const dbPath = join(dir, 'db.sqlite');
  const server = await startRawpi({ databaseUrl: dbPath, workers: 1, args });
  try {
    report.check('a first job is stored', (await postJob(server.port, 1000)).status === 201 && (await waitTerminal(server.port, 1000, 60_000)).stage === 'stored');
    const running = opts.runningN ?? 1_000_000;
    await postJob(server.port, running); // a worker computing (and writing progress) through the lock
    await server.waitForLog(/job \d+ progress/, 60_000).catch(() => null);
    const lock = await holdExclusiveLock(dbPath, lockMs);
    const atLock = await getJob(server.port, running); // a read: answered during the lock
    report.measure(`job n=${running} when the lock was taken`, `${atLock?.stage} at ${Math.round((atLock?.progress ?? 0) * 100)}%`);
    const form = (n: number) => ({ body: `n=${n}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // The writes first; then, while they wait for the lock, the reads: does the server still answer?
    const writes = Promise.all([timed(() => postJob(server.port, 2000)), timed(() => http(server.port, 'POST', '/', form(3000)))]);
    await sleep(500);
    const reads = Promise.all([
      timed(() => http(server.port, 'GET', '/healthz')),
      timed(() => http(server.port, 'GET', '/')),
      timed(() => http(server.port, 'GET', '/api/jobs')),
      timed(() => http(server.port, 'GET', '/pi/1000.txt')),
      timed(() => http(server.port, 'DELETE', '/api/jobs/1000')),
    ]);
    const [[postApi, postForm], [healthz, index, apiList, piText, del]] = await Promise.all([writes, reads]);
    const during = [healthz!, index!, apiList!, piText!, postApi!, postForm!, del!];
    const names = ['GET /healthz', 'GET /', 'GET /api/jobs', 'GET /pi/1000.txt', 'POST /api/jobs n=2000', 'POST / n=3000', 'DELETE /api/jobs/1000 (ended: 409)'];
    const releasedAt = await lock.released;
    report.measure('lock held', `${Math.round(releasedAt - lock.lockedAt)} ms`);
    report.measure('during the lock', Object.fromEntries(names.map((name, i) => [name, `${during[i]!.status} in ${during[i]!.ms} ms${typeof during[i]!.status === 'number' && during[i]!.status as number >= 500 ? `: ${during[i]!.text.slice(0, 120)}` : ''}`])));
    const acceptable = (s: number | string, ok: number[]) => typeof s === 'number' && (ok.includes(s) || s === 503);
    report.check('GET /healthz: 200 or 503', acceptable(during[0]!.status, [200]), during[0]);
    report.check('GET /: 200 or 503', acceptable(during[1]!.status, [200]), during[1]);
    report.check('GET /api/jobs: 200 or 503', acceptable(during[2]!.status, [200]), during[2]);
    report.check('GET /pi/1000.txt: 200 or 503', acceptable(during[3]!.status, [200]), during[3]);
    report.check('POST /api/jobs: 201 (waited) or 503', acceptable(during[4]!.status, [201]), during[4]);
    report.check('POST /: 303 (waited) or 503', acceptable(during[5]!.status, [303]), during[5]);
    report.check('DELETE of an ended job: 409 or 503', acceptable(during[6]!.status, [409]), during[6]);
    const refused = [during[4]!, during[5]!].filter((r) => r.status === 503);
    report.check('a refused write says when to try again (Retry-After)', refused.every((r) => r.retryAfter !== null), refused);
    // Sent half a second into the lock, while the writes wait: answered before the lock goes means nothing blocked.
    const readsBeforeRelease = [healthz!, index!, apiList!, piText!].every((r) => r.endedAt < releasedAt);
    report.check('the server answers reads while a write waits for the lock (/healthz, /, /api/jobs, /pi answered before it was released)', readsBeforeRelease,
      [healthz!, index!, apiList!, piText!].map((r) => `${r.status} ended ${Math.round(releasedAt - r.endedAt)} ms before the release`));
    if (during[0]!.ms > lockMs / 2) report.finding(`GET /healthz, sent while a write waited for the lock, took ${during[0]!.ms} ms: does a waiting write block the event loop?`);
    // Afterwards: the server recovers by itself, nothing is lost.
    const after = await postJob(server.port, 4000);
    report.check('after the lock: POST /api/jobs works again (201)', after.status === 201, after.status);
    const expectJobs = [1000, running, 4000, ...(during[4]!.status === 201 ? [2000] : []), ...(during[5]!.status === 303 ? [3000] : [])];
    const ended = await Promise.all(expectJobs.map((n) => waitTerminal(server.port, n, 120_000).catch(() => null)));
    report.measure('jobs after', ended.map((j, i) => `${expectJobs[i]}:${j?.stage ?? 'not ended'}${j && j.attempts > 1 ? ` (attempt ${j.attempts})` : ''}`).join(' '));
    const refusals = server.log().split('\n').filter((l) => /^worker \d+: (job \d+: .* failed|progress write for job \d+ failed)/.test(l));
    report.measure('worker writes refused during the lock (then retried)', refusals.length > 0 ? refusals.map((l) => l.split(dir).join('<dir>').slice(0, 160)) : 'none');
    report.check('every accepted job ends stored (the one running through the lock too)', ended.every((j) => j?.stage === 'stored'), ended.map((j) => j && `${j.n}:${j.stage}:${j.error ?? ''}`));
    const all = await listJobs(server.port);
    report.check('no job was created by a refused request, none twice', all.length === expectJobs.length && new Set(all.map((j) => j.n)).size === all.length, all.map((j) => j.n));
    const exit = await server.stop();
    report.check('the server exits 0', exit.code === 0, exit);
    return report;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- disk full (tmpfs), then freed ---

/** Mounts a tmpfs of `sizeKb` at a new folder; null when that is not possible (not root, no mount). */
function mountTmpfs(sizeKb: number): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = tempDir('tmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  // The last bytes too.
  try {
    const small = openSync(join(dir, 'filler2'), 'w');
    try { for (;;) writeSync(small, Buffer.alloc(1)); } catch { /* full */ } finally { closeSync(small); }
  } catch { /* already full */ }
  return filler;
}

export async function diskFull(opts: { sizeKb?: number } = {}): Promise<Report> {
  const report = new Report('the disk under the database fills up, then frees');
  const mount = mountTmpfs(opts.sizeKb ?? 8192);
  if (mount === null) {
    report.finding('skipped: mounting a tmpfs needs root and mount(8); run as root to simulate a full disk');
    report.check('a tmpfs could be mounted (root)', false, 'not root or mount failed');
    return report;
  }
  report.measure('simulated with', `a ${(opts.sizeKb ?? 8192) / 1024} MB tmpfs mounted at ${mount}, filled with a file until ENOSPC`);
  const dbPath = join(mount, 'db.sqlite');
  const server = await startRawpi({ databaseUrl: dbPath, workers: 1 });
  try {
    report.check('before: a job is stored', (await postJob(server.port, 20_000)).status === 201 && (await waitTerminal(server.port, 20_000, 60_000)).stage === 'stored');
    const spawnsBefore = server.workerPids().length;
    // A job a worker is computing when the disk fills: its digits (300 KB) will not fit.
    const inFlight = 300_000;
    await postJob(server.port, inFlight);
    await poll('the job to be taken', async () => ((await getJob(server.port, inFlight))?.stage === 'taken' ? true : undefined), 30_000, 50);
    fillDisk(mount);
    const df = execFileSync('df', ['-k', mount], { encoding: 'utf8' }).trim().split('\n').pop();
    report.measure('df while full', df);
    const during = {
      post: await timed(() => postJob(server.port, 30_000)),
      form: await timed(() => http(server.port, 'POST', '/', { body: 'n=31000', headers: { 'content-type': 'application/x-www-form-urlencoded' } })),
      index: await timed(() => http(server.port, 'GET', '/')),
      healthz: await timed(() => http(server.port, 'GET', '/healthz')),
      digits: await timed(() => http(server.port, 'GET', '/pi/100.txt')),
    };
    const whileFull = await poll('the in-flight job to end or 15 s', async () => {
      const j = await getJob(server.port, inFlight);
      return j && TERMINAL.has(j.stage) ? j : undefined;
    }, 15_000, 250).catch(() => getJob(server.port, inFlight));
    report.measure(`job n=${inFlight} computed while the disk was full`, `${whileFull?.stage}${whileFull?.error ? `: ${whileFull.error}` : ''}`);
    report.measure('during (disk full)', Object.fromEntries(Object.entries(during).map(([k, v]) => [k, `${v.status} in ${v.ms} ms: ${v.text.slice(0, 100)}`])));
    report.check('the server is still running', server.child.exitCode === null);
    report.check('POST /api/jobs: 503 (not 500)', during.post.status === 503, during.post);
    report.check('POST /: 503 (not 500)', during.form.status === 503, during.form);
    report.check('GET / still answers (reads need no space): 200 or 503', during.index.status === 200 || during.index.status === 503, during.index);
    report.check('GET /pi/100.txt: 200 or 503', during.digits.status === 200 || during.digits.status === 503, during.digits);
    const log = server.log();
    const errorLines = log.split('\n').filter((l) => /error|full|SQLITE|unavailable/i.test(l) && !/^\s+at /.test(l));
    report.measure('log lines about it', errorLines.slice(0, 6));
    report.check('the log says the database is full', /SQLITE_FULL|database or disk is full|disk is full/i.test(log), log.slice(-800));
    const spawnsDuring = server.workerPids().length - spawnsBefore;
    report.check('no worker crash loop (at most one respawn)', spawnsDuring <= 1, `${spawnsDuring} spawn(s)`);
    // Free the space: the server must recover by itself.
    for (const f of ['filler', 'filler2']) if (existsSync(join(mount, f))) unlinkSync(join(mount, f));
    await sleep(500);
    const after = await timed(() => postJob(server.port, 40_000));
    report.measure('after freeing the space', `POST /api/jobs ${after.status} in ${after.ms} ms`);
    report.check('after: POST /api/jobs works again (201)', after.status === 201, after);
    const ended = await waitTerminal(server.port, 40_000, 60_000).catch(() => null);
    report.check('after: a new job is stored', ended?.stage === 'stored', ended);
    const recovered = await waitTerminal(server.port, inFlight, 20_000).catch(() => getJob(server.port, inFlight));
    report.measure(`job n=${inFlight} in the end`, `${recovered?.stage}${recovered?.error ? `: ${recovered.error}` : ''}`);
    report.measure(`log about job n=${inFlight}`, server.log().split('\n').filter((l) => /^worker \d+( job \d+)?[: ]/.test(l) && !/progress \d+%/.test(l)).slice(-8));
    report.check(`nothing lost: the job computing when the disk filled ends stored once space is back`, recovered?.stage === 'stored', recovered && { stage: recovered.stage, error: recovered.error });
    const exit = await server.stop();
    report.check('the server exits 0', exit.code === 0, exit);
    return report;
  } finally {
    await server.stop();
    try {
      execFileSync('umount', [mount], { stdio: 'ignore' });
      rmSync(mount, { recursive: true, force: true });
    } catch {
      process.stderr.write(`diskFull: could not unmount ${mount}; run: umount ${mount}\n`);
    }
  }
}

// --- the database file removed at run time ---

export async function dbRemoved(opts: { watchMs?: number } = {}): Promise<Report> {
  const report = new Report('the database file is removed at run time');
  const dir = tempDir('dbremoved');
  const dbPath = join(dir, 'db.sqlite');
  const server = await startRawpi({ databaseUrl: dbPath, workers: 1 });
  try {
    report.check('before: a job is stored', (await postJob(server.port, 1000)).status === 201 && (await waitTerminal(server.port, 1000, 60_000)).stage === 'stored');
    const logBefore = server.log().length;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbPath + suffix)) unlinkSync(dbPath + suffix);
    report.measure('simulated with', `rm ${dbPath} ${dbPath}-wal ${dbPath}-shm while the server runs`);
    const spawnsBefore = server.workerPids().length;
    const post = await timed(() => postJob(server.port, 2000));
    const list = await timed(() => http(server.port, 'GET', '/api/jobs'));
    const health = await timed(() => http(server.port, 'GET', '/healthz'));
    const metricsNow = await http(server.port, 'GET', '/metrics');
    // A worker that dies now is replaced by one that opens the path afresh.
    const workerPid = server.workerPids().at(-1)!;
    if (isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    const watchMs = opts.watchMs ?? 10_000;
    await sleep(watchMs);
    const spawns = server.workerPids().length - spawnsBefore;
    const log = server.log();
    report.measure('after rm', { post: `${post.status}: ${post.text.slice(0, 100)}`, list: `${list.status}`, healthz: `${health.status}: ${health.text.trim().split(dir).join('<dir>')}`, [`workerSpawnsIn${watchMs / 1000}s`]: spawns, fileRecreated: existsSync(dbPath) });
    report.check('the server is still running', server.child.exitCode === null);
    report.check('POST /api/jobs: 503 (the data would go to a deleted file)', post.status === 503, post);
    report.check('GET /api/jobs: 503 (what it would read is no longer the database)', list.status === 503, list);
    report.check('GET /healthz: 503 (not ready: the database is gone)', health.status === 503, health);
    report.check('GET /metrics still answers, with rawpi_database_available 0', metricsNow.status === 200 && /^rawpi_database_available 0$/m.test(metricsNow.text), `${metricsNow.status}: ${metricsNow.text.split('\n').filter((l) => /^rawpi_database/.test(l)).join(' ')}`);
    const metricsAfter = await http(server.port, 'GET', '/metrics');
    report.check('after the worker was killed: /metrics shows the pool degraded (rawpi_workers_degraded 1)', /^rawpi_workers_degraded 1$/m.test(metricsAfter.text), metricsAfter.text.split('\n').filter((l) => /^rawpi_(workers|database)/.test(l)));
    // Only what was logged after the rm, with the path itself blanked (its folder name says "dbremoved").
    const since = log.slice(logBefore).split(dir).join('<dir>').split('\n');
    const gone = since.find((l) => /database.*(removed|deleted|missing|no such file|does not exist|gone|replaced)/i.test(l));
    report.check('the log says the database file is gone', gone !== undefined, since.slice(-6).join(' | '));
    if (gone) report.measure('the log line', gone);
    const fatal = since.filter((l) => /\(pid \d+\) cannot work:/.test(l));
    report.check('no worker crash loop (a worker that cannot open the database is not respawned again and again)', fatal.length <= 1 && spawns <= 1, `${spawns} spawn(s), ${fatal.length} failed to start: ${fatal.slice(0, 2).join(' | ')}`);
    const recreated = existsSync(dbPath) ? tableNames(dbPath) : null;
    report.check('no new, empty database file was created in its place', recreated === null || recreated.length > 0, recreated === null ? '' : `a new file with tables [${recreated.join(', ')}]`);
    const degraded = since.find((l) => /^worker pool degraded/.test(l));
    if (degraded) report.measure('the pool said', degraded);
    const exit = await server.stop();
    report.check('the server exits 0 on SIGTERM', exit.code === 0, exit);
    return report;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lock held longer than the server's lock timeout (--db-lock-timeout, 5 s by default): the waits give up, 503. */
export const dbLockedLong = () => dbLocked({ lockMs: 8000 });

export const SCENARIOS = { killWorker, killMaster, sigterm, dbLocked, dbLockedLong, diskFull, dbRemoved } as const;

if (isMain(import.meta.url)) {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = (wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) as Array<keyof typeof SCENARIOS>;
  let failed = 0;
  for (const name of names) {
    const f = SCENARIOS[name];
    if (!f) { process.stderr.write(`unknown scenario ${name}; one of ${Object.keys(SCENARIOS).join(', ')}\n`); process.exit(2); }
    const t0 = Date.now();
    try {
      const r = await f();
      process.stdout.write(`${r.text()}\n  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      if (!r.ok) failed++;
    } catch (err) {
      failed++;
      process.stdout.write(`== ${name}: ERROR ${(err as Error).stack}\n`);
    }
  }
  process.exit(failed > 0 ? 1 : 0);
}
