// Validation of n, the number of decimals a job asks for, from forms, JSON and paths: one rule, one message each.

import { HttpError } from './http/request.js';
import { groupThousands } from './http/numbers.js';

const MAX_INPUT_LENGTH = 12;

/** Parses n from text (forms, paths): plain decimal digits only, 1 ≤ n ≤ maxDigits. Throws HttpError 422. */
export function parseNText(raw: string | null | undefined, maxDigits: number): number {
  const text = (raw ?? '').trim();
  if (text === '') throw new HttpError(422, 'Enter n, the number of decimals you want (for example 1000).');
  if (!/^[0-9]+$/.test(text)) {
    throw new HttpError(422, `n must be a whole number written with digits only (like 1000), not "${text.length > 40 ? `${text.slice(0, 40)}...` : text}".`);
  }
  if (text.length > MAX_INPUT_LENGTH) {
    // More digits than any allowed n has: too large, unless it is leading zeros that make it long.
    if (text.replace(/^0+(?=.)/, '').length > MAX_INPUT_LENGTH) return checkRange(Number.POSITIVE_INFINITY, maxDigits);
    throw new HttpError(422, `n must be written with at most ${MAX_INPUT_LENGTH} digits (like 1000), not "${text.length > 40 ? `${text.slice(0, 40)}...` : text}".`);
  }
  return checkRange(Number(text), maxDigits);
}

/** Parses n from a JSON value: an integer number. Throws HttpError 422. */
export function parseNJson(value: unknown, maxDigits: number): number {
  if (typeof value !== 'number') throw new HttpError(422, `"n" must be a JSON number, got ${value === null ? 'null' : typeof value}.`);
  if (!Number.isInteger(value)) throw new HttpError(422, `"n" must be a whole number, got ${value}.`);
  return checkRange(value, maxDigits);
}

function checkRange(n: number, maxDigits: number): number {
  if (n < 1) throw new HttpError(422, 'n must be at least 1: pi to 0 decimals is just 3.');
  if (n > maxDigits) throw new HttpError(422, `n must be at most ${groupThousands(maxDigits)} (the server's --max-digits).`);
  return n;
}
