/**
 * The replay timeline: forward execution of a replay with periodic snapshots, and exact seeks to
 * any icount (DESIGN §4). The gdb stub's reverse execution is built on `seek` and `runForward`.
 *
 * Forward runs stop at every existing snapshot's icount so the store can re-anchor its dirty-page
 * tracking there (cheap), and take a new snapshot every `interval` instructions past the newest.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine, RunHooks, StopReason } from '../emulator/machines/machine.js';
import { FINE_SNAPSHOTS_PER_INTERVAL, SnapshotStore, type Snapshot } from './snapshot-store.js';
import { StepRing } from './step-ring.js';
import { promoteYoungGeneration } from './young-garbage.js';

export interface TimelineOptions {
  /** Instructions between periodic snapshots. */
  interval: number;
  /** Memory budget for snapshots, bytes. */
  budgetBytes: number;
  /** Icount where the replay log ends. */
  endIcount: number;
  /** See SnapshotStoreOptions.onOverBudget. */
  onOverBudget?: (bytes: number, budgetBytes: number) => void;
}

export { DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_BUDGET_MIB } from './snapshot-defaults.js';

/**
 * Slices of a sliced run aim at this much host time: the event loop (Ctrl-C, other connections,
 * signals) waits at most about this long. The instruction count per slice adapts to the speed of
 * the code and the host (JIT or interpreter, load); slicing never changes results.
 */
const SLICE_TARGET_MS = 20;
const MIN_SLICE_INSNS = 10_000;
const MAX_SLICE_INSNS = 16_000_000;
/** Machine-loop turns in one slice: bounds a slice that makes little or no progress in icount. */
const SLICE_TURNS = 100_000;
/** Fine snapshots (reverse steps) are at least this many instructions apart. */
const MIN_FINE_SPACING = 256;

/**
 * A seek that restores a snapshot for a target at most STEP_BACK_MAX behind the position it
 * started from is taken for a reverse step, and leaves undo data (step-ring.ts) for the
 * STEP_RING_SPAN positions below that start, in chunks of STEP_CHUNK instructions: the next
 * reverse steps write back a chunk's pages, load its state and run forward less than a chunk.
 * One chunk costs a state capture (~ a forward step), so the ring is refilled once per
 * STEP_RING_SPAN reverse steps for ~STEP_RING_SPAN / STEP_CHUNK captures; random seeks never pay.
 */
const STEP_BACK_MAX = 4;
const STEP_RING_SPAN = 1024;
const STEP_CHUNK = 16;

/** Instructions between `perInterval` fine snapshots of one snapshot interval. */
function spacingFor(interval: number, perInterval: number): number {
  return Math.max(MIN_FINE_SPACING, Math.ceil(interval / perInterval));
}

/** Instructions between the fine snapshots a seek leaves behind, for a snapshot interval. */
export function fineSpacingFor(interval: number): number {
  return spacingFor(interval, FINE_SNAPSHOTS_PER_INTERVAL);
}

/**
 * Fine snapshots per interval that a forward run with the fine trail leaves: fewer than a seek's
 * (each costs ~30 µs of a run that is mostly never reversed: 64 per interval made `continue`
 * over the fast boot 20-28% slower in CPU, so 8 should cost ~3%). The first reverse step then
 * replays at most this spacing and leaves a seek's fine snapshots for the next ones.
 */
const TRAIL_SNAPSHOTS_PER_INTERVAL = 8;

