import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { GenericTimer, GT_PHYS, GT_VIRT, defineGenericTimerRegisters } from '../../src/emulator/devices/generic-timer.js';
import { SysRegFile, type SysRegDef } from '../../src/emulator/cpu/v7a/sysreg-registry.js';

function setup(shift = 0) {
  const clock = new VirtualClock(shift);
  const level = [false, false];
  const timer = new GenericTimer(clock, [(l) => (level[GT_PHYS] = l), (l) => (level[GT_VIRT] = l)]);
  const file = new SysRegFile();
  defineGenericTimerRegisters(file, timer);
  const def = (name: string): SysRegDef => file.all().find((d) => d.name === name)!;
  const rd = (name: string) => def(name).read!(file) >>> 0;
  const rd64 = (name: string) => {
    const lo = def(name).read!(file) >>> 0;
    return file.hi * 2 ** 32 + lo;
  };
  const wr = (name: string, v: number, hi = 0) => def(name).write!(v >>> 0, hi >>> 0, file);
  /** Run the clock forward `ns` nanoseconds (shift 0: 1 ns per instruction), firing due timers. */
  const advance = (ns: number) => {
    clock.icount += ns / clock.scale;
    clock.runDue();
  };
  return { clock, timer, file, def, rd, rd64, wr, level, advance };
}

