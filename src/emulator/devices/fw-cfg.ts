/**
 * QEMU's fw_cfg interface as `virt` maps it (hw/nvram/fw_cfg.c, fw_cfg_init_mem_wide at
 * 0x09020000): a data register at +0 (reads of 1, 2 or 4 bytes at +0 only), a big-endian 16-bit
 * selector at +8 (16-bit writes only), the DMA address register at +16 (reads give the "QEMU CFG"
 * signature). Any other access is an external abort, as QEMU's access-validity checks give.
 *
 * Items, as measured on QEMU 7.2 (`-M virt -cpu cortex-a15 -m 128M -nic none -display none`): signature
 * "QEMU", ID 3 (traditional + DMA interface), UUID (zero without -uuid), NOGRAPHIC 0, BOOT_MENU 0,
 * NB_CPUS 1, and the file directory. The files are the board's (virt-fw-cfg-files.ts): the
 * directory lists them sorted by name with selectors from 0x20 in that order, as QEMU's
 * fw_cfg_add_file keeps it. Keys select by their low 14 bits; the arch-local ones (bit 15) are all
 * empty.
 *
 * DMA (fw_cfg_dma_transfer): writing the descriptor's address (big-endian, high word at +16, low
 * word at +20 starts it) runs the transfer at once: the descriptor { be32 control, be32 length, be64
 * address } is read from guest memory, SELECT/READ/SKIP/WRITE act on the item (reads past its end
 * fill zeros, every write is an error: nothing is writable), and the control word is written back
 * (0, or the error bit). Unassigned memory on the way sets the error bit.
 */
import { Device } from './device.js';
import { BUS_FAULT } from '../memory/bus.js';

/** Physical memory as a DMA master sees it (the bus; unassigned addresses throw BUS_FAULT). */
export interface DmaMemory {
  read8(addr: number): number;
  write8(addr: number, value: number): void;
}

/** The register block: data 8 bytes, selector 2 (+ padding), DMA address 8. */
export const FW_CFG_SIZE = 0x18;

const KEY_SIGNATURE = 0x0000;
const KEY_ID = 0x0001;
const KEY_UUID = 0x0002;
const KEY_NOGRAPHIC = 0x0004;
const KEY_NB_CPUS = 0x0005;
const KEY_BOOT_MENU = 0x000e;
const KEY_FILE_DIR = 0x0019;
/** QEMU's FW_CFG_ENTRY_MASK and FW_CFG_ARCH_LOCAL. */
const KEY_ENTRY_MASK = 0x3fff;
const KEY_ARCH_LOCAL = 0x8000;

const DMA_CTL_ERROR = 0x01;
const DMA_CTL_READ = 0x02;
const DMA_CTL_SKIP = 0x04;
const DMA_CTL_SELECT = 0x08;
const DMA_CTL_WRITE = 0x10;

/** A named fw_cfg file (immutable: part of the board, not of the state). */
export interface FwCfgFile {
  name: string;
  data: Uint8Array;
}

/** QEMU's FW_CFG_FILE_FIRST and FW_CFG_MAX_FILE_PATH. */
const FILE_FIRST_KEY = 0x20;
const FILE_NAME_SIZE = 56;

function fileDirectory(files: readonly FwCfgFile[]): Uint8Array {
  const out = new Uint8Array(4 + files.length * 64);
  const v = new DataView(out.buffer);
  v.setUint32(0, files.length);
  files.forEach(({ name, data }, i) => {
    const o = 4 + i * 64;
    v.setUint32(o, data.length);
    v.setUint16(o + 4, FILE_FIRST_KEY + i);
    out.set(new TextEncoder().encode(name).subarray(0, FILE_NAME_SIZE - 1), o + 8);
  });
  return out;
}

/** Item contents by key: the fixed items, the directory and the files. */
function itemsOf(unsorted: readonly FwCfgFile[]): Map<number, Uint8Array> {
  const files = [...unsorted].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return new Map<number, Uint8Array>([
    [KEY_SIGNATURE, new TextEncoder().encode('QEMU')],
    [KEY_ID, Uint8Array.of(3, 0, 0, 0)],
    [KEY_UUID, new Uint8Array(16)],
    // QEMU's !enable_graphics: 0 with the reference command line (and -display none);
    // only -nographic makes it 1.
    [KEY_NOGRAPHIC, Uint8Array.of(0, 0)],
    [KEY_NB_CPUS, Uint8Array.of(1, 0)],
    [KEY_BOOT_MENU, Uint8Array.of(0, 0)],
    [KEY_FILE_DIR, fileDirectory(files)],
    ...files.map(({ data }, i) => [FILE_FIRST_KEY + i, data] as [number, Uint8Array]),
  ]);
}

/** The DMA register's read-only signature, "QEMU CFG", byte by byte from offset 16. */
const DMA_SIGNATURE = new TextEncoder().encode('QEMU CFG');
const byteSwap32 = (v: number): number => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);

