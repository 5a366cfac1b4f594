// The data layer's errors: DatabaseError carries a user-facing message (print it, no stack trace needed).
// Subclasses let callers map failures (bad cursor → 400, unknown job → 404, illegal stage move → 409, unavailable → 503).
import type { Stage } from './schema.js';

export class DatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A pagination cursor that this code did not produce. */
export class InvalidCursorError extends DatabaseError {}

/** An argument out of range (n, limit, digits, progress). */
export class InvalidArgumentError extends DatabaseError {}

export class JobNotFoundError extends DatabaseError {
  constructor(readonly jobId: number) {
    super(`job ${jobId} does not exist`);
  }
}

/** An illegal stage move; see db/stages.ts for the rules. */
export class StageError extends DatabaseError {
  constructor(readonly from: Stage, readonly to: Stage, reason: string) {
    super(`cannot move job from '${from}' to '${to}': ${reason}`);
  }
}

/**
 * The database cannot serve right now, and nothing was changed: locked by another process for longer than the
 * lock timeout (`code` SQLITE_BUSY), or its file was removed or replaced (`code` RAWPI_DATABASE_LOST).
 * Requests answer 503; a worker keeps its job for a later try.
 */
export class DatabaseUnavailableError extends DatabaseError {
  constructor(message: string, readonly code: 'SQLITE_BUSY' | 'RAWPI_DATABASE_LOST', options?: { cause?: unknown }) {
    super(message, options);
  }
}
