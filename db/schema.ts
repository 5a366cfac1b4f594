// Domain types (Job, JobEvent, Stage) and the Kysely `Database` table interfaces.
// Table interfaces mirror db/migrations as of the latest migration; rows are snake_case, domain objects camelCase.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Stage = 'registered' | 'scheduled' | 'taken' | 'calculated' | 'stored' | 'error' | 'cancelled';
export type EventKind = Stage | 'retried';

export const STAGES: readonly Stage[] = ['registered', 'scheduled', 'taken', 'calculated', 'stored', 'error', 'cancelled'];
export const EVENT_KINDS: readonly EventKind[] = [...STAGES, 'retried'];

export interface Job {
  id: number;
  n: number;
  stage: Stage;
  /** 0..1 */
  progress: number;
  attempts: number;
  digit: number | null;
  error: string | null;
  errorStage: Stage | null;
  fromCache: boolean;
  /** ms since epoch */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export interface JobEvent {
  id: number;
  jobId: number;
  kind: EventKind;
  at: number;
  error: string | null;
  detail: string | null;
}

export interface JobsTable {
  id: Generated<number>;
  n: number;
  stage: Stage;
  progress: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  digit: number | null;
  error: string | null;
  error_stage: Stage | null;
  /** 0 or 1 */
  from_cache: ColumnType<number, number | undefined, number>;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface JobEventsTable {
  id: Generated<number>;
  job_id: number;
  kind: EventKind;
  at: number;
  error: string | null;
  detail: string | null;
}

/** The decimals of the largest computation, in chunks: `start` = 0-based index of the chunk's first decimal. */
export interface DigitChunksTable {
  start: number;
  length: number;
  decimals: string;
}

export interface Database {
  jobs: JobsTable;
  job_events: JobEventsTable;
  digit_chunks: DigitChunksTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobEventRow = Selectable<JobEventsTable>;

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    n: row.n,
    stage: row.stage,
    progress: row.progress,
    attempts: row.attempts,
    digit: row.digit,
    error: row.error,
    errorStage: row.error_stage,
    fromCache: row.from_cache !== 0,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

export function toJobEvent(row: JobEventRow): JobEvent {
  return { id: row.id, jobId: row.job_id, kind: row.kind, at: row.at, error: row.error, detail: row.detail };
}
