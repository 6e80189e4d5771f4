/**
 * The PCIe MMIO (0x10000000-0x3efeffff) and I/O (0x3eff0000-0x3effffff) windows of `virt`'s
 * generic PCIe host: with no PCI device assigned, QEMU 7.2 reads all ones there and ignores writes
 * (no external abort), as measured. The ECAM space of a Cortex-A15 (LPAE) virt lies above 4 GiB.
 */
import { Device } from './device.js';

export const VIRT_PCIE_MMIO_BASE = 0x10000000;
export const VIRT_PCIE_MMIO_SIZE = 0x2eff0000;
export const VIRT_PCIE_PIO_BASE = 0x3eff0000;
export const VIRT_PCIE_PIO_SIZE = 0x10000;

export class PcieHostWindow extends Device<Record<string, never>> {
  constructor(name: string) {
    super(name, {});
  }
  read(_offset: number, size: 1 | 2 | 4): number {
    return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  }
  write(_offset: number, _value: number, _size: 1 | 2 | 4): void {}
}
