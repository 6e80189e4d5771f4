/**
 * Chunked lock-step against QEMU: armrr runs 1-97 instructions between comparisons with
 * `machine.run`, so in the `jit` test project translated blocks (and budget tails) execute between
 * the compared states, and in the `no-jit` project the interpreter does the same runs. (The
 * instruction-by-instruction lock-step is lockstep.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { lockstep, type LockstepMachine } from '../../src/tools/lockstep-core.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { requireQemu } from '../support/qemu.js';

const CHUNKED_RUNS: { name: string; opt: string; shift: number; machine?: LockstepMachine }[] = [
  { name: 'insn-workout', opt: 'O2', shift: 0 },
  { name: 'irq-timers', opt: 'O2', shift: 7 },
  { name: 'crc32', opt: 'O2', shift: 0 },
  { name: 'smc', opt: 'O2', shift: 3 },
  { name: 'm4-fpu-workout', opt: 'O2', shift: 0, machine: 'mps2-an386' },
  { name: 'm4-fpu-irq', opt: 'Os', shift: 0, machine: 'mps2-an386' },
];

requireQemu();

describe('chunked lock-step with QEMU', () => {
  // m4-fpu-irq takes ~35 s in CI; 120 s was not enough at a load average of 50: room for a loaded machine.
  it.each(CHUNKED_RUNS)('$name-$opt at shift $shift', async ({ name, opt, shift, machine }) => {
    ensureFirmware();
    const res = await lockstep(elfPath(name, opt), { icountShift: shift, machine, chunked: true });
    expect(res.divergence?.report ?? null).toBeNull();
    expect(res.ok).toBe(true);
    expect(res.compared).toBeGreaterThan(100);
    expect(res.exitCode).not.toBeNull();
  }, 300_000);
});
