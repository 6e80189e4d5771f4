/**
 * The ARMv7-A generic timer of one core as QEMU 7.2 models it (target/arm/helper.c, gt_*): a
 * 62.5 MHz counter that is virtual time / 16 ns, the non-secure physical timer (CNTP_*, PPI 30 on
 * virt) and the virtual timer (CNTV_*, PPI 27; CNTVOFF = 0 without EL2). Registers are CP15
 * registers defined on the core's SysRegFile by `defineGenericTimerRegisters`.
 *
 * As in QEMU, ISTATUS is recomputed only when CTL.ENABLE toggles, CVAL/TVAL is written or the
 * deadline passes (the timer callback); the output is ISTATUS && !IMASK and stays high until
 * software acts. CNTFRQ is reads-as-written at PL1 (writing it does not change the rate).
 * QEMU does not implement the CNTKCTL event stream (its WFE does not sleep), so CNTKCTL only
 * gates PL0 access here too.
 */
import { cloneState, type StatefulComponent } from './device.js';
import type { IrqLine } from './irq.js';
import { VirtualTimer, type VirtualClock } from '../clock.js';
import type { SysRegDef, SysRegFile } from '../cpu/v7a/sysreg-registry.js';

/** QEMU's GTIMER_SCALE: one counter tick every 16 ns (62.5 MHz). */
export const GENERIC_TIMER_TICK_NS = 16;
export const GENERIC_TIMER_HZ = 1e9 / GENERIC_TIMER_TICK_NS;

/** Timer index, as QEMU's GTIMER_PHYS / GTIMER_VIRT. */
export const GT_PHYS = 0;
export const GT_VIRT = 1;
export type GenericTimerIndex = typeof GT_PHYS | typeof GT_VIRT;

const CTL_ENABLE = 1;
const CTL_IMASK = 2;
const CTL_ISTATUS = 4;

/** CNTKCTL bits gating PL0 access. */
const CNTKCTL_PL0PCTEN = 1 << 0;
const CNTKCTL_PL0VCTEN = 1 << 1;
const CNTKCTL_PL0VTEN = 1 << 8;
const CNTKCTL_PL0PTEN = 1 << 9;

const TWO_32 = 2 ** 32;
/** Comparator values at or above this are never reached (their deadline exceeds 2^53 ns). */
const UNREACHABLE_CVAL = 2 ** 49;

function initialState() {
  return {
    cntfrq: GENERIC_TIMER_HZ,
    cntkctl: 0,
    /** CNTP_CTL, CNTV_CTL: ENABLE, IMASK, ISTATUS. */
    ctl: [0, 0],
    /** CNTP_CVAL, CNTV_CVAL as 32-bit halves (64-bit values do not fit a double). */
    cvalLo: [0, 0],
    cvalHi: [0, 0],
  };
}

export type GenericTimerState = ReturnType<typeof initialState>;

/** One generic timer as `GenericTimer.debugView` reports it. */
export interface GenericTimerView {
  timer: 'physical' | 'virtual';
  register: 'CNTP' | 'CNTV';
  ctl: number;
  enabled: boolean;
  masked: boolean;
  /** CTL.ISTATUS: the condition CNTVCT >= CVAL held when last evaluated (QEMU's rule). */
  istatus: boolean;
  /** Comparator in counter ticks; null when beyond 2^49 (never reached). */
  cval: number | null;
  cvalHex: string;
  /** CNTPCT = CNTVCT now (no virtual offset on virt). */
  counter: number;
  /** Virtual time (ns) at which the condition becomes true; null when disabled or unreachable. */
  fireNs: number | null;
  /** fireNs minus now: negative once it is due. */
  leftNs: number | null;
}

const TIMER_NAMES = ['physical', 'virtual'] as const;

export class GenericTimer implements StatefulComponent<GenericTimerState> {
  readonly name = 'generic-timer';
  s: GenericTimerState = initialState();
  private readonly timers: readonly VirtualTimer[];

