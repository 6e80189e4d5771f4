/** A32 data processing (a32-dp fills this). */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const A32_DATAPROC_ROWS: readonly Encoding<Handler>[] = [];
