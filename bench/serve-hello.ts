// Starts the hello app (app/hello.ts) on rawpi or on node:http for a benchmark run, or the bare net responder
// that stands for the ceiling (bench/bare-responder.ts).
// argv: rawpi|node|bare PORT [--keep-alive-timeout MS]; PORT 0 picks a free one (printed as JSON on stdout).

import { helloApp } from '../app/hello.js';
import { parseServeArgs, serve } from './serve-common.js';

const args = parseServeArgs(process.argv.slice(2), 'node dist/bench/serve-hello.js rawpi|node|bare PORT [--keep-alive-timeout MS]');
await serve(helloApp, args, { lifespan: 'off' });
