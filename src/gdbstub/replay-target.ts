/**
 * The gdb target for `armrr replay --gdb`: forward and reverse execution over a replay timeline
 * (DESIGN §5). Reverse execution never un-executes anything: it restores a snapshot and replays
 * forward to the right icount, so every stop is a state the recording really went through.
 *
 * Positions are icounts: "position p" is the machine state at the first loop boundary where
 * icount == p (before the instruction p+1 and before any exception entry at p).
 * - Breakpoint hit at position p: PC == a breakpoint address there.
 * - Watch hit by instruction k: instruction k (moving position k-1 -> k) accessed a watched range.
 *   Forward, it is reported at position k-1 (before the access retires; gdb steps over it); in
 *   reverse, at position k (before un-executing it; gdb then steps back over it).
 *
 * Write policy: memory and register writes are refused while replaying, with a message: any write
 * would make the rest of the replay diverge from the log.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { WatchObserver } from '../emulator/memory/bus.js';
import type { ReplayTimeline } from '../snapshots/timeline.js';
import { captureMachineState, restoreMachineState } from '../snapshots/machine-state.js';
import { promoteYoungGeneration } from '../snapshots/young-garbage.js';
import type { BreakpointType, GdbTarget, MemoryRegion, ResumeAction, StopReason, WatchpointType } from './target.js';
import {
  REG_A_D0,
  REG_A_FPSCR,
  REG_A_Q0,
  REG_CPSR,
  REG_D0,
  REG_FPSCR,
  REG_MSP,
  REG_PSP,
  REG_XPSR,
  registerLayoutFor,
  type RegisterLayout,
} from './register-layout.js';
import { DebugAddressSpace, type PhysicalPiece } from './debug-address-space.js';
import { ProcessFilter } from './process-filter.js';
import type { ArmV7aState } from '../emulator/cpu/v7a/state.js';

/**
 * A watchpoint at virtual `addr`. The bus watches physical pages, so `pieces` hold where the range
 * maps now; they are re-translated whenever the MMU drops cached translations (and after every
 * restore), so a remap moves the watch with it. Limits: a page that does not translate is not
 * watched until it does, and an access through another virtual alias of a watched physical page
 * also triggers (reported at the watched virtual address).
 */
interface Watch {
  type: WatchpointType;
  addr: number;
  len: number;
  pieces: PhysicalPiece[];
}

interface Hit {
  pos: number;
  stop: StopReason;
}

export interface ReplayTargetInfo {
  /** Extra monitor commands (info replay, events, timers...) provided by the CLI layer. */
  monitor?: (command: string, out: (text: string) => void, target: ReplayGdbTarget, connection: object) => Promise<boolean> | boolean;
  regions: readonly MemoryRegion[];
  /**
   * A `continue` that ran at least this long (host ms) prepares the reverse steps that usually
   * follow before it answers (resumeNow): that costs about one first reverse step (~10 ms on the
   * Linux replay), small next to such a run but not next to the short ones gdb's `next` and
   * `finish` make. Default PREPARE_AFTER_MS.
   */
  prepareAfterMs?: number;
}

/** See ReplayTargetInfo.prepareAfterMs. */
export const PREPARE_AFTER_MS = 100;

export class ReplayGdbTarget implements GdbTarget {
  readonly exitReport = 'stop' as const;
  private readonly bps = new Map<number, number>();
  /** How many of `bps` at each address were inserted as hardware breakpoints (Z1). */
  private readonly hwBps = new Map<number, number>();
  private readonly watches: Watch[] = [];
  private interrupted = false;
  private closed = false;
  private watchHit: { k: number; addr: number; type: 'watch' | 'rwatch' | 'awatch' } | null = null;
  private scanHits: Hit[] | null = null;

  constructor(
    readonly timeline: ReplayTimeline,
    private readonly info: ReplayTargetInfo,
  ) {
    const observer: WatchObserver = {
      onAccess: (addr, size, isWrite) => this.onAccess(addr, size, isWrite),
    };
    this.machine.bus.watchObserver = observer;
    this.space = new DebugAddressSpace(this.machine);
    this.space.onTranslationChange = () => this.rearmWatches();
    this.processFilter = new ProcessFilter(this.space.mmu);
  }

  /** `monitor process-filter`: user-space points stop only in one address space (process-filter.ts). */
  readonly processFilter: ProcessFilter;

