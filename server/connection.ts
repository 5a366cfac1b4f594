// One TCP connection: feeds socket bytes to the parser, runs one request cycle at a time (pipelined requests
// wait their turn), applies backpressure both ways, enforces the timeouts, and hands WebSocket upgrades over.

import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { App, Header, HttpScope, WebSocketScope } from './interface.js';
import { ProtocolError } from './http/errors.js';
import type { ConnectionLimits, Limits, Timeouts } from './http/limits.js';
import { RequestParser } from './http/request-parser.js';
import type { RequestHead } from './http/request-head.js';
import { reasonPhrase } from './http/status.js';
import { dateAndServerLines, statusLine } from './http/response-writer.js';
import { RequestCycle, type CyclePort } from './request-cycle.js';
import { joinPieces, type Piece } from './http/pieces.js';
import type { AccessLog } from './access-log.js';
import type { TraceFn } from './trace.js';
import type { FlushScheduler, Flushable } from './flush-scheduler.js';
import { isUpgradeRequest, validateHandshake } from './websocket/handshake.js';
import { runWebSocket, type WebSocketSessionOptions } from './websocket/session.js';

/** What every connection shares with its server. */
export interface ConnectionContext {
  app: App;
  limits: Limits;
  timeouts: Timeouts;
  connectionLimits: ConnectionLimits;
  websocket: Partial<WebSocketSessionOptions>;
  /** The state the app filled in lifespan startup; each scope gets a shallow copy (ASGI lifespan "state"). */
  state: Record<string, unknown>;
  serverAddress: [string, number] | null;
  rootPath: string;
  log: (line: string) => void;
  accessLog: AccessLog | null;
  trace: TraceFn | null;
  /** True once the server is shutting down: responses carry Connection: close. */
  shuttingDown: boolean;
  /** Flushes the outboxes of the connections read in this event-loop turn. */
  flusher: FlushScheduler;
  onClose: (connection: Connection) => void;
}

/** Which deadline is running, if any. 'closing': our FIN is sent; a peer that never closes its side is cut off. */
type Deadline = 'none' | 'headers' | 'keep-alive' | 'body' | 'closing';

let nextId = 1;
const ASGI_HTTP = Object.freeze({ version: '3.0', spec_version: '2.4' } as const);
const RESOLVED = Promise.resolve();
/** The outbox holds at most this much (the socket's default high-water mark); more is written at once. */
const OUTBOX_MAX_BYTES = 16 * 1024;

/**
 * The socket's listeners are shared by every connection (the socket is `this` in a listener, and it carries its
 * Connection): a connection per request then allocates no closures for them.
 */
const OWNER = Symbol('rawpi.connection');
type OwnedSocket = Socket & { [OWNER]: Connection };

function onSocketData(this: OwnedSocket, data: Buffer): void { this[OWNER].handleData(data); }
function onSocketEnd(this: OwnedSocket): void { this[OWNER].handleEnd(); }
function onSocketClose(this: OwnedSocket): void { this[OWNER].handleClose(); }
function onSocketError(this: OwnedSocket, err: Error): void { this[OWNER].handleError(err); }
function onSocketDrain(this: OwnedSocket): void { this[OWNER].handleDrain(); }

export class Connection implements CyclePort, Flushable {
  readonly id = nextId++;
  private readonly parser: RequestParser;
  private cycle: RequestCycle | null = null;
  /** The current request's body is complete (its 'end' event arrived). */
  private requestEnded = false;
  /**
   * The current response is written and the connection decided to carry on (responseDone): with requestEnded,
   * the exchange is over. The cycle's responseState is 'done' earlier, as soon as its last bytes are handed over.
   */
  private responseFinished = false;
  private requestsServed = 0;
  private readingPaused = false;
  private closed = false;
  private clientEnded = false;
  private upgraded = false;
  /** close() was called: the FIN is on its way, and no further request is parsed or run. */
  private ending = false;
  /** The request's framing failed after its response started: finish that response, read nothing more. */
  private framingBroken = false;
  /** Writers waiting for the socket to drain; the 'drain' listener is added only while there are some. */
  private drainWaiters: Array<() => void> | null = null;
  private deadline = 0;
  private deadlineKind: Deadline = 'none';
  private readonly client: [string, number] | null;

