/**
 * Writes replay logs in QEMU's format, version 0xe0200c with QEMU 7.2+ numbering, big-endian.
 *
 * Unlike QEMU, the header goes out first (QEMU writes it only at a clean exit), and the buffer is
 * written with synchronous fs calls at least every 64 KiB and, through `flushIfDue` at run-slice
 * boundaries, at least every FLUSH_INTERVAL_MS of host time while events are pending, so a killed
 * recorder loses at most a fraction of a second and the rest still reads as a truncated log.
 * Flushes write whole events only.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

import { ReplayLogWriteError } from './errors.js';
import type { LogLocation } from './errors.js';
import type { InputEventPayload, ReplayEvent } from './events.js';
import { ARMRR_LAYOUT, ARMRR_LOG_VERSION, FINGERPRINT_SIZE, HEADER_SIZE } from './log-format.js';

export const FLUSH_THRESHOLD = 64 * 1024;
/** Host time pending events may wait in the buffer (checked at run-slice boundaries). */
export const FLUSH_INTERVAL_MS = 100;
const U32_MAX = 0xffff_ffff;

/** Where flushed bytes go. */
interface ByteSink {
  write(bytes: Uint8Array): void;
  close(): void;
}

class FileSink implements ByteSink {
  constructor(
    private fd: number | null,
    private readonly path: string,
  ) {}
  write(bytes: Uint8Array): void {
    if (this.fd === null) throw new ReplayLogWriteError(`Replay log ${this.path} is already closed`);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

class MemorySink implements ByteSink {
  readonly chunks: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }
  close(): void {}
}

export class ReplayLogWriter {
  private buffer = new Uint8Array(FLUSH_THRESHOLD * 2);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private lastIcount = 0;
  /** Events written so far, INSTRUCTION events included (a reader's event index). */
  private events = 0;
  private endWritten = false;
  private closed = false;
  /** When `flushIfDue` first saw unflushed events (-1: none seen). */
  private pendingSinceMs = -1;

  private constructor(
    private readonly sink: ByteSink,
    fingerprint: Uint8Array,
  ) {
    if (fingerprint.length !== FINGERPRINT_SIZE) {
      throw new ReplayLogWriteError(
        `Replay log fingerprint must be ${FINGERPRINT_SIZE} bytes, got ${fingerprint.length}: pass the first 8 bytes of the firmware/options hash`,
      );
    }
    this.reserve(HEADER_SIZE);
    this.view.setUint32(0, ARMRR_LOG_VERSION);
    this.buffer.set(fingerprint, 4);
    this.length = HEADER_SIZE;
    // The header goes to disk at once: a recording killed at any point stays readable.
    this.flushSync();
  }

  /** Creates (or truncates) `path` and writes the header. fs errors propagate as thrown by node:fs. */
  static open(path: string, fingerprint: Uint8Array): ReplayLogWriter {
    return new ReplayLogWriter(new FileSink(openSync(path, 'w'), path), fingerprint);
  }

  static inMemory(fingerprint: Uint8Array): ReplayLogWriter {
    return new ReplayLogWriter(new MemorySink(), fingerprint);
  }

