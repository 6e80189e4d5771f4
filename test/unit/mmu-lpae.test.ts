/**
 * VMSAv7 long-descriptor (LPAE) translation: levels and block sizes, T0SZ/T1SZ, EPDn, AP[2:1],
 * XN/PXN, AF, the hierarchical table controls, SCTLR.WXN/UWXN, MAIR attributes, addresses above
 * 4 GiB and every fault status (ARM ARM B3.6-B3.7, B4.1.52 long-descriptor DFSR; QEMU 7.2
 * get_phys_addr_lpae / arm_fi_to_lfsc).
 */
import { describe, expect, it } from 'vitest';
import { ACCESS_READ, ACCESS_WRITE } from '../../src/emulator/memory/mmu.js';
import { RAM_BASE, faultOf, lpaeLeaf, lpaeTable, makeRig, peek, poke, poke64, type LpaeAttrs, type LpaeTableAttrs } from './mmu-rig.js';

const EAE = 0x80000000;
const L1 = RAM_BASE + 0x10000;
const L2 = RAM_BASE + 0x11000;
const L3 = RAM_BASE + 0x12000;

type Rig = ReturnType<typeof makeRig>;

function lpaeRig(ttbcr = EAE, sctlrExtra = 0): Rig {
  const rig = makeRig();
  rig.mmu.writeTtbcr(ttbcr);
  rig.mmu.ttbr0Lo = L1;
  rig.mmu.translationChanged();
  rig.mmu.setSctlr(1 | sctlrExtra);
  return rig;
}

function put(rig: Rig, pa: number, [lo, hi]: [number, number]): void {
  poke64(rig.bus, pa, lo, hi);
}

/** Map the 4 KiB page at `va` (below 1 GiB) through L1[0] → L2 → L3. */
function mapPage(rig: Rig, va: number, pa: number, a: LpaeAttrs = {}, t1: LpaeTableAttrs = {}, t2: LpaeTableAttrs = {}): void {
  put(rig, L1 + ((va >>> 30) << 3), lpaeTable(L2, t1));
  put(rig, L2 + (((va >>> 21) & 0x1ff) << 3), lpaeTable(L3, t2));
  put(rig, L3 + (((va >>> 12) & 0x1ff) << 3), lpaeLeaf(pa, 3, a));
}

describe('LPAE: levels and block sizes', () => {
  it('1 GiB block at level 1', () => {
    const rig = lpaeRig();
    put(rig, L1 + 2 * 8, lpaeLeaf(0x40000000, 1));
    expect(rig.mmu.translate(0x80abcdef, ACCESS_READ, false)).toBe(0x40abcdef);
    expect(rig.mmu.inspect(0x80000000, false)!.lgPageSize).toBe(30);
  });

  it('2 MiB block at level 2', () => {
    const rig = lpaeRig();
    put(rig, L1, lpaeTable(L2));
    put(rig, L2 + 8, lpaeLeaf(0x40200000, 2));
    expect(rig.mmu.translate(0x00212345, ACCESS_WRITE, false)).toBe(0x40212345);
    expect(rig.mmu.inspect(0x00200000, false)!.lgPageSize).toBe(21);
  });

  it('4 KiB page at level 3, with data accesses', () => {
    const rig = lpaeRig();
    mapPage(rig, 0x00003000, 0x40305000);
    expect(rig.mmu.translate(0x00003abc, ACCESS_READ, false)).toBe(0x40305abc);
    rig.mmu.write32(0x00003ab0, 0x600dcafe);
    expect(peek(rig.bus, 0x40305ab0)).toBe(0x600dcafe);
    expect(rig.mmu.read32(0x00003ab0) >>> 0).toBe(0x600dcafe);
  });

  it('translation faults carry the level; a block descriptor at level 3 is invalid', () => {
    const rig = lpaeRig();
    expect(faultOf(() => rig.mmu.read32(0x00000000))).toEqual({ fsr: 0x205, far: 0, isWrite: false, isFetch: false });
    put(rig, L1, lpaeTable(L2));
    expect(faultOf(() => rig.mmu.write32(0x00400000, 0))).toEqual({ fsr: 0xa06, far: 0x00400000, isWrite: true, isFetch: false });
    put(rig, L2 + 16, lpaeTable(L3));
    expect(faultOf(() => rig.mmu.fetch32(0x00401000))).toEqual({ fsr: 0x207, far: 0x00401000, isWrite: false, isFetch: true });
    put(rig, L3 + 8, [((0x40300000 | 0x401) & ~2) >>> 0, 0]); // bits 1:0 = 01 at level 3
    expect(faultOf(() => rig.mmu.read8(0x00401000)).fsr).toBe(0x207);
  });

  it('access flag faults at the level of the block or page', () => {
    const rig = lpaeRig();
    put(rig, L1 + 8, lpaeLeaf(0x40000000, 1, { af: false }));
    expect(faultOf(() => rig.mmu.read32(0x40000000)).fsr).toBe(0x209);
    put(rig, L1, lpaeTable(L2));
    put(rig, L2, lpaeLeaf(0x40000000, 2, { af: false }));
    expect(faultOf(() => rig.mmu.write32(0x00000004, 0)).fsr).toBe(0xa0a);
    mapPage(rig, 0x00201000, 0x40001000, { af: false });
    expect(faultOf(() => rig.mmu.fetch16(0x00201000))).toMatchObject({ fsr: 0x20b, isFetch: true });
  });
});