export class FwCfg extends Device<{ key: number; offset: number; dmaHigh: number }> {
  private readonly items: ReadonlyMap<number, Uint8Array>;

  constructor(
    /** Physical base address (0x09020000 on virt), for the fault address of a rejected access. */
    private readonly base: number,
    /** Where DMA transfers read their descriptor and move data (the physical bus). */
    private readonly memory: DmaMemory,
    /** The named files (the board's generated blobs and settings). */
    files: readonly FwCfgFile[],
  ) {
    super('fw-cfg', { key: 0, offset: 0, dmaHigh: 0 });
    this.items = itemsOf(files);
  }

  /** The item a selector value reaches (QEMU masks it to 14 bits; no arch-local items on ARM). */
  private itemOf(key: number): Uint8Array | undefined {
    return (key & KEY_ARCH_LOCAL) !== 0 ? undefined : this.items.get(key & KEY_ENTRY_MASK);
  }

  private nextByte(): number {
    const item = this.itemOf(this.s.key);
    if (!item || this.s.offset >= item.length) return 0;
    return item[this.s.offset++]!;
  }

  private select(key: number): void {
    this.s.key = key;
    this.s.offset = 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset === 0) {
      // Bytes in stream order: QEMU packs them big-endian into a big-endian register.
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.nextByte() << (8 * i);
      return v >>> 0;
    }
    if (offset >= 16 && offset + size <= 24) {
      // Any read of the signature: its bytes in memory order.
      let v = 0;
      for (let i = 0; i < size; i++) v |= DMA_SIGNATURE[offset - 16 + i]! << (8 * i);
      return v >>> 0;
    }
    return this.abort(offset, false);
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (offset === 8 && size === 2) {
      // Big-endian register: the guest's little-endian halfword arrives byte-swapped.
      this.select(((value & 0xff) << 8) | ((value >>> 8) & 0xff));
      return;
    }
    if (offset === 0) return; // data writes: ignored (QEMU removed write support)
    if (size === 4 && offset === 16) {
      this.s.dmaHigh = byteSwap32(value) >>> 0;
      return;
    }
    if (size === 4 && offset === 20) {
      // The low word starts the transfer; QEMU then clears the address.
      const high = this.s.dmaHigh;
      this.s.dmaHigh = 0;
      this.dmaTransfer(high * 2 ** 32 + (byteSwap32(value) >>> 0));
      return;
    }
    this.abort(offset, true);
  }

  private dmaTransfer(descriptor: number): void {
    let control: number;
    let length: number;
    let address: number;
    try {
      control = this.readBe32(descriptor);
      length = this.readBe32(descriptor + 4);
      address = this.readBe32(descriptor + 8) * 2 ** 32 + this.readBe32(descriptor + 12);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      this.writeBack(descriptor, DMA_CTL_ERROR);
      return;
    }
    if ((control & DMA_CTL_SELECT) !== 0) this.select(control >>> 16);
    const read = (control & DMA_CTL_READ) !== 0;
    const write = !read && (control & DMA_CTL_WRITE) !== 0;
    if (!read && !write && (control & DMA_CTL_SKIP) === 0) length = 0;
    let status = 0;
    const item = this.itemOf(this.s.key);
    while (length > 0 && status === 0) {
      let len = length;
      if (item === undefined || this.s.offset >= item.length) {
        if (read && !this.fill(address, null, 0, len)) status = DMA_CTL_ERROR;
        if (write) status = DMA_CTL_ERROR;
      } else {
        len = Math.min(length, item.length - this.s.offset);
        if (read && !this.fill(address, item, this.s.offset, len)) status = DMA_CTL_ERROR;
        if (write) status = DMA_CTL_ERROR; // no writable items on virt
        this.s.offset += len;
      }
      address += len;
      length -= len;
    }
    this.writeBack(descriptor, status);
  }

  /** Copy `len` bytes of `item` from `from` (zeros when null) to guest memory; false on a bus error. */
  private fill(address: number, item: Uint8Array | null, from: number, len: number): boolean {
    try {
      for (let i = 0; i < len; i++) this.memory.write8(address + i, item === null ? 0 : item[from + i]!);
      return true;
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      return false;
    }
  }

  private readBe32(addr: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v = (v << 8) | this.memory.read8(addr + i);
    return v >>> 0;
  }

  /** The control word back into the descriptor (lost if the descriptor is unassigned, as QEMU). */
  private writeBack(descriptor: number, control: number): void {
    try {
      for (let i = 0; i < 4; i++) this.memory.write8(descriptor + i, (control >>> (24 - 8 * i)) & 0xff);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
    }
  }

  private abort(offset: number, isWrite: boolean): never {
    BUS_FAULT.address = (this.base + offset) >>> 0;
    BUS_FAULT.isWrite = isWrite;
    throw BUS_FAULT;
  }
}
