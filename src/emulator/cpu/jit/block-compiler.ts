/**
 * Translates a block of Thumb code into one JavaScript function (`new Function`), so V8
 * compiles guest blocks to machine code. A block is straight-line code from `start` up to and
 * including the first unconditional branch (a taken conditional branch is a side exit, its
 * fall-through stays in the block), an instruction that must stop translation (IT, SVC, BKPT, hints,
 * coprocessor/undefined space), the end of its 4 KiB page or MAX_BLOCK_INSNS. MSR and CPS are
 * call-throughs: they stop the core only when a pending exception may now preempt (or CONTROL
 * changed), which the call-through's stop check sees.
 *
 * Contract of a compiled block's `run(budget)` (budget >= count, its longest path): executes whole
 * instructions exactly as the interpreter would, sets R[15] and clock.icount after the last one and returns how
 * many retired. It leaves early after any instruction that asked the core to stop (a device raised
 * an interrupt or armed an earlier timer, a watchpoint hit, a handler branched or changed mode),
 * so invariants I2/I3 hold whatever the block size. A branch to one of the block's own instructions
 * (its start, an inner loop's head, an if/else join) stays inside the function
 * (EmitContext.linkBranches), backward only while `budget` allows the rest of the block from there. A data fault escapes as the
 * bus's/CPU's signal after recording which instruction raised it (cpu.jitFaultPc/jitFaultRetired).
 */
import type { Bus } from '../../memory/bus.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../memory/bus.js';
import type { Cpu } from '../cpu.js';
import type { Encoding, Fields } from '../decode-table.js';
import { bucketKey32, match32 } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { T16_EXEC, T16_FAST, T16_LOOKUP, T16_TABLE, t16Args } from '../t16.js';
import { BLOCK_COUNT, EmitContext, RELOAD, WRITE_BACK, type Emitted, type InsnSite } from './emit-context.js';
import { emitT16, emitT16Row } from './emit-t16.js';
import { emitT32 } from './emit-t32.js';
import { linkBlock, type BlockRun } from './block-function.js';

export const MAX_BLOCK_INSNS = 64;

/** 16-bit rows that end translation before them (they change IT state, mode, or raise exceptions). */
const STOP_T16 = new Set(['IT', 'SVC', 'BKPT', 'HINT', 'UDF', 'UNDEFINED']);
/** 32-bit rows that end translation before them. */
const STOP_T32 = new Set(['HINT', 'UDF', 'NOCP_ldc_mcrr', 'NOCP_cdp_mcr']);
/** Call-through rows after which straight-line code does not continue (they always branch). */
const ALWAYS_BRANCH_T16 = new Set(['BX', 'BLX_reg']);
const ALWAYS_BRANCH_T32 = new Set(['TBB', 'TBH']);

export interface CompiledBlock {
  /** Guest address of the first instruction. */
  readonly start: number;
  /** Guest address just after the last instruction. */
  readonly end: number;
  /** Instructions in one pass (charged whole: the dispatcher needs budget >= count). */
  readonly count: number;
  /** Host RAM page the code was read from (invalidation unit). */
  readonly hostPage: number;
  readonly run: BlockRun;
  /** A branch in the block returns to its first instruction without passing the dispatcher. */
  readonly loopsToStart?: boolean;
  /** BreakpointSet.generation when `bpInside` was computed (-1: never). */
  bpGeneration: number;
  /**
   * Whether a breakpoint lies inside the block after its first instruction, or at it when the block
   * loops back there by itself (it then interprets).
   */
  bpInside: boolean;
}

const FLAG_LOCALS: ReadonlyArray<readonly [string, string]> = [
  ['st.NF', 'fN'],
  ['st.ZF', 'fZ'],
  ['st.CF', 'fC'],
  ['st.VF', 'fV'],
];

/**
 * Keep r0-r14 and the NZCV flags the block uses in locals (V8 keeps them in machine registers):
 * rewrites `R[n]` / `st.XF` in the emitted code and returns the load, write-back and reload code.
 */
