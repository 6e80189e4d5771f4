// Expected values were read from QEMU 7.2's virt (no -device): see fw-cfg.test.ts.
import { describe, expect, it } from 'vitest';
import { VirtioMmioTransports } from '../../src/emulator/devices/virtio-mmio.js';
import { GicV2m } from '../../src/emulator/devices/gicv2m.js';
import { PcieHostWindow } from '../../src/emulator/devices/pcie-host-window.js';

describe('virtio-mmio transports without a backend', () => {
  it('magic, legacy version, device ID 0, vendor QEMU in every slot; the rest 0; writes ignored', () => {
    const v = new VirtioMmioTransports();
    for (const base of [0, 31 * 0x200]) {
      expect(v.read(base + 0x00, 4)).toBe(0x74726976);
      expect(v.read(base + 0x04, 4)).toBe(1);
      expect(v.read(base + 0x08, 4)).toBe(0);
      expect(v.read(base + 0x0c, 4)).toBe(0x554d4551);
      expect(v.read(base + 0x00, 2)).toBe(0x6976);
      expect(v.read(base + 0x01, 1)).toBe(0);
      v.write(base + 0x70, 1, 4);
      expect(v.read(base + 0x70, 4)).toBe(0);
      expect(v.read(base + 0x1fc, 4)).toBe(0);
    }
  });
});

describe('GICv2m frame', () => {
  it('MSI_TYPER: base ID 80, 64 SPIs; IIDR; 16-bit reads are 0; SETSPI pulses the SPI', () => {
    const events: string[] = [];
    const lines = Array.from({ length: 64 }, (_, i) => (l: boolean) => events.push(`${i}:${l ? 1 : 0}`));
    const m = new GicV2m(lines);
    expect(m.read(0x008, 4)).toBe(0x00500040);
    expect(m.read(0xfcc, 4)).toBe(0x05100000);
    expect(m.read(0x008, 2)).toBe(0);
    m.write(0x040, 81, 4);
    expect(events).toEqual(['1:1', '1:0']);
    m.write(0x040, 79, 4); // below the range
    m.write(0x040, 144, 4); // above
    m.write(0x040, 80, 2); // not 32-bit
    expect(events).toEqual(['1:1', '1:0']);
  });
});

describe('PCIe host windows without devices', () => {
  it('read all ones at every width, ignore writes', () => {
    const w = new PcieHostWindow('pcie-mmio');
    w.write(0, 0, 4);
    expect(w.read(0, 4)).toBe(0xffffffff);
    expect(w.read(2, 2)).toBe(0xffff);
    expect(w.read(3, 1)).toBe(0xff);
  });
});