  /** gdb's addresses (virtual on an A-profile core with its MMU on) to physical ones. */
  readonly space: DebugAddressSpace;

  private get isAProfile(): boolean {
    return this.machine.core.profile.arch === 'v7a';
  }

  get machine(): Machine {
    return this.timeline.machine;
  }

  // ---- registers and memory -------------------------------------------------------------------

  /** The FP registers exist for gdb only on a core with an FPU (an M3 keeps its description). */
  get registerLayout(): RegisterLayout {
    return registerLayoutFor(this.machine.core.profile);
  }

  readRegister(n: number): number | null {
    const c = this.machine.cpu;
    if (n >= 0 && n <= 15) return c.r[n]! >>> 0;
    if (this.isAProfile) {
      if (n === REG_CPSR) return (c as ArmV7aState).getCpsr();
      if (n === REG_A_FPSCR) return c.fpscr >>> 0;
      return null;
    }
    if (n === REG_XPSR) return c.getXpsr();
    if (n === REG_MSP) return c.getMsp() >>> 0;
    if (n === REG_PSP) return c.getPsp() >>> 0;
    if (n === REG_FPSCR && this.machine.core.profile.fpu) return c.fpscr >>> 0;
    return null;
  }

  /** d<n> = s<2n+1>:s<2n>; q<n> = d<2n+1>:d<2n> (A-profile). */
  readWideRegister(n: number, words: Uint32Array): boolean {
    if (this.isAProfile) {
      const count = this.machine.core.profile.fpRegs / 2;
      if (n >= REG_A_Q0) return this.readD(2 * (n - REG_A_Q0), count, words, 0) && this.readD(2 * (n - REG_A_Q0) + 1, count, words, 2);
      return this.readD(n - REG_A_D0, count, words, 0);
    }
    return this.readD(n - REG_D0, 16, words, 0);
  }

  /** d<d> into words[at], words[at + 1]; false if the core has no such register. */
  private readD(d: number, count: number, words: Uint32Array, at: number): boolean {
    if (d < 0 || d >= count || !this.machine.core.profile.fpu) return false;
    const s = this.machine.cpu.s;
    words[at] = s[2 * d]!;
    words[at + 1] = s[2 * d + 1]!;
    return true;
  }

  writeRegister(): boolean {
    return false;
  }

  readonly registerWriteRefusal = 'armrr replay: writing registers would make the replay diverge from the recording, so it is refused';

  readMemory(addr: number, length: number): Uint8Array | null {
    return this.readThrough(
      (mmio) => this.space.read(addr, length, mmio),
      () => this.space.isBacked(addr, length, false),
    );
  }

  /** `monitor phys`: bytes at a physical address, bypassing the MMU. */
  readPhysical(pa: number, length: number): Uint8Array | null {
    return this.readThrough(
      (mmio) => this.space.readPhysical(pa, length, mmio),
      () => this.space.isBacked(pa, length, true),
    );
  }

  private readThrough(read: (allowMmio: boolean) => Uint8Array | null, backed: () => boolean): Uint8Array | null {
    const ram = read(false);
    if (ram !== null) return ram;
    // gdb often reads where nothing is (address 0 or a stale frame while it unwinds the kernel's
    // stack: a few per reverse-stepi): answer those without saving and restoring the machine.
    if (!backed()) return null;
    // Device registers: reads can have side effects (a UART DATA read clears RXFULL), so read them
    // and put the whole non-RAM machine state back: the replay must not notice the debugger.
    const saved = captureMachineState(this.machine);
    try {
      return read(true);
    } finally {
      restoreMachineState(this.machine, saved);
      // The restore dropped the MMU's cached translations, which re-armed the watches on tables
      // that may not be restored yet; arm them again on the state now in place.
      this.rearmWatches();
    }
  }

  writeMemory(): string {
    return 'armrr replay: writing memory would make the replay diverge from the recording, so it is refused';
  }

  memoryRegions(): readonly MemoryRegion[] {
    return this.info.regions;
  }

  // ---- breakpoints and watchpoints ----------------------------------------------------------

  addBreakpoint(type: BreakpointType, addr: number): boolean {
    this.bps.set(addr >>> 0, (this.bps.get(addr >>> 0) ?? 0) + 1);
    if (type === 'hw') this.hwBps.set(addr >>> 0, (this.hwBps.get(addr >>> 0) ?? 0) + 1);
    return true;
  }

