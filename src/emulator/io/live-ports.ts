/**
 * Live input sources and output sinks used by `armrr run` and `armrr record`.
 *
 * File input is paced on the *virtual* clock (one byte at most every `gapNs`, and only when the
 * UART can take it), so `run --input FILE` is deterministic by itself. Terminal/pipe input arrives
 * when the host delivers it; the recorder logs the icount at which each byte was taken.
 */
import type { VirtualClock } from '../clock.js';
import type { HostFileMode, HostPort, OutputSink, SerialInput } from './input-port.js';
import { HostFileSystem } from './host-files.js';

/** Default input gap: one byte time at 115200 baud (10 bits) in ns. */
export const DEFAULT_INPUT_GAP_NS = Math.round(10e9 / 115200);

/**
 * Bytes for UART0, delivered at most one per `gapNs` of virtual time (so a burst never overruns the
 * UART's 1-byte buffer), or at once when the CPU idles. Paced on the machine's clock, which exists
 * only once the board is built (`bindClock`). Subclasses say where the bytes come from.
 */
abstract class PacedSerialSource implements SerialInput {
  private clockRef: VirtualClock | null = null;
  protected lastNs: number;

  constructor(
    private readonly gapNs: number,
    firstAtNs: number,
  ) {
    this.lastNs = firstAtNs;
  }

  protected get clock(): VirtualClock {
    if (this.clockRef === null) throw new Error('serial input used before bindClock()');
    return this.clockRef;
  }
  bindClock(clock: VirtualClock): void {
    this.clockRef = clock;
  }

  /** Bytes waiting to be delivered. */
  protected abstract available(): boolean;
  /** Take the next byte (only called when available). */
  protected abstract take(): number;
  /** No byte will ever become available again. */
  protected abstract ended(): boolean;

  poll(device: number, _icount: number, idle = false): number {
    if (device !== 0 || !this.available()) return -1;
    const now = this.clock.nowNs();
    if (!idle && now < this.lastNs + this.gapNs) return -1;
    this.lastNs = now;
    return this.take();
  }

  exhausted(device: number): boolean {
    return device !== 0 || this.ended();
  }

  nextDueIcount(device: number, icount: number): number {
    if (device !== 0 || !this.available()) return Infinity;
    const dueNs = this.lastNs + this.gapNs;
    const now = this.clock.nowNs();
    if (dueNs <= now) return icount;
    return icount + Math.ceil((dueNs - now) / this.clock.scale);
  }
}

/** Serial bytes from a buffer (`--input FILE`). Pacing starts at time 0, as if typed after reset. */
export class PacedSerialInput extends PacedSerialSource {
  private next = 0;

  constructor(
    private readonly data: Uint8Array,
    gapNs: number = DEFAULT_INPUT_GAP_NS,
  ) {
    super(gapNs, 0);
  }

  protected available(): boolean {
    return this.next < this.data.length;
  }
  protected take(): number {
    return this.data[this.next++]!;
  }
  protected ended(): boolean {
    return this.next >= this.data.length;
  }

  /** Bytes delivered so far. */
  get position(): number {
    return this.next;
  }
}

/** Bytes pushed by the host as they arrive (stdin of a terminal or pipe). */
export class StreamSerialInput extends PacedSerialSource {
  private readonly queue: number[] = [];
  private head = 0;
  private closed = false;
  /** Called when new bytes arrive (the session loop wakes an idle machine). */
  onData: (() => void) | null = null;

  constructor(gapNs: number = DEFAULT_INPUT_GAP_NS) {
    super(gapNs, -Infinity);
  }

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.queue.push(b);
    this.onData?.();
  }

  end(): void {
    this.closed = true;
    this.onData?.();
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  protected available(): boolean {
    return this.head < this.queue.length;
  }
  protected take(): number {
    const b = this.queue[this.head++]!;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return b;
  }
  protected ended(): boolean {
    return this.closed && this.head >= this.queue.length;
  }
}

/** No serial input at all. */
export class NoSerialInput implements SerialInput {
  poll(): number {
    return -1;
  }
  exhausted(): boolean {
    return true;
  }
  nextDueIcount(): number {
    return Infinity;
  }
}

/**
 * Host services backed by the real host: wall clock, a console input buffer and, as QEMU's
 * semihosting `target=native`, the host's files (any path the guest names).
 */
export class LiveHostPort implements HostPort {
  private readonly files = new HostFileSystem();

  constructor(private readonly console: { read(max: number): Uint8Array | null } = { read: () => null }) {}

  hostClockNs(): number {
    return Date.now() * 1e6;
  }

  consoleRead(max: number): Uint8Array | null {
    return this.console.read(max);
  }

  fileRead(handle: number, max: number): Uint8Array | null {
    return this.files.read(handle, max);
  }
  fileOpen(path: string, mode: HostFileMode): number {
    return this.files.open(path, mode);
  }
  fileWrite(handle: number, data: Uint8Array): number {
    return this.files.write(handle, data);
  }
  fileSeek(handle: number, pos: number): number {
    return this.files.seek(handle, pos);
  }
  fileLength(handle: number): number {
    return this.files.length(handle);
  }
  fileClose(handle: number): number {
    return this.files.close(handle);
  }
  fileRemove(path: string): number {
    return this.files.remove(path);
  }
  fileRename(from: string, to: string): number {
    return this.files.rename(from, to);
  }
  tempName(id: number): string {
    return this.files.tempName(id);
  }
}

/** Writes guest output to the process's stdout/stderr (or any write functions). */
export class StreamOutputSink implements OutputSink {
  constructor(
    private readonly stdout: (data: Uint8Array) => void,
    private readonly stderr: (data: Uint8Array) => void = stdout,
  ) {}

  private readonly one = new Uint8Array(1);

  uartWrite(device: number, byte: number): void {
    // Only UART0 is the console, as QEMU's -nographic/-serial stdio wires it.
    if (device !== 0) return;
    this.one[0] = byte;
    this.stdout(this.one.slice());
  }

  consoleWrite(data: Uint8Array, stream: 'stdout' | 'stderr'): void {
    (stream === 'stderr' ? this.stderr : this.stdout)(data);
  }
}

/** Collects output in memory (tests, replay comparisons). */
export class BufferOutputSink implements OutputSink {
  readonly chunks: number[] = [];
  uartWrite(device: number, byte: number): void {
    if (device === 0) this.chunks.push(byte);
  }
  consoleWrite(data: Uint8Array): void {
    for (const b of data) this.chunks.push(b);
  }
  get bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
