/**
 * FPv4-SP encodings (coprocessors 10 and 11 on the Cortex-M4F). Only the M4 decode table includes
 * them; there, every other coprocessor encoding still raises NOCP.
 */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const T32_VFP_ROWS: readonly Encoding<Handler>[] = [];
