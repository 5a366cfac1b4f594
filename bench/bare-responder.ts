// The ceiling, not a server: a `net` responder that parses almost nothing. It answers every "\r\n\r\n" it sees with
// a fixed hello response (closing after HTTP/1.0 requests), so it measures what Node's sockets alone cost.
// Run by the bench beside rawpi and node:http on the hello route (kind 'bare'); never use it for anything else.

import net from 'node:net';

const BODY = 'Hello from rawpi!\n';
const HEAD = `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${BODY.length}\r\n`;
const KEEP = Buffer.from(`${HEAD}\r\n${BODY}`, 'latin1');
const CLOSE = Buffer.from(`${HEAD}Connection: close\r\n\r\n${BODY}`, 'latin1');
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

export function bareResponder(): net.Server {
  return net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => {
      // One response per end of head in this read (a head split across reads is not handled: wrk, ab and
      // autocannon do not split theirs); HTTP/1.0 (ab) gets its answer and a close.
      if (data.indexOf('HTTP/1.0', 0, 'latin1') >= 0) {
        socket.end(CLOSE);
        return;
      }
      let count = 0;
      for (let at = data.indexOf(END_OF_HEAD); at >= 0; at = data.indexOf(END_OF_HEAD, at + 4)) count++;
      socket.write(count === 1 ? KEEP : Buffer.concat(Array.from({ length: count }, () => KEEP)));
    });
  });
}
