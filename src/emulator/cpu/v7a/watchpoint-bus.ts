/**
 * The core's data view while a CP14 watchpoint is armed: every load and store is checked against
 * the watchpoints before it happens (QEMU's BP_STOP_BEFORE_ACCESS), and a hit is a data abort with
 * the debug-event FSR (no WnR: QEMU's arm_debug_exception_fsr) and FAR = the watched address hit.
 * Instruction fetches and accesses made for the guest outside an instruction (semihosting, table
 * walks) bypass this view, as they bypass QEMU's watchpoints.
 */
import type { CpuBus } from '../../memory/bus.js';
import { raiseAbort } from './abort.js';
import { WATCH_READ, WATCH_WRITE, type DebugRegisters } from './debug-registers.js';

/** What the view needs from the core when a watchpoint hits. */
export interface WatchpointCore {
  /** The access is unprivileged whatever the mode (LDRT/STRT). */
  accessIsUnprivileged(): boolean;
  /** The debug-event FSR in the current format (short or LPAE). */
  debugFsr(): number;
}

export class WatchpointBus implements CpuBus {
  /** The view the accesses go to when no watchpoint fires (little- or big-endian data). */
  inner: CpuBus;

  constructor(
    inner: CpuBus,
    private readonly debug: DebugRegisters,
    private readonly core: WatchpointCore,
  ) {
    this.inner = inner;
  }

  private check(addr: number, size: number, kind: number): void {
    if (this.debug.watchpointHit(addr >>> 0, size, kind, this.core.accessIsUnprivileged())) {
      raiseAbort(this.core.debugFsr(), this.debug.hitAddress, kind === WATCH_WRITE, false);
    }
  }

  read8(addr: number): number {
    this.check(addr, 1, WATCH_READ);
    return this.inner.read8(addr);
  }
  read16(addr: number): number {
    this.check(addr, 2, WATCH_READ);
    return this.inner.read16(addr);
  }
  read32(addr: number): number {
    this.check(addr, 4, WATCH_READ);
    return this.inner.read32(addr);
  }
  write8(addr: number, value: number): void {
    this.check(addr, 1, WATCH_WRITE);
    this.inner.write8(addr, value);
  }
  write16(addr: number, value: number): void {
    this.check(addr, 2, WATCH_WRITE);
    this.inner.write16(addr, value);
  }
  write32(addr: number, value: number): void {
    this.check(addr, 4, WATCH_WRITE);
    this.inner.write32(addr, value);
  }
  fetch16(addr: number): number {
    return this.inner.fetch16(addr);
  }
}
