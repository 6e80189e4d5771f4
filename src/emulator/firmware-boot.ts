/**
 * Build a machine and load a firmware image into it: the one place that turns (machine name,
 * options, ELF bytes, I/O ports) into a ready-to-run Machine, plus the fingerprint of exactly
 * those inputs (DESIGN §3: first 8 bytes of SHA-256 over machine name, execution options, image).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createMachine, loadBoard } from './machines/board-registry.js';
import { loadFirmware, parseElf, type LoadedElf } from './loader/elf.js';
import { BoardOptionError } from './machines/board-option-error.js';
import { VIRT_MAX_BACKED, VIRT_NAME, VIRT_RAM_BASE, virtMemory, virtProfile } from './machines/virt-limits.js';
import { VEXPRESS_A9_NAME, VEXPRESS_BOARD_ID, VEXPRESS_RAM_BASE, vexpressMemory, vexpressProfile } from './machines/vexpress-limits.js';
import { identifyKernelImage, type KernelImage } from './boot/kernel-image.js';
import { addVexpressVirtioNodes } from './boot/vexpress-device-tree.js';
import { planLinuxBoot, type LinuxBootPlan } from './boot/arm-linux-boot.js';
import { planElfDeviceTree } from './boot/elf-device-tree.js';
import { Semihosting, type LoadedExtent } from './semihosting.js';
import { CfiFlash } from './devices/cfi-flash.js';
import type { Machine } from './machines/machine.js';
import type { HostPort, OutputSink, SerialInput } from './io/input-port.js';

export interface BootOptions {
  machine: string;
  icountShift: number;
  serial: SerialInput;
  host: HostPort;
  output: OutputSink;
  /** Block JIT on or off; default: on unless the environment says ARMRR_JIT=0 (as `--no-jit`). */
  jit?: boolean;
  /** The A32 JIT's WebAssembly tier on or off (with the JIT); default: on unless ARMRR_WASM=0 (as `--no-wasm`). */
  wasm?: boolean;
  /** `--cpu` and `--memory` (bytes), for boards that take them. */
  cpu?: string;
  memoryBytes?: number;
  /** `--rtc-base` (seconds since the epoch), for boards with an RTC (virt). */
  rtcBase?: number;
  /** `--initrd`, `--append`, `--dtb` for a Linux kernel image (virt). */
  initrd?: Uint8Array;
  append?: string;
  dtb?: Uint8Array;
}

