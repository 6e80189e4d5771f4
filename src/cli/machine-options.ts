/** Options shared by `run` and `record`, and the process-side I/O they need. */
import { fstatSync, readFileSync } from 'node:fs';
import { CliError, EXIT_EMULATION, parseCount } from './errors.js';
import { MACHINE_NAMES, isMachineName } from '../emulator/machines/board-registry.js';
import { boardOptionsKey } from '../emulator/firmware-boot.js';
import { BoardOptionError } from '../emulator/machines/board-option-error.js';
import { parseRtcBase } from '../emulator/devices/pl031.js';
import { PacedSerialInput, StreamSerialInput, NoSerialInput, StreamOutputSink, DEFAULT_INPUT_GAP_NS } from '../emulator/io/live-ports.js';
import type { SerialInput, OutputSink } from '../emulator/io/input-port.js';
import { ConsoleMux } from './console-mux.js';
import type { StopReason } from '../emulator/machines/machine.js';

export interface MachineCliOptions {
  machine: string;
  icountShift: string;
  maxInsns?: string;
  input?: string;
  inputGap?: string;
  /** `--console terminal|mux` (mux: QEMU's -serial mon:stdio escapes). */
  console?: string;
  realtime?: boolean;
  /** false with --no-jit. */
  jit?: boolean;
  /** false with --no-wasm. */
  wasm?: boolean;
  cpu?: string;
  memory?: string;
  /** `--rtc-base DATETIME` (virt). */
  rtcBase?: string;
  /** `--initrd FILE`, `--append CMDLINE`, `--dtb FILE` (a Linux kernel on virt). */
  initrd?: string;
  append?: string;
  dtb?: string;
}

/**
 * How typed bytes reach UART0. 'terminal': a terminal goes raw and Ctrl-C stops armrr. 'mux': as
 * QEMU's `-serial mon:stdio`, Ctrl-C goes to the guest and Ctrl-A X quits (ConsoleMux).
 */
export type ConsoleMode = 'terminal' | 'mux';

export function parseConsoleMode(raw: string | undefined): ConsoleMode {
  if (raw === undefined || raw === 'terminal') return 'terminal';
  if (raw === 'mux') return 'mux';
  throw new CliError(`--console must be 'terminal' or 'mux' (as QEMU's -serial mon:stdio), got '${raw}'`);
}

export interface ResolvedMachineOptions {
  machine: string;
  icountShift: number;
  maxInsns: number;
  inputGapInsns: number | undefined;
  console: ConsoleMode;
  realtime: boolean;
  /** false = interpreter only; undefined = the default (on unless ARMRR_JIT=0). */
  jit: boolean | undefined;
  /** false = no WebAssembly tier; undefined = the default (on unless ARMRR_WASM=0). */
  wasm: boolean | undefined;
  /** `--cpu` / `--memory` as given (undefined = the board's default). */
  cpu: string | undefined;
  memoryBytes: number | undefined;
  /** `--rtc-base` in seconds since the epoch (undefined: the RTC reads the host clock). */
  rtcBase: number | undefined;
  /** The Linux boot inputs: file contents and the command line, as given. */
  initrd: Uint8Array | undefined;
  append: string | undefined;
  dtb: Uint8Array | undefined;
}

/** `--initrd` / `--dtb` contents; a file that cannot be read is a usage error. */
export function readBootFile(option: string, path: string | undefined): Uint8Array | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new CliError(`cannot read ${option} '${path}': ${why}`);
  }
}

/** The Linux boot options of run/record/replay, read. */
export function linuxBootOptions(o: { initrd?: string; append?: string; dtb?: string }): {
  initrd: Uint8Array | undefined;
  append: string | undefined;
  dtb: Uint8Array | undefined;
} {
  return { initrd: readBootFile('--initrd', o.initrd), append: o.append, dtb: readBootFile('--dtb', o.dtb) };
}

/** `--rtc-base` (QEMU's -rtc base=...,clock=vm) as seconds since the epoch; usage error if malformed. */
export function parseRtcBaseOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseRtcBase(raw);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** QEMU's -m syntax: a number of MiB, or with a K/M/G/T suffix (B for bytes). */
export function parseMemorySize(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtTbB]?)i?[bB]?$/.exec(raw.trim());
  if (!m) throw new CliError(`--memory must be a size like 128M, 1G or 512 (MiB, as QEMU's -m), got '${raw}'`);
  const unit = (m[2] ?? '').toUpperCase();
  const scale = unit === 'B' ? 1 : unit === 'K' ? 1024 : unit === 'G' ? 2 ** 30 : unit === 'T' ? 2 ** 40 : 2 ** 20;
  const bytes = Math.round(Number(m[1]) * scale);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new CliError(`--memory size out of range: '${raw}'`);
  return bytes;
}

