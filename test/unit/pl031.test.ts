import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { Pl031, parseRtcBase, type RtcClockSource } from '../../src/emulator/devices/pl031.js';
import type { HostPort } from '../../src/emulator/io/input-port.js';

const DR = 0x00, MR = 0x04, LR = 0x08, CR = 0x0c, IMSC = 0x10, RIS = 0x14, MIS = 0x18, ICR = 0x1c;

function setup(source: RtcClockSource, hostNs = 1_700_000_000.25e9, debugRead = () => false) {
  const clock = new VirtualClock(0);
  let hostReads = 0;
  const host: HostPort = {
    hostClockNs: () => {
      hostReads++;
      return hostNs;
    },
    consoleRead: () => null,
    fileRead: () => null,
  };
  let irq = false;
  const rtc = new Pl031(clock, host, source, (l) => (irq = l), debugRead);
  const advanceNs = (ns: number) => {
    clock.icount += ns;
    clock.runDue();
  };
  return { rtc, clock, irq: () => irq, hostReads: () => hostReads, advanceNs, r: (o: number) => rtc.read(o, 4), w: (o: number, v: number) => rtc.write(o, v, 4) };
}

describe('PL031 as QEMU 7.2', () => {
  it('--rtc-base: starts at the base and follows virtual time (clock=vm), no host reads', () => {
    const base = parseRtcBase('2026-12-01T00:00:00');
    expect(base).toBe(1_796_083_200);
    const t = setup({ kind: 'virtual', baseSeconds: base });
    expect(t.r(DR)).toBe(base);
    t.advanceNs(2.5e9);
    expect(t.r(DR)).toBe(base + 2);
    expect(t.hostReads()).toBe(0);
  });

  it('host clock: DR is the host time in seconds, read through the host port each time', () => {
    const t = setup({ kind: 'host' });
    expect(t.r(DR)).toBe(1_700_000_000);
    expect(t.r(DR)).toBe(1_700_000_000);
    expect(t.hostReads()).toBe(2);
  });

  it('LR moves the counter and reads back; CR reads 1; IDs', () => {
    const t = setup({ kind: 'virtual', baseSeconds: 1000 });
    t.w(LR, 5000);
    expect(t.r(DR)).toBe(5000);
    expect(t.r(LR)).toBe(5000);
    t.w(CR, 0);
    expect(t.r(CR)).toBe(1);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(t.r)).toEqual([0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('match alarm fires when the counter reaches MR; IMSC gates the line; ICR clears', () => {
    const t = setup({ kind: 'virtual', baseSeconds: 100 });
    t.w(IMSC, 1);
    t.w(MR, 103);
    expect(t.clock.nextDeadlineNs()).toBe(3e9);
    t.advanceNs(3e9 - 1);
    expect(t.r(RIS)).toBe(0);
    t.advanceNs(1);
    expect(t.r(RIS)).toBe(1);
    expect(t.r(MIS)).toBe(1);
    expect(t.irq()).toBe(true);
    t.w(ICR, 1);
    expect(t.irq()).toBe(false);
    t.w(MR, 103); // MR equal to the counter: raised at once
    expect(t.r(RIS)).toBe(1);
    t.w(IMSC, 0);
    expect(t.irq()).toBe(false);
    expect(t.r(MIS)).toBe(0);
  });

  it('rejects malformed or impossible --rtc-base values', () => {
    expect(() => parseRtcBase('2026-02-30')).toThrow(/no such date/);
    expect(() => parseRtcBase('yesterday')).toThrow(/YYYY-MM-DD/);
    expect(parseRtcBase('1970-01-02')).toBe(86400);
  });

  it('a debugger read never consults the host clock (no CLOCK_HOST taken from or added to a log)', () => {
    let debugging = false;
    const t = setup({ kind: 'host' }, 1_700_000_005e9, () => debugging);
    expect(t.r(DR)).toBe(1_700_000_005);
    expect(t.hostReads()).toBe(1);
    debugging = true;
    expect(t.r(DR)).toBe(1_700_000_005); // the last value the guest saw
    expect(t.hostReads()).toBe(1);
  });
});
