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
import type { Machine } from '../emulator/machines/machine.js';
import type { WatchObserver } from '../emulator/memory/bus.js';
import type { ReplayTimeline } from '../snapshots/timeline.js';
import { captureMachineState, restoreMachineState } from '../snapshots/machine-state.js';
import type { BreakpointType, GdbTarget, MemoryRegion, ResumeAction, StopReason, WatchpointType } from './target.js';
import { REG_D0, REG_FPSCR, REG_MSP, REG_PSP, REG_XPSR, registerLayoutFor, type RegisterLayout } from './register-layout.js';

/** Instructions executed between event-loop turns, so Ctrl-C is seen quickly. */
const SLICE = 1_000_000;

interface Watch {
  type: WatchpointType;
  addr: number;
  len: number;
}

interface Hit {
  pos: number;
  stop: StopReason;
}

export interface ReplayTargetInfo {
  /** Extra monitor commands (info replay, events, timers...) provided by the CLI layer. */
  monitor?: (command: string, out: (text: string) => void, target: ReplayGdbTarget) => Promise<boolean> | boolean;
  regions: readonly MemoryRegion[];
}

export class ReplayGdbTarget implements GdbTarget {
  readonly exitReport = 'stop' as const;
  private readonly bps = new Map<number, number>();
  private readonly watches: Watch[] = [];
  private readonly icountBreaks = new Set<number>();
  private interrupted = false;
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
    if (n === REG_XPSR) return c.getXpsr();
    if (n === REG_MSP) return c.getMsp() >>> 0;
    if (n === REG_PSP) return c.getPsp() >>> 0;
    if (n === REG_FPSCR && this.machine.core.profile.fpu) return c.fpscr >>> 0;
    return null;
  }

  /** d<n> = s<2n+1>:s<2n>. */
  readRegister64(n: number): bigint | null {
    const d = n - REG_D0;
    if (d < 0 || d > 15 || !this.machine.core.profile.fpu) return null;
    const s = this.machine.cpu.s;
    return (BigInt(s[2 * d + 1]! >>> 0) << 32n) | BigInt(s[2 * d]! >>> 0);
  }

  writeRegister(): boolean {
    return false;
  }

  readMemory(addr: number, length: number): Uint8Array | null {
    const bus = this.machine.bus;
    const ram = bus.debugRead(addr, length, false);
    if (ram !== null) return ram;
    // Device registers: reads can have side effects (a UART DATA read clears RXFULL), so read them
    // and put the whole non-RAM machine state back: the replay must not notice the debugger.
    const saved = captureMachineState(this.machine);
    try {
      return bus.debugRead(addr, length, true);
    } finally {
      restoreMachineState(this.machine, saved);
    }
  }

  writeMemory(): string {
    return 'armrr replay: writing memory would make the replay diverge from the recording, so it is refused';
  }

  memoryRegions(): readonly MemoryRegion[] {
    return this.info.regions;
  }

  // ---- breakpoints and watchpoints ----------------------------------------------------------

  addBreakpoint(_type: BreakpointType, addr: number): boolean {
    this.bps.set(addr >>> 0, (this.bps.get(addr >>> 0) ?? 0) + 1);
    return true;
  }

  removeBreakpoint(_type: BreakpointType, addr: number): boolean {
    const n = this.bps.get(addr >>> 0);
    if (n === undefined) return true;
    if (n <= 1) this.bps.delete(addr >>> 0);
    else this.bps.set(addr >>> 0, n - 1);
    return true;
  }

  addWatchpoint(type: WatchpointType, addr: number, len: number): boolean {
    if (len <= 0 || len > 0x10000) return false;
    this.watches.push({ type, addr: addr >>> 0, len });
    this.machine.bus.setWatched(addr >>> 0, len, true);
    return true;
  }

  removeWatchpoint(type: WatchpointType, addr: number, len: number): boolean {
    const i = this.watches.findIndex((w) => w.type === type && w.addr === addr >>> 0 && w.len === len);
    if (i < 0) return true;
    this.watches.splice(i, 1);
    this.machine.bus.setWatched(addr >>> 0, len, false);
    // Pages still covered by other watchpoints stay watched.
    for (const w of this.watches) this.machine.bus.setWatched(w.addr, w.len, true);
    return true;
  }

  addIcountBreak(icount: number): void {
    this.icountBreaks.add(icount);
  }

  private watchActive = false;

  private onAccess(addr: number, size: number, isWrite: boolean): void {
    if (!this.watchActive) return;
    for (const w of this.watches) {
      if (addr + size <= w.addr || addr >= w.addr + w.len) continue;
      if (w.type === 'write' && !isWrite) continue;
      if (w.type === 'read' && isWrite) continue;
      const type = w.type === 'write' ? 'watch' : w.type === 'read' ? 'rwatch' : 'awatch';
      const k = this.machine.icount;
      const hit = { k, addr: Math.max(addr, w.addr), type } as const;
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

  interrupt(): void {
    this.interrupted = true;
  }

  private installBreakpoints(on: boolean): void {
    const set = this.machine.core.breakpoints;
    set.clear();
    if (on) for (const a of this.bps.keys()) set.add(a & ~1);
  }

  private atEnd(): boolean {
    return this.machine.icount >= this.timeline.endIcount || this.machine.exitCode !== null;
  }

  async resume(action: ResumeAction): Promise<StopReason> {
    this.interrupted = false;
    if (this.atEnd()) return { kind: 'replaylog', pos: 'end' };
    const start = this.machine.icount;
    const target = action === 'step' ? start + 1 : Infinity;
    this.installBreakpoints(action === 'continue');
    this.watchActive = this.watches.length > 0;
    this.watchHit = null;
    try {
      for (;;) {
        const sliceEnd = Math.min(target, this.machine.icount + SLICE, this.nextIcountBreak(this.machine.icount));
        const stop = this.timeline.runForward(sliceEnd);
        if (this.watchHit !== null) {
          // Report before the access retires: go back to just before the accessing instruction.
          const { k, addr, type } = this.watchHit;
          this.watchActive = false;
          this.timeline.seek(k - 1);
          return { kind: 'watch', type, addr };
        }
        if (stop.kind === 'breakpoint') return { kind: 'swbreak' };
        if (stop.kind === 'exit' || this.atEnd()) return { kind: 'replaylog', pos: 'end' };
        if (this.machine.icount >= target) return { kind: 'done-step' };
        if (this.icountBreaks.has(this.machine.icount) && this.machine.icount !== start) {
          this.icountBreaks.delete(this.machine.icount);
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
    }
  }

  private nextIcountBreak(icount: number): number {
    let n = Infinity;
    for (const b of this.icountBreaks) if (b > icount && b < n) n = b;
    return n;
  }

  // ---- reverse execution ---------------------------------------------------------------------

  async reverseStep(): Promise<StopReason> {
    this.interrupted = false;
    const cur = this.machine.icount;
    if (cur === 0) return { kind: 'replaylog', pos: 'begin' };
    this.installBreakpoints(false);
    if (this.watches.length > 0) {
      // ARM rule (rr #3936): if the instruction we are about to un-execute accessed a watched
      // range, report the watch first, without moving.
      const hits = this.scan(cur - 1, cur);
      const w = hits.find((h) => h.stop.kind === 'watch' && h.pos === cur);
      if (w) {
        this.timeline.seek(cur);
        return w.stop;
      }
    }
    this.timeline.seek(cur - 1);
    return { kind: 'done-step' };
  }

  async reverseContinue(): Promise<StopReason> {
    this.interrupted = false;
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
      const hits = this.scan(from, segEnd);
      let best: Hit | null = null;
      for (const h of hits) {
        const ok = h.stop.kind === 'watch' ? h.pos <= segEnd && h.pos > from : h.pos < segEnd && h.pos >= from;
        if (ok && (best === null || h.pos >= best.pos)) best = h;
      }
      if (best !== null) {
        this.seekToHit(best);
        return best.stop;
      }
      segEnd = from;
      await yieldToEventLoop();
      if (this.interrupted) {
        // Stop at the earliest point already known to be hit-free, as rr does.
        this.timeline.seek(segEnd);
        return { kind: 'signal', signal: 2 };
      }
    }
    this.timeline.seek(0);
    return { kind: 'replaylog', pos: 'begin' };
  }

  /**
   * Put the machine where hit `h` was seen. Several states share one icount when a boundary does
   * something before its next instruction (an idle skip to a timer, then the exception entry):
   * `seek(p)` gives the first of them, while a breakpoint is hit at the last one (a breakpoint on a
   * handler's first instruction is reached through the entry). So for a breakpoint, run on from
   * p with breakpoints installed: it stops before retiring anything, exactly where the scan saw it.
   */
  private seekToHit(h: Hit): void {
    this.timeline.seek(h.pos);
    if (h.stop.kind !== 'swbreak') return;
    this.installBreakpoints(true);
    try {
      const stop = this.timeline.runForward(h.pos + 1);
      if (stop.kind === 'breakpoint' && this.machine.icount === h.pos) return;
    } finally {
      this.installBreakpoints(false);
    }
    this.timeline.seek(h.pos);
  }

  /**
   * Replay [from, to] collecting breakpoint hits (positions in [from, to)) and watch hits
   * (instructions in (from, to]). Leaves the machine at `to`.
   */
  private scan(from: number, to: number): Hit[] {
    this.timeline.seek(from);
    const hits: Hit[] = [];
    this.scanHits = hits;
    this.watchActive = this.watches.length > 0;
    this.installBreakpoints(true);
    const core = this.machine.core;
    try {
      for (;;) {
        const stop = this.timeline.runForward(to);
        if (stop.kind === 'breakpoint') {
          hits.push({ pos: this.machine.icount, stop: { kind: 'swbreak' } });
          if (this.machine.icount >= to) break;
          core.skipBreakpointOnce = true;
          continue;
        }
        if (stop.kind !== 'limit' || this.machine.icount >= to) break;
      }
    } finally {
      this.scanHits = null;
      this.watchActive = false;
      this.installBreakpoints(false);
    }
    for (const b of this.icountBreaks) if (b >= from && b < to) hits.push({ pos: b, stop: { kind: 'signal', signal: 5 } });
    return hits;
  }

  // ---- monitor -------------------------------------------------------------------------------

  async monitor(command: string, out: (text: string) => void): Promise<void> {
    const handled = await this.info.monitor?.(command, out, this);
    if (!handled) out(`unknown monitor command '${command}'; try 'monitor help'\n`);
  }
}
