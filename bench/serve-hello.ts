// Starts the hello app on rawpi or on node:http (argv: rawpi|node PORT) for a benchmark run.

import { HttpServer } from '../server/server.js';
import { helloApp } from '../app/hello.js';
import { nodeHttpServer } from './node-http-adapter.js';

const [kind = 'rawpi', portArg = '8001'] = process.argv.slice(2);
const port = Number(portArg);
if (kind === 'node') {
  nodeHttpServer(helloApp).listen(port, '127.0.0.1', () => process.stderr.write(`node:http hello on ${port}\n`));
} else {
  const server = new HttpServer(helloApp, { port, accessLog: false, lifespan: 'off' });
  void server.start().then(({ url }) => process.stderr.write(`rawpi hello on ${url}\n`));
}
process.on('SIGTERM', () => process.exit(0));
