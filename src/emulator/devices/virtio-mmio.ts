/**
 * The 32 virtio-mmio transports of `virt` (hw/virtio/virtio-mmio.c, 0x200 apart from 0x0a000000)
 * with no backend attached, as QEMU 7.2 answers them (legacy transport, the default): MagicValue
 * "virt" at +0x00, Version 1 at +0x04, DeviceID 0 (no device) at +0x08, VendorID "QEMU" at +0x0c,
 * everything else reads 0 and writes are ignored. Narrower reads return the low bytes of the
 * register at that offset (a byte read at +1 is offset 1: 0). Stateless.
 */
import { Device } from './device.js';

export const VIRTIO_MMIO_COUNT = 32;
export const VIRTIO_MMIO_STRIDE = 0x200;

const MAGIC = 0x74726976; // "virt"
const LEGACY_VERSION = 1;
const VENDOR_QEMU = 0x554d4551; // "QEMU"

export class VirtioMmioTransports extends Device<Record<string, never>> {
  constructor() {
    super('virtio-mmio', {});
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v: number;
    switch (offset % VIRTIO_MMIO_STRIDE) {
      case 0x00:
        v = MAGIC;
        break;
      case 0x04:
        v = LEGACY_VERSION;
        break;
      case 0x0c:
        v = VENDOR_QEMU;
        break;
      default:
        v = 0; // DeviceID 0 and every other register
    }
    return size === 4 ? v : v & (size === 2 ? 0xffff : 0xff);
  }

  write(_offset: number, _value: number, _size: 1 | 2 | 4): void {}
}
