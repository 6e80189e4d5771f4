/**
 * Replay: answers every input port from the log and checks that the machine produces the logged
 * synchronisation events at the logged icounts. Any mismatch is a divergence, reported with the
 * icount, event number, byte offset, and the expected and actual events (DESIGN §3).
 *
 * The replayer's only state is the reader position, so a snapshot saves `position()` and a seek
 * restores it with `restore()`.
 *
 * Every replay ends: an event due at the current icount that the machine does not produce there
 * (an interrupt it does not take, a checkpoint with no timer due, a byte a UART cannot accept, an
 * event armrr never records) would leave the run loop with a zero budget at the same place for
 * ever; the replayer notices the loop asking twice from an unchanged position and reports the
 * divergence instead.
 */
import type { HostPort, OutputSink, SerialInput } from '../emulator/io/input-port.js';
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { ReplayEvent } from './events.js';
import { describeLocation, type LogLocation } from './errors.js';
import { isQemuOnlyEvent, QemuWarpMismatch, type QemuWarpInterpreter, type QemuWarpState } from './qemu-log-events.js';
import { hostCallResultOf } from './host-call-result.js';

/** A log position with the QEMU-only state a QEMU recording's replay carries (snapshots keep it). */
interface QemuLogLocation extends LogLocation {
  readonly qemu?: QemuWarpState;
}

/** The cursor the replayer needs (implemented by ReplayLogReader). */
export interface EventCursor {
  peek(): LogEntry | null;
  /** See ReplayLogReader.peekPast (optional: a cursor without it bounds budgets at every event). */
  peekPast?(passed: ReadonlySet<ReplayEvent['kind']>): { icount: number; offset: number } | null;
  next(): LogEntry | null;
  /** See ReplayLogReader.skipInstructions (optional: without it INSTRUCTION entries are read one by one). */
  skipInstructions?(): void;
  position(): LogLocation;
  seek(at: LogLocation): void;
  /**
   * See ReplayLogReader.plainHeadId, skipPlain, nextIcount, nextOffset and idOf (optional, all or
   * none: without them every event goes through peek/next).
   */
  plainHeadId?(): number;
  skipPlain?(): void;
  readonly nextIcount?: number;
  readonly nextOffset?: number;
  idOf?(event: ReplayEvent): number;
}

/** The log ids of the events the hot paths match without decoding (-1: none, or fast paths off). */
interface PlainIds {
  readonly interrupt: number;
  readonly exception: number;
  readonly timers: number;
}
export interface LogEntry {
  event: ReplayEvent;
  index: number;
  offset: number;
  icount: number;
}

export class ReplayDivergenceError extends Error {
  override readonly name = 'ReplayDivergenceError';
  constructor(
    readonly icount: number,
    readonly expected: LogEntry | null,
    readonly actual: string,
    /** What the user can do about it (default: for armrr's own logs). */
    hint = 'The firmware, machine options or emulator version differ from the recording, or the log is damaged.',
  ) {
    const exp =
      expected === null
        ? 'the end of the log'
        : `${describeEvent(expected.event)} at icount ${expected.icount} ${describeLocation(expected)}`;
    super(
      `replay diverged at icount ${icount}: the log expects ${exp}, but the machine ${actual}. ${hint}`,
    );
  }
}

export function describeEvent(e: ReplayEvent): string {
  switch (e.kind) {
    case 'CHECKPOINT':
      return `CHECKPOINT_${e.checkpoint}`;
    case 'SHUTDOWN':
      return `SHUTDOWN_${e.cause}`;
    case 'CLOCK':
      return `CLOCK_${e.clock}`;
    case 'ASYNC_CHAR_READ':
      return `ASYNC_CHAR_READ(device ${e.device}, ${e.data.length} bytes)`;
    default:
      return e.kind;
  }
}

/** Events the machine produces while executing an instruction (not at a loop boundary). */
const PRODUCED_BY_INSTRUCTION: ReadonlySet<ReplayEvent['kind']> = new Set<ReplayEvent['kind']>([
  'EXCEPTION',
  'CHAR_WRITE',
  'CLOCK',
  'CHAR_READ_ALL',
  'CHAR_READ_ALL_ERROR',
]);

/**
 * Events a budget need not end at (see boundPast): those an instruction produces, and those the
 * machine meets at a boundary it stops at by itself whatever the budget (I2): a timer checkpoint
 * at the timer's deadline, an interrupt at a deadline or after the instruction that raised it (the
 * core ends `execute` there). Only inputs and the log's end must bound a budget.
 */
