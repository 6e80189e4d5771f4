/**
 * QEMU 7.2's direct kernel boot for 32-bit ARM (hw/arm/boot.c, arm_setup_direct_kernel_boot and
 * arm_load_dtb), as a plan of what goes where in RAM:
 *
 * - a raw kernel (zImage or Image) at RAM + 0x10000 (KERNEL_LOAD_ADDR), entered there; a uImage
 *   at its header's load address (kernel_noload: RAM + 0x02000000 + 64), entered at its ih_ep;
 * - the initrd at RAM + min(RAM size / 2, 128 MiB), or past the kernel's end if that is higher,
 *   page aligned; a uImage ramdisk loses its header;
 * - the DTB 4 KiB-aligned after the initrd's end (at the initrd address without one); the whole
 *   buffer is loaded (1 MiB for the generated tree; (file + 10000) × 2 for `--dtb`, as QEMU's
 *   load_device_tree sizes it);
 * - QEMU's boot stub at the start of RAM, where the CPU starts (SVC mode, as out of reset: virt
 *   has no EL2/EL3): `mov r0, #0; ldr r1, =board id; ldr r2, =dtb; ldr pc, =entry`. virt's board
 *   id is 0xffffffff (device tree only).
 *
 * A non-Linux uImage is started at its entry point with nothing else loaded, as QEMU does.
 */
import { FdtEditor } from './fdt-editor.js';
import { buildVirtDeviceTree, finishLinuxDeviceTree, VIRT_FDT_SIZE } from './virt-device-tree.js';
import { IH_TYPE_RAMDISK, KernelImageError, readUImageHeader, type KernelImage } from './kernel-image.js';

const MiB = 1024 * 1024;
const KERNEL_LOAD_ADDR = 0x00010000;
const KERNEL_NOLOAD_ADDR = 0x02000000;
const UIMAGE_HEADER_SIZE = 64;
const PAGE = 4096;
const DTB_ALIGN = 4096;
export const BOARD_ID_DEVICE_TREE = 0xffffffff;

/** QEMU's bootloader[] without the board-setup call: r0 = 0, r1 = board id, r2 = DTB, pc = entry. */
const BOOT_STUB = [0xe3a00000, 0xe59f1004, 0xe59f2004, 0xe59ff004] as const;

/** An initrd, DTB or kernel that QEMU would refuse too (what, where, what to do). */
export class LinuxBootError extends KernelImageError {
  constructor(message: string) {
    super(message);
    this.name = 'LinuxBootError';
  }
}

export interface LinuxBootInputs {
  kernel: Exclude<KernelImage, { format: 'elf' }>;
  /** `--initrd` file bytes. */
  initrd?: Uint8Array;
  /** `--append` command line. */
  cmdline?: string;
  /** `--dtb` file bytes (replaces the generated tree, as QEMU's -dtb). */
  dtb?: Uint8Array;
}

export interface RamLayout {
  /** RAM base (QEMU's loader_start). */
  base: number;
  /** RAM size as configured (`--memory`, QEMU's ram_size). */
  size: number;
  /** Bytes of RAM the emulator backs from `base` (the 32-bit address space may hold less). */
  backed: number;
}

export interface LoadedBlob {
  name: 'bootloader' | 'kernel' | 'initrd' | 'dtb';
  addr: number;
  data: Uint8Array;
}

