/**
 * Lock-step against QEMU: r0-r15 and xPSR compared before every instruction, through interrupts,
 * faults and semihosting, over more than a million instructions in total.
 */
import { describe, expect, it } from 'vitest';
import { lockstep } from '../../src/tools/lockstep-core.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { qemuAvailable } from '../support/qemu.js';

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

describe.runIf(qemuAvailable())('lock-step with QEMU', () => {
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
