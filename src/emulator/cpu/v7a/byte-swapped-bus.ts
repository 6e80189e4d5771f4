/**
 * Big-endian data accesses (CPSR.E = 1, SETEND BE): the same memory with halfwords and words
 * byte-reversed (BE-8). Instruction fetches stay little-endian.
 */
import type { CpuBus } from '../../memory/bus.js';
import { byteReverse } from '../alu.js';

const swap16 = (v: number): number => ((v & 0xff) << 8) | ((v >>> 8) & 0xff);

export class ByteSwappedBus implements CpuBus {
  constructor(private readonly inner: CpuBus) {}
  read8(addr: number): number {
    return this.inner.read8(addr);
  }
  read16(addr: number): number {
    return swap16(this.inner.read16(addr));
  }
  read32(addr: number): number {
    return byteReverse(this.inner.read32(addr));
  }
  write8(addr: number, value: number): void {
    this.inner.write8(addr, value);
  }
  write16(addr: number, value: number): void {
    this.inner.write16(addr, swap16(value));
  }
  write32(addr: number, value: number): void {
    this.inner.write32(addr, byteReverse(value));
  }
  fetch16(addr: number): number {
    return this.inner.fetch16(addr);
  }
}
