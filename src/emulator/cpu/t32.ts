/**
 * All 32-bit Thumb-2 encodings of ARMv7-M, bucketed for decode, one table per core profile.
 * Coprocessor space raises UsageFault NOCP (the Cortex-M3 has no coprocessors), as QEMU does before
 * any UNDEFINED check; the M4 table puts the FPv4-SP (cp10/cp11) and DSP rows in front.
 */
import { build32Buckets, encoding } from './decode-table.js';
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';
import { T32_DATAPROC_ROWS } from './t32-dataproc.js';
import { T32_MEMORY_ROWS } from './t32-memory.js';
import { T32_CONTROL_ROWS } from './t32-control.js';
import { T32_DSP_ROWS } from './t32-dsp.js';
import { T32_VFP_ROWS } from './t32-vfp.js';
import { UsageCause } from './system.js';
import type { CoreProfile } from './profile.js';

const noCoprocessor: Handler = (c) => c.usageFault(UsageCause.NOCP);

export const T32_TABLE: readonly Encoding<Handler>[] = [
  encoding('NOCP_ldc_mcrr', 32, '111 - 110 - ---- ---- ---- ---- ---- ----', noCoprocessor),
  encoding('NOCP_cdp_mcr', 32, '111 - 1110 ---- ---- ---- ---- ---- ----', noCoprocessor),
  ...T32_MEMORY_ROWS,
  ...T32_DATAPROC_ROWS,
  ...T32_CONTROL_ROWS,
];

/** Cortex-M4: FPv4-SP and DSP rows first (first match wins inside a bucket). */
export const T32_TABLE_M4: readonly Encoding<Handler>[] = [...T32_VFP_ROWS, ...T32_DSP_ROWS, ...T32_TABLE];

export const T32_BUCKETS: readonly Encoding<Handler>[][] = build32Buckets(T32_TABLE);
export const T32_BUCKETS_M4: readonly Encoding<Handler>[][] = build32Buckets(T32_TABLE_M4);

/** The 32-bit decode buckets for a core profile. */
export function t32BucketsFor(profile: CoreProfile): readonly Encoding<Handler>[][] {
  return profile.dsp || profile.fpu ? T32_BUCKETS_M4 : T32_BUCKETS;
}
