// Sans-IO WebSocket framing (RFC 6455 section 5): a parser for client frames (bytes in, events out)
// and encoders for the server's unmasked frames. No sockets, no timers.

import { TextDecoder } from 'node:util';
import {
  CLOSE_INVALID_PAYLOAD, CLOSE_NO_STATUS, CLOSE_PROTOCOL_ERROR, CLOSE_TOO_BIG,
  MAX_CLOSE_REASON_BYTES, isValidCloseCode,
} from './close-codes.js';

/** Frame opcodes (5.2). */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** The largest payload a control frame may carry (5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Default limit for one reassembled message: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export type FrameEvent =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  /** The peer's Close frame; code is 1005 when the frame had no body (7.1.5). */
  | { type: 'close'; code: number; reason: string }
  /** The peer broke the protocol: fail the connection (7.1.7) with this close code. */
  | { type: 'error'; code: number; reason: string };

export type FrameParserState = 'header' | 'payload' | 'closed' | 'failed';

export interface FrameParserOptions {
  /** Largest message (all fragments together) accepted; larger gets close code 1009. */
  maxMessageBytes?: number;
  /** Whether frames must be masked: true for a server reading a client (5.1). */
  requireMask?: boolean;
}

const OPCODE_NAMES: Record<number, string> = {
  0x0: 'continuation', 0x1: 'text', 0x2: 'binary', 0x8: 'close', 0x9: 'ping', 0xa: 'pong',
};

class ProtocolViolation extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Parses the frames a client sends. feed() returns the events the bytes completed; after a
 * 'close' or 'error' event the parser is finished and ignores whatever else arrives.
 */
export class FrameParser {
  readonly maxMessageBytes: number;
  readonly requireMask: boolean;

  #state: FrameParserState = 'header';
  // The header being read: at most 2 + 8 (length) + 4 (mask key) bytes.
  #header = Buffer.alloc(14);
  #headerFilled = 0;
  // The frame whose payload is being read.
  #fin = false;
  #opcode: number = 0;
  #masked = false;
  #maskKey = Buffer.alloc(4);
  #payload: Buffer = Buffer.alloc(0);
  #payloadFilled = 0;
  // The fragmented message in progress (5.4): its opcode (0 if none) and the fragments so far.
  #messageOpcode: number = 0;
  #fragments: Buffer[] = [];
  #messageBytes = 0;
  #textDecoder: TextDecoder | null = null;
  #textParts: string[] = [];

  constructor(options: FrameParserOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.requireMask = options.requireMask ?? true;
    if (!Number.isSafeInteger(this.maxMessageBytes) || this.maxMessageBytes < 0) {
      throw new RangeError(`maxMessageBytes must be a non-negative integer, got ${this.maxMessageBytes}`);
    }
  }

  get state(): FrameParserState {
    return this.#state;
  }

  /** Whether a fragmented message has started and not yet finished. */
  get inMessage(): boolean {
    return this.#messageOpcode !== 0;
  }

  feed(data: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let offset = 0;
    try {
      while (offset < data.length && (this.#state === 'header' || this.#state === 'payload')) {
        if (this.#state === 'header') {
          offset = this.#readHeader(data, offset, events);
        } else {
          offset = this.#readPayload(data, offset, events);
        }
      }
    } catch (err) {
      if (!(err instanceof ProtocolViolation)) throw err;
      this.#fail();
      events.push({ type: 'error', code: err.code, reason: err.message });
    }
    return events;
  }

  #fail(): void {
    this.#state = 'failed';
    this.#payload = Buffer.alloc(0);
    this.#fragments = [];
    this.#textParts = [];
    this.#textDecoder = null;
  }

  /** Copies header bytes until the header is whole, validating each part as soon as it is known. */
  #readHeader(data: Uint8Array, offset: number, events: FrameEvent[]): number {
    let needed = this.#headerLength();
    while (this.#headerFilled < needed && offset < data.length) {
      this.#header[this.#headerFilled++] = data[offset++]!;
      if (this.#headerFilled === 2) {
        this.#checkFirstTwoBytes();
        needed = this.#headerLength();
      }
    }
    if (this.#headerFilled < needed) return offset;

    const length = this.#payloadLength();
    this.#checkLength(length);
    if (this.#masked) this.#header.copy(this.#maskKey, 0, needed - 4, needed);
    this.#headerFilled = 0;
    this.#payload = Buffer.allocUnsafe(length);
    this.#payloadFilled = 0;
    this.#state = 'payload';
    if (length === 0) this.#frameComplete(events);
    return offset;
  }

  /** How long the header is, as far as the bytes read so far tell. */
  #headerLength(): number {
    if (this.#headerFilled < 2) return 2;
    const len7 = this.#header[1]! & 0x7f;
    const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    return 2 + extended + (this.#masked ? 4 : 0);
  }

  #checkFirstTwoBytes(): void {
    const b0 = this.#header[0]!;
    const b1 = this.#header[1]!;
    this.#fin = (b0 & 0x80) !== 0;
    this.#opcode = b0 & 0x0f;
    this.#masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;

    // 5.2: RSV1-3 must be 0 unless an extension defines them; none is negotiated.
    if ((b0 & 0x70) !== 0) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR,
        `expected RSV bits 0 (no extension negotiated), got 0x${((b0 & 0x70) >> 4).toString(16)}`);
    }
    const name = OPCODE_NAMES[this.#opcode];
    // 5.2: reserved opcodes 0x3-0x7 and 0xB-0xF fail the connection.
    if (name === undefined) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR,
        `expected opcode 0x0-0x2 or 0x8-0xA, got reserved opcode 0x${this.#opcode.toString(16)}`);
    }
    // 5.1: a client masks every frame it sends; a server closes on an unmasked one.
    if (this.requireMask && !this.#masked) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, `expected a masked ${name} frame from the client, got an unmasked one`);
    }
    if (!this.requireMask && this.#masked) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, `expected an unmasked ${name} frame, got a masked one`);
    }
    if (this.#opcode >= 0x8) {
      // 5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!this.#fin) {
        throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, `expected FIN set on a ${name} frame (control frames cannot be fragmented), got FIN 0`);
      }
      if (len7 > MAX_CONTROL_PAYLOAD) {
        throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR,
          `expected a ${name} payload of at most ${MAX_CONTROL_PAYLOAD} bytes, got a ${len7 === 126 ? '16' : '64'}-bit length`);
      }
    } else if (this.#opcode === Opcode.Continuation) {
      // 5.4: a continuation frame only follows a started, unfinished message.
      if (this.#messageOpcode === 0) {
        throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, 'expected a text or binary frame to start a message, got a continuation frame');
      }
    } else if (this.#messageOpcode !== 0) {
      // 5.4: the fragments of one message are not interleaved with another message.
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR,
        `expected a continuation frame (a fragmented ${OPCODE_NAMES[this.#messageOpcode]} message is unfinished), got a ${name} frame`);
    }
  }

  #payloadLength(): number {
    const len7 = this.#header[1]! & 0x7f;
    if (len7 < 126) return len7;
    if (len7 === 126) return this.#header.readUInt16BE(2);
    const high = this.#header.readUInt32BE(2);
    const low = this.#header.readUInt32BE(6);
    // 5.2: the most significant bit of a 64-bit length must be 0.
    if (high & 0x80000000) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, 'expected a 64-bit payload length with the most significant bit 0, got it set');
    }
    // Above 2^53 the sum loses precision, but it is then far beyond any message limit anyway.
    return high * 0x1_0000_0000 + low;
  }

  /** The size limit is checked from the header, before any payload is buffered. */
  #checkLength(length: number): void {
    if (this.#opcode >= 0x8) return; // control frames were limited to 125 bytes already
    const total = this.#messageBytes + length;
    if (total > this.maxMessageBytes) {
      throw new ProtocolViolation(CLOSE_TOO_BIG,
        `expected a message of at most ${this.maxMessageBytes} bytes, got ${this.#messageOpcode !== 0 ? 'fragments totalling ' : ''}${total} bytes`);
    }
  }

  #readPayload(data: Uint8Array, offset: number, events: FrameEvent[]): number {
    const want = this.#payload.length - this.#payloadFilled;
    const take = Math.min(want, data.length - offset);
    const payload = this.#payload;
    if (this.#masked) {
      // 5.3: octet i of the payload is XORed with octet i mod 4 of the masking key.
      const key = this.#maskKey;
      let at = this.#payloadFilled;
      for (let i = 0; i < take; i++, at++) payload[at] = data[offset + i]! ^ key[at & 3]!;
    } else {
      payload.set(data.subarray(offset, offset + take), this.#payloadFilled);
    }
    this.#payloadFilled += take;
    if (this.#payloadFilled === payload.length) this.#frameComplete(events);
    return offset + take;
  }

  #frameComplete(events: FrameEvent[]): void {
    const payload = this.#payload;
    this.#payload = Buffer.alloc(0);
    this.#state = 'header';
    switch (this.#opcode) {
      case Opcode.Ping:
        events.push({ type: 'ping', data: payload });
        return;
      case Opcode.Pong:
        events.push({ type: 'pong', data: payload });
        return;
      case Opcode.Close:
        events.push(this.#closeEvent(payload));
        this.#state = 'closed';
        this.#fragments = [];
        this.#textParts = [];
        return;
      case Opcode.Text:
      case Opcode.Binary:
        this.#messageOpcode = this.#opcode;
        if (this.#opcode === Opcode.Text) {
          this.#textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
        }
        break;
      default: // continuation, of the message in progress
        break;
    }
    this.#messageBytes += payload.length;
    if (this.#messageOpcode === Opcode.Text) {
      // 8.1: text must be valid UTF-8; decoding frame by frame fails fast, even mid-message.
      this.#textParts.push(this.#decode(payload, !this.#fin));
    } else {
      this.#fragments.push(payload);
    }
    if (!this.#fin) return;

    if (this.#messageOpcode === Opcode.Text) {
      events.push({ type: 'text', data: this.#textParts.join('') });
    } else {
      const data = this.#fragments.length === 1 ? this.#fragments[0]! : Buffer.concat(this.#fragments, this.#messageBytes);
      events.push({ type: 'binary', data });
    }
    this.#messageOpcode = 0;
    this.#fragments = [];
    this.#textParts = [];
    this.#textDecoder = null;
    this.#messageBytes = 0;
  }

  #decode(payload: Buffer, stream: boolean): string {
    try {
      return this.#textDecoder!.decode(payload, { stream });
    } catch {
      throw new ProtocolViolation(CLOSE_INVALID_PAYLOAD,
        stream ? 'expected UTF-8 in a text message, got an invalid byte sequence' : 'expected UTF-8 in a text message, got an invalid or truncated byte sequence');
    }
  }

  /** 5.5.1: an empty body, or a 2-byte code followed by a UTF-8 reason. */
  #closeEvent(payload: Buffer): FrameEvent {
    if (payload.length === 0) return { type: 'close', code: CLOSE_NO_STATUS, reason: '' };
    if (payload.length === 1) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, 'expected a close frame body of 0 or at least 2 bytes, got 1 byte');
    }
    const code = payload.readUInt16BE(0);
    // 7.4: only the defined and registrable codes may appear in a Close frame.
    if (!isValidCloseCode(code)) {
      throw new ProtocolViolation(CLOSE_PROTOCOL_ERROR, `expected a close code of 1000-1003, 1007-1011 or 3000-4999, got ${code}`);
    }
    let reason: string;
    try {
      reason = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload.subarray(2));
    } catch {
      throw new ProtocolViolation(CLOSE_INVALID_PAYLOAD, 'expected a UTF-8 close reason, got an invalid byte sequence');
    }
    return { type: 'close', code, reason };
  }
}

