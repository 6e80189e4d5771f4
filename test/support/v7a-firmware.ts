/**
 * The bare-metal ARMv7-A programs (firmware/v7a/src/NAME.c, built by firmware/v7a/build.sh as
 * firmware/build/v7a-NAME-<arm|thumb>-<O0|O2|Os>[-hf].elf) and how both emulators run them on virt.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, ensureFirmware } from './firmware.js';

export const V7A_PROGRAMS = [
  'alu', 'mul-media', 'ldst', 'modes', 'exceptions', 'mmu-short', 'mmu-lpae',
  'gic-timer', 'uart-irq', 'vfp', 'neon', 'compute', 'pmu-debug', 'debug-bpwp', 'fcse', 'vfp-vectors',
] as const;
export type V7aProgram = (typeof V7A_PROGRAMS)[number];

/** Build variants: instruction set, optimisation level, `-hf` for the hard-float ABI (neon-vfpv4). */
export const V7A_VARIANTS = ['arm-O0', 'arm-O2', 'arm-Os', 'arm-O2-hf', 'thumb-O0', 'thumb-O2', 'thumb-Os', 'thumb-O2-hf'] as const;
export type V7aVariant = (typeof V7A_VARIANTS)[number];

export function v7aElf(program: string, variant: string): string {
  return join(BUILD_DIR, `v7a-${program}-${variant}.elf`);
}

/** UART0 input the programs read (uart-irq echoes it until 'q'); the others read none. */
export const V7A_INPUT: Partial<Record<V7aProgram, string>> = { 'uart-irq': 'Hello, armrr! 0123 xyz\nq' };

/** QEMU's side of the reference command line (the -M is given separately). */
export const QEMU_VIRT_ARGS = ['-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none'];
/** armrr's side. */
export const ARMRR_VIRT_ARGS = ['--memory', '128M'];

/** Builds the firmware (once per process) and checks that the given ELFs exist. */
export function ensureV7aFirmware(elfs: readonly string[]): void {
  ensureFirmware();
  for (const f of elfs) if (!existsSync(f)) throw new Error(`firmware build did not produce ${f}`);
}