describe('LPAE: permissions', () => {
  // AP[2:1]: [PL1 read, PL1 write, PL0 read, PL0 write].
  const table: [number, [boolean, boolean, boolean, boolean]][] = [
    [0b00, [true, true, false, false]],
    [0b01, [true, true, true, true]],
    [0b10, [true, false, false, false]],
    [0b11, [true, false, true, false]],
  ];
  const ok = (f: () => unknown): boolean => {
    try {
      f();
      return true;
    } catch {
      return false;
    }
  };
  for (const [ap, want] of table) {
    it(`AP[2:1] = ${ap.toString(2).padStart(2, '0')}`, () => {
      const rig = lpaeRig();
      mapPage(rig, 0x5000, 0x40005000, { ap });
      const { mmu } = rig;
      const got = [ok(() => mmu.read32(0x5000)), ok(() => mmu.write32(0x5000, 1))];
      mmu.user = true;
      got.push(ok(() => mmu.read32(0x5000)), ok(() => mmu.write32(0x5000, 1)));
      mmu.user = false;
      mmu.forceUser = true;
      got.push(ok(() => mmu.read32(0x5000)), ok(() => mmu.write32(0x5000, 1)));
      expect(got).toEqual([...want, want[2], want[3]]);
      if (!want[3]) expect(faultOf(() => mmu.write32(0x5000, 1))).toEqual({ fsr: 0xa0f, far: 0x5000, isWrite: true, isFetch: false });
    });
  }

  it('XN stops every fetch, PXN PL1 fetches; no read permission means no execute', () => {
    const rig = lpaeRig();
    mapPage(rig, 0x1000, 0x40001000, { ap: 1, xn: true });
    mapPage(rig, 0x2000, 0x40002000, { ap: 1, pxn: true });
    mapPage(rig, 0x3000, 0x40003000, { ap: 0 });
    const { mmu } = rig;
    expect(faultOf(() => mmu.fetch32(0x1000))).toEqual({ fsr: 0x20f, far: 0x1000, isWrite: false, isFetch: true });
    expect(faultOf(() => mmu.fetch32(0x2000)).fsr).toBe(0x20f);
    mmu.fetch32(0x3000);
    mmu.user = true;
    expect(faultOf(() => mmu.fetch32(0x1000)).fsr).toBe(0x20f);
    mmu.fetch32(0x2000);
    expect(faultOf(() => mmu.fetch32(0x3000)).fsr).toBe(0x20f);
  });

  it('table controls: XNTable, PXNTable, APTable[0] (no PL0), APTable[1] (read-only)', () => {
    const cases: [LpaeTableAttrs, [boolean, boolean, boolean, boolean, boolean, boolean]][] = [
      // [PL1 read, PL1 write, PL1 fetch, PL0 read, PL0 write, PL0 fetch]
      [{}, [true, true, true, true, true, true]],
      [{ xnTable: true }, [true, true, false, true, true, false]],
      [{ pxnTable: true }, [true, true, false, true, true, true]],
      [{ apTable: 1 }, [true, true, true, false, false, false]],
      [{ apTable: 2 }, [true, false, true, true, false, true]],
      [{ apTable: 3 }, [true, false, true, false, false, false]],
    ];
    const ok = (f: () => unknown): boolean => {
      try {
        f();
        return true;
      } catch {
        return false;
      }
    };
    for (const [t, want] of cases) {
      for (const level of [1, 2]) {
        const rig = lpaeRig();
        mapPage(rig, 0x7000, 0x40007000, { ap: 1 }, level === 1 ? t : {}, level === 2 ? t : {});
        const { mmu } = rig;
        const got = [ok(() => mmu.read8(0x7000)), ok(() => mmu.write8(0x7000, 0)), ok(() => mmu.fetch16(0x7000))];
        mmu.user = true;
        got.push(ok(() => mmu.read8(0x7000)), ok(() => mmu.write8(0x7000, 0)), ok(() => mmu.fetch16(0x7000)));
        expect({ t, level, got }).toEqual({ t, level, got: want });
      }
    }
  });

  it('SCTLR.WXN: writable means not executable; SCTLR.UWXN: PL0-writable is not executable at PL1', () => {
    const rig = lpaeRig(EAE, 1 << 19);
    mapPage(rig, 0x1000, 0x40001000, { ap: 0 });
    mapPage(rig, 0x2000, 0x40002000, { ap: 2 });
    mapPage(rig, 0x3000, 0x40003000, { ap: 1 });
    const { mmu } = rig;
    expect(faultOf(() => mmu.fetch32(0x1000)).fsr).toBe(0x20f);
    mmu.fetch32(0x2000);
    mmu.setSctlr(1);
    mmu.fetch32(0x1000);
    mmu.fetch32(0x3000);
    mmu.setSctlr(1 | (1 << 20));
    mmu.fetch32(0x1000);
    expect(faultOf(() => mmu.fetch32(0x3000)).fsr).toBe(0x20f);
    mmu.user = true;
    mmu.fetch32(0x3000);
  });
});

