/**
 * One bank of `virt`'s flash as QEMU 7.2 models it without a drive (hw/block/pflash_cfi01.c via
 * hw/arm/virt.c: 64 MiB, 32-bit bank of two 16-bit Intel/Sharp devices, 256 KiB sectors, IDs
 * 0x89/0x18): initially all zeros, programmable and erasable. QEMU's command state machine (write
 * cycle + current command): 0x10/0x40 program the next write; 0x20 erases the sector at once (the
 * 0xd0 that follows only confirms); 0x50 clears the status (to 0); 0x70 status and 0x90 identifier
 * reads, after which any write is a new command; 0x98 CFI query, left only by 0xff; 0xff and
 * anything unknown return to read array. Status (0x80 ready), ID and CFI reads are addressed in
 * bank words (offset >> 2) and replicated per 16-bit device. Checked against QEMU by a probe.
 *
 * Not modelled: write-to-buffer (0xe8) and lock bits. A reset image (QEMU's ROM blob: the device
 * tree a -kernel ELF boot puts at the start of bank 0) is written again at every reset.
 * Contents are kept sparse (4 KiB pages that were programmed or erased), in the device state.
 */
import { Device } from './device.js';

export const FLASH_BANK_SIZE = 64 * 1024 * 1024;
const SECTOR_SIZE = 256 * 1024;
const PAGE_WORDS = 1024;
const PAGE_BYTES = PAGE_WORDS * 4;

/** Query table entries 0x10.. (QEMU's cfi_table for this geometry, as read back on QEMU). */
const CFI_FROM_0X10 = [
  0x51, 0x52, 0x59, 0x01, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x45, 0x55, 0x00, 0x00, 0x07, // 0x10
  0x07, 0x0a, 0x00, 0x04, 0x04, 0x04, 0x00, 0x19, 0x02, 0x00, 0x0b, 0x00, 0x01, 0xff, 0x00, 0x00, // 0x20
  0x02, 0x50, 0x52, 0x49, 0x31, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // 0x30
];
const ID_MANUFACTURER = 0x89;
const ID_DEVICE = 0x18;
const STATUS_READY = 0x80;

function initialState() {
  return {
    /** QEMU's pfl->cmd (0 = read array) and pfl->wcycle. */
    cmd: 0,
    wcycle: 0,
    status: STATUS_READY,
    /** Page numbers (offset / 4 KiB) with stored contents, and their words (1024 per page). */
    pages: [] as number[],
    words: [] as number[],
  };
}

export type CfiFlashState = ReturnType<typeof initialState>;

export class CfiFlash extends Device<CfiFlashState> {
  /** Bytes written at offset 0 on every reset (QEMU's rom_reset of a ROM blob in the bank), or null. */
  private resetImage: Uint8Array | null = null;

  constructor(name: string) {
    super(name, initialState());
  }

  setResetImage(data: Uint8Array | null): void {
    this.resetImage = data;
    this.reset();
  }

  override reset(): void {
    super.reset();
    const img = this.resetImage;
    if (img === null) return;
    // Only pages holding a non-zero word are stored: the rest of a 1 MiB tree buffer is zeros.
    const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    for (let off = 0; off < img.length; off += PAGE_BYTES) {
      const words: number[] = [];
      let nonZero = false;
      for (let i = 0; i < PAGE_WORDS; i++) {
        const o = off + i * 4;
        const w = o + 4 <= img.length ? dv.getUint32(o, true) : 0;
        if (w !== 0) nonZero = true;
        words.push(w);
      }
      if (!nonZero) continue;
      const slot = this.ensurePage(off / PAGE_BYTES, 0);
      for (let i = 0; i < PAGE_WORDS; i++) this.s.words[slot * PAGE_WORDS + i] = words[i]!;
    }
  }

  private pageSlot(page: number): number {
    return this.s.pages.indexOf(page);
  }

