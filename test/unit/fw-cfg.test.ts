// Expected values were read from QEMU 7.2 (-M virt -cpu cortex-a15 -m 128M -display none) by a
// bare-metal probe; test/integration/fw-cfg-vs-qemu.test.ts compares the live answers.
import { describe, expect, it } from 'vitest';
import { FwCfg } from '../../src/emulator/devices/fw-cfg.js';
import { Bus, BusFaultSignal } from '../../src/emulator/memory/bus.js';
import { virtFwCfgFiles } from '../../src/emulator/machines/virt-fw-cfg-files.js';

const BASE = 0x09020000;
const FILES = virtFwCfgFiles(128 * 1024 * 1024);
const RAM = 0x40000000;
const ram = () => new Bus([{ name: 'ram', base: RAM, size: 0x10000 }]);
const bswap = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
const sel = (fw: FwCfg, key: number) => fw.write(8, ((key & 0xff) << 8) | (key >> 8), 2); // big-endian register
const bytes = (fw: FwCfg, n: number) => Array.from({ length: n }, () => fw.read(0, 1));
const be32 = (b: number[]) => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;

describe('fw_cfg on virt', () => {
  it('signature, ID and items in stream order; wide reads pack bytes in memory order', () => {
    const fw = new FwCfg(BASE, ram(), FILES);
    sel(fw, 0);
    expect(String.fromCharCode(...bytes(fw, 4))).toBe('QEMU');
    expect(fw.read(0, 1)).toBe(0); // past the end
    sel(fw, 0);
    expect(fw.read(0, 4)).toBe(0x554d4551);
    sel(fw, 1);
    expect(fw.read(0, 4)).toBe(3);
    sel(fw, 4);
    expect(fw.read(0, 2)).toBe(0); // NOGRAPHIC: 0 without -nographic
    sel(fw, 0x4001); // the write-channel bit is masked off: ID
    expect(fw.read(0, 1)).toBe(3);
    sel(fw, 0x8001); // arch-local keys: none on ARM
    expect(fw.read(0, 1)).toBe(0);
    sel(fw, 5);
    expect(fw.read(0, 2)).toBe(1);
    sel(fw, 0x1234);
    expect(fw.read(0, 4)).toBe(0);
  });

  it('file directory: QEMU 7.2 virt files with sizes and selectors', () => {
    const fw = new FwCfg(BASE, ram(), FILES);
    sel(fw, 0x19);
    const n = be32(bytes(fw, 4));
    expect(n).toBe(9);
    const files = [];
    for (let i = 0; i < n; i++) {
      const size = be32(bytes(fw, 4));
      const [s0, s1] = bytes(fw, 2);
      bytes(fw, 2);
      const name = String.fromCharCode(...bytes(fw, 56)).replace(/\0+$/, '');
      files.push(`${name}:${size.toString(16)}:${((s0! << 8) | s1!).toString(16)}`);
    }
    expect(files).toEqual([
      'bios-geometry:0:20',
      'bootorder:0:21',
      'etc/acpi/rsdp:24:22',
      'etc/acpi/tables:20000:23',
      'etc/boot-fail-wait:4:24',
      'etc/smbios/smbios-anchor:18:25',
      'etc/smbios/smbios-tables:10a:26',
      'etc/table-loader:c00:27',
      'etc/tpm/log:0:28',
    ]);
  });

  it('the directory lists the given files sorted by name, selectors from 0x20 in that order', () => {
    const fw = new FwCfg(BASE, ram(), [
      { name: 'zeta', data: Uint8Array.of(7) },
      { name: 'alpha', data: Uint8Array.of(1, 2) },
    ]);
    sel(fw, 0x19);
    expect(be32(bytes(fw, 4))).toBe(2);
    expect(be32(bytes(fw, 4))).toBe(2); // alpha's size
    expect(bytes(fw, 4)).toEqual([0, 0x20, 0, 0]);
    expect(String.fromCharCode(...bytes(fw, 56)).replace(/\0+$/, '')).toBe('alpha');
    sel(fw, 0x21);
    expect(bytes(fw, 2)).toEqual([7, 0]);
  });

  it('DMA register reads "QEMU CFG"; rejected accesses are external aborts at the right address', () => {
    const fw = new FwCfg(BASE, ram(), FILES);
    expect(fw.read(16, 4)).toBe(0x554d4551);
    expect(fw.read(20, 4)).toBe(0x47464320);
    const abort = (f: () => unknown, addr: number, isWrite: boolean) => {
      let caught: unknown = null;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(BusFaultSignal);
      expect((caught as BusFaultSignal).address).toBe(addr);
      expect((caught as BusFaultSignal).isWrite).toBe(isWrite);
    };
    abort(() => fw.read(4, 4), BASE + 4, false); // data register only at +0
    abort(() => fw.read(1, 1), BASE + 1, false);
    abort(() => fw.read(8, 2), BASE + 8, false); // selector is write-only
    abort(() => fw.write(8, 0, 4), BASE + 8, true); // ... and 16-bit only
    expect(fw.read(18, 2)).toBe(0x554d); // any read of the signature: its bytes in memory order
    abort(() => fw.write(16, 0, 2), BASE + 16, true);
  });

  it('DMA: select + read into RAM, zeros past the end, writes are errors; the status is written back', () => {
    const bus = ram();
    const fw = new FwCfg(BASE, bus, FILES);
    const desc = RAM + 0x100;
    const run = (control: number, length: number, target: number) => {
      bus.write32(desc, bswap(control) | 0);
      bus.write32(desc + 4, bswap(length) | 0);
      bus.write32(desc + 8, 0);
      bus.write32(desc + 12, bswap(target) | 0);
      fw.write(16, 0, 4);
      fw.write(20, bswap(desc), 4);
      return bswap(bus.read32(desc) >>> 0);
    };
    for (let i = 0; i < 8; i++) bus.write8(RAM + 0x200 + i, 0xa5);
    expect(run((1 << 16) | 8 | 2, 6, RAM + 0x200)).toBe(0); // ID (4 bytes), then 2 zeros
    expect(Array.from({ length: 8 }, (_, i) => bus.read8(RAM + 0x200 + i))).toEqual([3, 0, 0, 0, 0, 0, 0xa5, 0xa5]);
    expect(run((5 << 16) | 8 | 16, 2, RAM + 0x200)).toBe(1); // NB_CPUS is read-only
    expect(run((0 << 16) | 8 | 2, 4, 0x0b000000)).toBe(1); // unassigned target
  });

  it('selector and position are state (snapshots)', () => {
    const a = new FwCfg(BASE, ram(), FILES);
    sel(a, 0);
    a.read(0, 1);
    const b = new FwCfg(BASE, ram(), FILES);
    b.load(a.save());
    expect(b.read(0, 1)).toBe('E'.charCodeAt(0));
  });
});
