/**
 * Lock-step on virt (Cortex-A15): QEMU single-steps the ARMv7-A programs (firmware/v7a) and armrr
 * steps them too; r0-r15 of the current mode, CPSR and (where asked) d0-d31/FPSCR are compared
 * before every instruction, through mode changes (so every mode's banked r8-r14 are compared while
 * that mode runs), exception entries and returns, aborts, interrupts and semihosting. More than
 * 10^7 instructions in total, most of them in compute-long (MMU on, timer interrupts).
 */
import { describe, expect, it } from 'vitest';
import { lockstep } from '../../src/tools/lockstep-core.js';
import { ensureV7aFirmware, v7aElf } from '../support/v7a-firmware.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';

const VIRT = { machine: 'virt' as const };

/** fp: compare d0-d31 and FPSCR too (QEMU's FP dump makes the trace ~7x longer, so not for the long run). */
const RUNS: { name: string; variant: string; shift: number; fp: boolean; min: number; max?: number }[] = [
  { name: 'compute-long', variant: 'arm-O2', shift: 0, fp: false, min: 9_000_000 },
  { name: 'alu', variant: 'arm-O2', shift: 7, fp: true, min: 300_000, max: 300_000 },
  { name: 'ldst', variant: 'arm-Os', shift: 3, fp: true, min: 50_000 },
  { name: 'modes', variant: 'arm-O0', shift: 7, fp: true, min: 10_000 },
  { name: 'exceptions', variant: 'arm-O2', shift: 0, fp: true, min: 30_000 },
  { name: 'mmu-lpae', variant: 'arm-O2', shift: 7, fp: false, min: 50_000 },
  { name: 'gic-timer', variant: 'arm-O2', shift: 0, fp: false, min: 20_000 },
  { name: 'gic-timer', variant: 'arm-Os', shift: 7, fp: false, min: 20_000 },
  { name: 'mmu-short', variant: 'arm-O2', shift: 7, fp: false, min: 50_000 },
  { name: 'mmu-short', variant: 'thumb-Os', shift: 3, fp: false, min: 50_000 },
  { name: 'exceptions', variant: 'thumb-O2', shift: 3, fp: false, min: 30_000 },
  { name: 'modes', variant: 'thumb-O2', shift: 0, fp: false, min: 10_000 },
  { name: 'vfp', variant: 'arm-O2-hf', shift: 0, fp: true, min: 150_000, max: 150_000 },
  { name: 'neon', variant: 'thumb-O2', shift: 7, fp: true, min: 150_000, max: 150_000 },
];

describe('lock-step with QEMU on virt (cortex-a15)', () => {
  let total = 0;

  it.each(RUNS)('$name-$variant at shift $shift', async ({ name, variant, shift, fp, min, max }) => {
    const elf = v7aElf(name, variant);
    ensureV7aFirmware([elf]);
    const res = await lockstep(elf, { ...VIRT, icountShift: shift, fpRegisters: fp, maxInsns: max });
    total += res.compared;
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBeGreaterThanOrEqual(min);
    if (max === undefined) expect(res.exitCode).toBe(0);
  }, 600_000);

  it('compared at least 10^7 instructions', () => {
    expect(total).toBeGreaterThanOrEqual(10_000_000);
  });

  it('reports a divergence in a banked register of another mode once that mode runs, and in a D register', async () => {
    const elf = v7aElf('modes', 'arm-O2');
    ensureV7aFirmware([elf]);
    // Corrupt IRQ mode's banked r14 while SYS runs: QEMU's trace shows it when IRQ mode is entered.
    let corruptedAt = -1;
    const banked = await lockstep(elf, {
      ...VIRT,
      fpRegisters: false,
      beforeStep: (m, index) => {
        const st = m.cpu as ArmV7aState;
        if (corruptedAt < 0 && index > 200 && st.mode === 0x1f) {
          st.setBanked(0x12, 14, st.getBanked(0x12, 14) ^ 0x100);
          corruptedAt = index;
        }
      },
    });
    expect(corruptedAt).toBeGreaterThan(0);
    expect(banked.ok).toBe(false);
    expect(banked.divergence!.index).toBeGreaterThan(corruptedAt);
    expect(banked.divergence!.report).toMatch(/lr +[0-9a-f]{8} +[0-9a-f]{8} +<--/);
    expect(banked.divergence!.report).toMatch(/cpsr +[0-9a-f]{7}2 /);

    const fpElf = v7aElf('alu', 'arm-O2');
    ensureV7aFirmware([fpElf]);
    const d = await lockstep(fpElf, {
      ...VIRT,
      maxInsns: 2_000,
      beforeStep: (m, index) => {
        if (index === 1_000) m.cpu.s[61] = (m.cpu.s[61]! ^ 1) | 0; // d30, high word
      },
    });
    expect(d.ok).toBe(false);
    expect(d.divergence!.index).toBeGreaterThanOrEqual(1_000);
    expect(d.divergence!.index).toBeLessThanOrEqual(1_001);
    expect(d.divergence!.report).toMatch(/s61 +[0-9a-f]{8} +[0-9a-f]{8} +<--/);
  }, 300_000);
});
