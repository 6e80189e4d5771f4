/**
 * The replay timeline: forward execution of a replay with periodic snapshots, and exact seeks to
 * any icount (DESIGN §4). The gdb stub's reverse execution is built on `seek` and `runForward`.
 *
 * Forward runs stop at every existing snapshot's icount so the store can re-anchor its dirty-page
 * tracking there (cheap), and take a new snapshot every `interval` instructions past the newest.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine, RunHooks, StopReason } from '../emulator/machines/machine.js';
import { SnapshotStore } from './snapshot-store.js';

export interface TimelineOptions {
  /** Instructions between periodic snapshots. */
  interval: number;
  /** Memory budget for snapshots, bytes. */
  budgetBytes: number;
  /** Icount where the replay log ends. */
  endIcount: number;
}

/** Default snapshot spacing and budget: see BENCHMARKS.md for how they were chosen. */
export const DEFAULT_SNAPSHOT_INTERVAL = 250_000;
export const DEFAULT_SNAPSHOT_BUDGET_MIB = 256;

export class ReplayTimeline {
  readonly store: SnapshotStore;

  constructor(
    readonly machine: Machine,
    private readonly replayHooks: RunHooks,
    logPosition: () => import('../replay/errors.js').LogLocation | null,
    restoreLog: (at: import('../replay/errors.js').LogLocation) => void,
    readonly options: TimelineOptions,
  ) {
    if (!(options.interval >= 1)) throw new RangeError('snapshot interval must be >= 1 instruction');
    this.store = new SnapshotStore(machine, logPosition, restoreLog, { budgetBytes: options.budgetBytes });
    this.store.capture();
  }

  get icount(): number {
    return this.machine.icount;
  }

  get endIcount(): number {
    return this.options.endIcount;
  }

  /** Next icount where the run must pause for snapshot bookkeeping. */
  private nextSnapshotIcount(icount: number): number {
    const after = this.store.findAfter(icount);
    if (after !== null) return after.icount;
    const newest = this.store.newest!;
    return Math.max(icount + 1, newest.icount + this.options.interval);
  }

  /**
   * Only the first boundary at an icount counts: the loop can visit one icount several times (an
   * exception entry retires no instruction but writes the stack), and re-anchoring on a later
   * visit would lose those writes from the dirty set.
   */
  private lastBoundary = -1;

  private atBoundary(icount: number): void {
    if (icount === this.lastBoundary) return;
    this.lastBoundary = icount;
    const s = this.store.find(icount);
    if (s !== null && s.icount === icount) this.store.passed(s);
    else if (icount >= this.store.newest!.icount + this.options.interval) this.store.capture();
  }

  /** Hooks for Machine.run that add snapshot bookkeeping to the replay's own hooks. */
  hooks(extra: RunHooks = {}): RunHooks {
    const r = this.replayHooks;
    return {
      atBoundary: (icount) => {
        this.atBoundary(icount);
        r.atBoundary?.(icount);
        extra.atBoundary?.(icount);
      },
      nextHookIcount: (icount) =>
        Math.min(
          this.nextSnapshotIcount(icount),
          r.nextHookIcount?.(icount) ?? Infinity,
          extra.nextHookIcount?.(icount) ?? Infinity,
        ),
      onInterruptTaken: (exc, icount) => {
        r.onInterruptTaken?.(exc, icount);
        extra.onInterruptTaken?.(exc, icount);
      },
      shouldHalt: extra.shouldHalt,
    };
  }

  /** Run forward until `target` (clamped to the log's end) or a stop. */
  runForward(target: number, extra: RunHooks = {}): StopReason {
    const t = Math.min(target, this.options.endIcount);
    this.store.present = Math.max(this.store.present, this.icount);
    const stop = this.machine.run(t, this.hooks(extra));
    this.store.present = Math.max(this.store.present, this.icount);
    return stop;
  }

  /**
   * Move to exactly `target` (clamped to [0, end]): restore the newest snapshot at or before it
   * unless running forward from here is shorter, then replay forward. Breakpoints and watchpoints
   * must be disabled by the caller.
   */
  seek(target: number): StopReason {
    const t = this.startSeek(target);
    if (t === null) return { kind: 'limit' };
    return this.runForward(t);
  }

  /**
   * `seek` in slices of `slice` instructions with an event-loop turn between them, so a long
   * replay can report progress (and keep a gdb connection alive). Same end state as `seek`.
   */
  async seekInSlices(target: number, slice: number, onSlice: (icount: number, from: number, to: number) => void): Promise<StopReason> {
    const t = this.startSeek(target);
    if (t === null) return { kind: 'limit' };
    const from = this.icount;
    for (;;) {
      const stop = this.runForward(Math.min(t, this.icount + slice));
      if (stop.kind !== 'limit' || this.icount >= t) return stop;
      onSlice(this.icount, from, t);
      await yieldToEventLoop();
    }
  }

  /**
   * Restore the snapshot a seek starts from, if running forward from here is not shorter.
   * Returns the clamped target, or null when the machine is already exactly there.
   */
  private startSeek(target: number): number | null {
    const t = Math.max(0, Math.min(target, this.options.endIcount));
    const snap = this.store.find(t)!;
    const here = this.icount;
    if (!(here <= t && here >= snap.icount && this.machine.exitCode === null)) {
      this.store.restore(snap);
      this.lastBoundary = -1;
      // A snapshot holds the state at the *start* of its boundary (taken in atBoundary, before
      // inputs are polled and a pending exception is entered), while a run that stops at icount t
      // has done that boundary's work. So after restoring a snapshot at exactly t, still run the
      // boundary: machine.run(t) does it and returns without executing anything.
      return t;
    }
    return this.icount === t ? null : t;
  }
}