/** Instructions between the fine snapshots of the fine trail, for a snapshot interval. */
export function trailSpacingFor(interval: number): number {
  return spacingFor(interval, TRAIL_SNAPSHOTS_PER_INTERVAL);
}

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
    this.store = new SnapshotStore(machine, logPosition, restoreLog, { budgetBytes: options.budgetBytes, onOverBudget: options.onOverBudget });
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
    const fine = this.nextFineIcount(icount);
    const after = this.store.findAfter(icount);
    if (after !== null) return Math.min(fine, after.icount);
    const newest = this.store.newest!;
    return Math.min(fine, Math.max(icount + 1, newest.icount + this.options.interval));
  }

  // A seek that restores a snapshot replays up to an interval to reach its target; reverse steps
  // repeat that for each earlier icount. So such a seek leaves fine snapshots behind, every
  // `fineSpacing` instructions from the snapshot it started at up to its target (see
  // SnapshotStore.captureFine), and the next reverse steps start from the nearest of them.

  /** The snapshot the current seek restored (its fine snapshots are being placed), or null. */
  private fineBase: Snapshot | null = null;
  /** The current seek's target: no fine snapshot at or past it. */
  private fineLimit = -1;

  private get fineSpacing(): number {
    return this.fineTrail ? trailSpacingFor(this.options.interval) : fineSpacingFor(this.options.interval);
  }

  private nextFineIcount(icount: number): number {
    const base = this.fineBase;
    if (base === null || icount >= this.fineLimit) return Infinity;
    const top = this.store.fineTop(base);
    const next = top + this.fineSpacing;
    const last = this.lastRingStart();
    if (last > top && last > icount && last < next) return last;
    return next < this.fineLimit && next > icount ? next : Infinity;
  }

  /**
   * Where the fine trail also leaves a fine snapshot: the first position of the undo data the
   * first reverse step from the end of the replay records (the end is where users reverse from),
   * so that step replays nothing before recording it. -1 without the trail.
   */
  private lastRingStart(): number {
    return this.fineTrail ? this.options.endIcount - STEP_RING_SPAN : -1;
  }

  /**
   * While true, forward runs also leave fine snapshots behind them (from the snapshot they pass,
   * every trailSpacingFor(interval) instructions), so the first reverse step after a run stops
   * restores one of those instead of replaying up to a whole interval. The gdb stub sets it for
   * `continue` (setFineTrail); plain replays and seeks never pay for it.
   */
  private fineTrail = false;

  setFineTrail(on: boolean): void {
    if (on === this.fineTrail) return;
    this.fineTrail = on;
    // On: forward runs stop at every snapshot, so RAM is anchored on the newest one at or before
    // here. Off: no more fine snapshots until the next seek places its own.
    if (on) this.anchoredOn(this.store.find(this.icount)!);
    else this.fineLimit = -1;
  }

  /** RAM was anchored on `s` by forward execution: with fineTrail, fine snapshots follow from it. */
  private anchoredOn(s: Snapshot): void {
    if (!this.fineTrail) return;
    this.fineBase = s;
    this.fineLimit = Infinity;
  }

  private maybeCaptureFine(icount: number): void {
    const base = this.fineBase;
    if (base === null || icount >= this.fineLimit) return;
    const top = this.store.fineTop(base);
    const due = icount >= top + this.fineSpacing || (icount === this.lastRingStart() && icount > top);
    if (due && this.store.find(icount) === base) this.store.captureFine(base);
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
    if (s !== null && s.icount === icount) {
      this.store.passed(s);
      this.anchoredOn(s);
    } else if (icount >= this.store.newest!.icount + this.options.interval) this.anchoredOn(this.store.capture());
    else this.maybeCaptureFine(icount);
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

  // ---- reverse steps next to the present (step-ring.ts) -----------------------------------------

  /** Undo data of the positions just behind the last reverse step's start. */
  readonly steps = new StepRing();

  /** Set by startSeek when its seek is a reverse step: record steps from here, up to stepsTo. */
  private stepsFrom = Infinity;
  private stepsTo = -1;

  /**
   * Runs from the current position to `to` in chunks of STEP_CHUNK instructions, recording each
   * chunk's undo data (a new ring). Stops early where a run stops short of its chunk's end (the
   * machine exited, or made no progress); returns the last run's stop reason.
   */
  private recordSteps(to: number): StopReason {
    this.steps.clear();
    let stop: StopReason = { kind: 'limit' };
    while (this.icount < to && this.machine.exitCode === null) {
      const q = this.icount;
      const chunk = this.store.beginChunk();
      try {
        stop = this.rerun(Math.min(to, q + STEP_CHUNK));
      } finally {
        this.store.endChunk();
      }
      chunk.count = this.icount - q;
      if (chunk.count <= 0) break;
      this.steps.push(chunk);
      if (stop.kind !== 'limit') break;
    }
    return stop;
  }

  /** Goes back from the current position to `to` with the ring's undo data (steps.covers). */
  private undoSteps(to: number): StopReason {
    const steps = this.steps;
    const first = steps.indexOf(to);
    for (let i = steps.indexOf(this.icount - 1); i >= first; i--) this.store.undoChunkRam(steps.chunk(i));
    const c = steps.chunk(first);
    this.store.undoneTo(c);
    // The chunk's state is after the boundary work at its start: a run from there must not redo it.
    this.lastBoundary = c.icount;
    // Fine snapshots follow forward execution from their base only; the next seek places its own.
    this.fineLimit = -1;
    return this.rerun(to);
  }

  /**
   * runForward for code next to the present that reverse steps run again and again (a chunk of
   * undo data is re-run once per step): with the JIT's translation paused, so such code is not
   * made hot by the debugger and compiled for nothing (the first thousand steps cost ~300 µs each).
   */
  private rerun(to: number): StopReason {
    const core = this.machine.core;
    core.setTranslation?.(false);
    try {
      return this.runForward(to);
    } finally {
      core.setTranslation?.(true);
    }
  }

  /**
   * The end of a seek that startSeek took for a reverse step: run to stepsFrom, record steps up to
   * stepsTo (the position the seek started from), then undo back to the target `t`.
   */
  private finishStepBack(t: number): StopReason {
    const from = this.stepsFrom;
    this.stepsFrom = Infinity;
    let stop = this.runForward(from);
    if (this.icount !== from) return stop;
    stop = this.recordSteps(this.stepsTo);
    // The ring lives for the next ~STEP_RING_SPAN steps: promote it now (this step already pays
    // for the refill) so that their scavenges do not copy it.
    promoteYoungGeneration();
    if (this.icount === t) return stop;
    if (this.steps.covers(this.icount, t)) return this.undoSteps(t);
    // A step did not land where it should: seek plainly.
    const again = this.startSeek(t, false);
    return again === null ? { kind: 'limit' } : this.runForward(again);
  }

  /**
   * Leaves undo data (step-ring.ts) for the positions just behind here, and stays here (a seek one
   * back and one forward: the same state, I1). The reverse steps a user takes after a long run then
   * all start at once, instead of the first one restoring a snapshot and recording the ring
   * (~10 ms on the Linux replay) while the user waits; the run it follows took far longer.
   */
  prepareStepBack(): void {
    const here = this.icount;
    if (here === 0 || this.steps.covers(here, here - 1)) return;
    this.seek(here - 1);
    this.seek(here);
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
    if (this.stepsFrom <= t) return this.finishStepBack(t);
    return this.runForward(t);
  }

  /**
   * One bounded slice of forward execution toward `target`: a number of instructions sized to take
   * about SLICE_TARGET_MS, and at most
   * SLICE_TURNS turns of the machine loop, so a caller that yields to the event loop between
   * slices stays responsive whatever the guest or the log does (a loop that makes no progress at
   * all included). Stopping at a loop boundary and running on is invisible to the machine (the
   * boundary hooks and input polling are idempotent at one icount), so results do not depend on
   * slicing (I2). A slice that ran out reports `limit`, like a reached target: callers compare
   * the icount with their target.
   */
  runSlice(target: number, extra: RunHooks = {}): StopReason {
    let turns = 0;
    const own = extra.shouldHalt;
    const hooks: RunHooks = { ...extra, shouldHalt: () => ++turns > SLICE_TURNS || (own?.() ?? false) };
    const started = performance.now();
    const from = this.icount;
    const stop = this.runForward(Math.min(target, from + this.sliceInsns), hooks);
    if (this.icount - from >= this.sliceInsns) {
      // A full slice: size the next one toward SLICE_TARGET_MS of host time.
      const ms = performance.now() - started;
      if (ms < SLICE_TARGET_MS / 2) this.sliceInsns = Math.min(MAX_SLICE_INSNS, this.sliceInsns * 2);
      else if (ms > SLICE_TARGET_MS * 2) this.sliceInsns = Math.max(MIN_SLICE_INSNS, Math.floor(this.sliceInsns / 2));
    }
    return stop.kind === 'halt' && turns > SLICE_TURNS ? { kind: 'limit' } : stop;
  }

  /** Instructions in the next slice of runSlice (adapted to host speed). */
  private sliceInsns = 100_000;

  /**
   * `seek` in slices (runSlice) with an event-loop turn between them, so a long replay keeps gdb
   * connections served and can report progress. Same end state as `seek`. Stops early, wherever
   * it has got to, with `{kind: 'halt'}` when `cancelled()` becomes true between slices.
   */
  async seekInSlices(
    target: number,
    onSlice: (icount: number, from: number, to: number) => void = () => {},
    cancelled: () => boolean = () => false,
  ): Promise<StopReason> {
    const t = this.startSeek(target);
    if (t === null) return { kind: 'limit' };
    const from = this.icount;
    // A reverse step: its replay is shorter than a slice (fine snapshots), so it runs in one go.
    if (this.stepsFrom <= t) return this.finishStepBack(t);
    for (;;) {
      const stop = this.runSlice(t);
      if (stop.kind !== 'limit' || this.icount >= t) return stop;
      onSlice(this.icount, from, t);
      await yieldToEventLoop();
      if (cancelled()) return { kind: 'halt', reason: 'interrupted' };
    }
  }

  /**
   * Restore the snapshot a seek starts from, if running forward from here is not shorter.
   * Returns the clamped target, or null when the machine is already exactly there.
   */
  private startSeek(target: number, stepBack = true): number | null {
    const t = Math.max(0, Math.min(target, this.options.endIcount));
    const here = this.icount;
    this.stepsFrom = Infinity;
    if (this.steps.covers(here, t)) {
      this.undoSteps(t);
      return null;
    }
    const snap = this.store.find(t)!;
    const fine = this.store.findFine(snap, t);
    if (!(here <= t && here >= (fine?.icount ?? snap.icount) && this.machine.exitCode === null)) {
      if (fine !== null) this.store.restoreFine(fine);
      else this.store.restore(snap);
      this.fineBase = snap;
      this.fineLimit = t;
      this.lastBoundary = -1;
      if (stepBack && here > t && here - t <= STEP_BACK_MAX && here <= this.options.endIcount) {
        this.stepsFrom = Math.max(this.icount, here - STEP_RING_SPAN);
        this.stepsTo = here;
      }
      // A snapshot holds the state at the *start* of its boundary (taken in atBoundary, before
      // inputs are polled and a pending exception is entered), while a run that stops at icount t
      // has done that boundary's work. So after restoring a snapshot at exactly t, still run the
      // boundary: machine.run(t) does it and returns without executing anything.
      return t;
    }
    return this.icount === t ? null : t;
  }
}
