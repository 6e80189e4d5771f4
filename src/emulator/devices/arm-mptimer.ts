/**
 * One timer block of the ARM MPCore private timers as QEMU 7.2 models it (hw/timer/arm_mptimer.c):
 * Load, Counter, Control (enable, auto-reload, IRQ enable, prescaler 15:8) and Interrupt Status,
 * counting at (prescaler + 1) * 10 ns per tick (QEMU's fixed 100 MHz PERIPHCLK) on a ptimer with
 * QEMU's policy. The Cortex-A9 MPCore has two of them per CPU: the private timer (0x600, PPI 29)
 * and the watchdog (0x620, PPI 30), which QEMU models as the same plain timer (no watchdog mode).
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from '../clock.js';
import {
  Ptimer,
  ptimerInitialState,
  PTIMER_CONTINUOUS_TRIGGER,
  PTIMER_NO_COUNTER_ROUND_DOWN,
  PTIMER_NO_IMMEDIATE_RELOAD,
  PTIMER_NO_IMMEDIATE_TRIGGER,
  PTIMER_WRAP_AFTER_ONE_PERIOD,
} from './ptimer.js';

const MPTIMER_POLICY =
  PTIMER_WRAP_AFTER_ONE_PERIOD |
  PTIMER_CONTINUOUS_TRIGGER |
  PTIMER_NO_IMMEDIATE_TRIGGER |
  PTIMER_NO_IMMEDIATE_RELOAD |
  PTIMER_NO_COUNTER_ROUND_DOWN;
/** Size of one timer block's registers. */
export const MPTIMER_BLOCK_SIZE = 0x20;

const scaleNs = (control: number): number => (((control >>> 8) & 0xff) + 1) * 10;

type MpTimerState = { control: number; status: number; ptimer: number[] };

export class ArmMpTimer extends Device<MpTimerState> {
  private readonly timer: Ptimer;

  constructor(
    name: string,
    clock: VirtualClock,
    private readonly irq: IrqLine,
  ) {
    super(name, { control: 0, status: 0, ptimer: ptimerInitialState() });
    this.timer = new Ptimer(
      clock,
      name,
      name,
      MPTIMER_POLICY,
      () => this.s.ptimer,
      () => this.tick(),
      () => ({
        load: this.timer.getLimit() >>> 0,
        counter: this.timer.getCount() >>> 0,
        periodNs: this.timer.periodNs,
        autoReload: (this.s.control & 2) !== 0,
        irqEnabled: (this.s.control & 4) !== 0,
      }),
    );
    this.reset();
  }

  /** QEMU's timerblock_reset: stopped, load 0, period 10 ns. */
  override reset(): void {
    this.timer.cancel();
    super.reset();
    const t = this.timer;
    t.begin();
    t.stop();
    t.setLimit(0, true);
    t.setPeriod(scaleNs(0));
    t.commit();
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq(this.s.status !== 0 && (this.s.control & 4) !== 0);
  }

  private tick(): void {
    const c = this.s.control;
    // Periodic with load 0 and prescaler 0 would re-trigger at once: QEMU stops it instead.
    if (c & 2 && (c & 0xff00) === 0 && this.timer.getLimit() === 0) this.timer.stop();
    this.s.status = 1;
    this.updateIrq();
  }

  private setCount(control: number, count: number): number {
    if ((control & 3) === 3 && (control & 0xff00) === 0 && count === 0) count = this.timer.getLimit();
    this.timer.setCount(count);
    return count;
  }

  private runIf(control: number, load: number): void {
    if (control & 1 && (control & 0xff00 || load !== 0)) this.timer.run(!(control & 2));
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    switch (offset) {
      case 0:
        return this.timer.getLimit() >>> 0;
      case 4:
        return this.timer.getCount() >>> 0;
      case 8:
        return this.s.control >>> 0;
      case 12:
        return this.s.status;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const v = value >>> 0;
    const control = this.s.control;
    const t = this.timer;
    switch (offset) {
      case 0:
        t.begin();
        // Load 0 with prescaler 0 stops the timer without a tick.
        if (control & 1 && (control & 0xff00) === 0 && v === 0) t.stop();
        t.setLimit(v, true);
        this.runIf(control, v);
        t.commit();
        break;
      case 4: {
        t.begin();
        if (control & 1 && (control & 0xff00) === 0 && v === 0 && (!(control & 2) || t.getLimit() === 0)) t.stop();
        const count = this.setCount(control, v);
        this.runIf(control, count);
        t.commit();
        break;
      }
      case 8: {
        t.begin();
        if ((control & 3) !== (v & 3)) t.stop();
        if ((control & 0xff00) !== (v & 0xff00)) t.setPeriod(scaleNs(v));
        if (v & 1) {
          let count = t.getCount();
          if (v & 2 && count === 0) count = this.setCount(v, count);
          this.runIf(v, count);
        }
        this.s.control = v;
        t.commit();
        break;
      }
      case 12:
        this.s.status &= ~v;
        this.updateIrq();
        break;
      default:
        break;
    }
  }
}
