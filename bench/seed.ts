// The benchmark's database: 100 jobs (registered through the JobService, as POST / would; with no workers they
// stay registered) and pi's first 100,000 decimals (tests/fixtures/pi-100k.txt, checked against the SHA-256 in
// tests/fixtures/pi-sha256.json), so GET / shows a full table and GET /pi/100000.txt streams 100 KB.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openStore } from '../db/index.js';
import { JobService } from '../app/jobs.js';
import { LiveFeed } from '../app/live.js';

export const SEED_JOBS = 100;
export const SEED_DECIMALS = 100_000;
/** The n that POST /api/jobs asks for: it exists, so every request answers 200 and writes nothing. */
export const EXISTING_N = 5;

const FIXTURES = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../tests/fixtures/' : '../tests/fixtures/', import.meta.url));

/** Pi's first `count` decimals (at most 100,000), verified when the fixture lists a checksum for that n. */
export function piDecimals(count: number): string {
  const text = readFileSync(`${FIXTURES}pi-100k.txt`, 'latin1').trim();
  if (!text.startsWith('3.1415926535') || text.length < count + 2) throw new Error(`pi-100k.txt: expected "3." and at least ${count} decimals`);
  const body = text.slice(0, 2 + count);
  const sums = JSON.parse(readFileSync(`${FIXTURES}pi-sha256.json`, 'utf8')) as Array<{ n: number; sha256: string }>;
  const expected = sums.find((s) => s.n === count)?.sha256;
  if (expected !== undefined && createHash('sha256').update(body).digest('hex') !== expected) throw new Error(`pi-100k.txt: the first ${count} decimals do not match pi-sha256.json`);
  return body.slice(2);
}

/** Creates (or tops up) the database at `path`; returns how many jobs it holds. */
export async function seedDatabase(path: string): Promise<number> {
  const store = openStore({ path });
  try {
    await migrateToLatest(store.handle);
    const jobs = new JobService(store.repos, null, new LiveFeed(), SEED_DECIMALS);
    // n = 5, 1000, 2000, ..., 99000: the existing n for POST first, 100 jobs in all.
    await jobs.submit(EXISTING_N);
    for (let i = 1; i < SEED_JOBS; i++) await jobs.submit(i * 1000);
    await store.repos.digits.store(piDecimals(SEED_DECIMALS));
    return await store.repos.jobs.count();
  } finally {
    await store.close();
  }
}
