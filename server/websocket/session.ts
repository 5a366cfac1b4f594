// Runs one WebSocket on a socket the HTTP layer handed over: the ASGI websocket flow (connect,
// accept or refuse, receive/send, close, disconnect), the closing handshake, keepalive pings, backpressure.

import type net from 'node:net';
import {
  InterfaceError,
  type App, type ReceiveMessage, type SendMessage, type WebSocketAcceptMessage,
  type WebSocketCloseMessage, type WebSocketScope, type WebSocketSendMessage,
} from '../interface.js';
import {
  CLOSE_ABNORMAL, CLOSE_INTERNAL_ERROR, CLOSE_NO_STATUS, CLOSE_NORMAL,
  MAX_CLOSE_REASON_BYTES, isValidCloseCode,
} from './close-codes.js';
import { FrameParser, binaryFrame, closeFrame, pingFrame, pongFrame, textFrame, type FrameEvent } from './frames.js';
import { acceptResponseHead, checkAcceptHeaders, headerValues } from './handshake.js';
import { MessageQueue } from './message-queue.js';
import { trackSession, untrackSession, type TrackedSession } from './registry.js';

export { activeWebSocketCount, closeAllWebSockets } from './registry.js';

export interface WebSocketSessionOptions {
  /** Largest incoming message, all fragments together; larger closes with 1009. */
  maxMessageBytes: number;
  /** How often the server pings an idle-or-not peer; 0 turns pinging off. */
  pingIntervalMs: number;
  /** How long a ping may go unanswered (no bytes at all arriving) before the socket is dropped. */
  pingTimeoutMs: number;
  /** How long the closing handshake may take before the socket is destroyed. */
  closeTimeoutMs: number;
}

export const WEBSOCKET_DEFAULTS: Readonly<WebSocketSessionOptions> = Object.freeze({
  maxMessageBytes: 1024 * 1024,
  pingIntervalMs: 20_000,
  pingTimeoutMs: 20_000,
  closeTimeoutMs: 5_000,
});

/** Incoming messages waiting for the app beyond which the socket stops reading. */
const RECEIVE_HIGH_WATER = 32;
/** Bytes a client may send before its handshake is answered (it should send none, 4.1). */
const MAX_EARLY_BYTES = 64 * 1024;

/** What the app has said so far (ASGI websocket spec): the order its messages must follow. */
type AppState = 'connecting' | 'accepted' | 'closed';
/** Where the connection is: handshake unanswered, open, close frame sent, or over. */
type ConnectionState = 'handshake' | 'open' | 'closing' | 'closed';

