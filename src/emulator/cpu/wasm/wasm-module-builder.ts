/**
 * Writes WebAssembly binary modules (the MVP format, https://webassembly.github.io/spec/core/binary/)
 * for the wasm block tier: `WasmCode` is one function body as bytecode, `WasmModuleBuilder` the
 * module around such bodies (types, imported memory and functions, exports, a function table).
 * Bytes go into growable Uint8Arrays, nothing per byte is allocated: a block's code is built in
 * microseconds, which is what makes compiling tens of thousands of kernel blocks affordable.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export type WasmValueType = typeof I32 | typeof I64 | typeof F64;

/** Block type of a structured instruction without result. */
export const VOID = 0x40;

/** Opcodes the tier uses (names as in the spec's text format). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8S: 0x2c,
  i32Load8U: 0x2d,
  i32Load16S: 0x2e,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64Ne: 0x52,
  i32Clz: 0x67,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
} as const;

/** Growable byte buffer with the binary format's integer encodings. */
class ByteSink {
  bytes: Uint8Array<ArrayBuffer>;
  length = 0;

  constructor(capacity = 256) {
    this.bytes = new Uint8Array(capacity);
  }

  byte(b: number): this {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = b;
    return this;
  }

  append(src: Uint8Array, from = 0, to = src.length): this {
    const n = to - from;
    if (this.length + n > this.bytes.length) this.grow(n);
    this.bytes.set(src.subarray(from, to), this.length);
    this.length += n;
    return this;
  }

  /** Unsigned LEB128 (counts, indexes, sizes; values up to 2^32 - 1). */
  u32(v: number): this {
    let n = v >>> 0;
    for (;;) {
      const b = n & 0x7f;
      n >>>= 7;
      if (n === 0) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of an int32 (i32.const operands). */
  s32(v: number): this {
    let n = v | 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a value that fits a double exactly (i64.const up to ±2^53). */
  s64(v: number): this {
    let n = Math.trunc(v);
    for (;;) {
      const b = ((n % 128) + 128) % 128;
      n = Math.floor(n / 128);
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  name(text: string): this {
    this.u32(text.length);
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i) & 0x7f);
    return this;
  }

  /** The contents as a fresh array (the sink is reused). */
  take(): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(0, this.length);
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + need));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}

/** Scratch for a body's locals declaration while it is encoded (bodies are encoded one at a time). */
const LOCALS_HEAD = new ByteSink(64);

/** A position in a WasmCode (WasmCode.mark). */
export interface WasmMark {
  readonly length: number;
  readonly depth: number;
}

/**
 * One function body: its extra locals (all i32 unless declared otherwise) and its instructions.
 * Structured control (`block`/`loop`/`if`) is checked for balance when the body is finished.
 */
export class WasmCode extends ByteSink {
  private depth = 0;
  /** Local types after the parameters, in declaration order. */
  private readonly localTypes: WasmValueType[] = [];

  /** `capacity`: initial bytes (a body that outgrows it is copied into one twice the size). */
  constructor(
    private readonly params: number,
    capacity = 256,
  ) {
    super(capacity);
  }

  /** Declare a local; returns its index (parameters come first). */
  local(type: WasmValueType = I32): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  op(code: number): this {
    return this.byte(code);
  }

  i32Const(v: number): this {
    return this.byte(Op.i32Const).s32(v);
  }

  i64Const(v: number): this {
    return this.byte(Op.i64Const).s64(v);
  }

  get(local: number): this {
    return this.byte(Op.localGet).u32(local);
  }

  set(local: number): this {
    return this.byte(Op.localSet).u32(local);
  }

  tee(local: number): this {
    return this.byte(Op.localTee).u32(local);
  }

  /** A load or store with its natural alignment hint `alignLog2` and a constant `offset` added to the address. */
  mem(code: number, alignLog2: number, offset = 0): this {
    return this.byte(code).u32(alignLog2).u32(offset);
  }

  /** i32.load of the word at constant address `addr` (state area fields). */
  loadWordAt(addr: number): this {
    return this.i32Const(0).mem(Op.i32Load, 2, addr);
  }

  /** Store the value `value` pushes to the word at constant address `addr`. */
  storeWordAt(addr: number, value: (c: this) => void): this {
    this.i32Const(0);
    value(this);
    return this.mem(Op.i32Store, 2, addr);
  }

  block(type = VOID): this {
    this.depth++;
    return this.byte(Op.block).byte(type);
  }

  loop(type = VOID): this {
    this.depth++;
    return this.byte(Op.loop).byte(type);
  }

  if(type = VOID): this {
    this.depth++;
    return this.byte(Op.if).byte(type);
  }

  else(): this {
    return this.byte(Op.else);
  }

  end(): this {
    this.depth--;
    return this.byte(Op.end);
  }

  br(label: number): this {
    return this.byte(Op.br).u32(label);
  }

  brIf(label: number): this {
    return this.byte(Op.brIf).u32(label);
  }

  call(func: number): this {
    return this.byte(Op.call).u32(func);
  }

  /** The point reached, for `rewind` (code written after it is dropped; locals declared stay). */
  mark(): WasmMark {
    return { length: this.length, depth: this.depth };
  }

  /** Drop what was written since `m` (an emitter opened a condition, then declined the instruction). */
  rewind(m: WasmMark): void {
    this.length = m.length;
    this.depth = m.depth;
  }

  /** Nesting depth of open structured instructions (label arithmetic for `br`). */
  get openBlocks(): number {
    return this.depth;
  }

