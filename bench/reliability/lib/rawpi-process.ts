// The real server as a child process (`node dist/app/main.js`, or app/main.ts under tap), for the fault
// scripts: start it on a free port, read its log, find its workers' pids, signal it, wait for its exit.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rawpiEntry } from './paths.js';

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface RawpiProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Everything the server wrote to stderr so far (its log). */
  log(): string;
  /** Resolves with the first match of `re` in the log (now or later); rejects after `ms`. */
  waitForLog(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Pids of every worker the log says was spawned ("worker N (pid P) spawned"). */
  workerPids(): number[];
  exited: Promise<Exit>;
  /** SIGTERM, wait up to `ms`, then SIGKILL. Resolves with the exit. */
  stop(ms?: number): Promise<Exit>;
}

export interface StartOptions {
  databaseUrl: string;
  workers?: number;
  /** More command-line flags (e.g. ['--headers-timeout', '5000']). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run as this user and group (needs root): to make file permissions bite. */
  uid?: number;
  gid?: number;
  accessLog?: boolean;
  startTimeoutMs?: number;
}

export async function startRawpi(opts: StartOptions): Promise<RawpiProcess> {
  const { file, execArgv } = rawpiEntry();
  const args = [
    ...execArgv, file, '--port', '0', '--database-url', opts.databaseUrl, '--workers', String(opts.workers ?? 0),
    ...(opts.accessLog ? [] : ['--no-access-log']), ...(opts.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  let text = '';
  const watchers = new Set<() => void>();
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    text += d;
    for (const w of [...watchers]) w();
  });
  child.stdout!.resume(); // the access log: not needed, but must not fill the pipe
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitedNow: Exit | null = null;
  void exited.then((e) => { exitedNow = e; for (const w of [...watchers]) w(); });

  const waitForLog = (re: RegExp, ms = 30_000): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
    const check = () => {
      const m = re.exec(text);
      if (m) { done(); resolve(m); return; }
      if (exitedNow) { done(); reject(new Error(`rawpi exited (${JSON.stringify(exitedNow)}) before logging ${re}; log:\n${text.slice(-3000)}`)); }
    };
    const timer = setTimeout(() => { done(); reject(new Error(`rawpi did not log ${re} within ${ms} ms; log:\n${text.slice(-3000)}`)); }, ms);
    const done = () => { clearTimeout(timer); watchers.delete(check); };
    watchers.add(check);
    check();
  });

  let m: RegExpExecArray;
  try {
    m = await waitForLog(/rawpi listening on (http:\/\/127\.0\.0\.1:(\d+))/, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const stop = async (ms = 15_000): Promise<Exit> => {
    if (exitedNow) return exitedNow;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    const e = await exited;
    clearTimeout(timer);
    return e;
  };
  return {
    child, pid: child.pid!, port: Number(m[2]), url: m[1]!,
    log: () => text,
    waitForLog,
    workerPids: () => [...text.matchAll(/worker \d+ \(pid (\d+)\) spawned/g)].map((x) => Number(x[1])),
    exited,
    stop,
  };
}

/** Whether `pid` is a live process (a zombie, dead but not reaped, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

/** Waits until none of `pids` is alive, or `ms` passes; returns the ones still alive. */
export async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface HttpResult { status: number; headers: Headers; text: string }

/** One request with fetch to 127.0.0.1; never follows redirects; rejects after `ms`. */
export async function http(port: number, method: string, path: string, opts: { body?: string; headers?: Record<string, string>; ms?: number } = {}): Promise<HttpResult> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, body: opts.body, headers: opts.headers, redirect: 'manual', signal: AbortSignal.timeout(opts.ms ?? 30_000),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function postJob(port: number, n: number, ms?: number): Promise<HttpResult> {
  return http(port, 'POST', '/api/jobs', { body: JSON.stringify({ n }), headers: { 'content-type': 'application/json' }, ...(ms !== undefined ? { ms } : {}) });
}

export interface JobView { id: number; n: number; stage: string; progress: number; attempts: number; error: string | null; events?: Array<{ kind: string; at: string; detail?: string | null; error?: string | null }> }

export async function getJob(port: number, n: number): Promise<JobView | null> {
  const r = await http(port, 'GET', `/api/jobs/${n}`);
  return r.status === 200 ? (JSON.parse(r.text) as JobView) : null;
}

/** All jobs, through the API's pages. */
export async function listJobs(port: number): Promise<JobView[]> {
  const all: JobView[] = [];
  let path: string | null = '/api/jobs?limit=500';
  while (path !== null) {
    const r = await http(port, 'GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    const page = JSON.parse(r.text) as { jobs: JobView[]; next: string | null };
    all.push(...page.jobs);
    path = page.next;
  }
  return all;
}

/** Polls `probe` every `every` ms until it returns a value that is not undefined, or `ms` passes (then throws). */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, ms: number, every = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
