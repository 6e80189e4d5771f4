// Expected values were read from QEMU 7.2's virt flash bank 1 (0x04000000, no drive) by a
// bare-metal probe issuing the same command sequences.
import { describe, expect, it } from 'vitest';
import { CfiFlash } from '../../src/emulator/devices/cfi-flash.js';
import { Bus } from '../../src/emulator/memory/bus.js';

function setup() {
  const f = new CfiFlash('pflash1');
  return { f, r: (o: number, size: 1 | 2 | 4 = 4) => f.read(o, size), w: (o: number, v: number, size: 1 | 2 | 4 = 4) => f.write(o, v, size) };
}

describe('virt CFI flash bank (no drive)', () => {
  it('reads zeros; status 0x80 per device; identifier 0x89/0x18', () => {
    const { r, w } = setup();
    expect(r(0)).toBe(0);
    w(0, 0x00700070);
    expect(r(0)).toBe(0x00800080);
    expect(r(4)).toBe(0x00800080);
    expect(r(0, 2)).toBe(0x80);
    expect(r(0, 1)).toBe(0x80);
    w(0, 0x00ff00ff);
    expect(r(0)).toBe(0);
    w(0, 0x00900090);
    expect([0, 4, 8, 12].map((o) => r(o))).toEqual([0x00890089, 0x00180018, 0, 0]);
  });

  it('CFI query table as QEMU answers it', () => {
    const { r, w } = setup();
    w(0x55 * 4, 0x00980098);
    const table = Array.from({ length: 0x60 }, (_, i) => r(i * 4));
    expect(table.slice(0x10, 0x13)).toEqual([0x00510051, 0x00520052, 0x00590059]); // "QRY"
    expect(table[0x27]).toBe(0x00190019); // 2^25 bytes per device
    expect(table.slice(0x2c, 0x31)).toEqual([0x00010001, 0x00ff00ff, 0, 0, 0x00020002]); // 256 x 256 KiB
    expect(table.slice(0x31, 0x36)).toEqual([0x50, 0x52, 0x49, 0x31, 0x30].map((c) => ((c << 16) | c) >>> 0)); // "PRI10"
    expect(table[0x3f]).toBe(0x00010001);
    expect(table.slice(0, 0x10).every((v) => v === 0)).toBe(true);
    expect(table.slice(0x40).every((v) => v === 0)).toBe(true);
    expect(r(0x40, 2)).toBe(0x51);
    expect(r(0x41, 1)).toBe(0x51);
    expect(r(0x42, 1)).toBe(0x51);
  });

  it('program (word and byte), sector erase to 0xff, unknown command returns to read array', () => {
    const { r, w, f } = setup();
    w(0x100, 0x00400040);
    w(0x100, 0x12345678);
    expect(r(0x100)).toBe(0x00800080); // status after programming
    w(0, 0x00ff00ff);
    expect(r(0x100)).toBe(0x12345678);
    w(0x200, 0x40, 1);
    w(0x200, 0x5a, 1);
    w(0, 0x00ff00ff);
    expect(r(0x200)).toBe(0x5a);
    w(0, 0x00200020);
    w(0, 0x00d000d0);
    expect(r(0)).toBe(0x00800080);
    w(0, 0x00ff00ff);
    expect(r(0)).toBe(0xffffffff);
    expect(r(0x100)).toBe(0xffffffff);
    expect(r(0x3fffc)).toBe(0xffffffff);
    expect(r(0x40000)).toBe(0); // next sector untouched
    w(0, 0x00120012);
    expect(r(0)).toBe(0xffffffff);
    const g = new CfiFlash('copy');
    g.load(f.save());
    expect(g.read(0x200, 4)).toBe(0xffffffff);
  });

  it('QEMU command-sequence details: erase on 0x20 itself, 0x50 zeroes status, query mode left only by 0xff', () => {
    const { r, w } = setup();
    w(0x80000, 0x00400040);
    w(0x80000, 0x11111111);
    w(0, 0xff);
    w(0x80000, 0x00200020);
    expect(r(0x80000)).toBe(0x00800080);
    w(0, 0x00ff00ff); // no 0xd0 confirm
    expect(r(0x80000)).toBe(0xffffffff);
    w(0, 0x50);
    w(0, 0x70);
    expect(r(0)).toBe(0);
    w(0, 0xff);
    w(0, 0x98);
    w(0, 0x70); // ignored in query mode
    expect(r(0x40)).toBe(0x00510051);
    w(0, 0xff);
    w(0, 0x90);
    w(0, 0x98); // ID mode takes a new command
    expect(r(0x40)).toBe(0x00510051);
    w(0, 0xff);
    w(0x100, 0x00400040);
    w(0x100, 0xffff0000);
    w(0x100, 0x00400040);
    w(0x100, 0x0000ffff); // programming overwrites (no AND with the old contents)
    w(0, 0xff);
    expect(r(0x100)).toBe(0x0000ffff);
    w(0, 0x70);
    w(0, 0x12);
    expect(r(0x100)).toBe(0x0000ffff);
  });
});

describe('unaligned CPU accesses to a device (QEMU 7.2 TCG: cputlb.c load_helper / store_helper_unaligned)', () => {
  it('an unaligned halfword store is two byte stores: the second byte 0x40 starts a program cycle', () => {
    const f = new CfiFlash('pflash0');
    const bus = new Bus([{ name: 'ram', base: 0x40000000, size: 0x10000 }]);
    bus.mapMmio(0, 0x04000000, f);
    bus.write16(0x10f, 0x4074); // 0x74 at 0x10f (unknown: read array), 0x40 at 0x110 (program)
    expect(bus.read32(0x1000) >>> 0).toBe(0x00800080); // status reads while the program cycle waits
    bus.write32(0x1000, 0x12345678); // the programmed word
    expect(bus.read32(0x1000) >>> 0).toBe(0x00800080);
    bus.write32(0, 0xff); // read array
    // An unaligned read is the two aligned reads around it, combined.
    expect(bus.read32(0x1001) >>> 0).toBe(0x00123456);
    expect(bus.read16(0x1003)).toBe(0x0012);
  });
});
