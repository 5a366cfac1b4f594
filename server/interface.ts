// The ASGI-like interface between the server and an application: scopes, messages, App.
// Mirrors asgiref's specs (www.rst, lifespan.rst) in TypeScript; the app sees nothing else of the server.

/** A header as it travels: lower-cased name, value as sent (latin-1 bytes). */
export type Header = [name: string, value: string];

export interface HttpScope {
  type: 'http';
  asgi: { version: '3.0'; spec_version: '2.4' };
  http_version: '1.0' | '1.1';
  method: string;
  scheme: 'http';
  /** Percent-decoded path (UTF-8). */
  path: string;
  /** The request target's path as sent, undecoded. */
  raw_path: string;
  /** Everything after '?', undecoded, without the '?'. */
  query_string: string;
  root_path: string;
  /** Lower-cased names, in the order they were sent; duplicates kept. */
  headers: Header[];
  client: [host: string, port: number] | null;
  server: [host: string, port: number] | null;
  /** A copy of the state the app filled during lifespan startup. */
  state: Record<string, unknown>;
}

export interface WebSocketScope extends Omit<HttpScope, 'type' | 'method' | 'scheme'> {
  type: 'websocket';
  scheme: 'ws';
  subprotocols: string[];
}

export interface LifespanScope {
  type: 'lifespan';
  asgi: { version: '3.0'; spec_version: '2.0' };
  state: Record<string, unknown>;
}

export type Scope = HttpScope | WebSocketScope | LifespanScope;

// HTTP messages (www.rst, "HTTP").
export interface HttpRequestMessage { type: 'http.request'; body: Uint8Array; more_body: boolean }
export interface HttpDisconnectMessage { type: 'http.disconnect' }
export interface HttpResponseStartMessage {
  type: 'http.response.start';
  status: number;
  headers?: readonly Header[];
  trailers?: boolean;
}
export interface HttpResponseBodyMessage { type: 'http.response.body'; body?: Uint8Array | string; more_body?: boolean }

// WebSocket messages (www.rst, "WebSocket").
export interface WebSocketConnectMessage { type: 'websocket.connect' }
export interface WebSocketAcceptMessage { type: 'websocket.accept'; subprotocol?: string | null; headers?: Header[] }
export interface WebSocketReceiveMessage { type: 'websocket.receive'; bytes?: Uint8Array | null; text?: string | null }
export interface WebSocketSendMessage { type: 'websocket.send'; bytes?: Uint8Array | null; text?: string | null }
export interface WebSocketCloseMessage { type: 'websocket.close'; code?: number; reason?: string }
export interface WebSocketDisconnectMessage { type: 'websocket.disconnect'; code: number; reason?: string }

// Lifespan messages (lifespan.rst).
export interface LifespanStartupMessage { type: 'lifespan.startup' }
export interface LifespanShutdownMessage { type: 'lifespan.shutdown' }
export interface LifespanStartupCompleteMessage { type: 'lifespan.startup.complete' }
export interface LifespanStartupFailedMessage { type: 'lifespan.startup.failed'; message?: string }
export interface LifespanShutdownCompleteMessage { type: 'lifespan.shutdown.complete' }
export interface LifespanShutdownFailedMessage { type: 'lifespan.shutdown.failed'; message?: string }

export type ReceiveMessage =
  | HttpRequestMessage | HttpDisconnectMessage
  | WebSocketConnectMessage | WebSocketReceiveMessage | WebSocketDisconnectMessage
  | LifespanStartupMessage | LifespanShutdownMessage;

export type SendMessage =
  | HttpResponseStartMessage | HttpResponseBodyMessage
  | WebSocketAcceptMessage | WebSocketSendMessage | WebSocketCloseMessage
  | LifespanStartupCompleteMessage | LifespanStartupFailedMessage
  | LifespanShutdownCompleteMessage | LifespanShutdownFailedMessage;

export type Receive = () => Promise<ReceiveMessage>;
export type Send = (message: SendMessage) => Promise<void>;

/** An application: one call per connection-scope (a request, a websocket, or the lifespan). */
export type App = (scope: Scope, receive: Receive, send: Send) => Promise<void>;

/** Raised when an app sends a message the protocol does not allow at that point. */
export class InterfaceError extends Error {
  override name = 'InterfaceError';
}
