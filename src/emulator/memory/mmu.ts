/**
 * The VMSAv7 MMU of an A-profile core (stage 1, PL1&0 regime): it wraps the physical `Bus` and
 * offers the bus's access methods on virtual addresses for the current privilege. Short descriptors
 * (mmu-short-descriptor.ts) or LPAE (mmu-lpae.ts) by TTBCR.EAE; a software TLB per privilege
 * (tlb.ts) keeps hits to two typed-array loads: virtual page → physical page, then the bus's own
 * page tables (so snapshot copy-on-write, watchpoints and code-page checks still see every access
 * exactly as without the MMU). MMIO and everything unusual go through the bus's methods.
 *
 * Faults throw `MMU_FAULT` with the FSR in the regime's format (QEMU: the format follows TTBCR.EAE
 * even with the MMU off); an unassigned physical address becomes an external abort (0x008 / LPAE
 * 0x210, WnR for writes) at the virtual address. With SCTLR.M = 0 addresses pass straight through.
 *
 * FCSE (QEMU 7.2's get_phys_addr on a v7 core): a VA below 32 MiB has FCSEIDR added — all of it,
 * QEMU keeps every bit written — before translation, with the MMU off as well as on; faults report
 * the unmodified VA. While FCSEIDR is non-zero the MMU-off path uses the TLB too (VA page → page of
 * the modified address, as QEMU's TLB keeps it) instead of the identity entries.
 *
 * Invariant I5: the TLB is flushed on every register write that can change a walk and whenever RAM
 * holding a descriptor it cached from is written (the bus's table-page protection), so an access
 * gives what a fresh walk gives, warm TLB or cold; `load()` drops everything.
 */
import type { DeviceState, StatefulComponent } from '../devices/device.js';
import type { Bus, TableWriteObserver } from './bus.js';
import { BUS_FAULT, NO_RAM, PAGE_SHIFT } from './bus.js';
import { FSR_WNR, longFormatFsr, MMU_FAULT, MmuFaultInfo, type MmuFaultSignal, MmuFaultType, shortFormatFsr } from './mmu-fault.js';
import { walkLpae } from './mmu-lpae.js';
import { walkShortDescriptor } from './mmu-short-descriptor.js';
import {
  ACCESS_FETCH,
  ACCESS_READ,
  ACCESS_WRITE,
  type AccessKind,
  DescriptorReader,
  SCTLR_A,
  SCTLR_AFE,
  SCTLR_EE,
  SCTLR_M,
  SCTLR_TRE,
  SCTLR_UWXN,
  SCTLR_WXN,
  TTBCR_EAE,
  type TranslationRegs,
  WalkResult,
} from './mmu-walk.js';
import { Tlb } from './tlb.js';
import { JIT_TLB_VIEWS_WORDS, JitTlb, VIEW_IDENTITY, VIEW_PRIV, VIEW_USER } from './jit-tlb.js';
import { STATE_FETCH_IDENTITY, STATE_FETCH_PRIV, STATE_FETCH_USER, STATE_JIT_TLB } from '../cpu/wasm/wasm-state-layout.js';

export { MMU_FAULT, MmuFaultSignal } from './mmu-fault.js';
export { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, type AccessKind } from './mmu-walk.js';

const TWO_32 = 0x1_0000_0000;
const PAGE_OFFSET = 0xfff;
/** SCTLR bits that change a translation (anything else the MMU ignores). */
const SCTLR_WALK_BITS = SCTLR_M | SCTLR_AFE | SCTLR_TRE | SCTLR_WXN | SCTLR_UWXN | SCTLR_EE;
/** TTBCR fields of the short-descriptor format. */
const TTBCR_N = 7;
const TTBCR_PD0 = 1 << 4;
const TTBCR_PD1 = 1 << 5;
/** LPAE-format TTBCR bits that are UNK/SBZP before ARMv8 (QEMU masks them): [21:19], [15:14], [6:3]. */
const TTBCR_LPAE_SBZ = (7 << 19) | (3 << 14) | (0xf << 3);

/** Saved MMU state (registers it owns, its copy of SCTLR and the privilege the core set). */
export interface MmuState extends DeviceState {
  ttbr0Lo: number;
  ttbr0Hi: number;
  ttbr1Lo: number;
  ttbr1Hi: number;
  ttbcr: number;
  dacr: number;
  prrr: number;
  nmrr: number;
  contextidr: number;
  parLo: number;
  parHi: number;
  sctlr: number;
  fcseidr: number;
  user: number;
  forceUser: number;
}

