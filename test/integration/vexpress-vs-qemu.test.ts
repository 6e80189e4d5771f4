/**
 * vexpress-a9 (Cortex-A9) on armrr against qemu-system-arm -M vexpress-a9 -cpu cortex-a9 -m 128M
 * -nic none -audiodev none,id=snd0 -global pl041.audiodev=snd0 -semihosting-config
 * enable=on,target=native -icount shift=N,sleep=off, at shifts 0 and 7: the programs of
 * firmware/vexpress (identification and device probes, GIC v1 with the private/global/SP804 timers
 * and UART interrupts, Monitor mode and SMC, SYS_CFG reboot and power-off) and the core programs of
 * firmware/v7a built for the A9 (ALU, loads/stores, modes, the short-descriptor MMU) must print the
 * same UART output and semihosting console and exit with the same status, A32 and T32, -O0 and -O2.
 * Then lock-step: QEMU's single-step register trace against armrr at every instruction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { armrrCli, armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';
import { lockstep } from '../../src/tools/lockstep-core.js';
import {
  ensureVexpressFirmware, QEMU_VEXPRESS_ARGS, VEXPRESS_PROGRAMS, VEXPRESS_SHARED_PROGRAMS, VEXPRESS_VARIANTS, vexpressElf,
} from '../support/vexpress-firmware.js';
import { expectForeignRunsMatch, FOREIGN_CASES, foreignElf } from '../support/v7a-firmware.js';

const SHIFTS = [0, 7];
/** The shared v7a programs are compared on virt in every variant already: two variants here. */
const cases = [
  ...VEXPRESS_PROGRAMS.flatMap((name) => VEXPRESS_VARIANTS.flatMap((variant) => SHIFTS.map((shift) => ({ name, variant, shift })))),
  ...VEXPRESS_SHARED_PROGRAMS.flatMap((name) => (['arm-O2', 'thumb-O0'] as const).flatMap((variant) => SHIFTS.map((shift) => ({ name, variant, shift })))),
];

/** What shows that QEMU's reference ran to its end (not a crash that both emulators might share). */
const COMPLETE: Record<string, RegExp> = {
  ids: /sram 5a5a1234\nund-total 00000000\n$/,
  timers: /\nidle n=0000000[12]\n irq iar=0000001d v=00000000\n/,
  monitor: /und-total 00000001\n$/,
  poweroff: /poweroff 00000001\n$/,
};

