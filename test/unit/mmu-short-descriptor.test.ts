/**
 * VMSAv7 short-descriptor translation: every descriptor type, TTBCR.N, domains, AP for PL1/PL0 and
 * LDRT-style forced user accesses, XN/PXN, the AFE model, TEX remap, fault status values and
 * addresses. Expected values are the architecture's (ARM ARM B3.5-B3.7, B4.1.52 DFSR) as QEMU 7.2
 * implements them (target/arm/ptw.c get_phys_addr_v6, internals.h arm_fi_to_sfsc).
 */
import { describe, expect, it } from 'vitest';
import { ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE } from '../../src/emulator/memory/mmu.js';
import {
  DEVICE_BASE,
  RAM_BASE,
  TTB,
  enableShort,
  faultOf,
  largePage,
  makeRig,
  pageTable,
  peek,
  poke,
  section,
  setL1,
  setL2,
  smallPage,
  supersection,
} from './mmu-rig.js';

const L2 = RAM_BASE + 0x8000;
const DATA = RAM_BASE + 0x100000;

describe('MMU off', () => {
  it('passes addresses straight to the bus', () => {
    const { bus, mmu } = makeRig();
    mmu.write32(DATA + 8, 0x12345678);
    expect(peek(bus, DATA + 8)).toBe(0x12345678);
    expect(mmu.read16(DATA + 10) & 0xffff).toBe(0x1234);
    expect(mmu.read8(DATA + 8)).toBe(0x78);
    expect(mmu.fetch16(DATA + 8)).toBe(0x5678);
    expect(mmu.translate(0x12345678, ACCESS_WRITE, true)).toBe(0x12345678);
  });

  it('reads and writes devices through the bus', () => {
    const { mmu, dev } = makeRig();
    expect(mmu.read32(DEVICE_BASE + 0x18) >>> 0).toBe(0x5a000018);
    mmu.write16(DEVICE_BASE + 4, 0xbeef);
    expect(dev.writes).toEqual([[4, 0xbeef, 2]]);
  });

  it('turns an unassigned address into an external abort (DFSR 0x008 / 0x808, IFSR 0x008)', () => {
    const { mmu } = makeRig();
    expect(faultOf(() => mmu.read32(0x20000004))).toEqual({ fsr: 0x008, far: 0x20000004, isWrite: false, isFetch: false });
    expect(faultOf(() => mmu.write8(0x20000003, 1))).toEqual({ fsr: 0x808, far: 0x20000003, isWrite: true, isFetch: false });
    expect(faultOf(() => mmu.fetch32(0x20000000))).toEqual({ fsr: 0x008, far: 0x20000000, isWrite: false, isFetch: true });
  });

  it('uses the LPAE status format when TTBCR.EAE is set even with the MMU off', () => {
    const { mmu } = makeRig();
    mmu.writeTtbcr(0x80000000);
    expect(faultOf(() => mmu.read32(0x20000000)).fsr).toBe(0x210);
    expect(faultOf(() => mmu.write32(0x20000000, 0)).fsr).toBe(0xa10);
    expect(faultOf(() => mmu.alignmentFault(0x40000001, false))).toEqual({ fsr: 0x221, far: 0x40000001, isWrite: false, isFetch: false });
  });

  it('alignment faults are 0x001 (+WnR) in the short format', () => {
    const { mmu } = makeRig();
    expect(faultOf(() => mmu.alignmentFault(0x40000002, true))).toEqual({ fsr: 0x801, far: 0x40000002, isWrite: true, isFetch: false });
  });
});

