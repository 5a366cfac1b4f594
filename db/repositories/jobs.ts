// The jobs repository: submit (idempotent per n), list (keyset pages), claim, and every stage move with its event.
// Stage legality comes from db/stages.ts; each move writes the job row and its event in one IMMEDIATE transaction.
import type { Kysely, Updateable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { DatabaseError, InvalidArgumentError, JobNotFoundError } from '../errors.js';
import { toJob, STAGES, type Database, type EventKind, type Job, type JobsTable, type Stage } from '../schema.js';
import { checkMove, isResubmittable, isTerminal, LIVE_STAGES, RETRYABLE_STAGES, StageError, type Move } from '../stages.js';
import { inTransaction, type Db } from '../transaction.js';
import { EventsRepository } from './events.js';

export const MAX_PAGE_SIZE = 1000;

export interface AdvanceOptions {
  /** The n-th decimal, once known. */
  digit?: number;
  fromCache?: boolean;
  /** Free text stored on the event. */
  detail?: string;
  /** Error text, when advancing to 'error' (fail() is the usual way). */
  error?: string;
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

interface MoveSpec {
  to: Stage;
  move: Move;
  kind: EventKind;
  error?: string | null;
  detail?: string | null;
  digit?: number;
  fromCache?: boolean;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

function checkDigit(digit: number): void {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
    throw new InvalidArgumentError(`a digit must be an integer 0..9, got ${String(digit)}`);
  }
}

export class JobsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Registers n, or returns the existing job for n (never a second row, even under concurrent submits). A job for n
   * that ended in error or was cancelled is registered again (`resubmitted`): asking again is how a user retries it.
   */
  async submit(n: number): Promise<{ job: Job; created: boolean; resubmitted: boolean }> {
    checkPositiveInteger('n', n);
    const existing = await this.findByN(n);
    if (existing && isResubmittable(existing.stage)) return this.resubmit(existing);
    if (existing) return { job: existing, created: false, resubmitted: false };
    return inTransaction(this.db, async (trx) => {
      const now = Date.now();
      const inserted = await trx
        .insertInto('jobs')
        .values({ n, stage: 'registered', created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('n').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) {
        await new EventsRepository(trx).append({ jobId: inserted.id, kind: 'registered', at: now });
        return { job: toJob(inserted), created: true, resubmitted: false };
      }
      const row = await trx.selectFrom('jobs').selectAll().where('n', '=', n).executeTakeFirstOrThrow();
      return { job: toJob(row), created: false, resubmitted: false };
    });
  }

  /** An ended job back to 'registered' for a fresh run (attempts from zero); a concurrent submit may come first. */
  private async resubmit(job: Job): Promise<{ job: Job; created: boolean; resubmitted: boolean }> {
    const detail = `submitted again after it ended (${job.stage === 'error' ? `error: ${job.error ?? 'unknown'}` : 'cancelled'})`;
    try {
      return { job: await this.move(job.id, { to: 'registered', move: 'resubmit', kind: 'retried', detail }), created: false, resubmitted: true };
    } catch (err) {
      if (!(err instanceof StageError) && !(err instanceof DatabaseError)) throw err;
      // Another submit registered it meanwhile (the move is checked against the stage in its transaction).
      const now = await this.findById(job.id);
      if (now === undefined || isResubmittable(now.stage)) throw err;
      return { job: now, created: false, resubmitted: false };
    }
  }

  async findByN(n: number): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('n', '=', n).executeTakeFirst();
    return row && toJob(row);
  }

  async findById(id: number): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  /** Newest first, keyset on id: a page never repeats or skips jobs when others are inserted meanwhile. */
  async list(opts: { limit: number; cursor?: string | null }): Promise<JobPage> {
    const { limit } = opts;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidArgumentError(`limit must be an integer 1..${MAX_PAGE_SIZE}, got ${String(limit)}`);
    }
    let query = this.db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (opts.cursor !== undefined && opts.cursor !== null) {
      query = query.where('id', '<', decodeCursor(opts.cursor));
    }
    const rows = await query.execute();
    const page = rows.slice(0, limit).map(toJob);
    const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null;
    return { jobs: page, nextCursor };
  }

  /** Atomically moves the oldest 'registered' job to 'scheduled' (attempts + 1). Undefined when none waits. */
  async claimNext(): Promise<Job | undefined> {
    return inTransaction(this.db, async (trx) => {
      for (let tries = 0; tries < 100; tries++) {
        const candidate = await trx
          .selectFrom('jobs')
          .select('id')
          .where('stage', '=', 'registered')
          .orderBy('id', 'asc')
          .limit(1)
          .executeTakeFirst();
        if (!candidate) return undefined;
        const now = Date.now();
        // The stage guard makes the claim safe even where the transaction does not serialize writers.
        const row = await trx
          .updateTable('jobs')
          .set((eb) => ({ stage: 'scheduled', attempts: eb('attempts', '+', 1), updated_at: now }))
          .where('id', '=', candidate.id)
          .where('stage', '=', 'registered')
          .returningAll()
          .executeTakeFirst();
        if (!row) continue;
        await new EventsRepository(trx).append({ jobId: row.id, kind: 'scheduled', at: now });
        return toJob(row);
      }
      throw new DatabaseError('could not claim a job: too much contention');
    });
  }

  /** Moves a job forward (or to error/cancelled) per db/stages.ts, appending the event. */
  advance(jobId: number, to: Stage, opts: AdvanceOptions = {}): Promise<Job> {
    return this.move(jobId, { to, move: 'advance', kind: to, ...opts });
  }

  /** Records progress (clamped to 0..1) while the job is live; no event. Resolves false when it is not live. */
  async setProgress(jobId: number, fraction: number): Promise<boolean> {
    if (!Number.isFinite(fraction)) throw new InvalidArgumentError(`progress must be a number 0..1`);
    const progress = Math.min(1, Math.max(0, fraction));
    const result = await this.db
      .updateTable('jobs')
      .set({ progress, updated_at: Date.now() })
      .where('id', '=', jobId)
      .where('stage', 'in', LIVE_STAGES)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** → 'error', remembering the stage it failed in. */
  fail(jobId: number, error: string): Promise<Job> {
    return this.move(jobId, { to: 'error', move: 'advance', kind: 'error', error });
  }

  /** → 'cancelled' from a live stage. */
  cancel(jobId: number, detail?: string): Promise<Job> {
    return this.move(jobId, { to: 'cancelled', move: 'advance', kind: 'cancelled', detail: detail ?? null });
  }

  /** A scheduled/taken/calculated job back to 'registered' (event 'retried'); its next claim counts an attempt. */
  retry(jobId: number, reason: string): Promise<Job> {
    return this.move(jobId, { to: 'registered', move: 'retry', kind: 'retried', detail: reason });
  }

  /** At master start: every scheduled/taken/calculated job back to 'registered' by retry. */
  requeueUnfinished(reason: string): Promise<Job[]> {
    return inTransaction(this.db, async (trx) => {
      const rows = await trx
        .selectFrom('jobs')
        .select('id')
        .where('stage', 'in', RETRYABLE_STAGES)
        .orderBy('id', 'asc')
        .execute();
      const jobs = new JobsRepository(trx);
      const requeued: Job[] = [];
      for (const { id } of rows) requeued.push(await jobs.retry(id, reason));
      return requeued;
    });
  }

  async countByStage(): Promise<Record<Stage, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['stage', eb.fn.countAll<number>().as('count')])
      .groupBy('stage')
      .execute();
    const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
    for (const row of rows) counts[row.stage] = Number(row.count);
    return counts;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  private async move(jobId: number, spec: MoveSpec): Promise<Job> {
    if (spec.digit !== undefined) checkDigit(spec.digit);
    return inTransaction(this.db, async (trx: Kysely<Database>) => {
      const row = await trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      if (!row) throw new JobNotFoundError(jobId);
      checkMove(row.stage, spec.to, spec.move);
      const now = Date.now();
      const changes: Updateable<JobsTable> = { stage: spec.to, updated_at: now };
      if (spec.to === 'taken') changes.started_at = now;
      if (spec.to === 'calculated' || spec.to === 'stored') changes.progress = 1;
      if (isTerminal(spec.to)) changes.finished_at = now;
      if (spec.to === 'error') {
        changes.error = spec.error ?? null;
        changes.error_stage = row.stage;
      }
      if (spec.move === 'retry' || spec.move === 'resubmit') {
        Object.assign(changes, { progress: 0, digit: null, from_cache: 0, started_at: null, finished_at: null });
      }
      if (spec.move === 'resubmit') Object.assign(changes, { attempts: 0, error: null, error_stage: null });
      if (spec.digit !== undefined) changes.digit = spec.digit;
      if (spec.fromCache !== undefined) changes.from_cache = spec.fromCache ? 1 : 0;
      const updated = await trx
        .updateTable('jobs')
        .set(changes)
        .where('id', '=', jobId)
        .where('stage', '=', row.stage)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw new DatabaseError(`job ${jobId} changed while moving it to '${spec.to}'; try again`);
      await new EventsRepository(trx).append({
        jobId,
        kind: spec.kind,
        at: now,
        error: spec.to === 'error' ? (spec.error ?? null) : null,
        detail: spec.detail ?? null,
      });
      return toJob(updated);
    });
  }
}