  removeBreakpoint(type: BreakpointType, addr: number): boolean {
    if (type === 'hw') countDown(this.hwBps, addr >>> 0);
    countDown(this.bps, addr >>> 0);
    return true;
  }

  /**
   * The stop for a breakpoint hit at `pc`: `hwbreak` when only Z1 points are there. gdb ignores a
   * `swbreak` stop at an address where it inserted a hardware breakpoint (it uses them where the
   * symbol file's sections are read-only, e.g. `tbreak *$lr` in the kernel) and resumes, which
   * stops at the same place again, forever.
   */
  private breakStop(pc: number): StopReason {
    const at = (a: number): boolean => (this.bps.get(a) ?? 0) > (this.hwBps.get(a) ?? 0);
    return at(pc) || at((pc | 1) >>> 0) ? { kind: 'swbreak' } : { kind: 'hwbreak' };
  }

  addWatchpoint(type: WatchpointType, addr: number, len: number): boolean {
    if (len <= 0 || len > 0x10000) return false;
    this.watches.push({ type, addr: addr >>> 0, len, pieces: [] });
    this.rearmWatches();
    return true;
  }

  removeWatchpoint(type: WatchpointType, addr: number, len: number): boolean {
    const i = this.watches.findIndex((w) => w.type === type && w.addr === addr >>> 0 && w.len === len);
    if (i < 0) return true;
    const [gone] = this.watches.splice(i, 1);
    for (const p of gone!.pieces) this.machine.bus.setWatched(p.pa, p.len, false);
    // Pages still covered by other watchpoints stay watched.
    for (const w of this.watches) for (const p of w.pieces) this.machine.bus.setWatched(p.pa, p.len, true);
    return true;
  }

  /** Translate every watched range again and watch the physical pages it maps to now. */
  private rearmWatches(): void {
    if (this.watches.length === 0) return;
    const bus = this.machine.bus;
    for (const w of this.watches) for (const p of w.pieces) bus.setWatched(p.pa, p.len, false);
    for (const w of this.watches) {
      w.pieces = this.space.physicalPieces(w.addr, w.len);
      for (const p of w.pieces) bus.setWatched(p.pa, p.len, true);
    }
  }

  private watchActive = false;

  private onAccess(addr: number, size: number, isWrite: boolean): void {
    if (!this.watchActive) return;
    for (const w of this.watches) {
      if (w.type === 'write' && !isWrite) continue;
      if (w.type === 'read' && isWrite) continue;
      // The bus reports physical addresses; gdb wants the virtual one it watches.
      const piece = w.pieces.find((p) => addr + size > p.pa && addr < p.pa + p.len);
      if (piece === undefined) continue;
      const type = w.type === 'write' ? 'watch' : w.type === 'read' ? 'rwatch' : 'awatch';
      const k = this.machine.icount;
      const hit = { k, addr: (piece.va + Math.max(0, addr - piece.pa)) >>> 0, type } as const;
      if (!this.processFilter.passes(hit.addr)) continue;
      if (this.scanHits !== null) {
        this.scanHits.push({ pos: k, stop: { kind: 'watch', type, addr: hit.addr } });
      } else if (this.watchHit === null) {
        this.watchHit = hit;
        this.machine.core.exitRequest = true;
      }
      return;
    }
  }

  // ---- forward execution ---------------------------------------------------------------------

  /**
   * Every long run here goes in slices (ReplayTimeline.runSlice) with an event-loop turn between
   * them, checking `interrupted` there: Ctrl-C, other connections and signals are served whatever
   * the guest or the log does, even when the machine makes no progress at all.
   */
  interrupt(): void {
    this.interrupted = true;
  }

  /** The stub is going away (the process ends): every pending run stops at its next slice. */
  close(): void {
    this.closed = true;
    this.interrupted = true;
  }

  /** true while a run, reverse run or seek is under way (they interleave with other connections). */
  private moving = false;

  /**
   * Runs one command that moves the machine. Two of them must never interleave their slices: a
   * second one (another connection's `monitor seek` while this one runs) is refused.
   */
  private async exclusive<T>(command: () => Promise<T>): Promise<T> {
    if (this.moving) throw new Error('the target is running for another gdb connection; interrupt it there first');
    this.moving = true;
    this.interrupted = this.closed;
    try {
      return await command();
    } finally {
      this.moving = false;
    }
  }