/** One translation as `Mmu.inspect` reports it. */
export interface TranslationInfo {
  pa: number;
  /** PROT_R | PROT_W | PROT_X bits (1, 2, 4). */
  prot: number;
  lgPageSize: number;
  memAttr: number;
  shareability: number;
  nonGlobal: boolean;
}

export interface MmuOptions {
  /**
   * The core has the Security Extensions (vexpress-a9's Cortex-A9: TTBCR.PD0/PD1 exist, walks are
   * Secure). QEMU's virt without `secure=on` has none: PD0/PD1 read as zero and PAR.NS is set.
   */
  securityExtensions?: boolean;
  /**
   * The core has LPAE (Cortex-A15, the default): TTBCR.EAE, 64-bit TTBRs/PAR, AMAIR0/1. Without it
   * (Cortex-A9) TTBCR.EAE reads as zero and only the short-descriptor format exists.
   */
  lpae?: boolean;
  /**
   * The short-descriptor format has PXN (ID_MMFR0.VMSA >= 4: the Cortex-A15, the default). Without
   * it (Cortex-A9) a level-1 entry of type 3 is a translation fault and the page-table PXN bit is
   * ignored, as QEMU's get_phys_addr_v6 does.
   */
  pxn?: boolean;
}

/** One page of identity translations (virtual page i → physical page i, all permissions): MMU off. */
let identityEntries: Int32Array | null = null;
function identity(): Int32Array {
  if (identityEntries === null) identityEntries = fillIdentity(new Int32Array(1 << (32 - PAGE_SHIFT)));
  return identityEntries;
}
function fillIdentity(entries: Int32Array): Int32Array {
  for (let i = 0; i < entries.length; i++) entries[i] = (i << 3) | 7;
  return entries;
}

export class Mmu implements StatefulComponent<MmuState>, TranslationRegs, TableWriteObserver {
  readonly name = 'mmu';
  /** The object every fault of this MMU throws (the core compares caught values with it). */
  readonly faultSignal: MmuFaultSignal = MMU_FAULT;

  // Registers (TranslationRegs): written through CP15 (mmu-registers.ts) and setSctlr.
  ttbr0Lo = 0;
  ttbr0Hi = 0;
  ttbr1Lo = 0;
  ttbr1Hi = 0;
  ttbcr = 0;
  dacr = 0;
  prrr = 0;
  nmrr = 0;
  sctlr = 0;
  contextidr = 0;
  /** FCSEIDR: added to VAs below 32 MiB (write it through writeFcseidr). */
  fcseidr = 0;
  parLo = 0;
  parHi = 0;

  private readonly securityExtensions: boolean;
  /** The core implements LPAE (see MmuOptions.lpae). */
  readonly hasLpae: boolean;
  /** Short descriptors have PXN (see MmuOptions.pxn). */
  readonly hasPxn: boolean;
  private userMode = false;
  private unprivileged = false;
  /**
   * The generation of the current entries: each TLB takes a new number whenever one of its valid
   * entries may change (flushes, a refill over a valid entry; a fill of an empty entry keeps it), all
   * drawn from one counter, and the identity map keeps 0. So an equal number means the same entries,
   * unchanged, whatever privilege switches came between: the A32 block chain's remembered
   * successors hold while it stays the same.
   */
  fetchGeneration = 0;
  private generations = 0;
  private privGeneration = ++this.generations;
  private userGeneration = ++this.generations;
  private readonly privTlb: Tlb;
  private readonly userTlb: Tlb;
  /** The MMU-off entries (the shared identity map, or this MMU's copy in the wasm state area). */
  private readonly identityEntries: Int32Array;
  /** The entries accesses use now: the current privilege's TLB, or the identity map when off. */
  private cur: Int32Array;
  /** Generated code's direct-mapped TLB over `cur` and the bus's fast paths, and the view of `cur`. */
  private readonly jitTlb: JitTlb;
  private view = VIEW_IDENTITY;
  private readonly res = new WalkResult();
  private readonly fi = new MmuFaultInfo();
  private readonly reader: DescriptorReader;
  private readonly debugReader: DescriptorReader;
  /**
   * Host pages marked as holding cached descriptors (cleared with the TLB), each with the
   * translations walked through it (virtual page × 2 + 1 for PL0); a list that grew past
   * TABLE_PAGE_TRANSLATIONS stops there and its page's write flushes everything.
   */
  private readonly tablePageTranslations = new Map<number, number[]>();

  // The bus's arrays, for the inlined RAM paths.
  private readonly pageRead: Int32Array;
  private readonly pageWrite: Int32Array;
  private readonly pageHost: Int32Array;
  private readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;

