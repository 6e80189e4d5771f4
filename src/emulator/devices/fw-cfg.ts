/**
 * QEMU's fw_cfg interface as `virt` maps it (hw/nvram/fw_cfg.c, fw_cfg_init_mem_wide at
 * 0x09020000): a data register at +0 (reads of 1, 2 or 4 bytes at +0 only), a big-endian 16-bit
 * selector at +8 (16-bit writes only), the DMA address register at +16 (reads give the "QEMU CFG"
 * signature). Any other access is an external abort, as QEMU's access-validity checks give.
 *
 * Items, as measured on QEMU 7.2 (`-M virt -cpu cortex-a15 -m 128M -display none`): signature
 * "QEMU", ID 3 (traditional + DMA interface), NOGRAPHIC 1, NB_CPUS 1, and the file directory with
 * QEMU's nine files (names, sizes, selectors). File contents (ACPI, SMBIOS, the table loader) are
 * not generated: they read as zero. The DMA interface is not implemented (writes are ignored).
 */
import { Device } from './device.js';
import { BUS_FAULT } from '../memory/bus.js';

/** The register block: data 8 bytes, selector 2 (+ padding), DMA address 8. */
export const FW_CFG_SIZE = 0x18;

const KEY_SIGNATURE = 0x0000;
const KEY_ID = 0x0001;
const KEY_NOGRAPHIC = 0x0004;
const KEY_NB_CPUS = 0x0005;
const KEY_FILE_DIR = 0x0019;

/** QEMU 7.2's file directory on virt with no -fw_cfg options: name, size, selector. */
const FILES: ReadonlyArray<readonly [string, number, number]> = [
  ['bios-geometry', 0, 0x20],
  ['bootorder', 0, 0x21],
  ['etc/acpi/rsdp', 0x24, 0x22],
  ['etc/acpi/tables', 0x20000, 0x23],
  ['etc/boot-fail-wait', 4, 0x24],
  ['etc/smbios/smbios-anchor', 0x18, 0x25],
  ['etc/smbios/smbios-tables', 0x10a, 0x26],
  ['etc/table-loader', 0xc00, 0x27],
  ['etc/tpm/log', 0, 0x28],
];

function fileDirectory(): Uint8Array {
  const out = new Uint8Array(4 + FILES.length * 64);
  const v = new DataView(out.buffer);
  v.setUint32(0, FILES.length);
  FILES.forEach(([name, size, select], i) => {
    const o = 4 + i * 64;
    v.setUint32(o, size);
    v.setUint16(o + 4, select);
    out.set(new TextEncoder().encode(name), o + 8);
  });
  return out;
}

/** Item contents by key (immutable: part of the board, not of the state). */
const ITEMS: ReadonlyMap<number, Uint8Array> = new Map<number, Uint8Array>([
  [KEY_SIGNATURE, new TextEncoder().encode('QEMU')],
  [KEY_ID, Uint8Array.of(3, 0, 0, 0)],
  [KEY_NOGRAPHIC, Uint8Array.of(1, 0)],
  [KEY_NB_CPUS, Uint8Array.of(1, 0)],
  [KEY_FILE_DIR, fileDirectory()],
  ...FILES.map(([, size, select]) => [select, new Uint8Array(size)] as [number, Uint8Array]),
]);

/** "QEMU CFG" as the two 32-bit halves of the DMA register, in guest (little-endian) order. */
const DMA_SIGNATURE_HI = 0x554d4551;
const DMA_SIGNATURE_LO = 0x47464320;

export class FwCfg extends Device<{ key: number; offset: number }> {
  constructor(
    /** Physical base address (0x09020000 on virt), for the fault address of a rejected access. */
    private readonly base: number,
  ) {
    super('fw-cfg', { key: 0, offset: 0 });
  }

  private nextByte(): number {
    const item = ITEMS.get(this.s.key);
    if (!item || this.s.offset >= item.length) return 0;
    return item[this.s.offset++]!;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset === 0) {
      // Bytes in stream order: QEMU packs them big-endian into a big-endian register.
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.nextByte() << (8 * i);
      return v >>> 0;
    }
    if (size === 4 && offset === 16) return DMA_SIGNATURE_HI;
    if (size === 4 && offset === 20) return DMA_SIGNATURE_LO;
    return this.abort(offset, false);
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (offset === 8 && size === 2) {
      // Big-endian register: the guest's little-endian halfword arrives byte-swapped.
      this.s.key = ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
      this.s.offset = 0;
      return;
    }
    if (offset === 0) return; // data writes: ignored (no writable items)
    if (size === 4 && (offset === 16 || offset === 20)) return; // DMA: not implemented
    this.abort(offset, true);
  }

  private abort(offset: number, isWrite: boolean): never {
    BUS_FAULT.address = (this.base + offset) >>> 0;
    BUS_FAULT.isWrite = isWrite;
    throw BUS_FAULT;
  }
}
