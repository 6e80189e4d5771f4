/**
 * JavaScript for the frequent A32 encodings of the A-profile block JIT (data processing with an
 * immediate or an immediate-shifted register, MOVW/MOVT, single and multiple loads/stores,
 * branches), keyed by the decode-table row name (a32-dataproc.ts, a32-memory.ts, a32-control.ts)
 * so each encoding is still defined once. The data-processing arithmetic is the T32 emitters'
 * (same flag representation as alu.ts). Rows without an emitter, and the UNPREDICTABLE/UNDEFINED
 * corners of these, return null and run through their table handler (a call-through).
 *
 * Memory goes through the MMU's current TLB (`T`, read at block entry: a mode change, SCTLR or
 * TLB maintenance ends the block, so it cannot change under a running block): a hit on a RAM page
 * the bus lets through (NO_RAM = -1 otherwise; host offsets past 2 GiB wrap, so indexes are taken
 * unsigned) (`PR`/`PW` exclude watched, copy-on-write, code and descriptor pages) is
 * inline; anything else — a miss, a device, a misaligned access, a fault — is the core's
 * load/store with icount synchronised first, exactly the interpreter's path.
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { armExpandImmC } from '../alu.js';
import { SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';
import { BLOCK_COUNT, EmitContext, RELOAD, WRITE_BACK, conditionExpr, type Emitted, type InsnSite } from './emit-context.js';
import { LOGICAL, dataProcessing, immShift } from './emit-t32.js';

const ARITHMETIC = new Set(['ADD', 'ADC', 'SUB', 'SBC', 'RSB', 'CMP', 'CMN']);
/** Unconditional-space rows that do nothing the emulator models (barriers, preload hints). */
const NOTHING = new Set(['DSB', 'DMB', 'ISB', 'PLI_imm', 'PLD_imm', 'PLI_reg', 'PLD_reg']);

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

  /** Before a slow path that may read icount, fault or stop the core. */
  syncAt(site: InsnSite): string {
    return `k = ${site.j}; clock.icount = ic + done + ${site.j + 1};`;
  }

  override load(site: InsnSite, dest: string, size: number): string {
    const sync = this.syncAt(site);
    const hit = (align: number): string =>
      `const e = T[a >>> 12]; let h = -1; if ((e & 1) !== 0${align !== 0 ? ` && (a & ${align}) === 0` : ''}) h = PR[e >>> 3];`;
    switch (size) {
      case 4:
        return `{ ${hit(3)} if (h !== -1) ${dest} = I32[(h + (a & 4095)) >>> 2]; else { ${sync} ${dest} = cpu.load32(a); } }`;
      case 2:
        return `{ ${hit(1)} if (h !== -1) ${dest} = U16[(h + (a & 4095)) >>> 1]; else { ${sync} ${dest} = cpu.load16(a); } }`;
      case -2:
        return `{ ${hit(1)} if (h !== -1) ${dest} = (U16[(h + (a & 4095)) >>> 1] << 16) >> 16; else { ${sync} ${dest} = (cpu.load16(a) << 16) >> 16; } }`;
      case 1:
        return `{ ${hit(0)} if (h !== -1) ${dest} = U8[(h + (a & 4095)) >>> 0]; else { ${sync} ${dest} = cpu.load8(a); } }`;
      default:
        return `{ ${hit(0)} if (h !== -1) ${dest} = (U8[(h + (a & 4095)) >>> 0] << 24) >> 24; else { ${sync} ${dest} = (cpu.load8(a) << 24) >> 24; } }`;
    }
  }

  override store(site: InsnSite, v: string, size: number): string {
    const sync = this.syncAt(site);
    const hit = (align: number): string =>
      `const v = ${v}; const e = T[a >>> 12]; let h = -1; if ((e & 2) !== 0${align !== 0 ? ` && (a & ${align}) === 0` : ''}) h = PW[e >>> 3];`;
    switch (size) {
      case 4:
        return `{ ${hit(3)} if (h !== -1) I32[(h + (a & 4095)) >>> 2] = v; else { ${sync} cpu.store32(a, v); } }`;
      case 2:
        return `{ ${hit(1)} if (h !== -1) U16[(h + (a & 4095)) >>> 1] = v; else { ${sync} cpu.store16(a, v); } }`;
      default:
        return `{ ${hit(0)} if (h !== -1) U8[(h + (a & 4095)) >>> 0] = v; else { ${sync} cpu.store8(a, v); } }`;
    }
  }

  /**
   * The table handler with the interpreter's per-instruction set-up (A32: R[15] = PC + 8); the block
   * leaves after it when it branched, stopped or slept the core, or left A32 state — or always,
   * when `alwaysExit` (the instruction changes something the block assumed, e.g. SETEND).
   */
  callThroughA32(site: InsnSite, insn: number, handlerIndex: number, alwaysExit: boolean): string {
    const next = this.next(site);
    const leave = `R[15] = cpu.nextPc; return done + ${site.j + 1};`;
    const call =
      `${this.syncAt(site)} ${WRITE_BACK} cpu.itBefore = 0; cpu.pc = ${site.pc | 0}; cpu.insn = ${insn | 0}; cpu.nextPc = ${next}; R[15] = ${(site.pc + 8) | 0}; ` +
      `inHandler = 1; H[${handlerIndex}](cpu, A[${handlerIndex}]); inHandler = 0; ${RELOAD} `;
    if (alwaysExit) return `${call}${leave}`;
    return `${call}if (cpu.nextPc !== ${next} || cpu.exitRequest || st.sleep !== 0 || st.thumb !== 0) { ${leave} }`;
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
  const mem = (code: string | null): Emitted | null =>
    code === null ? null : { code: conditional(cond, code), terminates: false, memory: true };
  const reg = (n: number): string => ctx.reg(site, n);

  const us = name.lastIndexOf('_');
  const base = us > 0 ? name.slice(0, us) : name;
  const form = us > 0 ? name.slice(us + 1) : '';
  if ((form === 'imm' || form === 'reg') && (LOGICAL.has(base) || ARITHMETIC.has(base))) {
    const s = a.s ?? 1; // test forms have no S field: they always set flags
    const aExpr = base === 'MOV' || base === 'MVN' ? '0' : reg(a.rn!);
    const needCarry = LOGICAL.has(base) && s === 1;
    if (form === 'imm') {
      const value = armExpandImmC(a.imm!, 0);
      // A rotated immediate sets C to its bit 31; an unrotated one leaves C alone.
      const carry = (a.imm! & 0xf00) !== 0 ? `${value >>> 31}` : null;
      const body = dataProcessing(base, a.rd ?? 0, aExpr, s, needCarry ? carry : null);
      return plain(body === null ? null : `op = ${value | 0}; ${body}`);
    }
    const body = dataProcessing(base, a.rd ?? 0, aExpr, s, needCarry ? 'cy' : null);
    return plain(body === null ? null : `${immShift(reg(a.rm!), a.ty!, a.sh!, needCarry)} ${body}`);
  }

  if (NOTHING.has(name)) return { code: '', terminates: false };

  switch (name) {
    case 'MOVW':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = ${a.imm};`);
    case 'MOVT':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (R[${a.rd}] & 0xffff) | ${(a.imm! << 16) | 0};`);
    case 'LDST_imm':
      return mem(single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, `${a.imm}`));
    case 'LDST_reg':
      if (a.rm === 15) return null;
      return mem(single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, 'op', immShift(reg(a.rm!), a.type!, a.imm5!, false)));
    case 'LDST_extra_imm_h':
      return mem(single(ctx, site, a, SIZE_HALF, `${(a.imm4h! << 4) | a.imm4l!}`));
    case 'LDST_extra_imm_sd':
      // Stores here are LDRD/STRD: through the handler.
      return a.l === 1 ? mem(single(ctx, site, a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, `${(a.imm4h! << 4) | a.imm4l!}`)) : null;
    case 'LDST_extra_reg_h':
      return a.rm === 15 ? null : mem(single(ctx, site, a, SIZE_HALF, 'op', `op = ${reg(a.rm!)};`));
    case 'LDM_STM':
      return mem(multiple(ctx, site, a));
    case 'B': {
      const target = (site.pc + 8 + ((a.imm! << 8) >> 6)) | 0;
      if (cond >= 14) return { code: ctx.branchTo(site, target), terminates: true };
      // A taken conditional branch is a side exit; translation goes on with the fall-through.
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

/**
 * LDR/STR{B,H,SB,SH} with offset `offset` (an expression, after `pre` ran), as memops.loadStore:
 * the access first, then writeback, then Rt (a loaded Rt = Rn wins). The unprivileged forms (P = 0,
 * W = 1), PC as Rt, and writeback to the PC go through the handler.
 */
function single(ctx: A32EmitContext, site: InsnSite, a: Fields, size: number, offset: string, pre = ''): string | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.p === 0 && a.w === 1) || a.rt === 15 || (wback && a.rn === 15)) return null;
  const baseExpr = a.rn === 15 ? `${((site.pc + 8) & ~3) | 0}` : `R[${a.rn}]`;
  const sign = a.u === 1 ? '+' : '-';
  const offAddr = `(${baseExpr} ${sign} ${offset}) | 0`;
  const addrCode = a.p === 1 ? `a = ${offAddr};` : `a = ${baseExpr};`;
  // Post-index: the written-back value is computed from the base before the access.
  const wbCode = !wback ? '' : a.p === 1 ? `R[${a.rn}] = a;` : `R[${a.rn}] = ${offAddr};`;
  if (a.l === 1) return `${pre} ${addrCode} ${ctx.load(site, 'res', size)} ${wbCode} R[${a.rt}] = res;`;
  const wbPre = a.p === 0 && wback ? `const wb = ${offAddr};` : '';
  const wbPost = a.p === 0 && wback ? `R[${a.rn}] = wb;` : wbCode;
  return `{ ${pre} ${wbPre} ${addrCode} ${ctx.store(site, `R[${a.rt}]`, size)} ${wbPost} }`;
}

