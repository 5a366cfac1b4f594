// The pi engine's public API: n decimals of pi (Chudnovsky, binary splitting on BigInt), async on threads or sync.
export { ENGINE_MAX_DIGITS } from './limits.js';
export { computePiDecimals, type ComputeOptions } from './compute.js';
export { computePiDecimalsSync } from './sync.js';