describe('short descriptors: descriptor types', () => {
  it('section: 1 MiB, VA[19:0] pass through', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA));
    enableShort(mmu);
    mmu.write32(0x80012344, 0xcafef00d);
    expect(peek(bus, DATA + 0x12344)).toBe(0xcafef00d);
    expect(mmu.read32(0x80012344) >>> 0).toBe(0xcafef00d);
    expect(mmu.translate(0x800fffff, ACCESS_READ, false)).toBe(DATA + 0xfffff);
  });

  it('supersection: 16 MiB, PA[39:32] from the descriptor', () => {
    const { bus, mmu } = makeRig();
    // Supersection entries are repeated 16 times in the level-1 table.
    for (let i = 0; i < 16; i++) setL1(bus, TTB, 0x81000000 + (i << 20), supersection(RAM_BASE));
    for (let i = 0; i < 16; i++) setL1(bus, TTB, 0x90000000 + (i << 20), supersection(0x12_4000_0000));
    enableShort(mmu);
    expect(mmu.translate(0x81abcdef, ACCESS_READ, false)).toBe(RAM_BASE + 0xabcdef);
    mmu.write8(0x81000010, 0x42);
    expect(bus.read8(RAM_BASE + 0x10)).toBe(0x42);
    expect(mmu.translate(0x90123456, ACCESS_READ, false)).toBe(0x12_4012_3456);
    // Above 4 GiB nothing answers on a 32-bit bus: external abort at the virtual address.
    expect(faultOf(() => mmu.read32(0x90123454))).toEqual({ fsr: 0x008, far: 0x90123454, isWrite: false, isFetch: false });
  });

  it('small page: 4 KiB via a level-2 table', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80005000, smallPage(DATA + 0x3000));
    enableShort(mmu);
    mmu.write32(0x80005ffc, 7);
    expect(peek(bus, DATA + 0x3ffc)).toBe(7);
    expect(mmu.translate(0x80005123, ACCESS_READ, false)).toBe(DATA + 0x3123);
  });

  it('large page: 64 KiB, VA[15:0] pass through', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    for (let i = 0; i < 16; i++) setL2(bus, L2, 0x80010000 + (i << 12), largePage(DATA + 0x20000));
    enableShort(mmu);
    expect(mmu.translate(0x8001abcd, ACCESS_READ, false)).toBe(DATA + 0x2abcd);
    mmu.write16(0x8001fffe, 0x1234);
    expect(bus.read16(DATA + 0x2fffe)).toBe(0x1234);
  });

  it('translation faults: level 1 reports domain 0, level 2 the domain of the level-1 entry', () => {
    const { bus, mmu } = makeRig();
    poke(bus, TTB + (0x80000000 >>> 20) * 4, 0x1e0); // invalid entry with domain bits set
    setL1(bus, TTB, 0x80100000, pageTable(L2, 5));
    enableShort(mmu);
    expect(faultOf(() => mmu.read32(0x80000010))).toEqual({ fsr: 0x005, far: 0x80000010, isWrite: false, isFetch: false });
    expect(faultOf(() => mmu.write32(0x80100020, 0))).toEqual({ fsr: 0x857, far: 0x80100020, isWrite: true, isFetch: false });
    expect(faultOf(() => mmu.fetch32(0x80000000))).toEqual({ fsr: 0x005, far: 0x80000000, isWrite: false, isFetch: true });
  });
});