export function resolveMachineOptions(o: MachineCliOptions): ResolvedMachineOptions {
  if (!isMachineName(o.machine)) {
    throw new CliError(`unknown machine '${o.machine}'; available: ${MACHINE_NAMES.join(', ')}`);
  }
  const shift = parseCount('--icount-shift', o.icountShift);
  if (shift > 10) throw new CliError(`--icount-shift must be 0..10 (as QEMU's -icount shift=N), got ${shift}`);
  const maxInsns = o.maxInsns === undefined ? Infinity : parseCount('--max-insns', o.maxInsns);
  const gap = o.inputGap === undefined ? undefined : parseCount('--input-gap', o.inputGap);
  // Pacing defaults on for a human at a terminal (DESIGN §2), off for files and pipes.
  const interactive = o.input === '-' || (o.input === undefined && process.stdin.isTTY === true);
  const realtime = o.realtime ?? interactive;
  const memoryBytes = o.memory === undefined ? undefined : parseMemorySize(o.memory);
  const rtcBase = parseRtcBaseOption(o.rtcBase);
  const linux = linuxBootOptions(o);
  try {
    boardOptionsKey(o.machine, { cpu: o.cpu, memoryBytes, rtcBase, ...linux });
  } catch (e) {
    if (e instanceof BoardOptionError) throw new CliError(e.message);
    throw e;
  }
  return {
    machine: o.machine,
    icountShift: shift,
    maxInsns,
    inputGapInsns: gap,
    console: parseConsoleMode(o.console),
    realtime,
    jit: o.jit === false ? false : undefined,
    wasm: o.wasm === false ? false : undefined,
    cpu: o.cpu,
    memoryBytes,
    rtcBase,
    ...linux,
  };
}

export interface OpenedInput {
  serial: SerialInput;
  /** Set when input arrives live (stdin): the session waits on it while the guest idles. */
  live?: StreamSerialInput;
  /** Console (semihosting SYS_READC/READ) source. */
  console: { read(max: number): Uint8Array | null };
  /** Set by Ctrl-A X in mux mode: the run ends as QEMU's mux quits (SHUTDOWN HOST_QMP_QUIT, exit 0). */
  readonly quitRequested: boolean;
  close(): void;
}

/**
 * `--input FILE` is paced on virtual time; `--input -` (or, without --input, a terminal or pipe on
 * stdin) is live. A terminal is put in raw mode so each key reaches the UART; Ctrl-C stops.
 */
export function openSerialInput(spec: string | undefined, gapInsns: number | undefined, shift: number, mode: ConsoleMode = 'terminal'): OpenedInput {
  const gapNs = gapInsns === undefined ? DEFAULT_INPUT_GAP_NS : gapInsns * 2 ** shift;
  const noConsole = { read: () => null };
  if (spec !== undefined && spec !== '-') {
    let data: Uint8Array;
    try {
      data = readFileSync(spec);
    } catch (e) {
      throw new CliError(`cannot read --input '${spec}': ${(e as Error).message}`);
    }
    return { serial: new PacedSerialInput(data, gapNs), console: noConsole, quitRequested: false, close: () => {} };
  }
  const stdin = process.stdin;
  const useStdin = spec === '-' || stdin.isTTY === true || isPipeOrFile();
  if (!useStdin) return { serial: new NoSerialInput(), console: noConsole, quitRequested: false, close: () => {} };
  const live = new StreamSerialInput(gapNs);
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  let quitRequested = false;
  const mux =
    mode === 'mux'
      ? new ConsoleMux({
          quit: () => {
            quitRequested = true;
            live.onData?.(); // wake a session waiting on input
          },
          tell: (text) => void process.stderr.write(text),
        })
      : null;
  const onData = (chunk: Buffer): void => {
    if (mux !== null) {
      const bytes = mux.filter(chunk);
      if (bytes.length > 0) live.push(bytes);
      return;
    }
    if (stdin.isTTY && chunk.includes(0x03)) {
      process.emit('SIGINT');
      return;
    }
    live.push(chunk);
  };
  const onEnd = (): void => live.end();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.on('error', onEnd);
  return {
    serial: live,
    live,
    console: noConsole,
    get quitRequested() {
      return quitRequested;
    },
    close: () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      if (stdin.isTTY) stdin.setRawMode(wasRaw);
      stdin.pause();
      stdin.unref?.();
    },
  };
}

function isPipeOrFile(): boolean {
  // fd 0 may be closed (CI runs with no stdin) or /dev/null; fstat tells pipes and files apart.
  try {
    const s = fstatSync(0);
    return s.isFIFO() || s.isFile() || s.isSocket();
  } catch {
    return false;
  }
}

/** UART0 to stdout, semihosting console to stderr (as QEMU 7.2 does without a semihosting chardev). */
export function processOutputSink(): OutputSink {
  return new StreamOutputSink(
    (d) => process.stdout.write(d),
    (d) => process.stderr.write(d),
  );
}

/** Report how a run ended; returns the process exit code. */
export function describeStop(stop: StopReason, icount: number, maxInsns: number): number {
  const say = (m: string): void => void process.stderr.write(`armrr: ${m}\n`);
  switch (stop.kind) {
    case 'exit':
      return stop.code;
    case 'limit':
      say(`stopped after ${icount} instructions (--max-insns ${maxInsns})`);
      return EXIT_EMULATION;
    case 'idle':
      say(`guest is idle (WFI) with no timer armed and no input left; stopped at icount ${icount}`);
      return EXIT_EMULATION;
    case 'lockup':
      say(`guest locked up (fault while handling a fault) at pc 0x${stop.pc.toString(16)}, icount ${icount}`);
      return EXIT_EMULATION;
    case 'halt':
      say(`stopped (${stop.reason}) at icount ${icount}`);
      return stop.reason === 'interrupted' ? 130 : EXIT_EMULATION;
    case 'breakpoint':
      say(`stopped at breakpoint 0x${stop.pc.toString(16)}, icount ${icount}`);
      return EXIT_EMULATION;
    case 'watchpoint':
      say(`stopped at watchpoint 0x${stop.addr.toString(16)}, icount ${icount}`);
      return EXIT_EMULATION;
  }
}
