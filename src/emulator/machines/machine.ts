/**
 * A machine: core + bus + clock + devices, and the run loop that ties them together.
 *
 * The loop is QEMU's icount loop in miniature: take a pending exception at an instruction
 * boundary, compute an instruction budget bounded by the next timer deadline, the caller's limit
 * and any stop hook (`limitIcount`), execute that many instructions (or fewer when the core asks to
 * exit: an IRQ became pending, the CPU went to sleep, a breakpoint), then fire due timers. Events
 * therefore land on exact instruction boundaries whatever the block size (invariant I3), and a
 * future block JIT only has to honour the same budget.
 */
import { createHash } from 'node:crypto';
import type { Bus } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { StatefulComponent } from '../devices/device.js';
import { CpuState, RUNNING, SLEEP_WFE, LOCKUP } from '../cpu/state.js';
import type { CoreProfile } from '../cpu/profile.js';

/** What the machine loop needs from the core. */
export interface CoreExecutor {
  readonly state: CpuState;
  /** Which core this is (M3 or M4F): what the debugger and lock-step show of it. */
  readonly profile: CoreProfile;
  /** Set by devices / system code to end `execute` after the current instruction. */
  exitRequest: boolean;
  /**
   * Run up to `budget` instructions (clock.icount is advanced per instruction). Returns the number
   * retired. Stops early when `exitRequest` is set or the core goes to sleep, or *before* executing
   * an instruction at a breakpoint address (then `hitBreakpoint` is true).
   */
  execute(budget: number): number;
  hitBreakpoint: boolean;
  /** Skip the breakpoint check for the next instruction only (to continue past a reported hit). */
  skipBreakpointOnce: boolean;
  /** Breakpoint addresses (checked before each instruction when non-empty). */
  readonly breakpoints: Set<number>;
  /** Off: translate no new blocks, run only those already made (Cpu.setTranslation). */
  setTranslation?(on: boolean): void;
}

/** What the machine loop needs from the exception side. */
export interface ExceptionUnit {
  /** Take the highest-priority pending exception if it can preempt now. Returns its number or 0. */
  takePendingException(): number;
  /** True when the last entry was caused by a synchronous exception (SVC, fault, BKPT): QEMU logs those as EXCEPTION, not INTERRUPT. */
  readonly lastEntrySynchronous?: boolean;
  /** Fires for every event QEMU's replay logs as EXCEPTION (exception return, SVC, fault, BKPT, semihosting). */
  onExceptionEvent?: ((kind: 'svc' | 'fault' | 'bkpt' | 'semihosting' | 'return') => void) | null;
  /** True when some enabled exception is pending (wakes WFI even if masked by PRIMASK). */
  hasPendingForWakeup(): boolean;
  /** Reset vector fetch: MSP, PC, and architectural reset state. */
  resetCore(): void;
  /** Boards that start at the image's entry point (A-profile -kernel ELF) take it here before reset. */
  setBootEntry?(entry: number): void;
}

/** Why `run` returned. */
export type StopReason =
  | { kind: 'limit' } // budget or target icount reached
  | { kind: 'exit'; code: number } // guest asked to exit (semihosting)
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'watchpoint'; type: 'watch' | 'rwatch' | 'awatch'; addr: number; pc: number }
  | { kind: 'idle' } // WFI with no timer armed and no input that could ever arrive
  | { kind: 'lockup'; pc: number }
  | { kind: 'halt'; reason: string }; // requested by a hook (e.g. debugger interrupt)

export interface MachineOptions {
  icountShift: number;
}

/** Hooks the record/replay layer and debuggers plug into the loop. */
export interface RunHooks {
  /** Called at every loop iteration (instruction boundary) before exceptions are considered. */
  atBoundary?(icount: number): void;
  /** Next icount at which `atBoundary` must run (bounds the budget), or Infinity. */
  nextHookIcount?(icount: number): number;
  /** Called after an exception was taken (entry; no icount consumed). */
  onInterruptTaken?(exc: number, icount: number): void;
  /** A halt requested asynchronously (gdb Ctrl-C); checked between budgets. */
  shouldHalt?(): boolean;
}