describe('short descriptors: TTBCR.N and PD0/PD1', () => {
  it('N splits the address space between TTBR0 and TTBR1', () => {
    const { bus, mmu } = makeRig();
    const ttb0 = RAM_BASE + 0x10000; // N=2: TTBR0 table is 4 KiB (covers 1 GiB)
    const ttb1 = RAM_BASE + 0x14000;
    setL1(bus, ttb0, 0x00100000, section(DATA));
    setL1(bus, ttb1, 0xc0000000, section(DATA + 0x200000));
    setL1(bus, ttb1, 0x00100000, section(DATA + 0x300000)); // TTBR1 tables use the full index
    mmu.ttbr0Lo = ttb0;
    mmu.ttbr1Lo = ttb1;
    mmu.dacr = 0x55555555;
    mmu.writeTtbcr(2);
    mmu.setSctlr(1);
    expect(mmu.translate(0x00100004, ACCESS_READ, false)).toBe(DATA + 4);
    expect(mmu.translate(0xc0000008, ACCESS_READ, false)).toBe(DATA + 0x200008);
    // 0x40000000 and above are TTBR1's: its entry for 0x40100000 is empty.
    expect(faultOf(() => mmu.read8(0x40100000)).fsr).toBe(0x005);
  });

  it('without the Security Extensions (virt) PD0/PD1 are not writable', () => {
    const { mmu } = makeRig();
    mmu.writeTtbcr(0x37);
    expect(mmu.ttbcr).toBe(7);
  });

  it('with the Security Extensions PD1 disables TTBR1 walks (section translation fault)', () => {
    const { bus, mmu } = makeRig({ securityExtensions: true });
    setL1(bus, TTB, 0x00000000, section(DATA));
    setL1(bus, TTB, 0x80000000, section(DATA));
    mmu.ttbr0Lo = TTB;
    mmu.ttbr1Lo = TTB;
    mmu.dacr = 0x55555555;
    mmu.writeTtbcr(0x20 | 1);
    expect(mmu.ttbcr).toBe(0x21);
    mmu.setSctlr(1);
    expect(mmu.translate(0x00000010, ACCESS_READ, false)).toBe(DATA + 0x10);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x005);
    mmu.writeTtbcr(0x10 | 1);
    expect(faultOf(() => mmu.read32(0x00000000)).fsr).toBe(0x005);
    expect(mmu.translate(0x80000010, ACCESS_READ, false)).toBe(DATA + 0x10);
  });
});

describe('short descriptors: domains', () => {
  it('No access faults (section level 1, page table level 2, before the level-2 walk) with the domain', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { domain: 3 }));
    setL1(bus, TTB, 0x80100000, pageTable(L2, 7)); // level-2 table is empty: the domain check comes first
    enableShort(mmu);
    mmu.dacr = 0x55555555 & ~(3 << 6) & ~(3 << 14);
    mmu.translationChanged();
    expect(faultOf(() => mmu.read32(0x80000000))).toEqual({ fsr: 0x039, far: 0x80000000, isWrite: false, isFetch: false });
    expect(faultOf(() => mmu.write32(0x80100004, 1))).toEqual({ fsr: 0x87b, far: 0x80100004, isWrite: true, isFetch: false });
    // Domain value 2 is reserved: a domain fault as well.
    mmu.dacr = 0x55555555 ^ (3 << 6);
    mmu.translationChanged();
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x039);
  });

  it('Manager domains ignore AP and XN', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { domain: 1, ap: 0, apx: 1, xn: true }));
    enableShort(mmu);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x01d);
    mmu.dacr = 0x55555555 | (3 << 2);
    mmu.translationChanged();
    mmu.user = true;
    mmu.write32(0x80000000, 9);
    expect(mmu.read32(0x80000000)).toBe(9);
    expect(mmu.fetch32(0x80000000)).toBe(9);
  });
});

