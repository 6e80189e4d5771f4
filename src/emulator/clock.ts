/**
 * Virtual time driven by the instruction count, and the deadline-ordered timer queue.
 *
 * virtual_ns = bias + icount * 2^shift (QEMU's `-icount shift=N`). `bias` only moves when an idle
 * CPU (WFI/WFE with nothing pending) skips to the next deadline (QEMU's `sleep=off`), so time is a
 * pure function of the instruction stream. Timers are owned by devices and identified by a stable
 * id, so a snapshot can store (id, deadline) pairs and restore them without closures.
 */

export interface TimerInfo {
  /** Stable id, e.g. "systick", "timer0", "dualtimer.1". */
  readonly id: string;
  /** Human name of the owning device, for `armrr timers`. */
  readonly owner: string;
  /** Absolute expiry in virtual ns, or -1 when not armed. */
  deadlineNs: number;
}

export class VirtualTimer implements TimerInfo {
  deadlineNs = -1;
  constructor(
    readonly id: string,
    readonly owner: string,
    /** Called when virtual time reaches the deadline; the timer is disarmed before the call. */
    readonly callback: () => void,
    /** Device-provided details for the timers view (period, interrupt enable...). */
    readonly describe: () => Record<string, number | string | boolean> = () => ({}),
  ) {}
}

export class VirtualClock {
  /** Instructions retired since reset. Plain number: exact up to 2^53. */
  icount = 0;
  /** Nanoseconds added by idle skips. */
  bias = 0;
  readonly scale: number;
  private readonly timers: VirtualTimer[] = [];
  /**
   * Called when arming a timer moves the earliest deadline earlier (a device did it during an
   * instruction); the board points this at the core's exit request so the budget is recomputed.
   */
  onEarlierDeadline: (() => void) | null = null;
  /** Cached earliest deadline in ns (Infinity when none). */
  private nextNs = Infinity;
  /** Called once before a batch of due timers fires (record/replay logs a CLOCK_VIRTUAL checkpoint). */
  beforeTimersFire: (() => void) | null = null;

  constructor(readonly shift: number) {
    if (!Number.isInteger(shift) || shift < 0 || shift > 10) {
      throw new RangeError(`icount shift must be an integer 0..10, got ${shift}`);
    }
    this.scale = 2 ** shift;
  }

  /** Current virtual time in ns. */
  nowNs(): number {
    return this.bias + this.icount * this.scale;
  }

  /** Register a timer (devices do this once at construction). */
  addTimer(t: VirtualTimer): VirtualTimer {
    if (this.timers.some((x) => x.id === t.id)) throw new Error(`duplicate timer id ${t.id}`);
    this.timers.push(t);
    return t;
  }

  get allTimers(): readonly VirtualTimer[] {
    return this.timers;
  }

  /**
   * True while the CPU sleeps with nothing that would wake it (QEMU's `all_cpu_threads_idle`) and
   * idle time is skipped (sleep=off). The machine sets it; null means never.
   */
  isCpuIdle: (() => boolean) | null = null;

  /** Arm `t` to fire at absolute virtual time `deadlineNs`. */
  arm(t: VirtualTimer, deadlineNs: number): void {
    const before = this.nextNs;
    t.deadlineNs = -1;
    this.recompute();
    const othersNs = this.nextNs;
    t.deadlineNs = deadlineNs;
    if (deadlineNs < othersNs) this.nextNs = deadlineNs;
    // A device armed a deadline inside the running block's budget: the core must stop early.
    if (this.nextNs < before) this.onEarlierDeadline?.();
    // QEMU (timerlist_rearm -> icount_start_warp_timer): a timer armed ahead of every other one
    // while the CPU sleeps with nothing to wake it warps virtual time to it at once. A periodic
    // timer's expiry re-arms before it raises its interrupt, so an idle CPU sees the next period
    // come due too: QEMU's "double tick" before the wakeup (sleep=off).
    if (deadlineNs < othersNs && this.isCpuIdle?.() === true) {
      const now = this.nowNs();
      if (deadlineNs > now) this.bias += deadlineNs - now;
    }
  }

  disarm(t: VirtualTimer): void {
    if (t.deadlineNs < 0) return;
    t.deadlineNs = -1;
    this.recompute();
  }

  recompute(): void {
    let n = Infinity;
    for (const t of this.timers) if (t.deadlineNs >= 0 && t.deadlineNs < n) n = t.deadlineNs;
    this.nextNs = n;
  }

  /** Earliest armed deadline in ns, or Infinity. */
  nextDeadlineNs(): number {
    return this.nextNs;
  }

  /**
   * Instructions that may run before the next timer is due (>= 0; Infinity when no timer).
   * A timer due at time D fires at the first instruction boundary where now >= D.
   */
  insnsUntilDeadline(): number {
    if (this.nextNs === Infinity) return Infinity;
    const diff = this.nextNs - this.nowNs();
    if (diff <= 0) return 0;
    return Math.ceil(diff / this.scale);
  }

  /** Fire every timer whose deadline has passed, in deadline order (ties: registration order). */
  runDue(): boolean {
    let fired = false;
    const now = this.nowNs();
    if (this.nextNs <= now) this.beforeTimersFire?.();
    while (this.nextNs <= now) {
      let best: VirtualTimer | null = null;
      for (const t of this.timers) {
        if (t.deadlineNs >= 0 && t.deadlineNs <= now && (best === null || t.deadlineNs < best.deadlineNs)) best = t;
      }
      if (best === null) break;
      best.deadlineNs = -1;
      this.recompute();
      best.callback();
      fired = true;
    }
    return fired;
  }

  /**
   * Fire only the earliest due timer (a periodic timer that missed several periods is due again
   * after it): what QEMU does per CHECKPOINT_CLOCK_VIRTUAL, which a QEMU recording's replay follows.
   */
  runOneDue(): boolean {
    const now = this.nowNs();
    let best: VirtualTimer | null = null;
    for (const t of this.timers) {
      if (t.deadlineNs >= 0 && t.deadlineNs <= now && (best === null || t.deadlineNs < best.deadlineNs)) best = t;
    }
    if (best === null) return false;
    best.deadlineNs = -1;
    this.recompute();
    best.callback();
    return true;
  }

  /** Idle skip: move virtual time to the next deadline without retiring instructions. */
  warpToNextDeadline(): boolean {
    if (this.nextNs === Infinity) return false;
    const now = this.nowNs();
    if (this.nextNs > now) this.bias += this.nextNs - now;
    return true;
  }

  /** Timer state for snapshots: deadlines in registration order. */
  saveState(): number[] {
    return [this.icount, this.bias, ...this.timers.map((t) => t.deadlineNs)];
  }

  loadState(s: readonly number[]): void {
    if (s.length !== this.timers.length + 2) throw new Error('clock state does not match this machine');
    this.icount = s[0]!;
    this.bias = s[1]!;
    this.timers.forEach((t, i) => (t.deadlineNs = s[i + 2]!));
    this.recompute();
  }
}
