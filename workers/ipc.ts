// The IPC messages between the pool master and its forked workers, shared by both sides,
// with type guards that validate whatever arrives on the channel before it is trusted.
import type { Job } from '../db/index.js';

/** The unit of work the master hands to an idle worker (the job is already 'scheduled'). */
export interface JobAssignment { id: number; n: number; attempts: number }

// Master → worker.
/** Run this job; the worker holds at most one. */
export interface RunMessage { type: 'run'; job: JobAssignment; threads: number }
/** Abort the running job and record it as cancelled. */
export interface CancelMessage { type: 'cancel'; jobId: number }
/** Abort the running job without recording anything (the master re-queues it), close and exit. */
export interface StopMessage { type: 'stop' }

export type MasterMessage = RunMessage | CancelMessage | StopMessage;

// Worker → master.
/** The worker opened its database connection and checked the schema; it is idle (the first request for work). */
export interface ReadyMessage { type: 'ready'; pid: number }
/** The worker finished its job, is idle and asks for one job (pull, not push). */
export interface RequestMessage { type: 'request' }
/** The worker changed a job in the database (stage or progress): the row as it is now. */
export interface ChangedMessage { type: 'changed'; job: Job }
/** The worker finished with its job, whichever way; it sends 'request' next if it goes on. */
export interface DoneMessage { type: 'done'; jobId: number; outcome: JobOutcome; ms: number; error?: string }
/** The worker cannot work at all (database file missing, schema outdated): it exits after sending this, and the
 * pool does not start another until the database looks usable again (no respawn loop). */
export interface FatalMessage { type: 'fatal'; error: string }
/** A log line from the worker (workers never write to stdout). */
export interface LogMessage { type: 'log'; line: string }

export type WorkerMessage = ReadyMessage | RequestMessage | ChangedMessage | DoneMessage | FatalMessage | LogMessage;

/**
 * How a job ended in a worker: 'stored' and 'error' and 'cancelled' are recorded in the database;
 * 'interrupted' (stopped by the pool) is left for the master to re-queue; 'deferred' (the database stayed
 * unavailable: locked, full, gone) too, with backoff, counting the attempt.
 */
export type JobOutcome = 'stored' | 'error' | 'cancelled' | 'interrupted' | 'deferred';
export const JOB_OUTCOMES: readonly JobOutcome[] = ['stored', 'error', 'cancelled', 'interrupted', 'deferred'];

const STAGES = ['registered', 'scheduled', 'taken', 'calculated', 'stored', 'error', 'cancelled'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
function isNullable(v: unknown, test: (x: unknown) => boolean): boolean {
  return v === null || test(v);
}
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStage = (v: unknown): boolean => typeof v === 'string' && STAGES.includes(v);

/** A job row as sent over IPC (the fields the contract promises; extra fields are allowed). */
export function isJob(v: unknown): v is Job {
  return isRecord(v) && isId(v.id) && isId(v.n) && isStage(v.stage) && isNumber(v.progress) &&
    isId(v.attempts) && isNullable(v.digit, isNumber) && isNullable(v.error, isString) &&
    isNullable(v.errorStage, isStage) && typeof v.fromCache === 'boolean' && isNumber(v.createdAt) &&
    isNullable(v.startedAt, isNumber) && isNullable(v.finishedAt, isNumber) && isNumber(v.updatedAt);
}

function isAssignment(v: unknown): v is JobAssignment {
  return isRecord(v) && isId(v.id) && isId(v.n) && isId(v.attempts);
}

export function isMasterMessage(v: unknown): v is MasterMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'run': return isAssignment(v.job) && isId(v.threads) && v.threads >= 1;
    case 'cancel': return isId(v.jobId);
    case 'stop': return true;
    default: return false;
  }
}

export function isWorkerMessage(v: unknown): v is WorkerMessage {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready': return isId(v.pid);
    case 'request': return true;
    case 'changed': return isJob(v.job);
    case 'done':
      return isId(v.jobId) && JOB_OUTCOMES.includes(v.outcome as JobOutcome) && isNumber(v.ms) &&
        (v.error === undefined || isString(v.error));
    case 'fatal': return isString(v.error);
    case 'log': return isString(v.line);
    default: return false;
  }
}
