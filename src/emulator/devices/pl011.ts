/**
 * Arm PrimeCell PL011 UART as QEMU 7.2 models it (hw/char/pl011.c):
 * - TX is synchronous and unconditional (UARTCR's enables are not checked): the byte goes to the
 *   output sink during the UARTDR write, and every write sets TXRIS (one TX interrupt per byte);
 * - RX is a FIFO of 16 entries with LCR_H.FEN, 1 without; the RX interrupt is raised when the FIFO
 *   reaches the trigger level, which QEMU fixes at 1 (the IFLS value is stored but unused);
 * - registers are decoded by `offset >> 2`, so a byte access anywhere in a word hits that register;
 * - no DMA, no modem lines, no receive timeout.
 * The board fills the FIFO at instruction boundaries from its SerialInput when `canReceive()`.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { OutputSink } from '../io/input-port.js';

const FIFO_DEPTH = 16;

const FLAG_RXFE = 0x10;
const FLAG_TXFF = 0x20;
const FLAG_RXFF = 0x40;
const FLAG_TXFE = 0x80;

const INT_RX = 1 << 4;
const INT_TX = 1 << 5;

const LCR_FEN = 0x10;

/** UARTPeriphID0-3, UARTPCellID0-3 at 0xfe0 (QEMU's pl011_id_arm). */
const PL011_ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

function initialState() {
  return {
    flags: FLAG_RXFE | FLAG_TXFE,
    lcr: 0,
    rsr: 0,
    cr: 0x300,
    dmacr: 0,
    intEnabled: 0,
    intLevel: 0,
    ilpr: 0,
    ibrd: 0,
    fbrd: 0,
    ifl: 0x12,
    readFifo: new Array<number>(FIFO_DEPTH).fill(0),
    readPos: 0,
    readCount: 0,
    readTrigger: 1,
  };
}

export type Pl011State = ReturnType<typeof initialState>;

export class Pl011 extends Device<Pl011State> {
  constructor(
    /** UART number on the board (0 = the console): the output sink's and serial input's device index. */
    readonly index: number,
    private readonly output: OutputSink,
    /** UARTINTR, the combined interrupt (the only output virt wires, to SPI 1). */
    private readonly irq: IrqLine,
    /** Called when the FIFO may have room again, so the board can deliver input at the next boundary. */
    private readonly onReceiveReady: () => void = () => {},
  ) {
    super(`pl011.${index}`, initialState());
  }

  override reset(): void {
    super.reset();
    this.irq(false);
  }

  override load(state: Pl011State): void {
    super.load(state);
    this.update();
  }

  private fifoDepth(): number {
    return this.s.lcr & LCR_FEN ? FIFO_DEPTH : 1;
  }

  /** QEMU's pl011_can_receive. */
  canReceive(): boolean {
    return this.s.readCount < this.fifoDepth();
  }

  /** A byte arrives on RX (QEMU's pl011_put_fifo). */
  receive(byte: number): void {
    const s = this.s;
    const depth = this.fifoDepth();
    s.readFifo[(s.readPos + s.readCount) & (depth - 1)] = byte & 0xff;
    s.readCount++;
    s.flags &= ~FLAG_RXFE;
    if (s.readCount === depth) s.flags |= FLAG_RXFF;
    if (s.readCount === s.readTrigger) {
      s.intLevel |= INT_RX;
      this.update();
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset >> 2) {
      case 0: {
        // UARTDR
        s.flags &= ~FLAG_RXFF;
        const c = s.readFifo[s.readPos]!;
        if (s.readCount > 0) {
          s.readCount--;
          s.readPos = (s.readPos + 1) & (this.fifoDepth() - 1);
        }
        if (s.readCount === 0) s.flags |= FLAG_RXFE;
        if (s.readCount === s.readTrigger - 1) s.intLevel &= ~INT_RX;
        s.rsr = c >> 8;
        this.update();
        this.onReceiveReady();
        r = c;
        break;
      }
      case 1:
        r = s.rsr;
        break;
      case 6:
        r = s.flags;
        break;
      case 8:
        r = s.ilpr;
        break;
      case 9:
        r = s.ibrd;
        break;
      case 10:
        r = s.fbrd;
        break;
      case 11:
        r = s.lcr;
        break;
      case 12:
        r = s.cr;
        break;
      case 13:
        r = s.ifl;
        break;
      case 14:
        r = s.intEnabled;
        break;
      case 15:
        r = s.intLevel;
        break;
      case 16:
        r = s.intLevel & s.intEnabled;
        break;
      case 18:
        r = s.dmacr;
        break;
      default: {
        const w = offset >> 2;
        r = w >= 0x3f8 && w < 0x400 ? PL011_ID[w - 0x3f8]! : 0;
      }
    }
    return size === 4 ? r >>> 0 : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    value >>>= 0;
    switch (offset >> 2) {
      case 0:
        // UARTDR: sent whatever UARTCR says; TXRIS on every byte.
        this.output.uartWrite(this.index, value & 0xff);
        s.intLevel |= INT_TX;
        this.update();
        break;
      case 1:
        s.rsr = 0;
        break;
      case 8:
        s.ilpr = value;
        break;
      case 9:
        s.ibrd = value;
        break;
      case 10:
        s.fbrd = value;
        break;
      case 11:
        // Enabling or disabling the FIFO empties it.
        if ((s.lcr ^ value) & LCR_FEN) {
          s.readCount = 0;
          s.readPos = 0;
          s.flags = (s.flags & ~(FLAG_RXFF | FLAG_TXFF)) | FLAG_RXFE | FLAG_TXFE;
        }
        s.lcr = value;
        s.readTrigger = 1;
        this.onReceiveReady();
        break;
      case 12:
        s.cr = value;
        break;
      case 13:
        s.ifl = value;
        s.readTrigger = 1;
        break;
      case 14:
        s.intEnabled = value;
        this.update();
        break;
      case 17:
        s.intLevel &= ~value;
        this.update();
        break;
      case 18:
        s.dmacr = value;
        break;
      default:
        break; // UARTFR and the ID registers are read-only; other offsets are ignored
    }
  }

  private update(): void {
    this.irq((this.s.intLevel & this.s.intEnabled) !== 0);
  }
}
