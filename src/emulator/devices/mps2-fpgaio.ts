/**
 * MPS2 FPGA I/O block (hw/misc/mps2-fpgaio.c in QEMU 7.2): LEDs, buttons (always 0), and counters
 * derived from the virtual clock: CLK1HZ, CLK100HZ, and COUNTER/PSCNTR, a prescaled counter at
 * `prescaleHz`. All arithmetic is exact integer floor division as QEMU's muldiv64.
 */
import { Device } from './device.js';
import type { VirtualClock } from '../clock.js';

const LED0 = 0x00;
const BUTTON = 0x08;
const CLK1HZ = 0x10;
const CLK100HZ = 0x14;
const COUNTER = 0x18;
const PRESCALE = 0x1c;
const PSCNTR = 0x20;
const MISC = 0x4c;

const NS_PER_SECOND = 1_000_000_000;

type FpgaioState = {
  led0: number;
  prescale: number;
  misc: number;
  /**
   * CLKnHZ = base + floor((now - baseNs) * n / 1e9). QEMU keeps a tick offset
   * (now - count * 1e9 / n); for n dividing 1e9 the two give identical values.
   */
  clk1hzBase: number;
  clk1hzBaseNs: number;
  clk100hzBase: number;
  clk100hzBaseNs: number;
  counter: number;
  pscntr: number;
  pscntrSyncNs: number;
};

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** floor(a * num / den) exactly for 0 <= a < 2^53 when num * den < 2^53. */
function mulDivFloor(a: number, num: number, den: number): number {
  const q = Math.floor(a / den);
  const r = a - q * den;
  return q * num + Math.floor((r * num) / den);
}

export class Mps2Fpgaio extends Device<FpgaioState> {
  private readonly tickNum: number;
  private readonly tickDen: number;

  constructor(
    name: string,
    private readonly clock: VirtualClock,
    prescaleHz: number,
    private readonly numLeds = 2,
  ) {
    super(name, {
      led0: 0,
      prescale: 0,
      misc: 0,
      clk1hzBase: 0,
      clk1hzBaseNs: 0,
      clk100hzBase: 0,
      clk100hzBaseNs: 0,
      counter: 0,
      pscntr: 0,
      pscntrSyncNs: 0,
    });
    const g = gcd(prescaleHz, NS_PER_SECOND);
    this.tickNum = prescaleHz / g;
    this.tickDen = NS_PER_SECOND / g;
    this.reset();
  }

  override reset(): void {
    super.reset();
    const now = this.clock.nowNs();
    this.s.clk1hzBaseNs = now;
    this.s.clk100hzBaseNs = now;
    this.s.pscntrSyncNs = now;
  }

  /** LED0 bits (for a board view). */
  get leds(): number {
    return this.s.led0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset) {
      case LED0:
        r = s.led0;
        break;
      case BUTTON:
        r = 0; // buttons are not modelled
        break;
      case PRESCALE:
        r = s.prescale;
        break;
      case MISC:
        r = s.misc;
        break;
      case CLK1HZ:
        r = s.clk1hzBase + Math.floor((this.clock.nowNs() - s.clk1hzBaseNs) / NS_PER_SECOND);
        break;
      case CLK100HZ:
        r = s.clk100hzBase + Math.floor((this.clock.nowNs() - s.clk100hzBaseNs) / (NS_PER_SECOND / 100));
        break;
      case COUNTER:
        this.resyncCounter();
        r = s.counter;
        break;
      case PSCNTR:
        this.resyncCounter();
        r = s.pscntr;
        break;
      default:
        r = 0;
    }
    r = r % 2 ** 32;
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value >>> 0;
    switch (offset) {
      case LED0:
        s.led0 = v & ((1 << this.numLeds) - 1);
        break;
      case PRESCALE:
        this.resyncCounter();
        s.prescale = v;
        break;
      case MISC:
        s.misc = v;
        break;
      case CLK1HZ:
        s.clk1hzBase = v;
        s.clk1hzBaseNs = this.clock.nowNs();
        break;
      case CLK100HZ:
        s.clk100hzBase = v;
        s.clk100hzBaseNs = this.clock.nowNs();
        break;
      case COUNTER:
        this.resyncCounter();
        s.counter = v;
        break;
      case PSCNTR:
        this.resyncCounter();
        s.pscntr = v;
        break;
      default:
        break;
    }
  }

  /**
   * Bring COUNTER/PSCNTR up to date: PSCNTR counts down at the prescale clock; each time it
   * passes zero it reloads from PRESCALE and COUNTER increments.
   */
  private resyncCounter(): void {
    const s = this.s;
    const elapsed = this.clock.nowNs() - s.pscntrSyncNs;
    const ticks = mulDivFloor(elapsed, this.tickNum, this.tickDen);
    if (ticks === 0) return;
    if (ticks < s.pscntr) {
      s.pscntr -= ticks;
    } else if (s.prescale === 0) {
      s.counter = (s.counter + (ticks - s.pscntr)) % 2 ** 32;
      s.pscntr = 0;
    } else {
      const y = ticks - s.pscntr + s.prescale;
      const period = s.prescale + 1;
      s.pscntr = s.prescale - (y % period);
      s.counter = (s.counter + Math.floor(y / period)) % 2 ** 32;
    }
    // Advance by whole ticks only, so the fractional part carries over to the next resync.
    s.pscntrSyncNs += mulDivFloor(ticks, this.tickDen, this.tickNum);
  }
}