/** The board options besides machine and shift that change execution (part of the fingerprint). */
export interface BoardIdentity {
  cpu?: string;
  memoryBytes?: number;
  rtcBase?: number;
  /** The Linux boot inputs (QEMU's -initrd, -append, -dtb): file contents and the command line. */
  initrd?: Uint8Array;
  append?: string;
  dtb?: Uint8Array;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Check `--cpu`/`--memory` against the board and give the fingerprint text for them: empty for the
 * M-profile boards (whose logs predate these options), "cpu=..., memory=..." with defaults resolved
 * for virt. Throws BoardOptionError (a usage error) for options the board cannot take.
 */
export function boardOptionsKey(machine: string, board: BoardIdentity = {}): string {
  if (machine === VIRT_NAME) return `cpu=${virtProfile(board.cpu).name}\0memory=${virtMemory(board.memoryBytes)}\0${linuxInputsKey(board)}`;
  if (machine === VEXPRESS_A9_NAME) return `cpu=${vexpressProfile(board.cpu).name}\0memory=${vexpressMemory(board.memoryBytes)}\0${linuxInputsKey(board)}`;
  if (board.initrd !== undefined || board.append !== undefined || board.dtb !== undefined) {
    throw new BoardOptionError(`machine '${machine}' boots firmware ELFs only; --initrd, --append and --dtb are for Linux kernels on virt and vexpress-a9`);
  }
  if (board.rtcBase !== undefined) throw new BoardOptionError(`machine '${machine}' has no RTC; --rtc-base is for virt and vexpress-a9 (their PL031)`);
  if (board.memoryBytes !== undefined) throw new BoardOptionError(`machine '${machine}' has fixed memory; --memory is for virt and vexpress-a9`);
  if (board.cpu !== undefined) {
    const own = machine === 'mps2-an386' ? 'cortex-m4' : 'cortex-m3';
    if (board.cpu !== own) throw new BoardOptionError(`--cpu ${board.cpu} does not fit machine '${machine}'; it has a ${own}`);
  }
  return '';
}

/**
 * The key lines of an A-profile board's RTC base and Linux boot inputs, each only when given: logs
 * recorded on the host clock, and the fingerprints of ELF runs, keep what they were before these
 * options existed.
 */
function linuxInputsKey(board: BoardIdentity): string {
  const rtc = board.rtcBase === undefined ? '' : `rtc-base=${board.rtcBase}\0`;
  const initrd = board.initrd === undefined ? '' : `initrd=${sha256Hex(board.initrd)}\0`;
  const append = board.append === undefined ? '' : `append=${board.append}\0`;
  const dtb = board.dtb === undefined ? '' : `dtb=${sha256Hex(board.dtb)}\0`;
  return `${rtc}${initrd}${append}${dtb}`;
}

/** The JIT default: on, unless ARMRR_JIT=0 (lets a whole test suite run interpreter-only). */
export function jitDefault(): boolean {
  return process.env.ARMRR_JIT !== '0';
}

/** The WebAssembly tier's default: on, unless ARMRR_WASM=0 (the JS tiers alone, for tests and A/B runs). */
export function wasmDefault(): boolean {
  return process.env.ARMRR_WASM !== '0';
}

export interface BootedMachine {
  machine: Machine;
  /** The ELF's entry, segments and symbols (empty for a Linux kernel image). */
  elf: LoadedElf;
  fingerprint: Uint8Array;
  /** For a zImage/uImage/Image: where QEMU's boot protocol put the kernel, initrd, DTB and stub. */
  linux?: LinuxBootPlan;
}

/** Typed error for unreadable firmware files. */
export class FirmwareFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirmwareFileError';
  }
}

export function readFirmware(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new FirmwareFileError(`cannot read firmware '${path}': ${why}`);
  }
}

export function fingerprintOf(machine: string, icountShift: number, image: Uint8Array, board: BoardIdentity = {}): Uint8Array {
  const key = boardOptionsKey(machine, board);
  if (isLinuxBoot(machine, image)) {
    const out = new Uint8Array(8);
    const h = createHash('sha256').update(`armrr-fingerprint-v2\0${machine}\0shift=${icountShift}\0${key}`).update(imageDigest(image));
    out.set(h.digest().subarray(0, 3), 0);
    out.set(linuxPartBytes(machine, image, board), 3);
    return out;
  }
  const h = createHash('sha256');
  h.update(`armrr-fingerprint-v1\0${machine}\0shift=${icountShift}\0${key}`);
  h.update(image);
  return new Uint8Array(h.digest().subarray(0, 8));
}

/**
 * A Linux boot's fingerprint (virt or vexpress-a9, a kernel image rather than an ELF) keeps one byte for each input
 * a user may get wrong, so a refused replay can say which differs (DESIGN §6): bytes 3..7 are
 * these, bytes 0..2 cover everything (machine, shift, --cpu, --rtc-base and all of these).
 */
export const LINUX_FINGERPRINT_PARTS = ['the kernel image', 'the --initrd file', 'the --append command line', 'the --dtb file', 'the --memory size'] as const;

const LINUX_MACHINES: readonly string[] = [VIRT_NAME, VEXPRESS_A9_NAME];
const isElfImage = (image: Uint8Array): boolean => image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;

function isLinuxBoot(machine: string, image: Uint8Array): boolean {
  return LINUX_MACHINES.includes(machine) && !isElfImage(image);
}

/** The image's SHA-256, computed once per image (a replay tries every machine and shift with it). */
const imageDigests = new WeakMap<Uint8Array, Buffer>();
function imageDigest(image: Uint8Array): Buffer {
  let d = imageDigests.get(image);
  if (d === undefined) {
    d = createHash('sha256').update(image).digest();
    imageDigests.set(image, d);
  }
  return d;
}

