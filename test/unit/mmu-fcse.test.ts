/**
 * FCSE as QEMU 7.2 applies it on a v7 core (target/arm/ptw.c get_phys_addr_with_struct): VAs below
 * 32 MiB get FCSEIDR added, MMU off or on; fault addresses stay the unmodified VA; a snapshot
 * restore brings the window back (I5: nothing depends on what the TLB held). firmware/v7a/src/
 * fcse.c compares the same with qemu-system-arm (v7a-vs-qemu).
 */
import { describe, expect, it } from 'vitest';
import { MMU_FAULT } from '../../src/emulator/memory/mmu.js';
import { makeRig, peek, poke, RAM_BASE, section, TTB } from './mmu-rig.js';

describe('FCSE (QEMU 7.2)', () => {
  it('with the MMU off, VAs below 32 MiB read and write RAM at VA + FCSEIDR; above, nothing changes', () => {
    const { bus, mmu } = makeRig();
    poke(bus, RAM_BASE + 0x1230, 0xfeedf00d);
    mmu.writeFcseidr(RAM_BASE);
    expect(mmu.read32(0x1230) >>> 0).toBe(0xfeedf00d);
    mmu.write32(0x1234, 0x600dcafe);
    expect(peek(bus, RAM_BASE + 0x1234)).toBe(0x600dcafe);
    expect(mmu.read32(RAM_BASE + 0x1230) >>> 0).toBe(0xfeedf00d);
    mmu.writeFcseidr(0);
    expect(() => mmu.read32(0x1230)).toThrow(); // flash is not on this bus: an external abort
  });

  it('with the MMU on, the walk sees the modified VA and a fault reports the unmodified one', () => {
    const { bus, mmu } = makeRig();
    poke(bus, TTB + 4 * (RAM_BASE >>> 20), section(RAM_BASE));
    mmu.ttbr0Lo = TTB;
    mmu.dacr = 1;
    mmu.translationChanged();
    mmu.setSctlr(1);
    poke(bus, RAM_BASE + 0x40, 0x12345678);
    mmu.writeFcseidr(RAM_BASE);
    expect(mmu.read32(0x40) >>> 0).toBe(0x12345678);
    mmu.writeFcseidr(0x20000000);
    let far = -1;
    try {
      mmu.read32(0x40);
    } catch (e) {
      expect(e).toBe(MMU_FAULT);
      far = MMU_FAULT.far;
    }
    expect(far).toBe(0x40);
  });

  it('a snapshot restore brings FCSEIDR and its window back, cold TLB or warm', () => {
    const { bus, mmu } = makeRig();
    poke(bus, RAM_BASE + 0x80, 0xabcdef01);
    mmu.writeFcseidr(RAM_BASE);
    const saved = mmu.save();
    mmu.writeFcseidr(0);
    mmu.load(saved);
    expect(mmu.fcseidr).toBe(RAM_BASE);
    expect(mmu.read32(0x80) >>> 0).toBe(0xabcdef01);
  });
});
