// GET /healthz, a readiness check: 200 "ok" while the database is usable, 503 with the reason once its file was
// removed or replaced. It reads the status the database's file guard keeps: no query, no system call per request.

import type { Send } from '../server/interface.js';
import type { DatabaseStatus } from '../db/index.js';
import { sendText } from './http/responses.js';

/** Whatever knows the database's state: the store's handle (db/database.ts). */
export interface DatabaseHealth {
  status(): DatabaseStatus;
}

export function healthz(send: Send, database: DatabaseHealth | undefined): Promise<void> {
  const s = database?.status();
  if (s !== undefined && !s.available) {
    return sendText(send, 503, `database unavailable: ${s.problem}\n`, [['Cache-Control', 'no-store'], ['Retry-After', '2']]);
  }
  return sendText(send, 200, 'ok\n', [['Cache-Control', 'no-store']]);
}
