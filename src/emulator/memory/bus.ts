/**
 * The system bus: RAM regions backed by one ArrayBuffer, MMIO devices, and unmapped holes.
 *
 * Fast path: `pageHost[guestPage]` gives the byte offset of a RAM page inside `ram` (or -1), and
 * `pageWrite[guestPage]` the same offset when a write may go straight to RAM. A page whose write
 * entry is NO_RAM but whose host entry is RAM takes the slow write path, which is where snapshot
 * copy-on-write, watchpoints and the JIT's code-page invalidation hook in (`WriteObserver`,
 * `CodeWriteObserver`) and where the MMU learns that a translation table it has cached changed
 * (`TableWriteObserver`). Aliases (mirrors) map several guest pages onto one host page.
 *
 * Host offsets are stored as int32: RAM past 2 GiB (virt's 3 GiB) wraps to negative values, so
 * "no RAM" is exactly NO_RAM (-1, never page aligned) and byte indexes are taken `>>> 0`. Code
 * outside the bus that tests `>= 0` stays correct: such pages just take its slow path.
 *
 * Errors: an access to an unmapped address throws the preallocated `BUS_FAULT` signal (rare path;
 * the CPU turns it into a BusFault). Nothing is allocated on the access path.
 */

import { stateBaseFor, wasmPagesFor } from '../cpu/wasm/wasm-state-layout.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
const NUM_PAGES = 1 << (32 - PAGE_SHIFT);
/** `pageHost`/`pageRead`/`pageWrite` entry of a page that is not (or not directly) RAM. */
export const NO_RAM = -1;

/** An MMIO device as the bus sees it. Offsets are relative to the mapping base. */
export interface MmioHandler {
  readonly name: string;
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, value: number, size: 1 | 2 | 4): void;
}

/**
 * What a core's instructions access memory through: the physical Bus on M-profile, the MMU's
 * virtual view on A-profile (same methods, virtual addresses).
 */
export interface CpuBus {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
  fetch16(addr: number): number;
}

/** Thrown (as this exact object) for accesses that hit nothing; carries the address of the last one. */
export class BusFaultSignal {
  address = 0;
  isWrite = false;
}
export const BUS_FAULT = new BusFaultSignal();

/** Observes RAM writes on pages whose fast write path is disabled (snapshots, watchpoints, JIT). */
export interface WriteObserver {
  /** Called before the first byte of [addr, addr+size) is modified. `hostPage` is the host page index. */
  beforeRamWrite(addr: number, size: number, hostPage: number): void;
}

/** Told when RAM holding translated code changes (the block JIT invalidates its blocks there). */
export interface CodeWriteObserver {
  /** A guest write (or debugger write) is about to change the byte at `addr` on code page `hostPage`. */
  codeWrite(addr: number, hostPage: number): void;
  /** Host page `hostPage` was rewritten wholesale (snapshot restore). */
  codePageReplaced(hostPage: number): void;
}

/**
 * Told when RAM holding translation tables the MMU has cached walks from is written (the MMU drops
 * its TLB there, so a translation never outlives the descriptor it came from: invariant I5).
 */
export interface TableWriteObserver {
  /** A guest or debugger write (or a snapshot restore) is about to change table page `hostPage`. */
  tableWrite(hostPage: number): void;
}

/**
 * Told when pages leave the bus's fast paths (`pageRead`/`pageWrite` entries set to NO_RAM): a
 * cache built on them (the JIT's TLB, jit-tlb.ts) drops what it took from them.
 */
export interface FastPathObserver {
  /** Host page `hostPage` (every alias of it) no longer takes plain writes. */
  writeRevoked(hostPage: number): void;
  /** No page takes plain writes any more (protectAllRam). */
  allWritesRevoked(): void;
  /** Some pages no longer take plain reads nor writes (watchpoints). */
  allRevoked(): void;
}

/** Observes every data access to watched pages, before the access happens. */
export interface WatchObserver {
  onAccess(addr: number, size: number, isWrite: boolean): void;
}

export interface RamRegionSpec {
  name: string;
  base: number;
  size: number;
  /** Extra guest bases that mirror this region. */
  aliases?: number[];
}

/** The wasm memory a wasm-backed bus's RAM lives in (wasm-state-layout.ts): RAM from byte 0, the state area at `stateBase`. */
export interface WasmTierMemory {
  readonly memory: WebAssembly.Memory;
  readonly stateBase: number;
}

