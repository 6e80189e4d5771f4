import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { I32, Op, WasmModuleBuilder } from '../../src/emulator/cpu/wasm/wasm-module-builder.js';
import { STATE_FETCH_PRIV, STATE_REGS } from '../../src/emulator/cpu/wasm/wasm-state-layout.js';
import { DISPATCH_STOP, WasmDispatcher, type WasmBlockFunction } from '../../src/emulator/cpu/wasm/wasm-dispatcher.js';

const SLOTS = 1 << 14;
const slotOf = (pc: number): number => (pc >>> 2) & (SLOTS - 1);

/**
 * A rig: blocks that add `count` to r0 and jump to `next` (R[15]); a block may call the `poke`
 * import (as a handler call would), which sets STOP and records CHAIN_DONE, or throws.
 */
function rig() {
  const bus = new Bus([{ name: 'ram', base: 0, size: 0x10000 }], { wasm: true });
  const w = bus.wasm!;
  const fetch = new Int32Array(w.memory.buffer, w.stateBase + STATE_FETCH_PRIV, 1 << 20);
  // The fill import (a TLB walk in the core): records the PCs and returns what `walked` holds for
  // the page, else the entry as it is (a walk that finds the page not executable).
  const fills: number[] = [];
  const walked = new Map<number, number>();
  const fill = (pc: number): number => {
    fills.push(pc);
    const e = walked.get(pc >>> 12);
    if (e === undefined) return fetch[pc >>> 12]!;
    fetch[pc >>> 12] = e;
    return e;
  };
  const d = new WasmDispatcher(w.memory, w.stateBase, SLOTS, fill);
  const r = new Int32Array(w.memory.buffer, w.stateBase + STATE_REGS, 16);
  const words = new Int32Array(w.memory.buffer);
  const seen: number[] = [];
  let throwNext = false;
  const poke = (): number => {
    seen.push(words[(w.stateBase + 132) >> 2]!);
    words[(w.stateBase + DISPATCH_STOP) >> 2] = 1;
    if (throwNext) throw new Error('fault');
    return 0;
  };
  const block = (start: number, count: number, next: number, calls = false): WasmBlockFunction => {
    const m = new WasmModuleBuilder();
    const t = m.type([I32, I32], [I32]);
    const p = m.importFunction('env', 'poke', m.type([], [I32]));
    m.importMemory('env', 'memory', 1);
    const c = m.code(t);
    const r0 = w.stateBase + STATE_REGS;
    c.storeWordAt(r0, (x) => x.loadWordAt(r0).i32Const(count).op(Op.i32Add));
    if (calls) c.call(p).op(Op.drop);
    c.storeWordAt(r0 + 60, (x) => x.i32Const(next));
    c.i32Const(count);
    m.exportFunction('b', m.addFunction(t, c));
    const fn = new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { memory: w.memory, poke } }).exports.b as WasmBlockFunction;
    d.install(slotOf(start), start, start >>> 12, count, d.add(fn));
    return fn;
  };
  // Executable identity entries for the pages used.
  for (const page of [0, 1, 2, 3, 4]) fetch[page] = (page << 3) | 7;
  const run = (pc: number, room: number, maxBlocks = 0x7fffffff): number => {
    r[15] = pc;
    return d.run(room, maxBlocks, 0, w.stateBase + STATE_FETCH_PRIV);
  };
  return { d, r, fetch, block, run, seen, fills, walked, setThrow: (v: boolean) => (throwNext = v) };
}

describe('WasmDispatcher (the wasm block chain)', () => {
  it('chains blocks while each next PC hits and fits, and stops at the first that does not', () => {
    const { d, r, block, run } = rig();
    block(0x1000, 3, 0x1100);
    block(0x1100, 5, 0x1000); // a loop of two blocks, 8 instructions a round
    expect(run(0x1000, 20)).toBe(19); // 3+5+3+5+3: the next (5) does not fit the 1 left
    expect([d.entered, r[0], r[15]]).toEqual([5, 19, 0x1100]);
    r[0] = 0;
    expect(run(0x1000, 1000, 3)).toBe(11); // maxBlocks
    expect([d.entered, r[15]]).toEqual([3, 0x1100]);
    block(0x2000, 2, 0x2ffc); // 0x2ffc: no block there
    expect(run(0x2000, 100)).toBe(2);
    expect([d.entered, r[15]]).toEqual([1, 0x2ffc]);
    expect(run(0x3000, 100)).toBe(0); // the first PC misses: nothing runs
    expect(d.entered).toBe(0);
  });

  it('checks the fetch entry: not executable, or another physical page, ends the chain', () => {
    const { d, fetch, block, run } = rig();
    block(0x1000, 3, 0x2000);
    block(0x2000, 4, 0x1000);
    fetch[2] = (2 << 3) | 3; // page 2 readable/writable, not executable
    expect(run(0x1000, 100)).toBe(3);
    fetch[2] = (7 << 3) | 7; // page 2 now maps to physical page 7
    expect(run(0x1000, 100)).toBe(3);
    fetch[2] = (2 << 3) | 7;
    d.evict(slotOf(0x2000));
    expect(run(0x1000, 100)).toBe(3);
    expect(d.indexAt(slotOf(0x2000))).toBe(-1);
  });

  it('fills an empty fetch entry through the fill import and goes on when the walk makes it executable', () => {
    const { d, fetch, block, run, fills, walked } = rig();
    block(0x1000, 3, 0x2000);
    block(0x2000, 4, 0x3000);
    block(0x3000, 5, 0x3ffc);
    fetch[2] = 0; // flushed
    fetch[3] = 0;
    walked.set(2, (2 << 3) | 7); // the walk fills page 2 executable
    walked.set(3, 0); // page 3's fetch would fault: 0, the chain leaves it to the interpreter
    expect(run(0x1000, 100)).toBe(7);
    expect([d.entered, fills]).toEqual([2, [0x2000, 0x3000]]);
    expect(fetch[2]).toBe((2 << 3) | 7);
    fills.length = 0;
    walked.set(3, (9 << 3) | 7); // page 3 now maps to another physical page than its block's
    expect(run(0x1000, 100)).toBe(7);
    expect(fills).toEqual([0x3000]); // page 2 was executable: no fill
    fills.length = 0;
    fetch[3] = 0;
    walked.set(3, (3 << 3) | 7);
    expect(run(0x1000, 100)).toBe(12);
    expect([d.entered, fills]).toEqual([3, [0x3000]]);
  });

  it('returns after a block that called an import (STOP), which saw the chain count before its block', () => {
    const { d, block, run, seen } = rig();
    block(0x1000, 3, 0x1100);
    block(0x1100, 5, 0x1200, true);
    block(0x1200, 7, 0x1000);
    expect(run(0x1000, 100)).toBe(8);
    expect(d.entered).toBe(2);
    expect(seen).toEqual([3]);
    expect(d.chainDone).toBe(0);
  });

  it('a throw from a block leaves the chain count for the caller, reset clears it', () => {
    const { d, block, run, setThrow } = rig();
    block(0x1000, 3, 0x1100);
    block(0x1100, 5, 0x1200, true);
    setThrow(true);
    expect(() => run(0x1000, 100)).toThrow('fault');
    expect(d.chainDone).toBe(3);
    d.reset();
    expect(d.chainDone).toBe(0);
  });

  it('reuses the table indexes of released blocks', () => {
    const { d, block } = rig();
    const fn = block(0x1000, 3, 0x1100);
    const i = d.indexAt(slotOf(0x1000));
    d.evict(slotOf(0x1000));
    d.release(i);
    expect(d.add(fn)).toBe(i);
  });
});
