// The computed digits: the decimals of pi (after "3.") of the largest computation, in 64 KiB chunks.
// Any n ≤ largestN is answered from them, and readDecimals streams a prefix chunk by chunk, never all in memory.
import { sql, type Kysely } from 'kysely';
import { InvalidArgumentError } from '../errors.js';
import type { Database } from '../schema.js';
import { inTransaction, type Db } from '../transaction.js';

/** Decimals per stored row (65536 one-byte characters = 64 KiB). */
export const DIGIT_CHUNK_SIZE = 65536;

const ZERO = 0x30; // '0'
const EMPTY = Buffer.alloc(0);

export class DigitsRepository {
  constructor(private readonly db: Db) {}

  /** How many decimals are stored; 0 when none. */
  async largestN(db: Kysely<Database> = this.db): Promise<number> {
    const row = await db
      .selectFrom('digit_chunks')
      .select(sql<number>`coalesce(sum(${sql.ref('length')}), 0)`.as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /**
   * Stores `decimals` (pi's decimals after "3.") in one transaction, replacing what is stored only if longer.
   * Resolves true when it replaced the stored digits.
   */
  async store(decimals: string): Promise<boolean> {
    if (!/^[0-9]*$/.test(decimals)) throw new InvalidArgumentError('decimals must contain only the digits 0-9');
    return inTransaction(this.db, async (trx) => {
      if (decimals.length <= (await this.largestN(trx))) return false;
      await trx.deleteFrom('digit_chunks').execute();
      for (let start = 0; start < decimals.length; start += DIGIT_CHUNK_SIZE) {
        const chunk = decimals.slice(start, start + DIGIT_CHUNK_SIZE);
        await trx.insertInto('digit_chunks').values({ start, length: chunk.length, decimals: chunk }).execute();
      }
      return true;
    });
  }

  /** The n-th decimal (1-based) when n ≤ largestN, else undefined. */
  async digitAt(n: number): Promise<number | undefined> {
    if (!Number.isSafeInteger(n) || n < 1) return undefined;
    const piece = await this.slice(n - 1, 1);
    return piece.length === 0 ? undefined : piece[0]! - ZERO;
  }

  /**
   * The first `count` decimals, as strings of at most `chunkSize` characters, read from the database one
   * piece at a time. Throws InvalidArgumentError when fewer than `count` decimals are stored.
   */
  async *readDecimals(count: number, chunkSize: number = DIGIT_CHUNK_SIZE): AsyncIterable<string> {
    // The stored text is only 0-9 (store() checks), so each byte is one character: latin1 decodes by copying.
    for await (const bytes of this.readDecimalBytes(count, chunkSize)) yield bytes.toString('latin1');
  }

  /** As readDecimals, as ASCII bytes: what a response body needs, with no decoding and encoding on the way. */
  async *readDecimalBytes(count: number, chunkSize: number = DIGIT_CHUNK_SIZE): AsyncIterable<Buffer> {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new InvalidArgumentError(`count must be a non-negative integer, got ${String(count)}`);
    }
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new InvalidArgumentError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    if (count === 0) return;
    const stored = await this.largestN();
    if (count > stored) throw new InvalidArgumentError(`only ${stored} decimals are stored, ${count} were asked for`);
    for (let pos = 0; pos < count; ) {
      const want = Math.min(chunkSize, count - pos);
      const parts: Buffer[] = [];
      for (let got = 0; got < want; ) {
        const part = await this.slice(pos + got, want - got);
        if (part.length === 0) throw new InvalidArgumentError(`the stored decimals end at ${pos + got}`);
        parts.push(part);
        got += part.length;
      }
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      pos += want;
    }
  }

  /**
   * Up to `length` decimals from 0-based `offset`, within the one stored chunk holding `offset` (empty past the
   * end). The chunk is cut as a blob: substr() on text counts UTF-8 characters from the start, on a blob it
   * jumps to the byte (0.6x the time for a 64 KiB piece), and the bytes reach JavaScript without decoding.
   */
  private async slice(offset: number, length: number): Promise<Buffer> {
    const row = await this.db
      .selectFrom('digit_chunks')
      .select(sql<Buffer>`substr(cast(${sql.ref('decimals')} as blob), ${offset} - ${sql.ref('start')} + 1, ${length})`.as('piece'))
      .where('start', '<=', offset)
      .orderBy('start', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.piece ?? EMPTY;
  }
}
