/**
 * JavaScript for the frequent A32 encodings of the A-profile block JIT (data processing with an
 * immediate or an immediate-shifted register, MOVW/MOVT, single and multiple loads/stores,
 * branches), keyed by the decode-table row name (a32-dataproc.ts, a32-memory.ts, a32-control.ts)
 * so each encoding is still defined once. The data-processing arithmetic is the T32 emitters'
 * (same flag representation as alu.ts). Rows without an emitter, and the UNPREDICTABLE/UNDEFINED
 * corners of these, return null and run through their table handler (a call-through).
 *
 * Memory goes through the MMU's JIT TLB of the current privilege (`Q`, jit-tlb.ts, read at block
 * entry: a mode change, SCTLR or TLB maintenance ends the block, so the view cannot change under a
 * running block): a hit is a RAM page the MMU and the bus let through (watched, copy-on-write, code
 * and descriptor pages take the slow path for writes; host offsets past 2 GiB wrap, so indexes are
 * taken unsigned) and is inline; anything else — a miss, a device, a misaligned access, a fault —
 * breaks to the block's one slow path, which runs the instruction through its table handler with
 * icount synchronised first, exactly the interpreter's path (A32EmitContext.slowPath).
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { armExpandImmC } from '../alu.js';
import { BLOCK_COUNT, EmitContext, conditionExpr, type Emitted, type InsnSite } from './emit-context.js';
import { LOGICAL, dataProcessing, immShift } from './emit-t32.js';
import { emitA32Media } from './emit-a32-media.js';
import { emitA32Memory } from './emit-a32-memory.js';
import { JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../memory/jit-tlb.js';

const ARITHMETIC = new Set(['ADD', 'ADC', 'SUB', 'SBC', 'RSB', 'CMP', 'CMN']);
const TESTS = new Set(['TST', 'TEQ', 'CMP', 'CMN']);
/** Unconditional-space rows that do nothing the emulator models (barriers, preload hints). */
const NOTHING = new Set(['DSB', 'DMB', 'ISB', 'PLI_imm', 'PLD_imm', 'PLI_reg', 'PLD_reg']);

/** The first slot of the JIT TLB entry of the address in `v` (jit-tlb.ts). */
function entryOf(v: string): string {
  return `(${v} >>> ${JIT_TLB_INDEX_SHIFT}) & ${JIT_TLB_INDEX_MASK}`;
}

/** By access size: the address bits a JIT TLB tag is compared with (page and alignment). */
const TAG_MASK: Record<number, number> = { 1: ~4095, 2: ~4095 | 1, 4: ~4095 | 3 };

/** Generated-code helpers for one A32 block (PC reads as the instruction + 8). */
export class A32EmitContext extends EmitContext {
  override reg(site: InsnSite, n: number): string {
    return n === 15 ? `${(site.pc + 8) | 0}` : `R[${n}]`;
  }

  /**
   * Leave after `site` with PC = `pcExpr` through the block's one epilogue (write-back, icount, PC):
   * one copy of the write-back code per block instead of one per exit keeps blocks small, and
   * V8 compiles guest code faster the smaller it is.
   */
  override exitAfter(site: InsnSite, pcExpr: string): string {
    return `xn = ${site.j + 1}; xpc = ${pcExpr}; break out;`;
  }

  /** Some branch loops back to the block's start inside the function (see CompiledBlock.loopsToStart). */
  loopsToStart = false;

  override branchTo(site: InsnSite, target: number): string {
    if ((target | 0) === (this.start | 0)) {
      this.loopsToStart = true;
      return `done += ${site.j + 1}; if (budget - done >= ${BLOCK_COUNT}) continue; xn = 0; xpc = ${target | 0}; break out;`;
    }
    return this.exitAfter(site, `${target | 0}`);
  }

  /** Instructions that may leave the straight line for the block's one slow path (`slowPath`). */
  readonly slow = new Set<number>();

  /**
   * Leave the straight line for the block's slow path, which runs instruction `site` whole through
   * its table handler: code before this point must not have changed anything the handler reads (an
   * access that hit RAM may be repeated, as it reads or writes the same bytes again).
   */
  miss(site: InsnSite): string {
    this.slow.add(site.j);
    return `{ k = ${site.j}; break miss; }`;
  }