  private installBreakpoints(on: boolean): void {
    const set = this.machine.core.breakpoints;
    set.clear();
    if (on) for (const a of this.bps.keys()) set.add(a & ~1);
  }

  private atEnd(): boolean {
    return this.machine.icount >= this.timeline.endIcount || this.machine.exitCode !== null;
  }

  /** A watch hit ends the run at the next boundary (the target then seeks back before it). */
  private readonly watchHooks: RunHooks = { shouldHalt: () => this.watchHit !== null };

  /** `monitor seek`: a sliced seek that Ctrl-C (or the stub closing) stops; false then. */
  seekInterruptibly(icount: number, onSlice?: (icount: number, from: number, to: number) => void): Promise<boolean> {
    return this.exclusive(async () => {
      this.installBreakpoints(false);
      const stop = await this.timeline.seekInSlices(icount, onSlice, () => this.interrupted);
      return !(stop.kind === 'halt' && stop.reason === 'interrupted');
    });
  }

  /** Sliced seek that gives up (staying wherever it got to) when interrupted; false then. */
  private async seekTo(icount: number): Promise<boolean> {
    const stop = await this.timeline.seekInSlices(icount, undefined, () => this.interrupted);
    // A restore on the way may have re-armed the watches before RAM (the tables) was back.
    this.rearmWatches();
    return !(stop.kind === 'halt' && stop.reason === 'interrupted');
  }

  resume(action: ResumeAction): Promise<StopReason> {
    return this.exclusive(() => this.resumeNow(action));
  }

  private async resumeNow(action: ResumeAction): Promise<StopReason> {
    if (this.atEnd()) return { kind: 'replaylog', pos: 'end' };
    const started = performance.now();
    const stop = await this.runUntilStop(action);
    if (action === 'continue' && performance.now() - started >= (this.info.prepareAfterMs ?? PREPARE_AFTER_MS)) {
      // Where users reverse from: the first reverse step is then as quick as the next ones.
      if (stop.kind === 'replaylog' || stop.kind === 'watch') {
        this.timeline.prepareStepBack();
        this.rearmWatches(); // as seekTo: the restore may have armed them before the tables were back
      } else if (stop.kind === 'swbreak' || stop.kind === 'hwbreak') await this.prepareStepBackAtHit();
      // What the run left alive would otherwise be copied by scavenges during the reverse steps
      // that usually follow a `continue` (young-garbage.ts); a step's run is too short to matter.
      promoteYoungGeneration();
    }
    return stop;
  }

  /**
   * prepareStepBack at a breakpoint hit. Its seek back to here gives the first state at this
   * icount, while the hit can be a later one (an exception entered here first): run on to the
   * breakpoint as seekToHit does.
   */
  private async prepareStepBackAtHit(): Promise<void> {
    const p = this.machine.icount;
    this.timeline.prepareStepBack();
    await this.seekToHit({ pos: p, stop: { kind: 'swbreak' } });
  }

  private async runUntilStop(action: ResumeAction): Promise<StopReason> {
    const start = this.machine.icount;
    const target = action === 'step' ? start + 1 : Infinity;
    this.installBreakpoints(action === 'continue');
    // Wherever the run stops, the reverse steps that often follow find a fine snapshot close by.
    this.timeline.setFineTrail(action === 'continue');
    this.rearmWatches();
    this.watchActive = this.watches.length > 0;
    this.watchHit = null;
    let filtered = 0;
    try {
      for (;;) {
        const sliceEnd = Math.min(target, this.nextIcountBreak(this.machine.icount, start));
        const stop = this.timeline.runSlice(sliceEnd, this.watchHooks);
        if (this.watchHit !== null) {
          // Report before the access retires: go back to just before the accessing instruction.
          const { k, addr, type } = this.watchHit;
          this.watchActive = false;
          this.installBreakpoints(false);
          if (!(await this.seekTo(k - 1))) return { kind: 'signal', signal: 2 };
          return { kind: 'watch', type, addr };
        }
        if (stop.kind === 'breakpoint') {
          const pc = this.machine.cpu.r[15]! >>> 0;
          if (this.processFilter.passes(pc)) return this.breakStop(pc);
          // Another process at the same user address: run on past it.
          this.machine.core.skipBreakpointOnce = true;
          if (++filtered % 1024 === 0) {
            await yieldToEventLoop();
            if (this.interrupted) return { kind: 'signal', signal: 2 };
          }
          continue;
        }
        if (stop.kind === 'exit' || this.atEnd()) return { kind: 'replaylog', pos: 'end' };
        if (this.machine.icount >= target) return { kind: 'done-step' };
        const icountBreak = this.icountBreakAt(this.machine.icount, start);
        if (icountBreak !== null) {
          icountBreak.holder.delete(this.machine.icount);
          return { kind: 'signal', signal: 5 };
        }
        if (stop.kind === 'halt' && stop.reason === 'waiting for input') {
          // A live run idles until input arrives; keep serving gdb (Ctrl-C) meanwhile.
          await new Promise((r) => setTimeout(r, 5));
          if (this.interrupted) return { kind: 'signal', signal: 2 };
          continue;
        }
        if (stop.kind !== 'limit') return { kind: 'signal', signal: 5 };
        await yieldToEventLoop();
        if (this.interrupted) return { kind: 'signal', signal: 2 };
      }
    } finally {
      this.watchActive = false;
      this.installBreakpoints(false);
      this.timeline.setFineTrail(false);
    }
  }

