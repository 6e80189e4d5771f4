/** A32 media instructions: parallel add/sub, saturation, packing, extends, bit fields (a32-dp fills this). */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export const A32_MEDIA_ROWS: readonly Encoding<Handler>[] = [];
