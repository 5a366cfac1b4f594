// One request/response exchange: builds nothing itself, but implements the app's receive() and send()
// for an http scope, enforces the order of messages, and tells the connection what to write and when it is done.

import type { HttpScope, Receive, ReceiveMessage, Send, SendMessage, App } from './interface.js';
import { InterfaceError } from './interface.js';
import { BodyLengthError, ResponseWriter, type RequestFacts } from './http/response-writer.js';
import { joinPieces, roughLength, type Piece } from './http/pieces.js';

/** What a request cycle needs from its connection. */
export interface CyclePort {
  /** Writes bytes; resolves when the socket can take more (backpressure). */
  write(data: string | Buffer): Promise<void>;
  /** Writes several pieces in one syscall (corked writev), without copying them. */
  writev(pieces: Array<string | Buffer>): Promise<void>;
  /** Sends "100 Continue" if the client is waiting for it (RFC 9110 10.1.1). */
  sendContinue(): void;
  /** The app consumed body bytes: the connection may read the socket again. */
  bodyConsumed(): void;
  /** The response is complete. */
  responseDone(cycle: RequestCycle): void;
  /** Something went wrong after the response started: close the connection now. */
  abort(reason: string): void;
  log(line: string): void;
}

type ResponseState = 'start' | 'body' | 'done';

const EMPTY = new Uint8Array(0);
const RESOLVED = Promise.resolve();

export class RequestCycle {
  writer: ResponseWriter;
  responseState: ResponseState = 'start';
  /** Request body bookkeeping. */
  private chunks: Buffer[] = [];
  bufferedBodyBytes = 0;
  bodyComplete = false;
  disconnected = false;
  private waiter: (() => void) | null = null;
  /** Response head built by http.response.start, written together with the first body piece. */
  private pendingHead: string | null = null;
  /** Whether to close after the response whatever the request asked (shutdown, errors). */
  closeAfter = false;

  constructor(
    readonly scope: HttpScope,
    facts: RequestFacts,
    private readonly port: CyclePort,
    private readonly expectContinue: boolean,
    /** When the request's head was read (performance.now()), for the access log; 0 when there is no access log. */
    readonly startedAt: number,
  ) {
    this.writer = new ResponseWriter(facts);
    this.facts = facts;
  }

  private readonly facts: RequestFacts;

  /** Nothing has reached the socket yet, so a failure can still become a clean 500. */
  private get canStillRespond(): boolean {
    return this.responseState === 'start' || (this.responseState === 'body' && this.pendingHead !== null);
  }

  // --- the request body, fed by the connection ---

  pushBody(data: Buffer): void {
    this.chunks.push(data);
    this.bufferedBodyBytes += data.length;
    this.wake();
  }

  endBody(): void {
    this.bodyComplete = true;
    this.wake();
  }

  disconnect(): void {
    this.disconnected = true;
    this.wake();
  }

  /** The rest of the body cannot be read (bad framing): receive() reports a disconnect, send() still works. */
  abandonBody(): void {
    this.bodyAbandoned = true;
    this.wake();
  }

  private bodyAbandoned = false;