  constructor(
    private readonly clock: VirtualClock,
    /** Outputs per timer index: [physical (PPI 30 on virt), virtual (PPI 27)]. */
    private readonly outputs: readonly [IrqLine, IrqLine],
  ) {
    this.timers = TIMER_NAMES.map((kind, i) =>
      clock.addTimer(
        new VirtualTimer(
          `generic-timer.${kind === 'physical' ? 'phys' : 'virt'}`,
          'generic-timer',
          () => this.recalc(i as GenericTimerIndex),
          () => {
            const ctl = this.s.ctl[i]!;
            return { timer: kind, ctl, cval: this.cval(i as GenericTimerIndex), enabled: (ctl & CTL_ENABLE) !== 0, masked: (ctl & CTL_IMASK) !== 0 };
          },
        ),
      ),
    );
  }

  reset(): void {
    this.s = initialState();
    for (const t of this.timers) this.clock.disarm(t);
    this.outputs[GT_PHYS](false);
    this.outputs[GT_VIRT](false);
  }

  save(): GenericTimerState {
    return cloneState(this.s);
  }

  /** Deadlines are restored with the clock; the output levels follow from the state. */
  load(state: GenericTimerState): void {
    this.s = cloneState(state);
    for (let i = 0; i < 2; i++) {
      const ctl = this.s.ctl[i]!;
      this.outputs[i as GenericTimerIndex]((ctl & CTL_ENABLE) !== 0 && (ctl & CTL_ISTATUS) !== 0 && !(ctl & CTL_IMASK));
    }
  }

  /** Counter value (CNTPCT = CNTVCT: no virtual offset on virt). */
  counter(): number {
    return Math.floor(this.clock.nowNs() / GENERIC_TIMER_TICK_NS);
  }

  /** CVAL as a number (exact below 2^53; larger values compare as unreachable anyway). */
  cval(i: GenericTimerIndex): number {
    return this.s.cvalHi[i]! * TWO_32 + this.s.cvalLo[i]!;
  }

  readCtl(i: GenericTimerIndex): number {
    return this.s.ctl[i]!;
  }

  /** QEMU's gt_ctl_write: ENABLE toggling recomputes; IMASK toggling only re-drives the output. */
  writeCtl(i: GenericTimerIndex, value: number): void {
    const old = this.s.ctl[i]!;
    this.s.ctl[i] = (old & ~3) | (value & 3);
    if ((old ^ value) & CTL_ENABLE) this.recalc(i);
    else if ((old ^ value) & CTL_IMASK) this.outputs[i]((old & CTL_ISTATUS) !== 0 && !(value & CTL_IMASK));
  }

  writeCval(i: GenericTimerIndex, lo: number, hi: number): void {
    this.s.cvalLo[i] = lo >>> 0;
    this.s.cvalHi[i] = hi >>> 0;
    this.recalc(i);
  }

  /** TVAL: the low 32 bits of CVAL - counter. */
  readTval(i: GenericTimerIndex): number {
    return (this.s.cvalLo[i]! - (this.counter() % TWO_32)) >>> 0;
  }

  /** TVAL write: CVAL = counter + sign-extended value (64-bit wrap-around). */
  writeTval(i: GenericTimerIndex, value: number): void {
    const n = this.counter() + (value | 0);
    this.writeCval(i, n >>> 0, Math.floor(n / TWO_32) >>> 0);
  }

  /**
   * Both timers as the guest programmed them, fired or not (the clock's timer list shows only
   * armed deadlines): for gdb's `monitor timers` on a guest OS.
   */
  debugView(): GenericTimerView[] {
    const now = this.clock.nowNs();
    return TIMER_NAMES.map((kind, i) => {
      const ctl = this.s.ctl[i]!;
      const cval = this.cval(i as GenericTimerIndex);
      const enabled = (ctl & CTL_ENABLE) !== 0;
      const reachable = cval < UNREACHABLE_CVAL;
      return {
        timer: kind,
        register: kind === 'physical' ? 'CNTP' : 'CNTV',
        ctl,
        enabled,
        masked: (ctl & CTL_IMASK) !== 0,
        istatus: (ctl & CTL_ISTATUS) !== 0,
        cval: reachable ? cval : null,
        cvalHex: `0x${this.s.cvalHi[i]!.toString(16).padStart(8, '0')}${this.s.cvalLo[i]!.toString(16).padStart(8, '0')}`,
        counter: this.counter(),
        fireNs: enabled && reachable ? cval * GENERIC_TIMER_TICK_NS : null,
        leftNs: enabled && reachable ? cval * GENERIC_TIMER_TICK_NS - now : null,
      };
    });
  }

