/**
 * ARM SBCon two-wire (bit-banged I2C) controller as QEMU models it: CONTROL at 0 (read: SCL in
 * bit 0, SDA input in bit 1; write: set bits), CONTROLC at 4 (clear bits). No I2C device is
 * attached on mps2-an385, so the SDA input follows what the controller drives (the pulled-up
 * line, which is also what an unanswered ACK reads as). Other offsets read as all ones.
 */
import { Device } from './device.js';

const CONTROL = 0x00;
const CONTROLC = 0x04;

type SbconState = { out: number; in: number };

export class SbconI2c extends Device<SbconState> {
  constructor(name: string) {
    super(name, { out: 0, in: 0 });
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const r = offset === CONTROL ? (this.s.out & 1) | (this.s.in << 1) : 0xffffffff;
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    if (offset === CONTROL) this.s.out |= value & 3;
    else if (offset === CONTROLC) this.s.out &= ~value;
    this.s.in = (this.s.out >> 1) & 1;
  }
}