  // ---- icount breakpoints (monitor break-icount) ----------------------------------------------

  /**
   * Icount breakpoints, per holder (a gdb connection, like gdb's own breakpoints: the stub drops a
   * connection's set when it detaches or disconnects). `resume` stops at any holder's.
   */
  private readonly icountBreaks = new Map<object, Set<number>>();

  /** The icount breakpoints `holder` set, created on first use. */
  icountBreaksOf(holder: object): Set<number> {
    let set = this.icountBreaks.get(holder);
    if (set === undefined) {
      set = new Set();
      this.icountBreaks.set(holder, set);
    }
    return set;
  }

  /** A connection went away: its icount breakpoints go with it. */
  releaseConnection(connection: object): void {
    this.icountBreaks.delete(connection);
  }

  /** The nearest icount breakpoint after `icount` (a run never stops at its own start). */
  private nextIcountBreak(icount: number, start: number): number {
    let n = Infinity;
    for (const set of this.icountBreaks.values()) for (const b of set) if (b > icount && b > start && b < n) n = b;
    return n;
  }

  private icountBreakAt(icount: number, start: number): { holder: Set<number> } | null {
    if (icount === start) return null;
    for (const set of this.icountBreaks.values()) if (set.has(icount)) return { holder: set };
    return null;
  }

  // ---- reverse execution ---------------------------------------------------------------------

  reverseStep(): Promise<StopReason> {
    return this.exclusive(() => this.reverseStepNow());
  }

  private async reverseStepNow(): Promise<StopReason> {
    const cur = this.machine.icount;
    if (cur === 0) return { kind: 'replaylog', pos: 'begin' };
    this.installBreakpoints(false);
    if (this.watches.length > 0) {
      // ARM rule (rr #3936): if the instruction we are about to un-execute accessed a watched
      // range, report the watch first, without moving.
      const hits = await this.scan(cur - 1, cur);
      if (hits === null) return { kind: 'signal', signal: 2 };
      const w = hits.find((h) => h.stop.kind === 'watch' && h.pos === cur);
      if (w) {
        if (!(await this.seekTo(cur))) return { kind: 'signal', signal: 2 };
        return w.stop;
      }
    }
    if (!(await this.seekTo(cur - 1))) return { kind: 'signal', signal: 2 };
    return { kind: 'done-step' };
  }

  reverseContinue(): Promise<StopReason> {
    return this.exclusive(() => this.reverseContinueNow());
  }