function cacheInLocals(code: string): { code: string; locals: string; writeBack: string; reload: string } {
  const regs = new Set<number>();
  for (const m of code.matchAll(/R\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n < 15) regs.add(n);
  }
  let out = code.replace(/R\[(\d+)\]/g, (all, n: string) => (Number(n) < 15 ? `r${n}` : all));
  const flags = FLAG_LOCALS.filter(([field]) => out.includes(field));
  for (const [field, local] of flags) out = out.split(field).join(local);
  const pairs: Array<[string, string]> = [
    ...[...regs].sort((x, y) => x - y).map((n): [string, string] => [`R[${n}]`, `r${n}`]),
    ...flags.map(([field, local]): [string, string] => [field, local]),
  ];
  if (pairs.length === 0) return { code: out, locals: '', writeBack: '', reload: '' };
  return {
    code: out,
    locals: `let ${pairs.map(([home, local]) => `${local} = ${home}`).join(', ')};`,
    writeBack: pairs.map(([home, local]) => `${home} = ${local};`).join(' '),
    reload: pairs.map(([home, local]) => `${local} = ${home};`).join(' '),
  };
}

/** An exit as EmitContext.exitAfter / linkBranches write it: write-back, icount, PC, count retired. */
const EXIT_WITH_WRITE_BACK = new RegExp(
  `${WRITE_BACK.replace(/[/*]/g, (c) => `\\${c}`)} clock\\.icount = ic \\+ done \\+ (\\d+); R\\[15\\] = ([^;]+); return done \\+ \\1;`,
  'g',
);

/** 16-bit rows that write SP (PUSH/POP move it by whole words, or fault on an unaligned SP first). */
const T16_SP_WRITERS: ReadonlySet<string> = new Set(['ADD_sp_imm7', 'SUB_sp_imm7']);
/** 16-bit rows whose high-register destination may be SP. */
const HI_REG_T16: ReadonlySet<string> = new Set(['ADD_hireg', 'MOV_hireg']);

export class BlockCompiler {
  constructor(
    private readonly cpu: Cpu,
    private readonly bus: Bus,
    private readonly t32Buckets: readonly Encoding<Handler>[][],
  ) {}

  /** Halfword of code at `addr` if it is in RAM, else -1 (translation stops there). */
  private code16(addr: number): number {
    const host = this.bus.pageHost[addr >>> PAGE_SHIFT]!;
    if (host < 0) return -1;
    return this.bus.u16[(host + (addr & (PAGE_SIZE - 1))) >>> 1]!;
  }

