// Opaque pagination cursors for the jobs list: base64url of {"v":1,"id":N}, the last id of the previous page.
// Decoding anything else throws InvalidCursorError.
import { InvalidCursorError } from './errors.js';

export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ v: 1, id }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  if (cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError(`invalid cursor '${cursor.slice(0, 40)}'`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(`invalid cursor '${cursor.slice(0, 40)}'`);
  }
  const p = parsed as { v?: unknown; id?: unknown } | null;
  if (typeof p !== 'object' || p === null || p.v !== 1 || !Number.isSafeInteger(p.id) || (p.id as number) < 1) {
    throw new InvalidCursorError(`invalid cursor '${cursor.slice(0, 40)}'`);
  }
  return p.id as number;
}
