// Exponential backoff: the delay before the k-th consecutive retry or respawn, doubled each time
// from `initial` and capped at `max`, so a crash loop slows down instead of forking without end.
// One definition for the whole program: db/retry.ts, which also waits between database tries.

export { backoffDelay, type Backoff } from '../db/index.js';