describe('short descriptors: access permissions', () => {
  // ARM ARM table B3-8 (AP[2:0], SCTLR.AFE = 0): [PL1 read, PL1 write, PL0 read, PL0 write].
  const table: [number, [boolean, boolean, boolean, boolean]][] = [
    [0b000, [false, false, false, false]],
    [0b001, [true, true, false, false]],
    [0b010, [true, true, true, false]],
    [0b011, [true, true, true, true]],
    [0b100, [false, false, false, false]],
    [0b101, [true, false, false, false]],
    [0b110, [true, false, true, false]],
    [0b111, [true, false, true, false]],
  ];

  for (const [ap, [pr, pw, ur, uw]] of table) {
    it(`AP[2:0] = ${ap.toString(2).padStart(3, '0')} on a section and a small page`, () => {
      const { bus, mmu } = makeRig();
      const attrs = { ap: ap & 3, apx: ap >>> 2, domain: 2 };
      setL1(bus, TTB, 0x80000000, section(DATA, attrs));
      setL1(bus, TTB, 0x80100000, pageTable(L2, 2));
      setL2(bus, L2, 0x80100000, smallPage(DATA, attrs));
      enableShort(mmu);
      const check = (va: number, allowed: boolean, action: () => unknown, status: number): void => {
        if (allowed) action();
        else expect(faultOf(action)).toMatchObject({ fsr: status, far: va });
      };
      for (const [va, perm] of [
        [0x80000040, 0x02d],
        [0x80100040, 0x02f],
      ] as const) {
        mmu.user = false;
        check(va, pr, () => mmu.read32(va), perm);
        check(va, pw, () => mmu.write32(va, 1), perm | 0x800);
        mmu.user = true;
        check(va, ur, () => mmu.read32(va), perm);
        check(va, uw, () => mmu.write32(va, 1), perm | 0x800);
        // LDRT/STRT from PL1 check PL0 permissions.
        mmu.user = false;
        mmu.forceUser = true;
        check(va, ur, () => mmu.read8(va), perm);
        check(va, uw, () => mmu.write8(va, 1), perm | 0x800);
        mmu.forceUser = false;
        // translate() (ATS1C*) uses the privilege it is given.
        expect(pr ? mmu.translate(va, ACCESS_READ, false) : -1).toBe(pr ? DATA + 0x40 : -1);
      }
    });
  }

  it('execute needs read permission (no access = no execute)', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 1 }));
    enableShort(mmu);
    mmu.fetch32(0x80000000);
    mmu.user = true;
    expect(faultOf(() => mmu.fetch16(0x80000002))).toEqual({ fsr: 0x00d, far: 0x80000002, isWrite: false, isFetch: true });
  });
});

describe('short descriptors: XN and PXN', () => {
  it('XN section and page: fetch is a permission fault, data access is allowed', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { xn: true }));
    setL1(bus, TTB, 0x80100000, pageTable(L2, 4));
    setL2(bus, L2, 0x80100000, smallPage(DATA, { xn: true }));
    for (let i = 0; i < 16; i++) setL2(bus, L2, 0x80110000 + (i << 12), largePage(DATA, { xn: true }));
    enableShort(mmu);
    mmu.read32(0x80000000);
    expect(faultOf(() => mmu.fetch32(0x80000100))).toEqual({ fsr: 0x00d, far: 0x80000100, isWrite: false, isFetch: true });
    expect(faultOf(() => mmu.fetch32(0x80100100))).toEqual({ fsr: 0x04f, far: 0x80100100, isWrite: false, isFetch: true });
    expect(faultOf(() => mmu.fetch16(0x80118000))).toEqual({ fsr: 0x04f, far: 0x80118000, isWrite: false, isFetch: true });
  });

  it('PXN (section type 3, page-table bit 2) stops PL1 fetches only', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { pxn: true }));
    setL1(bus, TTB, 0x80100000, pageTable(L2, 0, true));
    setL2(bus, L2, 0x80100000, smallPage(DATA));
    enableShort(mmu);
    expect(faultOf(() => mmu.fetch32(0x80000000)).fsr).toBe(0x00d);
    expect(faultOf(() => mmu.fetch32(0x80100000)).fsr).toBe(0x00f);
    mmu.read32(0x80000000);
    mmu.user = true;
    expect(mmu.fetch32(0x80000000)).toBe(mmu.read32(0x80000000));
    mmu.fetch32(0x80100000);
  });
});

