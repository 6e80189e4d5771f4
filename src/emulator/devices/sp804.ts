/**
 * ARM SP804 dual timer as QEMU 7.2 models it (hw/timer/arm_timer.c, "sp804"): two 1 MHz modules
 * (QEMU's freq0/freq1 defaults; vexpress does not change them), each free-running (16- or 32-bit
 * wrap), periodic or one-shot, prescale /1 /16 /256, on a legacy-policy ptimer; one interrupt line,
 * the OR of both modules' masked interrupts.
 *
 * QEMU's behaviour kept on purpose: a Control write stops and restarts a running module (the
 * counter keeps its value), TimerValue writes are ignored, the interrupt is raised only by an
 * expiry (RIS stays set until TimerIntClr), TimerBGLoad and TimerLoad share one limit, and the
 * prescaler divides the frequency as an integer (1 MHz >> 8 = 3906 Hz). Control resets to IE (0x20).
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from '../clock.js';
import { Ptimer, ptimerInitialState } from './ptimer.js';

const CTRL_ONESHOT = 1 << 0;
const CTRL_32BIT = 1 << 1;
const CTRL_IE = 1 << 5;
const CTRL_PERIODIC = 1 << 6;
const CTRL_ENABLE = 1 << 7;
/** QEMU's sp804 freq0/freq1 property default. */
export const SP804_CLOCK_HZ = 1_000_000;
/** TimerPeriphID0-3 and PrimeCell ID0-3 at 0xfe0 (QEMU's sp804_ids). */
const SP804_ID = [0x04, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** PTIMER_POLICY_LEGACY. */
const LEGACY_POLICY = 0;

type Sp804State = {
  control: number[];
  limit: number[];
  intLevel: number[];
  ptimer0: number[];
  ptimer1: number[];
};

export class Sp804 extends Device<Sp804State> {
  private readonly counters: [Ptimer, Ptimer];

  constructor(
    name: string,
    clock: VirtualClock,
    /** TIMINTC: the OR of both modules' interrupts. */
    private readonly irq: IrqLine,
  ) {
    super(name, {
      control: [CTRL_IE, CTRL_IE],
      limit: [0, 0],
      intLevel: [0, 0],
      ptimer0: ptimerInitialState(),
      ptimer1: ptimerInitialState(),
    });
    const make = (m: 0 | 1): Ptimer =>
      new Ptimer(
        clock,
        `${name}.${m}`,
        name,
        LEGACY_POLICY,
        () => (m === 0 ? this.s.ptimer0 : this.s.ptimer1),
        () => {
          this.s.intLevel[m] = 1;
          this.update();
        },
        () => this.describe(m),
      );
    this.counters = [make(0), make(1)];
  }

  override reset(): void {
    for (const c of this.counters) c.cancel();
    super.reset();
    this.update();
  }

  /** What `armrr timers` shows for module `m`. */
  private describe(m: 0 | 1): Record<string, number | string | boolean> {
    const ctrl = this.s.control[m]!;
    const mode = ctrl & CTRL_ONESHOT ? 'one-shot' : ctrl & CTRL_PERIODIC ? 'periodic' : 'free-running';
    return { module: m + 1, mode, load: this.s.limit[m]! >>> 0, value: this.counters[m].getCount() >>> 0, irqEnabled: (ctrl & CTRL_IE) !== 0 };
  }

  private update(): void {
    const s = this.s;
    const level = (m: number): boolean => s.intLevel[m] !== 0 && (s.control[m]! & CTRL_IE) !== 0;
    this.irq(level(0) || level(1));
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    if (offset < 0x40) return this.moduleRead(offset < 0x20 ? 0 : 1, offset & 0x1f);
    if (offset >= 0xfe0 && offset <= 0xffc) return SP804_ID[(offset - 0xfe0) >> 2]!;
    return 0; // integration test registers and holes (QEMU logs them)
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    if (offset < 0x40) this.moduleWrite(offset < 0x20 ? 0 : 1, offset & 0x1f, value >>> 0);
  }

  private moduleRead(m: 0 | 1, offset: number): number {
    const s = this.s;
    switch (offset >> 2) {
      case 0: // TimerLoad
      case 6: // TimerBGLoad
        return s.limit[m]! >>> 0;
      case 1:
        return this.counters[m].getCount() >>> 0;
      case 2:
        return s.control[m]!;
      case 4:
        return s.intLevel[m]!;
      case 5:
        return s.control[m]! & CTRL_IE ? s.intLevel[m]! : 0;
      default:
        return 0;
    }
  }

  /** QEMU's arm_timer_recalibrate: free-running counts the full 16/32-bit range. */
  private recalibrate(m: 0 | 1, reload: boolean): void {
    const ctrl = this.s.control[m]!;
    let limit: number;
    if ((ctrl & (CTRL_PERIODIC | CTRL_ONESHOT)) === 0) limit = ctrl & CTRL_32BIT ? 0xffffffff : 0xffff;
    else limit = this.s.limit[m]! >>> 0;
    this.counters[m].setLimit(limit, reload);
  }

  private moduleWrite(m: 0 | 1, offset: number, value: number): void {
    const s = this.s;
    const t = this.counters[m];
    switch (offset >> 2) {
      case 0: // TimerLoad
        s.limit[m] = value;
        t.begin();
        this.recalibrate(m, true);
        t.commit();
        break;
      case 1: // TimerValue: read-only, ignored
        break;
      case 2: {
        t.begin();
        if (s.control[m]! & CTRL_ENABLE) t.stop();
        s.control[m] = value;
        let freq = SP804_CLOCK_HZ;
        const pre = (value >>> 2) & 3;
        if (pre === 1) freq >>>= 4;
        else if (pre === 2) freq >>>= 8;
        this.recalibrate(m, (value & CTRL_ENABLE) !== 0);
        t.setFreq(freq);
        if (value & CTRL_ENABLE) t.run((value & CTRL_ONESHOT) !== 0);
        t.commit();
        break;
      }
      case 3: // TimerIntClr
        s.intLevel[m] = 0;
        break;
      case 6: // TimerBGLoad
        s.limit[m] = value;
        t.begin();
        this.recalibrate(m, false);
        t.commit();
        break;
      default:
        break;
    }
    this.update();
  }
}
