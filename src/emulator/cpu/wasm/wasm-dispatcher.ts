/**
 * The wasm block chain: runs wasm blocks one after another inside WebAssembly, as A32BlockJit.runFrom
 * does in JS, so a block entry costs a front-cache probe and a `call_indirect` instead of a return
 * to JS, the JS front cache, `holds`/`fits` and a JS→wasm call (~100 ns per entry in JS today).
 *
 * Its own front cache lives in the state area (STATE_DISPATCH): per slot (A32 slot of the PC, as
 * A32BlockJit's) the block's start, its physical page, its count and its index in `table`. It
 * mirrors the JS front cache for the slots that hold a wasm block (the JIT installs and evicts
 * entries whenever it fills or drops a slot); other slots hold start -1, which no PC equals.
 *
 * `run(room, maxBlocks, tlb, fetch)` loops while the next block is exactly the one the JS chain
 * would run: the PC (R[15] in the state area, written by each block) hits the front cache, the
 * PC's fetch entry (in the MMU's current entries at `fetch`, also in the state area; an empty one
 * is filled first through the `fill` import, as runFrom fills it) is executable and on the block's
 * physical page, the block fits the rest of the budget, fewer than `maxBlocks`
 * blocks ran, and no block asked JS for attention: the imports a block calls (handlers, slow
 * paths — the only code that can request an exit, sleep, change mode, state or translation) set
 * the STOP word when the chain must end (A32WasmCompiler.stopsChain: when A32BlockJit.runFrom
 * would end it too, or the `tlb` / `fetch` views it was given changed), and the chain returns
 * after that block. Between blocks it keeps CHAIN_DONE
 * (instructions retired by the chain's earlier blocks) in memory: the imports of a block add it to
 * what they report (icount, a fault's count retired). ENTERED is the number of blocks run.
 */
import { I32, Op, WasmModuleBuilder } from './wasm-module-builder.js';
import { STATE_DISPATCH, STATE_REGS, STATE_SCRATCH, WASM_STATE_BYTES } from './wasm-state-layout.js';

/** Scratch words (offsets in the state area). */
export const DISPATCH_STOP = STATE_SCRATCH;
export const DISPATCH_CHAIN_DONE = STATE_SCRATCH + 4;
export const DISPATCH_ENTERED = STATE_SCRATCH + 8;
/** Bytes per front-cache slot: start, physical page, count, table index. */
export const DISPATCH_SLOT_BYTES = 16;

/** A block function as the chain calls it: (budget, JIT TLB view address) -> instructions retired. */
export type WasmBlockFunction = (budget: number, tlb: number) => number;

export class WasmDispatcher {
  /** The blocks' functions (every entry of type (i32, i32) -> i32). */
  readonly table: WebAssembly.Table;
  private readonly front: Int32Array;
  private readonly scratch: Int32Array;
  private readonly runChain: (room: number, maxBlocks: number, tlb: number, fetch: number) => number;
  /** Table indexes free for reuse (blocks dropped), and the next never used. */
  private readonly free: number[] = [];
  private nextIndex = 0;

  constructor(
    memory: WebAssembly.Memory,
    stateBase: number,
    /** Slots of the front cache (a power of two, A32BlockJit's). */
    readonly slots: number,
    /** The fetch entry of a PC whose entry was not executable, after a TLB fill (A32ChainHost.probeFetchEntry). */
    fill: (pc: number) => number,
  ) {
    if (STATE_DISPATCH + slots * DISPATCH_SLOT_BYTES > WASM_STATE_BYTES) throw new RangeError(`a wasm front cache of ${slots} slots does not fit in the state area`);
    this.front = new Int32Array(memory.buffer, stateBase + STATE_DISPATCH, slots * (DISPATCH_SLOT_BYTES / 4)).fill(-1);
    this.scratch = new Int32Array(memory.buffer, stateBase + STATE_SCRATCH, 4);
    this.table = new WebAssembly.Table({ initial: 1024, element: 'anyfunc' });
    const bytes = chainModule(stateBase, slots);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, table: this.table, fill } });
    this.runChain = instance.exports.run as (room: number, maxBlocks: number, tlb: number, fetch: number) => number;
  }

  /** A table index holding `fn` (a wasm block function exported by its module), to give `install`. */
  add(fn: WasmBlockFunction): number {
    const index = this.free.pop() ?? this.nextIndex++;
    if (index >= this.table.length) this.table.grow(Math.max(1024, this.table.length));
    this.table.set(index, fn);
    return index;
  }

  /** Give back the table index of a dropped block (its slot must have been evicted). */
  release(index: number): void {
    this.table.set(index, null);
    this.free.push(index);
  }

  /** Front-cache `slot` holds the wasm block at `start` on physical page `ppage`. */
  install(slot: number, start: number, ppage: number, count: number, index: number): void {
    const f = slot * 4;
    this.front[f] = start;
    this.front[f + 1] = ppage;
    this.front[f + 2] = count;
    this.front[f + 3] = index;
  }

  /** Front-cache `slot` holds no wasm block. */
  evict(slot: number): void {
    this.front[slot * 4] = -1;
    this.front[slot * 4 + 1] = -1;
  }

  /** The table index in `slot`, or -1 when it holds no wasm block. */
  indexAt(slot: number): number {
    return this.front[slot * 4] === -1 ? -1 : this.front[slot * 4 + 3]!;
  }

  /**
   * Run the chain from the PC in R[15] (see the module comment); returns the instructions retired.
   * A throw from a block (a fault through an import) leaves CHAIN_DONE and ENTERED as they were
   * for that block: the caller's catch reads them (`chainDone`, `entered`) and then calls `reset`.
   */
  run(room: number, maxBlocks: number, tlb: number, fetch: number): number {
    return this.runChain(room, maxBlocks, tlb, fetch);
  }

  /** Blocks the last `run` entered (after a throw out of it: those before the block that threw). */
  get entered(): number {
    return this.scratch[2]!;
  }

  /** Instructions retired by the blocks before the running one (0 outside `run`). */
  get chainDone(): number {
    return this.scratch[1]!;
  }

  /** Clear the chain's words after a throw out of `run`. */
  reset(): void {
    this.scratch[0] = 0;
    this.scratch[1] = 0;
  }
}

