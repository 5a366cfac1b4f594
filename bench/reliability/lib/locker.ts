// Another process holding an SQLite lock on a database file: `BEGIN EXCLUSIVE` for a while, then COMMIT.

import { spawn } from 'node:child_process';
import { repoRoot } from './paths.js';

const SCRIPT = `
const Database = require('better-sqlite3');
const [path, ms] = process.argv.slice(1);
const db = new Database(path, { timeout: 30000 });
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); }, Number(ms));
`;

export interface Lock {
  /** When the lock was taken (performance.now()). */
  lockedAt: number;
  /** Resolves when the lock is released, with performance.now() then. */
  released: Promise<number>;
}

/** Starts a process that holds BEGIN EXCLUSIVE on `path` for `ms`; resolves once the lock is held. */
export function holdExclusiveLock(path: string, ms: number): Promise<Lock> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, path, String(ms)], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let releasedResolve: (at: number) => void = () => {};
    const released = new Promise<number>((r) => { releasedResolve = r; });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('locked\n') && !out.includes('released')) resolve({ lockedAt: performance.now(), released });
      if (out.includes('released\n')) releasedResolve(performance.now());
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('exit', (code) => {
      if (!out.includes('locked\n')) reject(new Error(`the lock holder exited (${code}) before locking: ${err}`));
      releasedResolve(performance.now());
    });
  });
}
