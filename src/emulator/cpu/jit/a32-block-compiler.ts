/**
 * Translates a block of A32 code of the A-profile core into one JavaScript function, as
 * BlockCompiler does for Thumb: straight-line code from `start` up to and including the first
 * instruction that always leaves it (an unconditional branch, a write to the PC, an exception-raising
 * or state-changing instruction), the end of its 4 KiB page or MAX_A32_BLOCK_INSNS. Conditional
 * instructions become `if` on the NZCV flags; a taken conditional branch is a side exit.
 *
 * The code is read from the *physical* page the block was looked up through (the TLB translation
 * of `start` at dispatch), and PC-relative values are those of the virtual address `start`: a block
 * belongs to one (virtual page, physical page) pair (A32BlockJit keys it so).
 *
 * Contract of `run(budget)` (budget >= count): as CompiledBlock.run — whole instructions exactly as
 * the interpreter executes them, R[15] and clock.icount set after the last, the number retired
 * returned; it leaves after any instruction that asked the core to stop. A fault escapes as the
 * MMU's/core's signal after recording the faulting instruction in cpu.jitFaultPc/jitFaultRetired.
 */
import type { Bus } from '../../memory/bus.js';
import { PAGE_SHIFT } from '../../memory/bus.js';
import { EXIT_AFTER, discoverA32Block } from './a32-block-discovery.js';

// Discovery's helpers were defined here before it was factored out (imports elsewhere still name this module).
export { MAX_A32_BLOCK_INSNS, codeWord, decodedFields, mayWritePc } from './a32-block-discovery.js';
import type { Cpu } from '../cpu.js';
import type { ArmV7aState } from '../v7a/state.js';
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { BLOCK_COUNT, conditionExpr as conditionOf, type Emitted, type InsnSite } from './emit-context.js';
import { A32EmitContext, callThroughKey, emitA32 } from './emit-a32.js';
import { linkBlock, type BlockRun } from './block-function.js';

/**
 * The compiled blocks' slow path (A32EmitContext.slowPath, SlowPath in block-function.ts): icount
 * synchronised, the interpreter's set-up and instruction k's handler (a fault escapes to the
 * block's catch, which records k), a JIT TLB refill for the access address, the PC the handler chose.
 */
function a32SlowPath(cpu: A32BlockHost, ic: number, done: number, k: number, a: number, H: Handler[], A: Fields[], PCS: Int32Array, INS: Int32Array): number {
  const retired = done + k + 1;
  cpu.clock.icount = ic + retired;
  cpu.beginA32(PCS[k]!, INS[k]!);
  H[k]!(cpu, A[k]!);
  cpu.jitRefill(a);
  cpu.r[15] = cpu.nextPc;
  return retired;
}

/**
 * The run of a new block function (interpreted, collecting type feedback: V8 allocates the
 * feedback vector after ~8 runs and optimizes after ~100) that takes its slow path once for its
 * first instruction, so the optimized block has feedback for its slow path's call; otherwise the
 * first JIT TLB miss after optimization deoptimizes the block and V8 compiles it again.
 */
const SLOW_PATH_WARM_RUN = 24;

/** The core a block runs on: what the generated code reads besides the Cpu fields. */
export interface A32BlockHost extends Cpu {
  /** The A-profile core's state (CPSR.E and IL decide whether blocks may run). */
  readonly state: ArmV7aState;
  /** The MMU's translation entries for the current privilege (the interpreter's fetch uses them). */
  fetchEntries(): Int32Array;
  /** The MMU's JIT TLB for the current privilege (jit-tlb.ts). */
  jitTlb(): Int32Array;
  /** A load that missed the JIT TLB: the interpreter's load (size as Cpu.loadSized), then a refill. */
  jitLoad(addr: number, size: number): number;
  /** A store that missed the JIT TLB (as jitLoad). */
  jitStore(addr: number, size: number, v: number): void;
  /** Cache the page of `addr` in the JIT TLB after the interpreter's access to it succeeded. */
  jitRefill(addr: number): void;
  /** The decode-table row of an A32 instruction on this core, null when UNDEFINED here. */
  a32Row(insn: number): Encoding<Handler> | null;
  /** The interpreter's set-up before an A32 table handler runs (pc, insn, nextPc, R[15] = pc + 8). */
  beginA32(pc: number, insn: number): void;
}

export interface A32Block {
  /** Virtual address of the first instruction (breakpoints and dispatch are on virtual addresses). */
  readonly start: number;
  /** Virtual address just after the last instruction. */
  readonly end: number;
  /** Physical page the code was read from (part of the block's identity). */
  readonly ppage: number;
  /** Instructions in one pass (charged whole: the dispatcher needs budget >= count); Infinity: untranslatable. */
  readonly count: number;
  /** Host RAM page of the code (invalidation unit). */
  readonly hostPage: number;
  readonly run: BlockRun;
  /** A branch in the block returns to its first instruction without passing the dispatcher. */
  readonly loopsToStart?: boolean;
  bpGeneration: number;
  bpInside: boolean;
}

