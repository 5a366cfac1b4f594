// The smallest app: "/" greets, "/echo" mirrors the request, anything else is 404. Used by tests and the bench.

import type { App } from '../server/interface.js';
import { echo } from './echo.js';

const GREETING = Buffer.from('Hello from rawpi!\n');
const NOT_FOUND = Buffer.from('404 Not Found: try GET / or GET /echo\n');

export const helloApp: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  if (scope.path === '/echo') return echo(scope, receive, send);
  const found = scope.path === '/';
  const body = found ? GREETING : NOT_FOUND;
  await send({
    type: 'http.response.start',
    status: found ? 200 : 404,
    headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(body.length)]],
  });
  await send({ type: 'http.response.body', body });
};