export class Machine {
  /** Set by semihosting SYS_EXIT; the loop returns { kind: 'exit' } at the next boundary. */
  exitCode: number | null = null;
  /** Pending watchpoint stop raised during the last instruction (set by the debug layer). */
  pendingStop: StopReason | null = null;
  /**
   * An idle CPU skips virtual time to the next deadline itself (QEMU's `sleep=off`). false when
   * idle time comes from elsewhere: replaying a QEMU `sleep=on` log, whose warps the replayer
   * applies to the clock at the logged icounts; an idle CPU then only fires timers already due.
   */
  skipIdleTime = true;

  constructor(
    readonly name: string,
    readonly options: MachineOptions,
    readonly bus: Bus,
    readonly clock: VirtualClock,
    readonly core: CoreExecutor,
    readonly exceptions: ExceptionUnit,
    /** Every component with state, in a fixed order (snapshots and state hashes walk it). */
    readonly devices: readonly StatefulComponent[],
    /**
     * Delivers due UART RX bytes at a boundary; `idle` lets paced input arrive at once (see
     * SerialInput.poll). Returns true when a byte was delivered (boards may return nothing: false).
     */
    readonly pollInputs: (idle?: boolean) => boolean | void,
    /** Earliest icount at which an input becomes due (bounds the budget). */
    readonly nextInputIcount: () => number,
    /** True when no input can arrive any more. */
    readonly inputsExhausted: () => boolean,
  ) {
    // A timer armed mid-block must end the block so it fires at its exact icount (QEMU kicks the vCPU).
    clock.onEarlierDeadline = () => {
      core.exitRequest = true;
    };
    // A QEMU sleep=on log's replay applies the logged warps itself (skipIdleTime false).
    clock.isCpuIdle = () => this.skipIdleTime && this.cpuIdle();
  }

  /** Asleep (WFI/WFE) with nothing pending that would wake the core: QEMU's idle vCPU. */
  private cpuIdle(): boolean {
    const st = this.core.state;
    if (st.sleep === RUNNING || st.sleep === LOCKUP) return false;
    if (st.sleep === SLEEP_WFE && st.eventRegister) return false;
    return !this.exceptions.hasPendingForWakeup();
  }

  get cpu(): CpuState {
    return this.core.state;
  }
  get icount(): number {
    return this.clock.icount;
  }

  /**
   * Images QEMU holds as ROM blobs in RAM (a Linux kernel, initrd, DTB and boot stub): written again
   * at every reset, as QEMU's rom_reset does. The rest of RAM keeps its content across a reset.
   */
  readonly resetImages: Array<{ addr: number; data: Uint8Array }> = [];

  /** Cold reset of devices and core (RAM content is left to the loader, but for `resetImages`). */
  reset(): void {
    for (const img of this.resetImages) this.bus.debugWrite(img.addr, img.data);
    for (const d of this.devices) d.reset();
    this.exceptions.resetCore();
  }

