/**
 * Every non-deterministic input reaches the machine through these ports. `armrr run` plugs in live
 * sources (files, stdin, host clock); the recorder wraps them and logs what they return; the
 * replayer answers from the log. Devices never touch host time, files or stdin themselves.
 */

/** Bytes arriving asynchronously on a serial line (UART RX). */
export interface SerialInput {
  /**
   * Called by the machine at instruction boundaries with the current icount. Returns the next byte
   * to deliver to UART `device` now, or -1 when none is due. The machine only asks when the UART
   * can accept a byte. `idle` is true when the CPU sleeps and no timer fires before the byte is
   * due: a paced source then delivers at once (nothing else could happen in between).
   */
  poll(device: number, icount: number, idle?: boolean): number;
  /** True when no further input will ever arrive (lets a WFI-idle guest end the run). */
  exhausted(device: number): boolean;
  /** Icount at which the next byte becomes due, if known (bounds the run budget); else Infinity. */
  nextDueIcount(device: number, icount: number): number;
  /** Inputs paced on virtual time get the machine's clock once the board exists. */
  bindClock?(clock: import('../clock.js').VirtualClock): void;
}

/** Host services used by semihosting and clocks. */
export interface HostPort {
  /** Host wall-clock time in ns since the epoch (semihosting SYS_TIME, SYS_CLOCK base). */
  hostClockNs(): number;
  /** Read up to `max` bytes of console input for the guest (SYS_READC/SYS_READ on stdin). null = EOF. */
  consoleRead(max: number): Uint8Array | null;
  /** Read from a host file opened by the guest; returns bytes (may be shorter) or null on error. */
  fileRead(handle: number, max: number): Uint8Array | null;
  // Optional host-file services for semihosting (a port without them makes SYS_OPEN of a host
  // path fail with ENOSYS). Results are inputs, so recorders log them and replayers answer them.
  /** Open a host file (SYS_OPEN, fopen-style mode). Returns a host handle >= 0, or -errno. */
  fileOpen?(path: string, mode: HostFileMode): number;
  /** Write to a host file; returns the number of bytes written, or -errno. */
  fileWrite?(handle: number, data: Uint8Array): number;
  /** Seek to absolute byte position `pos`; returns 0, or -errno. */
  fileSeek?(handle: number, pos: number): number;
  /** File length in bytes, or -errno. */
  fileLength?(handle: number): number;
  /** Close a host file; returns 0, or -errno. */
  fileClose?(handle: number): number;
  /** Remove a host file or empty directory (SYS_REMOVE); returns 0, or -errno. */
  fileRemove?(path: string): number;
  /** Rename a host file (SYS_RENAME); returns 0, or -errno. */
  fileRename?(from: string, to: string): number;
  /** SYS_TMPNAM's host file name for identifier `id` (it depends on the host), or null. */
  tempName?(id: number): string | null;
  /** Whether a console stream is a terminal (SYS_ISTTY on a ":tt" handle). Absent means false. */
  consoleIsTty?(stream: 'stdin' | 'stdout' | 'stderr'): boolean;
}

/** fopen-style modes of semihosting SYS_OPEN (binary variants map to the same mode). */
export type HostFileMode = 'r' | 'r+' | 'w' | 'w+' | 'a' | 'a+';

/** Where guest output goes. */
export interface OutputSink {
  /** UART TX byte from UART `device`. */
  uartWrite(device: number, byte: number): void;
  /** Semihosting console output (SYS_WRITEC/SYS_WRITE0/SYS_WRITE to stdout/stderr). */
  consoleWrite(data: Uint8Array, stream: 'stdout' | 'stderr'): void;
}