export interface LinuxBootPlan {
  /** Where the CPU starts (the boot stub, or a non-Linux uImage's entry). */
  startPc: number;
  kernelAddr: number;
  kernelEntry: number;
  initrd?: { start: number; size: number };
  dtbAddr?: number;
  /** What to write into RAM, in QEMU's order (rewritten at every reset, as QEMU's ROM blobs). */
  blobs: LoadedBlob[];
  isLinux: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** What differs between the boards that boot Linux (QEMU's arm_boot_info and PSCI conduit). */
export interface LinuxBoardBoot {
  /** r1 at kernel entry: the machine type (virt: 0xffffffff, vexpress-a9: 0x8e0). */
  boardId: number;
  /** QEMU provides PSCI (virt, over HVC): /psci goes into the tree. */
  psci: boolean;
  /** The board's own edits after boot.c's (QEMU's arm_boot_info.modify_dtb). */
  modifyDtb?: (fdt: FdtEditor) => void;
}
const VIRT_BOARD_BOOT: LinuxBoardBoot = { boardId: BOARD_ID_DEVICE_TREE, psci: true };

/**
 * Lay out a Linux boot on a board whose RAM is `ram`; without `--dtb` the tree is virt's generated
 * one (boards without a generated tree must be given a DTB: the caller checks).
 */
export function planLinuxBoot(inputs: LinuxBootInputs, ram: RamLayout, board: LinuxBoardBoot = VIRT_BOARD_BOOT): LinuxBootPlan {
  const { kernel } = inputs;
  const ramEnd = ram.base + ram.size;
  const blobs: LoadedBlob[] = [];
  let kernelAddr: number;
  let entry: number;
  let isLinux = true;
  if (kernel.format === 'uimage') {
    if (kernel.loadAddr === undefined) {
      kernelAddr = ram.base + KERNEL_NOLOAD_ADDR + UIMAGE_HEADER_SIZE;
      entry = kernelAddr + kernel.entryOffset;
    } else {
      kernelAddr = kernel.loadAddr;
      entry = kernel.entryOffset;
    }
    isLinux = kernel.isLinux;
  } else {
    kernelAddr = ram.base + KERNEL_LOAD_ADDR;
    entry = kernelAddr;
    if (kernel.data.length > ram.size - KERNEL_LOAD_ADDR) {
      throw new LinuxBootError(`kernel is ${kernel.data.length} bytes, more than RAM holds after ${hex(kernelAddr)} (${ram.size} bytes of RAM): give more --memory`);
    }
  }
  if (kernel.data.length > ram.size) {
    throw new LinuxBootError(`kernel is too large to fit in RAM (kernel size ${kernel.data.length}, RAM size ${ram.size}): give more --memory`);
  }
  checkInRam('kernel', kernelAddr, kernel.data.length, ram);
  blobs.push({ name: 'kernel', addr: kernelAddr, data: kernel.data });
  if (!isLinux) {
    if (inputs.initrd || inputs.cmdline || inputs.dtb) {
      throw new LinuxBootError('--initrd, --append and --dtb are for Linux kernels; this uImage is not a Linux one (its OS field), so QEMU starts it bare at its entry point');
    }
    return { startPc: entry, kernelAddr, kernelEntry: entry, blobs, isLinux };
  }

  const imageHigh = kernelAddr + kernel.data.length;
  const initrdStart = alignUp(Math.max(ram.base + Math.min(ram.size / 2, 128 * MiB), imageHigh), PAGE);
  let initrdSize = 0;
  if (inputs.initrd !== undefined) {
    if (initrdStart >= ramEnd) throw new LinuxBootError(`not enough space after the kernel to load the initrd (it would start at ${hex(initrdStart)}, RAM ends at ${hex(ramEnd)}): give more --memory`);
    const data = initrdPayload(inputs.initrd);
    if (initrdStart + data.length > ramEnd) {
      throw new LinuxBootError(`the initrd (${data.length} bytes at ${hex(initrdStart)}) is too big to fit into RAM after the kernel (RAM ends at ${hex(ramEnd)}): give more --memory or a smaller initrd`);
    }
    checkInRam('initrd', initrdStart, data.length, ram);
    initrdSize = data.length;
    blobs.push({ name: 'initrd', addr: initrdStart, data });
  }

  const dtbAddr = alignUp(initrdStart + initrdSize, DTB_ALIGN);
  if (dtbAddr >= ramEnd) throw new LinuxBootError(`not enough space for the DTB after the kernel and initrd (it would start at ${hex(dtbAddr)}, RAM ends at ${hex(ramEnd)}): give more --memory`);
  const fdt = inputs.dtb === undefined ? buildVirtDeviceTree() : FdtEditor.fromBlob(inputs.dtb, dtbBufferSize(inputs.dtb.length), '--dtb file');
  finishLinuxDeviceTree(fdt, {
    ramBase: ram.base,
    ramSize: ram.size,
    cmdline: inputs.cmdline,
    initrd: initrdSize > 0 ? { start: initrdStart, size: initrdSize } : undefined,
    psci: board.psci,
  });
  board.modifyDtb?.(fdt);
  const dtb = fdt.toBlob();
  if (dtbAddr + dtb.length > ramEnd) {
    throw new LinuxBootError(`the DTB (${dtb.length} bytes at ${hex(dtbAddr)}) does not fit in RAM (it ends at ${hex(ramEnd)}): give more --memory or a smaller initrd`);
  }
  checkInRam('DTB', dtbAddr, dtb.length, ram);
  blobs.push({ name: 'dtb', addr: dtbAddr, data: dtb });

  const stub = new Uint8Array(7 * 4);
  const dv = new DataView(stub.buffer);
  [...BOOT_STUB, board.boardId, dtbAddr, entry].forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  blobs.unshift({ name: 'bootloader', addr: ram.base, data: stub });
  return {
    startPc: ram.base,
    kernelAddr,
    kernelEntry: entry,
    initrd: initrdSize > 0 ? { start: initrdStart, size: initrdSize } : undefined,
    dtbAddr,
    blobs,
    isLinux,
  };
}

/** QEMU's load_device_tree buffer for a `-dtb` file: (size + 10000) × 2. */
export function dtbBufferSize(fileSize: number): number {
  return (fileSize + 10000) * 2;
}

/** The generated virt tree's buffer size (what goes into RAM). */
export const GENERATED_DTB_SIZE = VIRT_FDT_SIZE;

/** load_ramdisk: a uImage ramdisk's payload (as stored), otherwise the file as is. */
function initrdPayload(bytes: Uint8Array): Uint8Array {
  const h = readUImageHeader(bytes);
  if (h === undefined || h.type !== IH_TYPE_RAMDISK) return bytes;
  if (UIMAGE_HEADER_SIZE + h.size > bytes.length) {
    throw new LinuxBootError(`--initrd: uImage ramdisk header says ${h.size} data bytes but the file has ${bytes.length - UIMAGE_HEADER_SIZE}; the file is truncated`);
  }
  return bytes.slice(UIMAGE_HEADER_SIZE, UIMAGE_HEADER_SIZE + h.size);
}

function checkInRam(what: string, addr: number, len: number, ram: RamLayout): void {
  if (addr < ram.base || addr + len > ram.base + ram.backed) {
    const where = addr < ram.base ? `below RAM (which starts at ${hex(ram.base)})` : `past the ${ram.backed >= ram.size ? 'end of RAM' : 'RAM armrr backs in the 32-bit address space'} (${hex(ram.base + ram.backed)})`;
    throw new LinuxBootError(`the ${what} (${len} bytes at ${hex(addr)}) lies ${where}; check the image's load address or --memory`);
  }
}
