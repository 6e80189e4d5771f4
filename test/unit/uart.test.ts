import { describe, expect, it } from 'vitest';
import { CmsdkUart } from '../../src/emulator/devices/cmsdk-uart.js';
import type { OutputSink } from '../../src/emulator/io/input-port.js';

const DATA = 0, STATE = 4, CTRL = 8, INTSTATUS = 0xc, BAUDDIV = 0x10;

function setup() {
  const out: number[] = [];
  const sink: OutputSink = { uartWrite: (dev, b) => out.push(dev * 256 + b), consoleWrite: () => {} };
  const lv = { tx: false, rx: false, txo: false, rxo: false, all: false };
  let ready = 0;
  const uart = new CmsdkUart(
    2,
    sink,
    {
      tx: (l) => (lv.tx = l),
      rx: (l) => (lv.rx = l),
      txOverrun: (l) => (lv.txo = l),
      rxOverrun: (l) => (lv.rxo = l),
      combined: (l) => (lv.all = l),
    },
    () => ready++,
  );
  return { uart, out, lv, readyCount: () => ready };
}

describe('CmsdkUart', () => {
  it('transmits synchronously only when TX is enabled, raising TX interrupt with TXIE', () => {
    const { uart, out, lv } = setup();
    uart.write(CTRL, 1 | 4, 4); // TXEN | TXIE
    uart.write(DATA, 0x41, 4);
    expect(out).toEqual([2 * 256 + 0x41]);
    expect(uart.read(STATE, 4) & 1).toBe(0); // TXFULL cleared at once
    expect(uart.read(INTSTATUS, 4)).toBe(1);
    expect(lv.tx).toBe(true);
    expect(lv.all).toBe(true);
    uart.write(INTSTATUS, 1, 4);
    expect(lv.tx).toBe(false);
    expect(lv.all).toBe(false);
  });

  it('with TX disabled the byte stays in TXFULL and the next write overruns', () => {
    const { uart, out, lv } = setup();
    uart.write(CTRL, 0x10, 4); // TXOIE only
    uart.write(DATA, 0x31, 4);
    expect(out).toEqual([]);
    expect(uart.read(STATE, 4)).toBe(1);
    uart.write(DATA, 0x32, 4);
    expect(uart.read(STATE, 4)).toBe(1 | 4);
    expect(uart.read(INTSTATUS, 4)).toBe(4);
    expect(lv.txo).toBe(true);
    uart.write(STATE, 4, 4); // W1C TXOVR
    expect(uart.read(STATE, 4)).toBe(1);
    expect(lv.txo).toBe(false);
  });

  it('receives one byte at a time when RXEN and the buffer is empty', () => {
    const { uart, lv, readyCount } = setup();
    expect(uart.canReceive()).toBe(false);
    uart.write(CTRL, 2 | 8, 4); // RXEN | RXIE
    expect(readyCount()).toBe(1);
    expect(uart.canReceive()).toBe(true);
    uart.receive(0x68);
    expect(uart.canReceive()).toBe(false);
    expect(uart.read(STATE, 4)).toBe(2);
    expect(lv.rx).toBe(true);
    expect(uart.read(DATA, 4)).toBe(0x68);
    expect(readyCount()).toBe(2);
    expect(uart.canReceive()).toBe(true);
    // RX interrupt stays until cleared, as in QEMU.
    expect(uart.read(INTSTATUS, 4)).toBe(2);
    uart.write(INTSTATUS, 2, 4);
    expect(lv.rx).toBe(false);
  });

  it('a byte arriving while full sets RXOVR; masks BAUDDIV and CTRL; exposes the ID', () => {
    const { uart, lv } = setup();
    uart.write(CTRL, 0xff, 4);
    expect(uart.read(CTRL, 4)).toBe(0x7f);
    uart.receive(1);
    uart.receive(2);
    expect(uart.read(STATE, 4) & 8).toBe(8);
    expect(lv.rxo).toBe(true);
    expect(uart.read(DATA, 4)).toBe(2);
    uart.write(BAUDDIV, 0xfffffff, 4);
    expect(uart.read(BAUDDIV, 4)).toBe(0xfffff);
    expect([0xfe0, 0xfe4, 0xfe8, 0xff0, 0xffc].map((o) => uart.read(o, 4))).toEqual([0x21, 0xb8, 0x1b, 0x0d, 0xb1]);
  });
});
