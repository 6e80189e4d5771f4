/**
 * CMSDK APB UART as QEMU 7.2 models it (hw/char/cmsdk-apb-uart.c): TX completes synchronously
 * (the byte goes to the output sink during the DATA write), RX is a one-byte buffer the board
 * fills at instruction boundaries when `canReceive()`.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import type { OutputSink } from '../io/input-port.js';

const DATA = 0x00;
const STATE = 0x04;
const CTRL = 0x08;
const INTSTATUS = 0x0c;
const BAUDDIV = 0x10;
const PID4 = 0xfd0;
const CID3 = 0xffc;

const STATE_TXFULL = 1;
const STATE_RXFULL = 2;
const STATE_TXOVERRUN = 4;
const STATE_RXOVERRUN = 8;

const CTRL_TX_EN = 1;
const CTRL_RX_EN = 2;
const CTRL_TX_INTEN = 4;
const CTRL_RX_INTEN = 8;

const INT_TX = 1;
const INT_RX = 2;
const INT_TXO = 4;
const INT_RXO = 8;

/** PID4..PID7, PID0..PID3, CID0..CID3. */
const UART_ID = [0x04, 0x00, 0x00, 0x00, 0x21, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/** IRQ outputs in QEMU's order; unconnected ones are null. */
export interface CmsdkUartIrqs {
  tx: IrqLine | null;
  rx: IrqLine | null;
  txOverrun: IrqLine | null;
  rxOverrun: IrqLine | null;
  combined: IrqLine | null;
}

interface UartState {
  [k: string]: number;
  state: number;
  ctrl: number;
  intstatus: number;
  bauddiv: number;
  txbuf: number;
  rxbuf: number;
}

export class CmsdkUart extends Device<UartState> {
  constructor(
    /** UART number on the board (0 = UART0); also the output sink's device index. */
    readonly index: number,
    private readonly output: OutputSink,
    private readonly irqs: CmsdkUartIrqs,
    /**
     * Called when the UART may have become able to receive (DATA read, CTRL write), so the board
     * can end the current block and deliver pending input at the next instruction boundary.
     */
    private readonly onReceiveReady: () => void = () => {},
  ) {
    super(`uart${index}`, { state: 0, ctrl: 0, intstatus: 0, bauddiv: 0, txbuf: 0, rxbuf: 0 });
  }

  /** True when a received byte would be accepted (RX enabled and the buffer empty). */
  canReceive(): boolean {
    return (this.s.ctrl & CTRL_RX_EN) !== 0 && (this.s.state & STATE_RXFULL) === 0;
  }

  receive(byte: number): void {
    const s = this.s;
    if (!(s.ctrl & CTRL_RX_EN)) return; // dropped, as on hardware with RX disabled
    if (s.state & STATE_RXFULL) s.state |= STATE_RXOVERRUN;
    s.rxbuf = byte & 0xff;
    s.state |= STATE_RXFULL;
    if (s.ctrl & CTRL_RX_INTEN) s.intstatus |= INT_RX;
    this.update();
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset) {
      case DATA:
        r = s.rxbuf;
        s.state &= ~STATE_RXFULL;
        this.update();
        this.onReceiveReady();
        break;
      case STATE:
        r = s.state;
        break;
      case CTRL:
        r = s.ctrl;
        break;
      case INTSTATUS:
        r = s.intstatus;
        break;
      case BAUDDIV:
        r = s.bauddiv;
        break;
      default:
        r = offset >= PID4 && offset <= CID3 && (offset & 3) === 0 ? UART_ID[(offset - PID4) >> 2]! : 0;
    }
    return size === 4 ? r : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    switch (offset) {
      case DATA:
        s.txbuf = value & 0xff;
        if (s.state & STATE_TXFULL) {
          s.state |= STATE_TXOVERRUN;
          this.update();
        } else {
          s.state |= STATE_TXFULL;
          this.transmit();
        }
        break;
      case STATE:
        s.state &= ~(value & (STATE_TXOVERRUN | STATE_RXOVERRUN));
        this.update();
        break;
      case CTRL:
        s.ctrl = value & 0x7f;
        this.update();
        this.onReceiveReady();
        break;
      case INTSTATUS:
        s.state &= ~(value & (INT_TXO | INT_RXO));
        s.intstatus &= ~value;
        this.update();
        break;
      case BAUDDIV:
        s.bauddiv = value & 0xfffff;
        break;
      default:
        break; // ID registers are read-only; other offsets are ignored
    }
  }

  /**
   * QEMU only sends when TX is enabled; otherwise TXFULL stays set (nothing retries later), so
   * further writes overrun. Sending is instantaneous, which raises the TX interrupt at once.
   */
  private transmit(): void {
    const s = this.s;
    if (!(s.ctrl & CTRL_TX_EN) || !(s.state & STATE_TXFULL)) return;
    this.output.uartWrite(this.index, s.txbuf);
    s.state &= ~STATE_TXFULL;
    if (s.ctrl & CTRL_TX_INTEN) s.intstatus |= INT_TX;
    this.update();
  }

  private update(): void {
    const s = this.s;
    // Overrun interrupt bits mirror the overrun state gated by their enables (CTRL bits 4/5).
    const omask = INT_RXO | INT_TXO;
    s.intstatus = (s.intstatus & ~omask) | (s.state & (s.ctrl >> 2) & omask);
    const i = this.irqs;
    i.tx?.((s.intstatus & INT_TX) !== 0);
    i.rx?.((s.intstatus & INT_RX) !== 0);
    i.txOverrun?.((s.intstatus & INT_TXO) !== 0);
    i.rxOverrun?.((s.intstatus & INT_RXO) !== 0);
    i.combined?.(s.intstatus !== 0);
  }
}