  /** Everything written so far, flushed or not (in-memory writers only). */
  bytes(): Uint8Array {
    if (!(this.sink instanceof MemorySink)) {
      throw new ReplayLogWriteError('bytes() is only available on ReplayLogWriter.inMemory() writers');
    }
    const parts = [...this.sink.chunks, this.buffer.subarray(0, this.length)];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Bytes written so far, header included, flushed or not. */
  get byteLength(): number {
    let n = this.length;
    if (this.sink instanceof MemorySink) for (const c of this.sink.chunks) n += c.length;
    return n;
  }

  /** Where a reader stands after everything written so far (ReplayLogReader.seek accepts it). */
  position(): LogLocation {
    return { offset: this.byteLength, index: this.events, icount: this.lastIcount };
  }

  /** icount of the last event written (instructions are accounted up to here). */
  get icount(): number {
    return this.lastIcount;
  }

  /**
   * Appends `event`, which happens after `icount` instructions in total. The instructions since
   * the previous event are written first as INSTRUCTION deltas.
   */
  write(event: ReplayEvent, icount: number): void {
    this.assertOpen();
    if (event.kind === 'INSTRUCTION') {
      throw new ReplayLogWriteError('INSTRUCTION events are implied by icount: pass the icount of the next event instead');
    }
    if (this.endWritten) {
      throw new ReplayLogWriteError(`Cannot write ${event.kind} at icount ${icount}: END has already been written`);
    }
    const id = ARMRR_LAYOUT.idOf(event);
    if (id === undefined) throw new ReplayLogWriteError(`${event.kind} has no id in version 0xe0200c`);
    const mark = this.length;
    const previousIcount = this.lastIcount;
    const previousEvents = this.events;
    try {
      this.advanceTo(icount);
      this.u8(id);
      this.payload(event);
      this.events++;
    } catch (err) {
      // A rejected event leaves no partial bytes behind.
      this.length = mark;
      this.lastIcount = previousIcount;
      this.events = previousEvents;
      throw err;
    }
    if (event.kind === 'END') this.endWritten = true;
    if (this.length >= FLUSH_THRESHOLD) this.flushSync();
  }

  /** Writes the buffered bytes to the file now; safe from signal handlers (synchronous). */
  flushSync(): void {
    if (this.length === 0) return;
    this.sink.write(this.buffer.subarray(0, this.length));
    this.length = 0;
  }

  flush(): void {
    this.flushSync();
  }

  /** Flush if events have waited FLUSH_INTERVAL_MS (host time, `nowMs` from performance.now()). */
  flushIfDue(nowMs: number): void {
    if (this.length === 0) {
      this.pendingSinceMs = -1;
    } else if (this.pendingSinceMs < 0) {
      this.pendingSinceMs = nowMs;
    } else if (nowMs - this.pendingSinceMs >= FLUSH_INTERVAL_MS) {
      this.flushSync();
      this.pendingSinceMs = -1;
    }
  }

  /**
   * Writes the instructions executed since the last event (unless END was written: nothing may
   * follow it), flushes and closes. Does not write SHUTDOWN or END; the recorder does. Idempotent.
   */
  close(finalIcount: number = this.lastIcount): void {
    if (this.closed) return;
    try {
      if (!this.endWritten) this.advanceTo(finalIcount);
      this.flushSync();
    } finally {
      this.closed = true;
      this.sink.close();
    }
  }

  private advanceTo(icount: number): void {
    if (!Number.isSafeInteger(icount) || icount < this.lastIcount) {
      throw new ReplayLogWriteError(
        `icount ${icount} is before the previous event's icount ${this.lastIcount}: events must be written in icount order`,
      );
    }
    let delta = icount - this.lastIcount;
    while (delta > 0) {
      const step = Math.min(delta, U32_MAX);
      this.u8(0);
      this.u32(step, 'instruction count');
      this.events++;
      delta -= step;
    }
    this.lastIcount = icount;
  }

  private payload(event: Exclude<ReplayEvent, { kind: 'INSTRUCTION' }>): void {
    switch (event.kind) {
      case 'INTERRUPT':
      case 'EXCEPTION':
      case 'ASYNC_INPUT_SYNC':
      case 'SHUTDOWN':
      case 'CHECKPOINT':
      case 'END':
        return;
      case 'ASYNC_BH':
      case 'ASYNC_BH_ONESHOT':
      case 'ASYNC_BLOCK':
        return this.u64(event.id, 'async id');
      case 'ASYNC_INPUT':
        return this.input(event.input);
      case 'ASYNC_CHAR_READ':
        this.u8(event.device, 'char device index');
        return this.array(event.data);
      case 'ASYNC_NET':
        this.u8(event.filter, 'net filter index');
        this.u32(event.flags, 'net flags');
        return this.array(event.data);
      case 'CHAR_WRITE':
        this.u32(event.res, 'char write result');
        return this.u32(event.offset, 'char write offset');
      case 'CHAR_READ_ALL':
        return this.array(event.data);
      case 'CHAR_READ_ALL_ERROR':
        return this.i32(event.error, 'char read-all error');
      case 'AUDIO_OUT':
        return this.u64(event.played, 'audio played count');
      case 'AUDIO_IN':
        this.u64(event.recorded, 'audio recorded count');
        this.u64(event.wpos, 'audio write position');
        for (const [left, right] of event.samples) {
          this.u64(left, 'left sample');
          this.u64(right, 'right sample');
        }
        return;
      case 'RANDOM':
        this.u32(event.ret, 'random result');
        return this.array(event.data);
      case 'CLOCK':
        return this.i64(event.value, 'clock value');
      default: {
        const unreachable: never = event;
        throw new ReplayLogWriteError(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private input(input: InputEventPayload): void {
    switch (input.type) {
      case 'key':
        this.u32(0, 'input kind');
        if (input.key.type === 'number') {
          this.u32(0, 'key kind');
          this.u64(input.key.number, 'key number');
        } else {
          this.u32(1, 'key kind');
          this.u32(input.key.qcode, 'key qcode');
        }
        return this.u8(input.down, 'key down');
      case 'btn':
        this.u32(1, 'input kind');
        this.u32(input.button, 'button');
        return this.u8(input.down, 'button down');
      case 'rel':
      case 'abs':
        this.u32(input.type === 'rel' ? 2 : 3, 'input kind');
        this.u32(input.axis, 'axis');
        return this.u64(input.value, 'axis value');
      case 'mtt':
        this.u32(4, 'input kind');
        this.u32(input.mttType, 'multi-touch type');
        this.u64(input.slot, 'multi-touch slot');
        this.u64(input.trackingId, 'multi-touch tracking id');
        this.u32(input.axis, 'multi-touch axis');
        return this.u64(input.value, 'multi-touch value');
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ReplayLogWriteError('The replay log writer is closed');
  }

  private reserve(n: number): number {
    if (this.length + n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  private checkInt(value: number, min: number, max: number, what: string): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ReplayLogWriteError(`${what} ${value} does not fit the log field (${min}..${max})`);
    }
  }

  private checkBig(value: bigint, min: bigint, max: bigint, what: string): void {
    if (value < min || value > max) throw new ReplayLogWriteError(`${what} ${value} does not fit the log field (${min}..${max})`);
  }

  private u8(value: number, what = 'event id'): void {
    this.checkInt(value, 0, 0xff, what);
    this.buffer[this.reserve(1)] = value;
  }
  private u32(value: number, what: string): void {
    this.checkInt(value, 0, U32_MAX, what);
    this.view.setUint32(this.reserve(4), value);
  }
  private i32(value: number, what: string): void {
    this.checkInt(value, -0x8000_0000, 0x7fff_ffff, what);
    this.view.setInt32(this.reserve(4), value);
  }
  private u64(value: bigint, what: string): void {
    this.checkBig(value, 0n, 0xffff_ffff_ffff_ffffn, what);
    this.view.setBigUint64(this.reserve(8), value);
  }
  private i64(value: bigint, what: string): void {
    this.checkBig(value, -(1n << 63n), (1n << 63n) - 1n, what);
    this.view.setBigInt64(this.reserve(8), value);
  }
  private array(data: Uint8Array): void {
    this.u32(data.length, 'array length');
    this.buffer.set(data, this.reserve(data.length));
  }
}
