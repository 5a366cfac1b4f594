// Lays decimals out for reading: groups of 10 separated by spaces, 100 to a line, across chunk boundaries.

export const GROUP = 10;
export const LINE = 100;

/** Formats `chunk`, whose first decimal is decimal number `first` (1-based). Pure; concatenating the results of consecutive chunks gives the layout of the whole. */
export function groupDigits(chunk: string, first: number): string {
  let out = '';
  let pos = first;
  let i = 0;
  while (i < chunk.length) {
    // Take digits up to the next group boundary.
    const untilGroup = GROUP - ((pos - 1) % GROUP);
    const take = Math.min(untilGroup, chunk.length - i);
    out += chunk.slice(i, i + take);
    i += take;
    pos += take;
    const written = pos - 1;
    if (written % GROUP === 0 && i < chunk.length) out += written % LINE === 0 ? '\n' : ' ';
    else if (written % GROUP === 0 && i === chunk.length) out += '\u0000'; // boundary at the chunk's end: decided by the next chunk
  }
  return out;
}

/**
 * Streams grouped decimals; the separator after a chunk that ends on a group boundary is written
 * only if more decimals follow, so the text never ends with a stray space.
 */
export async function* groupedStream(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let pos = 1;
  let pendingSeparator = '';
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    let text = groupDigits(chunk, pos);
    pos += chunk.length;
    const endsOnBoundary = text.endsWith('\u0000');
    if (endsOnBoundary) text = text.slice(0, -1);
    yield pendingSeparator + text;
    pendingSeparator = endsOnBoundary ? ((pos - 1) % LINE === 0 ? '\n' : ' ') : '';
  }
}
