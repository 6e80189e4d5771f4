/**
 * A PrimeCell that armrr models only as far as its identification: PeriphID0-3 and PCellID0-3 at
 * 0xfe0-0xffc read as QEMU's model of the device answers them, every other register reads 0 and
 * ignores writes. Used on vexpress-a9 for the devices Linux only probes there (PL041 AACI, PL181
 * MMCI, PL050 KMI, PL111 CLCD): their data paths (audio, SD card, keyboard, display) have no
 * backend in armrr, as in the QEMU command lines it is compared with.
 */
import { Device } from './device.js';

/** ID bytes as QEMU 7.2 returns them (hw/audio/pl041.c with nc_fifo_depth 512, pl181.c, pl050.c, pl110.c). */
export const PL041_ID = [0x41, 0x10, 0x04, 0x29, 0x0d, 0xf0, 0x05, 0xb1];
export const PL181_ID = [0x81, 0x11, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
export const PL050_ID = [0x50, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
export const PL111_ID = [0x11, 0x11, 0x24, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class PrimeCellIdOnly extends Device<Record<string, never>> {
  constructor(
    name: string,
    private readonly id: readonly number[],
  ) {
    super(name, {});
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    // As QEMU's models: any byte of an ID word reads that word's ID byte.
    if (offset >= 0xfe0 && offset < 0x1000) return this.id[(offset - 0xfe0) >> 2]!;
    return 0;
  }

  write(_offset: number, _value: number, _size: 1 | 2 | 4): void {}
}
