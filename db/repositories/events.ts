// The append-only job history: one row per registration, stage move, error, cancel or retry.
// append() is called by the jobs repository inside the same transaction as the job row change.
import type { Kysely } from 'kysely';
import { toJobEvent, type Database, type EventKind, type JobEvent } from '../schema.js';

export interface AppendEvent {
  jobId: number;
  kind: EventKind;
  at?: number;
  error?: string | null;
  detail?: string | null;
}

export class EventsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: AppendEvent): Promise<JobEvent> {
    const row = await this.db
      .insertInto('job_events')
      .values({
        job_id: event.jobId,
        kind: event.kind,
        at: event.at ?? Date.now(),
        error: event.error ?? null,
        detail: event.detail ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJobEvent(row);
  }

  /** Oldest first. */
  async listForJob(jobId: number): Promise<JobEvent[]> {
    const rows = await this.db
      .selectFrom('job_events')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toJobEvent);
  }
}
