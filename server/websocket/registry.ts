// The live WebSocket sessions of this process: counted for metrics, closed together on shutdown.
// Sessions add themselves when they start and remove themselves when their socket has closed.

import { MAX_CLOSE_REASON_BYTES, isValidCloseCode } from './close-codes.js';

export interface TrackedSession {
  /** Starts the closing handshake with this code (or refuses a not-yet-accepted handshake). */
  shutdown(code: number, reason: string): void;
}

const sessions = new Set<TrackedSession>();

export function trackSession(session: TrackedSession): void {
  sessions.add(session);
}

export function untrackSession(session: TrackedSession): void {
  sessions.delete(session);
}

/** How many WebSocket sessions are running (from handover until their socket closed). */
export function activeWebSocketCount(): number {
  return sessions.size;
}

/** Closes every session, by default with 1001 "going away" (RFC 6455 7.4.1), for graceful shutdown. */
export function closeAllWebSockets(code = 1001, reason = 'server shutting down'): void {
  if (!isValidCloseCode(code)) throw new RangeError(`expected a close code of 1000-1003, 1007-1011 or 3000-4999, got ${code}`);
  if (Buffer.byteLength(reason, 'utf8') > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(`expected a close reason of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${Buffer.byteLength(reason, 'utf8')}`);
  }
  for (const session of [...sessions]) session.shutdown(code, reason);
}
