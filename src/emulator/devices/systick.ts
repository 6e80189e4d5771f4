/**
 * SysTick timer as QEMU 7.2 models it (hw/timer/armv7m_systick.c on top of hw/core/ptimer.c).
 *
 * QEMU drives SysTick with a ptimer using the policies WRAP_AFTER_ONE_PERIOD,
 * NO_COUNTER_ROUND_DOWN, NO_IMMEDIATE_RELOAD and TRIGGER_ONLY_ON_DECREMENT. Firmware that reads
 * CVR or counts ticks sees that model's exact numbers, so this file reproduces the same state
 * machine (delta/limit/last/next event, transactions with deferred reload) on the VirtualClock,
 * restricted to what SysTick uses: periodic mode and clock periods that are whole nanoseconds.
 *
 * Offsets are relative to 0xE000E010.
 */
import { Device } from './device.js';
import { VirtualTimer, type VirtualClock } from '../clock.js';
import { BUS_FAULT } from '../memory/bus.js';
import type { CpuState } from '../cpu/state.js';

const CSR_ENABLE = 1 << 0;
const CSR_TICKINT = 1 << 1;
const CSR_CLKSOURCE = 1 << 2;
const CSR_COUNTFLAG = 1 << 16;
const CALIB_SKEW = 1 << 30;
const CALIB_TENMS = (1 << 24) - 1;
const BASE_ADDRESS = 0xe000e010;

/** ptimer's delta adjustment on reload: +1 after an expiry, none for a deferred reload. */
const DELTA_ADJUST = 1;
const DELTA_NO_ADJUST = -1;

export interface SystickClocks {
  /** Processor clock (CLKSOURCE = 1), Hz. */
  cpuHz: number;
  /** External reference clock (CLKSOURCE = 0), Hz. */
  refHz: number;
}

/** mps2-an385: SYSCLK 25 MHz, REFCLK 1 MHz. */
export const MPS2_SYSTICK_CLOCKS: SystickClocks = { cpuHz: 25_000_000, refHz: 1_000_000 };

function initialState() {
  return {
    /** CSR: ENABLE, TICKINT, CLKSOURCE, COUNTFLAG. */
    control: 0,
    /** ptimer: 1 while counting. */
    enabled: 0,
    /** ptimer limit = RVR. */
    limit: 0,
    /** ptimer delta: counter value when stopped, ticks of the current period when running. */
    delta: 0,
    /** Tick period in ns. */
    period: 0,
    /** Virtual ns of the last (re)load and of the next expiry. */
    lastEvent: 0,
    nextEvent: 0,
  };
}

export type SystickState = ReturnType<typeof initialState>;

function periodNs(hz: number): number {
  const p = 1e9 / hz;
  if (!Number.isInteger(p)) throw new RangeError(`SysTick clock ${hz} Hz has no whole-nanosecond period`);
  return p;
}

