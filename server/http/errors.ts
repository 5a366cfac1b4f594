// ProtocolError: a request the server refuses, with the status to answer and a reason a telnet user can act on.
// Every reason names what was expected and what arrived, and the RFC rule that asks for it.

export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    /** The HTTP status to answer with (400, 413, 414, 431, 501, 505, ...). */
    readonly status: number,
    /** One line for the response body: what was wrong and how to fix it. */
    readonly reason: string,
  ) {
    super(`${status}: ${reason}`);
  }
}

/** Shows bytes the way a learner can read them: printable ASCII as is, the rest escaped. */
export function printable(text: string, max = 60): string {
  let out = '';
  for (const ch of text.length > max ? text.slice(0, max) : text) {
    const c = ch.charCodeAt(0);
    if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return text.length > max ? `${out}...` : out;
}
