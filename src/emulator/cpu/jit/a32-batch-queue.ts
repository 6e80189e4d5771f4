/**
 * The batched tier of the A32 JIT (today the WebAssembly blocks): threaded blocks that ran often
 * enough wait here and are compiled together, one module per batch, because a WebAssembly module's
 * fixed cost (compile and instantiate) is paid per module, not per function (BENCHMARKS.md, the
 * wasm spike: 2-16 µs per block in batches of 32-256). A batch is compiled when it is full or when
 * its first block has waited `maxWaitInsns` instructions (checked where `execute` ends a slice), so
 * a hot block never waits long. This class only keeps the queue, the compile call and statistics;
 * A32BlockJit decides what replaces what.
 */
import type { A32Block } from './a32-block-compiler.js';
import type { ExecutionStats } from '../execution-stats.js';

/** A block to compile: its virtual start and the physical page its code was read from. */
export interface A32BlockStart {
  readonly start: number;
  readonly ppage: number;
}

/** Compiles many blocks at once (A32WasmCompiler): one result per start, null where it cannot. */
export interface A32BatchCompiler {
  compileBatch(starts: ReadonlyArray<A32BlockStart>): Array<A32Block | null>;
  /** How its blocks run one after another without returning to JS, or null (each through its `run`). */
  readonly chain: A32BlockChain | null;
}

/**
 * The batch tier's own chain (the wasm dispatcher): it keeps a mirror of the JIT's front cache
 * for the slots holding its blocks and runs them one after another while each next PC hits there,
 * exactly as A32BlockJit.runFrom would (same blocks, same order, same budget checks).
 */
export interface A32BlockChain {
  /** Front-cache `slot` now holds `b`, one of this tier's blocks. */
  install(slot: number, b: A32Block): void;
  /** Front-cache `slot` holds none of this tier's blocks now. */
  evict(slot: number): void;
  /** `b` was dropped (its code changed): nothing may run it again. */
  forget(b: A32Block): void;
  /**
   * Run from R[15], whose slot holds one of its blocks that fits `room`, at most `maxBlocks`
   * blocks; returns the instructions retired (icount, R[15] and flags set as after a block's run).
   */
  run(room: number, maxBlocks: number): number;
  /** Blocks the last `run` entered (after a throw out of it: those before the block that threw). */
  readonly entered: number;
  /**
   * After anything thrown out of `run`: the instructions its blocks retired before the one that
   * threw; clears the chain's state for the next run.
   */
  abandon(): number;
}

/**
 * Runs of a threaded block before it joins a batch. Low: a block costs a few µs to compile in a
 * batch, about what 50 threaded runs of it cost more than wasm runs.
 */
export const A32_BATCH_AFTER_RUNS = 100;
/** Blocks per batch (one module). */
export const A32_BATCH_SIZE = 128;
/** Instructions the first waiting block may wait before a partial batch is compiled. */
export const A32_BATCH_MAX_WAIT_INSNS = 1 << 21;
/**
 * Threaded runs of the waiting blocks, all together, before a partial batch is compiled: about a
 * module's fixed cost (~1 ms) in the ~250 ns a threaded run costs more than a wasm one. Without
 * it, hot blocks promoted early in a window ran threaded 5.4 M times on the zImage boot while
 * their batch waited for more blocks or for the 2^21 instructions.
 */
export const A32_BATCH_MAX_WAITING_RUNS = 16384;

/** A batch the compiler rejected: a bug in the compiler, never a reason to run something else. */
export class A32BatchCompileError extends Error {
  constructor(starts: ReadonlyArray<A32BlockStart>, cause: unknown) {
    const where = starts.map((s) => `0x${(s.start >>> 0).toString(16)}@page 0x${(s.ppage >>> 0).toString(16)}`).join(', ');
    super(`the batched A32 tier could not compile a batch of ${starts.length} blocks (${where}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'A32BatchCompileError';
    this.cause = cause;
  }
}

export interface A32BatchOptions {
  /** Blocks per batch (default A32_BATCH_SIZE). */
  readonly batchSize?: number;
  /** Default A32_BATCH_MAX_WAIT_INSNS. */
  readonly maxWaitInsns?: number;
  /** Default A32_BATCH_MAX_WAITING_RUNS. */
  readonly maxWaitingRuns?: number;
}

/** Blocks (threaded ones, in A32BlockJit) waiting to be compiled in a batch. */
export class A32BatchQueue<T extends A32BlockStart> {
  private pending: T[] = [];
  /** The icount when the oldest waiting block joined. */
  private since = 0;
  private readonly batchSize: number;
  private readonly maxWaitInsns: number;
  private readonly maxWaitingRuns: number;
  /** Threaded runs of the waiting blocks since the oldest joined (ranWaiting). */
  private waitingRuns = 0;

  constructor(
    private readonly compiler: A32BatchCompiler,
    /** Where compiles are counted (batches, blocks, CPU ms). */
    private readonly stats: ExecutionStats,
    options: A32BatchOptions = {},
  ) {
    this.batchSize = options.batchSize ?? A32_BATCH_SIZE;
    this.maxWaitInsns = options.maxWaitInsns ?? A32_BATCH_MAX_WAIT_INSNS;
    this.maxWaitingRuns = options.maxWaitingRuns ?? A32_BATCH_MAX_WAITING_RUNS;
  }

  /** Queue `t` (at icount `now`); true when the batch is full and should be compiled. */
  add(t: T, now: number): boolean {
    if (this.pending.length === 0) {
      this.since = now;
      this.waitingRuns = 0;
    }
    this.pending.push(t);
    return this.pending.length >= this.batchSize;
  }

  /** A waiting block ran (threaded) once more. */
  ranWaiting(): void {
    this.waitingRuns++;
  }

  /** Some block has waited long enough at icount `now`, or the waiting blocks ran often enough. */
  due(now: number): boolean {
    return this.pending.length !== 0 && (now - this.since >= this.maxWaitInsns || this.waitingRuns >= this.maxWaitingRuns);
  }

  /**
   * Compile the waiting blocks that `stillCurrent` accepts (a block dropped since it joined is
   * not); returns them with their compiled blocks (null: the compiler left that one threaded).
   */
  compile(stillCurrent: (t: T) => boolean): { threaded: T[]; compiled: Array<A32Block | null> } {
    const threaded = this.pending.filter(stillCurrent);
    this.pending = [];
    this.waitingRuns = 0;
    if (threaded.length === 0) return { threaded, compiled: [] };
    const starts = threaded.map((t): A32BlockStart => ({ start: t.start, ppage: t.ppage }));
    const before = process.cpuUsage();
    let compiled: Array<A32Block | null>;
    try {
      compiled = this.compiler.compileBatch(starts);
    } catch (e) {
      if (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError) throw new A32BatchCompileError(starts, e);
      throw e;
    }
    if (compiled.length !== starts.length) throw new A32BatchCompileError(starts, `${compiled.length} results for ${starts.length} blocks`);
    const used = process.cpuUsage(before);
    const stats = this.stats;
    stats.batchCompileMs += (used.user + used.system) / 1000;
    stats.batches++;
    for (const b of compiled) if (b !== null) stats.batchedBlocks++;
    return { threaded, compiled };
  }
}
