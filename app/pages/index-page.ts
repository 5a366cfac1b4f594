// GET / (the form and the jobs table, newest first, by pages) and POST / (submit n from the form).

import type { HttpScope, Receive, Send } from '../../server/interface.js';
import { InvalidCursorError } from '../../db/index.js';
import { html, raw, type SafeHtml } from '../http/html.js';
import { HttpError, queryParams, readForm } from '../http/request.js';
import { redirectAfterPost, sendHtml } from '../http/responses.js';
import type { JobService } from '../jobs.js';
import { parseNText } from '../validation.js';
import { layout } from './layout.js';
import type { FreshPage } from './fresh-page.js';
import { jobRow } from './job-row.js';

export const PAGE_SIZE = 50;
const FORM_LIMIT = 4096;

function form(value: string, error: string | null): SafeHtml {
  return html`<section class="submit">
<h1>Pi to n decimals</h1>
<form method="post" action="/" class="job-form" novalidate>
<label for="n">n (how many decimals)</label>
<input id="n" name="n" inputmode="numeric" autocomplete="off" value="${value}" placeholder="e.g. 1000" aria-describedby="n-help${error ? ' n-error' : ''}"${error ? raw(' aria-invalid="true"') : ''}>
<button type="submit">Compute</button>
<p id="n-help" class="help">Jobs run in worker processes; each row updates live.</p>
${error ? html`<p id="n-error" class="error" role="alert">${error}</p>` : ''}
</form>
</section>`;
}

async function table(jobs: JobService, cursor: string | null): Promise<SafeHtml> {
  let page;
  try {
    page = await jobs.repos.jobs.list({ limit: PAGE_SIZE, cursor });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new HttpError(400, 'the "after" parameter is not a page cursor this server made; start again from /');
    throw err;
  }
  return html`<section class="jobs">
<table id="jobs">
<thead><tr><th>n</th><th>stage</th><th>progress</th><th>n-th decimal</th><th>time</th><th>digits</th></tr></thead>
<tbody>
${page.jobs.map(jobRow)}
</tbody>
</table>
${page.jobs.length === 0 ? html`<p class="empty">No jobs yet: ask for some decimals above.</p>` : ''}
<nav class="pages">${cursor ? html`<a href="/">newest</a>` : ''} ${page.nextCursor ? html`<a rel="next" href="/?after=${page.nextCursor}">older jobs</a>` : ''}</nav>
</section>`;
}

/** GET /: the newest page is kept in `newest` until the database changes; older pages (?after=) render each time. */
export async function indexPage(jobs: JobService, scope: HttpScope, send: Send, newest: FreshPage): Promise<void> {
  const cursor = queryParams(scope).get('after');
  if (cursor !== null) {
    await sendHtml(send, 200, await page(jobs, cursor));
    return;
  }
  const body = await newest.get(await jobs.repos.changes.token(), async () => (await page(jobs, null)).value);
  await sendHtml(send, 200, body);
}

async function page(jobs: JobService, cursor: string | null, input = '', error: string | null = null): Promise<SafeHtml> {
  return layout('rawpi: pi to n decimals', html`${form(input, error)}${await table(jobs, cursor)}`, { page: 'index' });
}

export async function submitForm(jobs: JobService, scope: HttpScope, receive: Receive, send: Send): Promise<void> {
  let raw = '';
  try {
    const fields = await readForm(scope, receive, FORM_LIMIT);
    raw = fields.get('n') ?? '';
    const n = parseNText(raw, jobs.maxDigits);
    await jobs.submit(n);
    await redirectAfterPost(scope, send, '/');
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    // Re-render the form with the message; nothing was stored.
    const shown = raw.length > 100 ? raw.slice(0, 100) : raw;
    await sendHtml(send, err.status, await page(jobs, null, shown, err.message));
  }
}
