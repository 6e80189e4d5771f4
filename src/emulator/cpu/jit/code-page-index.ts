/**
 * The translated blocks of each host RAM page, for invalidation by writes to code: both block JITs
 * (M-profile, A32) keep one. A page holding a block is marked on the bus (its fast write path then
 * reports writes here); a write overlapping a block drops it, a replaced page drops all of its blocks,
 * and a page left without blocks is unmarked.
 */
import type { Bus } from '../../memory/bus.js';
import { PAGE_SIZE } from '../../memory/bus.js';

export interface PageBlock {
  readonly start: number;
  readonly end: number;
  readonly hostPage: number;
}

export class CodePageIndex<B extends PageBlock> {
  private readonly byPage = new Map<number, B[]>();

  /** `drop` forgets a block in the JIT's own lookup structures. */
  constructor(
    private readonly bus: Bus,
    private readonly drop: (b: B) => void,
  ) {}

  add(b: B): void {
    let list = this.byPage.get(b.hostPage);
    if (list === undefined) {
      list = [];
      this.byPage.set(b.hostPage, list);
      this.bus.markCodePage(b.hostPage);
    }
    list.push(b);
  }

  codeWrite(addr: number, hostPage: number): void {
    const list = this.byPage.get(hostPage);
    if (list === undefined) return;
    const off = addr & (PAGE_SIZE - 1);
    const keep: B[] = [];
    for (const b of list) {
      const bOff = b.start & (PAGE_SIZE - 1);
      if (off >= bOff && off < bOff + (b.end - b.start)) this.drop(b);
      else keep.push(b);
    }
    if (keep.length !== list.length) this.setPage(hostPage, keep);
  }

  codePageReplaced(hostPage: number): void {
    const list = this.byPage.get(hostPage);
    if (list === undefined) return;
    for (const b of list) this.drop(b);
    this.setPage(hostPage, []);
  }

  private setPage(hostPage: number, list: B[]): void {
    if (list.length === 0) {
      this.byPage.delete(hostPage);
      this.bus.clearCodePage(hostPage);
    } else {
      this.byPage.set(hostPage, list);
    }
  }
}