  constructor(
    readonly bus: Bus,
    options: MmuOptions = {},
  ) {
    this.securityExtensions = options.securityExtensions === true;
    this.hasLpae = options.lpae !== false;
    this.hasPxn = options.pxn !== false;
    this.reader = new DescriptorReader(bus);
    this.debugReader = new DescriptorReader(bus, true);
    this.pageRead = bus.pageRead;
    this.pageWrite = bus.pageWrite;
    this.pageHost = bus.pageHost;
    this.u8 = bus.u8;
    this.u16 = bus.u16;
    this.i32 = bus.i32;
    // On a wasm-backed bus the entries and the JIT TLB views live in the state area, where wasm
    // code reads them (wasm-state-layout.ts).
    const w = bus.wasm;
    const at = (offset: number, words: number): Int32Array | undefined => (w === null ? undefined : new Int32Array(w.memory.buffer, w.stateBase + offset, words));
    const own = at(STATE_FETCH_IDENTITY, 1 << (32 - PAGE_SHIFT));
    this.identityEntries = own === undefined ? identity() : fillIdentity(own);
    this.privTlb = new Tlb(at(STATE_FETCH_PRIV, 1 << (32 - PAGE_SHIFT)));
    this.userTlb = new Tlb(at(STATE_FETCH_USER, 1 << (32 - PAGE_SHIFT)));
    this.cur = this.identityEntries;
    bus.tableObserver = this;
    this.jitTlb = new JitTlb(bus.pageRead, bus.pageWrite, bus.ramSize / (1 << PAGE_SHIFT), at(STATE_JIT_TLB, JIT_TLB_VIEWS_WORDS));
    bus.fastPathObserver = this.jitTlb;
  }

  // ---- Controls the core drives ------------------------------------------------------------

  /** The core runs at PL0 (set on every mode change). */
  get user(): boolean {
    return this.userMode;
  }
  set user(v: boolean) {
    this.userMode = v;
    this.selectEntries();
  }

  /** Accesses are made as PL0 whatever the mode (set around LDRT/STRT and friends). */
  get forceUser(): boolean {
    return this.unprivileged;
  }
  set forceUser(v: boolean) {
    this.unprivileged = v;
    this.selectEntries();
  }

  /** Called by the core on every SCTLR write. */
  setSctlr(v: number): void {
    const changed = (this.sctlr ^ v) & SCTLR_WALK_BITS;
    this.sctlr = v >>> 0;
    this.syncTableEndianness();
    if (changed !== 0) this.flushAll();
    this.selectEntries();
  }

  /**
   * The translation entries accesses use now (the current privilege's TLB, or the identity map
   * when off): the A-profile JIT reads them at block entry for its inlined RAM accesses.
   */
  get entries(): Int32Array {
    return this.cur;
  }

  /**
   * The JIT TLB entries of the current view (jit-tlb.ts), as `entries`: a mode change, SCTLR or
   * TLB maintenance ends a block, so a block reads them once at entry.
   */
  get jitEntries(): Int32Array {
    return this.jitTlb.views[this.view]!;
  }

  /** After generated code's slow-path access to `va` succeeded: cache its page for the next ones. */
  jitRefill(va: number): void {
    const vp = va >>> PAGE_SHIFT;
    this.jitTlb.fill(this.view, vp, this.cur[vp]!);
  }

  /** SCTLR.M: translation on. */
  get enabled(): boolean {
    return (this.sctlr & SCTLR_M) !== 0;
  }

  /** SCTLR.A: the core must check alignment of every data access. */
  get alignmentChecks(): boolean {
    return (this.sctlr & SCTLR_A) !== 0;
  }

  /** The regime uses LPAE (long) descriptors and fault status format: TTBCR.EAE, even with the MMU off. */
  get longDescriptors(): boolean {
    return (this.ttbcr & TTBCR_EAE) !== 0;
  }

  /** The current ASID: CONTEXTIDR[7:0], or under LPAE the one in TTBR0/TTBR1 (TTBCR.A1). */
  get asid(): number {
    if (!this.longDescriptors) return this.contextidr & 0xff;
    return (((this.ttbcr >>> 22) & 1) !== 0 ? this.ttbr1Hi : this.ttbr0Hi) >>> 16;
  }

  private syncTableEndianness(): void {
    const be = (this.sctlr & SCTLR_EE) !== 0;
    this.reader.bigEndian = be;
    this.debugReader.bigEndian = be;
  }

  private selectEntries(): void {
    if ((this.sctlr & SCTLR_M) === 0 && this.fcseidr === 0) {
      this.cur = this.identityEntries;
      this.view = VIEW_IDENTITY;
    } else if (this.userMode || this.unprivileged) {
      this.cur = this.userTlb.entries;
      this.view = VIEW_USER;
    } else {
      this.cur = this.privTlb.entries;
      this.view = VIEW_PRIV;
    }
    this.syncFetchGeneration();
  }

