/**
 * The Private Peripheral Bus 0xE0000000-0xE00FFFFF as QEMU 7.2's armv7m container lays it out:
 * the System Control Space at 0xE000E000 (NVIC/SCB, with SysTick overlaid at 0xE000E010-0xE000E0EF)
 * and, everywhere else (ITM, DWT, FPB, TPIU, ...), a default region that reads as zero and ignores
 * writes for privileged code and raises a BusFault for unprivileged code.
 */
import { BUS_FAULT, type MmioHandler } from '../memory/bus.js';
import type { CpuState } from '../cpu/state.js';
import type { Nvic } from './nvic.js';
import type { Systick } from './systick.js';

export const PPB_BASE = 0xe0000000;
export const PPB_SIZE = 0x100000;
const SCS_START = 0xe000;
const SCS_END = 0xf000;
const SYSTICK_START = 0xe010;
const SYSTICK_END = 0xe0f0;

export class PrivatePeripheralBus implements MmioHandler {
  readonly name = 'ppb';

  constructor(
    private readonly cpu: CpuState,
    private readonly nvic: Nvic,
    private readonly systick: Systick,
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= SYSTICK_START && offset < SYSTICK_END) return this.systick.read(offset - SYSTICK_START, size);
    if (offset >= SCS_START && offset < SCS_END) return this.nvic.read(offset - SCS_START, size);
    this.checkDefaultAccess(offset, false);
    return 0;
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (offset >= SYSTICK_START && offset < SYSTICK_END) {
      this.systick.write(offset - SYSTICK_START, value, size);
      return;
    }
    if (offset >= SCS_START && offset < SCS_END) {
      this.nvic.write(offset - SCS_START, value, size);
      return;
    }
    this.checkDefaultAccess(offset, true);
  }

  private checkDefaultAccess(offset: number, isWrite: boolean): void {
    if (this.cpu.ipsr === 0 && (this.cpu.control & 1) !== 0) {
      BUS_FAULT.address = (PPB_BASE + offset) >>> 0;
      BUS_FAULT.isWrite = isWrite;
      throw BUS_FAULT;
    }
  }
}
