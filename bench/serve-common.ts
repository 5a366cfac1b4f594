// What the bench server processes share: the command line (KIND PORT [DATABASE] [--keep-alive-timeout MS]) and
// serving one app on rawpi's HttpServer or on node:http, on 127.0.0.1 only, without an access log.
// Once listening, the process prints one JSON line on stdout, {"listening": PORT, "pid": PID, "kind": KIND},
// which bench/servers.ts waits for; SIGTERM stops it.

import { HttpServer } from '../server/server.js';
import type { App } from '../server/interface.js';
import { nodeHttpServer } from './node-http-adapter.js';
import { bareResponder } from './bare-responder.js';

/** 'bare' is the ceiling reference (bench/bare-responder.ts), served for the hello suite only. */
export type ServerKind = 'rawpi' | 'node' | 'bare';

export interface ServeArgs {
  kind: ServerKind;
  port: number;
  positional: string[];
  keepAliveTimeoutMs: number;
}

export function parseServeArgs(argv: readonly string[], usage: string): ServeArgs {
  const positional: string[] = [];
  let keepAliveTimeoutMs = 5000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--keep-alive-timeout') keepAliveTimeoutMs = Number(argv[++i]);
    else if (a.startsWith('--keep-alive-timeout=')) keepAliveTimeoutMs = Number(a.slice(a.indexOf('=') + 1));
    else positional.push(a);
  }
  const [kind = 'rawpi', portArg = '0', ...rest] = positional;
  const port = Number(portArg);
  if ((kind !== 'rawpi' && kind !== 'node' && kind !== 'bare') || !Number.isInteger(port) || port < 0 || port > 65535 || !(keepAliveTimeoutMs > 0)) {
    process.stderr.write(`usage: ${usage}\n`);
    process.exit(2);
  }
  return { kind, port, positional: rest, keepAliveTimeoutMs };
}

/** Listens on 127.0.0.1:port (0 picks one) and announces the port on stdout. Resolves once listening. */
export async function serve(app: App, args: ServeArgs, opts: { lifespan: 'auto' | 'off'; onStop?: () => Promise<void> | void }): Promise<void> {
  let stop: () => Promise<void>;
  let port: number;
  if (args.kind === 'bare') {
    const server = bareResponder();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(args.port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as { port: number }).port;
    stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else if (args.kind === 'node') {
    const server = nodeHttpServer(app, { keepAliveTimeoutMs: args.keepAliveTimeoutMs });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(args.port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as { port: number }).port;
    stop = () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  } else {
    const server = new HttpServer(app, {
      host: '127.0.0.1', port: args.port, accessLog: false, lifespan: opts.lifespan,
      timeouts: { keepAliveTimeoutMs: args.keepAliveTimeoutMs, shutdownTimeoutMs: 1000 },
    });
    ({ port } = await server.start());
    stop = () => server.stop(1000);
  }
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(0);
    stopping = true;
    void stop().then(() => opts.onStop?.()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.stdout.write(`${JSON.stringify({ listening: port, pid: process.pid, kind: args.kind })}\n`);
}
