// Is the file at the database path still the one this connection opened (same device and inode)? After `rm` or a
// copy over it, SQLite would go on writing into the deleted file, lost at the next start; the guard refuses instead.
import { statSync } from 'node:fs';
import { DatabaseError, DatabaseUnavailableError } from './errors.js';

export interface FileIdentity { dev: number; ino: number }

/** The device and inode at `path`, or null when nothing is there. Throws on other errors (e.g. EACCES). */
export function fileIdentity(path: string): FileIdentity | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** What the server can say about its database: usable, or not and why. */
export interface DatabaseStatus {
  available: boolean;
  /** Why not, in words; null when available. */
  problem: string | null;
}

export const AVAILABLE: DatabaseStatus = Object.freeze({ available: true, problem: null });

/**
 * Watches one open database file. check() looks at the path (one stat); status() is the last answer, free to
 * ask. Once lost, assertAvailable() throws DatabaseUnavailableError for every statement, until a check finds the
 * same file back at the path (moved back); a different file there stays refused until the process restarts.
 */
export class FileGuard {
  private current: DatabaseStatus = AVAILABLE;

  constructor(
    readonly path: string,
    private readonly opened: FileIdentity,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Opens a guard on the file now at `path` (just opened by SQLite). */
  static forPath(path: string, log?: (line: string) => void): FileGuard {
    const id = fileIdentity(path);
    if (id === null) throw new DatabaseError(`database file ${path} vanished while it was being opened`);
    return new FileGuard(path, id, log);
  }

  status(): DatabaseStatus {
    return this.current;
  }

  /** Looks at the path now, logs a change either way, and returns the new status. */
  check(): DatabaseStatus {
    const problem = this.findProblem();
    if (problem === this.current.problem) return this.current;
    const was = this.current;
    this.current = problem === null ? AVAILABLE : Object.freeze({ available: false, problem });
    if (problem !== null && was.available) {
      this.log(`database file ${this.path} was removed or replaced (${problem}); requests that need the database answer 503 until the same file is back at that path or rawpi is restarted`);
    } else if (problem === null) {
      this.log(`database file ${this.path} is back (the file rawpi opened): the database is served again`);
    }
    return this.current;
  }

  /** Throws DatabaseUnavailableError when the last check found the file gone (no system call). */
  assertAvailable(): void {
    if (this.current.available) return;
    throw new DatabaseUnavailableError(
      `database file ${this.path} was removed or replaced (${this.current.problem}); nothing was changed`,
      'RAWPI_DATABASE_LOST',
    );
  }

  private findProblem(): string | null {
    let now: FileIdentity | null;
    try {
      now = fileIdentity(this.path);
    } catch (err) {
      return `it cannot be looked at: ${(err as Error).message}`;
    }
    if (now === null) return 'no file is at that path any more';
    if (now.dev !== this.opened.dev || now.ino !== this.opened.ino) {
      return `another file is at that path now (inode ${now.ino}, was ${this.opened.ino})`;
    }
    return null;
  }
}