describe('LPAE: address ranges (T0SZ/T1SZ, EPDn)', () => {
  it('T0SZ = T1SZ = 1: two 2 GiB ranges, each starting at level 1', () => {
    const t1 = RAM_BASE + 0x13000;
    const rig = lpaeRig(EAE | (1 << 16) | 1);
    rig.mmu.ttbr1Lo = t1;
    rig.mmu.translationChanged();
    put(rig, L1 + 8, lpaeLeaf(0x40000000, 1));
    put(rig, t1, lpaeLeaf(0x00000000, 1));
    put(rig, t1 + 8, lpaeLeaf(0x40000000, 1));
    expect(rig.mmu.translate(0x40001234, ACCESS_READ, false)).toBe(0x40001234);
    expect(rig.mmu.translate(0x80001234, ACCESS_READ, false)).toBe(0x00001234);
    expect(rig.mmu.translate(0xc0001234, ACCESS_READ, false)).toBe(0x40001234);
  });

  it('T0SZ = T1SZ = 2: 1 GiB ranges starting at level 2, the gap is a level-1 translation fault', () => {
    const t1 = RAM_BASE + 0x14000;
    const rig = lpaeRig(EAE | (2 << 16) | 2);
    rig.mmu.ttbr1Lo = t1;
    rig.mmu.translationChanged();
    put(rig, L1 + 8, lpaeLeaf(0x40200000, 2)); // TTBR0 points at a level-2 table
    put(rig, t1 + 0x1ff * 8, lpaeLeaf(0x40400000, 2));
    expect(rig.mmu.translate(0x00201234, ACCESS_READ, false)).toBe(0x40201234);
    expect(rig.mmu.translate(0xffe01234, ACCESS_READ, false)).toBe(0x40401234);
    expect(faultOf(() => rig.mmu.read8(0x40000000)).fsr).toBe(0x205);
    expect(faultOf(() => rig.mmu.read8(0xbfffffff)).fsr).toBe(0x205);
  });

  it('T1SZ = 0: TTBR1 takes everything above the TTBR0 range', () => {
    const t1 = RAM_BASE + 0x13000;
    const rig = lpaeRig(EAE | 1);
    rig.mmu.ttbr1Lo = t1;
    rig.mmu.translationChanged();
    put(rig, t1 + 3 * 8, lpaeLeaf(0x40000000, 1));
    expect(rig.mmu.translate(0xc0000010, ACCESS_READ, false)).toBe(0x40000010);
    expect(faultOf(() => rig.mmu.read8(0x80000000)).fsr).toBe(0x205);
  });

  it('EPD0 / EPD1 disable a range (level-1 translation fault)', () => {
    const rig = lpaeRig(EAE | (1 << 16) | 1 | (1 << 7));
    put(rig, L1, lpaeLeaf(0x40000000, 1));
    expect(faultOf(() => rig.mmu.read8(0x00000000)).fsr).toBe(0x205);
    rig.mmu.writeTtbcr(EAE | (1 << 16) | 1 | (1 << 23));
    rig.mmu.ttbr1Lo = L1;
    rig.mmu.translationChanged();
    expect(rig.mmu.translate(0x10, ACCESS_READ, false)).toBe(0x40000010);
    expect(faultOf(() => rig.mmu.read8(0x80000000)).fsr).toBe(0x205);
  });

  it('a TTBR base above 40 bits is an address size fault at level 0', () => {
    const rig = lpaeRig();
    rig.mmu.ttbr0Hi = 0x0100;
    rig.mmu.translationChanged();
    expect(faultOf(() => rig.mmu.read8(0)).fsr).toBe(0x200);
    // The ASID field (bits 55:48) is not part of the base.
    rig.mmu.ttbr0Hi = 0x00ab0000;
    rig.mmu.translationChanged();
    put(rig, L1, lpaeLeaf(0x40000000, 1));
    expect(rig.mmu.translate(0x10, ACCESS_READ, false)).toBe(0x40000010);
    expect(rig.mmu.asid).toBe(0xab);
    rig.mmu.ttbr1Hi = 0x00cd0000;
    rig.mmu.writeTtbcr(EAE | (1 << 22));
    expect(rig.mmu.asid).toBe(0xcd);
  });
});

