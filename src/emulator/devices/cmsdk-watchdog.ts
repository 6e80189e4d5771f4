/**
 * CMSDK APB watchdog as in QEMU 7.2: the counter runs from reset (load 0xffffffff); the first
 * expiry sets the interrupt (to NMI on mps2-an385) when INTEN, the second one requests a reset
 * when RESEN. WDOGLOCK gates every other write.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { VirtualClock } from '../clock.js';
import { CMSDK_PTIMER_POLICY, Ptimer, ptimerInitialState } from './ptimer.js';

const WDOGLOAD = 0x00;
const WDOGVALUE = 0x04;
const WDOGCONTROL = 0x08;
const WDOGINTCLR = 0x0c;
const WDOGRIS = 0x10;
const WDOGMIS = 0x14;
const WDOGLOCK = 0xc00;
const WDOGITCR = 0xf00;
const WDOGITOP = 0xf04;
const PID4 = 0xfd0;
const CID3 = 0xffc;
const UNLOCK_KEY = 0x1acce551;

const CONTROL_INTEN = 1;
const CONTROL_RESEN = 2;

const WATCHDOG_ID = [0x04, 0x00, 0x00, 0x00, 0x24, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

type WatchdogState = {
  control: number;
  intstatus: number;
  lock: number;
  itcr: number;
  itop: number;
  resetstatus: number;
  ptimer: number[];
};

export class CmsdkWatchdog extends Device<WatchdogState> {
  private readonly counter: Ptimer;

  constructor(
    name: string,
    clock: VirtualClock,
    private readonly clkHz: number,
    private readonly irq: IrqLine,
    /** Called when the watchdog asserts its reset output (QEMU's default action resets the guest). */
    private readonly onResetRequest: () => void,
  ) {
    super(name, { control: 0, intstatus: 0, lock: 0, itcr: 0, itop: 0, resetstatus: 0, ptimer: ptimerInitialState() });
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
        interruptEnabled: (this.s.control & CONTROL_INTEN) !== 0,
        resetEnabled: (this.s.control & CONTROL_RESEN) !== 0,
      }),
    );
    this.reset();
  }

  override reset(): void {
    this.counter.cancel();
    super.reset();
    const t = this.counter;
    t.begin();
    t.setPeriodFromHz(this.clkHz, 1);
    t.setLimit(0xffffffff, true);
    t.run(false);
    t.commit();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset) {
      case WDOGLOAD:
        r = this.counter.getLimit();
        break;
      case WDOGVALUE:
        r = this.counter.getCount() % 2 ** 32;
        break;
      case WDOGCONTROL:
        r = s.control;
        break;
      case WDOGRIS:
        r = s.intstatus;
        break;
      case WDOGMIS:
        r = this.maskedInt() ? 1 : 0;
        break;
      case WDOGLOCK:
        r = s.lock;
        break;
      case WDOGITCR:
        r = s.itcr;
        break;
      default:
        r = offset >= PID4 && offset <= CID3 && (offset & 3) === 0 ? WATCHDOG_ID[(offset - PID4) >> 2]! : 0;
    }
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value >>> 0;
    if (s.lock && offset !== WDOGLOCK) return;
    const t = this.counter;
    switch (offset) {
      case WDOGLOAD:
        t.begin();
        t.setLimit(v, true);
        t.run(false);
        t.commit();
        break;
      case WDOGCONTROL:
        s.control = v & (CONTROL_INTEN | CONTROL_RESEN);
        this.update();
        break;
      case WDOGINTCLR:
        s.intstatus = 0;
        t.begin();
        t.setCount(t.getLimit());
        t.commit();
        this.update();
        break;
      case WDOGLOCK:
        s.lock = v !== UNLOCK_KEY ? 1 : 0;
        break;
      case WDOGITCR:
        s.itcr = v & 1;
        this.update();
        break;
      case WDOGITOP:
        s.itop = v & 3;
        this.update();
        break;
      default:
        break;
    }
  }

  private expired(): void {
    const s = this.s;
    if (!s.intstatus) {
      s.intstatus = 1;
    } else {
      s.resetstatus = 1;
      this.counter.stop();
    }
    this.update();
  }

  private maskedInt(): boolean {
    return this.s.intstatus !== 0 && (this.s.control & CONTROL_INTEN) !== 0;
  }

  private update(): void {
    const s = this.s;
    // Integration test mode drives the outputs from ITOP: bit 0 reset, bit 1 interrupt.
    const int = s.itcr ? (s.itop & 2) !== 0 : this.maskedInt();
    const res = s.itcr ? (s.itop & 1) !== 0 : s.resetstatus !== 0 && (s.control & CONTROL_RESEN) !== 0;
    this.irq(int);
    if (res) this.onResetRequest();
  }
}
