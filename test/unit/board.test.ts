import { describe, expect, it } from 'vitest';
import { BUS_FAULT } from '../../src/emulator/memory/bus.js';
import { createMachine, MACHINES, UnknownMachineError } from '../../src/emulator/machines/index.js';
import type { BoardOptions } from '../../src/emulator/machines/index.js';

export function quietBoardOptions(shift = 0, uartOut: number[] = []): BoardOptions {
  return {
    icountShift: shift,
    serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
    host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
    output: { uartWrite: (d, b) => uartOut.push(d * 256 + b), consoleWrite: () => {} },
  };
}

function faults(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    if (e === BUS_FAULT) return true;
    throw e;
  }
  return false;
}

describe('mps2-an385 board', () => {
  const m = createMachine('mps2-an385', quietBoardOptions());
  const bus = m.bus;

  it('is registered by name and rejects unknown names with the valid list', () => {
    expect(Object.keys(MACHINES)).toContain('mps2-an385');
    expect(() => createMachine('mps3-an547', quietBoardOptions())).toThrow(UnknownMachineError);
    expect(() => createMachine('mps3-an547', quietBoardOptions())).toThrow(/valid machines: mps2-an385/);
  });

  it('mirrors share bytes with their RAM region', () => {
    const pairs: [number, number][] = [
      [0x00000100, 0x00400100], // ZBT SSRAM1 and its mirror
      [0x003ffffc, 0x007ffffc],
      [0x01000010, 0x01004010], // block RAM x4
      [0x01000010, 0x01008010],
      [0x01000010, 0x0100c010],
      [0x20000200, 0x20400200], // SSRAM2/3 and its mirror
    ];
    let v = 0x11223344;
    for (const [a, b] of pairs) {
      bus.write32(a, v);
      expect(bus.read32(b)).toBe(v);
      bus.write8(b + 1, 0x5a);
      expect(bus.read8(a + 1)).toBe(0x5a);
      v += 0x01010101;
    }
    bus.write32(0x21fffffc, 0x7eadbeef); // PSRAM end
    expect(bus.read32(0x21fffffc)).toBe(0x7eadbeef);
    expect(bus.ramSize).toBe(24 * 1024 * 1024 + 16 * 1024);
  });

  it('regions QEMU stubs as unimplemented read 0; holes fault', () => {
    for (const a of [0x00800000, 0x01010000, 0x1ffffffc, 0x20800000, 0x40010000, 0x40030000, 0x41000000]) {
      expect(faults(() => bus.read32(a)), a.toString(16)).toBe(false);
      expect(bus.read32(a)).toBe(0);
    }
    for (const a of [0x24000000, 0x30000000, 0x41200000, 0x40200100, 0x60000000, 0xe0100000]) {
      expect(faults(() => bus.read32(a)), a.toString(16)).toBe(true);
      expect(BUS_FAULT.address).toBe(a);
      expect(faults(() => bus.write32(a, 1)), a.toString(16)).toBe(true);
      expect(BUS_FAULT.isWrite).toBe(true);
    }
  });

  it('bit-band aliases read and write single bits through the bus', () => {
    bus.write32(0x20000400, 0x00000100);
    const alias = (addr: number, bit: number): number => 0x22000000 + (addr - 0x20000000) * 32 + bit * 4;
    expect(bus.read32(alias(0x20000400, 8))).toBe(1);
    expect(bus.read32(alias(0x20000400, 7))).toBe(0);
    bus.write32(alias(0x20000400, 31), 1);
    bus.write8(alias(0x20000400, 8), 0);
    expect(bus.read32(0x20000400) >>> 0).toBe(0x80000000);
    // Peripheral bit-band: SCC ID bit 4 (0x41043850 has bit 4 set) via 0x42000000.
    const sccId = 0x4002fffc;
    expect(bus.read32(0x42000000 + (sccId - 0x40000000) * 32 + 4 * 4)).toBe(1);
    expect(bus.read32(0x42000000 + (sccId - 0x40000000) * 32 + 0 * 4)).toBe(0);
  });

  it('maps the peripherals at QEMU addresses (ID registers)', () => {
    expect(bus.read32(0x4002fffc) >>> 0).toBe(0x41043850); // SCC ID
    expect(bus.read32(0x40004fe0)).toBe(0x21); // UART0 PID0
    expect(bus.read32(0x40009fe0)).toBe(0x21); // UART4
    expect(bus.read32(0x40000fe0)).toBe(0x22); // timer0
    expect(bus.read32(0x40001fe0)).toBe(0x22); // timer1
    expect(bus.read32(0x40002fe0)).toBe(0x23); // dual timer
    expect(bus.read32(0x40008fe0)).toBe(0x24); // watchdog
    expect(bus.read32(0x40020fe0)).toBe(0x22); // PL022
    expect(bus.read32(0x40200050)).toBe(0x01180001); // LAN9118 ID_REV
  });

  it('lists every stateful device once, in a fixed order', () => {
    const names = m.devices.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['nvic', 'uart0', 'uart4', 'timer0', 'timer1', 'dualtimer', 'watchdog', 'fpgaio', 'scc']) {
      expect(names).toContain(n);
    }
    const again = createMachine('mps2-an385', quietBoardOptions()).devices.map((d) => d.name);
    expect(again).toEqual(names);
  });

  it('delivers serial input only when the UART can accept it', () => {
    const queue = [0x61, 0x62];
    const opts = quietBoardOptions();
    opts.serial = {
      poll: (dev) => (dev === 0 && queue.length ? queue.shift()! : -1),
      exhausted: () => queue.length === 0,
      nextDueIcount: (dev, icount) => (dev === 0 && queue.length ? icount : Infinity),
    };
    const mm = createMachine('mps2-an385', opts);
    mm.pollInputs();
    expect(queue.length).toBe(2); // RX disabled: nothing taken
    mm.bus.write32(0x40004008, 2); // RXEN
    mm.pollInputs();
    mm.pollInputs();
    expect(queue.length).toBe(1); // buffer full after the first byte
    expect(mm.bus.read32(0x40004000)).toBe(0x61);
    mm.pollInputs();
    expect(mm.bus.read32(0x40004000)).toBe(0x62);
    expect(mm.inputsExhausted()).toBe(true);
  });
});