describe('LPAE: physical addresses above 4 GiB', () => {
  it('translate gives the 40-bit address; an access is an external abort (0x210, WnR 0xa10)', () => {
    const rig = lpaeRig();
    put(rig, L1 + 8, lpaeLeaf(0x81_4000_0000, 1));
    expect(rig.mmu.translate(0x40000123, ACCESS_READ, false)).toBe(0x81_4000_0123);
    expect(faultOf(() => rig.mmu.read32(0x40000120))).toEqual({ fsr: 0x210, far: 0x40000120, isWrite: false, isFetch: false });
    expect(faultOf(() => rig.mmu.write16(0x40000122, 0))).toEqual({ fsr: 0xa10, far: 0x40000122, isWrite: true, isFetch: false });
    expect(faultOf(() => rig.mmu.fetch32(0x40000000))).toEqual({ fsr: 0x210, far: 0x40000000, isWrite: false, isFetch: true });
  });

  it('QEMU 7.2 reads descriptors at bits 31:0 of a table address above 4 GiB', () => {
    const rig = lpaeRig();
    put(rig, L1, lpaeTable(0x1_0000_0000 + L2));
    put(rig, L2, lpaeLeaf(0x40200000, 2));
    expect(rig.mmu.translate(0x1234, ACCESS_READ, false)).toBe(0x40201234);
    rig.mmu.ttbr0Hi = 0x12; // TTBR0 base bit 36 and 33: dropped the same way
    rig.mmu.translationChanged();
    expect(rig.mmu.translate(0x1234, ACCESS_READ, false)).toBe(0x40201234);
  });

  it('a table where nothing answers is an external abort on the walk at that level', () => {
    const rig = lpaeRig();
    put(rig, L1, lpaeTable(0x1_0000_0000));
    expect(faultOf(() => rig.mmu.read32(0x1000)).fsr).toBe(0x216);
    put(rig, L1, lpaeTable(L2));
    put(rig, L2, lpaeTable(0x20000000));
    expect(faultOf(() => rig.mmu.write32(0x1000, 0)).fsr).toBe(0xa17);
    rig.mmu.ttbr0Lo = 0x20000000;
    rig.mmu.translationChanged();
    expect(faultOf(() => rig.mmu.read32(0x1000)).fsr).toBe(0x215);
  });
});

