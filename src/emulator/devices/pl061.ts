/**
 * Arm PrimeCell PL061 GPIO as QEMU 7.2 models it on `virt` (hw/gpio/pl061.c, non-Luminary, with
 * virt's "pullups" = 0 and "pulldowns" = 0xff: undriven lines read 0). Eight lines; the data
 * register is addressed through bits 9:2 of the offset as a write/read mask; edge and level
 * interrupts per line (IS/IBE/IEV/IE), RIS/MIS/IC. The Luminary-only registers (0x500-0x528)
 * read 0 and ignore writes, as QEMU's bad-offset path. Nothing drives the inputs on virt except
 * QEMU's power button (line 3), which armrr does not model.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';

/** GPIOPeriphID4-7, 0-3, PCellID0-3 at 0xfd0 (QEMU's pl061_id). */
const PL061_ID = [0x00, 0x00, 0x00, 0x00, 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

function initialState() {
  return {
    data: 0,
    oldOutData: 0,
    oldInData: 0,
    dir: 0,
    isense: 0,
    ibe: 0,
    iev: 0,
    im: 0,
    istate: 0,
    afsel: 0,
  };
}

export type Pl061State = ReturnType<typeof initialState>;

export class Pl061 extends Device<Pl061State> {
  constructor(private readonly irq: IrqLine) {
    super('pl061', initialState());
  }

  override reset(): void {
    super.reset();
    this.irq(false);
  }

  override load(state: Pl061State): void {
    super.load(state);
    this.irq((this.s.istate & this.s.im) !== 0);
  }

  /** QEMU's pl061_update: output latch, input edges, level interrupts. */
  private update(): void {
    const s = this.s;
    // Outputs from the data register; inputs are pulled down (none float on virt).
    s.oldOutData = s.data & s.dir & 0xff;
    const changed = (s.oldInData ^ s.data) & ~s.dir & 0xff;
    if (changed) {
      s.oldInData = s.data;
      for (let i = 0; i < 8; i++) {
        const mask = 1 << i;
        if (!(changed & mask) || s.isense & mask) continue;
        s.istate |= s.ibe & mask ? mask : ~(s.data ^ s.iev) & mask;
      }
    }
    s.istate = (s.istate | (~(s.data ^ s.iev) & s.isense)) >>> 0;
    this.irq((s.istate & s.im) !== 0);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r = 0;
    if (offset < 0x400) r = s.data & (offset >> 2);
    else {
      switch (offset) {
        case 0x400:
          r = s.dir;
          break;
        case 0x404:
          r = s.isense;
          break;
        case 0x408:
          r = s.ibe;
          break;
        case 0x40c:
          r = s.iev;
          break;
        case 0x410:
          r = s.im;
          break;
        case 0x414:
          r = s.istate;
          break;
        case 0x418:
          r = s.istate & s.im;
          break;
        case 0x420:
          r = s.afsel;
          break;
        default:
          if (offset >= 0xfd0 && offset < 0x1000) r = PL061_ID[(offset - 0xfd0) >> 2]!;
      }
    }
    return size === 4 ? r >>> 0 : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    value >>>= 0;
    if (offset < 0x400) {
      const mask = (offset >> 2) & s.dir;
      s.data = (s.data & ~mask) | (value & mask);
      this.update();
      return;
    }
    switch (offset) {
      case 0x400:
        s.dir = value & 0xff;
        break;
      case 0x404:
        s.isense = value & 0xff;
        break;
      case 0x408:
        s.ibe = value & 0xff;
        break;
      case 0x40c:
        s.iev = value & 0xff;
        break;
      case 0x410:
        s.im = value & 0xff;
        break;
      case 0x41c:
        s.istate = (s.istate & ~value) >>> 0;
        break;
      case 0x420:
        s.afsel = value & 0xff; // GPIOCR (commit mask) is 0xff on a non-Luminary PL061
        break;
      default:
        return; // bad offset: ignored without an update, as QEMU
    }
    this.update();
  }
}
