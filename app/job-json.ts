// The JSON shape of a job, used by the API and the live feed alike.

import type { Job, JobEvent } from '../db/index.js';

export interface JobJson {
  id: number;
  n: number;
  stage: Job['stage'];
  progress: number;
  attempts: number;
  digit: number | null;
  error: string | null;
  error_stage: Job['stage'] | null;
  from_cache: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The job's last change (stage, progress): what a live page compares to tell a newer message from an older one. */
  updated_at: string;
  duration_ms: number | null;
  links: { self: string; digits: string };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function jobJson(job: Job): JobJson {
  return {
    id: job.id,
    n: job.n,
    stage: job.stage,
    progress: job.progress,
    attempts: job.attempts,
    digit: job.digit,
    error: job.error,
    error_stage: job.errorStage,
    from_cache: job.fromCache,
    created_at: iso(job.createdAt)!,
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    updated_at: iso(job.updatedAt)!,
    duration_ms: jobDurationMs(job),
    links: { self: `/api/jobs/${job.n}`, digits: `/pi/${job.n}` },
  };
}

/** From creation to the end; null while the job has not ended. */
export function jobDurationMs(job: Job): number | null {
  if (job.finishedAt !== null) return job.finishedAt - job.createdAt;
  return null;
}

export function eventJson(e: JobEvent): { kind: string; at: string; error: string | null; detail: string | null } {
  return { kind: e.kind, at: new Date(e.at).toISOString(), error: e.error, detail: e.detail };
}
