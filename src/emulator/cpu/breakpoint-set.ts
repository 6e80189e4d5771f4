/**
 * The core's breakpoint addresses, with a per-4 KiB-page count so the execution loop can tell in
 * O(1) that a PC or a whole translated block (each of its code ranges within a page) holds no breakpoint: a
 * run's cost does not grow with the number of breakpoints set elsewhere.
 *
 * A `Set<number>` (the `CoreExecutor.breakpoints` type): `has` is the native one; add/delete/clear
 * keep the page counts and bump `generation`, which translated blocks use to cache whether they
 * hold a breakpoint.
 */

const PAGE_SHIFT = 12;
const PAGES = 1 << (32 - PAGE_SHIFT);

export class BreakpointSet extends Set<number> {
  /** Bumped on every change: a cached "holds a breakpoint" answer older than this is stale. */
  generation = 0;
  /** Breakpoints per page; allocated with the first breakpoint (2 MiB covers the 32-bit space). */
  private counts: Uint16Array | null = null;

  override add(addr: number): this {
    const a = addr >>> 0;
    if (super.has(a)) return this;
    super.add(a);
    this.counts ??= new Uint16Array(PAGES);
    this.counts[a >>> PAGE_SHIFT]!++;
    this.generation++;
    return this;
  }

  override delete(addr: number): boolean {
    const a = addr >>> 0;
    if (!super.delete(a)) return false;
    this.counts![a >>> PAGE_SHIFT]!--;
    this.generation++;
    return true;
  }

  override clear(): void {
    if (this.size === 0) return;
    for (const a of this) this.counts![a >>> PAGE_SHIFT] = 0;
    super.clear();
    this.generation++;
  }

  /** True when some breakpoint lies in the 4 KiB page of `addr`. */
  onPage(addr: number): boolean {
    return this.counts !== null && this.counts[addr >>> PAGE_SHIFT] !== 0;
  }

  /** The breakpoint check per instruction: a page test first, the set only on pages holding one. */
  hit(pc: number): boolean {
    return this.counts !== null && this.counts[pc >>> PAGE_SHIFT] !== 0 && super.has(pc >>> 0);
  }

  /** True when a breakpoint lies in [start, end) (one page at most): a block's code after a followed branch. */
  holdsIn(start: number, end: number): boolean {
    return this.onPage(start) && this.holdsAfterStart(start - 2, end);
  }

  /** True when a breakpoint lies in (start, end): after the first instruction of a block. */
  holdsAfterStart(start: number, end: number): boolean {
    const s = start >>> 0;
    if (!this.onPage(s)) return false;
    for (let a = s + 2; a < end >>> 0; a += 2) if (super.has(a)) return true;
    return false;
  }
}