  /**
   * Run until `targetIcount` (absolute) is reached or something stops the machine. Budgets are
   * bounded by timer deadlines, input due times and hooks, so every event lands on its icount.
   */
  run(targetIcount: number, hooks: RunHooks = {}): StopReason {
    const core = this.core;
    const clock = this.clock;
    for (;;) {
      if (this.exitCode !== null) return { kind: 'exit', code: this.exitCode };
      if (this.pendingStop !== null) {
        const s = this.pendingStop;
        this.pendingStop = null;
        return s;
      }
      hooks.atBoundary?.(clock.icount);
      this.pollInputs();
      if (hooks.shouldHalt?.()) return { kind: 'halt', reason: 'interrupted' };

      // A position "at icount p" includes any exception entry at p (entry retires nothing), so a
      // stop at p shows the handler's first instruction when an interrupt is taken there.
      const taken = this.exceptions.takePendingException();
      if (taken !== 0) hooks.onInterruptTaken?.(taken, clock.icount);
      if (this.exitCode !== null) return { kind: 'exit', code: this.exitCode };
      if (clock.icount >= targetIcount) return { kind: 'limit' };

      const st = core.state;
      if (st.sleep !== RUNNING) {
        if (st.sleep === LOCKUP) return { kind: 'lockup', pc: st.r[15]! >>> 0 };
        if (this.exceptions.hasPendingForWakeup() || (st.sleep === SLEEP_WFE && st.eventRegister)) {
          st.sleep = RUNNING;
          st.eventRegister = 0;
          continue;
        }
        // Idle: skip virtual time to the next deadline or input (QEMU sleep=off).
        // Only real inputs count here: a hook's next event (a replay checkpoint) is produced by the
        // machine itself, e.g. by the timer this idle skip is about to fire.
        const inputAt = this.nextInputIcount();
        const timerNs = clock.nextDeadlineNs();
        if (timerNs === Infinity && inputAt === Infinity) {
          if (!this.inputsExhausted()) return { kind: 'halt', reason: 'waiting for input' };
          return { kind: 'idle' };
        }
        if (!this.skipIdleTime) {
          if (timerNs <= clock.nowNs()) {
            clock.runDue();
            continue;
          }
          if (inputAt <= clock.icount && this.pollInputs(true) === true) continue;
          return { kind: 'halt', reason: 'asleep with no timer due and no input (waiting for a virtual-time warp)' };
        }
        // Input due at an icount will never come while icount stands still: compare in virtual time.
        const inputNs = inputAt === Infinity ? Infinity : clock.nowNs() + Math.max(0, inputAt - clock.icount) * clock.scale;
        if (timerNs <= inputNs) {
          clock.warpToNextDeadline();
          this.runDueTimers();
          continue;
        }
        // Nothing fires before the input is due: deliver it now (deterministic; recorded if recording).
        const delivered = this.pollInputs(true) === true;
        if (this.exceptions.hasPendingForWakeup()) continue;
        // Taken by a UART that does not interrupt now (RX interrupt off, FIFO filling): keep idling
        // towards the next input or timer. Nothing taken: wait for input.
        if (delivered) continue;
        return { kind: 'halt', reason: 'waiting for input' };
      }

      let budget = targetIcount - clock.icount;
      const t = clock.insnsUntilDeadline();
      if (t < budget) budget = t;
      const inp = this.nextInputIcount() - clock.icount;
      if (inp < budget) budget = inp;
      if (hooks.nextHookIcount) {
        const h = hooks.nextHookIcount(clock.icount) - clock.icount;
        if (h < budget) budget = h;
      }
      if (budget > 0) {
        core.exitRequest = false;
        core.execute(budget);
        if (core.hitBreakpoint) {
          core.hitBreakpoint = false;
          return { kind: 'breakpoint', pc: core.state.r[15]! >>> 0 };
        }
      }
      // QEMU takes an exception the last instruction raised (a store to ICSR, say) before it runs
      // the timers due at this boundary: a timer then pends its exception again instead of merging
      // with the one already pending. (A stop at this boundary resumes in this same order.)
      if (clock.insnsUntilDeadline() <= 0) {
        const taken = this.exceptions.takePendingException();
        if (taken !== 0) hooks.onInterruptTaken?.(taken, clock.icount);
      }
      this.runDueTimers();
    }
  }

  /**
   * Fire due timers. One re-armed while the CPU sleeps may warp time again (VirtualClock.arm), and
   * QEMU fires what came due then before the CPU takes an interrupt or runs an instruction. While
   * the CPU stays idle the loop's idle branch goes on (one warp per pass, so input and halts are
   * still seen); once something would wake it, fire the rest here, before the entry.
   */
  private runDueTimers(): void {
    const clock = this.clock;
    clock.runDue();
    while (clock.insnsUntilDeadline() === 0 && !this.cpuIdle()) clock.runDue();
  }

  /** Single instruction (or one exception entry if one is pending first). */
  step(hooks: RunHooks = {}): StopReason {
    return this.run(this.clock.icount + 1, hooks);
  }

  /** SHA-256 over the whole machine state: core, clock/timers, devices, RAM. */
  stateHash(): string {
    const h = createHash('sha256');
    h.update(JSON.stringify(this.core.state.save()));
    h.update(JSON.stringify(this.clock.saveState()));
    for (const d of this.devices) h.update(d.name + JSON.stringify(d.save()));
    // In slices: a hash update takes at most 2 GiB at once, and virt's RAM may be up to 3 GiB.
    const ram = this.bus.ram;
    const size = this.bus.ramSize;
    for (let off = 0; off < size; off += 1 << 30) h.update(new Uint8Array(ram, off, Math.min(1 << 30, size - off)));
    return h.digest('hex');
  }
}

