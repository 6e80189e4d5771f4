/**
 * Snapshots with copy-on-write RAM pages (DESIGN §4).
 *
 * Invariant: RAM == state(anchor) + the pages in `dirty`, where `anchor` is the snapshot last taken,
 * restored, or passed by forward execution. Each snapshot k stores `delta`: the contents at k of the
 * pages written between snapshot k-1 and k (the first snapshot stores every non-zero page). So:
 * - capture costs O(registers + pages dirtied since the previous snapshot);
 * - restore(k) rewrites only the pages dirtied since the anchor plus those in the deltas between
 *   the anchor and k, reading each page's content at k from the newest delta at or before k;
 * - deleting a snapshot merges its delta into the next one (older copy kept where the next has none).
 *
 * Dirty tracking uses the bus's write-protect path: after a capture/restore every RAM page is write
 * protected; the first write to a page lands in `beforeRamWrite`, which marks it dirty and lifts the
 * protection (the same slow path watchpoints use).
 */
import { PAGE_SIZE, type Bus, type WriteObserver } from '../emulator/memory/bus.js';
import type { Machine } from '../emulator/machines/machine.js';
import type { LogLocation } from '../replay/errors.js';
import { captureMachineState, coreStateBytes, restoreMachineState, type CoreMachineState } from './machine-state.js';
import type { StepChunk } from './step-ring.js';

export interface Snapshot {
  readonly icount: number;
  readonly state: CoreMachineState;
  /** Replay log position at this icount (null when not replaying). */
  readonly log: LogLocation | null;
  /** Host page -> contents at this snapshot, for pages written since the previous snapshot. */
  delta: Map<number, Uint8Array>;
}

/**
 * A short-lived snapshot between a snapshot (`base`) and the next one, for reverse steps near the
 * present: `pages` holds every page written since `base` as it is here, so restoring it is
 * restore(base) plus those pages. Never saved, not in the budget; dropped with their base.
 */
export interface FineSnapshot {
  readonly icount: number;
  readonly state: CoreMachineState;
  readonly log: LogLocation | null;
  readonly base: Snapshot;
  readonly pages: Map<number, Uint8Array>;
}

/** At most this many fine snapshots per snapshot interval. */
export const FINE_SNAPSHOTS_PER_INTERVAL = 64;

export interface SnapshotStoreOptions {
  /** Memory budget in bytes for all snapshots. */
  budgetBytes: number;
  /**
   * Told once, the first time the budget cannot be met: thinning is down to the base and the
   * newest snapshot (or the base alone), which need `bytes` together. The store keeps working
   * over budget (those two are what every seek needs); a caller says what budget to set.
   */
  onOverBudget?: (bytes: number, budgetBytes: number) => void;
}

export class SnapshotStore implements WriteObserver {
  /** Sorted by icount; snapshots[0] is the base. */
  readonly snapshots: Snapshot[] = [];
  private readonly dirty: Uint8Array;
  /**
   * Per host page, the icount of the newest snapshot whose delta holds it (-1: none holds it, the
   * page is zero at every snapshot). pageAt answers from it for a snapshot at or after that one
   * instead of scanning every older delta: restores next to the present (reverse steps) rewrite
   * pages last written long ago, and ~1,200 snapshots of the Linux boot made that scan ~20 µs a page.
   */
  private readonly newestDelta: Float64Array;
  private dirtyList: number[] = [];
  private anchor: Snapshot | null = null;
  private bytes = 0;
  /** Latest icount execution has reached (thinning keeps snapshots dense near it). */
  present = 0;
  /** Snapshots dropped (merged into the next) to stay within the budget, since the store began. */
  dropped = 0;

