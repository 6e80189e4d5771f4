/**
 * Advanced SIMD (NEON) for the A-profile core: every instruction is defined once (neon-*.ts) and
 * both row lists are generated from that definition. A32: data processing `1111 001U ...`,
 * loads/stores `1111 0100 ...` (the unconditional space); T32: `111U 1111 ...` and
 * `1111 1001 ...`. Inside a list the first match wins: the modified-immediate rows precede the
 * shifts they overlap, and VEXT/two-register-misc/VTBL/VDUP (size = 11) precede the
 * different-length and by-scalar rows.
 */
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';
import { type NeonInsn, neonRows } from './neon-vectors.js';
import { NEON_3SAME } from './neon-3same.js';
import { NEON_SHIFT_IMM } from './neon-shift.js';
import { NEON_MISC } from './neon-misc.js';
import { NEON_LONG } from './neon-long.js';
import { NEON_MEMORY } from './neon-memory.js';

const ALL: readonly NeonInsn[] = [...NEON_MEMORY, ...NEON_SHIFT_IMM, ...NEON_MISC, ...NEON_LONG, ...NEON_3SAME];

export const A32_NEON_ROWS: readonly Encoding<Handler>[] = neonRows(ALL, 'a32');
export const T32_NEON_ROWS: readonly Encoding<Handler>[] = neonRows(ALL, 't32');
