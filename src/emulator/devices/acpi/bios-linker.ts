/**
 * The ACPI table loader script QEMU gives firmware as fw_cfg's etc/table-loader
 * (hw/acpi/bios-linker-loader.c): 128-byte little-endian commands that tell the guest firmware
 * to allocate fw_cfg files in its memory, patch pointers between them and compute checksums.
 *
 * As QEMU's: ALLOCATE commands go before all others (each new one in front), ADD_POINTER writes
 * the pointee's offset into the pointer field now (the guest adds the file's address later), and
 * ADD_CHECKSUM zeroes the checksum byte (the guest computes it after patching).
 */
import { ByteWriter } from './byte-writer.js';

const COMMAND_SIZE = 128;
/** fw_cfg's FW_CFG_MAX_FILE_PATH: file names are NUL-padded to this. */
const FILE_NAME_SIZE = 56;
const CMD_ALLOCATE = 1;
const CMD_ADD_POINTER = 2;
const CMD_ADD_CHECKSUM = 3;
const ZONE_HIGH = 1;
const ZONE_FSEG = 2;

export class BiosLinker {
  private readonly files = new Map<string, ByteWriter>();
  private readonly allocations: Uint8Array[] = [];
  private readonly commands: Uint8Array[] = [];

  private command(kind: number): ByteWriter {
    return new ByteWriter().u32(kind);
  }

  private fileOf(name: string): ByteWriter {
    const f = this.files.get(name);
    if (f === undefined) throw new Error(`table loader: '${name}' used before it was allocated`);
    return f;
  }

  /** The file `name` (whose contents `blob` is still being built) is to be allocated by the guest. */
  allocate(name: string, blob: ByteWriter, align: number, fseg: boolean): void {
    if (this.files.has(name)) throw new Error(`table loader: '${name}' allocated twice`);
    this.files.set(name, blob);
    const c = this.command(CMD_ALLOCATE).ascii(name, FILE_NAME_SIZE).u32(align).u8(fseg ? ZONE_FSEG : ZONE_HIGH);
    this.allocations.unshift(c.bytes(COMMAND_SIZE));
  }

  /** The `size`-byte field at `offset` in `dest` is to point at `srcOffset` in `src`. */
  addPointer(dest: string, offset: number, size: 1 | 2 | 4 | 8, src: string, srcOffset: number): void {
    this.fileOf(src);
    this.fileOf(dest).patchUint(offset, srcOffset, size);
    const c = this.command(CMD_ADD_POINTER).ascii(dest, FILE_NAME_SIZE).ascii(src, FILE_NAME_SIZE).u32(offset).u8(size);
    this.commands.push(c.bytes(COMMAND_SIZE));
  }

  /** The byte at `at` in `file` is to make bytes start..start+length-1 sum to zero. */
  addChecksum(file: string, start: number, length: number, at: number): void {
    this.fileOf(file).patchUint(at, 0, 1);
    const c = this.command(CMD_ADD_CHECKSUM).ascii(file, FILE_NAME_SIZE).u32(at).u32(start).u32(length);
    this.commands.push(c.bytes(COMMAND_SIZE));
  }

  /** The script: allocations first, then the other commands in the order they were added. */
  script(): Uint8Array {
    const all = [...this.allocations, ...this.commands];
    const out = new Uint8Array(all.length * COMMAND_SIZE);
    all.forEach((c, i) => out.set(c, i * COMMAND_SIZE));
    return out;
  }
}
