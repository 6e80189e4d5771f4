import { describe, expect, it } from 'vitest';
import { I32, I64, Op, WasmModuleBuilder } from '../../src/emulator/cpu/wasm/wasm-module-builder.js';

describe('WasmModuleBuilder', () => {
  it('builds a module V8 validates and runs: memory and function imports, locals, loops, loads/stores, exports', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
    const m = new WasmModuleBuilder();
    const unary = m.type([I32], [I32]);
    const calls: number[] = [];
    const host = m.importFunction('env', 'host', unary);
    m.importMemory('env', 'memory', 1, 2);
    // sum(n): s = 0; do { s += n; mem[16] = s; n-- } while (n); return host(s) + mem[16]
    const c = m.code(unary);
    const s = c.local();
    c.loop();
    c.get(s).get(0).op(Op.i32Add).set(s);
    c.storeWordAt(16, (x) => x.get(s));
    c.get(0).i32Const(1).op(Op.i32Sub).tee(0).brIf(0);
    c.end();
    c.get(s).call(host).loadWordAt(16).op(Op.i32Add);
    const sum = m.addFunction(unary, c);
    m.exportFunction('sum', sum);
    // big(): the low word of 2^40 + 0x12345678 - 1 through i64 (signed LEB of large and negative constants)
    const nullary = m.type([], [I32]);
    const b = m.code(nullary);
    const wide = b.local(I64);
    b.i64Const(2 ** 40 + 0x12345678).i64Const(-1).op(Op.i64Add).set(wide);
    b.get(wide).op(Op.i32WrapI64).i32Const(-0x80000000).op(Op.i32Xor);
    m.exportFunction('big', m.addFunction(nullary, b));
    const bytes = m.build();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory, host: (v: number) => (calls.push(v), v * 2) },
    });
    const ex = inst.exports as { sum: (n: number) => number; big: () => number };
    expect(ex.sum(10)).toBe(55 * 2 + 55);
    expect(calls).toEqual([55]);
    expect(new Int32Array(memory.buffer)[4]).toBe(55);
    expect(ex.big()).toBe((0x12345677 ^ -0x80000000) | 0);
  });

  it('fills an imported table through element segments (the blocks of several modules in one table)', () => {
    const table = new WebAssembly.Table({ initial: 8, element: 'anyfunc' });
    const make = (offset: number, values: number[]): void => {
      const m = new WasmModuleBuilder();
      const t = m.type([], [I32]);
      m.importTable('env', 'table', 8);
      const funcs = values.map((v) => m.addFunction(t, m.code(t).i32Const(v)));
      m.element(offset, funcs);
      new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { table } });
    };
    make(0, [7, -1]);
    make(5, [0x7fffffff]);
    // A dispatcher module calling through the table.
    const m = new WasmModuleBuilder();
    const t = m.type([], [I32]);
    const byIndex = m.type([I32], [I32]);
    m.importTable('env', 'table', 8);
    const c = m.code(byIndex);
    c.get(0).op(Op.callIndirect).u32(t).byte(0);
    m.exportFunction('at', m.addFunction(byIndex, c));
    const at = (new WebAssembly.Instance(new WebAssembly.Module(m.build()), { env: { table } }).exports as { at: (i: number) => number }).at;
    expect([at(0), at(1), at(5)]).toEqual([7, -1, 0x7fffffff]);
    expect(() => at(3)).toThrow();
  });

  it('refuses unbalanced bodies and imports declared after functions', () => {
    const m = new WasmModuleBuilder();
    const t = m.type([], []);
    m.addFunction(t, m.code(t).block());
    expect(() => m.build()).toThrow(/unclosed/);
    expect(() => m.importFunction('env', 'late', t)).toThrow(/before the functions/);
  });
});
