/**
 * All 32-bit Thumb-2 encodings of ARMv7-M, bucketed for decode. Coprocessor space raises
 * UsageFault NOCP (Cortex-M3 has no coprocessors), as QEMU does before any UNDEFINED check.
 */
import { build32Buckets, encoding } from './decode-table.js';
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';
import { T32_DATAPROC_ROWS } from './t32-dataproc.js';
import { T32_MEMORY_ROWS } from './t32-memory.js';
import { T32_CONTROL_ROWS } from './t32-control.js';
import { UsageCause } from './system.js';

const noCoprocessor: Handler = (c) => c.usageFault(UsageCause.NOCP);

export const T32_TABLE: readonly Encoding<Handler>[] = [
  encoding('NOCP_ldc_mcrr', 32, '111 - 110 - ---- ---- ---- ---- ---- ----', noCoprocessor),
  encoding('NOCP_cdp_mcr', 32, '111 - 1110 ---- ---- ---- ---- ---- ----', noCoprocessor),
  ...T32_MEMORY_ROWS,
  ...T32_DATAPROC_ROWS,
  ...T32_CONTROL_ROWS,
];

export const T32_BUCKETS: readonly Encoding<Handler>[][] = build32Buckets(T32_TABLE);