describe('vexpress-a9 programs: armrr vs QEMU', () => {
  it.concurrent.each(cases)('$name-$variant at shift $shift', async ({ name, variant, shift }) => {
    requireQemu();
    const elf = vexpressElf(name, variant);
    ensureVexpressFirmware([elf]);
    const [q, a] = await Promise.all([
      runQemu(elf, { machine: 'vexpress-a9', extraArgs: QEMU_VEXPRESS_ARGS, icountShift: shift, timeoutMs: 90_000 }),
      runArmrrCli(elf, { machine: 'vexpress-a9', icountShift: shift, extraArgs: ['--memory', '128M'], timeoutMs: 180_000 }),
    ]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    expect(q.exitCode).toBe(0);
    const expected = guestStderr(q.stderr);
    expect(expected, 'QEMU reported an unexpected exception').not.toMatch(/unexpected exception/);
    if (COMPLETE[name]) expect(expected, "QEMU's reference is not a complete run").toMatch(COMPLETE[name]!);
    const got = armrrGuestStderr(a.stderr);
    const el = expected.split('\n');
    const gl = got.split('\n');
    for (let i = 0; i < el.length; i++) expect(gl[i], `semihosting console line ${i + 1}`).toBe(el[i]);
    expect(got, 'semihosting console (stderr)').toBe(expected);
    expect(a.stdout.toString('latin1'), 'UART output (stdout)').toBe(q.stdout.toString('latin1'));
    expect(a.exitCode, 'exit code').toBe(q.exitCode);
  });
});

/**
 * A program in another style than ours (firmware/v7a/foreign/vexpress-foreign.c: newlib's crt0 and
 * printf over semihosting on stdout, VBAR vectors, GIC v1 read-back, private timer, watchdog in
 * timer mode, global timer comparator with auto-increment, SP804 periodic/one-shot/free-running).
 */
describe('outside-style program: armrr vs QEMU (vexpress-a9)', () => {
  it.concurrent.each(FOREIGN_CASES)('vexpress-foreign-$variant at shift $shift', async ({ variant, shift }) => {
    requireQemu();
    const elf = foreignElf('vexpress', variant);
    ensureVexpressFirmware([elf]);
    const [q, a] = await Promise.all([
      runQemu(elf, { machine: 'vexpress-a9', extraArgs: QEMU_VEXPRESS_ARGS, icountShift: shift, timeoutMs: 90_000 }),
      runArmrrCli(elf, { machine: 'vexpress-a9', icountShift: shift, extraArgs: ['--memory', '128M'], timeoutMs: 180_000 }),
    ]);
    expectForeignRunsMatch('vexpress', q, a, /\ntwd ticks=10 [^]*\ngt irqs=6 [^]*\nsp804 t0=8 t1=1 [^]*\ndone\n$/);
  });
});

describe('outside-style program with 32 MiB of RAM (vexpress-a9)', () => {
  // SYS_HEAPINFO's heap is then in the SRAM at 0x48000000: QEMU's largest RAM region comes first by address.
  it('vexpress-foreign-thumb-O2 at shift 0 with -m 32M', async () => {
    requireQemu();
    const elf = foreignElf('vexpress', 'thumb-O2');
    ensureVexpressFirmware([elf]);
    const qemuArgs = QEMU_VEXPRESS_ARGS.map((arg) => (arg === '128M' ? '32M' : arg));
    const [q, a] = await Promise.all([
      runQemu(elf, { machine: 'vexpress-a9', extraArgs: qemuArgs, icountShift: 0, timeoutMs: 90_000 }),
      runArmrrCli(elf, { machine: 'vexpress-a9', icountShift: 0, extraArgs: ['--memory', '32M'], timeoutMs: 180_000 }),
    ]);
    expectForeignRunsMatch('vexpress', q, a, /\nheapinfo 48[0-9a-f]{6} 4a000000 4a000000 48[0-9a-f]{6}\n[^]*\ndone\n$/);
  });
});

describe('vexpress-a9: lock-step with QEMU', () => {
  const RUNS = [
    { name: 'timers', variant: 'arm-O2', shift: 0, min: 400_000 },
    { name: 'monitor', variant: 'thumb-O2', shift: 7, min: 10_000 },
    { name: 'mmu-short', variant: 'arm-O2', shift: 7, min: 80_000 },
    { name: 'ids', variant: 'thumb-O0', shift: 0, min: 20_000 },
  ];
  it.each(RUNS)('$name-$variant at shift $shift', async ({ name, variant, shift, min }) => {
    requireQemu();
    const elf = vexpressElf(name, variant);
    ensureVexpressFirmware([elf]);
    const res = await lockstep(elf, { machine: 'vexpress-a9', icountShift: shift, fpRegisters: false });
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBeGreaterThanOrEqual(min);
    expect(res.exitCode).toBe(0);
  }, 600_000);
});

describe('vexpress-a9 command line', () => {
  it('--help lists the board and its CPU', async () => {
    const r = await armrrCli(['run', '--help']);
    // commander wraps the help text: compare with the whitespace folded.
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/vexpress-a9 \(Versatile Express, Cortex-A9\)/);
    expect(help).toMatch(/cortex-a9 on vexpress-a9/);
  });

  it('a CPU or memory size the board cannot take is a usage error', async () => {
    const elf = vexpressElf('ids', 'arm-O2');
    ensureVexpressFirmware([elf]);
    const cpu = await armrrCli(['run', elf, '--machine', 'vexpress-a9', '--cpu', 'cortex-a15']);
    expect(cpu.code).toBe(2);
    expect(cpu.stderr).toMatch(/--cpu cortex-a15 does not fit machine 'vexpress-a9'; CPUs for vexpress-a9: cortex-a9/);
    const mem = await armrrCli(['run', elf, '--machine', 'vexpress-a9', '--memory', '2G']);
    expect(mem.code).toBe(2);
    expect(mem.stderr).toMatch(/--memory for vexpress-a9 must be 1M\.\.1G/);
    const a9OnVirt = await armrrCli(['run', elf, '--machine', 'virt', '--cpu', 'cortex-a9']);
    expect(a9OnVirt.code).toBe(2);
    expect(a9OnVirt.stderr).toMatch(/--cpu cortex-a9 does not fit machine 'virt'/);
  });
});

describe('vexpress-a9 record/replay through the CLI', () => {
  it('a recording replays with identical output; the log names the board through its fingerprint', async () => {
    const elf = vexpressElf('timers', 'thumb-O2');
    ensureVexpressFirmware([elf]);
    const dir = mkdtempSync(join(tmpdir(), 'armrr-vexpress-rr-'));
    try {
      const log = join(dir, 'timers.rrlog');
      const rtc = ['--rtc-base', '2026-12-01T00:00:00'];
      const rec = await armrrCli(['record', elf, '-o', log, '--machine', 'vexpress-a9', '--icount-shift', '3', '--memory', '256M', ...rtc]);
      expect(rec.code).toBe(0);
      expect(rec.stderr).toMatch(/\nidle n=0000000[12]\n/);
      // No --machine: the fingerprint finds vexpress-a9 (and --memory must be the recorded one).
      const rep = await armrrCli(['replay', elf, log, '--memory', '256M', ...rtc]);
      expect(rep.code).toBe(0);
      expect(rep.stdout).toBe(rec.stdout);
      expect(armrrGuestStderr(rep.stderr)).toBe(armrrGuestStderr(rec.stderr));
      const wrong = await armrrCli(['replay', elf, log, ...rtc]);
      expect(wrong.code).toBe(3);
      const dump = await armrrCli(['dump', log]);
      expect(dump.stdout.match(/EVENT_INTERRUPT/g)?.length ?? 0).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
