// The application as one ASGI-like callable: routes, the live feed on /ws, static files, health and metrics,
// lifespan hooks, and the translation of HttpError into a clear 4xx with the right body type.

import { performance } from 'node:perf_hooks';
import type { App, HttpScope, Receive, Send, WebSocketScope } from '../server/interface.js';
import { Router } from './router.js';
import { HttpError, header } from './http/request.js';
import { sendError, sendHtml, respond } from './http/responses.js';
import { html } from './http/html.js';
import type { JobService } from './jobs.js';
import { healthz, type DatabaseHealth } from './health.js';
import { isDatabaseUnavailable } from '../db/index.js';
import type { LiveFeed } from './live.js';
import type { Metrics } from './metrics.js';
import { afterFirstSegment, type StaticFiles } from './static-files.js';
import { layout } from './pages/layout.js';
import { indexPage, submitForm } from './pages/index-page.js';
import { FreshPage } from './pages/fresh-page.js';
import { piPage, piText } from './pages/pi-page.js';
import { cancelJob, createJob, digitOf, getJob, listJobs } from './api/jobs-api.js';
import { echo } from './echo.js';

export interface AppDeps {
  jobs: JobService;
  feed: LiveFeed;
  files: StaticFiles;
  metrics: Metrics;
  /** For the readiness check on /healthz; without it /healthz always answers ok. */
  database?: DatabaseHealth;
  /** Run at lifespan startup and shutdown (the composition root starts and stops the worker pool here). */
  onStartup?: () => Promise<void>;
  onShutdown?: () => Promise<void>;
  log?: (line: string) => void;
}

export function buildRouter(d: AppDeps): Router {
  const { jobs } = d;
  const newest = new FreshPage();
  return new Router()
    .add('GET', '/', (scope, _r, send) => indexPage(jobs, scope, send, newest))
    .add('POST', '/', (scope, receive, send) => submitForm(jobs, scope, receive, send))
    .add('GET', '/pi/:n.txt', (_s, _r, send, p) => piText(jobs, send, p.n!))
    .add('GET', '/pi/:n', (scope, _r, send, p) => piPage(jobs, scope, send, p.n!))
    .add('POST', '/api/jobs', (scope, receive, send) => createJob(jobs, scope, receive, send))
    .add('GET', '/api/jobs', (scope, _r, send) => listJobs(jobs, scope, send))
    .add('GET', '/api/jobs/:n', (_s, _r, send, p) => getJob(jobs, send, p.n!))
    .add('DELETE', '/api/jobs/:n', (_s, _r, send, p) => cancelJob(jobs, send, p.n!))
    .add('GET', '/api/pi/:n/digit', (_s, _r, send, p) => digitOf(jobs, send, p.n!))
    .add('GET', '/healthz', (_s, _r, send) => healthz(send, d.database))
    .add('GET', '/metrics', async (_s, _r, send) => respond(send, 200, 'text/plain; version=0.0.4; charset=utf-8', await d.metrics.render(jobs.repos)))
    // Files are looked up by the raw (undecoded) path, so encoded dots and slashes are judged, not decoded away.
    .add('GET', '/static/*path', (scope, _r, send) => d.files.serve(scope, send, afterFirstSegment(scope.raw_path)))
    // /echo answers any method: it is the telnet learner's mirror.
    .add('*', '/echo', (scope, receive, send) => echo(scope, receive, send));
}

export function createApp(d: AppDeps): App {
  const router = buildRouter(d);

  async function http(scope: HttpScope, receive: Receive, send: Send): Promise<void> {
    const started = performance.now();
    let status = 0;
    const measured: Send = (m) => {
      if (m.type === 'http.response.start') status = m.status;
      else if (m.type === 'http.response.body' && !m.more_body) d.metrics.observe(status, (performance.now() - started) / 1000);
      return send(m);
    };
    const match = router.match(scope.method, scope.path);
    try {
      if (match.kind === 'none') throw new HttpError(404, `nothing is at ${scope.path}; the pages are / and /pi/N, the API is under /api/jobs`);
      if (match.kind === 'partial') {
        await sendProblem(scope, measured, new HttpError(405, `${scope.method} is not allowed here; allowed: ${match.allow.join(', ')}`), [['Allow', match.allow.join(', ')]]);
        return;
      }
      await match.handler(scope, receive, measured, match.params);
    } catch (err) {
      if (err instanceof HttpError) {
        await sendProblem(scope, measured, err);
      } else if (isDatabaseUnavailable(err)) {
        // Locked past the lock timeout, disk full, file gone: say so, change nothing, and let the next request try again.
        d.log?.(`database unavailable on ${scope.method} ${scope.path}: ${(err as Error).message}`);
        await sendProblem(scope, measured, new HttpError(503, 'the database is unavailable right now (busy, full or missing); nothing was changed, try again shortly'), [['Retry-After', '2']]);
      } else {
        throw err;
      }
    }
  }

  async function websocket(scope: WebSocketScope, receive: Receive, send: Send): Promise<void> {
    if (scope.path === '/ws') return d.feed.handle(scope, receive, send);
    await send({ type: 'websocket.close', code: 1008 }); // before accept: the server answers 403
  }

  async function lifespan(receive: Receive, send: Send): Promise<void> {
    for (;;) {
      const m = await receive();
      if (m.type === 'lifespan.startup') {
        try {
          await d.onStartup?.();
          await send({ type: 'lifespan.startup.complete' });
        } catch (err) {
          await send({ type: 'lifespan.startup.failed', message: (err as Error)?.message ?? String(err) });
          return;
        }
      } else if (m.type === 'lifespan.shutdown') {
        try {
          await d.onShutdown?.();
          await send({ type: 'lifespan.shutdown.complete' });
        } catch (err) {
          await send({ type: 'lifespan.shutdown.failed', message: (err as Error)?.message ?? String(err) });
        }
        return;
      }
    }
  }

  return async (scope, receive, send) => {
    if (scope.type === 'http') return http(scope, receive, send);
    if (scope.type === 'websocket') return websocket(scope, receive, send);
    return lifespan(receive, send);
  };
}

/** Errors as the client wants them: JSON under /api, an HTML page for browsers, plain text for telnet. */
async function sendProblem(scope: HttpScope, send: Send, err: HttpError, extra: Array<[string, string]> = []): Promise<void> {
  const accept = header(scope, 'accept') ?? '';
  if (!scope.path.startsWith('/api/') && accept.includes('text/html')) {
    const page = layout(`${err.status}`, html`<h1>${err.status}</h1><p class="error">${err.message}</p><p><a href="/">Back to the jobs</a></p>`);
    await sendHtml(send, err.status, page, extra);
    return;
  }
  await sendError(scope, send, err.status, err.message, extra);
}
