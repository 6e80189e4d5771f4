import { describe, expect, it } from 'vitest';
import { Pl011 } from '../../src/emulator/devices/pl011.js';
import type { OutputSink } from '../../src/emulator/io/input-port.js';

const DR = 0x00, RSR = 0x04, FR = 0x18, IBRD = 0x24, LCR_H = 0x2c, CR = 0x30, IFLS = 0x34;
const IMSC = 0x38, RIS = 0x3c, MIS = 0x40, ICR = 0x44, DMACR = 0x48;
const RXFE = 0x10, RXFF = 0x40, TXFE = 0x80;
const TXI = 1 << 5, RXI = 1 << 4;

function setup() {
  const out: number[] = [];
  const sink: OutputSink = { uartWrite: (dev, b) => out.push(dev * 256 + b), consoleWrite: () => {} };
  let irq = false;
  let ready = 0;
  const uart = new Pl011(0, sink, (l) => (irq = l), () => ready++);
  return { uart, out, irq: () => irq, ready: () => ready, r: (o: number) => uart.read(o, 4), w: (o: number, v: number) => uart.write(o, v, 4) };
}

describe('PL011 as QEMU 7.2', () => {
  it('reset values and PrimeCell IDs', () => {
    const { r } = setup();
    expect(r(FR)).toBe(RXFE | TXFE);
    expect(r(CR)).toBe(0x300);
    expect(r(IFLS)).toBe(0x12);
    expect(r(LCR_H)).toBe(0);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(r)).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('TX is synchronous whatever UARTCR says, and sets TXRIS on every write', () => {
    const { r, w, out, irq } = setup();
    w(CR, 0); // UART disabled: QEMU sends anyway
    w(DR, 0x141);
    expect(out).toEqual([0x41]);
    expect(r(RIS)).toBe(TXI);
    expect(irq()).toBe(false);
    w(IMSC, TXI);
    expect(irq()).toBe(true);
    expect(r(MIS)).toBe(TXI);
    w(ICR, TXI);
    expect(irq()).toBe(false);
    w(DR, 0x42);
    expect(irq()).toBe(true); // again for the next character
  });

  it('registers decode on offset >> 2: a byte write anywhere in UARTDR transmits', () => {
    const { uart, out } = setup();
    uart.write(DR + 2, 0x5a, 1);
    expect(out).toEqual([0x5a]);
  });

  it('without FIFO one byte fills RX; RXRIS at the trigger level 1; read empties', () => {
    const { uart, r, w, irq, ready } = setup();
    w(IMSC, RXI);
    expect(uart.canReceive()).toBe(true);
    uart.receive(0x31);
    expect(uart.canReceive()).toBe(false);
    expect(r(FR) & (RXFE | RXFF)).toBe(RXFF);
    expect(irq()).toBe(true);
    const before = ready();
    expect(r(DR)).toBe(0x31);
    expect(ready()).toBe(before + 1);
    expect(r(FR) & (RXFE | RXFF)).toBe(RXFE);
    expect(irq()).toBe(false);
    expect(r(DR)).toBe(0x31); // empty FIFO: QEMU returns the stale slot
  });

  it('with FEN the FIFO holds 16 bytes in order; toggling FEN empties it', () => {
    const { uart, r, w } = setup();
    w(LCR_H, 0x70); // 8 bits, FEN
    for (let i = 0; i < 16; i++) uart.receive(0x40 + i);
    expect(uart.canReceive()).toBe(false);
    expect(r(FR) & RXFF).toBe(RXFF);
    expect(r(RIS) & RXI).toBe(RXI);
    const got = [];
    for (let i = 0; i < 16; i++) got.push(r(DR));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => 0x40 + i));
    expect(r(RIS) & RXI).toBe(0);
    uart.receive(1);
    uart.receive(2);
    w(LCR_H, 0x60); // FEN off
    expect(r(FR) & RXFE).toBe(RXFE);
    expect(uart.canReceive()).toBe(true);
  });

  it('plain read/write registers, RSR cleared by write, DMACR stored', () => {
    const { r, w } = setup();
    w(IBRD, 0x1a);
    w(DMACR, 3);
    w(FR, 0);
    expect(r(IBRD)).toBe(0x1a);
    expect(r(DMACR)).toBe(3);
    expect(r(FR)).toBe(RXFE | TXFE);
    w(RSR, 0);
    expect(r(RSR)).toBe(0);
    expect(r(0x100)).toBe(0);
  });

  it('save/load round-trips FIFO contents', () => {
    const a = setup();
    a.w(LCR_H, 0x10);
    a.uart.receive(7);
    a.uart.receive(8);
    const b = setup();
    b.uart.load(a.uart.save());
    expect(b.uart.save()).toEqual(a.uart.save());
    expect(b.r(DR)).toBe(7);
    expect(b.r(DR)).toBe(8);
  });
});
