/**
 * Live input sources and output sinks used by `armrr run` and `armrr record`.
 *
 * File input is paced on the *virtual* clock (one byte at most every `gapNs`, and only when the
 * UART can take it), so `run --input FILE` is deterministic by itself. Terminal/pipe input arrives
 * when the host delivers it; the recorder logs the icount at which each byte was taken.
 */
import type { VirtualClock } from '../clock.js';
import type { HostPort, OutputSink, SerialInput } from './input-port.js';

/** Default input gap: one byte time at 115200 baud (10 bits) in ns. */
export const DEFAULT_INPUT_GAP_NS = Math.round(10e9 / 115200);

/** Serial bytes from a buffer, paced on virtual time. Only UART0 receives input. */
/** Inputs paced on virtual time need the machine's clock, which exists only once the board is built. */
abstract class ClockedSerialInput implements SerialInput {
  private clockRef: VirtualClock | null = null;
  protected get clock(): VirtualClock {
    if (this.clockRef === null) throw new Error('serial input used before bindClock()');
    return this.clockRef;
  }
  bindClock(clock: VirtualClock): void {
    this.clockRef = clock;
  }
  abstract poll(device: number, icount: number, idle?: boolean): number;
  abstract exhausted(device: number): boolean;
  abstract nextDueIcount(device: number, icount: number): number;
}

export class PacedSerialInput extends ClockedSerialInput {
  private next = 0;
  /** Pacing starts at time 0: the first byte arrives one gap after reset, as if typed. */
  private lastNs = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly gapNs: number = DEFAULT_INPUT_GAP_NS,
  ) {
    super();
  }

  poll(device: number, _icount: number, idle = false): number {
    if (device !== 0 || this.next >= this.data.length) return -1;
    const now = this.clock.nowNs();
    if (!idle && now < this.lastNs + this.gapNs) return -1;
    this.lastNs = now;
    return this.data[this.next++]!;
  }

  exhausted(device: number): boolean {
    return device !== 0 || this.next >= this.data.length;
  }

  nextDueIcount(device: number, icount: number): number {
    if (device !== 0 || this.next >= this.data.length) return Infinity;
    const dueNs = this.lastNs + this.gapNs;
    const now = this.clock.nowNs();
    if (dueNs <= now) return icount;
    return icount + Math.ceil((dueNs - now) / this.clock.scale);
  }

  /** State for snapshots of a live run (not needed in replay). */
  get position(): number {
    return this.next;
  }
}

/**
 * Bytes pushed by the host as they arrive (stdin of a terminal or pipe). Delivery is still paced
 * by the virtual-time gap so a burst of typed characters does not overrun the 1-byte UART buffer.
 */
export class StreamSerialInput extends ClockedSerialInput {
  private readonly queue: number[] = [];
  private head = 0;
  private ended = false;
  private lastNs = -Infinity;
  /** Called when new bytes arrive (the session loop wakes an idle machine). */
  onData: (() => void) | null = null;

  constructor(private readonly gapNs: number = DEFAULT_INPUT_GAP_NS) {
    super();
  }

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.queue.push(b);
    this.onData?.();
  }

  end(): void {
    this.ended = true;
    this.onData?.();
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  poll(device: number, _icount: number, idle = false): number {
    if (device !== 0 || this.head >= this.queue.length) return -1;
    const now = this.clock.nowNs();
    if (!idle && now < this.lastNs + this.gapNs) return -1;
    this.lastNs = now;
    const b = this.queue[this.head++]!;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return b;
  }

  exhausted(device: number): boolean {
    return device !== 0 || (this.ended && this.head >= this.queue.length);
  }

  nextDueIcount(device: number, icount: number): number {
    if (device !== 0 || this.head >= this.queue.length) return Infinity;
    const dueNs = this.lastNs + this.gapNs;
    const now = this.clock.nowNs();
    if (dueNs <= now) return icount;
    return icount + Math.ceil((dueNs - now) / this.clock.scale);
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

/** Host services backed by the real host: wall clock and a console input buffer. */
export class LiveHostPort implements HostPort {
  constructor(private readonly console: { read(max: number): Uint8Array | null } = { read: () => null }) {}

  hostClockNs(): number {
    return Date.now() * 1e6;
  }

  consoleRead(max: number): Uint8Array | null {
    return this.console.read(max);
  }

  fileRead(): Uint8Array | null {
    return null;
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
