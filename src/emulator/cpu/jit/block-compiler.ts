/**
 * Translates a block of Thumb code into one JavaScript function (`new Function`), so V8
 * compiles guest blocks to machine code. A block is straight-line code from `start` up to and
 * including the first unconditional branch it does not follow (a taken conditional branch is a side
 * exit, its fall-through stays in the block; B, BL into a short leaf and the return from it are
 * followed: a superblock of several code ranges), an instruction that must stop translation (SVC,
 * BKPT, hints, coprocessor/undefined space, an IT block holding UNPREDICTABLE forms), the end of a
 * page or MAX_BLOCK_INSNS. IT blocks are translated as conditional code. MSR and CPS are
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
import { BLOCK_COUNT, BRANCH_MARKER, EmitContext, RELOAD, WRITE_BACK, conditionExpr, type Emitted, type InsnSite } from './emit-context.js';
import { emitT16, emitT16InIt, emitT16Row } from './emit-t16.js';
import { itAdvance } from '../alu.js';
import { emitT32 } from './emit-t32.js';
import { linkBlock, type BlockRun } from './block-function.js';

export const MAX_BLOCK_INSNS = 64;
/** A call is followed into its callee when the callee reaches `bx lr` within this many instructions. */
const LEAF_INSNS = 16;

/** 16-bit rows that end translation before them (they change IT state, mode, or raise exceptions). */
const STOP_T16 = new Set(['IT', 'SVC', 'BKPT', 'HINT', 'UDF', 'UNDEFINED']);
/** 32-bit rows that end translation before them. */
const STOP_T32 = new Set(['HINT', 'UDF', 'NOCP_ldc_mcrr', 'NOCP_cdp_mcr']);
/** Call-through rows after which straight-line code does not continue (they always branch). */
const ALWAYS_BRANCH_T16 = new Set(['BX', 'BLX_reg']);
const ALWAYS_BRANCH_T32 = new Set(['TBB', 'TBH']);

/** Guest code [start, end) on host RAM page `hostPage`. */
export interface CodeRange {
  readonly start: number;
  readonly end: number;
  readonly hostPage: number;
}

export interface CompiledBlock {
  /** Guest address of the first instruction. */
  readonly start: number;
  /** Guest address just after the last instruction. */
  readonly end: number;
  /** Instructions in one pass (charged whole: the dispatcher needs budget >= count). */
  readonly count: number;
  /** Host RAM page the code was read from (invalidation unit). */
  readonly hostPage: number;
  /**
   * The block's code after the branches it followed (a superblock: B, BL and returns to a followed
   * call go on translating at their target), each range within one page; empty when it followed none.
   */
  readonly ranges?: readonly CodeRange[];
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
  // Only what the block assigns is written back: a local it only reads always equals its home
  // (reloads after handler calls keep it so), and a superblock reads many registers it never writes.
  const written = new Set<string>();
  for (const m of code.matchAll(/(R\[\d+\]|st\.[NZCV]F)\s*(?:[-+*/%&|^]|<<|>>>?)?=(?!=)/g)) written.add(m[1]!);
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
    writeBack: pairs
      .filter(([home]) => written.has(home))
      .map(([home, local]) => `${home} = ${local};`)
      .join(' '),
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

/** How far ahead of a terminating instruction a branch target keeps translation going (bytes). */
const JOIN_WINDOW = 16;

function landsJustAhead(targets: ReadonlySet<number>, pc: number, pageEnd: number): boolean {
  for (const t of targets) if (t >= pc && t < pc + JOIN_WINDOW && t < pageEnd) return true;
  return false;
}

/** 16-bit rows an IT block may not hold (UNPREDICTABLE there): the IT block stays interpreted. */
const IT_UNPREDICTABLE_T16 = new Set(['IT', 'CBZ_CBNZ', 'B_cond']);

/**
 * An IT instruction the block translates: first condition not 1111 and no AL with an else slot
 * (UNPREDICTABLE forms, which the interpreter runs as QEMU does).
 */
function itTranslatable(hw: number): boolean {
  const cond = (hw >>> 4) & 15;
  const mask = hw & 15;
  if (mask === 0 || cond === 15) return false;
  // AL: every slot must be "then" (mask bits below the terminating 1 equal firstcond[0] = 0).
  return cond !== 14 || (mask & (mask - 1)) === 0;
}

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

