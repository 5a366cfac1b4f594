// --trace: prints the raw bytes each connection receives and sends, escaped, so a learner sees the wire.

export type TraceFn = (connectionId: number, direction: 'in' | 'out', data: string | Buffer) => void;

export function escapeWire(data: string | Buffer, max = 2048): string {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  let out = '';
  const end = Math.min(text.length, max);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20 || (c >= 0x7f && c <= 0xff)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += text[i];
  }
  if (text.length > max) out += `... (${text.length - max} more bytes)`;
  return out;
}

/** A tracer that writes to a stream, one block per read or write, prefixed by connection and direction. */
export function streamTracer(write: (text: string) => void): TraceFn {
  return (id, direction, data) => {
    const arrow = direction === 'in' ? '<<' : '>>';
    const lines = escapeWire(data).split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    write(lines.map((l) => `#${id} ${arrow} ${l}`).join('\n') + '\n');
  };
}
