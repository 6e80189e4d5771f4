/**
 * Device.save and Device.load copy through code generated for the device's declared shape
 * (devices/device.ts); load falls back to the general walk for a saved state of another shape.
 * Every path must give exactly the values, never alias arrays between the live record and a saved
 * state, and load must keep the live arrays (code holds references to them) where lengths match.
 */
import { describe, expect, it } from 'vitest';
import { Device } from '../../src/emulator/devices/device.js';
import type { DeviceState } from '../../src/emulator/devices/device.js';

interface ProbeState extends DeviceState {
  ctrl: number;
  level: number;
  prio: number[];
}

class ProbeDevice extends Device<ProbeState> {
  constructor() {
    super('probe', { ctrl: 0, level: 7, prio: [0, 0, 0, 0] });
  }
  read(): number {
    return 0;
  }
  write(): void {}
}

describe('Device.save', () => {
  it('copies every key of the live record, arrays included (no aliasing either way)', () => {
    const d = new ProbeDevice();
    d.s.ctrl = 0x55;
    d.s.prio[1] = 0x20;
    const saved = d.save();
    expect(saved).toEqual({ ctrl: 0x55, level: 7, prio: [0, 0x20, 0, 0] });
    expect(Object.keys(saved)).toEqual(['ctrl', 'level', 'prio']);
    expect(saved.prio).not.toBe(d.s.prio);
    d.s.prio[1] = 0;
    saved.prio[2] = 9;
    expect(saved.prio).toEqual([0, 0x20, 9, 0]);
    expect(d.s.prio).toEqual([0, 0, 0, 0]);
  });
});

describe('Device.load', () => {
  it('copies a state of the declared shape into the live record, keeping the live array', () => {
    const d = new ProbeDevice();
    const liveArray = d.s.prio;
    const saved: ProbeState = { ctrl: 5, level: 0, prio: [1, 2, 3, 4] };
    d.load(saved);
    expect(d.s).toEqual({ ctrl: 5, level: 0, prio: [1, 2, 3, 4] });
    expect(d.s.prio).toBe(liveArray);
    // The saved state stays the saved state: later writes to the live record do not reach it.
    d.s.prio[0] = 9;
    d.s.ctrl = 1;
    expect(saved).toEqual({ ctrl: 5, level: 0, prio: [1, 2, 3, 4] });
  });

  it('takes a saved array of another length whole (a copy, not the saved array itself)', () => {
    const d = new ProbeDevice();
    const saved: ProbeState = { ctrl: 3, level: 2, prio: [6, 7] };
    d.load(saved);
    expect(d.s).toEqual({ ctrl: 3, level: 2, prio: [6, 7] });
    expect(d.s.prio).not.toBe(saved.prio);
    // And back to the declared length: the record now holds a 2-element array, load still copies.
    d.load({ ctrl: 4, level: 1, prio: [1, 1, 1, 1] });
    expect(d.s).toEqual({ ctrl: 4, level: 1, prio: [1, 1, 1, 1] });
  });

  it('leaves keys a saved state lacks (an older snapshot file) as they are', () => {
    const d = new ProbeDevice();
    d.load({ ctrl: 8, level: 3, prio: [4, 3, 2, 1] });
    d.load({ ctrl: 9 } as unknown as ProbeState);
    expect(d.s).toEqual({ ctrl: 9, level: 3, prio: [4, 3, 2, 1] });
  });

  it('a round trip through save() restores every value after the device changed', () => {
    const d = new ProbeDevice();
    d.s.ctrl = 0x1234;
    d.s.prio[2] = 0xc0;
    const saved = d.save();
    d.s.ctrl = 0;
    d.s.level = 99;
    d.s.prio.fill(0xff);
    d.load(saved);
    expect(d.s).toEqual({ ctrl: 0x1234, level: 7, prio: [0, 0, 0xc0, 0] });
  });
});
