/** Advanced SIMD rows for A32 (unconditional space) and T32 (vfp-neon fills these). */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const A32_NEON_ROWS: readonly Encoding<Handler>[] = [];
export const T32_NEON_ROWS: readonly Encoding<Handler>[] = [];
