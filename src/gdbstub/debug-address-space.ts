/**
 * The addresses gdb uses are the ones the CPU sees: virtual on an A-profile core with its MMU on,
 * physical otherwise. This maps them for the debugger through the MMU of the current regime
 * (privilege, TTBRs, TTBCR, SCTLR) without side effects: no TLB fill, no fault raised into the
 * guest (invariant I5), so a gdb read never changes what the replay does.
 */
import type { Machine } from '../emulator/machines/machine.js';
import { Mmu } from '../emulator/memory/mmu.js';

/** Pages the bus watches (4 KiB); a watched virtual range is translated page by page. */
const PAGE_BYTES = 4096;

export interface PhysicalPiece {
  /** Virtual start of this piece of a watched range. */
  readonly va: number;
  /** Physical address it maps to now. */
  readonly pa: number;
  readonly len: number;
}

export class DebugAddressSpace {
  /** The core's MMU, or null on a core without one (M-profile: addresses are physical). */
  readonly mmu: Mmu | null;

  constructor(readonly machine: Machine) {
    this.mmu = (machine.devices.find((d) => d instanceof Mmu) as Mmu | undefined) ?? null;
  }

  /** The physical address of `va` for a read now, or -1 when it does not translate (or lies above 4 GiB). */
  translate(va: number): number {
    if (this.mmu === null) return va >>> 0;
    const pa = this.mmu.debugTranslate(va >>> 0);
    return pa >= 2 ** 32 ? -1 : pa;
  }

  /** Bytes at virtual `va`, or null when a page does not translate or is not readable. */
  read(va: number, length: number, allowMmio: boolean): Uint8Array | null {
    if (this.mmu === null) return this.machine.bus.debugRead(va, length, allowMmio);
    return this.mmu.debugRead(va, length, allowMmio);
  }

  /** Bytes at physical `pa` (`monitor phys`), or null when not readable. */
  readPhysical(pa: number, length: number, allowMmio: boolean): Uint8Array | null {
    return this.machine.bus.debugRead(pa, length, allowMmio);
  }

  /**
   * True when every byte of [addr, addr+len) translates (`physical`: no MMU) and lands on RAM or a
   * device, i.e. a read with devices allowed may succeed; side-effect free.
   */
  isBacked(addr: number, len: number, physical: boolean): boolean {
    const bus = this.machine.bus;
    for (let at = 0; at < len; ) {
      const a = (addr + at) >>> 0;
      const n = Math.min(len - at, PAGE_BYTES - (a % PAGE_BYTES));
      const pa = physical ? a : this.translate(a);
      if (pa < 0) return false;
      for (let k = 0; k < n; k++) if (!bus.isMapped((pa + k) >>> 0)) return false;
      at += n;
    }
    return true;
  }

  /** [va, va+len) as physical pieces, one per page; pages that do not translate are left out. */
  physicalPieces(va: number, len: number): PhysicalPiece[] {
    const pieces: PhysicalPiece[] = [];
    for (let at = 0; at < len; ) {
      const a = (va + at) >>> 0;
      const n = Math.min(len - at, PAGE_BYTES - (a % PAGE_BYTES));
      const pa = this.translate(a);
      if (pa >= 0) pieces.push({ va: a, pa, len: n });
      at += n;
    }
    return pieces;
  }

  /** Called whenever cached translations are dropped (a TTBR/TTBCR/SCTLR/CONTEXTIDR write, TLBI, a restore). */
  set onTranslationChange(listener: (() => void) | null) {
    if (this.mmu !== null) this.mmu.onFlush = listener;
  }
}