/** The chain loop as a wasm module importing the memory and the table. */
function chainModule(stateBase: number, slots: number): Uint8Array<ArrayBuffer> {
  const m = new WasmModuleBuilder();
  const blockType = m.type([I32, I32], [I32]);
  const runType = m.type([I32, I32, I32, I32], [I32]);
  m.importMemory('env', 'memory', 1);
  m.importTable('env', 'table', 1);
  const fill = m.importFunction('env', 'fill', m.type([I32], [I32]));
  const c = m.code(runType);
  const [room, maxBlocks, tlb, fetch] = [0, 1, 2, 3];
  const done = c.local();
  const pc = c.local();
  const f = c.local();
  const e = c.local();
  const entered = c.local();
  const word = (addr: number): void => void c.loadWordAt(stateBase + addr);
  c.storeWordAt(stateBase + DISPATCH_STOP, (x) => x.i32Const(0));
  c.block(); // $out
  c.loop(); // $next
  // pc = R[15]; f = the slot's entry
  word(STATE_REGS + 60);
  c.tee(pc).i32Const(2).op(Op.i32ShrU).i32Const(slots - 1).op(Op.i32And).i32Const(4).op(Op.i32Shl);
  c.i32Const(stateBase + STATE_DISPATCH).op(Op.i32Add).set(f);
  // The slot holds a block starting at pc
  c.get(f).mem(Op.i32Load, 2, 0).get(pc).op(Op.i32Ne).brIf(1);
  // whose physical page is that of the PC's executable fetch entry
  c.get(pc).i32Const(12).op(Op.i32ShrU).i32Const(2).op(Op.i32Shl).get(fetch).op(Op.i32Add).mem(Op.i32Load, 2, 0).set(e);
  c.get(e).i32Const(4).op(Op.i32And).op(Op.i32Eqz);
  c.if();
  c.get(pc).call(fill).set(e);
  c.get(e).i32Const(4).op(Op.i32And).op(Op.i32Eqz).brIf(2);
  c.end();
  c.get(e).i32Const(3).op(Op.i32ShrU).get(f).mem(Op.i32Load, 2, 4).op(Op.i32Ne).brIf(1);
  // and that runs whole within the budget left
  c.get(f).mem(Op.i32Load, 2, 8).get(room).get(done).op(Op.i32Sub).op(Op.i32GtS).brIf(1);
  c.storeWordAt(stateBase + DISPATCH_CHAIN_DONE, (x) => x.get(done));
  c.storeWordAt(stateBase + DISPATCH_ENTERED, (x) => x.get(entered));
  c.get(room).get(done).op(Op.i32Sub).get(tlb).get(f).mem(Op.i32Load, 2, 12);
  c.op(Op.callIndirect).u32(blockType).byte(0);
  c.get(done).op(Op.i32Add).set(done);
  c.get(entered).i32Const(1).op(Op.i32Add).set(entered);
  word(DISPATCH_STOP);
  c.brIf(1);
  c.get(entered).get(maxBlocks).op(Op.i32Ne).brIf(0);
  c.end();
  c.end();
  c.storeWordAt(stateBase + DISPATCH_ENTERED, (x) => x.get(entered));
  c.storeWordAt(stateBase + DISPATCH_CHAIN_DONE, (x) => x.i32Const(0));
  c.get(done);
  m.exportFunction('run', m.addFunction(runType, c));
  return m.build();
}
