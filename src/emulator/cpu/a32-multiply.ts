/** A32 multiplies and divides (a32-dp fills this). */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const A32_MULTIPLY_ROWS: readonly Encoding<Handler>[] = [];
