/**
 * Turns a block's generated code into its function (`new Function`), for both block JITs: the
 * parameters the code refers to (registers, state, clock, core, the bus's page tables and RAM views,
 * call-through handlers and their fields, the instructions' PCs and words) and the fault tail every block
 * shares: a fault records the faulting instruction (cpu.jitFaultPc) and the count retired with it,
 * then rethrows so the core takes the abort exactly as its interpreter would.
 */
import type { Bus } from '../../memory/bus.js';
import type { Cpu } from '../cpu.js';
import type { Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';

export type BlockRun = (budget: number) => number;

/**
 * A block's out-of-line path (`SLOW` in generated code): instruction `k` of the block (handlers H,
 * fields A, addresses PCS, words INS) whole through its handler on core `cpu`, the block having
 * retired `done + k` instructions since icount `ic`; `a` is its last access address. Returns the
 * block's count retired (`done + k + 1`). One function for every block, called with plain values:
 * the block's cold tail is then a single call, so V8 needs no type feedback for it (a tail with
 * arithmetic, keyed loads and a call through `H[k]` deoptimized the first time a block missed).
 */
export type SlowPath<C extends Cpu> = (cpu: C, ic: number, done: number, k: number, a: number, H: Handler[], A: Fields[], PCS: Int32Array, INS: Int32Array) => number;

const noSlowPath = (): number => 0;

/** ITSTATE before each instruction of a block, zero-filled (instructions outside IT blocks). */
function itStatesOf(count: number, itStates: readonly number[]): Int32Array {
  const its = new Int32Array(count);
  its.set(itStates.slice(0, count));
  return its;
}

type BlockFactory<C extends Cpu> = (
  R: Int32Array,
  st: unknown,
  clock: unknown,
  cpu: C,
  PR: Int32Array,
  PW: Int32Array,
  U8: Uint8Array,
  U16: Uint16Array,
  I32: Int32Array,
  H: Handler[],
  A: Fields[],
  PCS: Int32Array,
  INS: Int32Array,
  SLOW: SlowPath<C>,
  WARM: Int32Array,
  ITS: Int32Array,
) => BlockRun;

export interface BlockSource {
  /** Function name (shows in profiles). */
  readonly name: string;
  /** Declarations after `const ic = clock.icount;` (must declare done, k and inHandler). */
  readonly prologue: string;
  /** The try body: the block's loop and anything after it. */
  readonly body: string;
  /** Code writing register locals back (empty when the block keeps none). */
  readonly writeBack: string;
}

/**
 * `insns`: the instruction words by index (INS), for code that runs instruction k's handler (`slow`).
 * `warmRuns`: the block's countdown in `WARM[0]` (code that takes its slow path once early reads it).
 * `itStates`: ITSTATE before each instruction (ITS; missing entries 0), what a fault in it restores.
 */
export function linkBlock<C extends Cpu>(
  cpu: C,
  bus: Bus,
  src: BlockSource,
  handlers: Handler[],
  args: Fields[],
  pcs: readonly number[],
  insns: readonly number[] = [],
  slow: SlowPath<C> = noSlowPath,
  warmRuns = 0,
  itStates: readonly number[] = [],
): BlockRun {
  // The block function is parenthesized so V8 compiles it with the factory (one parse) rather than
  // pre-parsing it here and parsing it again at its first call: translation is most of a short run.
  const text = `
      return (function ${src.name}(budget) {
        const ic = clock.icount;
        ${src.prologue}
        try {
          ${src.body}
        } catch (e) {
          // A handler that faulted already had the registers (written back before the call).
          if (inHandler === 0) { ${src.writeBack} }
          cpu.jitFaultPc = PCS[k];
          cpu.jitFaultIt = ITS[k] | 0;
          cpu.jitFaultRetired = done + k + 1;
          clock.icount = ic + done + k + 1;
          throw e;
        }
      });`;
  const factory = new Function('R', 'st', 'clock', 'cpu', 'PR', 'PW', 'U8', 'U16', 'I32', 'H', 'A', 'PCS', 'INS', 'SLOW', 'WARM', 'ITS', text) as BlockFactory<C>;
  return factory(cpu.r, cpu.state, cpu.clock, cpu, bus.pageRead, bus.pageWrite, bus.u8, bus.u16, bus.i32, handlers, args, Int32Array.from(pcs), Int32Array.from(insns), slow, Int32Array.of(warmRuns), itStatesOf(pcs.length, itStates));
}
