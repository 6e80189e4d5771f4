/**
 * FP context handling across exceptions on mps2-an386 (Cortex-M4F): firmware/m4/fpu-irq.c at every
 * -O level runs on qemu-system-arm -M mps2-an386 and on `armrr run --machine mps2-an386` with the
 * same icount shift; UART output and exit code must be identical. The program prints what its
 * handlers saw (EXC_RETURN, CONTROL, FPCCR, FPCAR, the FP part of the frame) with lazy, eager and
 * software-managed FP contexts, and the interrupt counts, so timing and stacking both have to match.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runArmrrCli } from '../support/armrr-run.js';
import { elfPath, ensureFirmware, OPT_LEVELS } from '../support/firmware.js';
import { runQemu } from '../support/qemu.js';

const MACHINE = 'mps2-an386';
/**
 * Shift 0 is the reference setting; at 2 SysTick (every ~500 instructions) nests inside the timer
 * handler many times per phase. From shift 3 on, a SysTick expiry can fall on the very boundary
 * where the timer handler pends SysTick by ICSR: QEMU takes the software-pended exception before
 * running the timers due there (so SysTick is pended twice), armrr's machine loop runs the timers
 * first (one merged pend). That is a machine-loop ordering difference, not an FP one.
 */
const SHIFTS = [0, 2, 3, 5];

const cases = OPT_LEVELS.flatMap((opt) => SHIFTS.map((shift) => ({ opt, shift })));

describe('FP exceptions on mps2-an386: armrr vs QEMU', () => {
  beforeAll(() => ensureFirmware());

  it.concurrent.each(cases)('fpu-irq-$opt at shift $shift', async ({ opt, shift }) => {
    const elf = elfPath('m4-fpu-irq', opt);
    const [q, a] = await Promise.all([
      runQemu(elf, { icountShift: shift, timeoutMs: 30_000, machine: MACHINE }),
      runArmrrCli(elf, { machine: MACHINE, icountShift: shift, timeoutMs: 60_000 }),
    ]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    const reference = q.stdout.toString('latin1');
    // The reference must have reached the end with interrupts really taken during FP work.
    expect(reference).toContain('done');
    expect(reference).toMatch(/irq lazy: [^\n]*same-as-quiet\r?\n {2}systick=[1-9]/);
    expect(q.exitCode).toBe(0);

    expect(a.stdout.toString('latin1'), `UART output differs (armrr stderr: ${a.stderr.slice(0, 400)})`).toBe(reference);
    expect(a.exitCode, 'exit code differs').toBe(q.exitCode);
  });
});
