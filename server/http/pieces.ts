// Output pieces (latin-1 response heads, UTF-8 strings, buffers) joined into one buffer, so that several
// small writes leave in one write() — one syscall, one trip through the socket's stream machinery.

export type Piece = string | Buffer;

/** A cheap size for choosing a path: a string's length is a lower bound of its UTF-8 size. */
export function roughLength(pieces: readonly Piece[]): number {
  let n = 0;
  for (let i = 0; i < pieces.length; i++) n += pieces[i]!.length;
  return n;
}

/** One buffer holding `head` (latin-1, may be null) followed by the pieces (strings as UTF-8). */
export function joinPieces(head: string | null, pieces: readonly Piece[]): Buffer {
  let length = head === null ? 0 : head.length;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    length += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  }
  const out = Buffer.allocUnsafe(length);
  let at = head === null ? 0 : out.write(head, 0, 'latin1');
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    at += typeof p === 'string' ? out.write(p, at, 'utf8') : p.copy(out, at);
  }
  return out;
}