  private syncFetchGeneration(): void {
    this.fetchGeneration = this.view === VIEW_PRIV ? this.privGeneration : this.view === VIEW_USER ? this.userGeneration : 0;
  }

  /** Valid entries of both TLBs may have changed. */
  private entriesChanged(): void {
    this.privGeneration = ++this.generations;
    this.userGeneration = ++this.generations;
    this.syncFetchGeneration();
  }

  // ---- Data accesses (the Bus's methods on virtual addresses) --------------------------------

  read8(va: number): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 1) !== 0) {
      const host = this.pageRead[e >>> 3]!;
      if (host !== NO_RAM) return this.u8[(host + (va & PAGE_OFFSET)) >>> 0]!;
    }
    return this.slowRead(va >>> 0, 1);
  }

  read16(va: number): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 1) !== 0 && (va & 1) === 0) {
      const host = this.pageRead[e >>> 3]!;
      if (host !== NO_RAM) return this.u16[(host + (va & PAGE_OFFSET)) >>> 1]!;
    }
    return this.slowRead(va >>> 0, 2);
  }

  /** Returns a signed 32-bit value. */
  read32(va: number): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 1) !== 0 && (va & 3) === 0) {
      const host = this.pageRead[e >>> 3]!;
      if (host !== NO_RAM) return this.i32[(host + (va & PAGE_OFFSET)) >>> 2]!;
    }
    return this.slowRead(va >>> 0, 4) | 0;
  }

  write8(va: number, value: number): void {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 2) !== 0) {
      const host = this.pageWrite[e >>> 3]!;
      if (host !== NO_RAM) {
        this.u8[(host + (va & PAGE_OFFSET)) >>> 0] = value;
        return;
      }
    }
    this.slowWrite(va >>> 0, value, 1);
  }

  write16(va: number, value: number): void {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 2) !== 0 && (va & 1) === 0) {
      const host = this.pageWrite[e >>> 3]!;
      if (host !== NO_RAM) {
        this.u16[(host + (va & PAGE_OFFSET)) >>> 1] = value;
        return;
      }
    }
    this.slowWrite(va >>> 0, value, 2);
  }

  write32(va: number, value: number): void {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 2) !== 0 && (va & 3) === 0) {
      const host = this.pageWrite[e >>> 3]!;
      if (host !== NO_RAM) {
        this.i32[(host + (va & PAGE_OFFSET)) >>> 2] = value;
        return;
      }
    }
    this.slowWrite(va >>> 0, value, 4);
  }

  // ---- Instruction fetch (no watchpoints, as Bus.fetch16) ------------------------------------

  fetch16(va: number): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 4) !== 0 && (va & 1) === 0) {
      const host = this.pageHost[e >>> 3]!;
      if (host !== NO_RAM) return this.u16[(host + (va & PAGE_OFFSET)) >>> 1]!;
    }
    return this.slowFetch16(va >>> 0);
  }

  /** A32 fetch of a word-aligned instruction; returns a signed 32-bit value. */
  fetch32(va: number): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & 4) !== 0 && (va & 3) === 0) {
      const host = this.pageHost[e >>> 3]!;
      if (host !== NO_RAM) return this.i32[(host + (va & PAGE_OFFSET)) >>> 2]!;
    }
    return this.slowFetch16(va >>> 0) | (this.slowFetch16((va + 2) >>> 0) << 16);
  }

  /**
   * Look the code page of `va` up as QEMU's get_page_addr_code does (a TLB fill, no read): throws
   * the fetch's translation or permission fault, fills the TLB otherwise. A page that is no RAM
   * does not fault here (QEMU's lookup then just finds no block; the fetch itself aborts later).
   */
  probeFetch(va: number): void {
    if ((this.cur[va >>> PAGE_SHIFT]! & 4) !== 0 || (!this.enabled && this.fcseidr === 0)) return;
    this.translateAccess(va >>> 0, ACCESS_FETCH);
  }

  // ---- Faults and translation services -------------------------------------------------------

  /** Throw the Alignment fault for a data access at `va` in the current format (DFSR 0x001 / 0x221). */
  alignmentFault(va: number, isWrite: boolean): never {
    this.fi.set(MmuFaultType.Alignment, 0, 0);
    return this.raise(va >>> 0, isWrite ? ACCESS_WRITE : ACCESS_READ);
  }

  /**
   * Translate `va` for an access of `kind` at PL0 (`user`) or PL1: the physical address (a number
   * up to 2^40), or MMU_FAULT thrown as the access would.
   */
  translate(va: number, kind: AccessKind, user: boolean): number {
    va >>>= 0;
    const mva = this.modified(va);
    if (!this.enabled) return mva;
    if (!this.walk(this.reader, mva, kind, user)) this.raise(va, kind);
    return this.res.pa;
  }

  /** The FCSE's modified virtual address of `va` (VA itself from 32 MiB up or with FCSEIDR 0). */
  private modified(va: number): number {
    return va < FCSE_WINDOW ? (va + this.fcseidr) >>> 0 : va;
  }

  /** FCSEIDR write: every bit kept; translations change (QEMU's fcse_write flushes the TLB). */
  writeFcseidr(v: number): void {
    if (v >>> 0 === this.fcseidr) return;
    this.fcseidr = v >>> 0;
    this.flushAll();
    this.selectEntries();
  }

  /** The physical address the CPU would reach reading `va` now, or -1; no side effects (debugger). */
  debugTranslate(va: number): number {
    va = this.modified(va >>> 0);
    if (!this.enabled) return va;
    if (!this.debugWalk(va, this.userMode)) return -1;
    return this.res.pa;
  }

  /**
   * A side-effect-free walk for the debugger. Linux's software PAN (CPU_SW_DOMAIN_PAN, on in
   * Debian's kernel) makes user space's domain no-access while the kernel runs, except inside
   * uaccess sections; a debugger stopped in a syscall must still read the user's memory (the
   * execve path string, a watched variable), so a walk that fails is retried with no-access
   * domains read as client (the page's AP bits still apply), as the kernel sees them in uaccess.
   * Likewise a debugger stopped in user mode reads kernel memory (`watch jiffies` set there) as
   * PL1 would.
   */
  private debugWalk(va: number, user: boolean): boolean {
    if (this.walk(this.debugReader, va, ACCESS_READ, user)) return true;
    if (user && this.walk(this.debugReader, va, ACCESS_READ, false)) return true;
    if (this.longDescriptors) return false;
    const dacr = this.dacr;
    let client = dacr;
    for (let d = 0; d < 32; d += 2) if (((dacr >>> d) & 3) === 0) client |= 1 << d;
    if (client === dacr) return false;
    this.dacr = client >>> 0;
    try {
      return this.walk(this.debugReader, va, ACCESS_READ, false);
    } finally {
      this.dacr = dacr;
    }
  }

  /**
   * Read `len` bytes at virtual `va` for a debugger, translated as the CPU would read them now
   * (current privilege and regime), without touching the TLB; RAM only unless `allowMmio` (then
   * device reads may have side effects, as Bus.debugRead). Null when a page does not translate.
   */
  debugRead(va: number, len: number, allowMmio = false): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; ) {
      const a = (va + i) >>> 0;
      const pa = this.debugTranslate(a);
      if (pa < 0 || pa >= TWO_32) return null;
      const n = Math.min(len - i, PAGE_SIZE_BYTES - (a & PAGE_OFFSET));
      const part = this.bus.debugRead(pa, n, allowMmio);
      if (part === null) return null;
      out.set(part, i);
      i += n;
    }
    return out;
  }

  /**
   * What a walk for `va` at PL0 (`user`) or PL1 finds now, without side effects: for gdb's monitor
   * and tests. Null when the MMU is off or the address does not translate (a read fault).
   */
  inspect(va: number, user: boolean): TranslationInfo | null {
    if (!this.enabled || !this.walk(this.debugReader, this.modified(va >>> 0), ACCESS_READ, user)) return null;
    return this.translationInfo();
  }

  /** `inspect` as the debugger reads (`debugTranslate`): for gdb's process filter (nG). */
  debugInspect(va: number): TranslationInfo | null {
    if (!this.enabled || !this.debugWalk(this.modified(va >>> 0), this.userMode)) return null;
    return this.translationInfo();
  }

  private translationInfo(): TranslationInfo {
    const r = this.res;
    return {
      pa: r.pa,
      prot: r.prot,
      lgPageSize: r.lgPageSize,
      memAttr: r.memAttr,
      shareability: r.shareability,
      nonGlobal: r.nonGlobal,
    };
  }

  /**
   * ATS1C{P,U}{R,W}: translate `va` as a PL1 (`user` false) or PL0 read/write and put the result in
   * PAR (QEMU's do_ats_write: 32-bit PAR with short descriptors, 64-bit with LPAE). An external
   * abort on the table walk is not reported in PAR but taken as a data abort (thrown).
   */
  addressTranslate(va: number, kind: AccessKind, user: boolean): void {
    va >>>= 0;
    const lpae = this.longDescriptors;
    let ok = true;
    let pa = this.modified(va);
    if (this.enabled) {
      this.res.begin();
      ok = this.walk(this.reader, pa, kind, user);
      pa = this.res.pa;
    } else {
      this.res.begin();
      this.res.lgPageSize = 12;
    }
    if (!ok && this.fi.type === MmuFaultType.SyncExternalOnWalk) {
      MMU_FAULT.fsr = lpae ? longFormatFsr(this.fi) : shortFormatFsr(this.fi);
      MMU_FAULT.far = va;
      MMU_FAULT.isWrite = false;
      MMU_FAULT.isFetch = false;
      throw MMU_FAULT;
    }
    const ns = !this.securityExtensions || this.res.nonSecure;
    if (lpae) {
      if (ok) {
        const hi = Math.floor(pa / TWO_32);
        this.parLo = ((pa % TWO_32 & 0xfffff000) | (ns ? 1 << 9 : 0) | (this.res.shareability << 7) | (1 << 11)) >>> 0;
        this.parHi = ((hi & 0xff) | (this.res.memAttr << 24)) >>> 0;
      } else {
        this.parLo = ((1 << 11) | ((longFormatFsr(this.fi) & 0x3f) << 1) | 1) >>> 0;
        this.parHi = 0;
      }
    } else {
      if (ok) {
        const low = pa % TWO_32;
        const base = this.res.lgPageSize === 24 ? (low & 0xff000000) | (1 << 1) : low & 0xfffff000;
        this.parLo = (base | (ns ? 1 << 9 : 0)) >>> 0;
      } else {
        const fsr = shortFormatFsr(this.fi);
        this.parLo = (((fsr & (1 << 10)) >>> 5) | ((fsr & (1 << 12)) >>> 6) | ((fsr & 0xf) << 1) | 1) >>> 0;
      }
      this.parHi = 0;
    }
  }

  // ---- Register writes that need more than storing (mmu-registers.ts) ------------------------

  /** TTBCR write, masked as QEMU's vmsa_ttbcr_raw_write for a v7 core (with or without LPAE). */
  writeTtbcr(v: number): void {
    if (this.hasLpae && (v & TTBCR_EAE) !== 0) v &= ~TTBCR_LPAE_SBZ;
    else if (this.securityExtensions) v &= TTBCR_PD1 | TTBCR_PD0 | TTBCR_N;
    else v &= TTBCR_N;
    this.ttbcr = v >>> 0;
    this.flushAll();
  }

  /** Any other register that affects translation changed (TTBRn, DACR, PRRR/NMRR, CONTEXTIDR). */
  translationChanged(): void {
    this.flushAll();
  }

  // ---- TLB maintenance ------------------------------------------------------------------------

  /**
   * Called after cached translations were dropped: a debugger watching virtual addresses
   * re-translates them then (gdbstub/debug-address-space.ts). Never changes guest state.
   */
  onFlush: (() => void) | null = null;

  /** Drop every cached translation (TLBIALL, TLBIASID: QEMU flushes everything for both). */
  flushAll(): void {
    this.entriesChanged();
    this.privTlb.flushAll();
    this.userTlb.flushAll();
    this.jitTlb.flushView(VIEW_PRIV);
    this.jitTlb.flushView(VIEW_USER);
    for (const hp of this.tablePageTranslations.keys()) this.bus.clearTablePage(hp);
    this.tablePageTranslations.clear();
    this.onFlush?.();
  }

  /** Drop the translations of the page holding `va`, for every ASID (TLBIMVA, TLBIMVAA). */
  flushPage(va: number): void {
    const vp = va >>> PAGE_SHIFT;
    this.entriesChanged();
    this.privTlb.flushPage(vp);
    this.userTlb.flushPage(vp);
    this.jitTlb.flushPage(VIEW_PRIV, vp);
    this.jitTlb.flushPage(VIEW_USER, vp);
    this.onFlush?.();
  }

  /**
   * Bus: a page holding cached descriptors is being written. Only the translations walked through
   * it can change (every other walk read none of its descriptors), so only they go — Linux rewrites
   * page tables every few thousand instructions, and a full flush each time made every access after
   * it walk again. The page leaves the bus's slow path until a walk reads it again.
   */
  tableWrite(hostPage: number): void {
    const list = this.tablePageTranslations.get(hostPage);
    if (list === undefined) return;
    if (list.length > TABLE_PAGE_TRANSLATIONS) {
      this.flushAll();
      return;
    }
    this.entriesChanged();
    for (let i = 0; i < list.length; i++) {
      const code = list[i]!;
      const vp = code >>> 1;
      if ((code & 1) !== 0) {
        this.userTlb.flushPage(vp);
        this.jitTlb.flushPage(VIEW_USER, vp);
      } else {
        this.privTlb.flushPage(vp);
        this.jitTlb.flushPage(VIEW_PRIV, vp);
      }
    }
    this.tablePageTranslations.delete(hostPage);
    this.bus.clearTablePage(hostPage);
    this.onFlush?.();
  }

  /** Pages currently cached for PL1 and PL0 (tests). */
  get tlbSize(): { priv: number; user: number } {
    return { priv: this.privTlb.size, user: this.userTlb.size };
  }

  // ---- StatefulComponent ------------------------------------------------------------------------

  save(): MmuState {
    return {
      ttbr0Lo: this.ttbr0Lo,
      ttbr0Hi: this.ttbr0Hi,
      ttbr1Lo: this.ttbr1Lo,
      ttbr1Hi: this.ttbr1Hi,
      ttbcr: this.ttbcr,
      dacr: this.dacr,
      prrr: this.prrr,
      nmrr: this.nmrr,
      contextidr: this.contextidr,
      parLo: this.parLo,
      parHi: this.parHi,
      sctlr: this.sctlr,
      fcseidr: this.fcseidr,
      user: this.userMode ? 1 : 0,
      forceUser: this.unprivileged ? 1 : 0,
    };
  }

  load(s: MmuState): void {
    this.ttbr0Lo = s.ttbr0Lo;
    this.ttbr0Hi = s.ttbr0Hi;
    this.ttbr1Lo = s.ttbr1Lo;
    this.ttbr1Hi = s.ttbr1Hi;
    this.ttbcr = s.ttbcr;
    this.dacr = s.dacr;
    this.prrr = s.prrr;
    this.nmrr = s.nmrr;
    this.contextidr = s.contextidr;
    this.parLo = s.parLo;
    this.parHi = s.parHi;
    this.sctlr = s.sctlr;
    this.fcseidr = s.fcseidr;
    this.syncTableEndianness();
    this.userMode = s.user !== 0;
    this.unprivileged = s.forceUser !== 0;
    this.flushAll();
    this.selectEntries();
  }

  reset(): void {
    this.load({
      ttbr0Lo: 0,
      ttbr0Hi: 0,
      ttbr1Lo: 0,
      ttbr1Hi: 0,
      ttbcr: 0,
      dacr: 0,
      prrr: 0,
      nmrr: 0,
      contextidr: 0,
      parLo: 0,
      parHi: 0,
      sctlr: 0,
      fcseidr: 0,
      user: 0,
      forceUser: 0,
    });
  }

  // ---- Slow paths ---------------------------------------------------------------------------------

  private walk(reader: DescriptorReader, va: number, kind: AccessKind, user: boolean): boolean {
    this.res.begin();
    this.fi.type = MmuFaultType.None;
    return this.longDescriptors
      ? walkLpae(this, reader, va, kind, user, this.res, this.fi)
      : walkShortDescriptor(this, reader, va, kind, user, this.res, this.fi);
  }

  /** Physical address of `va` for `kind` at the current privilege: TLB, else walk and fill. */
  private translateAccess(va: number, kind: AccessKind): number {
    const e = this.cur[va >>> PAGE_SHIFT]!;
    if ((e & (1 << kind)) !== 0) return (e >>> 3) * 4096 + (va & PAGE_OFFSET);
    const user = this.userMode || this.unprivileged;
    const mva = this.modified(va);
    if (!this.enabled) {
      // FCSE with the MMU off: the page of the modified address, every permission.
      const ppage = mva >>> PAGE_SHIFT;
      this.fillTlb(user, va >>> PAGE_SHIFT, ppage, 7);
      return ppage * 4096 + (va & PAGE_OFFSET);
    }
    if (!this.walk(this.reader, mva, kind, user)) this.raise(va, kind);
    const res = this.res;
    if (mva !== va) {
      // QEMU's TLB keeps the page of the modified address and the offset of the VA.
      res.pa = Math.floor(res.pa / 4096) * 4096 + (va & PAGE_OFFSET);
    }
    if (res.cacheable && res.pa < TWO_32) {
      this.fillTlb(user, va >>> PAGE_SHIFT, Math.floor(res.pa / 4096), res.prot);
      const code = (va >>> PAGE_SHIFT) * 2 + (user ? 1 : 0);
      for (let i = 0; i < res.tablePageCount; i++) {
        const hp = res.tablePages[i]!;
        let list = this.tablePageTranslations.get(hp);
        if (list === undefined) {
          list = [];
          this.tablePageTranslations.set(hp, list);
          this.bus.markTablePage(hp);
        }
        if (list.length <= TABLE_PAGE_TRANSLATIONS) list.push(code);
      }
    }
    return res.pa;
  }

  /** Cache a translation; the JIT TLB's copy of the page (built from the old entry) goes. */
  private fillTlb(user: boolean, vpage: number, ppage: number, prot: number): void {
    const tlb = user ? this.userTlb : this.privTlb;
    if (tlb.entries[vpage] !== 0) {
      if (user) this.userGeneration = ++this.generations;
      else this.privGeneration = ++this.generations;
      this.syncFetchGeneration();
    }
    tlb.fill(vpage, ppage, prot);
    this.jitTlb.flushPage(user ? VIEW_USER : VIEW_PRIV, vpage);
  }

  private slowRead(va: number, size: 1 | 2 | 4): number {
    const first = PAGE_SIZE_BYTES - (va & PAGE_OFFSET);
    if (first < size) {
      // Crossing a page: translate both pages before reading (fault on the second at its start).
      const pa1 = this.translateAccess(va, ACCESS_READ);
      const va2 = (va + first) >>> 0;
      const pa2 = this.translateAccess(va2, ACCESS_READ);
      let v = 0;
      for (let i = 0; i < size; i++) {
        const pa = i < first ? pa1 + i : pa2 + (i - first);
        v |= this.physRead(pa, 1, (va + i) >>> 0) << (8 * i);
      }
      return v >>> 0;
    }
    const pa = this.enabled || this.fcseidr !== 0 ? this.translateAccess(va, ACCESS_READ) : va;
    return this.physRead(pa, size, va);
  }

  private slowWrite(va: number, value: number, size: 1 | 2 | 4): void {
    const first = PAGE_SIZE_BYTES - (va & PAGE_OFFSET);
    if (first < size) {
      const pa1 = this.translateAccess(va, ACCESS_WRITE);
      const va2 = (va + first) >>> 0;
      const pa2 = this.translateAccess(va2, ACCESS_WRITE);
      for (let i = 0; i < size; i++) {
        const pa = i < first ? pa1 + i : pa2 + (i - first);
        this.physWrite(pa, (value >>> (8 * i)) & 0xff, 1, (va + i) >>> 0);
      }
      return;
    }
    const pa = this.enabled || this.fcseidr !== 0 ? this.translateAccess(va, ACCESS_WRITE) : va;
    this.physWrite(pa, value, size, va);
  }

  private slowFetch16(va: number): number {
    const pa = this.enabled || this.fcseidr !== 0 ? this.translateAccess(va, ACCESS_FETCH) : va;
    if (pa >= TWO_32) return this.externalAbort(va, ACCESS_FETCH);
    try {
      return this.bus.fetch16(pa);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
    }
    // Not RAM: QEMU executes from a device too (flash in read-array mode, the PCIe window's all
    // ones...), reading the instruction through it; only an unassigned address aborts.
    try {
      return this.bus.read16(pa);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      return this.externalAbort(va, ACCESS_FETCH);
    }
  }

  private physRead(pa: number, size: 1 | 2 | 4, va: number): number {
    if (pa >= TWO_32) return this.externalAbort(va, ACCESS_READ);
    try {
      return size === 4 ? this.bus.read32(pa) >>> 0 : size === 2 ? this.bus.read16(pa) : this.bus.read8(pa);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      return this.externalAbort(va, ACCESS_READ);
    }
  }

  private physWrite(pa: number, value: number, size: 1 | 2 | 4, va: number): void {
    if (pa >= TWO_32) {
      this.externalAbort(va, ACCESS_WRITE);
      return;
    }
    try {
      if (size === 4) this.bus.write32(pa, value);
      else if (size === 2) this.bus.write16(pa, value & 0xffff);
      else this.bus.write8(pa, value & 0xff);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      this.externalAbort(va, ACCESS_WRITE);
    }
  }

  private externalAbort(va: number, kind: AccessKind): never {
    this.fi.set(MmuFaultType.SyncExternal, 0, 0);
    return this.raise(va, kind);
  }

  private raise(va: number, kind: AccessKind): never {
    const f = MMU_FAULT;
    const fsr = this.longDescriptors ? longFormatFsr(this.fi) : shortFormatFsr(this.fi);
    f.isWrite = kind === ACCESS_WRITE;
    f.isFetch = kind === ACCESS_FETCH;
    f.fsr = f.isWrite ? fsr | FSR_WNR : fsr;
    f.far = va >>> 0;
    throw f;
  }
}

const PAGE_SIZE_BYTES = 1 << PAGE_SHIFT;
/** Translations remembered per descriptor page; past this its write flushes the whole TLB. */
const TABLE_PAGE_TRANSLATIONS = 1024;
/** The FCSE modifies virtual addresses below 32 MiB. */
const FCSE_WINDOW = 0x02000000;
