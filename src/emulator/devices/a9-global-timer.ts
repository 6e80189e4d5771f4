/**
 * Cortex-A9 MPCore global timer as QEMU 7.2 models it (hw/timer/a9gtimer.c) for one CPU: a 64-bit
 * up-counter at one tick per (prescaler + 1) * 10 ns of virtual time, a banked comparator with
 * auto-increment, and an interrupt (PPI 27) latched in the status register while the counter has
 * passed the comparator ("R2p0+: >=" as QEMU's comment says, though it tests compare < counter).
 *
 * QEMU's quirk kept because programs see it: the counter reads ref_counter + (now - ref_time) /
 * scale whether or not the timer is enabled; ref_counter/ref_time only resync when the enable bit
 * or the prescaler changes, and a Counter write (only allowed while disabled) takes effect at that
 * resync. 64-bit values are kept as two 32-bit halves (exact) and combined for arithmetic (exact
 * below 2^53 ns, i.e. for ~104 days of virtual time).
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import { VirtualTimer, type VirtualClock } from '../clock.js';

const TIMER_ENABLE = 1 << 0;
const COMP_ENABLE = 1 << 1;
const IRQ_ENABLE = 1 << 2;
const AUTO_INCREMENT = 1 << 3;
const PRESCALER_MASK = 0xff00;
const BANKED = COMP_ENABLE | IRQ_ENABLE | AUTO_INCREMENT;
const NEEDS_SYNC = TIMER_ENABLE | PRESCALER_MASK;
const TWO32 = 2 ** 32;
export const A9_GTIMER_SIZE = 0x20;

type GlobalTimerState = {
  /** Shared control (enable, prescaler) and the CPU's banked control bits. */
  control: number;
  cpuControl: number;
  status: number;
  counterLo: number;
  counterHi: number;
  refCounterLo: number;
  refCounterHi: number;
  refTimeNs: number;
  compareLo: number;
  compareHi: number;
  inc: number;
};

const join = (lo: number, hi: number): number => (hi >>> 0) * TWO32 + (lo >>> 0);

export class A9GlobalTimer extends Device<GlobalTimerState> {
  private readonly timer: VirtualTimer;

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: IrqLine,
  ) {
    super('a9-global-timer', {
      control: 0,
      cpuControl: 0,
      status: 0,
      counterLo: 0,
      counterHi: 0,
      refCounterLo: 0,
      refCounterHi: 0,
      refTimeNs: 0,
      compareLo: 0,
      compareHi: 0,
      inc: 0,
    });
    this.timer = clock.addTimer(
      new VirtualTimer('a9-global-timer', 'a9-global-timer', () => this.update(false), () => ({
        counter: this.current(),
        compare: join(this.s.compareLo, this.s.compareHi),
        enabled: (this.s.control & TIMER_ENABLE) !== 0,
        compareEnabled: (this.s.cpuControl & COMP_ENABLE) !== 0,
        irqEnabled: (this.s.cpuControl & IRQ_ENABLE) !== 0,
        autoIncrement: this.s.inc >>> 0,
      })),
    );
  }

  override reset(): void {
    this.clock.disarm(this.timer);
    super.reset();
    this.update(false);
  }

  private scale(): number {
    return (((this.s.control >>> 8) & 0xff) + 1) * 10;
  }

  /** QEMU's a9_gtimer_get_update: the counter value now. */
  private current(): number {
    const s = this.s;
    return join(s.refCounterLo, s.refCounterHi) + Math.floor((this.clock.nowNs() - s.refTimeNs) / this.scale());
  }

  /** QEMU's a9_gtimer_update. */
  private update(sync: boolean): void {
    const s = this.s;
    const now = this.clock.nowNs();
    const value = this.current();
    let nextDiff = 0;
    if (s.control & TIMER_ENABLE && s.cpuControl & COMP_ENABLE) {
      let compare = join(s.compareLo, s.compareHi);
      if (compare < value) {
        s.status = 1;
        if (s.cpuControl & AUTO_INCREMENT && s.inc !== 0) {
          const inc = s.inc >>> 0;
          compare += Math.ceil((value - compare) / inc) * inc;
          s.compareLo = compare % TWO32 | 0;
          s.compareHi = Math.floor(compare / TWO32) | 0;
        }
      }
      const diff = compare - value + 1;
      if (diff > 0) nextDiff = diff;
    }
    this.irq(s.status !== 0 && (s.cpuControl & IRQ_ENABLE) !== 0);
    this.clock.disarm(this.timer);
    if (nextDiff !== 0) this.clock.arm(this.timer, now + nextDiff * this.scale());
    if (s.control & TIMER_ENABLE) {
      s.counterLo = value % TWO32 | 0;
      s.counterHi = Math.floor(value / TWO32) | 0;
    }
    if (sync) {
      s.refTimeNs = now;
      s.refCounterLo = s.counterLo;
      s.refCounterHi = s.counterHi;
    }
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    const s = this.s;
    switch (offset) {
      case 0x00:
        return this.current() % TWO32 >>> 0;
      case 0x04:
        return Math.floor(this.current() / TWO32) >>> 0;
      case 0x08:
        return (s.control | s.cpuControl) >>> 0;
      case 0x0c:
        return s.status;
      case 0x10:
        return s.compareLo >>> 0;
      case 0x14:
        return s.compareHi >>> 0;
      case 0x18:
        return s.inc >>> 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value | 0;
    switch (offset) {
      case 0x00:
      case 0x04:
        // QEMU refuses to modify a running counter (guest error).
        if (s.control & TIMER_ENABLE) return;
        if (offset === 0) s.counterLo = v;
        else s.counterHi = v;
        return;
      case 0x08:
        this.update(((v ^ s.control) & NEEDS_SYNC) !== 0);
        s.cpuControl = v & BANKED;
        s.control = v & ~BANKED;
        break;
      case 0x0c:
        this.update(false);
        s.status &= ~v;
        break;
      case 0x10:
      case 0x14:
        this.update(false);
        if (offset === 0x10) s.compareLo = v;
        else s.compareHi = v;
        break;
      case 0x18:
        s.inc = v;
        return;
      default:
        return;
    }
    this.update(false);
  }
}
