/**
 * Build a machine and load a firmware image into it: the one place that turns (machine name,
 * options, ELF bytes, I/O ports) into a ready-to-run Machine, plus the fingerprint of exactly
 * those inputs (DESIGN §3: first 8 bytes of SHA-256 over machine name, execution options, image).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createMachine } from './machines/index.js';
import { loadFirmware, parseElf, type LoadedElf } from './loader/elf.js';
import { BoardOptionError, VIRT_NAME, virtMemory, virtProfile } from './machines/virt.js';
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
  /** `--cpu` and `--memory` (bytes), for boards that take them. */
  cpu?: string;
  memoryBytes?: number;
  /** `--rtc-base` (seconds since the epoch), for boards with an RTC (virt). */
  rtcBase?: number;
}

/** The board options besides machine and shift that change execution (part of the fingerprint). */
export interface BoardIdentity {
  cpu?: string;
  memoryBytes?: number;
  rtcBase?: number;
}

/**
 * Check `--cpu`/`--memory` against the board and give the fingerprint text for them: empty for the
 * M-profile boards (whose logs predate these options), "cpu=..., memory=..." with defaults resolved
 * for virt. Throws BoardOptionError (a usage error) for options the board cannot take.
 */
export function boardOptionsKey(machine: string, board: BoardIdentity = {}): string {
  if (machine === VIRT_NAME) {
    // --rtc-base only when given, so logs recorded on the host clock keep their fingerprint.
    const rtc = board.rtcBase === undefined ? '' : `rtc-base=${board.rtcBase}\0`;
    return `cpu=${virtProfile(board.cpu).name}\0memory=${virtMemory(board.memoryBytes)}\0${rtc}`;
  }
  if (board.rtcBase !== undefined) throw new BoardOptionError(`machine '${machine}' has no RTC; --rtc-base is for virt (its PL031)`);
  if (board.memoryBytes !== undefined) throw new BoardOptionError(`machine '${machine}' has fixed memory; --memory is for virt`);
  if (board.cpu !== undefined) {
    const own = machine === 'mps2-an386' ? 'cortex-m4' : 'cortex-m3';
    if (board.cpu !== own) throw new BoardOptionError(`--cpu ${board.cpu} does not fit machine '${machine}'; it has a ${own}`);
  }
  return '';
}

/** The JIT default: on, unless ARMRR_JIT=0 (lets a whole test suite run interpreter-only). */
export function jitDefault(): boolean {
  return process.env.ARMRR_JIT !== '0';
}

export interface BootedMachine {
  machine: Machine;
  elf: LoadedElf;
  fingerprint: Uint8Array;
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
  const h = createHash('sha256');
  h.update(`armrr-fingerprint-v1\0${machine}\0shift=${icountShift}\0${boardOptionsKey(machine, board)}`);
  h.update(image);
  return new Uint8Array(h.digest().subarray(0, 8));
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
    throw new ProfileMismatchError(`this ELF is built for an ${profile}-profile core; machine '${machineName}' has a Cortex-M core: use --machine virt`);
  }
}

export function bootFirmware(image: Uint8Array, opts: BootOptions): BootedMachine {
  const board: BoardIdentity = { cpu: opts.cpu, memoryBytes: opts.memoryBytes, rtcBase: opts.rtcBase };
  boardOptionsKey(opts.machine, board);
  const machine = createMachine(opts.machine, {
    icountShift: opts.icountShift,
    serial: opts.serial,
    host: opts.host,
    output: opts.output,
    jit: opts.jit ?? jitDefault(),
    cpu: opts.cpu,
    memoryBytes: opts.memoryBytes,
    rtcBase: opts.rtcBase,
  });
  checkProfile(opts.machine, machine.core.profile.arch, image);
  opts.serial.bindClock?.(machine.clock);
  const elf = loadFirmware(machine, image);
  return { machine, elf, fingerprint: fingerprintOf(opts.machine, opts.icountShift, image, board) };
}