  /**
   * A call the block follows: a leaf whose straight line reaches `bx lr` within LEAF_INSNS
   * instructions (an idle hook, a list or critical-section helper). Following longer callees copies
   * them into every caller's block: the steady state gains little and V8 compiles much more code.
   */
  private shortLeaf(target: number): boolean {
    let pc = target;
    for (let n = 0; n < LEAF_INSNS; n++) {
      const hw = this.code16(pc);
      if (hw < 0) return false;
      if (hw === 0x4770) return true; // bx lr
      // An unconditional branch, a PC pop, BX/BLX of another register, an IT: not a short leaf.
      if ((hw & 0xf800) === 0xe000 || (hw & 0xff00) === 0xbd00 || (hw & 0xff00) === 0x4700 || (hw & 0xff00) === 0xbf00) return false;
      if (hw >= 0xe800) {
        const hw2 = this.code16(pc + 2);
        if ((hw & 0xf800) === 0xf000 && (hw2 & 0x8000) !== 0) return false; // B.W / BL / B<c>.W
        pc = (pc + 4) | 0;
      } else {
        pc = (pc + 2) | 0;
      }
    }
    return false;
  }

  /**
   * Forget an IT block begun in this block (from its IT instruction on): the block ends before the
   * IT and the interpreter runs the IT block. Returns the PC and last site to end the block with.
   */
  private dropItBlock(
    at: { pc: number; last: InsnSite | null; n: number; handlers: number },
    parts: string[],
    pcs: number[],
    itStates: number[],
    inIt: Set<number>,
    handlers: Handler[],
    args: Fields[],
  ): { pc: number; last: InsnSite | null } {
    parts.length = at.n;
    pcs.length = at.n;
    itStates.length = at.n;
    handlers.length = at.handlers;
    args.length = at.handlers;
    for (const j of [...inIt]) if (j >= at.n) inIt.delete(j);
    return { pc: at.pc, last: at.last };
  }

