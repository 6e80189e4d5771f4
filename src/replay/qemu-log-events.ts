/**
 * The events of a QEMU recording that armrr's machine does not produce, applied as QEMU 7.2's
 * replay applies them (facts from softmmu/icount.c, util/qemu-timer.c, replay/replay-time.c).
 *
 * Virtual time: QEMU's virtual clock is `bias + icount << shift`. With `-icount sleep=on` (the
 * default) an idle CPU does not jump to the next timer: QEMU notes the host run time
 * (QEMU_CLOCK_VIRTUAL_RT, logged as CLOCK_VIRTUAL_RT) when the CPU goes idle
 * (CHECKPOINT_CLOCK_WARP_START, only when a virtual timer is armed in the future), and adds the
 * run time that passed to the bias when it wakes (CHECKPOINT_CLOCK_WARP_ACCOUNT) or when its warp
 * timer on the VIRTUAL_RT clock fires (CHECKPOINT_CLOCK_VIRTUAL_RT, the list's own clock read, then
 * the warp's). Every clock read is in the log, so the warps repeat exactly:
 *   - WARP_START, VIRTUAL_RT(v): the warp starts at v if the next deadline is > 0 and none started;
 *   - WARP_ACCOUNT, VIRTUAL_RT(v) or CP_VIRTUAL_RT, VIRTUAL_RT(now), VIRTUAL_RT(v):
 *     bias += v - start. (A VIRTUAL_RT read follows only when a warp was started.)
 * With precise icount (`shift=N`) QEMU never initialises the warp start, so it is 0, not -1: the
 * first WARP_ACCOUNT adds the host run time since start-up to the bias.
 * With `sleep=off` there is no WARP_ACCOUNT: an idle CPU adds the deadline to the bias at once,
 * which armrr's machine does itself (`Machine.skipIdleTime`), so the warp events are only read.
 *
 * Host clock reads (CLOCK_HOST) are QEMU's own (its start-up reads the host clock); a read whose
 * value the log holds is cached as QEMU's replay caches it.
 */
import type { ReplayEvent } from './events.js';

/** QEMU-only state that a snapshot must carry with the log position. */
export interface QemuWarpState {
  /** VIRTUAL_RT ns at which the current warp started, -1 when none. */
  warpStart: number;
  /** VIRTUAL_RT ns at which QEMU's warp timer fires, -1 when not armed. */
  warpTimer: number;
  /** What the next VIRTUAL_RT read is for (decided by the checkpoint before it). */
  expect: 'none' | 'start' | 'warp' | 'rt-timers';
  /** Last CLOCK_HOST value read (QEMU's replay returns it for reads the log does not hold). */
  hostClock: number;
}

export function initialWarpState(): QemuWarpState {
  return { warpStart: 0, warpTimer: -1, expect: 'none', hostClock: 0 };
}

/** What the machine offers the interpreter: its clock and its next timer. */
export interface WarpClock {
  bias: number;
  nowNs(): number;
  nextDeadlineNs(): number;
  /** Fires the earliest timer due by now, if any. */
  runOneDue(): boolean;
}

/** Raised when the log's warps cannot be reproduced: armrr and QEMU disagree on device timers. */
export class QemuWarpMismatch {
  constructor(readonly what: string) {}
}

/** Events of a QEMU log that the machine never produces: the replayer hands them to `apply`. */
export function isQemuOnlyEvent(e: ReplayEvent): boolean {
  switch (e.kind) {
    case 'CLOCK':
      return true;
    case 'CHECKPOINT':
      // CLOCK_VIRTUAL too: QEMU writes one per expired timer (and per pass of its timer list), so
      // its count differs from armrr's one per batch; with virtual time reproduced exactly, the
      // timers fire where QEMU's did, which the INTERRUPT events check.
      return true;
    default:
      return false;
  }
}

export class QemuWarpInterpreter {
  state: QemuWarpState = initialWarpState();

  constructor(
    /** `-icount sleep=on` (QEMU's default): idle time comes from the log's warps. */
    readonly sleep: boolean,
  ) {}

  /** Applies one QEMU-only event (see isQemuOnlyEvent) at the machine's current icount. */
  apply(e: ReplayEvent, clock: WarpClock): void {
    const s = this.state;
    if (e.kind === 'CHECKPOINT') {
      switch (e.checkpoint) {
        case 'CLOCK_WARP_START':
          s.expect = 'start';
          return;
        case 'CLOCK_WARP_ACCOUNT':
          s.warpTimer = -1;
          s.expect = s.warpStart === -1 || !this.sleep ? 'none' : 'warp';
          return;
        case 'CLOCK_VIRTUAL_RT':
          s.expect = 'rt-timers';
          return;
        case 'CLOCK_VIRTUAL':
          // QEMU ran one expired virtual timer here (one checkpoint per timer; a re-armed one that
          // is still due re-arms the warp in between): so does armrr, before the warps that follow
          // look at the next deadline.
          clock.runOneDue();
          s.expect = 'none';
          return;
        case 'INIT':
        case 'RESET':
        case 'CLOCK_HOST':
          s.expect = 'none';
          return;
        default:
          throw new QemuWarpMismatch(`QEMU logged CHECKPOINT_${e.checkpoint}, which armrr's machine never reaches (a guest reset or suspend request)`);
      }
    }
    if (e.kind !== 'CLOCK') return;
    if (e.clock === 'HOST') {
      s.hostClock = Number(e.value);
      return;
    }
    const v = Number(e.value);
    const expect = s.expect;
    s.expect = 'none';
    switch (expect) {
      case 'start': {
        if (!this.sleep) return;
        const next = clock.nextDeadlineNs();
        const deadline = next === Infinity ? -1 : next - clock.nowNs();
        if (deadline > 0) {
          if (s.warpStart === -1 || s.warpStart > v) s.warpStart = v;
          // timer_mod_anticipate: only ever earlier.
          if (s.warpTimer === -1 || v + deadline < s.warpTimer) s.warpTimer = v + deadline;
        }
        return;
      }
      case 'warp':
        if (s.warpStart === -1) {
          throw new QemuWarpMismatch(
            'QEMU advanced virtual time from an idle period armrr did not see start (at its CHECKPOINT_CLOCK_WARP_START ' +
              "armrr had no virtual timer armed in the future): QEMU's and armrr's device timers differ",
          );
        }
        clock.bias += v - s.warpStart;
        s.warpStart = -1;
        return;
      case 'rt-timers':
        // The VIRTUAL_RT timer list read its clock (v); the warp timer fires if due, and its
        // callback reads the clock again when a warp was started. (Other reads of VIRTUAL_RT, e.g.
        // the main loop's deadline, come without a checkpoint and change nothing.)
        if (s.warpTimer !== -1 && v >= s.warpTimer) {
          s.warpTimer = -1;
          if (s.warpStart !== -1) s.expect = 'warp';
        }
        return;
      default:
        return;
    }
  }

  save(): QemuWarpState {
    return { ...this.state };
  }

  load(s: QemuWarpState | undefined): void {
    this.state = s === undefined ? initialWarpState() : { ...s };
  }
}
