// The routes measured: the hello app's one page, and the full app's routes a user hits.

import type { Suite } from './servers.js';
import { EXISTING_N, SEED_DECIMALS, SEED_JOBS } from './seed.js';

export interface Route {
  id: string;
  suite: Suite;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  label: string;
  /** What a correct answer looks like, checked once per server start before measuring. */
  expect: { status: number; bodyLength?: number };
}

export const ROUTES: readonly Route[] = [
  { id: 'hello', suite: 'hello', method: 'GET', path: '/', label: 'hello app: GET /', expect: { status: 200 } },
  { id: 'healthz', suite: 'app', method: 'GET', path: '/healthz', label: 'GET /healthz', expect: { status: 200, bodyLength: 3 } },
  { id: 'index', suite: 'app', method: 'GET', path: '/', label: `GET / (${SEED_JOBS} jobs)`, expect: { status: 200 } },
  { id: 'static', suite: 'app', method: 'GET', path: '/static/app.js', label: 'GET /static/app.js', expect: { status: 200 } },
  { id: 'pi100k', suite: 'app', method: 'GET', path: `/pi/${SEED_DECIMALS}.txt`, label: `GET /pi/${SEED_DECIMALS}.txt (100 KB)`, expect: { status: 200, bodyLength: SEED_DECIMALS + 2 } },
  { id: 'post', suite: 'app', method: 'POST', path: '/api/jobs', body: JSON.stringify({ n: EXISTING_N }), contentType: 'application/json', label: `POST /api/jobs {"n":${EXISTING_N}}`, expect: { status: 200 } },
];

/** --smoke measures these (every route of a started server is still requested once and checked). */
export const SMOKE_ROUTES = ['hello', 'post'];