  /** Translate the block at `start`, or null when its first instruction cannot be translated. */
  compile(start: number): CompiledBlock | null {
    const host = this.bus.pageHost[start >>> PAGE_SHIFT]!;
    if (host < 0) return null;
    const pageEnd = ((start >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
    const ctx = new EmitContext(start);
    const handlers: Handler[] = [];
    const args: Fields[] = [];
    const pcs: number[] = [];
    const parts: string[] = [];
    let pc = start;
    let last: InsnSite | null = null;

    const spMask = this.cpu.spWriteMask;
    while (pcs.length < MAX_BLOCK_INSNS && pc + 2 <= pageEnd) {
      const hw = this.code16(pc);
      if (hw < 0) break;
      const wide = hw >= 0xe800;
      if (wide && pc + 4 > pageEnd) break;
      const site: InsnSite = { j: pcs.length, pc, size: wide ? 4 : 2 };
      let e: Emitted | null;
      let writesSp: boolean;
      if (!wide) {
        const row = T16_TABLE[T16_LOOKUP[hw]!]!;
        if (STOP_T16.has(row.name)) break;
        const terminates = ALWAYS_BRANCH_T16.has(row.name) || (row.name === 'POP' && (hw & 0x100) !== 0);
        const callThrough = (): string => {
          handlers.push(T16_EXEC[hw]!);
          args.push(t16Args(hw));
          return ctx.callThrough(site, hw, handlers.length - 1);
        };
        e = T16_FAST[hw] !== 0 ? emitT16(ctx, site, hw) : emitT16Row(ctx, site, row.name, hw, callThrough);
        e ??= { code: callThrough(), terminates };
        writesSp = T16_SP_WRITERS.has(row.name) || (HI_REG_T16.has(row.name) && (((hw >>> 4) & 8) | (hw & 7)) === 13);
      } else {
        const insn = (hw << 16) | this.code16(pc + 2);
        const row = match32(this.t32Buckets[bucketKey32(insn)]!, insn);
        if (row === null || STOP_T32.has(row.name)) break;
        const fields: Fields = {};
        for (const f of row.fieldNames) fields[f] = 0;
        row.extract(insn, fields);
        const terminates =
          ALWAYS_BRANCH_T32.has(row.name) || ((row.name === 'LDM' || row.name === 'LDMDB') && (fields.list! & 0x8000) !== 0);
        const callThrough = (): string => {
          handlers.push(row.exec);
          args.push(fields);
          return ctx.callThrough(site, insn, handlers.length - 1);
        };
        e = emitT32(ctx, site, row, fields, callThrough);
        e ??= { code: callThrough(), terminates };
        // Rd, a loaded Rt or a written-back Rn (over-inclusive: also a stored Rt, harmless once SP is aligned).
        writesSp = fields.rd === 13 || fields.rt === 13 || fields.rt2 === 13 || (fields.w === 1 && fields.rn === 13);
      }
      // M-profile SP[1:0] are zero after any write (Cpu.setReg, QEMU's store_reg): the emitters write
      // R[13] as the handlers compute it, so clear them after every instruction that may write SP.
      const insnCode = writesSp && !e.terminates && spMask !== -1 ? `${e.code} R[13] &= ${spMask};` : e.code;
      const code = e.memory === true ? `${insnCode} ${ctx.stopCheck(site)}` : insnCode;
      parts.push(code);
      pcs.push(pc);
      last = site;
      pc = (pc + site.size) | 0;
      if (e.terminates) break;
    }
    if (last === null) return null;
    // Also after a terminating instruction: its own exit test lets a branch to the next instruction
    // fall through, and falling off the end of the loop body would re-run the block from its start.
    parts.push(ctx.exitAfter(last, `${pc | 0}`));

    const count = pcs.length;
    const { body, loopsToStart } = ctx.linkBranches(parts, pcs);
    const { code, locals, writeBack, reload } = cacheInLocals(body);
    // Every exit jumps to one shared epilogue that writes the register locals back, instead of a copy
    // of the write-back at each exit: a block's source and the graph TurboFan compiles are smaller.
    const joined = code.replace(EXIT_WITH_WRITE_BACK, 'x = done + $1; px = $2; break block;');
    const run = linkBlock(
      this.cpu,
      this.bus,
      {
        name: `block_${(start >>> 0).toString(16)}`,
        prologue: `let done = 0, k = 0, a = 0, res = 0, op = 0, cy = 0, inHandler = 0, e = 0, x = 0, px = 0;\n        ${locals}`,
        // Only a jump inside the block (`continue`) needs the loop; straight code breaks out of a plain
        // labelled block, which TurboFan does not loop-peel (peeling copied the whole block's graph).
        body: `block: ${/\bcontinue\b/.test(joined) ? 'for (;;)' : ''} {
            ${joined.split(WRITE_BACK).join(writeBack).split(RELOAD).join(reload).split(BLOCK_COUNT).join(`${count}`)}
          }
          ${writeBack} clock.icount = ic + x; R[15] = px; return x;`,
        writeBack,
      },
      handlers,
      args,
      pcs,
    );
    return { start, end: pc, count, hostPage: host >>> PAGE_SHIFT, run, loopsToStart, bpGeneration: -1, bpInside: false };
  }
}
