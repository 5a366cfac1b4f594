// The server: a net.Server that turns each socket into a Connection, runs the app's lifespan,
// sweeps deadlines with one timer, caps connections, and shuts down gracefully.

import { performance } from 'node:perf_hooks';
import net from 'node:net';
import type { App } from './interface.js';
import { Connection, type ConnectionContext } from './connection.js';
import { DEFAULT_CONNECTION_LIMITS, DEFAULT_LIMITS, DEFAULT_TIMEOUTS, type ConnectionLimits, type Limits, type Timeouts } from './http/limits.js';
import { dateAndServerLines, statusLine } from './http/response-writer.js';
import { AccessLog } from './access-log.js';
import { streamTracer } from './trace.js';
import { Lifespan } from './lifespan.js';
import { FlushScheduler } from './flush-scheduler.js';
import { activeWebSocketCount, closeAllWebSockets, WEBSOCKET_DEFAULTS, type WebSocketSessionOptions } from './websocket/session.js';

export interface ServerOptions {
  host: string;
  port: number;
  limits: Partial<Limits>;
  timeouts: Partial<Timeouts>;
  connectionLimits: Partial<ConnectionLimits>;
  websocket: Partial<WebSocketSessionOptions>;
  rootPath: string;
  /** Print one line per response (Common Log Format plus duration). */
  accessLog: boolean;
  /** Print the raw bytes of every connection, escaped. */
  trace: boolean;
  /** 'auto' runs the app's lifespan if it supports it; 'off' never calls it. */
  lifespan: 'auto' | 'off';
  /** Where log lines go (default: stderr); access log and trace go to stdout. */
  log: (line: string) => void;
  out: (text: string) => void;
}

export const SERVER_DEFAULTS: Readonly<Omit<ServerOptions, 'log' | 'out'>> = Object.freeze({
  host: '127.0.0.1',
  port: 8000,
  limits: {},
  timeouts: {},
  connectionLimits: {},
  websocket: {},
  rootPath: '',
  accessLog: true,
  trace: false,
  lifespan: 'auto',
});

/** At shutdown, how long an idle keep-alive connection may still deliver a request already on its way. */
export const SHUTDOWN_GRACE_MS = 300;

export class HttpServer {
  readonly options: ServerOptions;
  private readonly netServer: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly ctx: ConnectionContext;
  private readonly lifespan: Lifespan;
  private sweeper: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private accessLog: AccessLog | null;

  constructor(app: App, options: Partial<ServerOptions> = {}) {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const out = options.out ?? ((text: string) => process.stdout.write(text));
    this.options = { ...SERVER_DEFAULTS, ...options, log, out };
    const o = this.options;
    this.accessLog = o.accessLog ? new AccessLog(out) : null;
    this.lifespan = new Lifespan(app, log);
    this.ctx = {
      app,
      limits: { ...DEFAULT_LIMITS, ...o.limits },
      timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, ...o.connectionLimits },
      websocket: { ...WEBSOCKET_DEFAULTS, ...o.websocket },
      state: this.lifespan.state,
      serverAddress: null,
      rootPath: o.rootPath,
      log,
      accessLog: this.accessLog,
      trace: o.trace ? streamTracer(out) : null,
      shuttingDown: false,
      flusher: new FlushScheduler(),
      onClose: (c) => { this.connections.delete(c); this.checkDrained(); },
    };
    // noDelay: every accepted socket gets TCP_NODELAY here, once (each read's responses leave in one write from the
    // connection's outbox, so Nagle has nothing to add).
    this.netServer = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  get timeouts(): Timeouts { return this.ctx.timeouts; }
  get connectionCount(): number { return this.connections.size; }
  get webSocketCount(): number { return activeWebSocketCount(); }

