// Shared helpers for the worker-pool tests: a migrated database in a test directory (and its repositories with
// some job methods replaced), the reference decimals of pi, waiting for or acting on pool events and conditions,
// and checking whether a process is alive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateToLatest, openStore, type Job, type JobsRepository, type Repositories, type Store } from '../../db/index.js';
import type { WorkerPool } from '../../workers/pool.js';

/** The first 100,000 decimals of pi (after "3."). */
export const PI = readFileSync(new URL('../fixtures/pi-100k.txt', import.meta.url), 'utf8').trim().slice(2);

interface TestLike {
  testdir(): string;
  teardown(fn: () => unknown): void;
}

/** A migrated database in a fresh test directory, closed at teardown. */
export async function migratedStore(t: TestLike): Promise<{ store: Store; path: string }> {
  const path = join(t.testdir(), 'rawpi.sqlite');
  const store = openStore({ path });
  await migrateToLatest(store.handle);
  t.teardown(() => store.close());
  return { store, path };
}

/**
 * The repositories with some of the jobs repository's methods replaced (the others are the real ones): how a test
 * makes a write fail, or makes something happen between the master's read and its write.
 */
export function withJobs(repos: Repositories, replaced: Partial<JobsRepository>): Repositories {
  const jobs = Object.assign(Object.create(repos.jobs) as JobsRepository, replaced);
  return { ...repos, jobs };
}

/** Resolves with the first job event that satisfies `test` (rejects after `limitMs`, a safety net only). */
export function nextJob(pool: WorkerPool, test: (job: Job) => boolean, limitMs = 60_000): Promise<Job> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pool.off('job', listener);
      reject(new Error('no matching job event'));
    }, limitMs);
    const listener = (job: Job): void => {
      if (!test(job)) return;
      clearTimeout(timer);
      pool.off('job', listener);
      resolve(job);
    };
    pool.on('job', listener);
  });
}

/** Runs `action` the first time the pool reports job `jobId` at `stage`. */
export function onceAt(pool: WorkerPool, jobId: number, stage: Job['stage'], action: () => void): void {
  let done = false;
  pool.on('job', (j) => {
    if (done || j.id !== jobId || j.stage !== stage) return;
    done = true;
    action();
  });
}

/** Polls `check` until it is true (rejects after `limitMs`, a safety net only). */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether the process exists and is not a zombie (an orphan's zombie waits for init to reap it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** A log function that keeps the lines; with RAWPI_TEST_LOG=1 also prints them to stderr (stdout is TAP). */
export function logLines(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  const t0 = Date.now();
  return {
    lines,
    log: (line) => {
      lines.push(line);
      if (process.env.RAWPI_TEST_LOG) process.stderr.write(`[${Date.now() - t0} ms] ${line}\n`);
    },
  };
}
