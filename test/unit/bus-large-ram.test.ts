/**
 * virt with --memory 3G or more backs 3 GiB of RAM from 0x40000000: host offsets past 2 GiB do not
 * fit an int32 as positive numbers, so the bus keeps them wrapped and must still read and write
 * there (Linux's HIGHMEM user pages and HIGHPTE page tables live at the top of RAM).
 */
import { describe, expect, it } from 'vitest';
import { Bus, BUS_FAULT, NO_RAM, PAGE_SHIFT } from '../../src/emulator/memory/bus.js';
import { Mmu } from '../../src/emulator/memory/mmu.js';

const GiB = 1024 * 1024 * 1024;

describe('a bus with 3 GiB of RAM (virt --memory 4G)', () => {
  const bus = new Bus([{ name: 'ram', base: 0x40000000, size: 3 * GiB }]);

  it('reads and writes RAM past 2 GiB of host offset, at every size and alignment', () => {
    for (const a of [0x40000000, 0xbffffffc, 0xc0000000, 0xd2345678, 0xfffffffc]) {
      bus.write32(a, 0x11223344);
      expect(bus.read32(a) >>> 0, a.toString(16)).toBe(0x11223344);
      expect(bus.read16(a + 2)).toBe(0x1122);
      expect(bus.read8(a + 1)).toBe(0x33);
      bus.write8(a, 0xab);
      bus.write16(a + 2, 0xcdef);
      expect(bus.read32(a) >>> 0).toBe(0xcdef33ab);
    }
    // Unaligned and page-crossing accesses take the byte paths.
    bus.write32(0xc0000ffe, 0x55667788);
    expect(bus.read32(0xc0000ffe) >>> 0).toBe(0x55667788);
    expect(bus.read16(0xc0000fff)).toBe(0x6677);
    expect(bus.fetch32(0xfffffffc) >>> 0).toBe(0xcdef33ab);
    expect(bus.isRam(0xfffff000) && bus.isMapped(0xc0000000)).toBe(true);
    expect(bus.debugWrite(0xe0000000, new Uint8Array([1, 2, 3]))).toBe(true);
    expect([...bus.debugRead(0xe0000000, 3)!]).toEqual([1, 2, 3]);
    expect(bus.pageHost[0xfffff000 >>> PAGE_SHIFT]).not.toBe(NO_RAM);
    let fault = false;
    try {
      bus.read32(0x3ffffffc);
    } catch (e) {
      fault = e === BUS_FAULT;
    }
    expect(fault).toBe(true);
  });

  it('protects and unprotects high pages for copy-on-write observers', () => {
    const seen: number[] = [];
    bus.writeObserver = {
      beforeRamWrite: (_a, _s, hp) => {
        seen.push(hp);
        bus.unprotectHostPage(hp);
      },
    };
    const hp = (0xf0000000 - 0x40000000) / 4096;
    bus.protectHostPage(hp);
    expect(bus.pageWrite[0xf0000000 >>> PAGE_SHIFT]).toBe(NO_RAM);
    bus.write32(0xf0000010, 7);
    bus.write32(0xf0000014, 8);
    expect(seen).toEqual([hp]);
    expect(bus.read32(0xf0000010) + bus.read32(0xf0000014)).toBe(15);
    bus.writeObserver = null;
  });

  it('the MMU reads and writes there too (identity map while SCTLR.M is 0)', () => {
    const mmu = new Mmu(bus);
    mmu.write32(0xfeedf00c, 0x12345678);
    mmu.write8(0xfeedf010, 0x9a);
    mmu.write16(0xfeedf012, 0xbcde);
    expect(mmu.read32(0xfeedf00c) >>> 0).toBe(0x12345678);
    expect(mmu.read8(0xfeedf010)).toBe(0x9a);
    expect(mmu.read16(0xfeedf012)).toBe(0xbcde);
    expect(bus.read32(0xfeedf00c) >>> 0).toBe(0x12345678);
    expect(mmu.fetch32(0xfeedf00c) >>> 0).toBe(0x12345678);
  });
});
