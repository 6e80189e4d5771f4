/**
 * What kind of file the positional KERNEL is, as QEMU's `-kernel` on 32-bit ARM tells them apart
 * (hw/arm/boot.c, hw/core/loader.c): an ELF (started at its entry point), a U-Boot legacy uImage
 * (header magic 0x27051956; payload uncompressed or gzip), otherwise a raw image — a zImage (magic
 * 0x016f2818 at offset 0x24) or a plain Image — that QEMU loads at RAM + 0x10000 and boots as Linux.
 * QEMU loads any other file raw as well; armrr refuses files that cannot be an A32 kernel, with
 * the reason, rather than run garbage.
 */
import { gunzipSync } from 'node:zlib';

export class KernelImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelImageError';
  }
}

export type KernelImage =
  | { format: 'elf' }
  | { format: 'zimage' | 'image'; data: Uint8Array }
  | {
      format: 'uimage';
      /** Payload after the 64-byte header, gunzipped when the header says gzip. */
      data: Uint8Array;
      /** ih_load / ih_ep, or undefined for IH_TYPE_KERNEL_NOLOAD (placed by the board). */
      loadAddr: number | undefined;
      entryOffset: number;
      isLinux: boolean;
      name: string;
    };

export const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_MAGIC_OFFSET = 0x24;
export const UIMAGE_MAGIC = 0x27051956;
const UIMAGE_HEADER_SIZE = 64;
const IH_OS_LINUX = 5;
const IH_TYPE_KERNEL = 2;
export const IH_TYPE_RAMDISK = 3;
const IH_TYPE_KERNEL_NOLOAD = 14;
const IH_COMP_NONE = 0;
const IH_COMP_GZIP = 1;
/** QEMU's UBOOT_MAX_GUNZIP_BYTES and LOAD_IMAGE_MAX_GUNZIP_BYTES. */
const MAX_GUNZIP_BYTES = 64 << 20;
const ARM64_MAGIC_OFFSET = 0x38;

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export interface UImageHeader {
  size: number;
  load: number;
  entry: number;
  os: number;
  arch: number;
  type: number;
  comp: number;
  name: string;
}

/** The uImage legacy header, or undefined when the file does not start with one. */
export function readUImageHeader(bytes: Uint8Array): UImageHeader | undefined {
  if (bytes.length < UIMAGE_HEADER_SIZE) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0) !== UIMAGE_MAGIC) return undefined;
  let end = 32;
  while (end < 64 && bytes[end] !== 0) end++;
  return {
    size: dv.getUint32(12),
    load: dv.getUint32(16),
    entry: dv.getUint32(20),
    os: bytes[28]!,
    arch: bytes[29]!,
    type: bytes[30]!,
    comp: bytes[31]!,
    name: new TextDecoder().decode(bytes.subarray(32, end)),
  };
}

/** A uImage's payload (after the header), gunzipped if its header says so. */
export function uImagePayload(bytes: Uint8Array, h: UImageHeader, what: string): Uint8Array {
  if (UIMAGE_HEADER_SIZE + h.size > bytes.length) {
    throw new KernelImageError(`${what}: uImage header says ${h.size} data bytes but the file has ${bytes.length - UIMAGE_HEADER_SIZE}; the file is truncated`);
  }
  const payload = bytes.subarray(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + h.size);
  if (h.comp === IH_COMP_NONE) return payload.slice();
  if (h.comp !== IH_COMP_GZIP) {
    throw new KernelImageError(`${what}: uImage compression type ${h.comp} is not supported (QEMU loads none (0) and gzip (1)); rebuild it with mkimage -C none or -C gzip`);
  }
  try {
    return new Uint8Array(gunzipSync(payload, { maxOutputLength: MAX_GUNZIP_BYTES }));
  } catch (e) {
    throw new KernelImageError(`${what}: cannot decompress the uImage's gzip payload: ${(e as Error).message}`);
  }
}

/** Tell the kernel file's format; throws KernelImageError saying why a file cannot be booted. */
export function identifyKernelImage(bytes: Uint8Array, what = 'kernel'): KernelImage {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return { format: 'elf' };
  if (bytes.length < 4) {
    throw new KernelImageError(`${what} is ${bytes.length} bytes long: not an ELF, zImage, uImage or Image`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const uh = readUImageHeader(bytes);
  if (uh !== undefined) {
    if (uh.type !== IH_TYPE_KERNEL && uh.type !== IH_TYPE_KERNEL_NOLOAD) {
      throw new KernelImageError(`${what} is a uImage of type ${uh.type}, not a kernel (type 2, or 14 for kernel_noload); a ramdisk uImage goes to --initrd`);
    }
    const data = uImagePayload(bytes, uh, what);
    return {
      format: 'uimage',
      data,
      loadAddr: uh.type === IH_TYPE_KERNEL ? uh.load : undefined,
      entryOffset: uh.entry,
      isLinux: uh.os === IH_OS_LINUX,
      name: uh.name,
    };
  }
  if (bytes.length >= ZIMAGE_MAGIC_OFFSET + 4 && dv.getUint32(ZIMAGE_MAGIC_OFFSET, true) === ZIMAGE_MAGIC) {
    return { format: 'zimage', data: bytes };
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new KernelImageError(`${what} is a gzip file, not a kernel image: give the zImage (vmlinuz) itself, or gunzip it to a raw Image`);
  }
  if (bytes.length >= ARM64_MAGIC_OFFSET + 4 && dv.getUint32(ARM64_MAGIC_OFFSET, true) === 0x644d5241) {
    throw new KernelImageError(`${what} is an AArch64 kernel Image; armrr's boards run 32-bit ARM kernels (zImage, uImage or Image built for ARCH=arm)`);
  }
  // A raw A32 Image starts with an instruction; its condition field is AL (or 0xF, unconditional).
  const first = dv.getUint32(0, true);
  if (first >>> 28 < 0xe) {
    throw new KernelImageError(
      `${what} is not an ELF, zImage (magic ${hex(ZIMAGE_MAGIC)} at offset 0x24), uImage (magic ${hex(UIMAGE_MAGIC)}) ` +
        `or raw Image (its first word ${hex(first)} is not an A32 instruction); give a 32-bit ARM kernel or firmware ELF`,
    );
  }
  return { format: 'image', data: bytes };
}