describe('generic timer registers (QEMU cortex-a15 on virt)', () => {
  it('encodings as the ARM ARM (CP15 c14), 64-bit forms for CNTPCT/CNTVCT/CVALs', () => {
    const { file } = setup();
    const enc = (n: string) => {
      const d = file.all().find((x) => x.name === n)!;
      return [d.is64 === true, d.opc1, d.crn, d.crm, d.opc2];
    };
    expect(enc('CNTFRQ')).toEqual([false, 0, 14, 0, 0]);
    expect(enc('CNTKCTL')).toEqual([false, 0, 14, 1, 0]);
    expect(enc('CNTP_TVAL')).toEqual([false, 0, 14, 2, 0]);
    expect(enc('CNTP_CTL')).toEqual([false, 0, 14, 2, 1]);
    expect(enc('CNTV_TVAL')).toEqual([false, 0, 14, 3, 0]);
    expect(enc('CNTV_CTL')).toEqual([false, 0, 14, 3, 1]);
    expect(enc('CNTPCT')).toEqual([true, 0, 0, 14, 0]);
    expect(enc('CNTVCT')).toEqual([true, 1, 0, 14, 0]);
    expect(enc('CNTP_CVAL')).toEqual([true, 2, 0, 14, 0]);
    expect(enc('CNTV_CVAL')).toEqual([true, 3, 0, 14, 0]);
    expect(file.lookup(15, true, 3, 0, 14, 0)!.name).toBe('CNTV_CVAL');
  });

  it('CNTFRQ is 62.5 MHz and reads as written; the counter is virtual ns / 16', () => {
    const { rd, wr, rd64, advance } = setup();
    expect(rd('CNTFRQ')).toBe(62_500_000);
    advance(16 * 1000 + 15);
    expect(rd64('CNTPCT')).toBe(1000);
    expect(rd64('CNTVCT')).toBe(1000);
    wr('CNTFRQ', 1234);
    expect(rd('CNTFRQ')).toBe(1234);
    advance(16);
    expect(rd64('CNTPCT')).toBe(1001); // the rate does not change
  });

  it('counter values above 2^32 come back in the high word', () => {
    const { clock, rd64 } = setup(10);
    clock.icount = 2 ** 40; // 2^50 ns -> 2^46 ticks
    expect(rd64('CNTVCT')).toBe(2 ** 46);
  });

  it('TVAL arms the timer; ISTATUS and the output rise exactly at CVAL * 16 ns', () => {
    const { rd, wr, rd64, level, advance, clock } = setup();
    advance(160); // counter 10
    wr('CNTV_TVAL', 100);
    expect(rd64('CNTV_CVAL')).toBe(110);
    wr('CNTV_CTL', 1);
    expect(rd('CNTV_CTL')).toBe(1);
    expect(clock.nextDeadlineNs()).toBe(110 * 16);
    expect(clock.allTimers.find((t) => t.id === 'generic-timer.virt')!.deadlineNs).toBe(1760);
    advance(1760 - 160 - 1);
    expect(level[GT_VIRT]).toBe(false);
    expect(rd('CNTV_TVAL')).toBe(1); // counter 109
    advance(1);
    expect(rd('CNTV_CTL')).toBe(1 | 4);
    expect(level[GT_VIRT]).toBe(true);
    expect(level[GT_PHYS]).toBe(false);
    expect(rd('CNTV_TVAL')).toBe(0);
    advance(32);
    expect(rd('CNTV_TVAL')).toBe(0xfffffffe); // counts on below zero
    expect(clock.nextDeadlineNs()).toBe(Infinity); // asserted: nothing more to wait for
  });

  it('IMASK gates the output without touching ISTATUS; disabling clears ISTATUS', () => {
    const { rd, wr, level } = setup();
    wr('CNTP_CVAL', 0);
    wr('CNTP_CTL', 1);
    expect(level[GT_PHYS]).toBe(true);
    wr('CNTP_CTL', 1 | 2);
    expect(level[GT_PHYS]).toBe(false);
    expect(rd('CNTP_CTL')).toBe(7);
    wr('CNTP_CTL', 1);
    expect(level[GT_PHYS]).toBe(true);
    wr('CNTP_CTL', 0);
    expect(level[GT_PHYS]).toBe(false);
    expect(rd('CNTP_CTL')).toBe(0);
  });

  it('CVAL far in the future never fires; negative TVAL wraps to a past CVAL', () => {
    const { rd, wr, rd64, level, clock, advance } = setup();
    wr('CNTP_CVAL', 0, 0x80000000);
    wr('CNTP_CTL', 1);
    expect(level[GT_PHYS]).toBe(false);
    expect(clock.nextDeadlineNs()).toBe(Infinity);
    advance(16 * 5);
    wr('CNTP_TVAL', -3);
    expect(rd64('CNTP_CVAL')).toBe(2);
    expect(level[GT_PHYS]).toBe(true);
    expect(rd('CNTP_TVAL')).toBe(0xfffffffd);
    wr('CNTP_TVAL', -10); // counter 5 - 10: CVAL wraps to 2^64 - 5, never reached
    expect(rd('CNTP_CVAL')).toBe(0xfffffffb);
    expect(level[GT_PHYS]).toBe(false);
  });

  it('PL0 access follows CNTKCTL', () => {
    const { def, wr } = setup();
    const pl0 = (n: string) => {
      const d = def(n);
      return typeof d.pl0Read === 'function' ? d.pl0Read() : d.pl0Read === true;
    };
    for (const n of ['CNTFRQ', 'CNTPCT', 'CNTVCT', 'CNTP_CTL', 'CNTV_TVAL', 'CNTV_CVAL', 'CNTKCTL']) expect(pl0(n), n).toBe(false);
    wr('CNTKCTL', 1 << 1); // PL0VCTEN
    expect(pl0('CNTVCT')).toBe(true);
    expect(pl0('CNTFRQ')).toBe(true);
    expect(pl0('CNTPCT')).toBe(false);
    wr('CNTKCTL', 1 << 8); // PL0VTEN
    expect(pl0('CNTV_CTL')).toBe(true);
    expect(pl0('CNTP_CTL')).toBe(false);
    expect(pl0('CNTFRQ')).toBe(false);
    expect(def('CNTFRQ').pl0Write).toBeUndefined();
    expect(def('CNTPCT').write).toBeUndefined();
  });

  it('save/load restores state and output; reset disarms', () => {
    const a = setup();
    a.wr('CNTV_TVAL', 50);
    a.wr('CNTV_CTL', 1);
    a.advance(16 * 50);
    const saved = a.timer.save();
    const clockState = a.clock.saveState();
    const b = setup();
    b.clock.loadState(clockState);
    b.timer.load(saved);
    expect(b.timer.save()).toEqual(saved);
    expect(b.level[GT_VIRT]).toBe(true);
    b.timer.reset();
    expect(b.level[GT_VIRT]).toBe(false);
    expect(b.rd('CNTV_CTL')).toBe(0);
    expect(b.clock.nextDeadlineNs()).toBe(Infinity);
  });
});