describe('short descriptors: SCTLR.AFE (simplified access permissions)', () => {
  it('AP[0] = 0 is an access flag fault (section 0x003, page 0x006)', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 2, domain: 1 }));
    setL1(bus, TTB, 0x80100000, pageTable(L2, 1));
    setL2(bus, L2, 0x80100000, smallPage(DATA, { ap: 0 }));
    enableShort(mmu, 1 << 29);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x013);
    expect(faultOf(() => mmu.write32(0x80100000, 0)).fsr).toBe(0x816);
  });

  it('XN is checked before the access flag on a fetch', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 0, xn: true }));
    enableShort(mmu, 1 << 29);
    expect(faultOf(() => mmu.fetch32(0x80000000)).fsr).toBe(0x00d);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x003);
  });

  // AP[2:1] with AP[0] = 1: [PL1 read, PL1 write, PL0 read, PL0 write] (ARM ARM table B3-9).
  const simple: [number, [boolean, boolean, boolean, boolean]][] = [
    [0b00, [true, true, false, false]],
    [0b01, [true, true, true, true]],
    [0b10, [true, false, false, false]],
    [0b11, [true, false, true, false]],
  ];
  for (const [ap21, [pr, pw, ur, uw]] of simple) {
    it(`AP[2:1] = ${ap21.toString(2).padStart(2, '0')}`, () => {
      const { bus, mmu } = makeRig();
      setL1(bus, TTB, 0x80000000, section(DATA, { ap: ((ap21 & 1) << 1) | 1, apx: ap21 >>> 1 }));
      enableShort(mmu, 1 << 29);
      const ok = (f: () => unknown): boolean => {
        try {
          f();
          return true;
        } catch {
          return false;
        }
      };
      const got = [ok(() => mmu.read8(0x80000000)), ok(() => mmu.write8(0x80000000, 0))];
      mmu.user = true;
      got.push(ok(() => mmu.read8(0x80000000)), ok(() => mmu.write8(0x80000000, 0)));
      expect(got).toEqual([pr, pw, ur, uw]);
    });
  }
});

describe('short descriptors: memory attributes and TEX remap', () => {
  it('without TRE the attributes are TEX:C:B; with TRE they come from PRRR/NMRR', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { tex: 5, c: 1, b: 0, s: 1, ng: true }));
    setL1(bus, TTB, 0x80100000, pageTable(L2));
    setL2(bus, L2, 0x80100000, smallPage(DATA, { tex: 1, c: 1, b: 1 }));
    enableShort(mmu);
    expect(mmu.inspect(0x80000000, false)).toMatchObject({ memAttr: 0b10110, shareability: 1, nonGlobal: true, lgPageSize: 20 });
    expect(mmu.inspect(0x80100000, false)).toMatchObject({ memAttr: 0b00111, nonGlobal: false, lgPageSize: 12 });
    // Linux's values: PRRR 0xff0a81a8, NMRR 0x40e040e0.
    mmu.prrr = 0xff0a81a8;
    mmu.nmrr = 0x40e040e0;
    mmu.setSctlr(1 | (1 << 28));
    // Index n = TEX[0]:C:B. Section: n = 0b110 -> PRRR[13:12] = 0, NMRR[13:12] = 0, [29:28] = 0.
    expect(mmu.inspect(0x80000000, false)!.memAttr).toBe(0);
    // Page: n = 0b111 -> PRRR[15:14] = 2 (Normal), NMRR[15:14] = 1 (WB-WA), NMRR[31:30] = 1.
    expect(mmu.inspect(0x80100000, false)!.memAttr).toBe(2 | (1 << 2) | (1 << 4));
    // TEX remap changes no permission or address.
    expect(mmu.translate(0x80100004, ACCESS_WRITE, true)).toBe(DATA + 4);
  });
});

