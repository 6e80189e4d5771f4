/**
 * The small direct-mapped TLB generated code reads (QEMU's CPUTLBEntry idea): per translation view
 * (MMU off, PL1, PL0) JIT_TLB_ENTRIES entries of four int32 — read tag, read addend, write tag,
 * write addend — so one access touches one 16-byte entry of a 16 KiB table instead of the MMU's
 * 4 MiB page array, then the bus's 4 MiB page table, then the data. Flushing a view clears only
 * the entries filled since its last flush (an MMU flush is frequent in Linux, the table is not small).
 *
 * A tag is the virtual page's address (`vpage << 12`); an access hits when its address masked with
 * `~4095 | (alignment - 1)` equals it, so a misaligned access never hits. INVALID_TAG has low bits
 * no masked address has. The addend is `host offset of the page - tag`: the byte index of `va` in
 * the bus's RAM is `(va + addend) >>> 0`.
 *
 * An entry caches the MMU's translation of its page *combined with* the bus's fast paths
 * (`pageRead`/`pageWrite`), so it is filled only for RAM the bus lets through and dropped when
 * either side changes (invariant I5: a hit gives exactly what the slow path would):
 * - the MMU's entries: every Tlb fill, page flush and full flush (mmu.ts) drops the view's entry or
 *   entries; a privilege switch selects another view, it does not change one;
 * - the bus: `pageRead`/`pageWrite` only ever hold the page's fixed host offset or NO_RAM, so only
 *   a revocation matters: a write-protected host page (copy-on-write, translated code, descriptor
 *   tables) drops the write halves pointing at it, `protectAllRam` drops every write half, a
 *   watched page drops everything. Read and write halves are separate, so a write-checked page is
 *   still read inline while its writes take the slow path.
 */
import { NO_RAM, PAGE_SHIFT } from './bus.js';

/**
 * 4096 entries (64 KiB per view): with 512 the decompressor's and the kernel's working sets conflict,
 * and every miss at an access site that never missed before deoptimizes its block (no type feedback
 * on the slow path), which cost more than the smaller table saved.
 */
export const JIT_TLB_BITS = 12;
export const JIT_TLB_ENTRIES = 1 << JIT_TLB_BITS;
/** Int32 slots per entry: read tag, read addend, write tag, write addend. */
const ENTRY_SLOTS = 4;
/** Int32 words of the three views together. */
export const JIT_TLB_VIEWS_WORDS = 3 * JIT_TLB_ENTRIES * ENTRY_SLOTS;
/** Bytes of one view: view v starts v × this after the first (the views are consecutive). */
export const JIT_TLB_VIEW_BYTES = JIT_TLB_ENTRIES * ENTRY_SLOTS * 4;
/** `(va >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK` is the first slot of va's entry. */
export const JIT_TLB_INDEX_SHIFT = PAGE_SHIFT - 2;
export const JIT_TLB_INDEX_MASK = (JIT_TLB_ENTRIES - 1) << 2;
/** Offset of the write tag from the entry's first slot. */
export const JIT_TLB_WRITE = 2;
/** No address masked for an access (low bits at most 7) has all of its low 12 bits set. */
export const INVALID_TAG = 0xfff;

/** `writeAt1` of a host page with write halves in more than two entries. */
const WRITE_AT_MANY = -1;
/** Host pages remembered individually for a wholesale clear of the records. */
const RECORDED_CAPACITY = 1 << 14;

/** The translation views the MMU switches between. */
export const VIEW_IDENTITY = 0;
export const VIEW_PRIV = 1;
export const VIEW_USER = 2;

export class JitTlb {
  /** Per view: JIT_TLB_ENTRIES × (read tag, read addend, write tag, write addend). */
  readonly views: readonly Int32Array[];
  /**
   * host page -> where write halves pointing at it were filled: up to two entries (view ×
   * JIT_TLB_ENTRIES + entry + 1, 0: none) in `writeAt1`/`writeAt2`, or WRITE_AT_MANY in `writeAt1`
   * when there were more (a revocation then scans every view). Linux rewrites page tables all the
   * time, and each rewrite revokes a page: a scan per revocation cost more than the table saved.
   */
  private readonly writeAt1: Int32Array;
  private readonly writeAt2: Int32Array;
  /** Host pages with a record (cleared wholesale by allWritesRevoked); past capacity: fill(0). */
  private readonly recorded: Int32Array;
  private recordedCount = 0;
  /** Per view: entries filled since its last flush (past capacity: the whole view is cleared). */
  private readonly filled: readonly Int32Array[] = [0, 1, 2].map(() => new Int32Array(JIT_TLB_ENTRIES));
  private readonly filledCount = [0, 0, 0];

  constructor(
    private readonly pageRead: Int32Array,
    private readonly pageWrite: Int32Array,
    hostPages: number,
    /** Where the three views live (JIT_TLB_VIEWS_WORDS words: the wasm tier's state area), fresh arrays by default. */
    storage: Int32Array = new Int32Array(JIT_TLB_VIEWS_WORDS),
  ) {
    if (storage.length !== JIT_TLB_VIEWS_WORDS) throw new Error(`JIT TLB storage must be ${JIT_TLB_VIEWS_WORDS} words`);
    const viewWords = JIT_TLB_ENTRIES * ENTRY_SLOTS;
    this.views = [0, 1, 2].map((v) => storage.subarray(v * viewWords, (v + 1) * viewWords).fill(INVALID_TAG));
    this.writeAt1 = new Int32Array(hostPages);
    this.writeAt2 = new Int32Array(hostPages);
    this.recorded = new Int32Array(RECORDED_CAPACITY);
  }

