/**
 * The wasm tier on the A32 block rig (a32-block-rig.ts): once the JIT core has compiled the rig's
 * block at a line ([instruction, `b PARK`], or the instruction alone when it always leaves),
 * A32WasmCompiler compiles the same block and its `run` takes the compiled JS block's place, so
 * the core's dispatcher, fault path and icount accounting run it as they run any block. The wasm
 * block must have translated its memory instruction inline (no call-through), and each block's
 * runs and slow-path exits (the slow import's JIT TLB refill, or a fault escaping) are counted, so
 * a test can require both inline hits and slow paths.
 */
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { A32_JIT_SLOT_MASK } from '../../src/emulator/cpu/jit/a32-block-jit.js';
import type { BlockRun } from '../../src/emulator/cpu/jit/block-function.js';
import { A32WasmCompiler } from '../../src/emulator/cpu/wasm/a32-wasm-compiler.js';

/** Runs of the wasm block at a start and how many of them took the slow path (the rest hit inline). */
export interface WasmRigCounts {
  runs: number;
  slow: number;
}

/** The wasm side of one JIT core: its compiler and the block running now (its slow paths count there). */
interface WasmSide {
  readonly compiler: A32WasmCompiler;
  running: WasmRigCounts | null;
}

const SIDES = new WeakMap<ArmV7aCpu, WasmSide>();
const WASM_RUNS = new WeakSet<BlockRun>();
/** By block start, since the last reset. */
const COUNTS = new Map<number, WasmRigCounts>();

function sideOf(cpu: ArmV7aCpu): WasmSide {
  let side = SIDES.get(cpu);
  if (side === undefined) {
    const s: WasmSide = { compiler: new A32WasmCompiler(cpu, cpu.physicalBus), running: null };
    if (!s.compiler.available) throw new Error('the wasm rig needs a wasm-backed bus with the registers in it');
    // Every slow path of a compiled block ends in a JIT TLB refill (a32SlowPath, the slow import).
    const refill = cpu.jitRefill.bind(cpu);
    cpu.jitRefill = (va: number): void => {
      if (s.running !== null) s.running.slow++;
      refill(va);
    };
    SIDES.set(cpu, s);
    side = s;
  }
  return side;
}

/**
 * Replace the compiled JS block at `pc` with the wasm compiler's block; false while the JIT has no
 * compiled block there. Throws when the wasm block calls its first instruction through.
 */
export function installWasmRigBlock(cpu: ArmV7aCpu, pc: number): boolean {
  const jit = cpu.a32Jit!;
  const slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
  const b = jit.slots[slot]!;
  if (b.start !== pc || jit.threads[slot] !== null || b.count === Infinity) return false;
  if (WASM_RUNS.has(b.run)) return true;
  const side = sideOf(cpu);
  const before = side.compiler.insnsCalledThrough;
  const made = side.compiler.compileBatch([{ start: b.start, ppage: b.ppage }])[0];
  if (made === null || made === undefined) throw new Error(`no wasm block at ${(pc >>> 0).toString(16)}`);
  if (made.count !== b.count) throw new Error(`wasm block of ${made.count} instructions, the JS one ${b.count}`);
  if (side.compiler.insnsCalledThrough !== before) throw new Error(`the wasm block at ${(pc >>> 0).toString(16)} calls an instruction through`);
  const counts: WasmRigCounts = { runs: 0, slow: 0 };
  COUNTS.set(pc, counts);
  const inner = made.run;
  const run = (budget: number): number => {
    counts.runs++;
    side.running = counts;
    try {
      return inner(budget);
    } catch (e) {
      // Inline code never faults: an abort escaping the block came from its slow path's handler.
      counts.slow++;
      throw e;
    } finally {
      side.running = null;
    }
  };
  WASM_RUNS.add(run);
  (b as { run: BlockRun }).run = run;
  jit.runs[slot] = run;
  return true;
}

/** The counts of the wasm block installed last at `pc` since the last reset. */
export function wasmRigCounts(pc: number): WasmRigCounts {
  return { ...(COUNTS.get(pc) ?? { runs: 0, slow: 0 }) };
}

export function resetWasmRigCounts(): void {
  COUNTS.clear();
}
