/**
 * ARM PL022 SPI controller as QEMU models it, with nothing attached to its SPI bus (every
 * transfer shifts in 0). Firmware that probes or drives it sees QEMU's FIFO and status behaviour.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';

const CR0 = 0x00;
const CR1 = 0x04;
const DR = 0x08;
const SR = 0x0c;
const CPSR = 0x10;
const IMSC = 0x14;
const RIS = 0x18;
const MIS = 0x1c;

const CR1_LBM = 1;
const CR1_SSE = 2;
const SR_TFE = 1;
const SR_TNF = 2;
const SR_RNE = 4;
const SR_RFF = 8;
const SR_BSY = 0x10;
const INT_RX = 4;
const INT_TX = 8;

const PL022_ID = [0x22, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

type Pl022State = {
  cr0: number;
  cr1: number;
  bitmask: number;
  sr: number;
  cpsr: number;
  is: number;
  im: number;
  txHead: number;
  rxHead: number;
  txLen: number;
  rxLen: number;
  txFifo: number[];
  rxFifo: number[];
};

export class Pl022Spi extends Device<Pl022State> {
  constructor(
    name: string,
    private readonly irq: IrqLine,
  ) {
    super(name, {
      cr0: 0,
      cr1: 0,
      bitmask: 0,
      sr: SR_TFE | SR_TNF,
      cpsr: 0,
      is: INT_TX,
      im: 0,
      txHead: 0,
      rxHead: 0,
      txLen: 0,
      rxLen: 0,
      txFifo: new Array<number>(8).fill(0),
      rxFifo: new Array<number>(8).fill(0),
    });
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    if (offset >= 0xfe0 && offset < 0x1000) {
      r = PL022_ID[(offset - 0xfe0) >> 2]!;
    } else {
      switch (offset) {
        case CR0:
          r = s.cr0;
          break;
        case CR1:
          r = s.cr1;
          break;
        case DR:
          if (s.rxLen) {
            r = s.rxFifo[(s.rxHead - s.rxLen) & 7]!;
            s.rxLen--;
            this.transfer();
          } else {
            r = 0;
          }
          break;
        case SR:
          r = s.sr;
          break;
        case CPSR:
          r = s.cpsr;
          break;
        case IMSC:
          r = s.im;
          break;
        case RIS:
          r = s.is;
          break;
        case MIS:
          r = s.im & s.is;
          break;
        default:
          r = 0;
      }
    }
    r >>>= 0;
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    const v = value >>> 0;
    switch (offset) {
      case CR0:
        s.cr0 = v;
        s.bitmask = (1 << ((v & 15) + 1)) - 1;
        break;
      case CR1:
        s.cr1 = v;
        this.transfer();
        break;
      case DR:
        if (s.txLen < 8) {
          s.txFifo[s.txHead] = v & s.bitmask;
          s.txHead = (s.txHead + 1) & 7;
          s.txLen++;
          this.transfer();
        }
        break;
      case CPSR:
        s.cpsr = v & 0xff;
        break;
      case IMSC:
        s.im = v;
        this.update();
        break;
      default:
        break; // ICR only clears overrun/timeout, which this model never raises
    }
  }

  override reset(): void {
    // QEMU's reset leaves CR0/CR1/CPSR and FIFO pointers alone.
    const s = this.s;
    s.rxLen = 0;
    s.txLen = 0;
    s.im = 0;
    s.is = INT_TX;
    s.sr = SR_TFE | SR_TNF;
  }

  /** Move words from TX to RX while RX has room; with no SPI device each word reads back as 0. */
  private transfer(): void {
    const s = this.s;
    if (!(s.cr1 & CR1_SSE)) {
      this.update();
      return;
    }
    let i = (s.txHead - s.txLen) & 7;
    let o = s.rxHead;
    while (s.txLen && s.rxLen < 8) {
      const val = s.cr1 & CR1_LBM ? s.txFifo[i]! : 0;
      s.rxFifo[o] = val & s.bitmask;
      i = (i + 1) & 7;
      o = (o + 1) & 7;
      s.txLen--;
      s.rxLen++;
    }
    s.rxHead = o;
    this.update();
  }

  private update(): void {
    const s = this.s;
    s.sr = 0;
    if (s.txLen === 0) s.sr |= SR_TFE;
    if (s.txLen !== 8) s.sr |= SR_TNF;
    if (s.rxLen !== 0) s.sr |= SR_RNE;
    if (s.rxLen === 8) s.sr |= SR_RFF;
    if (s.txLen) s.sr |= SR_BSY;
    s.is = 0;
    if (s.rxLen >= 4) s.is |= INT_RX;
    if (s.txLen <= 4) s.is |= INT_TX;
    this.irq((s.is & s.im) !== 0);
  }
}
