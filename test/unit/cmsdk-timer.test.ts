import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CmsdkTimer } from '../../src/emulator/devices/cmsdk-timer.js';

// Mirrors QEMU's tests/qtest/cmsdk-apb-timer-test.c (25 MHz pclk: 40 ns per tick).
const CTRL = 0, VALUE = 4, RELOAD = 8, INTSTATUS = 0xc;

function setup() {
  const clock = new VirtualClock(0); // 1 ns per instruction: icount steps are ns steps
  const levels: boolean[] = [];
  const timer = new CmsdkTimer('timer0', clock, 25_000_000, (l) => levels.push(l));
  const step = (ns: number): void => {
    clock.icount += ns;
    clock.runDue();
  };
  return { clock, timer, levels, step };
}

describe('CmsdkTimer', () => {
  it('counts down, fires, reloads and clears as QEMU qtest expects', () => {
    const { timer, levels, step } = setup();
    expect(timer.read(INTSTATUS, 4)).toBe(0);
    timer.write(RELOAD, 1000, 4);
    timer.write(CTRL, 9, 4);
    step(40 * 500 + 1);
    expect(timer.read(INTSTATUS, 4)).toBe(0);
    expect(timer.read(VALUE, 4)).toBe(500);
    step(40 * 500);
    expect(timer.read(INTSTATUS, 4)).toBe(1);
    expect(timer.read(VALUE, 4)).toBe(0);
    expect(levels.at(-1)).toBe(true);
    step(40);
    expect(timer.read(VALUE, 4)).toBe(1000);
    timer.write(INTSTATUS, 0, 4);
    expect(timer.read(INTSTATUS, 4)).toBe(1);
    timer.write(INTSTATUS, 1, 4);
    expect(timer.read(INTSTATUS, 4)).toBe(0);
    expect(levels.at(-1)).toBe(false);
    timer.write(CTRL, 0, 4);
  });

  it('fires periodically every (reload + 1) ticks and not at all without IRQEN', () => {
    const { clock, timer, levels, step } = setup();
    timer.write(RELOAD, 99, 4);
    timer.write(CTRL, 1, 4); // enabled, no IRQEN
    step(40 * 1000);
    expect(levels).toEqual([]);
    expect(timer.read(INTSTATUS, 4)).toBe(0);
    timer.write(CTRL, 9, 4);
    const t0 = clock.nowNs();
    // Deadline is reported through the clock: the next expiry lies within one period.
    const d = clock.nextDeadlineNs() - t0;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(40 * 100);
  });

  it('reads ID registers and masks narrow reads', () => {
    const { timer } = setup();
    expect(timer.read(0xfe0, 4)).toBe(0x22);
    expect(timer.read(0xff0, 4)).toBe(0x0d);
    timer.write(RELOAD, 0x12345678, 4);
    expect(timer.read(RELOAD, 1)).toBe(0x78);
    expect(timer.read(RELOAD, 2)).toBe(0x5678);
    expect(timer.read(VALUE, 4)).toBe(0x12345678); // stopped: VALUE follows RELOAD
  });

  it('save/load round-trips the counter state', () => {
    const { clock, timer, step } = setup();
    timer.write(RELOAD, 1000, 4);
    timer.write(CTRL, 9, 4);
    step(40 * 300 + 5);
    const saved = timer.save();
    const clockState = clock.saveState();
    const v = timer.read(VALUE, 4);
    step(40 * 2000);
    timer.load(saved);
    clock.loadState(clockState);
    expect(timer.read(VALUE, 4)).toBe(v);
  });
});
