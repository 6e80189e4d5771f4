import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CmsdkDualTimer } from '../../src/emulator/devices/cmsdk-dualtimer.js';

// Mirrors QEMU's tests/qtest/cmsdk-apb-dualtimer-test.c (25 MHz: 40 ns per tick).
const T1LOAD = 0, T1VALUE = 4, T1CONTROL = 8, T1INTCLR = 0xc, T1RIS = 0x10, T1MIS = 0x14;
const T2LOAD = 0x20, T2VALUE = 0x24, T2CONTROL = 0x28, T2INTCLR = 0x2c, T2RIS = 0x30;
const ENABLE = 0x80, PERIODIC = 0x40, INTEN = 0x20, PRESCALE_256 = 2 << 2, SIZE32 = 2, ONESHOT = 1;

function setup() {
  const clock = new VirtualClock(0);
  const levels: boolean[] = [];
  const dt = new CmsdkDualTimer('dualtimer', clock, 25_000_000, (l) => levels.push(l));
  const step = (ns: number): void => {
    clock.icount += ns;
    clock.runDue();
  };
  return { clock, dt, levels, step };
}

describe('CmsdkDualTimer', () => {
  it('resets to 16-bit free-running with INTEN and VALUE 0xffffffff', () => {
    const { dt } = setup();
    expect(dt.read(T1CONTROL, 4)).toBe(0x20);
    expect(dt.read(T1VALUE, 4)).toBe(0xffffffff);
    expect(dt.read(0xfe0, 4)).toBe(0x23);
  });

  it('free-running 16-bit mode wraps to 0xffff (qtest dualtimer)', () => {
    const { dt, levels, step } = setup();
    expect(dt.read(T1RIS, 4)).toBe(0);
    dt.write(T1LOAD, 1000, 4);
    dt.write(T1CONTROL, ENABLE | INTEN, 4);
    step(500 * 40 + 1);
    expect(dt.read(T1RIS, 4)).toBe(0);
    expect(dt.read(T1VALUE, 4)).toBe(500);
    step(500 * 40);
    expect(dt.read(T1RIS, 4)).toBe(1);
    expect(dt.read(T1MIS, 4)).toBe(1);
    expect(levels.at(-1)).toBe(true);
    expect(dt.read(T1VALUE, 4)).toBe(0);
    step(40);
    expect(dt.read(T1VALUE, 4)).toBe(0xffff);
    dt.write(T1INTCLR, 1, 4);
    expect(dt.read(T1RIS, 4)).toBe(0);
    expect(levels.at(-1)).toBe(false);
    dt.write(T1CONTROL, 0, 4);
  });

  it('periodic mode with prescale 256 reloads from LOAD (qtest prescale)', () => {
    const { dt, step } = setup();
    expect(dt.read(T2RIS, 4)).toBe(0);
    dt.write(T2LOAD, 1000, 4);
    dt.write(T2CONTROL, ENABLE | INTEN | PERIODIC | PRESCALE_256, 4);
    step(40 * 256 * 501);
    expect(dt.read(T2RIS, 4)).toBe(0);
    expect(dt.read(T2VALUE, 4)).toBe(500);
    step(40 * 256 * 500);
    expect(dt.read(T2RIS, 4)).toBe(1);
    expect(dt.read(T2VALUE, 4)).toBe(0);
    step(40 * 256);
    expect(dt.read(T2VALUE, 4)).toBe(1000);
    dt.write(T2INTCLR, 1, 4);
    expect(dt.read(T2RIS, 4)).toBe(0);
  });

  it('one-shot mode fires once and stops at 0', () => {
    const { clock, dt, levels, step } = setup();
    dt.write(T1LOAD, 100, 4);
    dt.write(T1CONTROL, ENABLE | INTEN | SIZE32 | ONESHOT, 4);
    step(40 * 101);
    expect(dt.read(T1RIS, 4)).toBe(1);
    dt.write(T1INTCLR, 1, 4);
    step(40 * 10_000);
    expect(dt.read(T1RIS, 4)).toBe(0);
    expect(dt.read(T1VALUE, 4)).toBe(0);
    expect(levels.filter((l) => l).length).toBe(1);
    expect(clock.nextDeadlineNs()).toBe(Infinity);
  });

  it('32-bit free-running counts from 0xffffffff; 16-bit keeps the upper half of VALUE', () => {
    const { dt, step } = setup();
    dt.write(T1CONTROL, ENABLE | SIZE32, 4);
    // Switching 16 -> 32 bit restores the saved top half: counter starts at 0xffffffff.
    step(40 * 10 + 1);
    expect(dt.read(T1VALUE, 4)).toBe(0xffffffff - 10);
  });
});
