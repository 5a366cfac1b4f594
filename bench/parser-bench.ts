// Microbenchmark of the server's sans-IO halves, no sockets: RequestParser on request heads as clients send them,
// and ResponseWriter.head() on a small response. Prints a Markdown table of nanoseconds per request.
// Run: npx tsc -p tsconfig.json && node dist/bench/parser-bench.js [--iterations N] [--rounds R]

import type { Header } from '../server/interface.js';
import { RequestParser } from '../server/http/request-parser.js';
import { ResponseWriter } from '../server/http/response-writer.js';
import { wholeNumberOption } from './options.js';
import { median } from './stats.js';

const iterations = wholeNumberOption('--iterations', 200_000, 'parser-bench');
const rounds = wholeNumberOption('--rounds', 5, 'parser-bench');

const HEADS = {
  autocannon: 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\n\r\n',
  ab: 'GET / HTTP/1.0\r\nHost: 127.0.0.1:8000\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n',
  browser: 'GET /pi/1000 HTTP/1.1\r\nHost: localhost:8000\r\nConnection: keep-alive\r\nCache-Control: max-age=0\r\n'
    + 'Upgrade-Insecure-Requests: 1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n'
    + 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n'
    + 'Referer: http://localhost:8000/\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n',
} as const;

/** Parses `count` requests from one buffer `repeat` times over; returns ns per request. */
function parse(bytes: Buffer, count: number, repeat: number): number {
  let headers = 0;
  const started = process.hrtime.bigint();
  for (let k = 0; k < repeat; k++) {
    const parser = new RequestParser();
    parser.feed(bytes);
    for (let r = 0; r < count; r++) {
      const head = parser.next();
      if (head.type !== 'head') throw new Error(`expected a head, got ${head.type}`);
      headers += head.head.headers.length;
      const end = parser.next();
      if (end.type !== 'end') throw new Error(`expected the end of the request, got ${end.type}`);
      parser.startNextRequest();
    }
  }
  const ns = Number(process.hrtime.bigint() - started) / (count * repeat);
  if (headers === 0) throw new Error('no headers parsed');
  return ns;
}

const HELLO: Header[] = [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', '18']];

/** ResponseWriter.head() for a small response, its text counted so that it is built; returns ns per head. */
function responseHead(repeat: number): number {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (let k = 0; k < repeat; k++) {
    const writer = new ResponseWriter({ method: 'GET', version: '1.1', keepAlive: true });
    // A new headers array each time, as an app makes for each response (app/hello.ts does).
    bytes += Buffer.byteLength(writer.head(200, HELLO.map(([n, v]) => [n, v] as Header)), 'latin1');
  }
  const ns = Number(process.hrtime.bigint() - started) / repeat;
  if (bytes === 0) throw new Error('no head built');
  return ns;
}

const cases: Array<{ what: string; run: () => number }> = [
  { what: 'parse: 10 pipelined requests in one read (autocannon -p10\'s head)', run: () => parse(Buffer.from(HEADS.autocannon.repeat(10), 'latin1'), 10, Math.ceil(iterations / 10)) },
  { what: 'parse: one HTTP/1.0 request (ab\'s head, 3 header lines)', run: () => parse(Buffer.from(HEADS.ab, 'latin1'), 1, iterations) },
  { what: 'parse: one browser request (9 header lines)', run: () => parse(Buffer.from(HEADS.browser, 'latin1'), 1, iterations) },
  { what: 'response head: 200 with Content-Type and Content-Length', run: () => responseHead(iterations) },
];

process.stdout.write(`Node ${process.version}; ${iterations.toLocaleString('en-US')} requests per round, the median of ${rounds} rounds (each case warmed up by a round first).\n\n`);
process.stdout.write('| case | ns per request | rounds (ns) |\n| --- | ---: | --- |\n');
for (const c of cases) {
  c.run(); // warm-up: the JIT compiles the hot code
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) times.push(c.run());
  process.stdout.write(`| ${c.what} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(' ')} |\n`);
}
