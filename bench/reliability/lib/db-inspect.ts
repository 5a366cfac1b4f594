// Reads a rawpi database file directly (better-sqlite3), to check what the API cannot show: every event,
// and whether the stored digit chunks are whole and contiguous.

import BetterSqlite3 from 'better-sqlite3';

export interface DbSnapshot {
  jobs: Array<{ id: number; n: number; stage: string; attempts: number; error: string | null }>;
  events: Array<{ job_id: number; kind: string; detail: string | null; error: string | null }>;
  chunks: { rows: number; decimals: number; contiguous: boolean };
}

export function inspectDb(path: string): DbSnapshot {
  const db = new BetterSqlite3(path, { timeout: 10_000 });
  try {
    const jobs = db.prepare('select id, n, stage, attempts, error from jobs order by id').all() as DbSnapshot['jobs'];
    const events = db.prepare('select job_id, kind, detail, error from job_events order by id').all() as DbSnapshot['events'];
    const rows = db.prepare('select start, length, length(decimals) as actual from digit_chunks order by start').all() as Array<{ start: number; length: number; actual: number }>;
    let next = 0;
    let contiguous = true;
    for (const r of rows) {
      if (r.start !== next || r.length !== r.actual) contiguous = false;
      next = r.start + r.length;
    }
    return { jobs, events, chunks: { rows: rows.length, decimals: next, contiguous } };
  } finally {
    db.close();
  }
}

/** How many events of `kind` each job has. */
export function eventCounts(s: DbSnapshot, kind: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const e of s.events) if (e.kind === kind) m.set(e.job_id, (m.get(e.job_id) ?? 0) + 1);
  return m;
}

/** The user tables of a database file (an empty file has none). */
export function tableNames(path: string): string[] {
  const db = new BetterSqlite3(path, { timeout: 10_000, readonly: true, fileMustExist: true });
  try {
    return (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}
