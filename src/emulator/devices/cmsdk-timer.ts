/**
 * CMSDK APB timer (hw/timer/cmsdk-apb-timer.c in QEMU 7.2): a 32-bit down-counter on PCLK with a
 * level interrupt that is set when the count wraps and IRQEN is on.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from '../clock.js';
import { CMSDK_PTIMER_POLICY, Ptimer, ptimerInitialState } from './ptimer.js';

const CTRL = 0x00;
const VALUE = 0x04;
const RELOAD = 0x08;
const INTSTATUS = 0x0c;
const PID4 = 0xfd0;
const CID3 = 0xffc;

const CTRL_EN = 1;
const CTRL_IRQEN = 8;

const TIMER_ID = [0x04, 0x00, 0x00, 0x00, 0x22, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

type TimerState = {
  ctrl: number;
  intstatus: number;
  ptimer: number[];
};

export class CmsdkTimer extends Device<TimerState> {
  private readonly counter: Ptimer;

  constructor(
    name: string,
    clock: VirtualClock,
    private readonly pclkHz: number,
    private readonly irq: IrqLine,
  ) {
    super(name, { ctrl: 0, intstatus: 0, ptimer: ptimerInitialState() });
    this.counter = new Ptimer(
      clock,
      name,
      name,
      CMSDK_PTIMER_POLICY,
      () => this.s.ptimer,
      () => this.expired(),
      () => ({
        reload: this.counter.getLimit(),
        periodNs: this.counter.periodNs,
        enabled: (this.s.ctrl & CTRL_EN) !== 0,
        interruptEnabled: (this.s.ctrl & CTRL_IRQEN) !== 0,
      }),
    );
    this.reset();
  }

  override reset(): void {
    this.counter.cancel();
    super.reset();
    const t = this.counter;
    t.begin();
    t.setPeriodFromHz(this.pclkHz, 1);
    t.setLimit(0, true);
    t.commit();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let r: number;
    switch (offset) {
      case CTRL:
        r = this.s.ctrl;
        break;
      case VALUE:
        r = this.counter.getCount();
        break;
      case RELOAD:
        r = this.counter.getLimit();
        break;
      case INTSTATUS:
        r = this.s.intstatus;
        break;
      default:
        r = offset >= PID4 && offset <= CID3 && (offset & 3) === 0 ? TIMER_ID[(offset - PID4) >> 2]! : 0;
    }
    r = r % 2 ** 32; // the counter may read 2^32 just after a reload of 0xffffffff
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const v = value >>> 0;
    const t = this.counter;
    switch (offset) {
      case CTRL:
        this.s.ctrl = v & 0xf; // EXTIN clocking (bits 1, 2) is accepted but not modelled, as in QEMU
        t.begin();
        if (this.s.ctrl & CTRL_EN) t.run(t.getLimit() === 0);
        else t.stop();
        t.commit();
        break;
      case RELOAD:
        // Writing RELOAD also sets the current value.
        t.begin();
        if (!v) t.stop();
        t.setLimit(v, true);
        if (v && this.s.ctrl & CTRL_EN) t.run(false);
        t.commit();
        break;
      case VALUE:
        t.begin();
        if (!v && !t.getLimit()) t.stop();
        t.setCount(v);
        if (v && this.s.ctrl & CTRL_EN) t.run(t.getLimit() === 0);
        t.commit();
        break;
      case INTSTATUS:
        this.s.intstatus &= ~(v & 1);
        this.irq(this.s.intstatus !== 0);
        break;
      default:
        break;
    }
  }

  private expired(): void {
    if (this.s.ctrl & CTRL_IRQEN) {
      this.s.intstatus |= 1;
      this.irq(true);
    }
  }
}
