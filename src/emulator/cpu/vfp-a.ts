/** VFPv4-D32 rows for A32 and for the A-profile T32 table (vfp-neon fills these). */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const A32_VFP_ROWS: readonly Encoding<Handler>[] = [];
export const T32_VFP_A_ROWS: readonly Encoding<Handler>[] = [];