  constructor(readonly socket: Socket, private readonly ctx: ConnectionContext) {
    this.parser = new RequestParser(ctx.limits);
    this.client = socket.remoteAddress !== undefined ? [socket.remoteAddress, socket.remotePort ?? 0] : null;
    (socket as OwnedSocket)[OWNER] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    // A new connection must send its first request head in time, like any other.
    this.setDeadline('headers', ctx.timeouts.headersTimeoutMs);
  }

  /** Idle means no request in progress and no partial request buffered: safe to close at shutdown. */
  get idle(): boolean {
    return this.cycle === null && !this.parser.inMessage && !this.upgraded;
  }

  // --- socket events: called by the shared listeners above, and by nothing else ---

  handleData(data: Buffer): void {
    this.ctx.trace?.(this.id, 'in', data);
    // Once the server has decided to close (FIN sent), a request arriving in the race is not run: the client
    // sees the close without an answer and may retry it (RFC 9112 9.6), knowing it had no effect.
    if (this.ending || this.framingBroken) return;
    // Responses produced for the requests in this read (pipelined ones especially) leave in one write:
    // they wait in the outbox until the event loop has run every callback of this turn (the flush scheduler).
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.ctx.flusher.schedule(this);
    }
    if (this.deadlineKind === 'keep-alive') this.setDeadline('headers', this.ctx.timeouts.headersTimeoutMs);
    else if (this.deadlineKind === 'body') this.setDeadline('body', this.ctx.timeouts.bodyTimeoutMs);
    this.parser.feed(data);
    this.pump();
    // Pipelined requests queue up in the parser while a response is in progress: bound that buffer.
    if (this.cycle !== null && this.parser.bufferedBytes > this.ctx.limits.maxHeaderBytes + this.ctx.connectionLimits.bodyHighWaterMark) {
      this.pauseReading();
    }
  }

  /** Small writes made while a read is being handled, joined into one write when the flush comes. */
  private outbox: Piece[] = [];
  private outboxBytes = 0;
  /** The flush scheduler will flush this outbox at the end of this event-loop turn. */
  private flushScheduled = false;

  /** The scheduler's turn: what waits in the outbox goes out now. */
  flushOutbox(): void {
    this.flushScheduled = false;
    this.flush();
  }

  /** Writes what waits in the outbox, as one buffer. Called before anything that must come after it. */
  private flush(): void {
    const box = this.outbox;
    if (box.length === 0) return;
    const data = box.length === 1 ? box[0]! : joinPieces(null, box);
    box.length = 0; // frees the array's storage too: an idle connection keeps none (unlike the flush scheduler's)
    this.outboxBytes = 0;
    if (!this.closed) this.writeOne(data);
  }

  handleEnd(): void {
    this.clientEnded = true;
    if (this.cycle === null) {
      this.close();
    } else if (!this.requestEnded) {
      this.cycle.disconnect();
      this.destroy();
    }
    // Otherwise the response in progress is written, then any complete pipelined requests are answered, then the
    // connection ends (responseDone, pump).
  }

  handleClose(): void {
    this.closed = true;
    this.deadlineKind = 'none';
    this.cycle?.disconnect();
    this.handleDrain();
    this.ctx.onClose(this);
  }

  handleError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') this.ctx.log(`connection #${this.id}: ${err.message}`);
  }

  handleDrain(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    this.socket.off('drain', onSocketDrain);
    for (let i = 0; i < waiters.length; i++) waiters[i]!();
  }

  // --- the parser's events ---

  private pump(): void {
    const parser = this.parser;
    const hwm = this.ctx.connectionLimits.bodyHighWaterMark;
    while (!this.closed && !this.upgraded && !this.ending && !this.framingBroken) {
      if (this.cycle !== null && this.cycle.responseState !== 'done' && this.cycle.bufferedBodyBytes >= hwm) {
        this.pauseReading(); // the app has not read the body yet: stop reading the socket (backpressure)
        return;
      }
      const ev = parser.next();
      switch (ev.type) {
        case 'head':
          this.startRequest(ev.head);
          break;
        case 'data':
          // After the response is complete, the rest of an unread body is dropped.
          if (this.cycle !== null && this.cycle.responseState !== 'done') this.cycle.pushBody(ev.data);
          break;
        case 'end':
          this.requestEnded = true;
          this.deadlineKind = 'none';
          if (this.cycle !== null) {
            this.cycle.endBody();
            if (this.responseFinished) this.finishExchange();
          }
          break;
        case 'error':
          this.protocolError(ev.error);
          return;
        case 'need-data':
          // The client half-closed (FIN): what is left can never be completed. No request: close. A request whose
          // body was cut off: its app hears the disconnect and the connection ends, as when the FIN comes mid-body
          // (handleEnd).
          if (this.clientEnded && this.cycle === null) {
            this.close();
            return;
          }
          if (this.clientEnded && !this.requestEnded) {
            this.cycle?.disconnect();
            this.destroy();
            return;
          }
          if (this.readingPaused && this.cycle === null) this.resumeReading();
          return;
        case 'paused':
          return;
      }
    }
  }

  private startRequest(head: RequestHead): void {
    this.requestsServed++;
    this.requestEnded = false;
    this.responseFinished = false;
    this.deadlineKind = 'none';
    if (head.body.kind !== 'none') this.setDeadline('body', this.ctx.timeouts.bodyTimeoutMs);

    if (head.method === 'CONNECT') {
      this.protocolError(new ProtocolError(501, 'CONNECT is for proxies; this server is not one (RFC 9110 9.3.6).'));
      return;
    }
    let path = head.path;
    try {
      if (path.indexOf('%') >= 0) path = decodeURIComponent(path);
    } catch {
      this.protocolError(new ProtocolError(400, `The path "${head.path}" has a broken percent-encoding: % must be followed by two hex digits of UTF-8 (RFC 3986 2.1).`));
      return;
    }
    if (head.upgrade !== null && isUpgradeRequest(head.headers)) {
      this.upgradeToWebSocket(head, path);
      return;
    }

    const scope: HttpScope = {
      type: 'http',
      asgi: ASGI_HTTP,
      http_version: head.version,
      method: head.method,
      scheme: 'http',
      path,
      raw_path: head.path,
      query_string: head.query,
      root_path: this.ctx.rootPath,
      headers: head.headers,
      client: this.client,
      server: this.ctx.serverAddress,
      state: this.stateCopy(),
    };
    const max = this.ctx.connectionLimits.maxRequestsPerConnection;
    const keepAlive = head.keepAlive && !this.ctx.shuttingDown && (max === 0 || this.requestsServed < max);
    // The clock is read only for the access log's duration (a call per request otherwise spent for nothing).
    const startedAt = this.ctx.accessLog !== null ? performance.now() : 0;
    const cycle = new RequestCycle(scope, { method: head.method, version: head.version, keepAlive }, this, head.expectContinue, startedAt);
    this.cycle = cycle;
    void cycle.run(this.ctx.app);
  }

  /** ASGI gives each scope a shallow copy of the lifespan state; most apps keep it empty. */
  private stateCopy(): Record<string, unknown> {
    const state = this.ctx.state;
    for (const _ in state) return { ...state };
    return {};
  }

  private upgradeToWebSocket(head: RequestHead, path: string): void {
    const check = validateHandshake(head.method, head.version, head.headers);
    if (!check.ok) {
      this.protocolError(new ProtocolError(check.status, check.reason), check.headers);
      return;
    }
    const scope: WebSocketScope = {
      type: 'websocket', asgi: ASGI_HTTP, http_version: head.version, scheme: 'ws', path, raw_path: head.path,
      query_string: head.query, root_path: this.ctx.rootPath, headers: head.headers, client: this.client,
      server: this.ctx.serverAddress, state: this.stateCopy(), subprotocols: check.subprotocols,
    };
    this.upgraded = true;
    this.deadlineKind = 'none';
    const socket = this.socket;
    socket.off('data', onSocketData);
    socket.off('end', onSocketEnd);
    socket.off('drain', onSocketDrain);
    if (this.readingPaused) socket.resume();
    this.flush(); // responses to earlier pipelined requests go before the handshake
    const rest = this.parser.takeRemaining();
    void runWebSocket(socket, rest, scope, this.ctx.app, this.ctx.websocket, this.ctx.log).catch((err: unknown) => {
      this.ctx.log(`websocket error: ${(err as Error)?.message ?? String(err)}`);
      socket.destroy();
    });
  }

  /** Answers a request the parser refused, in words a telnet user can act on, and closes (RFC 9112 9.6). */
  private protocolError(err: ProtocolError, extraHeaders: Header[] = []): void {
    const cycle = this.cycle;
    if (cycle !== null && cycle.responseState !== 'start') {
      // The app already answered (or is answering) without reading the body: its response goes out whole,
      // nothing more is read, and the connection closes after it.
      this.ctx.log(`connection #${this.id}: ${err.reason} (the response had started: closing after it)`);
      this.framingBroken = true;
      cycle.abandonBody();
      if (cycle.responseState === 'done') this.close();
      return;
    }
    cycle?.disconnect();
    const body = `${err.status} ${reasonPhrase(err.status)}: ${err.reason}\n`;
    let head = statusLine(err.status) + dateAndServerLines();
    for (const [name, value] of extraHeaders) head += `${name}: ${value}\r\n`;
    head += `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    // RFC 9110 9.3.2: the answer to HEAD has the same header fields as GET's would, and no content.
    const content = this.parser.method === 'HEAD' ? '' : body;
    this.ctx.accessLog?.record({
      client: this.client?.[0] ?? '-', method: this.parser.method ?? '-', target: this.parser.head?.target ?? '-',
      version: this.parser.head?.version ?? '1.1', status: err.status, bytes: Buffer.byteLength(content), durationMs: 0,
    });
    this.writeRaw(head + content);
    this.close();
  }

  // --- CyclePort: what the request cycle asks of its connection ---

  write(data: string | Buffer): Promise<void> {
    return this.writeRaw(data);
  }

  writev(pieces: Piece[]): Promise<void> {
    if (this.closed) return RESOLVED;
    this.flush();
    this.socket.cork();
    let ok = true;
    for (let i = 0; i < pieces.length; i++) ok = this.writeOne(pieces[i]!);
    this.socket.uncork();
    return ok ? RESOLVED : this.waitDrain();
  }

  private writeRaw(data: Piece): Promise<void> {
    if (this.closed) return RESOLVED;
    // While a read is being handled, small writes wait in the outbox (bounded like the socket's own buffer).
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.flushScheduled && this.outboxBytes + size <= OUTBOX_MAX_BYTES) {
      this.outbox.push(data);
      this.outboxBytes += size;
      return this.socket.writableNeedDrain ? this.waitDrain() : RESOLVED;
    }
    this.flush();
    return this.writeOne(data) ? RESOLVED : this.waitDrain();
  }

  private writeOne(data: Piece): boolean {
    this.ctx.trace?.(this.id, 'out', data);
    return typeof data === 'string' ? this.socket.write(data, 'utf8') : this.socket.write(data);
  }

  private waitDrain(): Promise<void> {
    if (this.closed) return RESOLVED;
    return new Promise((resolve) => {
      if (this.drainWaiters === null) {
        this.drainWaiters = [];
        this.socket.on('drain', onSocketDrain);
      }
      this.drainWaiters.push(resolve);
    });
  }

  sendContinue(): void {
    // RFC 9110 10.1.1: sent once the app asks for the body, only if no response has started.
    if (this.cycle !== null && this.cycle.responseState === 'start' && !this.requestEnded) {
      this.writeRaw('HTTP/1.1 100 Continue\r\n\r\n');
    }
  }

  bodyConsumed(): void {
    if (this.readingPaused && this.cycle !== null && this.cycle.bufferedBodyBytes < this.ctx.connectionLimits.bodyHighWaterMark) {
      this.resumeReading();
      this.pump();
    }
  }

  responseDone(cycle: RequestCycle): void {
    if (cycle !== this.cycle) return;
    const scope = cycle.scope;
    this.ctx.accessLog?.record({
      client: this.client?.[0] ?? '-', method: scope.method, target: scope.raw_path + (scope.query_string ? `?${scope.query_string}` : ''),
      version: scope.http_version, status: cycle.writer.status, bytes: cycle.writer.bodyBytes,
      durationMs: performance.now() - cycle.startedAt,
    });
    // RFC 9112 9.6: after a response that closes, no further request is read or answered.
    if (!cycle.writer.keepAlive || this.framingBroken) {
      this.close();
      return;
    }
    // A client that half-closed after pipelining still gets its complete requests answered (RFC 9112 9.3.2, 9.6).
    if (this.clientEnded && this.requestEnded && this.parser.bufferedBytes === 0) {
      this.close();
      return;
    }
    this.responseFinished = true;
    if (this.requestEnded) {
      this.finishExchange();
    } else {
      // The app answered without reading the whole body: read and drop the rest, then carry on (bounded by --max-body).
      cycle.disconnect();
      this.resumeReading();
      this.pump();
    }
  }

  abort(reason: string): void {
    this.ctx.log(`connection #${this.id}: ${reason}; closing`);
    this.destroy();
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  /** The response is sent and the request read: get ready for the next request on this connection. */
  private finishExchange(): void {
    if (this.cycle === null || !this.responseFinished || !this.requestEnded) return;
    this.cycle = null;
    if (this.ctx.shuttingDown) {
      this.close();
      return;
    }
    this.parser.startNextRequest();
    if (this.parser.bufferedBytes > 0) this.setDeadline('headers', this.ctx.timeouts.headersTimeoutMs);
    else this.setDeadline('keep-alive', this.ctx.timeouts.keepAliveTimeoutMs);
    if (this.readingPaused) this.resumeReading();
    this.pump();
  }

  // --- flow control, deadlines, closing ---

  private pauseReading(): void {
    if (!this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  private resumeReading(): void {
    if (this.readingPaused) {
      this.readingPaused = false;
      this.socket.resume();
    }
  }

  private setDeadline(kind: Deadline, ms: number): void {
    this.deadlineKind = kind;
    this.deadline = performance.now() + ms;
  }

  /** Called by the server's sweeper about once a second (one timer for all connections, not one each). */
  checkDeadline(now: number): void {
    if (this.deadlineKind === 'none' || now < this.deadline || this.closed) return;
    const kind = this.deadlineKind;
    this.deadlineKind = 'none';
    const t = this.ctx.timeouts;
    if (kind === 'closing') {
      this.socket.destroy();
    } else if (kind === 'keep-alive') {
      this.close();
    } else if (kind === 'headers') {
      if (this.parser.bufferedBytes === 0 && !this.parser.inMessage) this.close(); // connected and said nothing
      else this.protocolError(new ProtocolError(408, `The request head did not arrive within ${t.headersTimeoutMs} ms (the option --headers-timeout guards against slow clients).`));
    } else if (kind === 'body') {
      this.protocolError(new ProtocolError(408, `The request body stalled for ${t.bodyTimeoutMs} ms (the option --body-timeout).`));
    }
  }

  /**
   * Graceful shutdown. A busy connection closes after its response (with Connection: close). An idle keep-alive
   * connection gets a short grace: a request already on its way is still answered, with Connection: close,
   * instead of meeting a FIN it cannot tell from a lost request.
   */
  shutdown(graceMs: number): void {
    if (this.upgraded || this.ending) return; // WebSockets are closed by their own registry; an ending one is on its way
    if (this.cycle !== null) this.cycle.closeAfter = true;
    else if (this.idle) this.setDeadline('keep-alive', graceMs);
  }

  /** Ends the connection after pending writes (FIN). Nothing more is read or run on it. */
  close(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.flush();
    this.socket.end();
    // A peer that never closes its side would keep the socket half-open: the sweeper destroys it after the
    // keep-alive timeout (no timer of its own: a connection per request makes that cost show).
    this.setDeadline('closing', Math.max(this.ctx.timeouts.keepAliveTimeoutMs, 1000));
  }

  destroy(): void {
    if (this.closed) return;
    this.flush(); // what was written so far goes out first (the client sees where it was cut)
    this.socket.destroy();
  }
}