export interface BusOptions {
  /**
   * Put the RAM in a WebAssembly.Memory with the wasm block tier's state area after it (A-profile
   * boards). Falls back to a plain ArrayBuffer (`wasm` null) when RAM and state exceed wasm32's
   * 4 GiB or the memory cannot be reserved.
   */
  readonly wasm?: boolean;
}

interface MmioMapping {
  base: number;
  size: number;
  handler: MmioHandler;
}

export class Bus implements CpuBus {
  /** The buffer holding the RAM from byte 0 (a wasm-backed bus's also holds the state area after it). */
  readonly ram: ArrayBuffer;
  /** The wasm memory the RAM lives in, or null (plain ArrayBuffer). */
  readonly wasm: WasmTierMemory | null = null;
  private readonly totalRam: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  /** guest page -> host byte offset in `ram`, or -1. */
  readonly pageHost = new Int32Array(NUM_PAGES).fill(NO_RAM);
  /** guest page -> host byte offset when plain writes are allowed, else -1. */
  readonly pageWrite = new Int32Array(NUM_PAGES).fill(NO_RAM);
  /** guest page -> MMIO mapping index + 1, or 0. */
  private readonly pageMmio = new Uint16Array(NUM_PAGES);
  /** host page -> index of the RAM region holding it (its guest pages: `regionGuestPages`). */
  private readonly hostRegion: Uint8Array;
  /** Per region: its first host page, and the first guest page of its base and of each alias. */
  private readonly regionHostPage: number[] = [];
  private readonly regionGuestPages: number[][] = [];
  /** Guest pages currently watched (any access goes to the watch observer). */
  readonly pageWatched: Uint8Array;
  /**
   * guest page -> host byte offset when a read may go straight to RAM (not watched), else -1. The
   * JIT's inlined loads use it; everything else reads through `read8/16/32`.
   */
  readonly pageRead = new Int32Array(NUM_PAGES).fill(NO_RAM);
  /** host page -> 1 when translated code was made from it; its writes then stay on the slow path. */
  readonly codeHost: Uint8Array;
  codeObserver: CodeWriteObserver | null = null;
  /** host page -> 1 when the MMU cached translations walked from it; its writes stay on the slow path. */
  readonly tableHost: Uint8Array;
  tableObserver: TableWriteObserver | null = null;
  fastPathObserver: FastPathObserver | null = null;
  private readonly mmio: MmioMapping[] = [];
  readonly regions: readonly RamRegionSpec[];
  private readonly regionHostBase: number[] = [];
  writeObserver: WriteObserver | null = null;
  /**
   * True while a debugger reads device registers (debugRead with MMIO): a device whose read would
   * consume a host input (the PL031 reading the host clock) answers without it, so a gdb read
   * never takes an event from the replay log nor adds one to a recording.
   */
  debugMmioRead = false;
  watchObserver: WatchObserver | null = null;
  /**
   * Data accesses to unassigned addresses read 0 and drop writes instead of faulting (QEMU's
   * vexpress-a9, measured); false: BUS_FAULT (virt, mps2).
   */
  ignoreUnassigned = false;
  /** Count of watched guest pages; when 0 reads skip the watch check entirely. */
  private watchedPages = 0;

  constructor(regions: RamRegionSpec[], options: BusOptions = {}) {
    this.regions = regions;
    let total = 0;
    for (const r of regions) {
      if (r.size % PAGE_SIZE !== 0 || r.base % PAGE_SIZE !== 0) {
        throw new Error(`RAM region ${r.name} must be page aligned`);
      }
      this.regionHostBase.push(total);
      total += r.size;
    }
    this.totalRam = total;
    const memory = options.wasm === true ? wasmMemoryFor(total) : null;
    if (memory !== null) this.wasm = { memory, stateBase: stateBaseFor(total) };
    this.ram = memory?.buffer ?? new ArrayBuffer(total);
    // Views of the RAM alone (a wasm-backed buffer is longer: the state area follows).
    this.u8 = new Uint8Array(this.ram, 0, total);
    this.u16 = new Uint16Array(this.ram, 0, total >>> 1);
    this.i32 = new Int32Array(this.ram, 0, total >>> 2);
    // Per page only typed arrays: a 3 GiB guest has 786,432 host pages (no per-page JS objects).
    this.hostRegion = new Uint8Array(total / PAGE_SIZE);
    if (regions.length > 256) throw new Error('at most 256 RAM regions');
    this.codeHost = new Uint8Array(total / PAGE_SIZE);
    this.tableHost = new Uint8Array(total / PAGE_SIZE);
    this.pageWatched = new Uint8Array(NUM_PAGES);
    this.writableHost = new Uint8Array(total / PAGE_SIZE);
    regions.forEach((r, i) => {
      const host = this.regionHostBase[i]!;
      this.regionHostPage.push(host / PAGE_SIZE);
      this.hostRegion.fill(i, host / PAGE_SIZE, (host + r.size) / PAGE_SIZE);
      const bases = [r.base, ...(r.aliases ?? [])];
      this.regionGuestPages.push(bases.map((b) => b >>> PAGE_SHIFT));
      for (const base of bases) {
        for (let off = 0; off < r.size; off += PAGE_SIZE) {
          const gp = (base + off) >>> PAGE_SHIFT;
          this.pageHost[gp] = host + off;
          this.pageRead[gp] = host + off;
          this.pageWrite[gp] = host + off;
        }
      }
    });
  }