  private async reverseContinueNow(): Promise<StopReason> {
    const cur = this.machine.icount;
    if (cur === 0) return { kind: 'replaylog', pos: 'begin' };
    let segEnd = cur;
    // Scan backwards in chunks of whole snapshot intervals, doubling the chunk (up to 64
    // intervals) while no hit turns up: a hit close by costs one interval, a hit far back costs
    // about one forward replay of the distance (one restore per chunk, not per interval).
    let span = 1;
    while (segEnd > 0) {
      let snap = this.timeline.store.find(segEnd - 1)!;
      for (let i = 1; i < span && snap.icount > 0; i++) snap = this.timeline.store.find(snap.icount - 1)!;
      span = Math.min(span * 2, 64);
      const from = snap.icount;
      // Interrupted inside a chunk: stop where the scan had got to (within a slice of the
      // interrupt), not back at the chunk's end, which could be a whole chunk of replay away.
      const hits = await this.scan(from, segEnd);
      if (hits === null) return { kind: 'signal', signal: 2 };
      let best: Hit | null = null;
      for (const h of hits) {
        const ok = h.stop.kind === 'watch' ? h.pos <= segEnd && h.pos > from : h.pos < segEnd && h.pos >= from;
        if (ok && (best === null || h.pos >= best.pos)) best = h;
      }
      if (best !== null) {
        if (!(await this.seekToHit(best))) return { kind: 'signal', signal: 2 };
        return best.stop;
      }
      segEnd = from;
      await yieldToEventLoop();
      if (this.interrupted) {
        // Stop at the earliest point already known to be hit-free, as rr does (a snapshot: cheap).
        await this.seekTo(segEnd);
        return { kind: 'signal', signal: 2 };
      }
    }
    if (!(await this.seekTo(0))) return { kind: 'signal', signal: 2 };
    return { kind: 'replaylog', pos: 'begin' };
  }

  /**
   * Put the machine where hit `h` was seen. Several states share one icount when a boundary does
   * something before its next instruction (an idle skip to a timer, then the exception entry):
   * `seek(p)` gives the first of them, while a breakpoint is hit at the last one (a breakpoint on a
   * handler's first instruction is reached through the entry). So for a breakpoint, run on from
   * p with breakpoints installed: it stops before retiring anything, exactly where the scan saw it.
   */
  private async seekToHit(h: Hit): Promise<boolean> {
    if (!(await this.seekTo(h.pos))) return false;
    if (h.stop.kind !== 'swbreak' && h.stop.kind !== 'hwbreak') return true;
    this.installBreakpoints(true);
    try {
      const stop = this.timeline.runSlice(h.pos + 1);
      if (stop.kind === 'breakpoint' && this.machine.icount === h.pos) return true;
    } finally {
      this.installBreakpoints(false);
    }
    return this.seekTo(h.pos);
  }

  /**
   * Replay [from, to] collecting breakpoint hits (positions in [from, to)) and watch hits
   * (instructions in (from, to]), in slices. Leaves the machine at `to`; null when interrupted
   * (the machine is then somewhere in between).
   */
  private async scan(from: number, to: number): Promise<Hit[] | null> {
    if (!(await this.seekTo(from))) return null;
    const hits: Hit[] = [];
    this.scanHits = hits;
    this.watchActive = this.watches.length > 0;
    this.installBreakpoints(true);
    const core = this.machine.core;
    try {
      for (let stops = 0; ; ) {
        const stop = this.timeline.runSlice(to);
        if (stop.kind === 'breakpoint') {
          const pc = this.machine.cpu.r[15]! >>> 0;
          if (this.processFilter.passes(pc)) hits.push({ pos: this.machine.icount, stop: this.breakStop(pc) });
          if (this.machine.icount >= to) break;
          core.skipBreakpointOnce = true;
          // A hot breakpoint stops the run often: let the event loop in now and then.
          if (++stops % 1024 !== 0) continue;
        } else if (stop.kind !== 'limit' || this.machine.icount >= to) {
          break;
        }
        await yieldToEventLoop();
        if (this.interrupted) return null;
      }
    } finally {
      this.scanHits = null;
      this.watchActive = false;
      this.installBreakpoints(false);
    }
    for (const set of this.icountBreaks.values()) {
      for (const b of set) if (b >= from && b < to) hits.push({ pos: b, stop: { kind: 'signal', signal: 5 } });
    }
    return hits;
  }

  // ---- monitor -------------------------------------------------------------------------------

  async monitor(command: string, out: (text: string) => void, connection: object): Promise<void> {
    const handled = await this.info.monitor?.(command, out, this, connection);
    if (!handled) out(`unknown monitor command '${command}'; try 'monitor help'\n`);
  }
}

/** Decrements a per-address count, dropping the entry at zero. */
function countDown(counts: Map<number, number>, addr: number): void {
  const n = counts.get(addr);
  if (n === undefined) return;
  if (n <= 1) counts.delete(addr);
  else counts.set(addr, n - 1);
}
