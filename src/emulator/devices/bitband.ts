/**
 * Cortex-M3 bit-band alias (hw/arm/armv7m.c): each word of the 32 MiB alias maps to one bit of
 * the 1 MiB region at `target`. Accesses go through the bus (so RAM observers, watchpoints and
 * devices see them); an access of size N reads/writes the N-byte unit holding the bit.
 */
import type { Bus, MmioHandler } from '../memory/bus.js';

export class BitBand implements MmioHandler {
  constructor(
    readonly name: string,
    private readonly bus: Bus,
    /** Base address of the bit-banded region (0x20000000 or 0x40000000). */
    private readonly target: number,
  ) {}

  private unitAddress(offset: number, size: 1 | 2 | 4): number {
    return ((this.target | ((offset & 0x1ffffff) >>> 5)) & -size) >>> 0;
  }

  private readUnit(addr: number, size: 1 | 2 | 4): number {
    return size === 4 ? this.bus.read32(addr) : size === 2 ? this.bus.read16(addr) : this.bus.read8(addr);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const addr = this.unitAddress(offset, size);
    const bitpos = (offset >>> 2) & (size * 8 - 1);
    return (this.readUnit(addr, size) >>> bitpos) & 1;
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    const addr = this.unitAddress(offset, size);
    const bitpos = (offset >>> 2) & (size * 8 - 1);
    const old = this.readUnit(addr, size);
    const unit = value & 1 ? old | (1 << bitpos) : old & ~(1 << bitpos);
    if (size === 4) this.bus.write32(addr, unit);
    else if (size === 2) this.bus.write16(addr, unit & 0xffff);
    else this.bus.write8(addr, unit & 0xff);
  }
}
