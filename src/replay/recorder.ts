/**
 * Recording: wraps the live input ports so every non-deterministic value the guest sees is logged
 * at the icount where it was taken, and logs the synchronisation events replay checks (INTERRUPT,
 * CHAR_WRITE, CLOCK_VIRTUAL checkpoints, SHUTDOWN). Recording only observes: the wrapped ports
 * return exactly what the live ones return (invariant I4).
 */
import type { HostPort, OutputSink, SerialInput } from '../emulator/io/input-port.js';
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { ReplayEvent, ShutdownCause } from './events.js';
import { HOST_CALL_UNSUPPORTED, hostCallResultEvent } from './host-call-result.js';

// Payload-free events are written often (every interrupt, exception return, timer firing, UART
// byte): one object each, shared.
const INTERRUPT: ReplayEvent = { kind: 'INTERRUPT' };
const EXCEPTION: ReplayEvent = { kind: 'EXCEPTION' };
const CLOCK_VIRTUAL: ReplayEvent = { kind: 'CHECKPOINT', checkpoint: 'CLOCK_VIRTUAL' };
const CHAR_WRITE_ONE: ReplayEvent = { kind: 'CHAR_WRITE', res: 1, offset: 1 };

/** What the recorder needs from the log writer. */
export interface EventSink {
  write(event: ReplayEvent, icount: number): void;
}

export interface LivePorts {
  serial: SerialInput;
  host: HostPort;
  output: OutputSink;
}

export class Recorder {
  private machine: Machine | null = null;
  readonly ports: LivePorts;

  constructor(
    private readonly log: EventSink,
    live: LivePorts,
  ) {
    const icount = (): number => this.machine?.clock.icount ?? 0;
    const sink = this.log;
    this.ports = {
      serial: {
        poll(device: number, now: number, idle?: boolean): number {
          const b = live.serial.poll(device, now, idle);
          if (b >= 0) sink.write({ kind: 'ASYNC_CHAR_READ', device, data: Uint8Array.of(b) }, icount());
          return b;
        },
        exhausted: (d) => live.serial.exhausted(d),
        nextDueIcount: (d, now) => live.serial.nextDueIcount(d, now),
        bindClock: live.serial.bindClock ? (c) => live.serial.bindClock!(c) : undefined,
      },
      host: {
        hostClockNs(): number {
          const v = live.host.hostClockNs();
          sink.write({ kind: 'CLOCK', clock: 'HOST', value: BigInt(Math.trunc(v)) }, icount());
          return v;
        },
        consoleRead(max: number): Uint8Array | null {
          return logPull(sink, icount(), live.host.consoleRead(max));
        },
        fileRead(handle: number, max: number): Uint8Array | null {
          return logPull(sink, icount(), live.host.fileRead(handle, max));
        },
        // Host file calls happen here (writes too) and their results are inputs of the replay.
        fileOpen: (path, mode) => logResult(sink, icount(), live.host.fileOpen?.(path, mode)),
        fileWrite: (handle, data) => logResult(sink, icount(), live.host.fileWrite?.(handle, data)),
        fileSeek: (handle, pos) => logResult(sink, icount(), live.host.fileSeek?.(handle, pos)),
        fileLength: (handle) => logResult(sink, icount(), live.host.fileLength?.(handle)),
        fileClose: (handle) => logResult(sink, icount(), live.host.fileClose?.(handle)),
        fileRemove: (path) => logResult(sink, icount(), live.host.fileRemove?.(path)),
        fileRename: (from, to) => logResult(sink, icount(), live.host.fileRename?.(from, to)),
        tempName(id: number): string | null {
          const name = live.host.tempName?.(id) ?? null;
          logPull(sink, icount(), name === null ? null : new TextEncoder().encode(name));
          return name;
        },
      },
      output: {
        uartWrite(device: number, byte: number): void {
          live.output.uartWrite(device, byte);
          // QEMU logs a write for each chardev write; only UART0 has a host chardev here.
          if (device === 0) sink.write(CHAR_WRITE_ONE, icount());
        },
        consoleWrite: (data, stream) => live.output.consoleWrite(data, stream),
      },
    };
  }

  /** Bind to the machine built with `ports`; logs the initial checkpoints. Returns the run hooks. */
  attach(machine: Machine): RunHooks {
    this.machine = machine;
    this.log.write({ kind: 'CHECKPOINT', checkpoint: 'INIT' }, machine.icount);
    this.log.write({ kind: 'CHECKPOINT', checkpoint: 'RESET' }, machine.icount);
    // As QEMU: exception returns, SVC, faults and BKPT are EXCEPTION events, and the entry they
    // cause is not an INTERRUPT.
    return this.rebind(machine);
  }

  /** Re-bind after the machine's clock/exception hooks were taken over (live runs that went back in time). */
  rebind(machine: Machine): RunHooks {
    this.machine = machine;
    machine.clock.beforeTimersFire = () => this.log.write(CLOCK_VIRTUAL, machine.icount);
    machine.exceptions.onExceptionEvent = () => this.log.write(EXCEPTION, machine.icount);
    return {
      onInterruptTaken: (_exc, icount) => {
        if (!machine.exceptions.lastEntrySynchronous) this.log.write(INTERRUPT, icount);
      },
    };
  }

  /** Log the end of the recording: why it ended, then END. */
  finish(cause: ShutdownCause): void {
    const icount = this.machine?.icount ?? 0;
    this.log.write({ kind: 'SHUTDOWN', cause }, icount);
    this.log.write({ kind: 'END' }, icount);
  }
}

function logResult(log: EventSink, icount: number, result: number | undefined): number {
  const r = result ?? HOST_CALL_UNSUPPORTED;
  log.write(hostCallResultEvent(r), icount);
  return r;
}

function logPull(log: EventSink, icount: number, data: Uint8Array | null): Uint8Array | null {
  if (data === null) log.write({ kind: 'CHAR_READ_ALL_ERROR', error: 0 }, icount);
  else log.write({ kind: 'CHAR_READ_ALL', data: data.slice() }, icount);
  return data;
}
