/**
 * The bare-metal ARMv7-A programs (firmware/v7a) on qemu-system-arm -M virt -cpu cortex-a15 and on
 * `armrr run --machine virt`, at icount shifts 0 and 7: the guest's UART output (stdout), its
 * semihosting console (stderr) and the exit code must be identical.
 *
 * CASES lists exactly the program × build variant pairs compared (each one armrr passes): every
 * program as A32 and T32 at -O2 plus a rotating pair of its other variants (-O0, -Os, the
 * hard-float ABI) to keep the run time down. The variants not compared are still run on QEMU below
 * (exits 0, prints its banner first, no unexpected exception), so every reference stays sound.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { guestStderr, runQemu } from '../support/qemu.js';
import {
  ARMRR_VIRT_ARGS, ensureV7aFirmware, expectForeignRunsMatch, FOREIGN_CASES, foreignElf, QEMU_VIRT_ARGS, V7A_INPUT, V7A_PROGRAMS, V7A_VARIANTS, v7aElf,
  type V7aProgram, type V7aVariant,
} from '../support/v7a-firmware.js';

const SHIFTS = [0, 7];

/**
 * What armrr matches QEMU on, per program: A32 and T32 at -O2, and two of the other variants in
 * rotation (all 8 variants of every program passed at shift 0 when this list was last changed).
 */
const CASES: Record<V7aProgram, V7aVariant[]> = {
  alu: ['arm-O2', 'thumb-O2', 'arm-O0', 'thumb-O0'],
  'mul-media': ['arm-O2', 'thumb-O2', 'thumb-Os', 'arm-Os'],
  ldst: ['arm-O2', 'thumb-O2', 'arm-O2-hf', 'thumb-O2-hf'],
  modes: ['arm-O2', 'thumb-O2', 'thumb-O0', 'arm-O0'],
  exceptions: ['arm-O2', 'thumb-O2', 'arm-Os', 'thumb-Os'],
  'mmu-short': ['arm-O2', 'thumb-O2', 'thumb-O2-hf', 'arm-O2-hf'],
  'mmu-lpae': ['arm-O2', 'thumb-O2', 'arm-O0', 'thumb-O0'],
  'gic-timer': ['arm-O2', 'thumb-O2', 'thumb-Os', 'arm-Os'],
  'uart-irq': ['arm-O2', 'thumb-O2', 'arm-O2-hf', 'thumb-O0'],
  vfp: ['arm-O2', 'thumb-O2', 'arm-O2-hf', 'thumb-O2-hf'],
  neon: ['arm-O2', 'thumb-O2', 'arm-O0', 'thumb-Os'],
  compute: ['arm-O2', 'thumb-O2', 'arm-Os', 'thumb-O2-hf'],
  'pmu-debug': ['arm-O2', 'thumb-O2', 'arm-O0', 'thumb-Os'],
  'debug-bpwp': ['arm-O2', 'thumb-O2', 'arm-Os', 'thumb-O0'],
  fcse: ['arm-O2', 'thumb-O2', 'thumb-Os', 'arm-O0'],
  'vfp-vectors': ['arm-O2', 'thumb-O2', 'arm-O2-hf', 'thumb-O0'],
};

const cases = V7A_PROGRAMS.flatMap((name) => CASES[name].flatMap((variant) => SHIFTS.map((shift) => ({ name, variant, shift }))));
const banner = (name: string, variant: string): string => `${name} ${variant.startsWith('thumb') ? 't32' : 'a32'}\n`;

async function reference(name: V7aProgram, variant: string, shift: number) {
  const input = Buffer.from(V7A_INPUT[name] ?? '', 'latin1');
  const q = await runQemu(v7aElf(name, variant), { machine: 'virt', extraArgs: QEMU_VIRT_ARGS, icountShift: shift, input, timeoutMs: 60_000 });
  expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
  return { q, input };
}

describe('ARMv7-A programs: armrr vs QEMU (virt, cortex-a15)', () => {
  let inputDir = '';
  beforeAll(() => {
    ensureV7aFirmware(cases.map((c) => v7aElf(c.name, c.variant)));
    inputDir = mkdtempSync(join(tmpdir(), 'armrr-v7a-input-'));
  });

  it.concurrent.each(cases)('$name-$variant at shift $shift', async ({ name, variant, shift }) => {
    const { q, input } = await reference(name, variant, shift);
    const inputFile = join(inputDir, `${name}-${variant}-${shift}.in`);
    writeFileSync(inputFile, input);
    const a = await runArmrrCli(v7aElf(name, variant), { machine: 'virt', icountShift: shift, inputFile, extraArgs: ARMRR_VIRT_ARGS, timeoutMs: 120_000 });
    const expected = guestStderr(q.stderr);
    expect(expected.startsWith(banner(name, variant)), `QEMU's reference is not a complete run:\n${expected.slice(0, 400)}`).toBe(true);
    // Line by line first, so a failure names the first line that differs.
    const got = armrrGuestStderr(a.stderr);
    const el = expected.split('\n');
    const gl = got.split('\n');
    for (let i = 0; i < el.length; i++) expect(gl[i], `semihosting console line ${i + 1}`).toBe(el[i]);
    expect(got, 'semihosting console (stderr)').toBe(expected);
    expect(a.stdout.toString('latin1'), 'UART output (stdout)').toBe(q.stdout.toString('latin1'));
    expect(a.exitCode, 'exit code').toBe(q.exitCode);
  });
});

/** The references themselves: every variant not compared above runs to its end on QEMU (one shift each). */
const referenceCases = V7A_PROGRAMS.flatMap((name, i) =>
  V7A_VARIANTS.filter((v) => !CASES[name].includes(v)).map((variant, j) => ({ name, variant, shift: (i + j) % 2 ? 7 : 0 })),
);

describe('ARMv7-A programs on QEMU: complete, successful runs', () => {
  beforeAll(() => ensureV7aFirmware(referenceCases.map((c) => v7aElf(c.name, c.variant))));

  it.concurrent.each(referenceCases)('$name-$variant at shift $shift', async ({ name, variant, shift }) => {
    const { q } = await reference(name, variant, shift);
    const console = guestStderr(q.stderr);
    expect(console.startsWith(banner(name, variant)), console.slice(0, 400)).toBe(true);
    expect(console, 'an unexpected exception was reported').not.toMatch(/unexpected exception/);
    expect(q.exitCode).toBe(0);
  });
});

/**
 * A program in another style than ours (firmware/v7a/foreign/virt-foreign.c: newlib's crt0 and
 * printf over semihosting on stdout, VBAR vectors, GIC read-back, SGIs, nested preemption, generic
 * timer tick loops, PL011 registers and TX interrupts, T32 exceptions and external aborts).
 */
describe('outside-style program: armrr vs QEMU (virt)', () => {
  it.concurrent.each(FOREIGN_CASES)('virt-foreign-$variant at shift $shift', async ({ variant, shift }) => {
    const elf = foreignElf('virt', variant);
    ensureV7aFirmware([elf]);
    const [q, a] = await Promise.all([
      runQemu(elf, { machine: 'virt', extraArgs: QEMU_VIRT_ARGS, icountShift: shift, timeoutMs: 60_000 }),
      runArmrrCli(elf, { machine: 'virt', icountShift: shift, extraArgs: ARMRR_VIRT_ARGS, timeoutMs: 120_000 }),
    ]);
    expectForeignRunsMatch('virt', q, a, /^virt-foreign start\n[^]*\nvticks=20 max_nest=2 [^]*\ndone\n$/);
  });
});
