/**
 * The PMU overflow interrupt without any register access (QEMU's pmu_timer, target/arm/helper.c):
 * the cycle counter's wrap arms a timer on the virtual clock, so `irq` rises at the exact
 * nanosecond; PMOVSR reads are plain (an INST_RETIRED wrap is found only by the next PMU access or
 * exception, QEMU's timer firing one count early); writing PMOVSR lowers the line. The same
 * behaviour is compared with qemu-system-arm by firmware/v7a/src/pmu-debug.c (v7a-vs-qemu).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { Pmu } from '../../src/emulator/cpu/v7a/pmu.js';
import { SysRegFile } from '../../src/emulator/cpu/v7a/sysreg-registry.js';

function rig(shift = 0) {
  const clock = new VirtualClock(shift);
  const pmu = new Pmu(clock, 0x410f3000); // the Cortex-A15's PMCR reset value
  const file = new SysRegFile();
  pmu.define(file);
  const levels: boolean[] = [];
  pmu.irq = (l) => levels.push(l);
  const reg = (crm: number, opc2: number) => file.lookup(15, false, 0, 9, crm, opc2)!;
  const write = (crm: number, opc2: number, v: number) => reg(crm, opc2).write!(v | 0, 0, file);
  const read = (crm: number, opc2: number) => reg(crm, opc2).read!(file) >>> 0;
  /** Advance virtual time by `n` instructions, firing due timers as the machine loop does. */
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.icount++;
      clock.runDue();
    }
  };
  return { clock, pmu, write, read, run, levels, level: () => levels[levels.length - 1] ?? false };
}

describe('PMU overflow interrupt (QEMU pmu_timer)', () => {
  it('the cycle counter wrap raises irq at the wrap with no register access', () => {
    const r = rig();
    r.write(12, 0, 1); // PMCR.E
    r.write(13, 0, 0xffffffff - 99); // PMCCNTR: 100 cycles to the wrap
    r.write(14, 1, 1 << 31); // PMINTENSET C
    r.write(12, 1, 1 << 31); // PMCNTENSET C
    r.run(99);
    expect(r.level()).toBe(false);
    r.run(1);
    expect(r.level()).toBe(true);
    expect(r.read(12, 3)).toBe(0x80000000); // PMOVSR
    r.write(12, 3, 1 << 31); // clear: the line drops
    expect(r.level()).toBe(false);
  });

  it('at shift 7 the wrap comes after cycles / 128 instructions (1 GHz of virtual time)', () => {
    const r = rig(7);
    r.write(12, 0, 1);
    r.write(13, 0, 0xffffffff - 1279); // 1280 ns
    r.write(14, 1, 1 << 31);
    r.write(12, 1, 1 << 31);
    r.run(9);
    expect(r.level()).toBe(false);
    r.run(1);
    expect(r.level()).toBe(true);
  });

  it('an INST_RETIRED wrap is not seen by a PMOVSR read, only by the next counting access', () => {
    const r = rig();
    r.write(12, 0, 1);
    r.write(12, 5, 0); // PMSELR = 0
    r.write(13, 1, 0x08); // INST_RETIRED
    r.write(13, 2, 0xffffffff - 9);
    r.write(14, 1, 1);
    r.write(12, 1, 1);
    r.run(50);
    expect(r.read(12, 3)).toBe(0); // plain read: no overflow found
    expect(r.level()).toBe(false);
    r.read(13, 2); // PMXEVCNTR read: op start finds the wrap
    expect(r.read(12, 3)).toBe(1);
    expect(r.level()).toBe(true);
  });

  it('overflow with PMINTEN clear sets PMOVSR only; PMINTENSET then raises the line', () => {
    const r = rig();
    r.write(12, 0, 1);
    r.write(13, 0, 0xffffffff - 9);
    r.write(12, 1, 1 << 31);
    r.run(20);
    expect(r.levels.includes(true)).toBe(false);
    expect(r.read(12, 3)).toBe(0x80000000);
    r.write(14, 1, 1 << 31);
    expect(r.level()).toBe(true);
  });
});
