/**
 * The bare-metal vexpress-a9 programs (firmware/vexpress/build.sh: firmware/vexpress/src/NAME.c and
 * the board-independent firmware/v7a programs, built for the Cortex-A9 as
 * firmware/build/vexpress-NAME-<arm|thumb>-<O0|O2>.elf) and the command lines both emulators run them with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, ensureFirmware } from './firmware.js';

/** Programs of firmware/vexpress/src. */
export const VEXPRESS_PROGRAMS = ['ids', 'timers', 'monitor', 'poweroff'] as const;
/** firmware/v7a programs built for the Cortex-A9 on vexpress-a9. */
export const VEXPRESS_SHARED_PROGRAMS = ['alu', 'ldst', 'modes', 'mmu-short', 'vfp-vectors'] as const;
export const VEXPRESS_VARIANTS = ['arm-O0', 'arm-O2', 'thumb-O0', 'thumb-O2'] as const;

export function vexpressElf(program: string, variant: string): string {
  return join(BUILD_DIR, `vexpress-${program}-${variant}.elf`);
}

/** QEMU's side of issue 17's reference command line (after -M vexpress-a9). */
export const QEMU_VEXPRESS_ARGS = ['-cpu', 'cortex-a9', '-m', '128M', '-nic', 'none', '-audiodev', 'none,id=snd0', '-global', 'pl041.audiodev=snd0'];

/** Builds the firmware (once per process) and checks that the given ELFs exist. */
export function ensureVexpressFirmware(elfs: readonly string[]): void {
  ensureFirmware();
  for (const f of elfs) if (!existsSync(f)) throw new Error(`firmware build did not produce ${f}`);
}
