/**
 * What the gdb stub needs from whatever it debugs. Required members cover registers, memory,
 * execution and break/watchpoints; optional members are capabilities, and qSupported advertises
 * only the ones present (daniel5151/gdbstub's "optional ops" pattern).
 *
 * All members are called from the Node event loop, one at a time. While a `resume`/reverse promise
 * is pending the stub may still call `interrupt()` and the read members (another connection, e.g.
 * cortex-debug's Live Watch, reads memory while the first one runs): a target that executes in
 * slices (setImmediate between them) must keep its state consistent between slices.
 */

import type { RegisterLayout } from './register-layout.js';

export type BreakpointType = 'sw' | 'hw';
export type WatchpointType = 'write' | 'read' | 'access';

export interface MemoryRegion {
  readonly start: number;
  readonly length: number;
  /** For humans only; gdb's memory map has no names. */
  readonly name?: string;
}

/**
 * Why execution stopped. Reported to gdb as one stop reply (see stop-reply.ts).
 * - `signal`: stopped with that POSIX signal number; after `interrupt()` use 2 (SIGINT).
 * - `done-step`: a single step finished (reported as SIGTRAP with no reason).
 * - `swbreak`/`hwbreak`: pc is at a breakpoint (the target has not executed it).
 * - `watch`: a watchpoint triggered; `addr` must lie in the watched range. ARM rule: report
 *   before the access retires forward, before un-executing it in reverse.
 * - `replaylog`: forward execution hit the end of the log, or reverse hit its beginning.
 * - `exited`: the program ended; see `GdbTarget.exitReport`.
 */
export type StopReason =
  | { kind: 'signal'; signal: number }
  | { kind: 'done-step' }
  | { kind: 'swbreak' }
  | { kind: 'hwbreak' }
  | { kind: 'watch'; type: 'watch' | 'rwatch' | 'awatch'; addr: number }
  | { kind: 'replaylog'; pos: 'begin' | 'end' }
  | { kind: 'exited'; code: number };

export type ResumeAction = 'continue' | 'step';

export interface GdbTarget {
  /** gdb register number (register-layout.ts) -> 32-bit value, or null if there is no such register. */
  readRegister(regnum: number): number | null;
  /** Capability: the registers this core shows gdb (default: M_PROFILE_REGISTERS, no FPU). */
  readonly registerLayout?: RegisterLayout;
  /**
   * Capability: a 64- or 128-bit register of the layout (d0-d31, q0-q15) as 32-bit words, least
   * significant first, into `words` (bitsize / 32 of them); false if there is no such register.
   * Words, not a bigint: `g` after every step carries 48 of them.
   */
  readWideRegister?(regnum: number, words: Uint32Array): boolean;
  /** false when the register does not exist or cannot be written. */
  writeRegister(regnum: number, value: number): boolean;
  /** Capability: why `writeRegister` refuses every write (sent as `E.message`; gdb shows it). */
  readonly registerWriteRefusal?: string;
  /** Bytes at addr, or null when any of them is unreadable (gdb then prints "Cannot access memory"). */
  readMemory(addr: number, length: number): Uint8Array | null;
  /** true, or a message saying why not (a replay target refuses writes that would diverge). */
  writeMemory(addr: number, data: Uint8Array): true | string;
  /**
   * Runs until something stops it. `step` executes one instruction and usually resolves with
   * `done-step` (or a breakpoint/watch/exit that happened on the way).
   */
  resume(action: ResumeAction): Promise<StopReason>;
  /** Asks a pending resume (forward or reverse) to stop soon with `{kind:'signal', signal: 2}`. */
  interrupt(): void;
  /** false when the breakpoint cannot be set (e.g. no hardware slot left). Calls are not repeated. */
  addBreakpoint(type: BreakpointType, addr: number, kind: number): boolean;
  removeBreakpoint(type: BreakpointType, addr: number, kind: number): boolean;
  addWatchpoint(type: WatchpointType, addr: number, length: number): boolean;
  removeWatchpoint(type: WatchpointType, addr: number, length: number): boolean;
  /** Every address range gdb may touch (peripherals and the SCS at 0xE000E000 included). */
  memoryRegions(): readonly MemoryRegion[];

  /** Capability: `bs`, un-execute one instruction (`replaylog:begin` at the start of history). */
  reverseStep?(): Promise<StopReason>;
  /** Capability: `bc`, back to the latest earlier breakpoint/watch hit, or `replaylog:begin`. */
  reverseContinue?(): Promise<StopReason>;
  /**
   * Capability: `monitor CMD`. Text passed to `out` reaches gdb's console as it is produced.
   * `connection` identifies the gdb connection (for per-connection state such as icount
   * breakpoints); `releaseConnection` is called with it when that connection goes away.
   */
  monitor?(command: string, out: (text: string) => void, connection: object): Promise<void> | void;
  /** A gdb connection detached or closed: drop whatever per-connection state `monitor` kept. */
  releaseConnection?(connection: object): void;
  /** Called on `k`/`vKill`. */
  kill?(): void;
  /**
   * Called on `D` from the last connection still attached. A connection that just drops, or
   * detaches while others remain, only has its breakpoints removed.
   */
  detach?(): void;
  /**
   * How an `exited` stop is reported: `'exit'` sends `W` (gdb forgets the process), `'stop'`
   * sends a SIGKILL stop (`T09`) so gdb can still run backwards from the end, as rr does.
   * Default: `'stop'` when the target can reverse, else `'exit'`.
   */
  readonly exitReport?: 'exit' | 'stop';
}