  /** Total bytes of RAM (all regions). */
  get ramSize(): number {
    return this.totalRam;
  }

  mapMmio(base: number, size: number, handler: MmioHandler): void {
    const idx = this.mmio.push({ base, size, handler });
    // The pages a, a + PAGE_SIZE, ... below base + size: one fill, as boards map regions of up to
    // hundreds of MiB at start-up (a per-page loop there cost ~24 ms of every CLI run, uncompiled).
    const first = base >>> PAGE_SHIFT;
    this.pageMmio.fill(idx, first, first + Math.ceil(size / PAGE_SIZE));
  }

  /** Disable fast writes on one host page (all its aliases); the next write calls the observer. */
  protectHostPage(hostPage: number): void {
    const r = this.hostRegion[hostPage]!;
    const off = hostPage - this.regionHostPage[r]!;
    const bases = this.regionGuestPages[r]!;
    for (let i = 0; i < bases.length; i++) this.pageWrite[bases[i]! + off] = NO_RAM;
    this.fastPathObserver?.writeRevoked(hostPage);
  }
  /** Re-enable fast writes on one host page unless it is watched or holds translated code or tables. */
  unprotectHostPage(hostPage: number): void {
    if (this.codeHost[hostPage] || this.tableHost[hostPage]) return;
    this.noteWritable(hostPage);
    const r = this.hostRegion[hostPage]!;
    const off = hostPage - this.regionHostPage[r]!;
    const bases = this.regionGuestPages[r]!;
    for (let i = 0; i < bases.length; i++) {
      const gp = bases[i]! + off;
      if (!this.pageWatched[gp]) this.pageWrite[gp] = this.pageHost[gp]!;
    }
  }
  /**
   * Host page `hostPage` now holds translated code: every write to it takes the slow path (the same
   * per-page check snapshot copy-on-write uses) and tells `codeObserver`.
   */
  markCodePage(hostPage: number): void {
    this.codeHost[hostPage] = 1;
    this.protectHostPage(hostPage);
  }
  /**
   * No translated code is left on `hostPage`. Without a write observer nothing else needs the slow
   * path, so fast writes come back now; with one (snapshots), its next call lifts the protection.
   */
  clearCodePage(hostPage: number): void {
    this.codeHost[hostPage] = 0;
    if (this.writeObserver === null) this.unprotectHostPage(hostPage);
  }
  /**
   * Host page `hostPage` holds translation tables the MMU cached walks from: every write to it takes
   * the slow path and tells `tableObserver`.
   */
  markTablePage(hostPage: number): void {
    if (this.tableHost[hostPage]) return;
    this.tableHost[hostPage] = 1;
    this.protectHostPage(hostPage);
  }
  /** The MMU no longer caches anything walked from `hostPage` (same rule as `clearCodePage`). */
  clearTablePage(hostPage: number): void {
    this.tableHost[hostPage] = 0;
    if (this.writeObserver === null) this.unprotectHostPage(hostPage);
  }
  /** Host page contents were replaced outside the write path (snapshot restore). */
  hostPageReplaced(hostPage: number): void {
    if (this.codeHost[hostPage]) this.codeObserver?.codePageReplaced(hostPage);
    if (this.tableHost[hostPage]) this.tableObserver?.tableWrite(hostPage);
  }

