/**
 * A software TLB for one privilege level: virtual page → (physical page << 3 | PROT_* bits), 0 when
 * empty. A flat Int32Array indexed by the virtual page keeps a hit to one typed-array load; the list
 * of filled pages makes a flush cost what was filled, not 2^20. Only translations to physical pages
 * below 4 GiB are cached (anything above is an external abort on armrr's 32-bit bus).
 *
 * The TLB never holds a stale translation: the Mmu flushes it on every register change that can
 * alter a walk and whenever RAM holding a descriptor it was filled from is written. So a hit gives
 * exactly what a fresh walk would, and nothing the guest sees depends on what the TLB held
 * (invariant I5) — QEMU does not model stale entries either.
 */
import { PAGE_SHIFT } from './bus.js';

const NUM_PAGES = 1 << (32 - PAGE_SHIFT);
/** Filled pages remembered individually; past this a flush clears the whole array (rare). */
const FILLED_CAPACITY = 1 << 14;

export class Tlb {
  /** Virtual page → physical page << 3 | PROT_* bits (0: not cached). */
  readonly entries: Int32Array;
  private readonly filled = new Int32Array(FILLED_CAPACITY);
  private filledCount = 0;
  private overflowed = false;

  /** `entries`: where the 2^20 entries live (the wasm tier's state area), a fresh array by default. */
  constructor(entries: Int32Array = new Int32Array(NUM_PAGES)) {
    if (entries.length !== NUM_PAGES) throw new Error(`TLB storage must be ${NUM_PAGES} words`);
    this.entries = entries.fill(0);
  }

  /** Cache the translation of virtual page `vpage` to physical page `ppage` with `prot`. */
  fill(vpage: number, ppage: number, prot: number): void {
    if (this.entries[vpage] === 0) {
      if (this.filledCount < FILLED_CAPACITY) this.filled[this.filledCount++] = vpage;
      else this.overflowed = true;
    }
    this.entries[vpage] = (ppage << 3) | prot;
  }

  /** Drop every cached translation. */
  flushAll(): void {
    if (this.overflowed) {
      this.entries.fill(0);
      this.overflowed = false;
    } else {
      const e = this.entries;
      const f = this.filled;
      for (let i = 0; i < this.filledCount; i++) e[f[i]!] = 0;
    }
    this.filledCount = 0;
  }

  /** Drop the translation of one virtual page (it stays in the filled list; clearing twice is harmless). */
  flushPage(vpage: number): void {
    this.entries[vpage] = 0;
  }

  /** Number of cached pages (tests, statistics). */
  get size(): number {
    let n = 0;
    for (let i = 0; i < NUM_PAGES; i++) if (this.entries[i] !== 0) n++;
    return n;
  }
}