const MET_WITHOUT_BOUND: ReadonlySet<ReplayEvent['kind']> = new Set<ReplayEvent['kind']>([
  ...PRODUCED_BY_INSTRUCTION,
  'INTERRUPT',
  'CHECKPOINT',
]);

export class Replayer {
  private machine: Machine | null = null;
  /** Exception entries seen (progress that does not move the log). */
  private entries = 0;
  /** Where the loop last asked for a budget with an event due (see checkNotStalled). */
  private readonly stall = { icount: -1, offset: -1, entries: -1 };
  /** The opening checkpoints were checked (or the cursor started past them). */
  private startChecked = false;
  readonly ports: { serial: SerialInput; host: HostPort; output: OutputSink };
  /**
   * Ids for the hot paths (interrupts, exception returns, timer checkpoints: about one event per
   * 200 instructions of RTOS code, and several head looks per loop boundary), which read the id
   * byte in place instead of making an entry per event. Off (-1) for QEMU recordings (their
   * QEMU-only events are applied by `head`) and for cursors without `plainHeadId`.
   */
  private readonly plain: PlainIds;

  constructor(
    private readonly cursor: EventCursor,
    visibleOutput: OutputSink,
    /** Replaying a QEMU recording: its QEMU-only events (warps, clock reads) are applied by this. */
    private readonly qemu: QemuWarpInterpreter | null = null,
  ) {
    const fast = qemu === null && cursor.plainHeadId !== undefined && cursor.idOf !== undefined;
    this.plain = {
      interrupt: fast ? cursor.idOf!({ kind: 'INTERRUPT' }) : -1,
      exception: fast ? cursor.idOf!({ kind: 'EXCEPTION' }) : -1,
      timers: fast ? cursor.idOf!({ kind: 'CHECKPOINT', checkpoint: 'CLOCK_VIRTUAL' }) : -1,
    };
    const self = this;
    this.ports = {
      serial: {
        poll(device: number): number {
          // A payload-free event next: no input byte here.
          if (self.plainHead() >= 0) return -1;
          const e = self.headAt();
          if (e === null || e.event.kind !== 'ASYNC_CHAR_READ' || e.event.device !== device) return -1;
          if (e.event.data.length !== 1) {
            throw self.diverged(self.icount, e, 'delivers one byte per UART read (QEMU logs of other machines are not replayable)');
          }
          self.cursor.next();
          return e.event.data[0]!;
        },
        exhausted: () => self.cursor.peek() === null,
        // Budgets are bounded by every log event (nextHookIcount); this tells an idle CPU that an
        // input, not a timer, is what comes next.
        nextDueIcount(device: number): number {
          if (self.plainHead() >= 0) return Infinity;
          const e = self.head();
          return e !== null && e.event.kind === 'ASYNC_CHAR_READ' && e.event.device === device ? e.icount : Infinity;
        },
      },
      host: {
        hostClockNs(): number {
          // QEMU's replay answers a read the log does not hold with the last logged value.
          if (self.qemu !== null) return self.qemu.state.hostClock;
          const e = self.expect('CLOCK', 'reads the host clock', (ev) => ev.kind === 'CLOCK' && ev.clock === 'HOST');
          return e.event.kind === 'CLOCK' ? Number(e.event.value) : 0;
        },
        consoleRead: () => self.pull('reads console input'),
        fileRead: () => self.pullHostFile('reads a host file'),
        // Host file calls are answered from the log: replay never touches the host's files.
        fileOpen: () => self.pullResult('opens a host file'),
        fileWrite: () => self.pullResult('writes a host file'),
        fileSeek: () => self.pullResult('seeks in a host file'),
        fileLength: () => self.pullResult("asks a host file's length"),
        fileClose: () => self.pullResult('closes a host file'),
        fileRemove: () => self.pullResult('removes a host file'),
        fileRename: () => self.pullResult('renames a host file'),
        tempName(): string | null {
          const data = self.pullHostFile('names a temporary host file');
          return data === null ? null : new TextDecoder().decode(data);
        },
      },
      output: {
        uartWrite(device: number, byte: number): void {
          if (device === 0) {
            const e = self.expect('CHAR_WRITE', `writes 0x${byte.toString(16).padStart(2, '0')} to UART0`);
            if (e.event.kind === 'CHAR_WRITE' && (e.event.res !== 1 || e.event.offset !== 1)) {
              throw self.diverged(self.icount, e, `writes one byte (CHAR_WRITE 1 -> 1), the log says ${e.event.offset} -> ${e.event.res}`);
            }
          }
          visibleOutput.uartWrite(device, byte);
        },
        consoleWrite: (data, stream) => visibleOutput.consoleWrite(data, stream),
      },
    };
  }

