// The virt address map and wiring, checked against what QEMU 7.2 answers at these addresses
// (values from the bare-metal probe in firmware/v7a; the integration test compares live).
import { describe, expect, it } from 'vitest';
import { Bus, BusFaultSignal } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { SysRegFile } from '../../src/emulator/cpu/v7a/sysreg-registry.js';
import { NoSerialInput } from '../../src/emulator/io/live-ports.js';
import { createVirtPeripherals } from '../../src/emulator/machines/virt-peripherals.js';

function setup(rtcHostReads = { n: 0 }) {
  const bus = new Bus([{ name: 'ram', base: 0x40000000, size: 0x100000 }]);
  const clock = new VirtualClock(0);
  const lines = { irq: false, fiq: false };
  const sysregs = new SysRegFile();
  const tx: number[] = [];
  const p = createVirtPeripherals({
    bus,
    clock,
    core: { setIrq: (l) => (lines.irq = l), setFiq: (l) => (lines.fiq = l) },
    sysregs,
    serial: new NoSerialInput(),
    host: { hostClockNs: () => (rtcHostReads.n++, 1e18), consoleRead: () => null, fileRead: () => null },
    output: { uartWrite: (_d, b) => tx.push(b), consoleWrite: () => {} },
    rtc: { kind: 'host' },
    endBlock: () => {},
    ramBytes: 0x100000,
  });
  return { bus, clock, lines, sysregs, tx, p };
}

function faults(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof BusFaultSignal) return true;
    throw e;
  }
}

describe('virt peripherals map', () => {
  it('answers where QEMU answers and aborts where QEMU aborts', () => {
    const { bus } = setup();
    expect(bus.read32(0x08020008)).toBe(0x00500040); // GICv2m MSI_TYPER
    expect(bus.read32(0x08000004)).toBe(8); // GICD_TYPER
    expect(bus.read32(0x08010000 + 0xfc)).toBe(0x0002043b); // GICC_IIDR
    expect(bus.read32(0x08011000)).toBe(0); // GICC_DIR reads 0
    expect(bus.read32(0x0a000000)).toBe(0x74726976);
    expect(bus.read32(0x0a003e0c)).toBe(0x554d4551);
    expect(bus.read32(0x09000ffc)).toBe(0xb1); // PL011 CellID3
    expect(bus.read32(0x0901000c)).toBe(1); // PL031 CR
    expect(bus.read32(0x10000000) >>> 0).toBe(0xffffffff); // PCIe MMIO window
    expect(bus.read32(0x3eff0000) >>> 0).toBe(0xffffffff); // PCIe PIO window
    expect(bus.read32(0x04000000)).toBe(0); // flash bank 1
    for (const a of [0x08001000, 0x08012000, 0x08021000, 0x08030000, 0x09001000, 0x09040000, 0x09020018, 0x0a004000, 0x0c000000, 0x3f000000]) {
      expect(faults(() => bus.read32(a)), a.toString(16)).toBe(true);
    }
    expect(faults(() => bus.write32(0x0c000000, 1))).toBe(true);
    expect(faults(() => bus.write32(0x10000000, 1))).toBe(false);
  });

  it('PL011 TX reaches the output; its interrupt reaches the core through the GIC as ID 33', () => {
    const { bus, lines, tx } = setup();
    bus.write32(0x08000000, 1); // GICD_CTLR
    bus.write32(0x08010000, 1); // GICC_CTLR
    bus.write32(0x08010004, 0xff); // PMR
    bus.write32(0x08000104, 1 << 1); // enable ID 33
    bus.write32(0x09000038, 1 << 5); // UARTIMSC TXIM
    bus.write32(0x09000000, 0x41);
    expect(tx).toEqual([0x41]);
    expect(lines.irq).toBe(true);
    expect(bus.read32(0x0801000c)).toBe(33);
  });

  it('the virtual timer fires PPI 27 through the GIC at its deadline', () => {
    const { bus, lines, sysregs, clock } = setup();
    bus.write32(0x08000000, 1);
    bus.write32(0x08010000, 1);
    bus.write32(0x08010004, 0xff);
    bus.write32(0x08000100, 1 << 27);
    const def = (n: string) => sysregs.all().find((d) => d.name === n)!;
    def('CNTV_TVAL').write!(10, 0, sysregs);
    def('CNTV_CTL').write!(1, 0, sysregs);
    clock.icount = 159;
    clock.runDue();
    expect(lines.irq).toBe(false);
    clock.icount = 160;
    clock.runDue();
    expect(lines.irq).toBe(true);
    expect(bus.read32(0x0801000c)).toBe(27);
  });

  it('lists every stateful peripheral once, with distinct names', () => {
    const names = setup().p.devices.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['gic', 'generic-timer', 'pl011.0', 'pl031', 'pl061', 'fw-cfg', 'flash0', 'flash1']));
  });

  it("gdb's device reads (Bus.debugRead) do not read the host clock through the PL031", () => {
    const reads = { n: 0 };
    const { bus } = setup(reads);
    expect(bus.read32(0x09010000)).toBe(1e9);
    expect(reads.n).toBe(1);
    expect(Array.from(bus.debugRead(0x09010000, 4, true)!)).toEqual([0x00, 0xca, 0x9a, 0x3b]);
    expect(reads.n).toBe(1);
    expect(bus.debugMmioRead).toBe(false);
  });
});