  /**
   * Disable fast writes everywhere (used when a snapshot is taken or restored). O(pages made
   * writable since the last call), not O(RAM): a reverse step restores and re-protects often.
   */
  protectAllRam(): void {
    this.fastPathObserver?.allWritesRevoked();
    if (this.everyPageWritable) {
      // Until the first call, no page was ever protected.
      this.everyPageWritable = false;
      this.writableHost.fill(0);
      this.writableHosts.length = 0;
      for (let hp = 0; hp < this.hostRegion.length; hp++) this.protectHostPage(hp);
      return;
    }
    const list = this.writableHosts;
    for (let i = 0; i < list.length; i++) {
      const hp = list[i]!;
      this.writableHost[hp] = 0;
      this.protectHostPage(hp);
    }
    list.length = 0;
  }

  /**
   * Host pages that may have a fast-writable alias: every page until the first protectAllRam, then
   * those unprotected since the last one (a superset is harmless; protecting is idempotent).
   */
  private everyPageWritable = true;
  private readonly writableHosts: number[] = [];
  private writableHost = new Uint8Array(0);

  private noteWritable(hostPage: number): void {
    if (this.writableHost[hostPage]) return;
    this.writableHost[hostPage] = 1;
    this.writableHosts.push(hostPage);
  }

  /** Mark guest pages covering [addr, addr+len) watched (true) or not. Reference counted by caller. */
  setWatched(addr: number, len: number, on: boolean): void {
    if (on) this.fastPathObserver?.allRevoked();
    const first = addr >>> PAGE_SHIFT;
    const last = ((addr + Math.max(len, 1) - 1) >>> 0) >>> PAGE_SHIFT;
    for (let gp = first; gp <= last; gp++) {
      if (on && !this.pageWatched[gp]) {
        this.pageWatched[gp] = 1;
        this.watchedPages++;
        this.pageWrite[gp] = NO_RAM;
        this.pageRead[gp] = NO_RAM;
      } else if (!on && this.pageWatched[gp]) {
        this.pageWatched[gp] = 0;
        this.watchedPages--;
        this.pageRead[gp] = this.pageHost[gp]!;
        // Leave pageWrite at -1: the observer re-enables it on the next slow write if allowed.
      }
    }
  }

  // ---- CPU data accesses ------------------------------------------------------------------

  read8(addr: number): number {
    const gp = addr >>> PAGE_SHIFT;
    if (this.watchedPages !== 0 && this.pageWatched[gp]) this.watchObserver?.onAccess(addr >>> 0, 1, false);
    const host = this.pageHost[gp]!;
    if (host !== NO_RAM) return this.u8[(host + (addr & PAGE_MASK)) >>> 0]!;
    return this.mmioRead(addr >>> 0, 1);
  }

  read16(addr: number): number {
    const gp = addr >>> PAGE_SHIFT;
    if (this.watchedPages !== 0 && this.pageWatched[gp]) this.watchObserver?.onAccess(addr >>> 0, 2, false);
    const host = this.pageHost[gp]!;
    if (host !== NO_RAM && (addr & PAGE_MASK) <= PAGE_SIZE - 2) {
      const o = (host + (addr & PAGE_MASK)) >>> 0;
      return (o & 1) === 0 ? this.u16[o >>> 1]! : this.u8[o]! | (this.u8[o + 1]! << 8);
    }
    if (host !== NO_RAM) return this.read8(addr) | (this.read8(addr + 1) << 8);
    return (addr & 1) === 0 ? this.mmioRead(addr >>> 0, 2) : this.mmioReadUnaligned(addr >>> 0, 2);
  }

  /** Returns a signed 32-bit value. */
  read32(addr: number): number {
    const gp = addr >>> PAGE_SHIFT;
    if (this.watchedPages !== 0 && this.pageWatched[gp]) this.watchObserver?.onAccess(addr >>> 0, 4, false);
    const host = this.pageHost[gp]!;
    if (host !== NO_RAM && (addr & PAGE_MASK) <= PAGE_SIZE - 4) {
      const o = (host + (addr & PAGE_MASK)) >>> 0;
      if ((o & 3) === 0) return this.i32[o >>> 2]!;
      const u = this.u8;
      return u[o]! | (u[o + 1]! << 8) | (u[o + 2]! << 16) | (u[o + 3]! << 24);
    }
    if (host !== NO_RAM) {
      return this.read8(addr) | (this.read8(addr + 1) << 8) | (this.read8(addr + 2) << 16) | (this.read8(addr + 3) << 24);
    }
    return ((addr & 3) === 0 ? this.mmioRead(addr >>> 0, 4) : this.mmioReadUnaligned(addr >>> 0, 4)) | 0;
  }

