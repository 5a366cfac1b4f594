// Validation of n, the number of decimals a job asks for, from forms, JSON and paths: one rule, one message each,
// and each message says what arrived.

import { HttpError } from './http/request.js';
import { groupThousands } from './http/numbers.js';

/** More significant digits than this is more than any n the engine computes (leading zeros do not count). */
const MAX_INPUT_DIGITS = 12;

/** Parses n from text (forms, paths): plain decimal digits only, 1 ≤ n ≤ maxDigits. Throws HttpError 422. */
export function parseNText(raw: string | null | undefined, maxDigits: number): number {
  const text = (raw ?? '').trim();
  if (text === '') throw new HttpError(422, 'Enter n, the number of decimals you want (for example 1000).');
  if (!/^[0-9]+$/.test(text)) {
    throw new HttpError(422, `n must be a whole number written with digits only (like 1000), not "${echo(text)}".`);
  }
  const digits = text.replace(/^0+(?=.)/, '');
  if (digits.length > MAX_INPUT_DIGITS) throw tooLarge(`a number of ${groupThousands(digits.length)} digits`, maxDigits);
  return checkRange(Number(digits), maxDigits);
}

/** Parses n from a JSON value: an integer number. Throws HttpError 422. */
export function parseNJson(value: unknown, maxDigits: number): number {
  if (typeof value !== 'number') throw new HttpError(422, `"n" must be a JSON number, got ${value === null ? 'null' : typeof value}.`);
  if (!Number.isInteger(value)) throw new HttpError(422, `"n" must be a whole number, got ${value}.`);
  return checkRange(value, maxDigits);
}

function checkRange(n: number, maxDigits: number): number {
  if (n < 1) throw new HttpError(422, `n must be at least 1, got ${n}: pi to 0 decimals is just 3.`);
  if (n > maxDigits) throw tooLarge(Number.isSafeInteger(n) ? groupThousands(n) : String(n), maxDigits);
  return n;
}

function tooLarge(got: string, maxDigits: number): HttpError {
  return new HttpError(422, `n must be at most ${groupThousands(maxDigits)} (the server's --max-digits), got ${got}.`);
}

/** What arrived, as the message quotes it: at most 40 characters. */
function echo(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