const CONNECTION_TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  handshake: ['open', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/**
 * Runs the app for one WebSocket. `head` holds the bytes read after the request head. Resolves
 * once the app has returned and the socket has closed. The caller must have detached its own
 * socket listeners and validated the handshake (handshake.ts); the key is read from scope.headers.
 */
export async function runWebSocket(
  socket: net.Socket,
  head: Buffer,
  scope: WebSocketScope,
  app: App,
  opts: Partial<WebSocketSessionOptions> = {},
  log?: (line: string) => void,
): Promise<void> {
  const session = new WebSocketSession(socket, scope, app, { ...WEBSOCKET_DEFAULTS, ...opts }, log);
  await session.run(head);
}

class WebSocketSession implements TrackedSession {
  readonly #socket: net.Socket;
  readonly #scope: WebSocketScope;
  readonly #app: App;
  readonly #opts: WebSocketSessionOptions;
  readonly #logLine: ((line: string) => void) | undefined;
  readonly #parser: FrameParser;
  readonly #queue = new MessageQueue<ReceiveMessage>();

  #appState: AppState = 'connecting';
  #state: ConnectionState = 'handshake';
  /** Why the connection is closing or closed, for error messages. */
  #closedBy = '';
  #earlyBytes: Buffer[] = [];
  #earlyLength = 0;
  #readPaused = false;
  #drain: Promise<void> | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #pongTimer: NodeJS.Timeout | null = null;
  #closeTimer: NodeJS.Timeout | null = null;

  constructor(socket: net.Socket, scope: WebSocketScope, app: App, opts: WebSocketSessionOptions, log?: (line: string) => void) {
    this.#socket = socket;
    this.#scope = scope;
    this.#app = app;
    this.#opts = opts;
    this.#logLine = log;
    this.#parser = new FrameParser({ maxMessageBytes: opts.maxMessageBytes, requireMask: true });
  }

  async run(head: Buffer): Promise<void> {
    const socket = this.#socket;
    trackSession(this);
    this.#queue.push({ type: 'websocket.connect' });
    try {
      const socketClosed = new Promise<void>((resolve) => {
        if (socket.destroyed) resolve();
        else socket.once('close', () => resolve());
      });
      socket.on('data', (chunk: Buffer) => this.#onData(chunk));
      socket.on('end', () => this.#onEnd());
      socket.on('error', (err) => this.#onError(err));
      socket.on('close', () => this.#onClose());
      socket.setTimeout(0);
      socket.setNoDelay(true);
      if (socket.destroyed) this.#onClose();
      if (head.length > 0) this.#onData(head);
      socket.resume();

      let failure: unknown = null;
      try {
        await this.#app(this.#scope, () => this.#receive(), (message) => this.#send(message));
      } catch (err) {
        failure = err;
      }
      this.#appReturned(failure);
      await socketClosed;
    } finally {
      this.#clearTimers();
      untrackSession(this);
    }
  }

  // ---- the app's side ----

  async #receive(): Promise<ReceiveMessage> {
    const message = await this.#queue.take();
    if (this.#readPaused && this.#queue.length < RECEIVE_HIGH_WATER / 2) {
      this.#readPaused = false;
      this.#socket.resume();
    }
    return message;
  }

  async #send(message: SendMessage): Promise<void> {
    const type = (message as { type?: unknown } | null)?.type;
    switch (this.#appState) {
      case 'connecting':
        if (type === 'websocket.accept') return this.#accept(message as WebSocketAcceptMessage);
        if (type === 'websocket.close') return this.#appClose(message as WebSocketCloseMessage);
        throw new InterfaceError(`expected 'websocket.accept' or 'websocket.close' to answer the handshake, got ${describeType(type)}`);
      case 'accepted':
        if (type === 'websocket.send') return this.#sendData(message as WebSocketSendMessage);
        if (type === 'websocket.close') return this.#appClose(message as WebSocketCloseMessage);
        throw new InterfaceError(`expected 'websocket.send' or 'websocket.close' after 'websocket.accept', got ${describeType(type)}`);
      case 'closed':
        throw new InterfaceError(`expected no more messages after 'websocket.close', got ${describeType(type)}`);
    }
  }

  #accept(message: WebSocketAcceptMessage): void {
    const subprotocol = message.subprotocol ?? null;
    const headers = message.headers ?? [];
    if (subprotocol !== null && !this.#scope.subprotocols.includes(subprotocol)) {
      // 4.1 point 6: a client fails the connection if the server picks a subprotocol it did not offer.
      throw new InterfaceError(
        `expected a subprotocol the client offered (${this.#scope.subprotocols.map((p) => JSON.stringify(p)).join(', ') || 'none'}), got ${JSON.stringify(subprotocol)}`);
    }
    const problem = checkAcceptHeaders(subprotocol, headers);
    if (problem !== null) throw new InterfaceError(`'websocket.accept': ${problem}`);
    const key = headerValues(this.#scope.headers, 'sec-websocket-key')[0]?.trim();
    if (key === undefined) throw new Error('expected scope.headers to hold the validated sec-websocket-key, got none');
    this.#appState = 'accepted';
    // The peer may have gone already; the app learns that from receive().
    if (this.#state !== 'handshake') return;

    this.#socket.write(acceptResponseHead(key, subprotocol, headers));
    this.#transition('open');
    this.#startPinging();
    const early = this.#earlyBytes;
    this.#earlyBytes = [];
    for (const chunk of early) this.#onData(chunk);
  }

  async #appClose(message: WebSocketCloseMessage): Promise<void> {
    const code = message.code ?? CLOSE_NORMAL;
    const reason = message.reason ?? '';
    if (this.#appState === 'accepted') {
      // 7.4.1: 1005, 1006 and 1015 are for reporting only; 5.5: the reason must fit a control frame.
      if (!isValidCloseCode(code)) {
        throw new InterfaceError(`expected a close code of 1000-1003, 1007-1011 or 3000-4999, got ${code}`);
      }
      if (Buffer.byteLength(reason, 'utf8') > MAX_CLOSE_REASON_BYTES) {
        throw new InterfaceError(`expected a close reason of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${Buffer.byteLength(reason, 'utf8')}`);
      }
    }
    this.#appState = 'closed';
    if (this.#state === 'handshake') {
      // ASGI: a close before accept refuses the handshake with HTTP 403.
      this.#refuse(403, 'Forbidden', 'WebSocket connection refused by the application', 'the app refused the handshake');
    } else if (this.#state === 'open') {
      await this.#startClose(code, reason, `the app sent 'websocket.close' with code ${code}`);
    }
    // closing or closed: the server or the peer closed first; nothing left to do.
  }

  async #sendData(message: WebSocketSendMessage): Promise<void> {
    const { text, bytes } = message;
    if (text != null && bytes != null) {
      throw new InterfaceError("expected exactly one of 'text' or 'bytes' in 'websocket.send', got both");
    }
    if (text == null && bytes == null) {
      throw new InterfaceError("expected exactly one of 'text' or 'bytes' in 'websocket.send', got neither");
    }
    if (text != null && typeof text !== 'string') {
      throw new InterfaceError(`expected 'text' to be a string, got ${typeof text}`);
    }
    if (bytes != null && !(bytes instanceof Uint8Array)) {
      throw new InterfaceError(`expected 'bytes' to be a Uint8Array, got ${typeof bytes}`);
    }
    if (this.#state !== 'open') {
      throw new InterfaceError(`expected an open websocket for 'websocket.send', got one already closed (${this.#closedBy})`);
    }
    await this.#write(text != null ? textFrame(text) : binaryFrame(bytes!));
  }

  #appReturned(failure: unknown): void {
    if (failure !== null) {
      this.#log(`app raised: ${failure instanceof Error ? failure.stack ?? failure.message : String(failure)}`);
    }
    if (this.#state === 'handshake') {
      // ASGI: an app that ends without accepting refuses the handshake (500 if it crashed).
      if (failure !== null) this.#refuse(500, 'Internal Server Error', 'The WebSocket application failed', 'the app raised before accepting');
      else this.#refuse(403, 'Forbidden', 'WebSocket connection refused by the application', 'the app returned without accepting');
    } else if (this.#state === 'open') {
      const code = failure !== null ? CLOSE_INTERNAL_ERROR : CLOSE_NORMAL;
      void this.#startClose(code, '', failure !== null ? 'the app raised' : 'the app returned');
    }
  }

  // ---- the server's side ----

  /** Graceful shutdown (registry.ts): close an open socket, refuse an unanswered handshake with 503. */
  shutdown(code: number, reason: string): void {
    if (this.#state === 'handshake') {
      this.#refuse(503, 'Service Unavailable', 'The server is shutting down', 'the server is shutting down', code);
    } else if (this.#state === 'open') {
      void this.#startClose(code, reason, `the server closed with code ${code}`);
    }
  }

  // ---- the connection ----

  #transition(to: ConnectionState): void {
    if (!CONNECTION_TRANSITIONS[this.#state].includes(to)) {
      throw new Error(`websocket connection: expected a transition from '${this.#state}' to one of ${CONNECTION_TRANSITIONS[this.#state].join(', ') || 'nothing'}, got '${to}'`);
    }
    this.#state = to;
  }

  /** Answers the handshake with an HTTP error instead of 101, then closes. */
  #refuse(status: number, statusText: string, body: string, closedBy: string, disconnectCode = CLOSE_ABNORMAL): void {
    const text = `${body}\n`;
    this.#socket.write(
      `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
    this.#socket.end();
    this.#closed(closedBy, disconnectCode);
    this.#armCloseTimer();
  }

  /** Sends our Close frame and waits (closeTimeoutMs at most) for the peer's (7.1.2). */
  async #startClose(code: number, reason: string, closedBy: string): Promise<void> {
    this.#transition('closing');
    this.#closedBy = closedBy;
    this.#stopPinging();
    this.#armCloseTimer();
    await this.#write(closeFrame(code, truncateReason(reason)));
  }

  /** The connection is over: no more frames; the app gets its one disconnect message. */
  #closed(closedBy: string, code: number, reason = ''): void {
    if (this.#state === 'closed') return;
    this.#transition('closed');
    this.#closedBy = closedBy;
    this.#stopPinging();
    this.#earlyBytes = [];
    this.#queue.finish({ type: 'websocket.disconnect', code, reason });
  }

  #onData(chunk: Buffer): void {
    this.#clearPongTimer(); // any bytes at all show the peer is alive
    if (this.#state === 'handshake') {
      this.#earlyLength += chunk.length;
      if (this.#earlyLength > MAX_EARLY_BYTES) {
        this.#log(`client sent ${this.#earlyLength} bytes before its handshake was answered; dropping it`);
        this.#closed('the client sent data before the handshake was answered', CLOSE_ABNORMAL);
        this.#socket.destroy();
        return;
      }
      this.#earlyBytes.push(chunk);
      return;
    }
    if (this.#state === 'closed') return;
    for (const event of this.#parser.feed(chunk)) {
      this.#onFrame(event);
      if ((this.#state as ConnectionState) === 'closed') return; // #onFrame may have closed it
    }
  }

  #onFrame(event: FrameEvent): void {
    switch (event.type) {
      case 'text':
      case 'binary':
        // After our Close frame the app has nothing more to hear; frames are dropped (7.1.2).
        if (this.#state !== 'open') return;
        this.#queue.push(event.type === 'text'
          ? { type: 'websocket.receive', text: event.data }
          : { type: 'websocket.receive', bytes: event.data });
        if (!this.#readPaused && this.#queue.length >= RECEIVE_HIGH_WATER) {
          this.#readPaused = true;
          this.#socket.pause();
        }
        return;
      case 'ping':
        // 5.5.2: a Ping is answered with a Pong carrying the same payload, unless we are closing.
        if (this.#state === 'open') void this.#write(pongFrame(event.data));
        return;
      case 'pong':
        return; // 5.5.3: unsolicited pongs need no answer; the pong timer is already cleared
      case 'close':
        if (this.#state === 'open') {
          // 5.5.1: answer with a Close frame, echoing the code (an empty body if none came).
          void this.#write(event.code === CLOSE_NO_STATUS ? closeFrame() : closeFrame(event.code));
        }
        // 7.1.1: the server closes the TCP connection first once both Close frames have passed.
        this.#socket.end();
        this.#closed(`the peer closed with code ${event.code}`, event.code, event.reason);
        this.#armCloseTimer();
        return;
      case 'error':
        // 7.1.7: fail the connection: send a Close frame with the code if we still may, then close.
        this.#log(`protocol error, closing with ${event.code}: ${event.reason}`);
        if (this.#state === 'open') void this.#write(closeFrame(event.code, truncateReason(event.reason)));
        this.#socket.end();
        this.#closed(`a protocol error (${event.code}: ${event.reason})`, event.code, event.reason);
        this.#armCloseTimer();
        return;
    }
  }

  #onEnd(): void {
    // The peer half-closed without a Close frame: 1006 (7.1.5).
    this.#closed('the peer ended the connection without a close frame', CLOSE_ABNORMAL);
    this.#socket.end();
  }

  #onError(err: Error): void {
    if (this.#state !== 'closed') this.#log(`socket error: ${err.message}`);
    this.#closed(`socket error: ${err.message}`, CLOSE_ABNORMAL);
    this.#socket.destroy();
  }

  #onClose(): void {
    this.#closed('the connection dropped', CLOSE_ABNORMAL);
    this.#clearTimers();
  }

  /** Writes, resolving once the socket has taken the bytes (at once, or after 'drain'). */
  #write(data: Buffer): Promise<void> {
    const socket = this.#socket;
    if (!socket.writable) return Promise.resolve();
    if (socket.write(data) && this.#drain === null) return Promise.resolve();
    if (this.#drain === null) {
      this.#drain = new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          this.#drain = null;
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
    return this.#drain;
  }

  // ---- timers ----

  #startPinging(): void {
    const { pingIntervalMs, pingTimeoutMs } = this.#opts;
    if (pingIntervalMs <= 0) return;
    this.#pingTimer = setInterval(() => {
      // While reads are paused the peer's pong could not be seen; one ping at a time.
      if (this.#state !== 'open' || this.#readPaused || this.#pongTimer !== null) return;
      void this.#write(pingFrame());
      if (pingTimeoutMs > 0) {
        this.#pongTimer = setTimeout(() => {
          this.#pongTimer = null;
          this.#log(`no pong within ${pingTimeoutMs} ms; dropping the connection`);
          this.#closed(`no pong within ${pingTimeoutMs} ms`, CLOSE_ABNORMAL);
          this.#socket.destroy();
        }, pingTimeoutMs);
        this.#pongTimer.unref();
      }
    }, pingIntervalMs);
    this.#pingTimer.unref();
  }

  #stopPinging(): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.#clearPongTimer();
  }

  #clearPongTimer(): void {
    if (this.#pongTimer !== null) clearTimeout(this.#pongTimer);
    this.#pongTimer = null;
  }

  /** Bounds the closing handshake: past closeTimeoutMs the socket is destroyed. */
  #armCloseTimer(): void {
    if (this.#closeTimer !== null || this.#socket.destroyed) return;
    this.#closeTimer = setTimeout(() => {
      this.#log(`closing handshake not finished within ${this.#opts.closeTimeoutMs} ms; destroying the socket`);
      this.#closed(`the closing handshake timed out after ${this.#opts.closeTimeoutMs} ms`, CLOSE_ABNORMAL);
      this.#socket.destroy();
    }, this.#opts.closeTimeoutMs);
    this.#closeTimer.unref();
  }

  #clearTimers(): void {
    this.#stopPinging();
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = null;
  }

  #log(line: string): void {
    this.#logLine?.(`websocket ${this.#scope.path}: ${line}`);
  }
}

function describeType(type: unknown): string {
  return typeof type === 'string' ? `'${type}'` : `a message without a type (${String(type)})`;
}

/** Cuts a close reason to 123 UTF-8 bytes without splitting a character (5.5). */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason, 'utf8') <= MAX_CLOSE_REASON_BYTES) return reason;
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > MAX_CLOSE_REASON_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out;
}