  private word(offset: number): number {
    const slot = this.pageSlot(Math.floor(offset / PAGE_BYTES));
    return slot < 0 ? 0 : this.s.words[slot * PAGE_WORDS + ((offset % PAGE_BYTES) >>> 2)]!;
  }

  private ensurePage(page: number, fill: number): number {
    let slot = this.pageSlot(page);
    if (slot < 0) {
      slot = this.s.pages.length;
      this.s.pages.push(page);
      for (let i = 0; i < PAGE_WORDS; i++) this.s.words.push(fill);
    }
    return slot;
  }

  /** Per-device value replicated into the access width (two 16-bit devices side by side). */
  private replicated(v: number, size: 1 | 2 | 4): number {
    return size === 4 ? ((v << 16) | v) >>> 0 : size === 2 ? v & 0xffff : v & 0xff;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    switch (s.cmd) {
      case 0x10:
      case 0x20:
      case 0x40:
      case 0x50:
      case 0x60:
      case 0x70:
      case 0xe8:
        return this.replicated(s.status, size);
      case 0x90: {
        const i = offset >>> 2;
        return this.replicated(i === 0 ? ID_MANUFACTURER : i === 1 ? ID_DEVICE : 0, size);
      }
      case 0x98: {
        const i = (offset >>> 2) - 0x10;
        return this.replicated(i >= 0 && i < CFI_FROM_0X10.length ? CFI_FROM_0X10[i]! : 0, size);
      }
      default: {
        const w = this.word(offset & ~3) >>> (8 * (offset & 3));
        return size === 4 ? w >>> 0 : w & (size === 2 ? 0xffff : 0xff);
      }
    }
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    const s = this.s;
    const cmd = value & 0xff;
    if (s.wcycle === 0) {
      switch (cmd) {
        case 0x10:
        case 0x40:
          break;
        case 0x20:
          this.erase(offset);
          s.status |= STATUS_READY;
          break;
        case 0x50:
          s.status = 0;
          this.readArray();
          return;
        case 0x60:
          break;
        case 0x70:
        case 0x90:
          s.cmd = cmd; // a read mode: the next write is a new command
          return;
        case 0x98:
          break;
        case 0xe8:
          s.status |= STATUS_READY;
          break;
        default:
          this.readArray(); // 0xff, 0xf0, and unimplemented sequences
          return;
      }
      s.wcycle = 1;
      s.cmd = cmd;
      return;
    }
    switch (s.cmd) {
      case 0x10:
      case 0x40:
        this.program(offset, value, size);
        s.status |= STATUS_READY;
        s.wcycle = 0;
        return;
      case 0x20:
      case 0x60:
        if (cmd === 0xd0 || (s.cmd === 0x60 && cmd === 0x01)) {
          s.wcycle = 0;
          s.status |= STATUS_READY;
        } else this.readArray();
        return;
      case 0x98:
        if (cmd === 0xff) this.readArray(); // anything else: still in query mode
        return;
      default:
        this.readArray(); // write-to-buffer is not modelled
    }
  }

  private readArray(): void {
    this.s.wcycle = 0;
    this.s.cmd = 0;
  }

  private program(offset: number, value: number, size: 1 | 2 | 4): void {
    const slot = this.ensurePage(Math.floor(offset / PAGE_BYTES), 0);
    const i = slot * PAGE_WORDS + ((offset % PAGE_BYTES) >>> 2);
    const shift = 8 * (offset & 3);
    const mask = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const old = this.s.words[i]!;
    this.s.words[i] = ((old & ~(mask << shift)) | ((value & mask) << shift)) >>> 0;
  }

  private erase(offset: number): void {
    const first = Math.floor((offset - (offset % SECTOR_SIZE)) / PAGE_BYTES);
    for (let p = first; p < first + SECTOR_SIZE / PAGE_BYTES; p++) {
      const slot = this.ensurePage(p, 0xffffffff);
      this.s.words.fill(0xffffffff, slot * PAGE_WORDS, (slot + 1) * PAGE_WORDS);
    }
  }
}
