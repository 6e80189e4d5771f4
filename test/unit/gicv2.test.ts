import { describe, expect, it } from 'vitest';
import { GicV2 } from '../../src/emulator/devices/gicv2.js';

// Distributor offsets
const GICD_CTLR = 0x000, GICD_TYPER = 0x004, GICD_IIDR = 0x008, GICD_IGROUPR = 0x080;
const GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280;
const GICD_ISACTIVER = 0x300, GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800, GICD_ICFGR = 0xc00;
const GICD_SGIR = 0xf00, GICD_CPENDSGIR = 0xf10, GICD_SPENDSGIR = 0xf20;
// CPU interface offsets
const GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0c, GICC_EOIR = 0x10;
const GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1c, GICC_APR0 = 0xd0, GICC_NSAPR0 = 0xe0, GICC_IIDR = 0xfc, GICC_DIR = 0x1000;

function setup() {
  const lines = { irq: false, fiq: false };
  const gic = new GicV2({ setIrq: (l) => (lines.irq = l), setFiq: (l) => (lines.fiq = l) });
  const d = {
    r: (o: number, size: 1 | 2 | 4 = 4) => gic.read(o, size),
    w: (o: number, v: number, size: 1 | 2 | 4 = 4) => gic.write(o, v, size),
  };
  const c = {
    r: (o: number) => gic.cpuInterface.read(o, 4),
    w: (o: number, v: number) => gic.cpuInterface.write(o, v, 4),
  };
  /** Distributor and CPU interface on for both groups, everything unmasked. */
  const enableAll = () => {
    d.w(GICD_CTLR, 3);
    c.w(GICC_CTLR, 3);
    c.w(GICC_PMR, 0xff);
  };
  return { gic, lines, d, c, enableAll };
}

describe('GICv2 identification and reset values (QEMU virt: 288 IRQs, one CPU, no security)', () => {
  it('TYPER, IIDRs, peripheral ID, SGIs enabled and edge-triggered', () => {
    const { d, c } = setup();
    expect(d.r(GICD_TYPER)).toBe(8); // ITLinesNumber = 288/32 - 1, CPUNumber 0, SecurityExtn 0
    expect(d.r(GICD_IIDR)).toBe(0x43b);
    expect(c.r(GICC_IIDR)).toBe(0x0002043b);
    expect(d.r(0xfe8) & 0xff).toBe(0x2b); // PIDR2: GICv2
    expect(d.r(0xff0)).toBe(0x0d);
    expect(d.r(GICD_ISENABLER)).toBe(0x0000ffff);
    expect(d.r(GICD_ICFGR)).toBe(0xaaaaaaaa);
    expect(d.r(GICD_ICFGR + 4)).toBe(0);
    expect(c.r(GICC_PMR)).toBe(0);
    expect(c.r(GICC_BPR)).toBe(0);
    expect(c.r(GICC_ABPR)).toBe(1);
    expect(c.r(GICC_RPR)).toBe(0xff);
    expect(c.r(GICC_IAR)).toBe(1023);
  });

  it('ITARGETSR is RAZ/WI on a uniprocessor GIC; out-of-range interrupts read 0', () => {
    const { d } = setup();
    d.w(GICD_ITARGETSR + 40, 0x02020202);
    expect(d.r(GICD_ITARGETSR + 40)).toBe(0);
    d.w(GICD_ISENABLER + 36, 0xffffffff); // IRQs 288..319 do not exist
    expect(d.r(GICD_ISENABLER + 36)).toBe(0);
    expect(d.r(GICD_IPRIORITYR + 288)).toBe(0);
  });

  it('SGIs cannot be disabled or pended through ICENABLER/ISPENDR; ICFGR keeps them edge', () => {
    const { d } = setup();
    d.w(GICD_ICENABLER, 0xffffffff);
    expect(d.r(GICD_ISENABLER)).toBe(0x0000ffff);
    d.w(GICD_ISENABLER, 0xffffffff);
    expect(d.r(GICD_ISENABLER)).toBe(0xffffffff);
    d.w(GICD_ICENABLER, 0xffffffff);
    expect(d.r(GICD_ISENABLER)).toBe(0x0000ffff);
    d.w(GICD_ISPENDR, 0x0000ffff);
    expect(d.r(GICD_ISPENDR)).toBe(0);
    d.w(GICD_ICFGR, 0);
    expect(d.r(GICD_ICFGR)).toBe(0xaaaaaaaa);
  });

  it('byte and halfword accesses compose the byte-wide registers', () => {
    const { d } = setup();
    d.w(GICD_IPRIORITYR + 33, 0xa0, 1);
    d.w(GICD_IPRIORITYR + 34, 0xc0b0, 2);
    expect(d.r(GICD_IPRIORITYR + 32)).toBe(0xc0b0a000 >>> 0);
    expect(d.r(GICD_IPRIORITYR + 34, 1)).toBe(0xb0);
  });
});

