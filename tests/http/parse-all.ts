// Test helper: runs the sans-IO parser over a list of chunks and collects messages and the outcome.

import { RequestParser, SERVER_PARSER_OPTIONS, type ParserOptions } from '../../server/http/request-parser.js';
import { DEFAULT_LIMITS, type Limits } from '../../server/http/limits.js';
import type { RequestHead } from '../../server/http/request-head.js';
import type { ProtocolError } from '../../server/http/errors.js';

export interface ParsedMessage {
  head: RequestHead;
  body: string;
  trailers: [string, string][];
  complete: boolean;
}

export interface ParseResult {
  messages: ParsedMessage[];
  outcome: 'accept' | 'reject' | 'upgrade' | 'incomplete';
  error: ProtocolError | null;
  /** Bytes left in the parser when a protocol switch stopped it. */
  remaining: string;
}

/**
 * The body pieces are kept as the parser handed them out (views of its buffer) and read only at the end: a parser
 * that reused memory it had handed out would show here as a wrong body.
 */
export function parseAll(chunks: Buffer[], limits: Partial<Limits> = {}, options: Partial<ParserOptions> = {}): ParseResult {
  const bodies: Buffer[][] = [];
  const result = parseKeepingPieces(chunks, limits, options, bodies);
  result.messages.forEach((m, i) => { m.body = Buffer.concat(bodies[i]!).toString('latin1'); });
  return result;
}

function parseKeepingPieces(chunks: Buffer[], limits: Partial<Limits>, options: Partial<ParserOptions>, bodies: Buffer[][]): ParseResult {
  const parser = new RequestParser({ ...DEFAULT_LIMITS, ...limits }, { ...SERVER_PARSER_OPTIONS, ...options });
  const messages: ParsedMessage[] = [];
  let current: ParsedMessage | null = null;
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (;;) {
      const ev = parser.next();
      if (ev.type === 'head') {
        current = { head: ev.head, body: '', trailers: [], complete: false };
        messages.push(current);
        bodies.push([]);
      } else if (ev.type === 'data') {
        bodies[bodies.length - 1]!.push(ev.data);
      } else if (ev.type === 'end') {
        current!.complete = true;
        current!.trailers = ev.trailers;
        if (current!.head.upgrade !== null) {
          return { messages, outcome: 'upgrade', error: null, remaining: parser.takeRemaining().toString('latin1') };
        }
        parser.startNextRequest();
      } else if (ev.type === 'error') {
        return { messages, outcome: 'reject', error: ev.error, remaining: '' };
      } else {
        break; // need-data or paused: wait for the next chunk
      }
    }
  }
  return { messages, outcome: parser.inMessage ? 'incomplete' : 'accept', error: null, remaining: '' };
}

/** The three ways every case is fed: whole, one byte at a time, and split in two at every offset. */
export function* splits(raw: Buffer): Generator<[string, Buffer[]]> {
  yield ['whole', [raw]];
  const bytes: Buffer[] = [];
  for (let i = 0; i < raw.length; i++) bytes.push(raw.subarray(i, i + 1));
  yield ['byte by byte', bytes];
  for (let i = 1; i < raw.length; i++) yield [`split at ${i}`, [raw.subarray(0, i), raw.subarray(i)]];
}
