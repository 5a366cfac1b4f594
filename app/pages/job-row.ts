// One row of the jobs table, server-rendered; static/app.js updates the same cells when the job changes.

import { isLive, type Job } from '../../db/index.js';
import { html, type SafeHtml } from '../http/html.js';
import { jobDurationMs } from '../job-json.js';
import { groupThousands } from '../http/numbers.js';

/**
 * The stage as the table shows it. A job retried after its worker failed says which attempt it is on: `registered`
 * waits for attempt attempts + 1, the other live stages are in attempt `attempts` (static/app.js says the same).
 */
export function stageText(job: Job): string {
  if (job.stage === 'error') return `error at ${job.errorStage ?? 'unknown stage'}: ${job.error ?? 'no message'}`;
  if (job.stage === 'stored' && job.fromCache) return 'stored (from cache)';
  const attempt = job.stage === 'registered' ? job.attempts + 1 : job.attempts;
  if (attempt > 1 && isLive(job.stage)) return `${job.stage} (attempt ${attempt})`;
  return job.stage;
}

export function durationText(job: Job): string {
  const ms = jobDurationMs(job);
  if (ms === null) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function jobRow(job: Job): SafeHtml {
  const running = job.stage === 'scheduled' || job.stage === 'taken' || job.stage === 'calculated' || job.stage === 'registered';
  return html`<tr id="job-${job.id}" data-n="${job.n}" data-stage="${job.stage}" data-updated="${job.updatedAt}">
<td class="n"><a href="/pi/${job.n}">${groupThousands(job.n)}</a></td>
<td class="stage stage-${job.stage}">${stageText(job)}</td>
<td class="progress">${running ? html`<progress max="1" value="${job.progress.toFixed(3)}">${Math.floor(job.progress * 100)}%</progress>` : job.stage === 'stored' ? 'done' : ''}</td>
<td class="digit">${job.digit ?? ''}</td>
<td class="time">${durationText(job)}</td>
<td class="link"><a href="/pi/${job.n}">pi to ${groupThousands(job.n)} decimals</a></td>
</tr>`;
}