  /** The body as the code section holds it: size, locals, instructions, `end`. */
  encode(out: ByteSink): void {
    if (this.depth !== 0) throw new Error(`wasm function body has ${this.depth} unclosed block(s)`);
    const head = LOCALS_HEAD;
    head.length = 0;
    // Runs of equal local types compress to (count, type) pairs.
    const runs: Array<[number, number]> = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    head.u32(runs.length);
    for (const [n, t] of runs) head.u32(n).byte(t);
    out.u32(head.length + this.length + 1);
    out.append(head.bytes, 0, head.length);
    out.append(this.bytes, 0, this.length);
    out.byte(Op.end);
  }
}

interface FunctionDef {
  readonly type: number;
  readonly code: WasmCode;
}

/**
 * A module: function types (deduplicated), imports (functions first, then the memory and a table),
 * defined functions, exports and element segments filling an imported table.
 */
export class WasmModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeDefs: Array<{ params: readonly WasmValueType[]; results: readonly WasmValueType[] }> = [];
  private readonly importedFunctions: Array<{ module: string; name: string; type: number }> = [];
  private memoryImport: { module: string; name: string; minPages: number; maxPages: number | null } | null = null;
  private tableImport: { module: string; name: string; minSize: number } | null = null;
  private readonly functions: FunctionDef[] = [];
  private readonly exports: Array<{ name: string; func: number }> = [];
  private readonly elements: Array<{ offset: number; funcs: readonly number[] }> = [];

  /** Index of the function type (params) -> (results), added once. */
  type(params: readonly WasmValueType[], results: readonly WasmValueType[]): number {
    const key = `${params.join(',')}:${results.join(',')}`;
    const at = this.types.indexOf(key);
    if (at >= 0) return at;
    this.types.push(key);
    this.typeDefs.push({ params, results });
    return this.types.length - 1;
  }

  /** Import a function (before any function is defined: imports take the first indexes). */
  importFunction(module: string, name: string, type: number): number {
    if (this.functions.length !== 0) throw new Error('wasm imports must be declared before the functions');
    this.importedFunctions.push({ module, name, type });
    return this.importedFunctions.length - 1;
  }

  importMemory(module: string, name: string, minPages: number, maxPages: number | null = null): void {
    this.memoryImport = { module, name, minPages, maxPages };
  }

  /** Import a funcref table of at least `minSize` entries (filled by `element`). */
  importTable(module: string, name: string, minSize: number): void {
    this.tableImport = { module, name, minSize };
  }

  /** A new function body of type `type` (its parameters are locals 0..n-1). */
  code(type: number, capacity?: number): WasmCode {
    return new WasmCode(this.typeDefs[type]!.params.length, capacity);
  }

  /** Define a function with body `code`; returns its function index. */
  addFunction(type: number, code: WasmCode): number {
    this.functions.push({ type, code });
    return this.importedFunctions.length + this.functions.length - 1;
  }

  exportFunction(name: string, func: number): void {
    this.exports.push({ name, func });
  }

  /** Put functions `funcs` into the imported table from index `offset` at instantiation. */
  element(offset: number, funcs: readonly number[]): void {
    this.elements.push({ offset, funcs });
  }

  build(): Uint8Array<ArrayBuffer> {
    const out = new ByteSink();
    out.append(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const sec = new ByteSink();
    const section = (id: number, fill: (s: ByteSink) => void): void => {
      sec.length = 0;
      fill(sec);
      out.byte(id).u32(sec.length).append(sec.bytes, 0, sec.length);
    };
    section(1, (s) => {
      s.u32(this.typeDefs.length);
      for (const t of this.typeDefs) {
        s.byte(0x60).u32(t.params.length);
        for (const p of t.params) s.byte(p);
        s.u32(t.results.length);
        for (const r of t.results) s.byte(r);
      }
    });
    const imports = this.importedFunctions.length + (this.memoryImport ? 1 : 0) + (this.tableImport ? 1 : 0);
    if (imports !== 0) {
      section(2, (s) => {
        s.u32(imports);
        for (const f of this.importedFunctions) s.name(f.module).name(f.name).byte(0x00).u32(f.type);
        const m = this.memoryImport;
        if (m !== null) {
          s.name(m.module).name(m.name).byte(0x02);
          if (m.maxPages === null) s.byte(0x00).u32(m.minPages);
          else s.byte(0x01).u32(m.minPages).u32(m.maxPages);
        }
        const t = this.tableImport;
        if (t !== null) s.name(t.module).name(t.name).byte(0x01).byte(0x70).byte(0x00).u32(t.minSize);
      });
    }
    section(3, (s) => {
      s.u32(this.functions.length);
      for (const f of this.functions) s.u32(f.type);
    });
    if (this.exports.length !== 0) {
      section(7, (s) => {
        s.u32(this.exports.length);
        for (const e of this.exports) s.name(e.name).byte(0x00).u32(e.func);
      });
    }
    if (this.elements.length !== 0) {
      section(9, (s) => {
        s.u32(this.elements.length);
        for (const e of this.elements) {
          s.byte(0x00).byte(Op.i32Const).s32(e.offset).byte(Op.end).u32(e.funcs.length);
          for (const f of e.funcs) s.u32(f);
        }
      });
    }
    section(10, (s) => {
      s.u32(this.functions.length);
      for (const f of this.functions) f.code.encode(s);
    });
    return out.take();
  }
}