  /**
   * Cache virtual page `vpage` of `view`, translated by MMU entry `e` (physical page << 3 | PROT
   * bits), for what the entry and the bus's page tables let through now.
   */
  fill(view: number, vpage: number, e: number): void {
    const t = this.views[view]!;
    const s = (vpage & (JIT_TLB_ENTRIES - 1)) * ENTRY_SLOTS;
    const tag = (vpage << PAGE_SHIFT) | 0;
    const n = this.filledCount[view]!;
    if (n < JIT_TLB_ENTRIES) this.filled[view]![n] = s;
    this.filledCount[view] = n + 1;
    const ppage = e >>> 3;
    const rh = (e & 1) !== 0 ? this.pageRead[ppage]! : NO_RAM;
    const wh = (e & 2) !== 0 ? this.pageWrite[ppage]! : NO_RAM;
    t[s] = rh !== NO_RAM ? tag : INVALID_TAG;
    t[s + 1] = (rh - tag) | 0;
    t[s + 2] = wh !== NO_RAM ? tag : INVALID_TAG;
    t[s + 3] = (wh - tag) | 0;
    if (wh !== NO_RAM) this.recordWrite(wh >>> PAGE_SHIFT, view * JIT_TLB_ENTRIES + s / ENTRY_SLOTS + 1);
  }

  private recordWrite(hp: number, at: number): void {
    const first = this.writeAt1[hp]!;
    if (first === at || first === WRITE_AT_MANY) return;
    if (first === 0) {
      this.writeAt1[hp] = at;
      if (this.recordedCount < RECORDED_CAPACITY) this.recorded[this.recordedCount] = hp;
      this.recordedCount++;
    } else {
      const second = this.writeAt2[hp]!;
      if (second === 0 || second === at) this.writeAt2[hp] = at;
      else this.writeAt1[hp] = WRITE_AT_MANY;
    }
  }

  /** Drop the write half of entry `at` (as recorded) if it still points at host page `hp`. */
  private revokeAt(at: number, hp: number): void {
    const t = this.views[((at - 1) / JIT_TLB_ENTRIES) | 0]!;
    const s = ((at - 1) % JIT_TLB_ENTRIES) * ENTRY_SLOTS + JIT_TLB_WRITE;
    const tag = t[s]!;
    if (tag !== INVALID_TAG && (tag + t[s + 1]!) >>> PAGE_SHIFT === hp) t[s] = INVALID_TAG;
  }

  /** Drop `view`'s entry for virtual page `vpage` (if it holds that page: the entry is shared). */
  flushPage(view: number, vpage: number): void {
    const t = this.views[view]!;
    const s = (vpage & (JIT_TLB_ENTRIES - 1)) * ENTRY_SLOTS;
    const tag = (vpage << PAGE_SHIFT) | 0;
    if (t[s] === tag) t[s] = INVALID_TAG;
    if (t[s + 2] === tag) t[s + 2] = INVALID_TAG;
  }

  /** Drop every entry of `view`. */
  flushView(view: number): void {
    const t = this.views[view]!;
    const n = this.filledCount[view]!;
    if (n > JIT_TLB_ENTRIES) {
      t.fill(INVALID_TAG);
    } else {
      const f = this.filled[view]!;
      for (let i = 0; i < n; i++) {
        const s = f[i]!;
        t[s] = INVALID_TAG;
        t[s + 2] = INVALID_TAG;
      }
    }
    this.filledCount[view] = 0;
  }

  /** The bus write-protected host page `hostPage` (every alias): its write halves go. */
  writeRevoked(hostPage: number): void {
    const first = this.writeAt1[hostPage]!;
    if (first === 0) return;
    if (first === WRITE_AT_MANY) {
      for (const t of this.views) {
        for (let s = JIT_TLB_WRITE; s < t.length; s += ENTRY_SLOTS) {
          const tag = t[s]!;
          if (tag !== INVALID_TAG && (tag + t[s + 1]!) >>> PAGE_SHIFT === hostPage) t[s] = INVALID_TAG;
        }
      }
    } else {
      this.revokeAt(first, hostPage);
      const second = this.writeAt2[hostPage]!;
      if (second !== 0) this.revokeAt(second, hostPage);
    }
    // The page stays in `recorded` (clearing it twice is harmless).
    this.writeAt1[hostPage] = 0;
    this.writeAt2[hostPage] = 0;
  }

  private clearRecords(): void {
    if (this.recordedCount > RECORDED_CAPACITY) {
      this.writeAt1.fill(0);
      this.writeAt2.fill(0);
    } else {
      for (let i = 0; i < this.recordedCount; i++) {
        const hp = this.recorded[i]!;
        this.writeAt1[hp] = 0;
        this.writeAt2[hp] = 0;
      }
    }
    this.recordedCount = 0;
  }

  /** The bus write-protected all RAM (a snapshot taken or restored): every write half goes. */
  allWritesRevoked(): void {
    if (this.recordedCount === 0) return;
    this.clearRecords();
    for (const t of this.views) for (let s = JIT_TLB_WRITE; s < t.length; s += ENTRY_SLOTS) t[s] = INVALID_TAG;
  }

  /** The bus took pages off its fast paths for reads and writes (watchpoints): everything goes. */
  allRevoked(): void {
    for (let v = 0; v < this.views.length; v++) this.flushView(v);
    this.clearRecords();
  }
}
