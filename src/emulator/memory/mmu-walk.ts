/**
 * What the two table walkers (short descriptors, LPAE) share: the registers of the translation
 * regime, the walk result, and descriptor reads from physical memory.
 *
 * Descriptor reads go straight to RAM (a walk is not a data access: no watchpoints, as QEMU's
 * address_space loads); a descriptor outside RAM is read through the bus, and an address that answers
 * nothing (or one above 4 GiB, out of reach of armrr's 32-bit bus) is an external abort on the walk.
 * The walk records which RAM pages held its descriptors, so the MMU can drop what it cached from
 * them when they are written.
 */
import type { Bus } from './bus.js';
import { BUS_FAULT, NO_RAM, PAGE_SHIFT } from './bus.js';
import { MmuFaultType, type MmuFaultInfo } from './mmu-fault.js';

/** Access kinds, as `translate(va, kind, user)` takes them (QEMU's MMUAccessType order). */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_FETCH = 2;
export type AccessKind = 0 | 1 | 2;

/** Permission bits of a translation (bit n allows access kind n). */
export const PROT_R = 1;
export const PROT_W = 2;
export const PROT_X = 4;

/** SCTLR bits the MMU uses. */
export const SCTLR_M = 1 << 0;
export const SCTLR_A = 1 << 1;
export const SCTLR_WXN = 1 << 19;
export const SCTLR_UWXN = 1 << 20;
export const SCTLR_EE = 1 << 25;
export const SCTLR_TRE = 1 << 28;
export const SCTLR_AFE = 1 << 29;

/** TTBCR.EAE: the regime uses LPAE (long) descriptors. */
export const TTBCR_EAE = 0x80000000;

/** The registers a stage-1 PL1&0 walk reads (owned by the Mmu, written through CP15). */
export interface TranslationRegs {
  ttbr0Lo: number;
  ttbr0Hi: number;
  ttbr1Lo: number;
  ttbr1Hi: number;
  ttbcr: number;
  dacr: number;
  /** PRRR, or MAIR0 under LPAE (same register). */
  prrr: number;
  /** NMRR, or MAIR1 under LPAE. */
  nmrr: number;
  sctlr: number;
  /** Short descriptors have PXN (Cortex-A15); without it a level-1 type 3 entry is a fault. */
  readonly hasPxn: boolean;
}

const TWO_32 = 0x1_0000_0000;

/** The outcome of a successful walk. One instance per Mmu, overwritten by every walk. */
export class WalkResult {
  /** Physical address (up to 40 bits, so a plain number, not an int32). */
  pa = 0;
  /** PROT_* bits for the privilege the walk was made for. */
  prot = 0;
  /** log2 of the page/section/block size. */
  lgPageSize = 12;
  /**
   * Memory attributes: LPAE the MAIR byte; short descriptors TEX[2:0]:C:B without TEX remap, or with
   * SCTLR.TRE the remapped type (PRRR) | inner (NMRR) << 2 | outer (NMRR) << 4. Tracked for PAR and
   * tests: memory types do not change what an access does in an emulator.
   */
  memAttr = 0;
  /** Shareability: short descriptors the S bit, LPAE SH[1:0]. */
  shareability = 0;
  /** nG: the translation belongs to the current ASID only. */
  nonGlobal = false;
  /** The descriptor's NS bit (meaningful only with the Security Extensions). */
  nonSecure = false;
  /** RAM pages (host page numbers) the descriptors were read from. */
  readonly tablePages = new Int32Array(4);
  tablePageCount = 0;
  /** False when a descriptor came from outside RAM: the translation must not be cached. */
  cacheable = true;

  begin(): void {
    this.tablePageCount = 0;
    this.cacheable = true;
    this.nonGlobal = false;
    this.nonSecure = false;
    this.memAttr = 0;
    this.shareability = 0;
  }
}

/** Reads translation table descriptors from physical memory for the walkers. */
export class DescriptorReader {
  /** The last descriptor read (LPAE: the low word). */
  lo = 0;
  /** High word of the last 64-bit descriptor. */
  hi = 0;
  /** SCTLR.EE: translation tables are big-endian (QEMU's regime_translation_big_endian). */
  bigEndian = false;

  /** `ramOnly`: refuse descriptors outside RAM instead of reading a device (debugger walks). */
  constructor(
    private readonly bus: Bus,
    private readonly ramOnly = false,
  ) {}

  /**
   * Read the 32-bit descriptor at physical `pa` into `lo`; false (with `fi` set to an external abort
   * on the walk at `level`) when nothing answers there.
   */
  read32(pa: number, res: WalkResult, fi: MmuFaultInfo, level: number, domain: number): boolean {
    if (pa >= TWO_32) {
      fi.set(MmuFaultType.SyncExternalOnWalk, level, domain);
      return false;
    }
    const host = this.bus.pageHost[pa >>> PAGE_SHIFT]!;
    if (host !== NO_RAM) {
      const v = this.bus.i32[(host + (pa & 0xffc)) >>> 2]!;
      this.lo = this.bigEndian ? byteSwap32(v) : v;
      this.note(res, host);
      return true;
    }
    res.cacheable = false;
    if (this.ramOnly) {
      fi.set(MmuFaultType.SyncExternalOnWalk, level, domain);
      return false;
    }
    try {
      const v = this.bus.read32(pa);
      this.lo = this.bigEndian ? byteSwap32(v) : v;
      return true;
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      fi.set(MmuFaultType.SyncExternalOnWalk, level, domain);
      return false;
    }
  }

  /** Read the 64-bit descriptor at physical `pa` (8-aligned) into `lo`/`hi`. */
  read64(pa: number, res: WalkResult, fi: MmuFaultInfo, level: number): boolean {
    if (!this.read32(pa, res, fi, level, 0)) return false;
    const first = this.lo;
    if (!this.read32(pa + 4, res, fi, level, 0)) return false;
    // Little-endian: the low word comes first; big-endian (each word already swapped): the high one.
    if (this.bigEndian) {
      this.hi = first;
    } else {
      this.hi = this.lo;
      this.lo = first;
    }
    return true;
  }

  private note(res: WalkResult, host: number): void {
    const hp = host >>> PAGE_SHIFT;
    for (let i = 0; i < res.tablePageCount; i++) if (res.tablePages[i] === hp) return;
    if (res.tablePageCount < res.tablePages.length) res.tablePages[res.tablePageCount++] = hp;
    else res.cacheable = false;
  }
}

function byteSwap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
}

/** QEMU's simple_ap_to_rw_prot_is_user: AP[2:1] (LPAE, or short descriptors with SCTLR.AFE). */
export function simpleApToProt(ap: number, user: boolean): number {
  switch (ap & 3) {
    case 0:
      return user ? 0 : PROT_R | PROT_W;
    case 1:
      return PROT_R | PROT_W;
    case 2:
      return user ? 0 : PROT_R;
    default:
      return PROT_R;
  }
}
