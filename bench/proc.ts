// Child processes for the bench: run a command to completion with a time limit, pin it to a core, read RSS and
// CPU time.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface Finished {
  code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean;
  /** With `busyAfterMs`: the share of one core the process used while it ran (see busyShare), or null. */
  busy: number | null;
}

export interface RunOptions {
  timeoutMs: number; cwd?: string; input?: string;
  /**
   * Read the process's CPU time every CPU_SAMPLE_MS and report how busy it kept its core from this many ms after
   * its start to its last sample: a load generator's own limit shows as a core near 100 %. The start is skipped
   * so that loading the program (autocannon's modules) does not count.
   */
  busyAfterMs?: number;
}

/** How often run() reads a process's CPU time when asked for its busy share. */
export const CPU_SAMPLE_MS = 100;

/** Runs argv[0] with the rest as arguments; kills it (SIGKILL) after `timeoutMs`. Never rejects on a bad exit. */
export function run(argv: readonly string[], opts: RunOptions): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
    const samples: CpuSample[] = [];
    const startedAt = performance.now();
    const sampler = opts.busyAfterMs === undefined || child.pid === undefined ? null : setInterval(() => {
      const cpu = cpuSeconds(child.pid!);
      if (cpu !== null) samples.push({ atMs: performance.now() - startedAt, cpuSeconds: cpu });
    }, CPU_SAMPLE_MS);
    const done = (): void => { clearTimeout(timer); if (sampler !== null) clearInterval(sampler); };
    child.on('error', (err) => { done(); reject(err); });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr, timedOut, busy: opts.busyAfterMs === undefined ? null : busyShare(samples, opts.busyAfterMs) });
    });
  });
}

export interface CpuSample { atMs: number; cpuSeconds: number }

/**
 * CPU seconds per second between the first sample at or after `afterMs` and the last one: 1.0 is one core kept
 * busy. Null when those samples span less than 0.2 s (the counter moves in 10 ms ticks).
 */
export function busyShare(samples: readonly CpuSample[], afterMs: number): number | null {
  const first = samples.find((s) => s.atMs >= afterMs);
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || last.atMs - first.atMs < 200) return null;
  return (last.cpuSeconds - first.cpuSeconds) / ((last.atMs - first.atMs) / 1000);
}

/** Whether a program is on PATH. */
export function have(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** Where server and load generator run: different cores when taskset and two cores are there, else unpinned. */
export interface Pinning { server: string | null; client: string | null; note: string }

export function pinning(): Pinning {
  const cores = os.availableParallelism();
  if (cores < 2) return { server: null, client: null, note: `not pinned: ${cores} core available` };
  if (!have('taskset')) return { server: null, client: null, note: 'not pinned: taskset is missing (apt-get install util-linux)' };
  return { server: '0', client: '1', note: 'server on core 0, load generator on core 1 (taskset)' };
}

/** argv prefixed with `taskset -c CORE` (exec'd, so the pid stays the program's) when pinned. */
export function pinned(core: string | null, argv: readonly string[]): string[] {
  return core === null ? [...argv] : ['taskset', '-c', core, ...argv];
}

/** argv run with the open-file limit raised as far as allowed (65536, else the hard limit); same pid after exec. */
export function withFdLimit(argv: readonly string[]): string[] {
  return ['bash', '-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', 'rawpi-bench', ...argv];
}

/** Resident set size of a process in bytes (VmRSS from /proc/PID/status), or null if it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used, user plus system, in seconds (utime and stime, fields 14 and 15 of /proc/PID/stat,
 * counted in USER_HZ ticks, 100 a second on Linux), or null if it is gone.
 */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (the state)
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

const USER_HZ = 100;

/** Resolves when the child exits, or after `ms` (then resolves false). */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