  constructor(
    private readonly machine: Machine,
    private readonly logPosition: () => LogLocation | null,
    private readonly restoreLog: (at: LogLocation) => void,
    readonly options: SnapshotStoreOptions,
  ) {
    const bus: Bus = machine.bus;
    this.dirty = new Uint8Array(bus.ramSize / PAGE_SIZE);
    this.newestDelta = new Float64Array(bus.ramSize / PAGE_SIZE).fill(-1);
    bus.writeObserver = this;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  beforeRamWrite(_addr: number, _size: number, hostPage: number): void {
    const step = this.step;
    if (step !== null) {
      // Recording a step's undo data: keep the page protected so each step sees its first write.
      if (!step.pages.includes(hostPage)) {
        step.pages.push(hostPage);
        step.contents.push(this.machine.bus.u8.slice(hostPage * PAGE_SIZE, (hostPage + 1) * PAGE_SIZE));
      }
    } else this.machine.bus.unprotectHostPage(hostPage);
    this.markWritten(hostPage);
  }

  /** Page `hp` differs from the anchor and from the fine snapshot RAM was captured at or restored to. */
  private markWritten(hp: number): void {
    if (this.dirty[hp] === 0) this.dirtyList.push(hp);
    // Written since the newest fine snapshot: the next one copies it instead of sharing.
    this.dirty[hp] = 2;
  }

  // ---- undo data of reverse steps next to the present (step-ring.ts) --------------------------

  /** The chunk whose first writes per page are being collected, or null. */
  private step: StepChunk | null = null;

  /**
   * Undo data for the instructions run from the current position until `endChunk`: the machine
   * state here and, as they write RAM pages, each page's contents before its first write.
   */
  beginChunk(): StepChunk {
    const m = this.machine;
    // Pages made writable earlier would take the chunk's writes unseen.
    m.bus.protectAllRam();
    this.step = { icount: m.icount, count: 0, state: captureMachineState(m), log: this.logPosition(), pages: [], contents: [] };
    return this.step;
  }

  endChunk(): void {
    this.step = null;
  }

  /** Writes back the pages chunk `c` wrote, as they were at its start (RAM only; see undoneTo). */
  undoChunkRam(c: StepChunk): void {
    const bus = this.machine.bus;
    const u8 = bus.u8;
    for (let i = 0; i < c.pages.length; i++) {
      const hp = c.pages[i]!;
      u8.set(c.contents[i]!, hp * PAGE_SIZE);
      bus.hostPageReplaced(hp);
      this.markWritten(hp);
    }
  }

  /** After undoChunkRam back to `c`: the rest of the machine as at its start. */
  undoneTo(c: StepChunk): void {
    this.restoreState(c.state, c.log);
  }

  // ---- fine snapshots (reverse steps near the present) ---------------------------------------

  /** Fine snapshots of one base, sorted by icount. */
  fine: FineSnapshot[] = [];

  /** The base fine snapshots hang off (null: none). */
  get fineBase(): Snapshot | null {
    return this.fine[0]?.base ?? null;
  }

  /**
   * Fine snapshot here, if RAM is anchored on `base` (the newest snapshot at or before here) and
   * here is past the newest fine snapshot of `base` (they are only appended); false otherwise.
   * Pages not written since the previous fine snapshot share its copy, so a capture costs the
   * pages written since then plus the machine state.
   */
  captureFine(base: Snapshot): boolean {
    if (this.anchor !== base || this.fineTop(base) >= this.machine.icount) return false;
    if (this.fineBase !== base) this.fine = [];
    const prev = this.fineRef !== null && this.fineRef.base === base ? this.fineRef : null;
    const m = this.machine;
    const u8 = m.bus.u8;
    const pages = new Map<number, Uint8Array>();
    for (const hp of this.dirtyList) {
      const shared = this.dirty[hp] === 1 ? prev?.pages.get(hp) : undefined;
      if (shared !== undefined) pages.set(hp, shared);
      else pages.set(hp, u8.slice(hp * PAGE_SIZE, (hp + 1) * PAGE_SIZE));
      this.dirty[hp] = 1;
      // Protect again so that the next write marks the page written-since (dirty = 2).
      m.bus.protectHostPage(hp);
    }
    const f: FineSnapshot = { icount: m.icount, state: captureMachineState(m), log: this.logPosition(), base, pages };
    this.fine.push(f);
    this.fineRef = f;
    return true;
  }

  /** Newest fine snapshot at or before icount whose base is `base`, or null. */
  findFine(base: Snapshot, icount: number): FineSnapshot | null {
    if (this.fineBase !== base) return null;
    let best: FineSnapshot | null = null;
    for (const f of this.fine) {
      if (f.icount > icount) break;
      best = f;
    }
    return best;
  }

  /** Newest fine snapshot's icount for `base` (base.icount when none). */
  fineTop(base: Snapshot): number {
    return this.fineBase === base ? this.fine[this.fine.length - 1]!.icount : base.icount;
  }

  /** Restore a fine snapshot: its base's RAM, then the pages written since, then its state. */
  restoreFine(f: FineSnapshot): void {
    this.restoreRam(f.base);
    const bus = this.machine.bus;
    const u8 = bus.u8;
    for (const [hp, content] of f.pages) {
      u8.set(content, hp * PAGE_SIZE);
      bus.hostPageReplaced(hp);
      // Differs from the base (the anchor): dirty, and protected so a write is seen as new.
      this.dirty[hp] = 1;
      this.dirtyList.push(hp);
    }
    this.restoreState(f.state, f.log);
    this.fineRef = f;
  }

  /**
   * The fine snapshot RAM was last captured at or restored to: a page still marked 1 (not
   * written since) holds its copy's contents. Null after any other restore or re-anchoring.
   */
  private fineRef: FineSnapshot | null = null;

  /** Snapshot at the current position, unless one already exists there. */
  capture(): Snapshot {
    const m = this.machine;
    const icount = m.icount;
    const existing = this.find(icount);
    if (existing !== null && existing.icount === icount) {
      this.passed(existing);
      return existing;
    }
    const delta = new Map<number, Uint8Array>();
    const u8 = m.bus.u8;
    if (this.snapshots.length === 0) {
      // Base: every non-zero page (absent pages are zero). A big guest's RAM is mostly untouched:
      // test runs of pages at once (memcmp), then the pages of a run that is not all zero.
      const pages = this.dirty.length;
      for (let run = 0; run < pages; run += ZERO_RUN_PAGES) {
        const end = Math.min(pages, run + ZERO_RUN_PAGES);
        if (isZero(u8, run * PAGE_SIZE, (end - run) * PAGE_SIZE)) continue;
        for (let hp = run; hp < end; hp++) {
          const off = hp * PAGE_SIZE;
          if (!isZero(u8, off, PAGE_SIZE)) delta.set(hp, u8.slice(off, off + PAGE_SIZE));
        }
      }
    } else {
      // Deltas chain consecutive snapshots, so new ones are only appended after the newest one,
      // with RAM anchored on it (the timeline stops at every existing snapshot to re-anchor).
      if (this.anchor !== this.newest || icount < this.anchor!.icount) {
        throw new Error('internal: snapshots can only be appended after the newest one');
      }
      for (const hp of this.dirtyList) {
        const off = hp * PAGE_SIZE;
        delta.set(hp, u8.slice(off, off + PAGE_SIZE));
      }
    }
    const snap: Snapshot = { icount, state: captureMachineState(m), log: this.logPosition(), delta };
    this.snapshots.push(snap);
    for (const hp of delta.keys()) this.newestDelta[hp] = icount;
    this.bytes += delta.size * PAGE_SIZE + coreStateBytes(snap.state);
    this.resetDirty();
    this.anchor = snap;
    if (icount > this.present) this.present = icount;
    this.thin();
    return snap;
  }

  /**
   * Replace the store's snapshots with ones saved by an earlier replay of the same log (see
   * snapshot-file.ts). Only valid right after the base capture, with the machine still at the
   * base: the loaded base must equal the live one (registers, devices, pages), which also catches a
   * file written by an armrr whose machine state differs. Returns false (store unchanged) if not.
   */
  adopt(loaded: Snapshot[]): boolean {
    const base = this.snapshots[0];
    const lb = loaded[0];
    if (this.snapshots.length !== 1 || base === undefined || lb === undefined || this.anchor !== base) return false;
    if (this.machine.icount !== base.icount || lb.icount !== base.icount) return false;
    if (JSON.stringify(lb.state) !== JSON.stringify(base.state)) return false;
    if (lb.delta.size !== base.delta.size) return false;
    for (const [hp, c] of base.delta) {
      const o = lb.delta.get(hp);
      if (o === undefined || Buffer.compare(o, c) !== 0) return false;
    }
    this.fine = [];
    this.snapshots.splice(0, 1, ...loaded);
    this.snapshots[0] = base; // keep the live base object: it is the anchor
    this.bytes = 0;
    this.newestDelta.fill(-1);
    for (const s of this.snapshots) {
      this.bytes += s.delta.size * PAGE_SIZE + coreStateBytes(s.state);
      for (const hp of s.delta.keys()) this.newestDelta[hp] = s.icount;
    }
    this.present = Math.max(this.present, this.newest!.icount);
    this.thin();
    return true;
  }

  /** Forward execution reached an existing snapshot's icount: re-anchor there (cheap). */
  passed(s: Snapshot): void {
    this.resetDirty();
    this.anchor = s;
  }

  /** Newest snapshot at or before icount, or null. */
  find(icount: number): Snapshot | null {
    let lo = 0;
    let hi = this.snapshots.length - 1;
    let best: Snapshot | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.snapshots[mid]!;
      if (s.icount <= icount) {
        best = s;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  /** Oldest snapshot strictly after icount, or null (binary search: the run loop asks at every boundary). */
  findAfter(icount: number): Snapshot | null {
    let lo = 0;
    let hi = this.snapshots.length - 1;
    let best: Snapshot | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.snapshots[mid]!;
      if (s.icount > icount) {
        best = s;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return best;
  }

  get newest(): Snapshot | null {
    return this.snapshots[this.snapshots.length - 1] ?? null;
  }

  restore(target: Snapshot): void {
    this.restoreRam(target);
    this.restoreState(target.state, target.log);
  }

  private restoreState(state: CoreMachineState, log: LogLocation | null): void {
    restoreMachineState(this.machine, state);
    if (log !== null) this.restoreLog(log);
  }

  /** Index of a snapshot in `snapshots` (sorted by unique icounts), -1 if not there. */
  private indexOf(s: Snapshot): number {
    let lo = 0;
    let hi = this.snapshots.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.snapshots[mid]!;
      if (m.icount === s.icount) return m === s ? mid : -1;
      if (m.icount < s.icount) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** RAM as at `target`, anchored there with nothing dirty. */
  private restoreRam(target: Snapshot): void {
    const anchor = this.anchor;
    if (anchor === null) throw new Error('internal: restore before the first snapshot');
    const ti = this.indexOf(target);
    const ai = this.indexOf(anchor);
    if (ti < 0 || ai < 0) throw new Error('internal: unknown snapshot');
    const pages = new Set<number>(this.dirtyList);
    const lo = Math.min(ti, ai);
    const hi = Math.max(ti, ai);
    for (let i = lo + 1; i <= hi; i++) for (const hp of this.snapshots[i]!.delta.keys()) pages.add(hp);
    const bus = this.machine.bus;
    const u8 = bus.u8;
    for (const hp of pages) {
      const content = this.pageAt(ti, hp);
      if (content === null) u8.fill(0, hp * PAGE_SIZE, (hp + 1) * PAGE_SIZE);
      else u8.set(content, hp * PAGE_SIZE);
      bus.hostPageReplaced(hp);
    }
    this.resetDirty();
    this.anchor = target;
  }

  /** Contents of host page `hp` at snapshot index `i` (null = zero page). */
  private pageAt(i: number, hp: number): Uint8Array | null {
    const newest = this.newestDelta[hp]!;
    if (newest < 0) return null;
    if (newest <= this.snapshots[i]!.icount) return this.find(newest)!.delta.get(hp)!;
    for (let k = i; k >= 0; k--) {
      const c = this.snapshots[k]!.delta.get(hp);
      if (c !== undefined) return c;
    }
    return null;
  }

  private resetDirty(): void {
    this.fineRef = null;
    for (const hp of this.dirtyList) this.dirty[hp] = 0;
    this.dirtyList = [];
    this.machine.bus.protectAllRam();
  }

  /** Drop snapshots until within budget, keeping spacing growing with distance from the present. */
  private thin(): void {
    while (this.bytes > this.options.budgetBytes && this.snapshots.length > 2) {
      let victim = -1;
      let bestScore = Infinity;
      for (let i = 1; i < this.snapshots.length - 1; i++) {
        const s = this.snapshots[i]!;
        if (s === this.anchor) continue;
        const gap = this.snapshots[i + 1]!.icount - this.snapshots[i - 1]!.icount;
        const distance = Math.max(1, this.present - s.icount);
        const score = gap / distance;
        if (score < bestScore) {
          bestScore = score;
          victim = i;
        }
      }
      if (victim < 0) break;
      this.remove(victim);
    }
    if (this.bytes > this.options.budgetBytes && this.snapshots.length <= 2 && !this.overBudgetReported) {
      this.overBudgetReported = true;
      this.options.onOverBudget?.(this.bytes, this.options.budgetBytes);
    }
  }

  /** onOverBudget was called (it is called once). */
  private overBudgetReported = false;

  private remove(i: number): void {
    const s = this.snapshots[i]!;
    const next = this.snapshots[i + 1]!;
    for (const [hp, content] of s.delta) {
      if (!next.delta.has(hp)) {
        next.delta.set(hp, content);
        if (this.newestDelta[hp] === s.icount) this.newestDelta[hp] = next.icount;
      } else this.bytes -= PAGE_SIZE;
    }
    this.bytes -= coreStateBytes(s.state);
    this.snapshots.splice(i, 1);
    this.dropped++;
    if (this.fineBase === s) this.fine = [];
  }
}

/** Pages the base capture tests for zero at once. */
const ZERO_RUN_PAGES = 256;
const ZEROS = Buffer.alloc(ZERO_RUN_PAGES * PAGE_SIZE);

function isZero(u8: Uint8Array, off: number, length: number): boolean {
  // Buffer.compare is a memcmp: a 3 GiB guest's base took seconds as a JS loop over words.
  return Buffer.compare(new Uint8Array(u8.buffer, u8.byteOffset + off, length), ZEROS.subarray(0, length)) === 0;
}