describe('short descriptors: external aborts on the table walk', () => {
  it('level 1 (0x00c) and level 2 (0x00e with the domain), WnR for writes', () => {
    const { bus, mmu } = makeRig();
    mmu.ttbr0Lo = 0x20000000; // nothing there
    mmu.dacr = 0x55555555;
    mmu.setSctlr(1);
    expect(faultOf(() => mmu.read32(0x1000))).toEqual({ fsr: 0x00c, far: 0x1000, isWrite: false, isFetch: false });
    mmu.ttbr0Lo = TTB;
    mmu.translationChanged();
    setL1(bus, TTB, 0x80000000, pageTable(0x20000400, 9));
    expect(faultOf(() => mmu.write32(0x80000008, 0))).toEqual({ fsr: 0x89e, far: 0x80000008, isWrite: true, isFetch: false });
    expect(faultOf(() => mmu.fetch32(0x80000008))).toEqual({ fsr: 0x09e, far: 0x80000008, isWrite: false, isFetch: true });
  });

  it('tables in a device are read through the bus', () => {
    const { bus, mmu } = makeRig();
    // The scratch device answers 0x5a000000 | offset: a section descriptor (type 2... bits 1:0 of
    // offset 0x800 are 0b00) -> invalid; offset 0x802 is not a word. Use L1 index 2: offset 8 ->
    // 0x5a000008: type 0 -> translation fault, proving the descriptor came from the device.
    mmu.ttbr0Lo = DEVICE_BASE;
    mmu.dacr = 0x55555555;
    mmu.setSctlr(1);
    expect(faultOf(() => mmu.read32(0x00200000)).fsr).toBe(0x005);
    void bus;
  });
});

describe('accesses across a page boundary', () => {
  it('assemble bytes from two pages mapped to different physical pages', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80000000, smallPage(DATA + 0x5000));
    setL2(bus, L2, 0x80001000, smallPage(DATA + 0x2000));
    enableShort(mmu);
    poke(bus, DATA + 0x5ffc, 0x44332211);
    poke(bus, DATA + 0x2000, 0x88776655);
    expect(mmu.read32(0x80000ffe) >>> 0).toBe(0x66554433);
    expect(mmu.read16(0x80000fff)).toBe(0x5544);
    mmu.write32(0x80000ffd, 0xddccbbaa);
    expect(peek(bus, DATA + 0x5ffc)).toBe(0xccbbaa11);
    expect(peek(bus, DATA + 0x2000)).toBe(0x887766dd);
  });

  it('a fault on the second page reports the page start and writes nothing', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80000000, smallPage(DATA + 0x5000));
    enableShort(mmu);
    poke(bus, DATA + 0x5ffc, 0x44332211);
    expect(faultOf(() => mmu.read32(0x80000ffe))).toEqual({ fsr: 0x007, far: 0x80001000, isWrite: false, isFetch: false });
    expect(faultOf(() => mmu.write32(0x80000ffe, 0))).toEqual({ fsr: 0x807, far: 0x80001000, isWrite: true, isFetch: false });
    expect(peek(bus, DATA + 0x5ffc)).toBe(0x44332211);
  });
});

describe('ATS1C* into PAR (32-bit format)', () => {
  it('success: PA[31:12] and NS (virt is Non-secure); supersection: PA[31:24] and SS', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA + 0x300000, { ap: 1 }));
    for (let i = 0; i < 16; i++) setL1(bus, TTB, 0x90000000 + (i << 20), supersection(0x3_4000_0000));
    enableShort(mmu);
    mmu.addressTranslate(0x80012345, ACCESS_READ, false);
    expect(mmu.parLo).toBe(((DATA + 0x312000) | 0x200) >>> 0);
    mmu.addressTranslate(0x90abcdef, ACCESS_WRITE, false);
    expect(mmu.parLo).toBe(0x40000000 | 0x200 | 2);
  });

  it('failure: F, FS[4] in bit 6, FS[3:0] in bits 4:1, no domain', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 1, domain: 6 }));
    enableShort(mmu);
    mmu.addressTranslate(0x80000000, ACCESS_READ, true); // PL0: permission fault, section
    expect(mmu.parLo).toBe((0xd << 1) | 1);
    mmu.addressTranslate(0x70000000, ACCESS_WRITE, false); // translation fault, section
    expect(mmu.parLo).toBe((0x5 << 1) | 1);
  });

  it('an external abort on the walk is taken as a data abort instead', () => {
    const { mmu } = makeRig();
    mmu.ttbr0Lo = 0x20000000;
    mmu.setSctlr(1);
    expect(faultOf(() => mmu.addressTranslate(0x1234, ACCESS_WRITE, false))).toEqual({ fsr: 0x00c, far: 0x1234, isWrite: false, isFetch: false });
  });

  it('MMU off: the address itself', () => {
    const { mmu } = makeRig();
    mmu.addressTranslate(0x12345678, ACCESS_READ, true);
    expect(mmu.parLo).toBe(0x12345200);
  });
});