  /** Runs lifespan startup, then listens. Resolves with the address actually bound (port 0 picks one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.options.lifespan === 'auto') await this.lifespan.startup();
    await new Promise<void>((resolve, reject) => {
      this.netServer.once('error', reject);
      this.netServer.listen(this.options.port, this.options.host, () => {
        this.netServer.off('error', reject);
        resolve();
      });
    });
    const addr = this.netServer.address() as net.AddressInfo;
    this.ctx.serverAddress = [addr.address, addr.port];
    const t = this.ctx.timeouts;
    const every = Math.max(25, Math.min(1000, Math.floor(Math.min(t.headersTimeoutMs, t.keepAliveTimeoutMs, t.bodyTimeoutMs) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `http://${host}:${addr.port}` };
  }

  private accept(socket: net.Socket): void {
    if (this.ctx.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.ctx.connectionLimits.maxConnections) {
      const body = `503 Service Unavailable: the server has ${this.connections.size} open connections, its limit (--max-connections); try again shortly.\n`;
      socket.on('error', () => {});
      // What the client sends is read and dropped; one that never closes its side is cut off after the keep-alive
      // timeout (at least a second), as a closing connection is, so refused sockets cannot pile up. A plain timer,
      // not socket.setTimeout: that one restarts with every byte a trickling client sends.
      socket.resume();
      const cutOff = setTimeout(() => socket.destroy(), Math.max(this.ctx.timeouts.keepAliveTimeoutMs, 1000));
      socket.once('close', () => clearTimeout(cutOff));
      socket.end(`${statusLine(503)}${dateAndServerLines()}Retry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.connections.add(new Connection(socket, this.ctx));
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.connections) c.checkDeadline(now);
  }

  private drainedResolve: (() => void) | null = null;

  private checkDrained(): void {
    if (this.drainedResolve !== null && this.connections.size === 0 && activeWebSocketCount() === 0) {
      this.drainedResolve();
      this.drainedResolve = null;
    }
  }

  /**
   * Graceful shutdown in four steps, as uvicorn does: stop accepting; close idle connections and tell busy ones
   * to close after their response; wait for them up to the shutdown timeout, then destroy the rest; run lifespan shutdown.
   */
  stop(timeoutMs = this.ctx.timeouts.shutdownTimeoutMs): Promise<void> {
    if (this.stopping !== null) return this.stopping;
    this.stopping = (async () => {
      this.ctx.shuttingDown = true;
      const closed = new Promise<void>((resolve) => this.netServer.close(() => resolve()));
      const grace = Math.min(SHUTDOWN_GRACE_MS, timeoutMs);
      for (const c of this.connections) c.shutdown(grace);
      // The sweeper closes idle connections when their grace ends: make sure it looks often enough.
      if (this.sweeper !== null) clearInterval(this.sweeper);
      this.sweeper = setInterval(() => this.sweep(), 50);
      closeAllWebSockets(1001, 'server shutting down');
      const drained = new Promise<void>((resolve) => { this.drainedResolve = resolve; this.checkDrained(); });
      // Sessions of other servers in this process share the registry: poll it too.
      const poll = setInterval(() => this.checkDrained(), 50);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeoutMs); });
      const late = await Promise.race([drained.then(() => false), timedOut]);
      clearTimeout(timer);
      clearInterval(poll);
      if (late) {
        this.options.log(`shutdown: ${this.connections.size} connection(s) still busy after ${timeoutMs} ms; closing them`);
        for (const c of this.connections) c.destroy();
      }
      await closed;
      if (this.sweeper !== null) clearInterval(this.sweeper);
      this.accessLog?.flush();
      if (this.options.lifespan === 'auto') await this.lifespan.shutdown();
    })();
    return this.stopping;
  }
}

/** SIGINT/SIGTERM: the first starts a graceful stop, a second forces exit. */
export function handleSignals(server: HttpServer, log: (line: string) => void, onStopped: () => Promise<void> | void): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    signalled = true;
    log(`${signal}: shutting down gracefully (in-flight requests get ${server.timeouts.shutdownTimeoutMs} ms; press Ctrl+C again to force)`);
    void server.stop().then(onStopped).then(() => process.exit(0), (err: unknown) => {
      log(`shutdown failed: ${(err as Error)?.stack ?? String(err)}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
