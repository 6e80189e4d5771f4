import { describe, expect, it } from 'vitest';
import { Pl061 } from '../../src/emulator/devices/pl061.js';

const DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40c, IE = 0x410, RIS = 0x414, MIS = 0x418, IC = 0x41c, AFSEL = 0x420;

function setup() {
  let irq = false;
  const gpio = new Pl061((l) => (irq = l));
  return { gpio, irq: () => irq, r: (o: number) => gpio.read(o, 4), w: (o: number, v: number) => gpio.write(o, v, 4) };
}

describe('PL061 as QEMU 7.2 on virt', () => {
  it('reset values and IDs; Luminary registers are absent', () => {
    const { r, w } = setup();
    for (const o of [DIR, IS, IBE, IEV, IE, RIS, MIS, AFSEL]) expect(r(o), o.toString(16)).toBe(0);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(r)).toEqual([0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    w(0x510, 0xff); // GPIOPUR (Luminary only)
    expect(r(0x510)).toBe(0);
    expect(r(0x500)).toBe(0); // GPIODR2R
  });

  it('data is masked by address bits 9:2 and only output lines are written', () => {
    const { r, w } = setup();
    w(DIR, 0x0f);
    w(0x3fc, 0xff);
    expect(r(0x3fc)).toBe(0x0f);
    w(0x3fc, 0);
    w(0x04 << 2, 0xff); // mask 0x04
    expect(r(0x3fc)).toBe(0x04);
    expect(r(0x02 << 2)).toBe(0);
  });

  it('a level-low sensitive input with data 0 interrupts at once (IEV 0 = low)', () => {
    const { r, w, irq } = setup();
    w(IS, 0x08);
    expect(r(RIS)).toBe(0x08);
    expect(irq()).toBe(false);
    w(IE, 0x08);
    expect(irq()).toBe(true);
    expect(r(MIS)).toBe(0x08);
    w(IC, 0x08); // level still active: set again
    expect(r(RIS)).toBe(0x08);
    w(IEV, 0x08); // now high-level sensitive; clearing sticks
    w(IC, 0x08);
    expect(r(RIS)).toBe(0);
    expect(irq()).toBe(false);
  });

  it('save/load round-trips', () => {
    const a = setup();
    a.w(DIR, 0x81);
    a.w(0x3fc, 0x81);
    const b = setup();
    b.gpio.load(a.gpio.save());
    expect(b.gpio.save()).toEqual(a.gpio.save());
    expect(b.r(0x3fc)).toBe(0x81);
  });
});
