// Character classes of HTTP's grammar (RFC 9110 5.6, RFC 9112 2-3) as lookup tables over bytes/char codes.

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const DELIMITERS = '"(),/:;<=>?@[\\]{}';

/** tchar (RFC 9110 5.6.2): any visible ASCII except delimiters. */
export const TOKEN = table((c) => c > 0x20 && c < 0x7f && !DELIMITERS.includes(String.fromCharCode(c)));

/** field-vchar, SP and HTAB (RFC 9110 5.5): visible ASCII, obs-text (0x80-0xff), space and tab; no CTL, no DEL. */
export const FIELD_VALUE = table((c) => c === 0x09 || c === 0x20 || (c > 0x20 && c !== 0x7f));

/** Characters of a request-target we accept: visible ASCII but '#' (RFC 9112 3.2; fragments are never sent). */
export const TARGET = table((c) => c > 0x20 && c < 0x7f && c !== 0x23);

/** qdtext and quoted-pair content (RFC 9110 5.6.4). */
export const QDTEXT = table((c) => c === 0x09 || c === 0x20 || c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c !== 0x7f));

export const HEX = table((c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Index of the first character not allowed in a field value, or -1. */
export function badFieldValueChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) return i;
  }
  return -1;
}

/** Splits a comma-separated list (RFC 9110 5.6.1), trimming OWS; empty members are kept as ''. */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return [trimOws(value)]; // the common case: one member
  const parts = value.split(',');
  for (let i = 0; i < parts.length; i++) parts[i] = trimOws(parts[i]!);
  return parts;
}

/** Trims optional whitespace (SP / HTAB) from both ends. */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
