/**
 * CMSDK APB dual timer (SP804-like; hw/timer/cmsdk-apb-dualtimer.c in QEMU 7.2): two modules with
 * 16/32-bit size, prescale /1 /16 /256, free-running / periodic / one-shot modes. Only the
 * combined interrupt is wired on mps2-an385.
 *
 * QEMU's quirks are reproduced on purpose because firmware output must match it: a LOAD write
 * to an enabled periodic module restarts its counter in one-shot mode, and in 16-bit mode the
 * top half of LOAD/VALUE reads back what was last written there.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from '../clock.js';
import { CMSDK_PTIMER_POLICY, Ptimer, ptimerInitialState } from './ptimer.js';

const LOAD = 0x00;
const VALUE = 0x04;
const CONTROL = 0x08;
const INTCLR = 0x0c;
const RIS = 0x10;
const MIS = 0x14;
const BGLOAD = 0x18;
const ITCR = 0xf00;
const ITOP = 0xf04;
const PID4 = 0xfd0;
const CID3 = 0xffc;

const CTRL_ONESHOT = 1;
const CTRL_SIZE32 = 2;
const CTRL_PRESCALE = 0xc;
const CTRL_INTEN = 0x20;
const CTRL_PERIODIC = 0x40;
const CTRL_ENABLE = 0x80;
const CTRL_VALID = CTRL_ONESHOT | CTRL_SIZE32 | CTRL_PRESCALE | CTRL_INTEN | CTRL_PERIODIC | CTRL_ENABLE;

const DUALTIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x23, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

type DualTimerState = {
  /** Per module (index 0 = TIMER1, 1 = TIMER2). */
  control: number[];
  load: number[];
  value: number[];
  intstatus: number[];
  ptimer1: number[];
  ptimer2: number[];
  itcr: number;
  itop: number;
};

function prescaleDivisor(control: number): number {
  const p = (control & CTRL_PRESCALE) >> 2;
  return p === 0 ? 1 : p === 1 ? 16 : 256; // 3 is UNDEFINED; QEMU treats it as 256
}

/** Low 16 bits from `low`, high 16 bits from `high`, as an unsigned 32-bit value. */
function deposit16(high: number, low: number): number {
  return ((high & 0xffff0000) | (low & 0xffff)) >>> 0;
}

export class CmsdkDualTimer extends Device<DualTimerState> {
  private readonly counters: [Ptimer, Ptimer];

  constructor(
    name: string,
    clock: VirtualClock,
    private readonly timclkHz: number,
    /** TIMINTC, the OR of both modules' masked interrupts. */
    private readonly combinedIrq: IrqLine,
  ) {
    super(name, {
      control: [0, 0],
      load: [0, 0],
      value: [0, 0],
      intstatus: [0, 0],
      ptimer1: ptimerInitialState(),
      ptimer2: ptimerInitialState(),
      itcr: 0,
      itop: 0,
    });
    const make = (m: 0 | 1): Ptimer => {
      const id = `${name}.${m + 1}`;
      const t: Ptimer = new Ptimer(
        clock,
        id,
        name,
        CMSDK_PTIMER_POLICY,
        () => (m === 0 ? this.s.ptimer1 : this.s.ptimer2),
        () => {
          this.s.intstatus[m] = 1;
          this.update();
        },
        () => ({
          reload: t.getLimit(),
          periodNs: t.periodNs,
          mode: this.s.control[m]! & CTRL_ONESHOT ? 'one-shot' : this.s.control[m]! & CTRL_PERIODIC ? 'periodic' : 'free-running',
          enabled: (this.s.control[m]! & CTRL_ENABLE) !== 0,
          interruptEnabled: (this.s.control[m]! & CTRL_INTEN) !== 0,
        }),
      );
      return t;
    };
    this.counters = [make(0), make(1)];
    this.reset();
  }