function linuxPartBytes(machine: string, image: Uint8Array, board: BoardIdentity): number[] {
  const memory = machine === VEXPRESS_A9_NAME ? vexpressMemory(board.memoryBytes) : virtMemory(board.memoryBytes);
  const part = (name: string, value: string | Uint8Array): number => createHash('sha256').update(`${name}\0`).update(value).digest()[0]!;
  const file = (b: Uint8Array | undefined): string => (b === undefined ? 'none' : sha256Hex(b));
  return [
    imageDigest(image)[0]!,
    part('initrd', file(board.initrd)),
    part('append', board.append === undefined ? '\0none' : board.append),
    part('dtb', file(board.dtb)),
    part('memory', String(memory)),
  ];
}

/**
 * For a Linux boot whose fingerprint matched no machine and shift: which of the inputs named in
 * LINUX_FINGERPRINT_PARTS differ from the recording's (empty if none of their bytes does: then it
 * is --cpu or --rtc-base); undefined when `image` is an ELF (no per-input bytes). The board is
 * unknown here (only --memory's default depends on it): the one with the fewest differences.
 */
export function linuxFingerprintDifferences(recorded: Uint8Array, image: Uint8Array, board: BoardIdentity): string[] | undefined {
  if (isElfImage(image)) return undefined;
  let best: string[] | undefined;
  for (const machine of LINUX_MACHINES) {
    let now: number[];
    try {
      now = linuxPartBytes(machine, image, board);
    } catch {
      continue; // --memory that this board cannot have
    }
    const differs = LINUX_FINGERPRINT_PARTS.filter((_, i) => recorded[3 + i] !== now[i]);
    if (best === undefined || differs.length < best.length) best = differs;
  }
  return best;
}

/** An ELF built for another profile than the board's core (usage error: it says what fits). */
export class ProfileMismatchError extends BoardOptionError {}

/** The ELF's Tag_CPU_arch_profile against the board's core: A/R code needs an A-profile core, M code an M one. */
function checkProfile(machineName: string, arch: 'v7m' | 'v7a', image: Uint8Array): void {
  const profile = parseElf(image).armProfile;
  if (profile === undefined) return;
  if (profile === 'M' && arch === 'v7a') {
    throw new ProfileMismatchError(`this ELF is built for an M-profile core (Cortex-M); machine '${machineName}' has an A-profile core: use --machine mps2-an385 or mps2-an386`);
  }
  if ((profile === 'A' || profile === 'R') && arch === 'v7m') {
    throw new ProfileMismatchError(`this ELF is built for an ${profile}-profile core; machine '${machineName}' has a Cortex-M core: use --machine virt or vexpress-a9`);
  }
}

/** `bootFirmware` after importing only the board it needs (the CLI's path: start-up time). */
export async function loadBoardAndBoot(image: Uint8Array, opts: BootOptions): Promise<BootedMachine> {
  await loadBoard(opts.machine);
  return bootFirmware(image, opts);
}

