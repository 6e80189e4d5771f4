/**
 * Lock-step against QEMU: r0-r15 and xPSR compared before every instruction, through interrupts,
 * faults and semihosting, over more than a million instructions in total; on mps2-an386 (Cortex-M4F)
 * s0-s31 and FPSCR too.
 *
 * armrr steps one instruction at a time here, which is the interpreter in both test projects (a
 * translated block runs only whole, so a budget of one never enters a block longer than one
 * instruction): this file runs in the `no-jit` project only. lockstep-chunked.test.ts holds the
 * runs with translated blocks between the compared states (both projects).
 */
import { describe, expect, it } from 'vitest';
import { lockstep, type LockstepMachine } from '../../src/tools/lockstep-core.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { requireQemu } from '../support/qemu.js';

const RUNS = [
  { name: 'insn-workout', opt: 'O0', shift: 0 }, // ~2.76 M instructions: the bulk of the total
  { name: 'insn-workout', opt: 'Os', shift: 7 },
  { name: 'irq-timers', opt: 'O2', shift: 0 },
  { name: 'irq-timers', opt: 'Os', shift: 7 },
  { name: 'faults', opt: 'O2', shift: 3 },
  { name: 'faults', opt: 'O0', shift: 7 },
  { name: 'newlib-demo', opt: 'O2', shift: 0 },
  { name: 'crc32', opt: 'O2', shift: 7 },
];

/**
 * Cortex-M4F programs (firmware/m4/NAME.c, built as m4-NAME-OPT.elf), FP registers and FPSCR
 * compared too. `max` caps the long ones (most of their instructions print results over the UART):
 * fpu-vectors' first vectors (vadd, vsub, ...) and dsp-workout's edge cases of most operations.
 * fpu-irq runs whole: FP handlers preempting FP code under lazy, eager and manual FP context.
 */
const M4_RUNS: { name: string; opt: string; shift: number; min: number; max?: number }[] = [
  { name: 'm4-fpu-smoke', opt: 'O2', shift: 7, min: 300 },
  { name: 'm4-fpu-workout', opt: 'O0', shift: 0, min: 40_000 },
  { name: 'm4-fpu-workout', opt: 'O2', shift: 3, min: 10_000 },
  { name: 'm4-fpu-workout', opt: 'Os', shift: 7, min: 10_000 },
  { name: 'm4-fpu-irq', opt: 'Os', shift: 0, min: 1_000_000 },
  { name: 'm4-fpu-vectors', opt: 'O2', shift: 0, min: 400_000, max: 400_000 },
  { name: 'm4-dsp-workout', opt: 'O2', shift: 0, min: 400_000, max: 400_000 },
];
const M4: { machine: LockstepMachine } = { machine: 'mps2-an386' };

requireQemu();

describe('lock-step with QEMU', () => {
  let total = 0;

  it.each(RUNS)('$name-$opt at shift $shift', async ({ name, opt, shift }) => {
    ensureFirmware();
    const res = await lockstep(elfPath(name, opt), { icountShift: shift });
    total += res.compared;
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBeGreaterThan(1000);
    expect(res.exitCode).not.toBeNull();
  });

  it.each(M4_RUNS)('mps2-an386: $name-$opt at shift $shift', async ({ name, opt, shift, min, max }) => {
    ensureFirmware();
    const res = await lockstep(elfPath(name, opt), { ...M4, icountShift: shift, maxInsns: max });
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBeGreaterThanOrEqual(min);
    if (max === undefined) expect(res.exitCode).toBe(0);
  }, 120_000);

  it('mps2-an386: reports a divergence in an FP register and in FPSCR', async () => {
    ensureFirmware();
    const elf = elfPath('m4-fpu-smoke', 'O2');
    const badS = await lockstep(elf, {
      ...M4,
      beforeStep: (m, index) => {
        if (index === 20) m.cpu.s[21] = (m.cpu.s[21]! ^ 0x00400000) | 0;
      },
    });
    expect(badS.ok).toBe(false);
    expect(badS.divergence!.index).toBeGreaterThanOrEqual(20);
    expect(badS.divergence!.index).toBeLessThanOrEqual(21);
    expect(badS.divergence!.report).toMatch(/s21 +[0-9a-f]{8} +[0-9a-f]{8} +<--/);

    const badFpscr = await lockstep(elf, {
      ...M4,
      beforeStep: (m, index) => {
        if (index === 30) m.cpu.fpscr |= 0x10; // IXC
      },
    });
    expect(badFpscr.ok).toBe(false);
    expect(badFpscr.divergence!.index).toBeLessThanOrEqual(31);
    expect(badFpscr.divergence!.report).toMatch(/fpscr +[0-9a-f]{8} +[0-9a-f]{8} +<--/);
  });

  // rtos-O2 at shift 7: its first 600,000 instructions hold ten idle wake-ups where QEMU warps
  // twice (the SysTick re-armed while the CPU still sleeps becomes the earliest timer), the first at
  // 108,259; TIMER0 then fires inside SysTick_Handler's critical section.
  it('rtos-O2 at shift 7 through QEMU\'s double idle warps', async () => {
    ensureFirmware();
    const res = await lockstep(elfPath('rtos', 'O2'), { icountShift: 7, maxInsns: 600_000 });
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBe(600_000);
  }, 180_000);

  it('compared at least a million instructions', () => {
    expect(total).toBeGreaterThanOrEqual(1_000_000);
  });

  it('stops after maxInsns, and reports an injected divergence with context', async () => {
    ensureFirmware();
    const capped = await lockstep(elfPath('crc32', 'O2'), { icountShift: 0, maxInsns: 500, syncResetFlags: true });
    expect(capped.compared).toBe(500);
    expect(capped.divergence).toBeNull();

    const bad = await lockstep(elfPath('crc32', 'O2'), {
      icountShift: 0,
      syncResetFlags: true,
      beforeStep: (m, index) => {
        if (index === 2000) m.cpu.r[7] = (m.cpu.r[7]! ^ 0x10000) | 0;
      },
    });
    expect(bad.ok).toBe(false);
    // The corrupted r7 shows in the state after instruction 2000 at the latest.
    expect(bad.divergence!.index).toBeGreaterThanOrEqual(2000);
    expect(bad.divergence!.index).toBeLessThanOrEqual(2001);
    expect(bad.divergence!.report).toMatch(/r7 +[0-9a-f]{8} +[0-9a-f]{8} +<--/);
    expect(bad.divergence!.report.split('\n').filter((l) => /^ +#/.test(l))).toHaveLength(10);
  });
});
