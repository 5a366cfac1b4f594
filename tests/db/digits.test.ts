// Computed digits: a 10^6-digit string round-trips through 64 KiB chunks, streams in pieces of any size,
// (as text or as bytes), answers digitAt for any n ≤ largestN, and is replaced only by a longer computation.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { sql } from 'kysely';
import { DIGIT_CHUNK_SIZE, InvalidArgumentError, type DigitsRepository } from '../../db/index.js';
import { tempStore } from './fixtures/helpers.js';

/** Deterministic pseudo-random decimals (a linear congruential generator). */
function fakeDecimals(length: number, seed = 1): string {
  const out = new Array<string>(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = String((x >>> 16) % 10);
  }
  return out.join('');
}

async function collect(digits: DigitsRepository, count: number, chunkSize?: number): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of digits.readDecimals(count, chunkSize)) pieces.push(piece);
  return pieces;
}

t.test('empty store', async (t) => {
  const { repos } = await tempStore(t);
  t.equal(await repos.digits.largestN(), 0);
  t.equal(await repos.digits.digitAt(1), undefined);
  t.same(await collect(repos.digits, 0), []);
  await t.rejects(collect(repos.digits, 1), InvalidArgumentError);
});

t.test('a 10^6-digit string round-trips in 64 KiB chunks', async (t) => {
  const { repos, handle } = await tempStore(t);
  const decimals = fakeDecimals(1_000_000);
  t.equal(await repos.digits.store(decimals), true);
  t.equal(await repos.digits.largestN(), 1_000_000);

  const rows = await handle.kysely.selectFrom('digit_chunks').select(['start', 'length']).orderBy('start').execute();
  t.equal(rows.length, Math.ceil(1_000_000 / DIGIT_CHUNK_SIZE), '16 rows');
  t.ok(rows.every((r, i) => r.start === i * 65536 && (r.length === 65536 || i === rows.length - 1)));
  const { rows: sizes } = await sql<{ bytes: number }>`select max(length(cast(decimals as blob))) as bytes from digit_chunks`.execute(handle.kysely);
  t.equal(sizes[0]!.bytes, 65536, '64 KiB per row');

  const pieces = await collect(repos.digits, 1_000_000);
  t.equal(pieces.length, 16);
  t.ok(pieces.every((p) => p.length <= DIGIT_CHUNK_SIZE));
  t.ok(pieces.join('') === decimals, 'streamed decimals equal the stored ones');

  const odd = await collect(repos.digits, 150_001, 1000);
  t.ok(odd.every((p, i) => p.length === (i === odd.length - 1 ? 1 : 1000)), 'pieces of the asked size across chunk boundaries');
  t.ok(odd.join('') === decimals.slice(0, 150_001), 'prefix across chunk boundaries');

  const bytes: Buffer[] = [];
  for await (const piece of repos.digits.readDecimalBytes(150_001, 70_000)) bytes.push(piece);
  t.same(bytes.map((b) => b.length), [70_000, 70_000, 10_001], 'bytes in pieces of the asked size, across chunk boundaries');
  t.ok(Buffer.concat(bytes).equals(Buffer.from(decimals.slice(0, 150_001), 'ascii')), 'the bytes are the stored decimals');

  for (const n of [1, 2, 65535, 65536, 65537, 131072, 131073, 999_999, 1_000_000]) {
    t.equal(await repos.digits.digitAt(n), Number(decimals[n - 1]), `digit ${n}`);
  }
  t.equal(await repos.digits.digitAt(1_000_001), undefined, 'past largestN');
  t.equal(await repos.digits.digitAt(0), undefined);
  await t.rejects(collect(repos.digits, 1_000_001), InvalidArgumentError, 'cannot stream more than stored');
});

t.test('replaced only by a longer computation', async (t) => {
  const { repos } = await tempStore(t);
  const pi = readFileSync(new URL('../fixtures/pi-100k.txt', import.meta.url), 'utf8').trim().slice(2);
  t.equal(pi.length, 100_000);
  t.equal(await repos.digits.store(pi.slice(0, 70_000)), true);
  t.equal(await repos.digits.store(pi.slice(0, 1000)), false, 'shorter is ignored');
  t.equal(await repos.digits.store(pi.slice(0, 70_000)), false, 'same length is ignored');
  t.equal(await repos.digits.largestN(), 70_000);
  t.equal(await repos.digits.store(pi), true, 'longer replaces');
  t.equal(await repos.digits.largestN(), 100_000);
  t.equal((await collect(repos.digits, 100_000)).join(''), pi);
  t.equal(await repos.digits.digitAt(1), 1);
  t.equal(await repos.digits.digitAt(5), 9);
  t.equal(await repos.digits.digitAt(100_000), Number(pi[99_999]));
  await t.rejects(repos.digits.store('3.14159'), InvalidArgumentError, 'digits only');
  await t.rejects(collect(repos.digits, 10, 0), InvalidArgumentError);
});
