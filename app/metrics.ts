// GET /metrics in Prometheus text format: requests by status, a duration histogram, connections, websockets, jobs
// by stage, queue depth, workers busy/idle, pool degraded, database available, and the last computation's digits/s.

import type { DatabaseStatus, Job, Repositories, Stage } from '../db/index.js';
import { isDatabaseUnavailable, STAGES } from '../db/index.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface RuntimeGauges {
  connections(): number;
  websockets(): number;
  workers(): { busy: number; idle: number; degraded?: boolean };
  /** The database file's status; absent: not watched (always 1). */
  database?(): DatabaseStatus;
}

export class Metrics {
  private readonly byStatus = new Map<number, number>();
  private readonly bucketCounts = new Array<number>(BUCKETS.length).fill(0);
  private durationSum = 0;
  private durationCount = 0;
  private digitsPerSecond = 0;

  constructor(private readonly gauges: RuntimeGauges) {}

  observe(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.durationSum += seconds;
    this.durationCount++;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]!) {
        this.bucketCounts[i]!++;
        break;
      }
    }
  }

  /** Called for every job change: a computed (not cached) job that got stored sets the digits-per-second gauge. */
  jobChanged(job: Job): void {
    if (job.stage === 'stored' && !job.fromCache && job.startedAt !== null && job.finishedAt !== null && job.finishedAt > job.startedAt) {
      this.digitsPerSecond = job.n / ((job.finishedAt - job.startedAt) / 1000);
    }
  }

  async render(repos: Repositories): Promise<string> {
    const lines: string[] = [];
    lines.push('# HELP rawpi_http_requests_total HTTP responses sent, by status.', '# TYPE rawpi_http_requests_total counter');
    for (const [status, count] of [...this.byStatus].sort((a, b) => a[0] - b[0])) lines.push(`rawpi_http_requests_total{status="${status}"} ${count}`);
    lines.push('# HELP rawpi_http_request_duration_seconds Time from request head to the end of the response.', '# TYPE rawpi_http_request_duration_seconds histogram');
    let cumulative = 0;
    BUCKETS.forEach((b, i) => {
      cumulative += this.bucketCounts[i]!;
      lines.push(`rawpi_http_request_duration_seconds_bucket{le="${b}"} ${cumulative}`);
    });
    lines.push(`rawpi_http_request_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`);
    lines.push(`rawpi_http_request_duration_seconds_sum ${this.durationSum.toFixed(6)}`, `rawpi_http_request_duration_seconds_count ${this.durationCount}`);
    lines.push('# HELP rawpi_open_connections Open HTTP connections.', '# TYPE rawpi_open_connections gauge', `rawpi_open_connections ${this.gauges.connections()}`);
    lines.push('# HELP rawpi_open_websockets Open WebSocket sessions.', '# TYPE rawpi_open_websockets gauge', `rawpi_open_websockets ${this.gauges.websockets()}`);
    const available = this.gauges.database?.().available ?? true;
    lines.push('# HELP rawpi_database_available Whether the database file is the one opened (0 once removed or replaced).', '# TYPE rawpi_database_available gauge', `rawpi_database_available ${available ? 1 : 0}`);
    // While the database is unavailable the job gauges are left out; the rest still tells what is going on.
    const byStage = await this.jobsByStage(repos);
    if (byStage !== null) {
      lines.push('# HELP rawpi_jobs Jobs in the database, by stage.', '# TYPE rawpi_jobs gauge');
      for (const stage of STAGES) lines.push(`rawpi_jobs{stage="${stage}"} ${byStage[stage] ?? 0}`);
      lines.push('# HELP rawpi_queue_depth Jobs waiting for a worker (registered).', '# TYPE rawpi_queue_depth gauge', `rawpi_queue_depth ${byStage.registered ?? 0}`);
    }
    const w = this.gauges.workers();
    lines.push('# HELP rawpi_workers Worker processes, by state.', '# TYPE rawpi_workers gauge', `rawpi_workers{state="busy"} ${w.busy}`, `rawpi_workers{state="idle"} ${w.idle}`);
    lines.push('# HELP rawpi_workers_degraded 1 while the pool starts no worker because workers cannot work (database file gone).', '# TYPE rawpi_workers_degraded gauge', `rawpi_workers_degraded ${w.degraded ? 1 : 0}`);
    lines.push('# HELP rawpi_digits_per_second Decimals per second of the last computed job.', '# TYPE rawpi_digits_per_second gauge', `rawpi_digits_per_second ${this.digitsPerSecond.toFixed(0)}`);
    return `${lines.join('\n')}\n`;
  }

  private async jobsByStage(repos: Repositories): Promise<Record<Stage, number> | null> {
    try {
      return await repos.jobs.countByStage();
    } catch (err) {
      if (isDatabaseUnavailable(err)) return null;
      throw err;
    }
  }
}
