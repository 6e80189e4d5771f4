/**
 * What `--cpu` and `--memory` may be on vexpress-a9 and where its RAM sits: checked by the CLI and the
 * boot fingerprint without loading the board itself.
 */
import { CORTEX_A9, CORE_PROFILES, type CoreProfile } from '../cpu/profile.js';
import { BoardOptionError } from './board-option-error.js';

export const VEXPRESS_A9_NAME = 'vexpress-a9';
export const VEXPRESS_RAM_BASE = 0x60000000;
/** The machine type QEMU passes in r1 to a Linux kernel (VEXPRESS_BOARD_ID). */
export const VEXPRESS_BOARD_ID = 0x8e0;
const MiB = 1024 * 1024;
export const VEXPRESS_DEFAULT_MEMORY = 128 * MiB;
/** "vexpress-a9: cannot model more than 1GB RAM". */
export const VEXPRESS_MAX_MEMORY = 1024 * MiB;
export const VEXPRESS_CPUS: readonly string[] = ['cortex-a9'];

/** The core a `--cpu` name selects on vexpress-a9 (QEMU's a9mpcore_priv takes only a Cortex-A9). */
export function vexpressProfile(cpu: string | undefined): CoreProfile {
  if (cpu === undefined) return CORTEX_A9;
  const p = CORE_PROFILES[cpu];
  if (p === undefined || !VEXPRESS_CPUS.includes(cpu)) {
    throw new BoardOptionError(`--cpu ${cpu} does not fit machine '${VEXPRESS_A9_NAME}'; CPUs for ${VEXPRESS_A9_NAME}: ${VEXPRESS_CPUS.join(', ')}`);
  }
  return p;
}

/** RAM size from `--memory`, checked against what QEMU's vexpress-a9 accepts. */
export function vexpressMemory(bytes: number | undefined): number {
  const size = bytes ?? VEXPRESS_DEFAULT_MEMORY;
  if (size < MiB || size > VEXPRESS_MAX_MEMORY || size % 4096 !== 0) {
    throw new BoardOptionError(`--memory for ${VEXPRESS_A9_NAME} must be 1M..1G in whole pages (QEMU: "cannot model more than 1GB RAM"), got ${size} bytes`);
  }
  return size;
}