  /**
   * Local `w`: the word index in I32 of the address in `a` when it is word-aligned, `span` bytes
   * from it lie on its page and the JIT TLB (`Q`) lets a load (or store) through inline; anything
   * else is the slow path (the handler's whole transfer: nothing has changed yet). One test for
   * every word of an LDM/STM/LDRD/STRD: a page-crossing transfer is rare enough to leave the block.
   */
  wordsHit(site: InsnSite, isLoad: boolean, span: number): string {
    const tag = isLoad ? 0 : JIT_TLB_WRITE;
    const fits = span > 4 ? ` || (a & 4095) > ${4096 - span}` : '';
    return `const s = ${entryOf('a')}; if (Q[s + ${tag}] !== (a & ${TAG_MASK[4]})${fits}) ${this.miss(site)} const w = (a + Q[s + ${tag + 1}]) >>> 2;`;
  }

  /**
   * A load through the JIT TLB: a hit reads RAM inline; a miss (another page, a device, a
   * misaligned address, a fault) is the slow path, where the handler's own access refills the entry.
   */
  override load(site: InsnSite, dest: string, size: number): string {
    const hit = `{ const s = ${entryOf('a')}; if (Q[s] === (a & ${TAG_MASK[Math.abs(size)]})) `;
    const at = `(a + Q[s + 1])`;
    const miss = ` else ${this.miss(site)} }`;
    switch (size) {
      case 4:
        return `${hit}${dest} = I32[${at} >>> 2];${miss}`;
      case 2:
        return `${hit}${dest} = U16[${at} >>> 1];${miss}`;
      case -2:
        return `${hit}${dest} = (U16[${at} >>> 1] << 16) >> 16;${miss}`;
      case 1:
        return `${hit}${dest} = U8[${at} >>> 0];${miss}`;
      default:
        return `${hit}${dest} = (U8[${at} >>> 0] << 24) >> 24;${miss}`;
    }
  }

  /** A store of expression `v` through the JIT TLB, as `load`. */
  override store(site: InsnSite, v: string, size: number): string {
    const view = size === 4 ? 'I32' : size === 2 ? 'U16' : 'U8';
    const shift = size === 4 ? 2 : size === 2 ? 1 : 0;
    return `{ const s = ${entryOf('a')}; if (Q[s + ${JIT_TLB_WRITE}] === (a & ${TAG_MASK[size]})) ${view}[(a + Q[s + ${JIT_TLB_WRITE + 1}]) >>> ${shift}] = ${v}; else ${this.miss(site)} }`;
  }

  /** Only the slow path can have asked the core to stop (a device, a write to code): it tests once. */
  override stopCheck(): string {
    return '';
  }

  /**
   * The table handler (H[j]) with the interpreter's per-instruction set-up (A32: R[15] = PC + 8); the
   * block leaves after it when it branched, stopped or slept the core, or left A32 state — or
   * always, when `alwaysExit` (the instruction changes something the block assumed, e.g. SETEND).
   * Inline rather than through the slow path: a call-through runs every time, so it has type
   * feedback, and the block goes on after it.
   */
  callThroughA32(site: InsnSite, insn: number, alwaysExit: boolean): string {
    const next = this.next(site);
    const leave = `R[15] = cpu.nextPc; return done + ${site.j + 1};`;
    const call =
      `k = ${site.j}; clock.icount = ic + done + ${site.j + 1}; cpu.itBefore = 0; cpu.pc = ${site.pc | 0}; cpu.insn = ${insn | 0}; cpu.nextPc = ${next}; R[15] = ${(site.pc + 8) | 0}; ` +
      `inHandler = 1; H[${site.j}](cpu, A[${site.j}]); inHandler = 0; `;
    if (alwaysExit) return `${call}${leave}`;
    return `${call}if (cpu.nextPc !== ${next} || cpu.exitRequest || st.sleep !== 0 || st.thumb !== 0) { ${leave} }`;
  }

  /**
   * The slow path every `miss` of the block breaks to (once per block instead of once per access):
   * instruction k runs whole through its table handler with the interpreter's set-up and icount
   * synchronised (a fault escapes to the block's catch with k recorded), a missed access refills
   * the JIT TLB (a32SlowPath, a32-block-compiler.ts), and the block leaves after it. Leaving rather than resuming keeps the straight
   * line free of re-entry points, so V8 compiles it as it compiled the inline hits alone; the
   * dispatcher runs what follows (a device access that always misses ends its block there).
   */
  slowPath(): string {
    return 'return SLOW(cpu, ic, done, k, a, H, A, PCS, INS);';
  }
}