  write8(addr: number, value: number): void {
    const gp = addr >>> PAGE_SHIFT;
    const host = this.pageWrite[gp]!;
    if (host !== NO_RAM) {
      this.u8[(host + (addr & PAGE_MASK)) >>> 0] = value;
      return;
    }
    this.slowWrite(addr >>> 0, value, 1);
  }

  write16(addr: number, value: number): void {
    const gp = addr >>> PAGE_SHIFT;
    const host = this.pageWrite[gp]!;
    if (host !== NO_RAM && (addr & 1) === 0) {
      this.u16[(host + (addr & PAGE_MASK)) >>> 1] = value;
      return;
    }
    this.slowWrite(addr >>> 0, value, 2);
  }

  write32(addr: number, value: number): void {
    const gp = addr >>> PAGE_SHIFT;
    const host = this.pageWrite[gp]!;
    if (host !== NO_RAM && (addr & 3) === 0) {
      this.i32[(host + (addr & PAGE_MASK)) >>> 2] = value;
      return;
    }
    this.slowWrite(addr >>> 0, value, 4);
  }

  private slowWrite(addr: number, value: number, size: 1 | 2 | 4): void {
    const gp = addr >>> PAGE_SHIFT;
    if (this.pageHost[gp]! === NO_RAM) {
      if ((addr & (size - 1)) === 0) this.mmioWrite(addr, value, size);
      // QEMU's TCG (store_helper_unaligned) splits an unaligned store to a device into byte stores,
      // lowest address first: a flash sees two command cycles, not one halfword.
      else for (let i = 0; i < size; i++) this.mmioWrite((addr + i) >>> 0, (value >>> (8 * i)) & 0xff, 1);
      return;
    }
    if (this.watchedPages !== 0 && this.pageWatched[gp]) this.watchObserver?.onAccess(addr, size, true);
    // Split unaligned or page-crossing writes into bytes so each page gets its observer call.
    for (let i = 0; i < size; i++) {
      const a = (addr + i) >>> 0;
      const p = a >>> PAGE_SHIFT;
      const h = this.pageHost[p]!;
      if (h === NO_RAM) {
        this.mmioWrite(a, (value >>> (8 * i)) & 0xff, 1);
        continue;
      }
      if (this.pageWrite[p]! === NO_RAM) {
        this.writeObserver?.beforeRamWrite(a, 1, h >>> PAGE_SHIFT);
        if (this.codeHost[h >>> PAGE_SHIFT]) this.codeObserver?.codeWrite(a, h >>> PAGE_SHIFT);
        if (this.tableHost[h >>> PAGE_SHIFT]) this.tableObserver?.tableWrite(h >>> PAGE_SHIFT);
      }
      this.u8[(h + (a & PAGE_MASK)) >>> 0] = value >>> (8 * i);
    }
  }

  private mmioRead(addr: number, size: 1 | 2 | 4): number {
    const idx = this.pageMmio[addr >>> PAGE_SHIFT]!;
    if (idx !== 0) {
      const m = this.mmio[idx - 1]!;
      if (addr - m.base < m.size) return m.handler.read(addr - m.base, size);
    }
    if (this.ignoreUnassigned) return 0;
    BUS_FAULT.address = addr;
    BUS_FAULT.isWrite = false;
    throw BUS_FAULT;
  }

  /**
   * An unaligned device read as QEMU's TCG does it (load_helper): the two aligned accesses of the
   * same size around it, combined (little-endian).
   */
  private mmioReadUnaligned(addr: number, size: 2 | 4): number {
    const first = (addr & ~(size - 1)) >>> 0;
    const lo = this.mmioRead(first, size);
    const hi = this.mmioRead((first + size) >>> 0, size);
    const shift = 8 * (addr & (size - 1));
    const v = (lo >>> shift) | (hi << (8 * size - shift));
    return size === 4 ? v >>> 0 : v & 0xffff;
  }