  /** QEMU's gt_recalc_timer. */
  private recalc(i: GenericTimerIndex): void {
    const s = this.s;
    const t = this.timers[i]!;
    const ctl = s.ctl[i]!;
    if (!(ctl & CTL_ENABLE)) {
      s.ctl[i] = ctl & ~CTL_ISTATUS;
      this.outputs[i](false);
      this.clock.disarm(t);
      return;
    }
    const cval = this.cval(i);
    const istatus = this.counter() >= cval;
    s.ctl[i] = istatus ? ctl | CTL_ISTATUS : ctl & ~CTL_ISTATUS;
    this.outputs[i](istatus && !(ctl & CTL_IMASK));
    // Asserted: the next change would be the 64-bit counter wrapping, i.e. never.
    if (istatus || cval >= UNREACHABLE_CVAL) this.clock.disarm(t);
    else this.clock.arm(t, cval * GENERIC_TIMER_TICK_NS);
  }
}

/**
 * The generic timer's CP15 registers (ARMv7-A encodings; MRRC/MCRR for the 64-bit ones). PL0
 * access follows CNTKCTL as QEMU's gt_*_access functions do for a core without EL2/EL3.
 */
export function defineGenericTimerRegisters(file: SysRegFile, timer: GenericTimer): void {
  const kctl = (bit: number) => () => (timer.s.cntkctl & bit) !== 0;
  const hi64 = (regs: SysRegFile, v: number): number => {
    regs.hi = Math.floor(v / TWO_32) >>> 0;
    return v >>> 0;
  };
  const perTimer = (i: GenericTimerIndex, prefix: 'CNTP' | 'CNTV', crm: number, opc1: number, pl0: () => boolean): SysRegDef[] => [
    {
      name: `${prefix}_TVAL`,
      cp: 15,
      opc1: 0,
      crn: 14,
      crm,
      opc2: 0,
      pl0Read: pl0,
      pl0Write: pl0,
      read: () => timer.readTval(i),
      write: (v) => timer.writeTval(i, v),
    },
    {
      name: `${prefix}_CTL`,
      cp: 15,
      opc1: 0,
      crn: 14,
      crm,
      opc2: 1,
      pl0Read: pl0,
      pl0Write: pl0,
      read: () => timer.readCtl(i),
      write: (v) => timer.writeCtl(i, v),
    },
    {
      name: `${prefix}_CVAL`,
      cp: 15,
      is64: true,
      opc1,
      crn: 0,
      crm: 14,
      opc2: 0,
      pl0Read: pl0,
      pl0Write: pl0,
      read: (regs) => {
        regs.hi = timer.s.cvalHi[i]!;
        return timer.s.cvalLo[i]!;
      },
      write: (lo, hi) => timer.writeCval(i, lo, hi),
    },
  ];
  file.defineAll([
    {
      name: 'CNTFRQ',
      cp: 15,
      opc1: 0,
      crn: 14,
      crm: 0,
      opc2: 0,
      pl0Read: kctl(CNTKCTL_PL0PCTEN | CNTKCTL_PL0VCTEN),
      read: () => timer.s.cntfrq,
      write: (v) => {
        timer.s.cntfrq = v >>> 0;
      },
    },
    {
      name: 'CNTKCTL',
      cp: 15,
      opc1: 0,
      crn: 14,
      crm: 1,
      opc2: 0,
      read: () => timer.s.cntkctl,
      write: (v) => {
        timer.s.cntkctl = v >>> 0;
      },
    },
    {
      name: 'CNTPCT',
      cp: 15,
      is64: true,
      opc1: 0,
      crn: 0,
      crm: 14,
      opc2: 0,
      pl0Read: kctl(CNTKCTL_PL0PCTEN),
      read: (regs) => hi64(regs, timer.counter()),
    },
    {
      name: 'CNTVCT',
      cp: 15,
      is64: true,
      opc1: 1,
      crn: 0,
      crm: 14,
      opc2: 0,
      pl0Read: kctl(CNTKCTL_PL0VCTEN),
      read: (regs) => hi64(regs, timer.counter()),
    },
    ...perTimer(GT_PHYS, 'CNTP', 2, 2, kctl(CNTKCTL_PL0PTEN)),
    ...perTimer(GT_VIRT, 'CNTV', 3, 3, kctl(CNTKCTL_PL0VTEN)),
  ]);
}
