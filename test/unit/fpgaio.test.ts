import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { Mps2Fpgaio } from '../../src/emulator/devices/mps2-fpgaio.js';

const LED0 = 0, BUTTON = 8, CLK1HZ = 0x10, CLK100HZ = 0x14, COUNTER = 0x18, PRESCALE = 0x1c, PSCNTR = 0x20, MISC = 0x4c;

function setup(shift = 0) {
  const clock = new VirtualClock(shift);
  const io = new Mps2Fpgaio('fpgaio', clock, 25_000_000);
  return { clock, io };
}

describe('Mps2Fpgaio', () => {
  it('derives CLK1HZ and CLK100HZ from virtual time', () => {
    const { clock, io } = setup(7); // 128 ns per instruction
    expect(io.read(CLK1HZ, 4)).toBe(0);
    clock.icount = Math.ceil(2.5e9 / 128); // 2.5 s
    expect(io.read(CLK1HZ, 4)).toBe(2);
    expect(io.read(CLK100HZ, 4)).toBe(250);
    io.write(CLK1HZ, 100, 4); // counting resumes from the written value
    clock.icount += Math.ceil(1e9 / 128);
    expect(io.read(CLK1HZ, 4)).toBe(101);
  });

  it('COUNTER counts at 25 MHz when PRESCALE is 0', () => {
    const { clock, io } = setup(0);
    clock.icount = 4000; // 4000 ns = 100 ticks of 40 ns
    expect(io.read(COUNTER, 4)).toBe(100);
    clock.icount = 4039; // not yet the next tick
    expect(io.read(COUNTER, 4)).toBe(100);
    clock.icount = 4040;
    expect(io.read(COUNTER, 4)).toBe(101);
  });

  it('with PRESCALE n, COUNTER increments once per n+1 ticks and PSCNTR counts down', () => {
    const { clock, io } = setup(0);
    io.write(PRESCALE, 9, 4);
    clock.icount = 40; // first tick: PSCNTR 0 -> reload 9, COUNTER 1
    expect(io.read(COUNTER, 4)).toBe(1);
    expect(io.read(PSCNTR, 4)).toBe(9);
    clock.icount = 40 * 11; // ticks 2..11: PSCNTR reaches 0 at tick 10, reloads at 11
    expect(io.read(COUNTER, 4)).toBe(2);
    expect(io.read(PSCNTR, 4)).toBe(9);
    clock.icount = 40 * 25;
    expect(io.read(COUNTER, 4)).toBe(3);
    expect(io.read(PSCNTR, 4)).toBe(5);
  });

  it('LED0 keeps 2 bits; buttons read 0; MISC stores', () => {
    const { io } = setup();
    io.write(LED0, 0xff, 4);
    expect(io.read(LED0, 4)).toBe(3);
    expect(io.read(BUTTON, 4)).toBe(0);
    io.write(MISC, 0x55, 4);
    expect(io.read(MISC, 4)).toBe(0x55);
  });
});
