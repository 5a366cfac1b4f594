// The JSON API: POST/GET /api/jobs, GET/DELETE /api/jobs/:n, GET /api/pi/:n/digit. Errors are JSON with a message.

import type { HttpScope, Receive, Send } from '../../server/interface.js';
import { InvalidCursorError } from '../../db/index.js';
import { HttpError, queryParams, readJson } from '../http/request.js';
import { ordinal } from '../http/numbers.js';
import { sendJson } from '../http/responses.js';
import type { JobService } from '../jobs.js';
import { eventJson, jobJson } from '../job-json.js';
import { parseNJson, parseNText } from '../validation.js';

export const JSON_BODY_LIMIT = 16 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export async function createJob(jobs: JobService, scope: HttpScope, receive: Receive, send: Send): Promise<void> {
  const body = await readJson(scope, receive, JSON_BODY_LIMIT);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(422, 'expected a JSON object like {"n": 1000}');
  const extra = Object.keys(body).filter((k) => k !== 'n');
  if (extra.length > 0) throw new HttpError(422, `unknown field(s): ${extra.slice(0, 5).join(', ')}; only "n" is accepted`);
  if (!('n' in body)) throw new HttpError(422, 'missing "n": send {"n": 1000}');
  const n = parseNJson((body as { n: unknown }).n, jobs.maxDigits);
  // 201: a new job; 202: an ended job (error, cancelled) registered again for a fresh run; 200: the job as it is.
  const { job, created, resubmitted } = await jobs.submit(n);
  await sendJson(send, created ? 201 : resubmitted ? 202 : 200, jobJson(job), created || resubmitted ? [['Location', `/api/jobs/${n}`]] : []);
}

export async function listJobs(jobs: JobService, scope: HttpScope, send: Send): Promise<void> {
  const q = queryParams(scope);
  const limitText = q.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    if (!/^[0-9]{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_LIMIT) {
      throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = Number(limitText);
  }
  try {
    const page = await jobs.repos.jobs.list({ limit, cursor: q.get('cursor') });
    await sendJson(send, 200, {
      jobs: page.jobs.map(jobJson),
      next_cursor: page.nextCursor,
      next: page.nextCursor ? `/api/jobs?limit=${limit}&cursor=${encodeURIComponent(page.nextCursor)}` : null,
    });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new HttpError(400, 'cursor is not one this server made: use next_cursor from a previous page');
    throw err;
  }
}

export async function getJob(jobs: JobService, send: Send, nText: string): Promise<void> {
  const n = parseNText(nText, jobs.maxDigits);
  const job = await jobs.repos.jobs.findByN(n);
  if (job === undefined) throw new HttpError(404, `there is no job for n=${n}; POST /api/jobs {"n": ${n}} creates it`);
  const events = await jobs.repos.events.listForJob(job.id);
  await sendJson(send, 200, { ...jobJson(job), events: events.map(eventJson) });
}

export async function cancelJob(jobs: JobService, send: Send, nText: string): Promise<void> {
  const n = parseNText(nText, jobs.maxDigits);
  await sendJson(send, 200, jobJson(await jobs.cancel(n)));
}

export async function digitOf(jobs: JobService, send: Send, nText: string): Promise<void> {
  const n = parseNText(nText, jobs.maxDigits);
  const digit = await jobs.repos.digits.digitAt(n);
  if (digit === undefined) throw new HttpError(404, `the ${ordinal(n)} decimal is not computed yet; POST /api/jobs {"n": ${n}} first`);
  await sendJson(send, 200, { n, digit });
}
