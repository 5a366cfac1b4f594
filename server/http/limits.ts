// Every limit and timeout of the HTTP server, named, with its default.
// The command line (app/config.ts) exposes each as a flag and an environment variable.

export interface Limits {
  /** Longest request line (method, target, version) in bytes: 414 beyond. */
  maxRequestLineBytes: number;
  /** Largest header block (request line included) in bytes: 431 beyond. */
  maxHeaderBytes: number;
  /** Most header fields in one request (trailers included): 431 beyond. */
  maxHeaderCount: number;
  /** Largest request body in bytes (declared or chunked): 413 beyond. */
  maxBodyBytes: number;
  /** Longest chunk-size line (size and extensions) of a chunked body: 400 beyond. */
  maxChunkLineBytes: number;
}

export interface Timeouts {
  /** The whole request head must arrive within this time after its first byte (slowloris guard). */
  headersTimeoutMs: number;
  /** An idle persistent connection is closed after this time without a new request. */
  keepAliveTimeoutMs: number;
  /** A request body that makes no progress for this long is abandoned (408 or close). */
  bodyTimeoutMs: number;
  /** On SIGTERM, in-flight requests get this long to finish before connections are destroyed. */
  shutdownTimeoutMs: number;
}

export interface ConnectionLimits {
  /** Most open connections; the next one gets 503 and is closed. */
  maxConnections: number;
  /** Body bytes buffered for an app that has not read them before the socket is paused. */
  bodyHighWaterMark: number;
  /** Most requests served on one persistent connection before it is closed (0: no limit). */
  maxRequestsPerConnection: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxRequestLineBytes: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 1024 * 1024,
  maxChunkLineBytes: 4096,
});

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  bodyTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
});

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnections: 20_000,
  bodyHighWaterMark: 64 * 1024,
  maxRequestsPerConnection: 0,
});