  /** Events the machine produced as the log says (for telling a wrong firmware from a model difference). */
  private matched = 0;

  diverged(icount: number, expected: LogEntry | null, actual: string): ReplayDivergenceError {
    if (this.qemu === null) return new ReplayDivergenceError(icount, expected, actual);
    const why =
      this.matched >= 20
        ? `armrr followed QEMU's recording for ${this.matched} events first, so the firmware and options look right: this looks like a ` +
          "difference between QEMU's and armrr's device models (or CPU) at this point; please report it with the log and the ELF."
        : `armrr parted from QEMU's recording after ${this.matched} matching events: most likely the ELF is not the one QEMU ran, or ` +
          "--machine / --icount-shift are not QEMU's -M / -icount shift=N (QEMU's logs do not record them).";
    return new ReplayDivergenceError(icount, expected, actual, `This is a QEMU recording: ${why}`);
  }

  private get icount(): number {
    return this.machine?.clock.icount ?? 0;
  }

  /**
   * Skip INSTRUCTION entries; returns the next sync event, or null at the end of the log. In a
   * QEMU recording, QEMU-only events due by now are applied on the way (a later one is returned,
   * so that the run stops at its icount).
   */
  private head(): LogEntry | null {
    for (;;) {
      this.cursor.skipInstructions?.();
      const e = this.cursor.peek();
      if (e === null) return e;
      if (e.event.kind !== 'INSTRUCTION') {
        if (this.qemu === null || this.machine === null || !isQemuOnlyEvent(e.event) || e.icount > this.icount) return e;
        try {
          this.qemu.apply(e.event, this.machine!.clock);
        } catch (err) {
          if (err instanceof QemuWarpMismatch) throw this.diverged(this.icount, e, err.what);
          throw err;
        }
      }
      this.cursor.next();
    }
  }

  /**
   * The id of the head event when it is one of the payload-free events the fast paths know
   * (`plain`), read in place; -1 otherwise or with the fast paths off (then use `head`).
   */
  private plainHead(): number {
    if (this.plain.interrupt < 0) return -1;
    const id = this.cursor.plainHeadId!();
    const p = this.plain;
    return id === p.interrupt || id === p.exception || id === p.timers ? id : -1;
  }

  /**
   * `expect` of a payload-free event by its log id (-1: not known, through `expect`): the same
   * check without making an entry when the head is that event at this icount.
   */
  private expectPlain(id: number, kind: ReplayEvent['kind'], doing: string, matches?: (event: ReplayEvent) => boolean): void {
    if (id >= 0 && this.plainHead() === id && this.cursor.nextIcount === this.icount) {
      this.cursor.skipPlain!();
      this.matched++;
      return;
    }
    this.expect(kind, doing, matches);
  }

  /** The head event if it is due at the current icount. */
  private headAt(): LogEntry | null {
    const e = this.head();
    return e !== null && e.icount === this.icount ? e : null;
  }

  private expect(kind: ReplayEvent['kind'], doing: string, matches?: (event: ReplayEvent) => boolean): LogEntry {
    const e = this.head();
    if (e === null || e.event.kind !== kind || e.icount !== this.icount || (matches !== undefined && !matches(e.event))) {
      throw this.diverged(this.icount, e, doing);
    }
    this.cursor.next();
    this.matched++;
    return e;
  }

  /** A host file call's result (see host-call-result.ts) logged at this icount. */
  private pullResult(doing: string): number {
    this.refuseHostFilesOfQemu(doing);
    const e = this.head();
    const result = e !== null && e.icount === this.icount ? hostCallResultOf(e.event) : null;
    if (result === null) throw this.diverged(this.icount, e, doing);
    this.cursor.next();
    return result;
  }

  private pullHostFile(doing: string): Uint8Array | null {
    this.refuseHostFilesOfQemu(doing);
    return this.pull(doing);
  }

  /** QEMU logs no host file call (its replay makes them again on the host): say so, not "wrong firmware". */
  private refuseHostFilesOfQemu(doing: string): void {
    if (this.qemu === null) return;
    throw new ReplayDivergenceError(
      this.icount,
      this.head(),
      doing,
      "QEMU's recordings hold no semihosting host file calls (QEMU's replay makes them on the host again), so armrr replays " +
        'a QEMU recording only up to the first one; record with armrr to replay host file I/O.',
    );
  }

  private pull(doing: string): Uint8Array | null {
    const e = this.head();
    if (e !== null && e.icount === this.icount && e.event.kind === 'CHAR_READ_ALL') {
      this.cursor.next();
      return e.event.data.slice();
    }
    if (e !== null && e.icount === this.icount && e.event.kind === 'CHAR_READ_ALL_ERROR') {
      this.cursor.next();
      return null;
    }
    throw this.diverged(this.icount, e, doing);
  }

