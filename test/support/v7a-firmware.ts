/**
 * The bare-metal ARMv7-A programs (firmware/v7a/src/NAME.c, built by firmware/v7a/build.sh as
 * firmware/build/v7a-NAME-<arm|thumb>-<O0|O2|Os>[-hf].elf) and how both emulators run them on virt.
 */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { armrrGuestStderr, type ArmrrRunResult } from './armrr-run.js';
import { guestStderr, type QemuRunResult } from './qemu.js';
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

/**
 * Programs written as outside code is (firmware/v7a/foreign: newlib's rdimon crt0, printf over
 * semihosting SYS_WRITE, their own VBAR vectors), one per board, built by firmware/v7a/build.sh.
 * Each prints `done` last and returns a status of its own (main's return value is the exit code).
 */
export const FOREIGN_BOARDS = { virt: { exitCode: 5 }, vexpress: { exitCode: 9 } } as const;
/** Each variant with the shifts it is compared at (every variant once, both shifts for two). */
export const FOREIGN_CASES = [
  { variant: 'arm-O2', shift: 0 }, { variant: 'arm-O2', shift: 7 },
  { variant: 'thumb-Os', shift: 0 }, { variant: 'thumb-Os', shift: 7 },
  { variant: 'arm-O0', shift: 7 }, { variant: 'thumb-O2', shift: 0 },
] as const;

export function foreignElf(board: keyof typeof FOREIGN_BOARDS, variant: string): string {
  return join(BUILD_DIR, `v7a-foreign-${board}-${variant}.elf`);
}

/**
 * A foreign program's run on armrr against QEMU's: QEMU's stdout is a complete run (`complete`),
 * then stdout (line by line first, so a failure names the first line that differs), stderr and
 * the exit code are identical.
 */
export function expectForeignRunsMatch(board: keyof typeof FOREIGN_BOARDS, q: QemuRunResult, a: ArmrrRunResult, complete: RegExp): void {
  expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
  const expected = q.stdout.toString('latin1');
  expect(expected, "QEMU's reference is not a complete run").toMatch(complete);
  expect(q.exitCode).toBe(FOREIGN_BOARDS[board].exitCode);
  const got = a.stdout.toString('latin1');
  const el = expected.split('\n');
  const gl = got.split('\n');
  for (let i = 0; i < el.length; i++) expect(gl[i], `stdout line ${i + 1}`).toBe(el[i]);
  expect(got, 'stdout (newlib over semihosting, and the UART)').toBe(expected);
  expect(armrrGuestStderr(a.stderr), 'stderr').toBe(guestStderr(q.stderr));
  expect(a.exitCode, 'exit code').toBe(q.exitCode);
}