describe('LPAE: attributes and PAR', () => {
  it('MAIR0/MAIR1 by AttrIndx, SH from the descriptor, 64-bit PAR', () => {
    const rig = lpaeRig();
    const { mmu } = rig;
    mmu.prrr = 0x44ff0400; // MAIR0
    mmu.nmrr = 0xeeaa8800; // MAIR1
    mmu.translationChanged();
    mapPage(rig, 0x1000, 0x40001000, { attrIndx: 2, sh: 3 });
    mapPage(rig, 0x2000, 0x40002000, { attrIndx: 5 });
    expect(mmu.inspect(0x1000, false)).toMatchObject({ memAttr: 0xff, shareability: 3 });
    expect(mmu.inspect(0x2000, false)).toMatchObject({ memAttr: 0x88, shareability: 0 });
    mmu.addressTranslate(0x1234, ACCESS_READ, false);
    expect([mmu.parLo, mmu.parHi]).toEqual([(0x40001000 | 0x800 | 0x200 | (3 << 7)) >>> 0, 0xff000000]);
    put(rig, L1 + 8, lpaeLeaf(0x3_4000_0000, 1, { attrIndx: 4 }));
    mmu.addressTranslate(0x40005678, ACCESS_WRITE, true);
    expect([mmu.parLo, mmu.parHi]).toEqual([(0x40005000 | 0xa00) >>> 0, 0x00000003]);
    // Fault: F = 1, FS = the long-format status in bits 6:1, LPAE bit 11.
    mmu.addressTranslate(0x00400000, ACCESS_READ, false);
    expect([mmu.parLo, mmu.parHi]).toEqual([0x800 | (0x06 << 1) | 1, 0]);
    mmu.addressTranslate(0x1000, ACCESS_WRITE, true); // AP=01 by default: PL0 writable
    expect(mmu.parLo & 1).toBe(0);
  });

  it('the LPAE PAR format follows TTBCR.EAE with the MMU off too', () => {
    const { mmu } = makeRig();
    mmu.writeTtbcr(EAE);
    mmu.addressTranslate(0x12345678, ACCESS_READ, false);
    expect([mmu.parLo, mmu.parHi]).toEqual([0x12345a00, 0]);
  });

  it('leaf table entries written through the MMU take effect', () => {
    const rig = lpaeRig();
    // Map the page holding L3 itself at VA 0x4000, then rewrite an L3 entry through that mapping.
    mapPage(rig, 0x4000, L3);
    mapPage(rig, 0x5000, 0x40005000);
    expect(rig.mmu.translate(0x5000, ACCESS_READ, false)).toBe(0x40005000);
    rig.mmu.read32(0x5000);
    const [lo, hi] = lpaeLeaf(0x40006000, 3);
    rig.mmu.write32(0x4000 + 5 * 8, lo);
    rig.mmu.write32(0x4000 + 5 * 8 + 4, hi);
    poke(rig.bus, 0x40006000, 0x66);
    expect(rig.mmu.read32(0x5000)).toBe(0x66);
  });
});