export class A32BlockCompiler {
  constructor(
    private readonly cpu: A32BlockHost,
    private readonly bus: Bus,
  ) {}

  /**
   * Translate the block at virtual `start` whose code is on physical page `ppage`, or null when its
   * first instruction cannot be translated (the interpreter then runs it).
   */
  compile(start: number, ppage: number): A32Block | null {
    const block = discoverA32Block(this.cpu, this.bus, start, ppage);
    if (block === null) return null;
    const { pcs, insns, host } = block;
    const ctx = new A32EmitContext(start);
    // Every instruction's handler and fields, by index: the slow path runs instruction k through H[k].
    const handlers = block.rows.map((row) => row.exec);
    const args = block.fields;
    const parts: string[] = [];
    for (let j = 0; j < pcs.length; j++) {
      const row = block.rows[j]!;
      const fields = args[j]!;
      const insn = insns[j]!;
      const cond = insn >>> 28;
      const site: InsnSite = { j, pc: pcs[j]!, size: 4 };
      const ends = block.terminated && j === pcs.length - 1;
      let e: Emitted | null = emitA32(ctx, site, row, fields, insn);
      if (e === null) {
        const exits = EXIT_AFTER.has(row.name);
        let code = ctx.callThroughA32(site, insn, exits);
        if (this.cpu.stats.callThroughs !== null) code = `cpu.stats.countCallThrough(${JSON.stringify(callThroughKey(row, fields))}); ${code}`;
        e = { code: cond >= 14 ? code : `if (${conditionOf(cond)}) { ${code} }`, terminates: ends };
        if (ends && !exits) e.code += ` R[15] = cpu.nextPc; return done + ${j + 1};`;
      } else if (ends && !e.terminates) {
        // The block ends here whatever the emitter produced: its straight line must not run off.
        e.code += ` ${ctx.exitAfter(site, `${(site.pc + 4) | 0}`)}`;
      }
      parts.push(e.code);
    }
    const pc = block.end;
    if (!block.terminated) parts.push(ctx.exitAfter({ j: pcs.length - 1, pc: pcs[pcs.length - 1]!, size: 4 }, `${pc | 0}`));

    const count = pcs.length;
    // Registers and flags stay in R and st (no locals): with locals, every deoptimization point
    // and every merge of the block carries them, and V8's code grew (BENCHMARKS.md).
    // Only an unconditional first instruction may run through its handler unasked (handlers do
    // not test the condition: the interpreter and the block do, before calling them).
    const warmsUp = ctx.slow.size !== 0 && insns[0]! >>> 28 >= 14;
    const code = blockBody(parts, ctx, warmsUp).split(BLOCK_COUNT).join(`${count}`);
    const run = linkBlock(
      this.cpu,
      this.bus,
      {
        name: `a32_block_${(start >>> 0).toString(16)}`,
        prologue: 'const Q = cpu.jitTlb();\n        let done = 0, k = 0, a = 0, res = 0, op = 0, cy = 0, inHandler = 0, xn = 0, xpc = 0;',
        body: code,
        writeBack: '',
      },
      handlers,
      args,
      pcs,
      insns,
      a32SlowPath,
      warmsUp ? SLOW_PATH_WARM_RUN : 0,
    );
    return { start, end: pc, ppage, count, hostPage: host >>> PAGE_SHIFT, run, loopsToStart: ctx.loopsToStart, bpGeneration: -1, bpInside: false };
  }
}

/**
 * The function body of a block from its instructions' code (`parts[j]`, then the fall-through
 * exit): the straight line in the loop `out` (a branch back to the start continues it), its
 * epilogue, and — when some instruction may miss — both inside the block `miss` that every slow
 * path breaks out of, followed by the slow path.
 */
function blockBody(parts: readonly string[], ctx: A32EmitContext, warmsUp: boolean): string {
  const sep = '\n            ';
  const body = `out: for (;;) {${sep}${parts.join(sep)}${sep}}${sep}clock.icount = ic + done + xn; R[15] = xpc; return done + xn;`;
  if (ctx.slow.size === 0) return body;
  // The warm-up run (SLOW_PATH_WARM_RUN): instruction 0 through the slow path, exact as any miss.
  const warm = warmsUp ? `if (WARM[0] !== 0 && --WARM[0] === 0) { k = 0; break miss; }${sep}` : '';
  return `miss: {${sep}${warm}${body}${sep}}${sep}${ctx.slowPath()}`;
}