/** Wrap an instruction's code in its condition (cond 14 and the unconditional space: none). */
export function conditional(cond: number, code: string): string {
  return cond >= 14 ? code : `if (${conditionExpr(cond)}) { ${code} }`;
}

/** The A32 instruction `insn` of `row` with fields `a` as inline code, or null (call-through). */
export function emitA32(ctx: A32EmitContext, site: InsnSite, row: Encoding<Handler>, a: Fields, insn: number): Emitted | null {
  const name = row.name;
  const cond = insn >>> 28;
  const plain = (code: string | null): Emitted | null => (code === null ? null : { code: conditional(cond, code), terminates: false });
  /** Code that always leaves the block when it runs: the straight line ends with it when unconditional. */
  const leaving = (code: string | null): Emitted | null => (code === null ? null : { code: conditional(cond, code), terminates: cond >= 14 });
  const reg = (n: number): string => ctx.reg(site, n);

  const us = name.lastIndexOf('_');
  const base = us > 0 ? name.slice(0, us) : name;
  const form = us > 0 ? name.slice(us + 1) : '';
  if ((form === 'imm' || form === 'reg' || form === 'rsr') && (LOGICAL.has(base) || ARITHMETIC.has(base))) {
    const s = a.s ?? 1; // test forms have no S field: they always set flags
    const aExpr = base === 'MOV' || base === 'MVN' ? '0' : reg(a.rn!);
    const needCarry = LOGICAL.has(base) && s === 1;
    let operand: string;
    let carry: string | null = 'cy';
    if (form === 'imm') {
      const value = armExpandImmC(a.imm!, 0);
      operand = `op = ${value | 0};`;
      // A rotated immediate sets C to its bit 31; an unrotated one leaves C alone.
      carry = (a.imm! & 0xf00) !== 0 ? `${value >>> 31}` : null;
    } else if (form === 'reg') {
      operand = immShift(reg(a.rm!), a.ty!, a.sh!, needCarry);
    } else {
      operand = registerShift(reg(a.rm!), reg(a.rs!), a.ty!, needCarry);
    }
    const rd = a.rd ?? 0;
    const body = dataProcessing(base, rd === 15 ? 16 : rd, aExpr, s, needCarry ? carry : null);
    if (body === null) return null;
    // Rd = PC (ALUWritePC in A32: an interworking branch; S only sets the flags here, the
    // exception-return SUBS/MOVS are rows of their own): the result leaves the block.
    if (rd === 15 && !TESTS.has(base)) return leaving(`${operand} ${body.replace('R[16] =', 'res =')} st.thumb = res & 1; ${ctx.exitAfter(site, 'res & ~1')}`);
    return plain(`${operand} ${body}`);
  }

  // HINT: NOP, YIELD, DBG and the reserved hints do nothing; WFE, WFI and SEV (2-4) go through the handler.
  if (NOTHING.has(name) || (name === 'HINT' && (a.op! < 2 || a.op! > 4))) return { code: '', terminates: false };
  const media = emitA32Media(ctx, site, row, a);
  if (media !== null) return plain(media);
  const memory = emitA32Memory(ctx, site, row, a);
  if (memory !== null) return { code: conditional(cond, memory.code), terminates: memory.leaves && cond >= 14, memory: true };

  switch (name) {
    case 'MOVW':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = ${a.imm};`);
    case 'MOVT':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (R[${a.rd}] & 0xffff) | ${(a.imm! << 16) | 0};`);
    case 'CLREX':
      return plain('st.exclusiveAddr = -1;');
    case 'MCR_MRC': {
      // Reads of the user-readable thread ID registers (TLS pointers): no side effect, allowed at
      // every privilege level, so no sync. TPIDRPRW (PL1 only: User mode UNDEFs) stays a call-through.
      const field = a.cp === 15 && a.l === 1 && a.opc1 === 0 && a.crn === 13 && a.crm === 0 ? USER_THREAD_ID_FIELDS[a.opc2!] : undefined;
      return field === undefined || a.rt === 15 ? null : plain(`R[${a.rt}] = cpu.coreRegs.s.${field};`);
    }
    case 'BX':
    case 'BXJ':
      // BXWritePC: bit 0 selects Thumb; the dispatcher runs the target.
      return leaving(`{ const t = ${reg(a.rm!)}; st.thumb = t & 1; ${ctx.exitAfter(site, 't & ~1')} }`);
    case 'BLX_reg':
      if (a.rm === 15) return null;
      return leaving(`{ const t = R[${a.rm}]; R[14] = ${ctx.next(site)}; st.thumb = t & 1; ${ctx.exitAfter(site, 't & ~1')} }`);
    case 'B': {
      const target = (site.pc + 8 + ((a.imm! << 8) >> 6)) | 0;
      if (cond >= 14) return { code: ctx.branchTo(site, target), terminates: true };
      // A conditional branch back to the start closes a loop: the block ends with its exit, so
      // the code after the loop (never run while V8 optimizes a long loop, so without type
      // feedback: a deoptimization and a recompile when the loop ends) is a block of its own.
      if ((target | 0) === (ctx.start | 0)) {
        const loop = ctx.conditionalBranch(site, conditionExpr(cond), target);
        return { code: `${loop.code} ${ctx.exitAfter(site, `${ctx.next(site)}`)}`, terminates: true };
      }
      // Any other taken conditional branch is a side exit; translation goes on with the fall-through.
      return ctx.conditionalBranch(site, conditionExpr(cond), target);
    }
    case 'BL': {
      const target = (site.pc + 8 + ((a.imm! << 8) >> 6)) | 0;
      const code = `R[14] = ${ctx.next(site)}; ${ctx.branchTo(site, target)}`;
      if (cond >= 14) return { code, terminates: true };
      return { code: `if (${conditionExpr(cond)}) { ${code} }`, terminates: false };
    }
    default:
      return null;
  }
}

