/**
 * A live run that can go back in time: `armrr run --gdb`.
 *
 * The machine runs on live inputs while a Recorder logs them into memory. Going back means
 * restoring a snapshot and *replaying* that in-memory log (ports switched to a Replayer, output
 * muted: the user saw it already) until execution reaches the furthest point the live run got
 * to, the head; from there the ports switch back to live and recording continues. So forward
 * debugging, watchpoints that stop before the access, and reverse execution all work on a live
 * run exactly as on `armrr replay`, with the same timeline and gdb target.
 */
import type { HostPort, OutputSink, SerialInput } from '../emulator/io/input-port.js';
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { VirtualClock } from '../emulator/clock.js';
import type { LogLocation } from './errors.js';
import { ReplayLogReader } from './log-reader.js';
import { ReplayLogWriter } from './log-writer.js';
import { Recorder, type LivePorts } from './recorder.js';
import { Replayer } from './replayer.js';

/** Output while re-executing recorded history: the user has seen it already. */
const SILENT: OutputSink = { uartWrite: () => {}, consoleWrite: () => {} };

type Mode = 'live' | 'replay';

export class LiveRecording {
  readonly ports: { serial: SerialInput; host: HostPort; output: OutputSink };
  private readonly log: ReplayLogWriter;
  private readonly recorder: Recorder;
  private replayer: Replayer | null = null;
  private mode: Mode = 'live';
  private machine: Machine | null = null;
  private recorderHooks: RunHooks = {};
  private replayerHooks: RunHooks = {};
  private replayCursor: { exhausted: boolean } | null = null;
  /** Furthest icount the live run has reached: beyond it, inputs are live again. */
  head = 0;

  constructor(live: LivePorts, fingerprint: Uint8Array) {
    this.log = ReplayLogWriter.inMemory(fingerprint);
    this.recorder = new Recorder(this.log, live);
    const cur = (): { serial: SerialInput; host: HostPort; output: OutputSink } =>
      this.mode === 'live' ? this.recorder.ports : this.replayer!.ports;
    this.ports = {
      serial: {
        poll: (d, i, idle) => cur().serial.poll(d, i, idle),
        exhausted: (d) => cur().serial.exhausted(d),
        nextDueIcount: (d, i) => cur().serial.nextDueIcount(d, i),
        bindClock: (c: VirtualClock) => live.serial.bindClock?.(c),
      },
      host: {
        hostClockNs: () => cur().host.hostClockNs(),
        consoleRead: (max) => cur().host.consoleRead(max),
        fileRead: (h, max) => cur().host.fileRead(h, max),
        fileOpen: (path, mode) => cur().host.fileOpen!(path, mode),
        fileWrite: (h, data) => cur().host.fileWrite!(h, data),
        fileSeek: (h, pos) => cur().host.fileSeek!(h, pos),
        fileLength: (h) => cur().host.fileLength!(h),
        fileClose: (h) => cur().host.fileClose!(h),
        fileRemove: (path) => cur().host.fileRemove!(path),
        fileRename: (from, to) => cur().host.fileRename!(from, to),
        tempName: (id) => cur().host.tempName!(id),
      },
      output: {
        uartWrite: (d, b) => cur().output.uartWrite(d, b),
        consoleWrite: (data, s) => cur().output.consoleWrite(data, s),
      },
    };
  }

  /** Bind to the machine built with `ports`. Returns hooks that follow the current mode. */
  attach(machine: Machine): RunHooks {
    this.machine = machine;
    this.recorderHooks = this.recorder.attach(machine);
    const hooks = (): RunHooks => (this.mode === 'live' ? this.recorderHooks : this.replayerHooks);
    return {
      atBoundary: (icount) => {
        if (this.mode === 'replay' && icount >= this.head && this.replayCursor?.exhausted) this.goLive();
        hooks().atBoundary?.(icount);
        if (this.mode === 'live' && icount > this.head) this.head = icount;
      },
      nextHookIcount: (icount) => {
        const h = hooks().nextHookIcount?.(icount) ?? Infinity;
        // While replaying, pause at the head so inputs switch back to live exactly there.
        return this.mode === 'replay' && icount < this.head ? Math.min(h, this.head) : h;
      },
      onInterruptTaken: (exc, icount) => hooks().onInterruptTaken?.(exc, icount),
    };
  }

  /** The log position at the current point (for snapshots). */
  position(): LogLocation {
    if (this.mode === 'replay') return this.replayer!.position();
    return this.log.position();
  }

  /** A snapshot was restored: replay the recorded log from `at` until the head. */
  restore(at: LogLocation): void {
    const m = this.machine!;
    if (this.mode === 'live' && m.icount > this.head) this.head = m.icount;
    const reader = new ReplayLogReader(this.log.bytes());
    reader.seek(at);
    // Everything recorded at or before the head is replayed; the moment the last recorded event
    // is consumed at the head, inputs are live again (events after it are new).
    const cursor = {
      exhausted: reader.peek() === null,
      peek: () => reader.peek(),
      position: () => reader.position(),
      seek: (pos: LogLocation) => reader.seek(pos),
      next: () => {
        const e = reader.next();
        cursor.exhausted = reader.peek() === null;
        if (cursor.exhausted && m.icount >= this.head) this.goLive();
        return e;
      },
    };
    this.replayCursor = cursor;
    this.replayer = new Replayer(cursor, SILENT);
    this.replayerHooks = this.replayer.attach(m);
    this.mode = 'replay';
  }

  private goLive(): void {
    this.mode = 'live';
    this.replayer = null;
    this.replayCursor = null;
    this.recorderHooks = this.recorder.rebind(this.machine!);
  }

  /** The log recorded so far (for listing events). */
  logBytes(): Uint8Array {
    return this.log.bytes();
  }

  get isReplaying(): boolean {
    return this.mode === 'replay';
  }
}