/**
 * LDM/STM without S and (for loads) without the PC, as the `multiple` handler: an unaligned start
 * is an alignment fault whatever SCTLR.A says; loads land in temporaries so a fault leaves the
 * registers untouched; writeback comes before the loaded registers (a loaded base wins).
 */
function multiple(ctx: A32EmitContext, site: InsnSite, a: Fields): string | null {
  const list = a.list!;
  const isLoad = a.l === 1;
  if (list === 0 || a.rn === 15 || a.s === 1 || (isLoad && (list & 0x8000) !== 0)) return null;
  const regs: number[] = [];
  for (let i = 0; i < 16; i++) if ((list & (1 << i)) !== 0) regs.push(i);
  const n = regs.length;
  const lowOff = a.u === 1 ? 0 : -4 * n;
  const startOff = a.p === a.u ? lowOff + 4 : lowOff;
  const wbOff = a.u === 1 ? 4 * n : -4 * n;
  const parts: string[] = [
    `const b0 = R[${a.rn}]; a = (b0 + ${startOff}) | 0;`,
    `if ((a & 3) !== 0) { ${ctx.syncAt(site)} cpu.alignmentFault(a, ${!isLoad}); }`,
  ];
  regs.forEach((r, i) => {
    if (i > 0) parts.push('a = (a + 4) | 0;');
    parts.push(isLoad ? ctx.load(site, `t${i}`, 4) : ctx.store(site, ctx.reg(site, r), 4));
  });
  if (a.w === 1) parts.push(`R[${a.rn}] = (b0 + ${wbOff}) | 0;`);
  if (isLoad) regs.forEach((r, i) => parts.push(`R[${r}] = t${i};`));
  const temps = isLoad ? `let ${regs.map((_, i) => `t${i} = 0`).join(', ')};` : '';
  return `{ ${temps} ${parts.join(' ')} }`;
}