  /** Translate the block at `start`, or null when its first instruction cannot be translated. */
  compile(start: number): CompiledBlock | null {
    const host = this.bus.pageHost[start >>> PAGE_SHIFT]!;
    if (host < 0) return null;
    let pageEnd = ((start >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
    // Ranges of code after followed branches, the one being translated starting at rangeStart,
    // and the return addresses of the calls followed (innermost last).
    const ranges: CodeRange[] = [];
    let rangeStart = start;
    let primaryEnd = -1;
    const calls: number[] = [];
    // Targets ahead of the instruction that branched there, by the branches translated so far.
    const forwardTargets = new Set<number>();
    const ctx = new EmitContext(start);
    const handlers: Handler[] = [];
    const args: Fields[] = [];
    const pcs: number[] = [];
    const parts: string[] = [];
    let pc = start;
    let last: InsnSite | null = null;
    // Inside an IT block: ITSTATE before the next instruction (0 outside), where the block stood
    // before its IT (to drop the whole IT block when one of its instructions cannot be translated),
    // and the indexes of the instructions it covers (never jump targets).
    let it = 0;
    let beforeIt: { pc: number; last: InsnSite | null; n: number; handlers: number } | null = null;
    const inIt = new Set<number>();
    const itStates: number[] = [];

    const spMask = this.cpu.spWriteMask;
    while (pcs.length < MAX_BLOCK_INSNS && pc + 2 <= pageEnd) {
      const hw = this.code16(pc);
      if (hw < 0) break;
      const wide = hw >= 0xe800;
      if (wide && pc + 4 > pageEnd) break;
      // Straight-line code reaching an instruction the block already holds (after a followed branch)
      // jumps there instead of translating it twice.
      if (it === 0 && last !== null && pcs.includes(pc)) {
        parts.push(ctx.branchTo(last, pc));
        break;
      }
      // (Not inside an IT block: a conditional return there stays an exit.)
      ctx.expectedReturn = it === 0 && calls.length > 0 ? calls[calls.length - 1]! : 0;
      const itBefore = it;
      const site: InsnSite = it === 0 ? { j: pcs.length, pc, size: wide ? 4 : 2 } : { j: pcs.length, pc, size: wide ? 4 : 2, itBefore: it, itAfter: itAdvance(it) };
      let e: Emitted | null;
      let writesSp: boolean;
      if (!wide) {
        const row = T16_TABLE[T16_LOOKUP[hw]!]!;
        if (row.name === 'IT' && it === 0 && itTranslatable(hw)) {
          // The block keeps st.itstate 0 and makes each instruction of the IT block conditional.
          beforeIt = { pc, last, n: pcs.length, handlers: handlers.length };
          it = hw & 0xff;
          parts.push('');
          pcs.push(pc);
          itStates.push(0);
          last = { j: site.j, pc, size: 2, itAfter: it };
          pc = (pc + 2) | 0;
          continue;
        }
        if (STOP_T16.has(row.name) || (it !== 0 && IT_UNPREDICTABLE_T16.has(row.name))) {
          if (it !== 0) ({ pc, last } = this.dropItBlock(beforeIt!, parts, pcs, itStates, inIt, handlers, args));
          break;
        }
        const terminates = ALWAYS_BRANCH_T16.has(row.name) || (row.name === 'POP' && (hw & 0x100) !== 0);
        const callThrough = (): string => {
          handlers.push(T16_EXEC[hw]!);
          args.push(t16Args(hw));
          return ctx.callThrough(site, hw, handlers.length - 1);
        };
        if (T16_FAST[hw] !== 0) e = it !== 0 ? emitT16InIt(ctx, site, hw) : emitT16(ctx, site, hw);
        else e = emitT16Row(ctx, site, row.name, hw, callThrough);
        e ??= { code: callThrough(), terminates };
        writesSp = T16_SP_WRITERS.has(row.name) || (HI_REG_T16.has(row.name) && (((hw >>> 4) & 8) | (hw & 7)) === 13);
      } else {
        const insn = (hw << 16) | this.code16(pc + 2);
        const row = match32(this.t32Buckets[bucketKey32(insn)]!, insn);
        if (row === null || STOP_T32.has(row.name) || (it !== 0 && row.name === 'B_cond')) {
          if (it !== 0) ({ pc, last } = this.dropItBlock(beforeIt!, parts, pcs, itStates, inIt, handlers, args));
          break;
        }
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
      let code = e.memory === true ? `${insnCode} ${ctx.stopCheck(site)}` : insnCode;
      let terminates = e.terminates;
      if (it !== 0) {
        // A branch may only end an IT block (anything else is UNPREDICTABLE: the interpreter's).
        const branches = terminates || code.search(BRANCH_MARKER) >= 0;
        if (branches && site.itAfter !== 0) {
          ({ pc, last } = this.dropItBlock(beforeIt!, parts, pcs, itStates, inIt, handlers, args));
          break;
        }
        // The condition fails: the instruction retires as a no-op and the straight line goes on.
        code = `if (${conditionExpr(it >>> 4)}) { ${code} }`;
        terminates = false;
        inIt.add(pcs.length);
        it = site.itAfter!;
      }
      // Follow an unconditional branch or a return to a followed call: translation goes on at its
      // target (a new range) unless the block already holds it (a loop: the branch links there) or
      // is full, or the target is not RAM.
      const target = it === 0 && site.itBefore === undefined ? (e.returnTo ?? e.jump ?? -1) : -1;
      const follow = (e.link === undefined || this.shortLeaf(target)) && target >= 0 && pcs.length + 1 < MAX_BLOCK_INSNS && !pcs.includes(target) && target !== pc && this.code16(target) >= 0;
      if (follow) {
        if (e.returnTo !== undefined) calls.pop();
        else {
          code = e.link !== undefined ? `R[14] = ${e.link};` : '';
          if (e.link !== undefined) calls.push(e.link & ~1);
        }
        terminates = false;
      } else if (e.returnTo !== undefined) {
        // Not followed (the block holds the return address already, or is full): its code falls
        // through only on that return, so branch there (a link inside the block or an exit).
        code = `${code} ${ctx.branchTo(site, e.returnTo)}`;
      }
      for (const m of code.matchAll(BRANCH_MARKER)) {
        const t = Number(m[1]);
        if (t > pc) forwardTargets.add(t);
      }
      parts.push(code);
      pcs.push(pc);
      itStates.push(itBefore);
      last = site;
      pc = (pc + site.size) | 0;
      // After an instruction that always leaves the straight line, go on when a branch of the block
      // lands just ahead (if/else layouts: `beq 1f; ...; bx lr; 1: ...`): that code joins the block.
      // Its code is entered only through such branches (or a handler's fall-through to `pc` itself).
      if (terminates && !landsJustAhead(forwardTargets, pc, pageEnd)) break;
      if (follow) {
        const range = { start: rangeStart, end: pc, hostPage: this.bus.pageHost[rangeStart >>> PAGE_SHIFT]! >>> PAGE_SHIFT };
        if (primaryEnd < 0) primaryEnd = pc;
        else ranges.push(range);
        rangeStart = target;
        pc = target;
        pageEnd = ((target >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
      }
    }
    if (last === null) return null;
    // Also after a terminating instruction: its own exit test lets a branch to the next instruction
    // fall through, and falling off the end of the loop body would re-run the block from its start.
    parts.push(ctx.exitAfter(last, `${pc | 0}`));

    const count = pcs.length;
    const { body, loopsToStart } = ctx.linkBranches(parts, pcs, inIt);
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
      undefined,
      undefined,
      undefined,
      itStates,
    );
    if (primaryEnd < 0) primaryEnd = pc;
    else ranges.push({ start: rangeStart, end: pc, hostPage: this.bus.pageHost[rangeStart >>> PAGE_SHIFT]! >>> PAGE_SHIFT });
    return { start, end: primaryEnd, count, hostPage: host >>> PAGE_SHIFT, ranges, run, loopsToStart, bpGeneration: -1, bpInside: false };
  }
}