  override reset(): void {
    for (const t of this.counters) t.cancel();
    super.reset();
    for (let m = 0; m < 2; m++) {
      const s = this.s;
      s.control[m] = CTRL_INTEN;
      s.intstatus[m] = 0;
      s.load[m] = 0;
      s.value[m] = 0xffffffff;
      const t = this.counters[m]!;
      t.begin();
      t.stop();
      t.setLimit(0xffff, true); // reset state is 16-bit free-running
      t.setPeriodFromHz(this.timclkHz, prescaleDivisor(s.control[m]!));
      t.commit();
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    // Byte and halfword reads see the 32-bit register (QEMU pads them to word accesses).
    const r = this.readWord(offset);
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  private readWord(offset: number): number {
    if (offset >= ITCR) {
      if (offset === ITCR) return this.s.itcr;
      if (offset >= PID4 && offset <= CID3 && (offset & 3) === 0) return DUALTIMER_ID[(offset - PID4) >> 2]!;
      return 0;
    }
    const m = offset >> 5;
    if (m > 1) return 0;
    const s = this.s;
    const t = this.counters[m]!;
    const ctrl = s.control[m]!;
    switch (offset & 0x1f) {
      case LOAD:
      case BGLOAD:
        if (ctrl & CTRL_PERIODIC) {
          const limit = t.getLimit();
          return ctrl & CTRL_SIZE32 ? limit >>> 0 : deposit16(s.load[m]!, limit);
        }
        return s.load[m]!;
      case VALUE: {
        const count = t.getCount() % 2 ** 32;
        return ctrl & CTRL_SIZE32 ? count : deposit16(s.value[m]!, count);
      }
      case CONTROL:
        return ctrl;
      case RIS:
        return s.intstatus[m]!;
      case MIS:
        return this.maskedStatus(m) ? 1 : 0;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    let v = value >>> 0;
    const s = this.s;
    if (offset >= ITCR) {
      if (offset === ITCR) {
        s.itcr = v & 1;
        this.update();
      } else if (offset === ITOP) {
        s.itop = v & 3;
        this.update();
      }
      return;
    }
    const m = offset >> 5;
    if (m > 1) return;
    const t = this.counters[m]!;
    const ctrl = s.control[m]!;
    switch (offset & 0x1f) {
      case LOAD:
        // Sets the limit and reloads the count at once.
        s.load[m] = v;
        s.value[m] = v;
        if (!(ctrl & CTRL_SIZE32)) v &= 0xffff;
        t.begin();
        if (!(ctrl & CTRL_PERIODIC)) {
          t.setCount(v);
        } else {
          if (!v) t.stop();
          t.setLimit(v, true);
          // QEMU restarts the counter as one-shot here (meant for expired one-shot timers).
          if (v && ctrl & CTRL_ENABLE) t.run(true);
        }
        t.commit();
        break;
      case BGLOAD:
        // Sets the limit but not the current count; free-running mode has no limit.
        s.load[m] = v;
        if (!(ctrl & CTRL_PERIODIC)) break;
        if (!(ctrl & CTRL_SIZE32)) v &= 0xffff;
        t.begin();
        t.setLimit(v, false);
        t.commit();
        break;
      case CONTROL:
        this.writeControl(m, v);
        this.update();
        break;
      case INTCLR:
        s.intstatus[m] = 0;
        this.update();
        break;
      default:
        break;
    }
  }

  private writeControl(m: number, value: number): void {
    const s = this.s;
    const t = this.counters[m]!;
    const old = s.control[m]!;
    const newctrl = value & CTRL_VALID;
    const changed = old ^ newctrl;
    t.begin();
    if (changed & ~newctrl & CTRL_ENABLE) t.stop(); // stop before any other change
    if (changed & CTRL_PRESCALE) t.setPeriodFromHz(this.timclkHz, prescaleDivisor(newctrl));
    if (changed & CTRL_PERIODIC) {
      let load: number;
      if (newctrl & CTRL_PERIODIC) {
        load = s.load[m]!; // periodic: the limit is LOAD
      } else {
        // Free-running wraps at the full range; keep LOAD for reading back.
        load = t.getLimit() >>> 0;
        if (!(old & CTRL_SIZE32)) load = deposit16(s.load[m]!, load);
        s.load[m] = load;
        load = 0xffffffff;
      }
      if (!(old & CTRL_SIZE32)) load &= 0xffff;
      t.setLimit(load, false);
    }
    if (changed & CTRL_SIZE32) {
      let count = t.getCount() % 2 ** 32;
      let load = t.getLimit() >>> 0;
      if (newctrl & CTRL_SIZE32) {
        count = deposit16(s.value[m]!, count); // 16 -> 32: the top half was kept aside
      } else {
        s.value[m] = count;
        count &= 0xffff;
      }
      if (newctrl & CTRL_PERIODIC) {
        if (newctrl & CTRL_SIZE32) {
          load = deposit16(s.load[m]!, load);
        } else {
          s.load[m] = load;
          load &= 0xffff;
        }
      } else {
        load = newctrl & CTRL_SIZE32 ? 0xffffffff : 0xffff;
      }
      t.setCount(count);
      t.setLimit(load, false);
    }
    // Start even when ENABLE did not change, so an expired one-shot restarts in its new mode.
    if (newctrl & CTRL_ENABLE) t.run((newctrl & CTRL_ONESHOT) !== 0);
    s.control[m] = newctrl;
    t.commit();
  }

  private maskedStatus(m: number): boolean {
    return this.s.intstatus[m] !== 0 && (this.s.control[m]! & CTRL_INTEN) !== 0;
  }

  private update(): void {
    const s = this.s;
    const int1 = s.itcr ? (s.itop & 1) !== 0 : this.maskedStatus(0);
    const int2 = s.itcr ? (s.itop & 2) !== 0 : this.maskedStatus(1);
    this.combinedIrq(int1 || int2);
  }
}
