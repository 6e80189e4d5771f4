/**
 * The Cortex-A9 MPCore private memory region (QEMU 7.2 hw/cpu/a9mpcore.c, "a9mpcore_priv") for
 * one CPU, 8 KiB at PERIPHBASE, dispatching to its parts by offset (they share 4 KiB pages, so one
 * handler owns the region):
 *   0x0000 SCU, 0x0100 GIC CPU interface, 0x0200 global timer, 0x0600 private timer,
 *   0x0620 watchdog (a second private timer in QEMU), 0x1000 GIC distributor.
 * The holes (0x0300-0x05ff, 0x0640-0x0fff) read 0 and ignore writes, as unassigned addresses on
 * vexpress do. The parts are separate devices (their own state and snapshot entries).
 */
import type { MmioHandler } from '../memory/bus.js';

export const A9_MPCORE_PRIVATE_SIZE = 0x2000;

export interface A9MpcoreParts {
  scu: MmioHandler;
  gicCpu: MmioHandler;
  globalTimer: MmioHandler;
  privateTimer: MmioHandler;
  watchdog: MmioHandler;
  gicDistributor: MmioHandler;
}

export class A9MpcorePrivate implements MmioHandler {
  readonly name = 'a9mpcore-priv';

  constructor(private readonly parts: A9MpcoreParts) {}

  read(offset: number, size: 1 | 2 | 4): number {
    const p = this.parts;
    if (offset >= 0x1000) return p.gicDistributor.read(offset - 0x1000, size);
    if (offset < 0x100) return p.scu.read(offset, size);
    if (offset < 0x200) return p.gicCpu.read(offset - 0x100, size);
    if (offset < 0x220) return p.globalTimer.read(offset - 0x200, size);
    if (offset >= 0x600 && offset < 0x620) return p.privateTimer.read(offset - 0x600, size);
    if (offset >= 0x620 && offset < 0x640) return p.watchdog.read(offset - 0x620, size);
    return 0;
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    const p = this.parts;
    if (offset >= 0x1000) p.gicDistributor.write(offset - 0x1000, value, size);
    else if (offset < 0x100) p.scu.write(offset, value, size);
    else if (offset < 0x200) p.gicCpu.write(offset - 0x100, value, size);
    else if (offset < 0x220) p.globalTimer.write(offset - 0x200, value, size);
    else if (offset >= 0x600 && offset < 0x620) p.privateTimer.write(offset - 0x600, value, size);
    else if (offset >= 0x620 && offset < 0x640) p.watchdog.write(offset - 0x620, value, size);
  }
}
