// Holds COUNT keep-alive connections to 127.0.0.1:PORT open and idle: each sends one GET PATH, reads the response,
// then stays connected. Prints {"ready": open, "failed": n} once all have answered; then, for every line on stdin,
// {"open": n} (how many the server has not closed). argv: PORT COUNT PATH [CONCURRENCY]

import net from 'node:net';
import readline from 'node:readline';

const [portArg, countArg, path = '/healthz', concurrencyArg = '200'] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
const sockets: net.Socket[] = [];
let open = 0;
let failed = 0;

function one(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    let answered = false;
    let kept = false;
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (d: string) => {
      if (answered) return;
      got += d;
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      answered = true;
      if (/^HTTP\/1\.[01] 200 /.test(got)) { open++; kept = true; sockets.push(socket); } else { failed++; socket.destroy(); }
      got = '';
      resolve();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (answered) { if (kept) open--; }
      else { failed++; resolve(); }
    });
  });
}

let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    next++;
    await one();
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
process.stdout.write(`${JSON.stringify({ ready: open, failed })}\n`);
readline.createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${JSON.stringify({ open })}\n`)).on('close', () => process.exit(0));
