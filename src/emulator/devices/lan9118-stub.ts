/**
 * The LAN9118 Ethernet controller at 0x40200000, reduced to what firmware reads when probing for
 * it: ID_REV, BYTE_TEST and the ready bit of PMT_CTRL, as QEMU's model reports them after reset.
 * No network is attached; other registers read 0 and writes are ignored.
 */
import { Device } from './device.js';

const ID_REV = 0x50;
const BYTE_TEST = 0x64;
const PMT_CTRL = 0x84;

export const LAN9118_MMIO_SIZE = 0x100;

export class Lan9118Stub extends Device<Record<string, never>> {
  constructor(name: string) {
    super(name, {});
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let r = 0;
    if (offset === ID_REV) r = 0x01180001;
    else if (offset === BYTE_TEST) r = 0x87654321;
    else if (offset === PMT_CTRL) r = 1; // PM_READY
    r >>>= 0;
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(_offset: number, _value: number, _size: 1 | 2 | 4): void {}
}