  private mmioWrite(addr: number, value: number, size: 1 | 2 | 4): void {
    const idx = this.pageMmio[addr >>> PAGE_SHIFT]!;
    if (idx !== 0) {
      const m = this.mmio[idx - 1]!;
      if (addr - m.base < m.size) {
        m.handler.write(addr - m.base, size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff), size);
        return;
      }
    }
    if (this.ignoreUnassigned) return;
    BUS_FAULT.address = addr;
    BUS_FAULT.isWrite = true;
    throw BUS_FAULT;
  }

  /** True when the address is RAM or a mapped device. */
  isMapped(addr: number): boolean {
    const gp = addr >>> PAGE_SHIFT;
    if (this.pageHost[gp]! !== NO_RAM) return true;
    const idx = this.pageMmio[gp]!;
    if (idx === 0) return false;
    const m = this.mmio[idx - 1]!;
    return (addr >>> 0) - m.base < m.size;
  }

  /** True when the address is plain RAM (safe to read for debuggers without side effects). */
  isRam(addr: number): boolean {
    return this.pageHost[addr >>> PAGE_SHIFT]! !== NO_RAM;
  }

  // ---- Debugger / loader access: RAM only, no observers except copy-on-write ----------------

  /** Read bytes for a debugger. MMIO is read through the device (side effects possible) only if allowed. */
  debugRead(addr: number, len: number, allowMmio = false): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const a = (addr + i) >>> 0;
      const h = this.pageHost[a >>> PAGE_SHIFT]!;
      if (h !== NO_RAM) out[i] = this.u8[(h + (a & PAGE_MASK)) >>> 0]!;
      else if (allowMmio && this.isMapped(a)) {
        // Device registers are word registers (SysTick refuses byte reads): read the aligned word.
        this.debugMmioRead = true;
        try {
          out[i] = (this.mmioRead((a & ~3) >>> 0, 4) >>> (8 * (a & 3))) & 0xff;
        } catch {
          return null;
        } finally {
          this.debugMmioRead = false;
        }
      } else return null;
    }
    return out;
  }

  /** Write RAM bytes (loader, debugger). Goes through copy-on-write so snapshots stay intact. */
  debugWrite(addr: number, data: Uint8Array): boolean {
    // Every page touched must be RAM (addresses wrap at 4 GiB, as byte by byte).
    const pages = ((addr & PAGE_MASK) + data.length + PAGE_MASK) >>> PAGE_SHIFT;
    for (let k = 0; k < pages; k++) if (this.pageHost[((addr >>> PAGE_SHIFT) + k) & (NUM_PAGES - 1)]! === NO_RAM) return false;
    // Page by page (a kernel and initrd are tens of MiB): the observers once per page, then one copy.
    for (let i = 0; i < data.length; ) {
      const a = (addr + i) >>> 0;
      const p = a >>> PAGE_SHIFT;
      const h = this.pageHost[p]!;
      const n = Math.min(PAGE_SIZE - (a & PAGE_MASK), data.length - i);
      if (this.pageWrite[p]! === NO_RAM) {
        const hp = h >>> PAGE_SHIFT;
        this.writeObserver?.beforeRamWrite(a, n, hp);
        // Blocks are dropped by the bytes they overlap: tell the JIT about every byte written.
        if (this.codeHost[hp]) for (let k = 0; k < n; k++) this.codeObserver?.codeWrite((a + k) >>> 0, hp);
        if (this.tableHost[hp]) this.tableObserver?.tableWrite(hp);
      }
      this.u8.set(data.subarray(i, i + n), (h + (a & PAGE_MASK)) >>> 0);
      i += n;
    }
    return true;
  }

  /** Instruction fetch of one word (A32; no watch check). Throws BUS_FAULT if not RAM. */
  fetch32(addr: number): number {
    const host = this.pageHost[addr >>> PAGE_SHIFT]!;
    if (host !== NO_RAM && (addr & 3) === 0) return this.i32[(host + (addr & PAGE_MASK)) >>> 2]!;
    return this.fetch16(addr) | (this.fetch16((addr + 2) | 0) << 16);
  }

  /** Instruction fetch of one halfword (no watch check). Throws BUS_FAULT if not RAM. */
  fetch16(addr: number): number {
    const host = this.pageHost[addr >>> PAGE_SHIFT]!;
    if (host !== NO_RAM) return this.u16[(host + (addr & PAGE_MASK)) >>> 1]!;
    BUS_FAULT.address = addr >>> 0;
    BUS_FAULT.isWrite = false;
    throw BUS_FAULT;
  }
}

/** A wasm memory for `ramBytes` of RAM and the state area, or null (too big for wasm32, or no address space left). */
function wasmMemoryFor(ramBytes: number): WebAssembly.Memory | null {
  const pages = wasmPagesFor(ramBytes);
  if (pages === null) return null;
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
