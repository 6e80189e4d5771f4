/**
 * Cortex-A9 MPCore Snoop Control Unit as QEMU 7.2 models it (hw/misc/a9scu.c) for one CPU:
 * Control (bit 0), Configuration (read-only: CPU count and SMP bits), CPU Power Status, and the
 * invalidate-all and filtering registers as RAZ/WI. Everything else reads 0 (QEMU logs LOG_UNIMP).
 */
import { Device } from './device.js';

export const A9_SCU_SIZE = 0x100;

export class A9Scu extends Device<{ control: number; status: number }> {
  constructor(private readonly numCpu = 1) {
    super('a9-scu', { control: 0, status: 0 });
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    switch (offset) {
      case 0x00:
        return this.s.control;
      case 0x04:
        return ((((1 << this.numCpu) - 1) << 4) | (this.numCpu - 1)) >>> 0;
      case 0x08:
        return this.s.status >>> 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    switch (offset) {
      case 0x00:
        this.s.control = value & 1;
        break;
      case 0x08:
      case 0x09:
      case 0x0a:
      case 0x0b:
        this.s.status = value | 0;
        break;
      default:
        break;
    }
  }
}