describe('debugTranslate', () => {
  it('translates with no side effects and answers -1 on a fault', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA));
    enableShort(mmu);
    expect(mmu.debugTranslate(0x80000123)).toBe(DATA + 0x123);
    expect(mmu.debugTranslate(0x70000000)).toBe(-1);
    expect(mmu.tlbSize).toEqual({ priv: 0, user: 0 });
    expect(bus.tableHost.some((x) => x !== 0)).toBe(false);
    mmu.read8(0x80000000);
    expect(mmu.tlbSize).toEqual({ priv: 1, user: 0 });
  });

  it('kinds are checked: fetch and write on a read-only XN page', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 2, apx: 1, xn: true }));
    enableShort(mmu);
    expect(mmu.translate(0x80000000, ACCESS_READ, true)).toBe(DATA);
    expect(faultOf(() => mmu.translate(0x80000000, ACCESS_WRITE, false)).fsr).toBe(0x80d);
    expect(faultOf(() => mmu.translate(0x80000000, ACCESS_FETCH, false))).toMatchObject({ fsr: 0x00d, isFetch: true });
  });
});

describe('debugTranslate for a guest OS', () => {
  it("reads user pages while Linux's software PAN makes their domain no-access (the CPU still faults)", () => {
    const { bus, mmu } = makeRig();
    // AP = 0b011: PL0 and PL1 read/write, in domain 1 (Linux's DOMAIN_USER).
    setL1(bus, TTB, 0x80000000, section(DATA, { domain: 1, ap: 3 }));
    enableShort(mmu);
    mmu.dacr = 0x55555555 & ~(3 << 2);
    mmu.translationChanged();
    expect(faultOf(() => mmu.read32(0x80000010)).fsr).toBe(0x019); // section domain fault, domain 1
    expect(mmu.debugTranslate(0x80000010)).toBe(DATA + 0x10);
    expect(mmu.debugInspect(0x80000010)?.pa).toBe(DATA + 0x10);
    // The exact walk `inspect` reports is unchanged, and so is the DACR.
    expect(mmu.inspect(0x80000010, false)).toBeNull();
    expect(mmu.dacr).toBe(0x55555555 & ~(3 << 2));
  });

  it('reads PL1-only pages while the core runs at PL0 (a debugger stopped in user mode reads the kernel)', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, section(DATA, { ap: 1 })); // PL1 read/write, PL0 no access
    enableShort(mmu);
    mmu.user = true;
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x00d);
    expect(mmu.debugTranslate(0x80000004)).toBe(DATA + 4);
    expect(mmu.inspect(0x80000004, true)).toBeNull();
  });
});

describe('debugRead', () => {
  it('reads through the current translation, page by page, and answers null on a hole', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80000000, smallPage(DATA + 0x5000));
    setL2(bus, L2, 0x80001000, smallPage(DATA + 0x2000));
    enableShort(mmu);
    poke(bus, DATA + 0x5ffc, 0x44332211);
    poke(bus, DATA + 0x2000, 0x88776655);
    expect([...mmu.debugRead(0x80000ffe, 4)!]).toEqual([0x33, 0x44, 0x55, 0x66]);
    expect(mmu.debugRead(0x80001ffe, 4)).toBeNull();
    expect(mmu.tlbSize).toEqual({ priv: 0, user: 0 });
    mmu.setSctlr(0);
    expect([...mmu.debugRead(DATA + 0x2000, 2)!]).toEqual([0x55, 0x66]);
  });
});