  /** Skip the start-of-recording checkpoints; returns the run hooks for Machine.run. */
  attach(machine: Machine): RunHooks {
    this.machine = machine;
    // QEMU's sleep=on: idle time is the log's warps, not a jump to the next deadline.
    if (this.qemu?.sleep === true) machine.skipIdleTime = false;
    if (this.qemu !== null) this.startChecked = true;
    const plain = this.plain;
    if (this.qemu === null) machine.clock.beforeTimersFire = () => {
      this.expectPlain(plain.timers, 'CHECKPOINT', 'fires virtual timers', (ev) => ev.kind === 'CHECKPOINT' && ev.checkpoint === 'CLOCK_VIRTUAL');
    };
    machine.exceptions.onExceptionEvent = (kind) => {
      this.expectPlain(plain.exception, 'EXCEPTION', `raises a synchronous exception (${kind})`);
    };
    return {
      atBoundary: (icount) => this.checkNotPassed(icount),
      nextHookIcount: (icount) => {
        // Fast path: a payload-free head due later, past which the cached bound holds (boundPast).
        if (this.plainHead() >= 0) {
          const b = this.bound;
          const at = this.cursor.nextOffset!;
          if (this.cursor.nextIcount! > icount && at >= b.from && at < b.offset) return b.icount;
        }
        const e = this.head();
        if (e === null) return Infinity;
        // An event produced *inside* an instruction is due at the current icount when that
        // instruction is not counted (a data-access or fetch fault: QEMU logs the EXCEPTION at the
        // icount before it). Bounding the budget at `icount` would then give a budget of 0 and the
        // loop would spin forever without ever executing the faulting instruction; allow one.
        if (e.icount <= icount && PRODUCED_BY_INSTRUCTION.has(e.event.kind)) return icount + 1;
        if (e.icount <= icount) {
          // Due here and not met by this boundary's work: a zero budget, and a stall is a divergence.
          this.checkNotStalled(icount, e);
          return e.icount;
        }
        if (MET_WITHOUT_BOUND.has(e.event.kind)) return this.boundPast(e);
        return e.icount;
      },
      onInterruptTaken: (exc) => {
        this.entries++;
        if (!machine.exceptions.lastEntrySynchronous) this.expectPlain(plain.interrupt, 'INTERRUPT', `takes interrupt ${exc}`);
      },
    };
  }

  /**
   * The budget bound when the head event (due later) is one the machine meets without one (an
   * exception return, a UART byte, an interrupt, a timer checkpoint): the replayer checks it when
   * the machine produces it, so the budget need not end at it. That matters: a budget that ends
   * inside a block runs the block's tail as interpreted instructions (blocks run only whole), and
   * every exception return and interrupt would cost a loop turn; a recording's budgets do not end
   * there either. The bound is the next event that must be met at a boundary (an input, the end),
   * found by looking past the others (cached until the head passes it). An event the machine
   * fails to make is still caught, at the next boundary, by checkNotPassed (or, due at once, by
   * checkNotStalled). QEMU recordings keep the per-event bound (their own events are applied as
   * the head moves).
   */
  private boundPast(e: LogEntry): number {
    if (this.qemu !== null || this.cursor.peekPast === undefined) return e.icount;
    const b = this.bound;
    if (e.offset >= b.from && e.offset < b.offset) return b.icount;
    const past = this.cursor.peekPast(MET_WITHOUT_BOUND);
    if (past === null) return e.icount;
    b.from = e.offset;
    b.offset = past.offset;
    b.icount = past.icount;
    return past.icount;
  }

  /** peekPast's answer for heads in [from, offset). */
  private readonly bound = { from: -1, offset: -1, icount: 0 };

  /**
   * The head event is due here, so the loop gets a zero budget: something at this boundary must
   * consume it (a timer firing, an interrupt taken, a UART taking the byte). Between two such
   * asks nothing but those can change the machine, so the same icount, log position and count of
   * exception entries twice in a row means nothing ever will.
   */
  private checkNotStalled(icount: number, e: LogEntry): void {
    const s = this.stall;
    if (s.icount === icount && s.offset === e.offset && s.entries === this.entries) {
      throw this.diverged(icount, e, stalledBecause(e.event));
    }
    s.icount = icount;
    s.offset = e.offset;
    s.entries = this.entries;
  }