/** MRC p15, 0, Rt, c13, c0, opc2: the thread ID registers PL0 may read, by opc2 (CoreRegisterState fields). */
const USER_THREAD_ID_FIELDS: Record<number, string> = { 2: 'tpidrurw', 3: 'tpidruro' };

/**
 * Shift_C of R[rm] by the bottom byte of R[rs] (the register-shifted-register operand): sets
 * local `op` (and `cy` when `carry`), as alu.ts shiftC: a zero amount passes the value and C.
 */
export function registerShift(rmExpr: string, rsExpr: string, ty: number, carry: boolean): string {
  const cf = carry ? ' cy = st.CF;' : '';
  let shifted: string;
  switch (ty) {
    case 0:
      shifted = carry
        ? 'if (n < 32) { op = v << n; cy = (v >>> (32 - n)) & 1; } else { op = 0; cy = n === 32 ? v & 1 : 0; }'
        : 'op = n < 32 ? v << n : 0;';
      break;
    case 1:
      shifted = carry
        ? 'if (n < 32) { op = (v >>> n) | 0; cy = (v >>> (n - 1)) & 1; } else { op = 0; cy = n === 32 ? v >>> 31 : 0; }'
        : 'op = n < 32 ? (v >>> n) | 0 : 0;';
      break;
    case 2:
      shifted = carry ? 'if (n < 32) { op = v >> n; cy = (v >> (n - 1)) & 1; } else { op = v >> 31; cy = v >>> 31; }' : 'op = v >> (n < 32 ? n : 31);';
      break;
    default:
      shifted = `{ const m = n & 31; op = (v >>> m) | (v << (32 - m));${carry ? ' cy = op >>> 31;' : ''} }`;
  }
  return `{ const v = ${rmExpr}, n = ${rsExpr} & 0xff; if (n === 0) { op = v;${cf} } else { ${shifted} } }`;
}

/**
 * How the call-through histogram (`--jit-call-throughs`) names an instruction: its row, with the
 * operand choices that decide whether an inline translation could take it.
 */
export function callThroughKey(row: Encoding<Handler>, a: Fields): string {
  const name = row.name;
  const parts: string[] = [name];
  if (name === 'MCR_MRC' || name === 'MCRR_MRRC') {
    parts.push(`${a.l === 1 ? 'read' : 'write'} p${a.cp} ${a.opc1} c${a.crn} c${a.crm} ${a.opc2}`);
  } else {
    if (a.l !== undefined) parts.push(a.l === 1 ? 'load' : 'store');
    if (a.s === 1) parts.push('S');
    if (name === 'LDM_STM' && (a.list! & 0x8000) !== 0) parts.push('pc');
    if (a.rd === 15 || a.rt === 15) parts.push('to pc');
    if (a.rn === 15) parts.push('rn pc');
    if (a.rm === 15) parts.push('rm pc');
    if (a.p === 0 && a.w === 1) parts.push('T');
  }
  return parts.join(' ');
}
