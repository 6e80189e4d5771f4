/**
 * Build a machine and load a firmware image into it: the one place that turns (machine name,
 * options, ELF bytes, I/O ports) into a ready-to-run Machine, plus the fingerprint of exactly
 * those inputs (DESIGN §3: first 8 bytes of SHA-256 over machine name, execution options, image).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createMachine } from './machines/index.js';
import { loadFirmware, type LoadedElf } from './loader/elf.js';
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

export function fingerprintOf(machine: string, icountShift: number, image: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(`armrr-fingerprint-v1\0${machine}\0shift=${icountShift}\0`);
  h.update(image);
  return new Uint8Array(h.digest().subarray(0, 8));
}

export function bootFirmware(image: Uint8Array, opts: BootOptions): BootedMachine {
  const machine = createMachine(opts.machine, {
    icountShift: opts.icountShift,
    serial: opts.serial,
    host: opts.host,
    output: opts.output,
    jit: opts.jit ?? jitDefault(),
  });
  opts.serial.bindClock?.(machine.clock);
  const elf = loadFirmware(machine, image);
  return { machine, elf, fingerprint: fingerprintOf(opts.machine, opts.icountShift, image) };
}