  /** A recording starts with CHECKPOINT_INIT then CHECKPOINT_RESET at icount 0 (as QEMU's), and only there. */
  private consumeMarkers(): void {
    // A QEMU recording's opening checkpoints follow its own start-up events: applied by head().
    if (this.startChecked || this.qemu !== null) return;
    this.startChecked = true;
    // A log cut before its opening checkpoints has nothing to check.
    if (this.cursor.position().index !== 0 || this.head() === null) return;
    this.expect('CHECKPOINT', 'starts (the log begins with CHECKPOINT_INIT)', (ev) => ev.kind === 'CHECKPOINT' && ev.checkpoint === 'INIT');
    if (this.head() === null) return;
    this.expect('CHECKPOINT', 'starts (CHECKPOINT_RESET follows CHECKPOINT_INIT)', (ev) => ev.kind === 'CHECKPOINT' && ev.checkpoint === 'RESET');
  }

  /** Called at every loop boundary: the machine must not pass an event it should have produced. */
  private checkNotPassed(icount: number): void {
    // Fast path: a payload-free head not yet passed (INTERRUPT, EXCEPTION, CHECKPOINT: none is the end).
    if (this.startChecked && this.plainHead() >= 0 && this.cursor.nextIcount! >= icount) return;
    this.consumeMarkers();
    const e = this.head();
    if (e === null) return;
    // The recording's end is not produced by the machine; the run simply stops there.
    if (e.event.kind === 'SHUTDOWN' || e.event.kind === 'END') return;
    if (e.icount < icount) {
      throw this.diverged(icount, e, `reached icount ${icount} without producing it`);
    }
  }

  /**
   * The run stopped at the end of a log that ends with END: nothing but the recording's end may be
   * left (a guest exit is checked by `onGuestExit`). A log cut short is not checked: the events of
   * its last icount may be partly lost.
   */
  onLogEnd(): void {
    this.consumeMarkers();
    const e = this.head();
    if (e === null || e.event.kind === 'END') return;
    if (e.event.kind === 'SHUTDOWN' && (e.event.cause !== 'GUEST_SHUTDOWN' || this.qemu !== null)) return;
    throw this.diverged(this.icount, e, e.event.kind === 'SHUTDOWN' ? 'has not exited' : 'stopped at the end of the log without producing it');
  }

  /** The machine exited (semihosting): the log must say so here. */
  onGuestExit(): void {
    this.consumeMarkers();
    const e = this.head();
    if (e === null) return;
    // QEMU ends every recording with SHUTDOWN_HOST_SIGNAL (its exit handler writes it), without
    // counting the instructions since the previous event.
    if (this.qemu !== null && (e.event.kind === 'SHUTDOWN' || e.event.kind === 'END') && e.icount <= this.icount) return;
    if (e.event.kind !== 'SHUTDOWN' || e.event.cause !== 'GUEST_SHUTDOWN' || e.icount !== this.icount) {
      throw this.diverged(this.icount, e, 'exits (semihosting)');
    }
  }

  /** The next event the log expects, for messages ("CHAR_WRITE at icount N (byte offset ...)"). */
  describeNext(): string {
    const e = this.head();
    return e === null ? 'the end of the log' : `${describeEvent(e.event)} at icount ${e.icount} ${describeLocation(e)}`;
  }

  /** The log position at this point (saved in snapshots). */
  position(): LogLocation {
    const at = this.cursor.position();
    if (this.qemu === null) return at;
    const withState: QemuLogLocation = { offset: at.offset, index: at.index, icount: at.icount, qemu: this.qemu.save() };
    return withState;
  }

  restore(at: LogLocation): void {
    this.cursor.seek(at);
    this.qemu?.load((at as QemuLogLocation).qemu);
    this.stall.icount = -1;
    // The bound cache stays: it is a fact of the log (the next bounding event past any head in
    // [from, offset)), and a reverse step restores a head in the same range again and again.
    this.startChecked = false;
  }
}

/** What the machine fails to do when `event` is due and the loop cannot move on. */
function stalledBecause(event: ReplayEvent): string {
  switch (event.kind) {
    case 'INTERRUPT':
      return 'takes no interrupt here (none pending and enabled)';
    case 'CHECKPOINT':
      return event.checkpoint === 'CLOCK_VIRTUAL' ? 'has no virtual timer due here' : 'never produces this checkpoint after the start';
    case 'ASYNC_CHAR_READ':
      return `cannot take the byte: UART${event.device} is not ready for input (or does not exist)`;
    case 'SHUTDOWN':
      return event.cause === 'GUEST_SHUTDOWN' ? 'runs on instead of exiting' : 'was asked to run past the end of the recording';
    case 'END':
      return 'was asked to run past the end of the recording';
    default:
      return `never produces ${event.kind} (armrr does not record it)`;
  }
}
