/**
 * The A32 instruction set of the ARMv7-A core: every row list composed into one table, bucketed
 * for decode on bits 27:20 and 7:4 (4096 buckets; inside a bucket the first matching row wins, so
 * special cases come first). Conditional rows leave cond (31:28) open: the core checks it before
 * the handler runs. The unconditional space (cond = 1111) is a table of its own.
 */
import type { Encoding } from '../decode-table.js';
import { DecodeTableError } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { A32_DATAPROC_ROWS } from '../a32-dataproc.js';
import { A32_MULTIPLY_ROWS } from '../a32-multiply.js';
import { A32_MEDIA_ROWS } from '../a32-media.js';
import { A32_VFP_ROWS } from '../vfp-a.js';
import { A32_NEON_ROWS } from '../neon.js';
import { A32_CONTROL_ROWS, A32_UNCOND_ROWS } from './a32-control.js';
import { A32_MEMORY_ROWS } from './a32-memory.js';
import { A32_COPROC_ROWS } from './a32-coproc.js';

type Row = Encoding<Handler>;

/** Conditional encodings (cond 0000-1110). */
export const A32_TABLE: readonly Row[] = [
  ...A32_CONTROL_ROWS,
  ...A32_MEMORY_ROWS,
  ...A32_MULTIPLY_ROWS,
  ...A32_MEDIA_ROWS,
  ...A32_DATAPROC_ROWS,
  ...A32_VFP_ROWS,
  ...A32_COPROC_ROWS,
];

/** Unconditional encodings (cond 1111): CPS, SETEND, PLD/PLI, barriers, SRS/RFE, BLX, NEON... */
export const A32_UNCOND_TABLE: readonly Row[] = [...A32_UNCOND_ROWS, ...A32_NEON_ROWS];

/** Bucket of an A32 instruction: bits 27:20 and 7:4. */
export function a32BucketKey(insn: number): number {
  return ((insn >>> 16) & 0xff0) | ((insn >>> 4) & 0xf);
}
const KEY_BITS = (0xff << 20) | (0xf << 4);

function buildA32Buckets(list: readonly Row[], uncond: boolean): Row[][] {
  for (const e of list) {
    if (e.width !== 32) throw new DecodeTableError(`${e.name}: not a 32-bit encoding`);
    const condMask = (e.mask >>> 28) & 15;
    const cond = (e.match >>> 28) & 15;
    if (uncond ? condMask !== 15 || cond !== 15 : condMask !== 0) {
      throw new DecodeTableError(`${e.name}: ${uncond ? 'unconditional rows need 1111 in bits 31:28' : 'conditional A32 rows leave bits 31:28 open'}`);
    }
  }
  const buckets: Row[][] = [];
  for (let key = 0; key < 4096; key++) {
    const probe = ((key & 0xff0) << 16) | ((key & 0xf) << 4);
    buckets.push(list.filter((e) => ((probe ^ e.match) & e.mask & KEY_BITS) === 0));
  }
  return buckets;
}

export interface A32Buckets {
  /** Conditional encodings by a32BucketKey. */
  readonly cond: readonly Row[][];
  /** Unconditional encodings (cond 1111) by a32BucketKey. */
  readonly uncond: readonly Row[][];
}

let a32BucketsBuilt: A32Buckets | null = null;

/**
 * The bucketed A32 tables, built on first use: an M-profile run never needs them, and building
 * them costs ~50-100 ms of every `armrr` start-up.
 */
export function a32Buckets(): A32Buckets {
  if (a32BucketsBuilt === null) {
    a32BucketsBuilt = { cond: buildA32Buckets(A32_TABLE, false), uncond: buildA32Buckets(A32_UNCOND_TABLE, true) };
  }
  return a32BucketsBuilt;
}