  private wake(): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w();
    }
  }

  // --- the app's side ---

  readonly receive: Receive = async (): Promise<ReceiveMessage> => {
    for (;;) {
      if (this.chunks.length > 0) {
        const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        this.chunks = [];
        this.bufferedBodyBytes = 0;
        this.port.bodyConsumed();
        return { type: 'http.request', body, more_body: !this.bodyComplete };
      }
      if (this.bodyComplete && !this.bodyReturned) {
        this.bodyReturned = true;
        return { type: 'http.request', body: EMPTY, more_body: false };
      }
      // After the body, receive() waits for the client to go away, as in ASGI (www.rst, "Disconnect").
      if (this.disconnected || this.bodyAbandoned || this.responseState === 'done') return { type: 'http.disconnect' };
      if (this.expectContinue && !this.continueSent) {
        this.continueSent = true;
        this.port.sendContinue();
      }
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  };

  private bodyReturned = false;
  private continueSent = false;

  /**
   * ASGI send. Checked synchronously (sendNow); only a body piece is awaited (sendBody), so http.response.start
   * costs no promise of its own. Every mistake rejects the returned promise, as an async send's would.
   */
  readonly send: Send = (message: SendMessage): Promise<void> => {
    try {
      return this.sendNow(message);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  private sendNow(message: SendMessage): Promise<void> {
    if (this.disconnected) return RESOLVED; // ASGI: sending to a closed connection is a no-op
    if (message === null || typeof message !== 'object') {
      throw new InterfaceError(`send() takes a message object like {type: 'http.response.start', ...}, got ${String(message)}`);
    }
    switch (message.type) {
      case 'http.response.start':
        if (this.responseState !== 'start') {
          throw new InterfaceError(`Expected ${this.responseState === 'body' ? 'http.response.body' : 'nothing (the response is complete)'}, but the app sent http.response.start`);
        }
        this.pendingHead = this.writer.head(message.status, message.headers ?? [], this.closeAfter);
        this.responseState = 'body';
        return RESOLVED;
      case 'http.response.body':
        if (this.responseState !== 'body') {
          throw new InterfaceError(`Expected ${this.responseState === 'start' ? 'http.response.start' : 'nothing (the response is complete)'}, but the app sent http.response.body`);
        }
        return this.sendBody(message.body, message.more_body === true);
      default:
        throw new InterfaceError(`Expected http.response.start or http.response.body, but the app sent ${(message as { type: string }).type}`);
    }
  }

  /** Frames a body piece and writes it (with the head, the first time); the last one completes the response. */
  private async sendBody(body: Uint8Array | string | undefined, more: boolean): Promise<void> {
    // The head (a latin-1 string) goes out with the first body piece, in one write.
    const head = this.pendingHead;
    this.pendingHead = null;
    let framed: Piece | null;
    let tail: Buffer | null = null;
    try {
      framed = body === undefined ? null : this.writer.body(body);
      if (!more) tail = this.writer.end();
    } catch (err) {
      if (err instanceof BodyLengthError) {
        this.port.log(`response error: ${err.message}; closing the connection (RFC 9112 6.3)`);
        if (head !== null) await this.port.write(Buffer.from(head, 'latin1'));
        this.responseState = 'done';
        this.port.abort(err.message);
        return;
      }
      throw err;
    }
    if (!more) this.responseState = 'done';
    const pieces: Piece[] = [];
    if (framed !== null) pieces.push(framed);
    if (tail !== null) pieces.push(tail);
    let written = RESOLVED;
    if (head !== null && roughLength(pieces) <= JOIN_MAX_BYTES) written = this.port.write(joinPieces(head, pieces));
    else if (head !== null) written = this.port.writev([Buffer.from(head, 'latin1'), ...pieces]);
    else if (pieces.length === 1) written = this.port.write(pieces[0]!);
    else if (pieces.length > 1) written = this.port.write(joinPieces(null, pieces));
    // Always awaited, even when nothing was written: the response completes (and a pipelined next request
    // starts) after the app's send() call has returned, never inside it.
    await written;
    if (!more) this.port.responseDone(this);
  }

  /** Runs the app for this request; turns a failure into a 500 or a closed connection (appFailed, appReturned). */
  async run(app: App): Promise<void> {
    try {
      await app(this.scope, this.receive, this.send);
    } catch (err) {
      return this.appFailed(err);
    }
    if (this.responseState !== 'done' && !this.disconnected) return this.appReturned();
  }

  private async appFailed(err: unknown): Promise<void> {
    this.port.log(`app error on ${this.scope.method} ${this.scope.raw_path}: ${(err as Error)?.stack ?? String(err)}`);
    if (this.canStillRespond && !this.disconnected) {
      this.responseState = 'start';
      this.pendingHead = null;
      this.writer = new ResponseWriter(this.facts);
      await this.sendPlain(500, 'Internal Server Error: the application failed; see the server log.\n');
    } else if (this.responseState !== 'done') {
      this.responseState = 'done';
      this.port.abort('the application failed after starting the response');
    }
  }

  /** The app returned without completing its response. */
  private async appReturned(): Promise<void> {
    if (this.responseState === 'start') {
      this.port.log(`app returned without a response for ${this.scope.method} ${this.scope.raw_path}`);
      await this.sendPlain(500, 'Internal Server Error: the application sent no response.\n');
    } else {
      this.port.log(`app returned before finishing the body of ${this.scope.method} ${this.scope.raw_path}`);
      this.responseState = 'done';
      this.port.abort('the application did not finish its response');
    }
  }

  async sendPlain(status: number, text: string): Promise<void> {
    this.closeAfter = this.closeAfter || status >= 500;
    await this.send({ type: 'http.response.start', status, headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(Buffer.byteLength(text))]] });
    await this.send({ type: 'http.response.body', body: text });
  }
}

/** Bodies up to this size are copied behind the head into one buffer; larger ones go out uncopied (writev). */
const JOIN_MAX_BYTES = 16 * 1024;
