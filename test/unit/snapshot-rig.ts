/**
 * In-process record/replay rig for the snapshot and seek tests: record a firmware into an in-memory
 * log, and build replay machines and timelines on it exactly as `armrr replay` / `--gdb` do
 * (src/cli/commands/replay.ts, src/cli/gdb-replay.ts `buildReplayTarget`).
 */
import { readFileSync } from 'node:fs';
import { bootFirmware } from '../../src/emulator/boot.js';
import { LiveHostPort, NoSerialInput, PacedSerialInput } from '../../src/emulator/io/live-ports.js';
import type { OutputSink } from '../../src/emulator/io/input-port.js';
import type { Machine, RunHooks } from '../../src/emulator/machines/machine.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { ReplayLogWriter } from '../../src/replay/log-writer.js';
import { Recorder } from '../../src/replay/recorder.js';
import { Replayer } from '../../src/replay/replayer.js';
import { ReplayTimeline } from '../../src/snapshots/timeline.js';

export const MACHINE = 'mps2-an385';

export interface Recorded {
  name: string;
  image: Uint8Array;
  log: Uint8Array;
  shift: number;
  /** Icount of the log's last event. */
  end: number;
  /** Board the log was recorded on (default MACHINE). */
  machine?: string;
}

export function recordInProcess(
  elf: string,
  opts: { input?: string; shift?: number; maxInsns?: number; jit?: boolean; machine?: string } = {},
): Recorded {
  const image = new Uint8Array(readFileSync(elf));
  const shift = opts.shift ?? 5;
  const serial = opts.input ? new PacedSerialInput(new TextEncoder().encode(opts.input)) : new NoSerialInput();
  const output: OutputSink = { uartWrite: () => {}, consoleWrite: () => {} };
  // The writer needs the fingerprint before the machine exists; bootFirmware computes the same one.
  const board = opts.machine ?? MACHINE;
  const probe = bootFirmware(image, { machine: board, icountShift: shift, serial: new NoSerialInput(), host: new LiveHostPort(), output });
  const writer = ReplayLogWriter.inMemory(probe.fingerprint);
  const recorder = new Recorder(writer, { serial, host: new LiveHostPort(), output });
  const { machine } = bootFirmware(image, { machine: board, icountShift: shift, ...recorder.ports, jit: opts.jit });
  const hooks = recorder.attach(machine);
  const stop = machine.run(opts.maxInsns ?? 5e7, hooks);
  recorder.finish(stop.kind === 'exit' ? 'GUEST_SHUTDOWN' : 'HOST_SIGNAL');
  writer.close(machine.icount);
  const log = writer.bytes();
  return { name: elf.replace(/.*\//, ''), image, log, shift, end: endIcount(log), machine: board };
}

export function endIcount(log: Uint8Array): number {
  let end = 0;
  for (const e of new ReplayLogReader(log)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  return end;
}

/** UART0/console output with the icount at which each byte was written. */
export class TimedOutput implements OutputSink {
  bytes: number[] = [];
  at: number[] = [];
  constructor(private readonly icount: () => number) {}
  uartWrite(device: number, byte: number): void {
    if (device !== 0) return;
    this.bytes.push(byte);
    this.at.push(this.icount());
  }
  consoleWrite(data: Uint8Array): void {
    for (const b of data) {
      this.bytes.push(b);
      this.at.push(this.icount());
    }
  }
  clear(): void {
    this.bytes = [];
    this.at = [];
  }
  /** Bytes written after icount t (by instructions t+1, t+2, ...). */
  after(t: number): number[] {
    return this.bytes.filter((_, i) => this.at[i]! > t);
  }
}

export interface ReplayRig {
  machine: Machine;
  replayer: Replayer;
  hooks: RunHooks;
  out: TimedOutput;
}

/** `jit` undefined = the default (on unless ARMRR_JIT=0). */
export function replayRig(rec: Recorded, jit?: boolean): ReplayRig {
  let m: Machine | null = null;
  const out = new TimedOutput(() => m?.icount ?? 0);
  const replayer = new Replayer(new ReplayLogReader(rec.log), out);
  const { machine } = bootFirmware(rec.image, { machine: rec.machine ?? MACHINE, icountShift: rec.shift, ...replayer.ports, jit });
  m = machine;
  const hooks = replayer.attach(machine);
  return { machine, replayer, hooks, out };
}

/** The reference: one straight `machine.run(t)` on a fresh replay machine. */
export function straightHash(rec: Recorded, t: number, jit?: boolean): string {
  const r = replayRig(rec, jit);
  r.machine.run(t, r.hooks);
  return r.machine.stateHash();
}

export function timelineRig(
  rec: Recorded,
  interval: number,
  budgetBytes = 1 << 30,
  jit?: boolean,
  onOverBudget?: (bytes: number, budgetBytes: number) => void,
): ReplayRig & { timeline: ReplayTimeline } {
  const r = replayRig(rec, jit);
  const timeline = new ReplayTimeline(r.machine, r.hooks, () => r.replayer.position(), (at) => r.replayer.restore(at), {
    interval,
    budgetBytes,
    endIcount: rec.end,
    onOverBudget,
  });
  return { ...r, timeline };
}
