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
  latenciesMs: number[];
}

function emptyStats(): LoadStats {
  return { sent: 0, answered: 0, byStatus: {}, answeredWithClose: 0, unansweredFin: 0, unansweredReset: 0, closedIdleBeforeAnswer: 0, refused: 0, latenciesMs: [] };
}

/** One request/response exchange on `socket`; the caller writes the request. */
interface Pending { started: number; data: Buffer }

export interface Load {
  stats: LoadStats;
  /** Stops sending; resolves when every connection has finished its last request. */
  stop(): Promise<LoadStats>;
}

/**
 * Runs `connections` keep-alive clients against GET `path` until stop(). A client whose connection is closed
 * reconnects; once connections are refused it retries every 20 ms (a refused connection sent nothing).
 */
export function keepAliveLoad(port: number, path: string, connections: number): Load {
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
        const send = () => {
          if (stopping) { socket.end(); return; }
          pending = { started: performance.now(), data: Buffer.alloc(0) };
          buf = Buffer.alloc(0);
          stats.sent++;
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
            socket.end();
            return;
          }
          send();
        });
        socket.on('error', () => { reset = true; });
        socket.on('close', () => {
          if (pending !== null) {
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
