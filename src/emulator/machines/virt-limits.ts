/**
 * What `--cpu` and `--memory` may be on virt and where its RAM sits: checked by the CLI and the boot
 * fingerprint without loading the board itself (its core and devices load only when it runs).
 */
import { CORTEX_A15, CORE_PROFILES, type CoreProfile } from '../cpu/profile.js';
import { BoardOptionError } from './board-option-error.js';

export const VIRT_NAME = 'virt';
export const VIRT_RAM_BASE = 0x40000000;
const MiB = 1024 * 1024;
export const VIRT_DEFAULT_MEMORY = 128 * MiB;
/** QEMU's virt accepts up to 255 GiB (highmem); a 32-bit core without LPAE reaches the first 3 GiB. */
export const VIRT_MAX_MEMORY = 255 * 1024 * MiB;
/** RAM the 32-bit physical address space holds from 0x40000000 (the rest is above 4 GiB). */
export const VIRT_MAX_BACKED = 0x100000000 - VIRT_RAM_BASE;
/** CPUs QEMU's virt takes for 32-bit guests that armrr models. */
export const VIRT_CPUS: readonly string[] = ['cortex-a15'];

/** The core a `--cpu` name selects on virt (a usage error lists what fits). */
export function virtProfile(cpu: string | undefined): CoreProfile {
  if (cpu === undefined) return CORTEX_A15;
  const p = CORE_PROFILES[cpu];
  if (p === undefined || !VIRT_CPUS.includes(cpu)) {
    throw new BoardOptionError(`--cpu ${cpu} does not fit machine 'virt'; CPUs for virt: ${VIRT_CPUS.join(', ')}`);
  }
  return p;
}

/** RAM size from `--memory`, checked against what QEMU's virt accepts. */
export function virtMemory(bytes: number | undefined): number {
  const size = bytes ?? VIRT_DEFAULT_MEMORY;
  if (size < MiB || size > VIRT_MAX_MEMORY || size % (4096) !== 0) {
    throw new BoardOptionError(`--memory for virt must be 1M..255G in whole pages (as QEMU's -m), got ${size} bytes`);
  }
  return size;
}