describe('GICv2 interrupt flow', () => {
  it('a level SPI is pending while its line is high, is taken, EOI drops priority', () => {
    const { gic, lines, d, c, enableAll } = setup();
    const spi1 = gic.spi(1); // ID 33 (PL011 on virt)
    enableAll();
    d.w(GICD_IPRIORITYR + 32, 0x00008000); // ID 33 priority 0x80
    spi1(true);
    expect(d.r(GICD_ISPENDR + 4)).toBe(1 << 1);
    expect(lines.irq).toBe(false); // not enabled yet
    d.w(GICD_ISENABLER + 4, 1 << 1);
    expect(lines.irq).toBe(true);
    expect(c.r(GICC_HPPIR)).toBe(33);
    expect(c.r(GICC_IAR)).toBe(33);
    expect(lines.irq).toBe(false); // active now, running priority 0x80
    expect(c.r(GICC_RPR)).toBe(0x80);
    expect(d.r(GICD_ISACTIVER + 4)).toBe(1 << 1);
    expect(c.r(GICC_APR0)).toBe(0); // preemption level 0x80 >> 1 = 64 -> APR2 bit 0
    expect(c.r(GICC_APR0 + 8)).toBe(1);
    c.w(GICC_EOIR, 33);
    expect(c.r(GICC_RPR)).toBe(0xff);
    expect(d.r(GICD_ISACTIVER + 4)).toBe(0);
    // Line still high: pending again at once.
    expect(lines.irq).toBe(true);
    spi1(false);
    expect(lines.irq).toBe(false);
    expect(c.r(GICC_IAR)).toBe(1023);
  });

  it('an edge SPI latches on the rising edge and ICPENDR clears it', () => {
    const { gic, lines, d, c, enableAll } = setup();
    const spi = gic.spi(10); // ID 42
    enableAll();
    d.w(GICD_ICFGR + 8, 2 << 20); // ID 42 edge (ICFGR2 covers 32..47; 42 -> field 10)
    d.w(GICD_ISENABLER + 4, 1 << 10);
    spi(true);
    spi(false);
    expect(lines.irq).toBe(true);
    d.w(GICD_ICPENDR + 4, 1 << 10);
    expect(lines.irq).toBe(false);
    expect(c.r(GICC_IAR)).toBe(1023);
  });

  it('higher priority preempts; lower priority waits for the running one', () => {
    const { gic, lines, d, c, enableAll } = setup();
    enableAll();
    const low = gic.spi(0); // 32
    const high = gic.spi(2); // 34
    d.w(GICD_IPRIORITYR + 32, 0x00200080); // 32: 0x80, 34: 0x20
    d.w(GICD_ISENABLER + 4, 0b101);
    low(true);
    expect(c.r(GICC_IAR)).toBe(32);
    high(true);
    expect(lines.irq).toBe(true); // 0x20 < running 0x80
    expect(c.r(GICC_IAR)).toBe(34);
    expect(c.r(GICC_RPR)).toBe(0x20);
    c.w(GICC_EOIR, 34);
    expect(c.r(GICC_RPR)).toBe(0x80);
    c.w(GICC_EOIR, 32);
    expect(c.r(GICC_RPR)).toBe(0xff);
  });

  it('HPPIR: 1023 when PMR masks the interrupt, its ID when only the running priority blocks it', () => {
    const { gic, d, c, enableAll } = setup();
    enableAll();
    d.w(GICD_IPRIORITYR + 32, 0x00000040 | (0x40 << 8)); // 32, 33 at 0x40
    d.w(GICD_ISENABLER + 4, 0b11);
    gic.spi(0)(true);
    expect(c.r(GICC_IAR)).toBe(32);
    gic.spi(1)(true);
    expect(c.r(GICC_HPPIR)).toBe(33); // blocked by running priority only
    expect(c.r(GICC_IAR)).toBe(1023); // ... so not acknowledgeable
    c.w(GICC_PMR, 0x40);
    expect(c.r(GICC_HPPIR)).toBe(1023); // masked by PMR
  });

  it('group 1 reads 1022 without AckCtl; FIQEn sends group 0 to FIQ', () => {
    const { gic, lines, d, c } = setup();
    d.w(GICD_CTLR, 3);
    c.w(GICC_PMR, 0xff);
    c.w(GICC_CTLR, 3 | 8); // EnableGrp0|1, FIQEn
    d.w(GICD_ISENABLER + 4, 0b11);
    d.w(GICD_IGROUPR + 4, 0b10); // 33 in group 1
    d.w(GICD_IPRIORITYR + 32, 0x00001000); // 32 at 0, 33 at 0x10
    gic.spi(1)(true);
    expect(lines.irq).toBe(true);
    expect(lines.fiq).toBe(false);
    expect(c.r(GICC_IAR)).toBe(1022);
    c.w(GICC_CTLR, 3 | 4 | 8); // AckCtl
    gic.spi(0)(true);
    expect(lines.fiq).toBe(true); // group 0 at priority 0 wins, as FIQ
    expect(lines.irq).toBe(false);
    expect(c.r(GICC_IAR)).toBe(32);
    expect(c.r(GICC_IAR)).toBe(1023); // 33 (0x10) does not preempt 32 (0)
    gic.spi(0)(false);
    c.w(GICC_EOIR, 32);
    expect(c.r(GICC_IAR)).toBe(33);
  });

  it('a group is only signalled when both the distributor and the CPU interface enable it', () => {
    const { gic, lines, d, c } = setup();
    c.w(GICC_PMR, 0xff);
    d.w(GICD_ISENABLER + 4, 1);
    gic.spi(0)(true);
    d.w(GICD_CTLR, 2); // group 1 only; ID 32 is group 0
    c.w(GICC_CTLR, 3);
    expect(lines.irq).toBe(false);
    expect(c.r(GICC_HPPIR)).toBe(32); // still the highest pending
    d.w(GICD_CTLR, 1);
    expect(lines.irq).toBe(true);
  });

  it('SGIR target filter: list with CPU 0, self, all-but-self; the source CPU in IAR', () => {
    const { d, c, enableAll } = setup();
    enableAll();
    d.w(GICD_SGIR, (1 << 16) | 5); // list: CPU 0
    expect(d.r(GICD_ISPENDR) & (1 << 5)).toBe(1 << 5);
    expect((d.r(GICD_SPENDSGIR + 4) >>> 8) & 0xff).toBe(1); // SGI 5 from CPU 0
    d.w(GICD_SGIR, (1 << 24) | 6); // all but self: nothing here
    expect(d.r(GICD_ISPENDR) & (1 << 6)).toBe(0);
    d.w(GICD_SGIR, (2 << 24) | 7); // self
    expect(c.r(GICC_IAR)).toBe(5);
    c.w(GICC_EOIR, 5);
    expect(c.r(GICC_IAR)).toBe(7);
    c.w(GICC_EOIR, 7);
    d.w(GICD_SGIR, (1 << 16) | 3);
    d.w(GICD_CPENDSGIR, 1 << 24, 4); // SGI 3, source CPU 0
    expect(d.r(GICD_ISPENDR) & (1 << 3)).toBe(0);
    d.w(GICD_SGIR, (1 << 16) | 3, 2); // halfword SGIR writes are ignored
    expect(d.r(GICD_ISPENDR) & (1 << 3)).toBe(0);
  });

  it('EOImode 1: EOIR drops priority only, DIR deactivates; DIR is ignored with EOImode 0', () => {
    const { gic, d, c, enableAll } = setup();
    enableAll();
    c.w(GICC_CTLR, 3 | (1 << 9));
    d.w(GICD_ICFGR + 8, 2); // 32 edge
    d.w(GICD_ISENABLER + 4, 1);
    gic.spi(0)(true);
    expect(c.r(GICC_IAR)).toBe(32);
    c.w(GICC_EOIR, 32);
    expect(c.r(GICC_RPR)).toBe(0xff);
    expect(d.r(GICD_ISACTIVER + 4)).toBe(1);
    c.w(GICC_DIR, 32);
    expect(d.r(GICD_ISACTIVER + 4)).toBe(0);
    c.w(GICC_CTLR, 3);
    d.w(GICD_ISACTIVER + 4, 1);
    c.w(GICC_DIR, 32);
    expect(d.r(GICD_ISACTIVER + 4)).toBe(1);
  });

  it('an active interrupt is not signalled again while active (level line still high)', () => {
    const { gic, lines, d, c, enableAll } = setup();
    enableAll();
    c.w(GICC_CTLR, 3 | (1 << 9));
    d.w(GICD_ISENABLER + 4, 1);
    gic.spi(0)(true);
    expect(c.r(GICC_IAR)).toBe(32);
    c.w(GICC_EOIR, 32); // priority dropped, still active
    expect(lines.irq).toBe(false);
    expect(c.r(GICC_HPPIR)).toBe(1023);
    c.w(GICC_DIR, 32);
    expect(lines.irq).toBe(true);
  });

  it('BPR/ABPR: group priority masks preemption; ABPR minimum 1', () => {
    const { gic, d, c, enableAll } = setup();
    enableAll();
    c.w(GICC_BPR, 3); // group priority bits [7:4]
    c.w(GICC_ABPR, 0);
    expect(c.r(GICC_ABPR)).toBe(1);
    d.w(GICD_IPRIORITYR + 32, 0x00004858); // 32: 0x58, 33: 0x48
    d.w(GICD_ISENABLER + 4, 0b11);
    gic.spi(0)(true);
    expect(c.r(GICC_IAR)).toBe(32);
    expect(c.r(GICC_RPR)).toBe(0x50); // group priority of 0x58 with BPR 3
    gic.spi(1)(true);
    expect(c.r(GICC_IAR)).toBe(33); // 0x48 < 0x50 preempts
    expect(c.r(GICC_RPR)).toBe(0x40);
    expect(c.r(GICC_NSAPR0)).toBe(0);
  });

  it('PPIs are private inputs; invalid line numbers are refused', () => {
    const { gic, lines, d, c, enableAll } = setup();
    enableAll();
    d.w(GICD_ISENABLER, 1 << 27);
    gic.ppi(27)(true);
    expect(lines.irq).toBe(true);
    expect(c.r(GICC_IAR)).toBe(27);
    expect(() => gic.ppi(32)).toThrow(RangeError);
    expect(() => gic.spi(256)).toThrow(RangeError);
  });

  it('save/load round-trips the whole state and re-drives the outputs', () => {
    const a = setup();
    a.enableAll();
    a.d.w(GICD_ISENABLER + 4, 1);
    a.gic.spi(0)(true);
    const saved = a.gic.save();
    const b = setup();
    b.gic.load(saved);
    expect(b.gic.save()).toEqual(saved);
    expect(b.lines.irq).toBe(true);
    expect(b.c.r(GICC_IAR)).toBe(32);
    b.gic.reset();
    expect(b.lines.irq).toBe(false);
    expect(b.d.r(GICD_CTLR)).toBe(0);
  });
});
