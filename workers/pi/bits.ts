// Bit-level helpers on BigInt: bit length and shifts by a Number count in either direction.

const NIBBLE_BITS = [0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4];

/** Number of bits of |x| (0 for 0). Linear in the size, no big allocation beyond a hex string. */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + NIBBLE_BITS[parseInt(hex[0]!, 16)]!;
}

/** x * 2^-n for n >= 0 (floor), x * 2^|n| for n < 0. */
export function shiftDown(x: bigint, n: number): bigint {
  return n >= 0 ? x >> BigInt(n) : x << BigInt(-n);
}
