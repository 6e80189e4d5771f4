/**
 * ARMv7E-M DSP extension encodings (Cortex-M4 only). On the M3 these encodings are UNDEFINED, so
 * they live in their own table that only the M4 decode table includes.
 */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const T32_DSP_ROWS: readonly Encoding<Handler>[] = [];
