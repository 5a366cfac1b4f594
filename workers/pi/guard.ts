// Guard digits: the n decimals are certain when the extra digits computed past them are neither all 0 nor all 9.

/** The first n digits, or null when the digits past n are all 0 or all 9 (the truncation could be off by one). */
export function settleGuard(digits: string, n: number): string | null {
  const guard = digits.slice(n);
  if (guard.length === 0 || /^0+$/.test(guard) || /^9+$/.test(guard)) return null;
  return digits.slice(0, n);
}

/** The guard for the next attempt. */
export function nextGuard(guard: number): number {
  return guard * 2 + 8;
}