/** Build the machine (its board loaded: boot.ts loads all, `loadBoard` one) and load the image. */
export function bootFirmware(image: Uint8Array, opts: BootOptions): BootedMachine {
  const board: BoardIdentity = {
    cpu: opts.cpu,
    memoryBytes: opts.memoryBytes,
    rtcBase: opts.rtcBase,
    initrd: opts.initrd,
    append: opts.append,
    dtb: opts.dtb,
  };
  boardOptionsKey(opts.machine, board);
  // Only virt and vexpress-a9 boot Linux images; elsewhere the file must be an ELF (the ELF loader says why not).
  const kernel: KernelImage = opts.machine === VIRT_NAME || opts.machine === VEXPRESS_A9_NAME ? identifyKernelImage(image) : { format: 'elf' };
  const machine = createMachine(opts.machine, {
    icountShift: opts.icountShift,
    serial: opts.serial,
    host: opts.host,
    output: opts.output,
    jit: opts.jit ?? jitDefault(),
    wasm: opts.wasm ?? wasmDefault(),
    cpu: opts.cpu,
    memoryBytes: opts.memoryBytes,
    rtcBase: opts.rtcBase,
  });
  opts.serial.bindClock?.(machine.clock);
  const fingerprint = fingerprintOf(opts.machine, opts.icountShift, image, board);
  if (kernel.format !== 'elf') {
    const linux = bootLinuxKernel(opts.machine, machine, kernel, board);
    return { machine, elf: { entry: linux.startPc, segments: [], symbols: new Map() }, fingerprint, linux };
  }
  if (opts.initrd !== undefined || opts.append !== undefined || opts.dtb !== undefined) {
    throw new BoardOptionError('--initrd, --append and --dtb are for Linux kernel images (zImage, uImage, Image); an ELF is started bare at its entry point');
  }
  checkProfile(opts.machine, machine.core.profile.arch, image);
  const images: LoadedExtent[] = opts.machine === VIRT_NAME ? placeElfDeviceTree(machine, image, board) : [];
  const elf = loadFirmware(machine, image);
  // A-profile SYS_HEAPINFO: the gap QEMU finds between the loaded images (M-profile: mps2's fixed PSRAM).
  if (machine.core.profile.arch === 'v7a') {
    for (const s of elf.segments) images.push({ addr: s.paddr, size: s.memSize });
    machine.devices.find((d): d is Semihosting => d instanceof Semihosting)?.placeHeapAround(images);
  }
  return { machine, elf, fingerprint };
}

/**
 * virt's device tree for a bare-metal ELF, where QEMU puts it (start of RAM or of flash bank 0);
 * returns what it put in RAM.
 */
function placeElfDeviceTree(machine: Machine, image: Uint8Array, board: BoardIdentity): LoadedExtent[] {
  const plan = planElfDeviceTree(parseElf(image).segments, VIRT_RAM_BASE, virtMemory(board.memoryBytes));
  if (plan.where === 'ram') {
    machine.resetImages.push({ addr: plan.addr, data: plan.data });
    return [{ addr: plan.addr, size: plan.data.length }];
  }
  if (plan.where === 'flash') {
    const flash = machine.devices.find((d): d is CfiFlash => d instanceof CfiFlash && d.name === 'flash0');
    flash?.setResetImage(plan.data);
  }
  return [];
}

/** QEMU's direct kernel boot: lay the images out, keep them as reset images, reset into the stub. */
function bootLinuxKernel(machineName: string, machine: Machine, kernel: Exclude<KernelImage, { format: 'elf' }>, board: BoardIdentity): LinuxBootPlan {
  const inputs = { kernel, initrd: board.initrd, cmdline: board.append, dtb: board.dtb };
  let plan: LinuxBootPlan;
  if (machineName === VEXPRESS_A9_NAME) {
    // QEMU boots vexpress-a9 kernels Secure (secure=on is its default) with the given DTB, or with
    // ATAGs without one; armrr builds no ATAGs.
    if (board.dtb === undefined && kernel.format !== 'uimage') {
      throw new BoardOptionError("vexpress-a9 boots Linux with a device tree only: give --dtb (Debian's vexpress-v2p-ca9.dtb); QEMU would pass ATAGs, which armrr does not build");
    }
    const size = vexpressMemory(board.memoryBytes);
    plan = planLinuxBoot(inputs, { base: VEXPRESS_RAM_BASE, size, backed: size }, {
      boardId: VEXPRESS_BOARD_ID,
      psci: false,
      modifyDtb: addVexpressVirtioNodes,
    });
  } else {
    const size = virtMemory(board.memoryBytes);
    plan = planLinuxBoot(inputs, { base: VIRT_RAM_BASE, size, backed: Math.min(size, VIRT_MAX_BACKED) });
  }
  for (const b of plan.blobs) machine.resetImages.push({ addr: b.addr, data: b.data });
  machine.exceptions.setBootEntry?.(plan.startPc);
  machine.reset();
  return plan;
}