// ---- Encoders: the server's frames are never masked (5.1). ----

/** One frame: FIN, opcode, the shortest length encoding (5.2), no mask. */
export function encodeFrame(opcode: Opcode, payload: Uint8Array, fin = true): Buffer {
  if (opcode >= 0x8) {
    if (!fin) throw new RangeError(`expected FIN on a control frame (opcode 0x${opcode.toString(16)}), got fin=false`);
    if (payload.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(`expected a control frame payload of at most ${MAX_CONTROL_PAYLOAD} bytes, got ${payload.length}`);
    }
  }
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    frame[1] = length;
  } else if (length <= 0xffff) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerLength);
  return frame;
}

export function textFrame(text: string): Buffer {
  return encodeFrame(Opcode.Text, Buffer.from(text, 'utf8'));
}

export function binaryFrame(data: Uint8Array): Buffer {
  return encodeFrame(Opcode.Binary, data);
}

export function pingFrame(data: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeFrame(Opcode.Ping, data);
}

export function pongFrame(data: Uint8Array = Buffer.alloc(0)): Buffer {
  return encodeFrame(Opcode.Pong, data);
}

/**
 * A Close frame (5.5.1). Without a code the body is empty; 1005, 1006 and 1015 may not be sent
 * (7.4.1), and the reason must fit in 123 UTF-8 bytes.
 */
export function closeFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) {
    if (reason !== '') throw new RangeError(`expected no close reason without a close code, got ${JSON.stringify(reason)}`);
    return encodeFrame(Opcode.Close, Buffer.alloc(0));
  }
  if (!isValidCloseCode(code)) {
    throw new RangeError(`expected a close code of 1000-1003, 1007-1011 or 3000-4999, got ${code}`);
  }
  const reasonBytes = Buffer.from(reason, 'utf8');
  if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
    throw new RangeError(`expected a close reason of at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes, got ${reasonBytes.length}`);
  }
  const body = Buffer.allocUnsafe(2 + reasonBytes.length);
  body.writeUInt16BE(code, 0);
  reasonBytes.copy(body, 2);
  return encodeFrame(Opcode.Close, body);
}
