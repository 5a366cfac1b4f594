// A load client that accounts for every request: persistent connections, one request at a time each, and
// for every request written, whether its response came back whole, and if not, how the connection ended.

import net from 'node:net';

export interface LoadStats {
  /** Requests written to a connected socket. */
  sent: number;
  /** Whole responses received, by status. */
  answered: number;
  byStatus: Record<string, number>;
  /** Responses that carried `Connection: close`. */
  answeredWithClose: number;
  /** Written, then the server closed (FIN) without answering: a request lost. */
  unansweredFin: number;
  /** Written, then the connection was reset: a request lost. */
  unansweredReset: number;
  /** Written on a connection the server had just closed as idle (FIN arrived first, no byte of response). */
  closedIdleBeforeAnswer: number;
  /** New connections refused (nothing listening any more). */
  refused: number;
  /** With ignoreClose: requests written after a `Connection: close` response (RFC 9112 9.6 forbids that)... */
  sentAfterClose: number;
  /** ...and those of them that got no answer. */
  lostAfterClose: number;
  latenciesMs: number[];
}

function emptyStats(): LoadStats {
  return { sent: 0, answered: 0, byStatus: {}, answeredWithClose: 0, unansweredFin: 0, unansweredReset: 0, closedIdleBeforeAnswer: 0, refused: 0, sentAfterClose: 0, lostAfterClose: 0, latenciesMs: [] };
}

/** One request/response exchange on `socket`; the caller writes the request. */
interface Pending { started: number; data: Buffer; afterClose: boolean }

export interface Load {
  stats: LoadStats;
  /** Stops sending; resolves when every connection has finished its last request. */
  stop(): Promise<LoadStats>;
}

/**
 * Runs `connections` keep-alive clients against GET `path` until stop(). A client whose connection is closed
 * reconnects; once connections are refused it retries every 20 ms (a refused connection sent nothing).
 * `ignoreClose` makes it behave as autocannon does: after a response with `Connection: close` it writes its next
 * request on the same connection anyway (a client must not, RFC 9112 9.6), and counts what became of those.
 */
export function keepAliveLoad(port: number, path: string, connections: number, opts: { ignoreClose?: boolean } = {}): Load {
  const stats = emptyStats();
  let stopping = false;
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, 'latin1');

  const client = async (): Promise<void> => {
    while (!stopping) {
      const socket = await new Promise<net.Socket | null>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(null));
      });
      if (socket === null) {
        stats.refused++;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      socket.setNoDelay(true);
      await new Promise<void>((done) => {
        let pending: Pending | null = null;
        let buf = Buffer.alloc(0);
        let reset = false;
        let closeAnnounced = false;
        const send = () => {
          if (stopping) { socket.end(); return; }
          pending = { started: performance.now(), data: Buffer.alloc(0), afterClose: closeAnnounced };
          buf = Buffer.alloc(0);
          stats.sent++;
          if (closeAnnounced) stats.sentAfterClose++;
          socket.write(request);
        };
        socket.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0 || pending === null) return;
          const head = buf.toString('latin1', 0, end);
          const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length < end + 4 + len) return;
          const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? '???';
          stats.answered++;
          stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
          stats.latenciesMs.push(performance.now() - pending.started);
          pending = null;
          if (/\r\nconnection: *close/i.test(head)) {
            stats.answeredWithClose++;
            closeAnnounced = true;
            if (!opts.ignoreClose) {
              socket.end();
              return;
            }
          }
          send();
        });
        socket.on('error', () => { reset = true; });
        socket.on('close', () => {
          if (pending !== null) {
            if ((pending as Pending).afterClose) stats.lostAfterClose++;
            if (reset) stats.unansweredReset++;
            else if (buf.length === 0) stats.closedIdleBeforeAnswer++;
            else stats.unansweredFin++;
          }
          done();
        });
        send();
      });
    }
  };
  const running = Promise.all(Array.from({ length: connections }, client));
  return {
    stats,
    stop: async () => {
      stopping = true;
      await running;
      return stats;
    },
  };
}
