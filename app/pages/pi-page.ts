// GET /pi/:n (pi to n decimals, grouped, the n-th highlighted, streamed from the stored chunks)
// and GET /pi/:n.txt (the digits as plain text). A job not yet done shows its status; one that ended in error or was
// cancelled says so and offers to run it again; an unknown n offers to create it.

import type { HttpScope, Send } from '../../server/interface.js';
import { isResubmittable, type Job } from '../../db/index.js';
import { html, type SafeHtml } from '../http/html.js';
import { PAGE_HEADERS, SECURITY_HEADERS, sendHtml, sendText } from '../http/responses.js';
import type { JobService } from '../jobs.js';
import { parseNText } from '../validation.js';
import { layout, layoutParts } from './layout.js';
import { jobRow } from './job-row.js';
import { groupedStream } from './digit-groups.js';
import { groupThousands, ordinal } from '../http/numbers.js';

/** Decimals per piece written to the socket. */
const PIECE = 64 * 1024;

async function* decimalsExceptLast(jobs: JobService, n: number): AsyncGenerator<string> {
  // The last decimal is written separately, inside <mark>.
  if (n > 1) yield* jobs.repos.digits.readDecimals(n - 1, PIECE);
}

export async function piPage(jobs: JobService, scope: HttpScope, send: Send, nText: string): Promise<void> {
  const n = parseNText(nText, jobs.maxDigits);
  const stored = await jobs.repos.digits.largestN();
  if (n > stored) {
    const job = await jobs.repos.jobs.findByN(n);
    if (job === undefined) {
      const page = layout(`pi to ${n} decimals: not computed`, html`<h1>Pi to ${groupThousands(n)} decimals</h1>
<p>Nobody has asked for these decimals yet.</p>
<form method="post" action="/"><input type="hidden" name="n" value="${n}"><button type="submit">Compute pi to ${groupThousands(n)} decimals</button></form>`, { page: 'pi' });
      await sendHtml(send, 404, page);
      return;
    }
    if (isResubmittable(job.stage)) {
      // Ended without digits: say so, and offer the way to run it again (submitting n again registers it anew).
      const why = job.stage === 'error'
        ? html`The job ended in an error${job.errorStage !== null ? html` at the ${job.errorStage} stage` : ''}: ${job.error ?? 'unknown'}.`
        : html`The job was cancelled.`;
      const page = layout(`pi to ${n} decimals: ${job.stage}`, html`<h1>Pi to ${groupThousands(n)} decimals</h1>
<p>${why} No decimals were stored.</p>
<form method="post" action="/"><input type="hidden" name="n" value="${n}"><button type="submit">Compute pi to ${groupThousands(n)} decimals again</button></form>
${jobTable(job)}`, { page: 'pi-ended' });
      await sendHtml(send, 404, page);
      return;
    }
    const page = layout(`pi to ${n} decimals: ${job.stage}`, html`<h1>Pi to ${groupThousands(n)} decimals</h1>
<p>The job is not finished; this page reloads itself when it is.</p>
${jobTable(job)}`, { page: 'pi-pending' });
    await sendHtml(send, 200, page);
    return;
  }
  const digit = await jobs.repos.digits.digitAt(n);
  const { top, bottom } = layoutParts(`pi to ${n} decimals`, { page: 'pi' });
  const intro = html`<h1>Pi to ${groupThousands(n)} decimals</h1>
<p class="digits-meta">The ${ordinal(n)} decimal is <strong>${digit}</strong>, highlighted at the end. <a href="/pi/${n}.txt">Plain text</a></p>
<pre class="digits" id="digits">3.`;
  await send({ type: 'http.response.start', status: 200, headers: [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store'], ...SECURITY_HEADERS, ...PAGE_HEADERS] });
  await send({ type: 'http.response.body', body: top + intro.value, more_body: true });
  // The n-th decimal goes inside <mark>: the stream carries a one-character placeholder for it,
  // so the grouping puts the separator before it right; the last piece is held back to replace it.
  let last = '';
  for await (const piece of groupedStream(withPlaceholder(decimalsExceptLast(jobs, n)))) {
    if (last) await send({ type: 'http.response.body', body: last, more_body: true });
    last = piece;
  }
  const mark = html`<mark id="nth" title="decimal ${n}">${digit}</mark></pre>`.value;
  await send({ type: 'http.response.body', body: last.slice(0, -1) + mark + bottom, more_body: false });
}

/** The one-row jobs table of a /pi/N page that shows its job instead of digits (kept live by static/app.js). */
function jobTable(job: Job): SafeHtml {
  return html`<table id="jobs" class="single"><thead><tr><th>n</th><th>stage</th><th>progress</th><th>n-th decimal</th><th>time</th><th>digits</th></tr></thead>
<tbody>${jobRow(job)}</tbody></table>`;
}

async function* withPlaceholder(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  yield* chunks;
  yield 'X';
}

export async function piText(jobs: JobService, send: Send, nText: string): Promise<void> {
  const n = parseNText(nText, jobs.maxDigits);
  const stored = await jobs.repos.digits.largestN();
  if (n > stored) {
    const job = await jobs.repos.jobs.findByN(n);
    const message = job === undefined ? `is not computed: submit n=${n} on / (or POST /api/jobs) first`
      : isResubmittable(job.stage)
        ? `was not stored: the job ${job.stage === 'error' ? 'ended in an error' : 'was cancelled'}; submit n=${n} again on / (or POST /api/jobs) to run it again`
        : `is not computed yet: the job is ${job.stage}; /pi/${n} shows it and reloads when it is done`;
    await sendText(send, 404, `pi to ${n} decimals ${message}.\n`);
    return;
  }
  await send({ type: 'http.response.start', status: 200, headers: [['Content-Type', 'text/plain; charset=us-ascii'], ['Content-Length', String(n + 2)], ...SECURITY_HEADERS] });
  await send({ type: 'http.response.body', body: '3.', more_body: true });
  for await (const piece of jobs.repos.digits.readDecimalBytes(n, PIECE)) {
    await send({ type: 'http.response.body', body: piece, more_body: true });
  }
  await send({ type: 'http.response.body', body: '', more_body: false });
}
