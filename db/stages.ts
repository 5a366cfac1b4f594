// The job stage rules, in one place: forward only, error/cancelled from any live stage, back to registered only by retry
// (a live job) or by resubmission (a job that ended in error or was cancelled).
// Every stage change in the repositories goes through checkMove(); illegal moves throw StageError.
import { StageError } from './errors.js';
import type { Stage } from './schema.js';

export { StageError };

/** The forward path. A job may skip ahead along it (e.g. registered → stored when answered from cache). */
export const FORWARD: readonly Stage[] = ['registered', 'scheduled', 'taken', 'calculated', 'stored'];
export const LIVE_STAGES: readonly Stage[] = ['registered', 'scheduled', 'taken', 'calculated'];
export const TERMINAL_STAGES: readonly Stage[] = ['stored', 'error', 'cancelled'];
/** Stages a retry may start from (live, but not already registered). */
export const RETRYABLE_STAGES: readonly Stage[] = ['scheduled', 'taken', 'calculated'];

/** Stages a resubmission may start from: the ends that produced no digits. */
export const RESUBMITTABLE_STAGES: readonly Stage[] = ['error', 'cancelled'];

export type Move = 'advance' | 'retry' | 'resubmit';

export function isLive(stage: Stage): boolean {
  return LIVE_STAGES.includes(stage);
}

/** A job that ended without digits (error, cancelled): submitting its n again runs it anew. */
export function isResubmittable(stage: Stage): boolean {
  return RESUBMITTABLE_STAGES.includes(stage);
}

export function isTerminal(stage: Stage): boolean {
  return TERMINAL_STAGES.includes(stage);
}

/**
 * A move refused because the job had ended by the time it was written (a cancel or another writer came first):
 * moves are checked against the stage in the same transaction, so nothing changed and nothing is left to do.
 */
export function endedFirst(err: unknown): err is StageError {
  return err instanceof StageError && isTerminal(err.from);
}

/** Why `from → to` is illegal, or null when it is allowed. */
export function moveError(from: Stage, to: Stage, move: Move = 'advance'): string | null {
  if (move === 'resubmit') {
    if (to !== 'registered') return `a resubmission goes back to 'registered'`;
    if (!isResubmittable(from)) return `only a job that ended in error or was cancelled is submitted again`;
    return null;
  }
  if (isTerminal(from)) return `'${from}' is final`;
  if (move === 'retry') {
    if (to !== 'registered') return `a retry goes back to 'registered'`;
    if (from === 'registered') return `the job is already waiting to be scheduled`;
    return null;
  }
  if (to === 'registered') return `a job goes back to 'registered' only through retry`;
  if (to === 'error' || to === 'cancelled') return null;
  if (FORWARD.indexOf(to) <= FORWARD.indexOf(from)) {
    return `stages only move forward (${FORWARD.join(' → ')})`;
  }
  return null;
}

/** Throws StageError naming both stages when the move is illegal. */
export function checkMove(from: Stage, to: Stage, move: Move = 'advance'): void {
  const reason = moveError(from, to, move);
  if (reason !== null) throw new StageError(from, to, reason);
}