export class Systick extends Device<SystickState> {
  private readonly timer: VirtualTimer;
  private readonly cpuPeriod: number;
  private readonly refPeriod: number;
  private readonly calib: number;
  private needReload = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly cpu: CpuState,
    /** Pends the SysTick exception (Nvic.pendSysTick). */
    private readonly pend: () => void,
    clocks: SystickClocks = MPS2_SYSTICK_CLOCKS,
  ) {
    super('systick', initialState());
    this.cpuPeriod = periodNs(clocks.cpuHz);
    this.refPeriod = periodNs(clocks.refHz);
    // Ticks of the reference clock in 10 ms, minus one; SKEW when that is not exact.
    const ticks = Math.floor(10_000_000 / this.refPeriod);
    this.calib = ((ticks - 1) & CALIB_TENMS) | (ticks * this.refPeriod !== 10_000_000 ? CALIB_SKEW : 0);
    this.timer = clock.addTimer(
      new VirtualTimer('systick', 'SysTick', () => this.expire(), () => this.describe()),
    );
    this.reset();
  }

  override reset(): void {
    super.reset();
    this.clock.disarm(this.timer);
    this.s.period = this.refPeriod;
  }

  private describe(): Record<string, number | string | boolean> {
    const s = this.s;
    return {
      enabled: (s.control & CSR_ENABLE) !== 0,
      reload: s.limit,
      clock: s.control & CSR_CLKSOURCE ? 'cpu' : 'ref',
      period_ns: (s.limit + 1) * s.period,
      interrupt_enabled: (s.control & CSR_TICKINT) !== 0,
    };
  }

  // ---- ptimer model ---------------------------------------------------------------------------

  /** Current counter value (ptimer_get_count). */
  private count(): number {
    const s = this.s;
    if (!s.enabled || s.delta === 0) return s.delta;
    const now = this.clock.nowNs();
    let counter: number;
    if (now - s.nextEvent >= 0) {
      counter = 0;
    } else {
      counter = Math.floor((s.nextEvent - now) / s.period);
      // WRAP_AFTER_ONE_PERIOD: the extra period added at reload reads as 0.
      if (s.delta === s.limit) {
        if (now === s.lastEvent) {
          if (counter === s.limit + DELTA_ADJUST) return 0;
        } else if (counter === s.limit) {
          return 0;
        }
      }
    }
    // NO_COUNTER_ROUND_DOWN.
    if (now !== s.lastEvent) counter += 1;
    return counter;
  }

  private begin(): void {
    this.needReload = false;
  }

  private commit(): void {
    while (this.needReload && this.s.enabled) {
      this.needReload = false;
      this.s.nextEvent = this.clock.nowNs();
      this.reload(0);
    }
  }

  private reload(deltaAdjust: number): void {
    const s = this.s;
    // TRIGGER_ONLY_ON_DECREMENT: a zero count reached by a write or start does not fire.
    if (s.delta === 0 && deltaAdjust !== 0) this.trigger();
    let delta = s.delta;
    if (deltaAdjust !== DELTA_NO_ADJUST) delta += deltaAdjust;
    // NO_IMMEDIATE_RELOAD: count one period at zero before reloading.
    if (delta === 0 && s.enabled && s.limit !== 0) delta = 1;
    if (delta === 0) {
      if (s.enabled) {
        this.clock.disarm(this.timer);
        s.enabled = 0;
      }
      return;
    }
    s.lastEvent = s.nextEvent;
    s.nextEvent = s.lastEvent + delta * s.period;
    this.clock.arm(this.timer, s.nextEvent);
  }

  private stop(): void {
    const s = this.s;
    if (!s.enabled) return;
    s.delta = this.count();
    this.clock.disarm(this.timer);
    s.enabled = 0;
    this.needReload = false;
  }

  private run(): void {
    const s = this.s;
    const wasDisabled = !s.enabled;
    s.enabled = 1;
    if (wasDisabled) this.needReload = true;
  }

  private setPeriod(period: number): void {
    const s = this.s;
    s.delta = this.count();
    s.period = period;
    if (s.enabled) this.needReload = true;
  }

  /** Timer expiry (ptimer_tick). */
  private expire(): void {
    const s = this.s;
    this.begin();
    const adjust = s.delta === 0 || s.limit === 0 ? DELTA_NO_ADJUST : DELTA_ADJUST;
    s.delta = s.limit;
    this.reload(adjust);
    if (adjust === DELTA_ADJUST) this.trigger();
    this.commit();
  }

  /** The SysTick reaction to a ptimer trigger (systick_timer_tick). */
  private trigger(): void {
    const s = this.s;
    s.control |= CSR_COUNTFLAG;
    if (s.control & CSR_TICKINT) this.pend();
    if (s.limit === 0) this.stop();
  }

  // ---- MMIO -------------------------------------------------------------------------------

  private check(offset: number, size: number, isWrite: boolean): void {
    const unprivileged = this.cpu.ipsr === 0 && (this.cpu.control & 1) !== 0;
    if (unprivileged || size !== 4) {
      BUS_FAULT.address = (BASE_ADDRESS + offset) >>> 0;
      BUS_FAULT.isWrite = isWrite;
      throw BUS_FAULT;
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    this.check(offset, size, false);
    const s = this.s;
    switch (offset) {
      case 0x0: {
        const v = s.control;
        s.control &= ~CSR_COUNTFLAG;
        return v;
      }
      case 0x4:
        return s.limit;
      case 0x8:
        return this.count() >>> 0;
      case 0xc:
        return this.calib >>> 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    this.check(offset, size, true);
    const s = this.s;
    switch (offset) {
      case 0x0: {
        this.begin();
        const old = s.control;
        s.control = (s.control & ~7) | (value & 7);
        if ((old ^ value) & CSR_CLKSOURCE) {
          this.setPeriod(value & CSR_CLKSOURCE ? this.cpuPeriod : this.refPeriod);
        }
        if ((old ^ value) & CSR_ENABLE) {
          if (value & CSR_ENABLE) this.run();
          else this.stop();
        }
        this.commit();
        return;
      }
      case 0x4:
        s.limit = value & 0xffffff;
        return;
      case 0x8:
        this.begin();
        if (s.limit === 0) this.stop();
        s.delta = 0;
        if (s.enabled) this.needReload = true;
        s.control &= ~CSR_COUNTFLAG;
        this.commit();
        return;
      default:
        return;
    }
  }
}
