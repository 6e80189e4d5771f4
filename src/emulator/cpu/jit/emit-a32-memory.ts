/**
 * JavaScript for the A32 loads and stores of the A-profile block JIT (rows of v7a/a32-memory.ts):
 * LDR/STR{B,H,SB,SH} (a word load to the PC included), LDRD/STRD, LDM/STM (a loaded PC included),
 * LDREX/STREX{B,H,} and CLREX, each exactly as its table handler: the same access order, the same
 * alignment faults, the same register write order (a fault part-way leaves what the handler leaves).
 * The UNPREDICTABLE and UNDEFINED register choices, the unprivileged (T) forms, the user-bank and
 * exception-return LDM/STM, and the doubleword exclusives return null (a call-through).
 *
 * A loaded PC is an interworking branch (LoadWritePC: bit 0 selects Thumb): the block leaves with
 * st.thumb set, as the handler's bxWritePc does; the dispatcher then runs Thumb code interpreted.
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';
import type { InsnSite } from './emit-context.js';
import type { A32EmitContext } from './emit-a32.js';
import { immShift } from './emit-t32.js';

/** Code for one memory instruction; `leaves` when it always exits the block (a loaded PC). */
export interface MemoryCode {
  code: string;
  leaves: boolean;
}

/** LDREX/STREX access size by the rows' `op` field (8: the doubleword forms). */
const EXCLUSIVE_SIZES = [4, 8, 1, 2];

/** The A32 memory instruction of `row` as inline code, or null (call-through). */
export function emitA32Memory(ctx: A32EmitContext, site: InsnSite, row: Encoding<Handler>, a: Fields): MemoryCode | null {
  const stays = (code: string | null): MemoryCode | null => (code === null ? null : { code, leaves: false });
  const offset8 = `${(a.imm4h! << 4) | a.imm4l!}`;
  switch (row.name) {
    case 'LDST_imm':
      if (a.b === 0 && a.l === 1 && a.rt === 15) return loadPc(ctx, site, a, `${a.imm}`);
      return stays(single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, `${a.imm}`));
    case 'LDST_reg': {
      if (a.rm === 15) return null;
      const pre = immShift(`R[${a.rm}]`, a.type!, a.imm5!, false);
      if (a.b === 0 && a.l === 1 && a.rt === 15) return loadPc(ctx, site, a, 'op', pre);
      return stays(single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, 'op', pre));
    }
    case 'LDST_extra_imm_h':
      return stays(single(ctx, site, a, SIZE_HALF, offset8));
    case 'LDST_extra_reg_h':
      return a.rm === 15 ? null : stays(single(ctx, site, a, SIZE_HALF, 'op', `op = R[${a.rm}];`));
    case 'LDST_extra_imm_sd':
      if (a.l === 1) return stays(single(ctx, site, a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, offset8));
      return stays(dual(ctx, site, a, offset8, a.sh === 0));
    case 'LDST_extra_reg_sd':
      if (a.rm === 15) return null;
      if (a.l === 1) return stays(single(ctx, site, a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, 'op', `op = R[${a.rm}];`));
      // Post-indexed LDRD with Rm = Rt or Rt2: the handler writes back with the loaded Rm (as QEMU).
      if (a.sh === 0 && a.p === 0 && (a.rm === a.rt || a.rm === a.rt! + 1)) return null;
      return stays(dual(ctx, site, a, 'op', a.sh === 0, `op = R[${a.rm}];`));
    case 'LDM_STM':
      return multiple(ctx, site, a);
    case 'LDREX':
      return stays(loadExclusive(ctx, site, a));
    case 'STREX':
      return stays(storeExclusive(ctx, site, a));
    default:
      return null;
  }
}

/** The register write-back and address code shared by the single and dual forms (as memops.loadStore). */
function addressing(site: InsnSite, a: Fields, offset: string): { base: string; offAddr: string; addrCode: string; wback: boolean } {
  const wback = a.p === 0 || a.w === 1;
  const base = a.rn === 15 ? `${((site.pc + 8) & ~3) | 0}` : `R[${a.rn}]`;
  const offAddr = `(${base} ${a.u === 1 ? '+' : '-'} ${offset}) | 0`;
  return { base, offAddr, addrCode: a.p === 1 ? `a = ${offAddr};` : `a = ${base};`, wback };
}

/**
 * LDR/STR{B,H,SB,SH} with offset `offset` (an expression, after `pre` ran), as memops.loadStore:
 * the access first, then writeback, then Rt (a loaded Rt = Rn wins). The unprivileged forms (P = 0,
 * W = 1), PC as Rt, and writeback to the PC go through the handler.
 */
function single(ctx: A32EmitContext, site: InsnSite, a: Fields, size: number, offset: string, pre = ''): string | null {
  const { offAddr, addrCode, wback } = addressing(site, a, offset);
  if ((a.p === 0 && a.w === 1) || a.rt === 15 || (wback && a.rn === 15)) return null;
  // Post-index: the written-back value is computed from the base before the access.
  const wbCode = !wback ? '' : a.p === 1 ? `R[${a.rn}] = a;` : `R[${a.rn}] = ${offAddr};`;
  if (a.l === 1) return `${pre} ${addrCode} ${ctx.load(site, 'res', size)} ${wbCode} R[${a.rt}] = res;`;
  const wbPre = a.p === 0 && wback ? `const wb = ${offAddr};` : '';
  const wbPost = a.p === 0 && wback ? `R[${a.rn}] = wb;` : wbCode;
  return `{ ${pre} ${wbPre} ${addrCode} ${ctx.store(site, `R[${a.rt}]`, size)} ${wbPost} }`;
}

/** LDR PC (a word): load, writeback, then LoadWritePC (interworking) and leave the block. */
function loadPc(ctx: A32EmitContext, site: InsnSite, a: Fields, offset: string, pre = ''): MemoryCode | null {
  const { offAddr, addrCode, wback } = addressing(site, a, offset);
  if ((a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  const wbCode = !wback ? '' : a.p === 1 ? `R[${a.rn}] = a;` : `R[${a.rn}] = ${offAddr};`;
  return {
    code: `{ ${pre} ${addrCode} ${ctx.load(site, 'res', SIZE_WORD)} ${wbCode} st.thumb = res & 1; ${ctx.exitAfter(site, 'res & ~1')} }`,
    leaves: true,
  };
}

/**
 * LDRD/STRD as the handler's `dual`: an odd Rt UNDEFs, Rt = 14 (Rt2 = PC) and a PC base with
 * writeback branch (call-throughs); an unaligned address is an alignment fault whatever SCTLR.A
 * says. Both words are checked at once (aligned, one page, TLB hit), so nothing changes before
 * the slow path, which runs the handler's exact order; writeback comes last.
 */
function dual(ctx: A32EmitContext, site: InsnSite, a: Fields, offset: string, isLoad: boolean, pre = ''): string | null {
  const { offAddr, addrCode, wback } = addressing(site, a, offset);
  if ((a.rt! & 1) !== 0 || a.rt === 14 || (a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  const rt = a.rt!;
  const parts = [pre, `const wb = ${offAddr};`, addrCode, ctx.wordsHit(site, isLoad, 8)];
  parts.push(isLoad ? `R[${rt}] = I32[w]; R[${rt + 1}] = I32[w + 1];` : `I32[w] = R[${rt}]; I32[w + 1] = R[${rt + 1}];`);
  if (wback) parts.push(`R[${a.rn}] = wb;`);
  return `{ ${parts.join(' ')} }`;
}

/**
 * LDM/STM without S, as the `multiple` handler: an unaligned start is an alignment fault whatever
 * SCTLR.A says; loaded registers are written as they arrive, a loaded base after the writeback, a
 * loaded PC last (LoadWritePC, then the block leaves). The whole transfer is checked at once
 * (aligned, one page, TLB hit: no fault possible, so the same result as word by word); anything
 * else is the slow path. LDM with writeback and the base in the list UNDEFs (a call-through).
 */
function multiple(ctx: A32EmitContext, site: InsnSite, a: Fields): MemoryCode | null {
  const list = a.list!;
  const isLoad = a.l === 1;
  const rn = a.rn!;
  if (list === 0 || rn === 15 || a.s === 1 || (isLoad && a.w === 1 && (list & (1 << rn)) !== 0)) return null;
  const regs: number[] = [];
  for (let i = 0; i < 16; i++) if ((list & (1 << i)) !== 0) regs.push(i);
  const n = regs.length;
  const lowOff = a.u === 1 ? 0 : -4 * n;
  const startOff = a.p === a.u ? lowOff + 4 : lowOff;
  const wbOff = a.u === 1 ? 4 * n : -4 * n;
  const loadsPc = isLoad && (list & 0x8000) !== 0;
  /** Where register r's word goes (a loaded base and PC wait in locals). */
  const dest = (r: number): string => (r === rn ? 'op' : r === 15 ? 'res' : `R[${r}]`);
  const word = (i: number): string => (i === 0 ? 'w' : `w + ${i}`);
  const words = regs.map((r, i) => (isLoad ? `${dest(r)} = I32[${word(i)}];` : `I32[${word(i)}] = ${ctx.reg(site, r)};`));
  const parts: string[] = [`const b0 = R[${rn}]; a = (b0 + ${startOff}) | 0;`, ctx.wordsHit(site, isLoad, 4 * n), ...words];
  if (a.w === 1) parts.push(`R[${rn}] = (b0 + ${wbOff}) | 0;`);
  if (isLoad && (list & (1 << rn)) !== 0) parts.push(`R[${rn}] = op;`);
  if (loadsPc) parts.push(`st.thumb = res & 1; ${ctx.exitAfter(site, 'res & ~1')}`);
  return { code: `{ ${parts.join(' ')} }`, leaves: loadsPc };
}

/** LDREX{B,H,} as loadExclusive: aligned access, then the monitor opens on the address and the value. */
function loadExclusive(ctx: A32EmitContext, site: InsnSite, a: Fields): string | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  if (size === 8 || a.rn === 15 || a.rt === 15) return null;
  // The JIT TLB's tag test includes the alignment (a misaligned LDREX takes the slow path and faults there).
  return `{ a = R[${a.rn}]; ${ctx.load(site, 'res', size)} st.exclusiveAddr = a >>> 0; st.exclusiveVal = res; R[${a.rt}] = res; }`;
}

/**
 * STREX{B,H,} as storeExclusive: the store happens only when the monitor holds the address and
 * memory still holds the value LDREX read (QEMU's cmpxchg); the monitor always closes.
 */
function storeExclusive(ctx: A32EmitContext, site: InsnSite, a: Fields): string | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  const { rd, rn, rt } = a;
  if (size === 8 || rd === 15 || rn === 15 || rt === 15 || rd === rn || rd === rt) return null;
  return (
    `{ a = R[${rn}]; res = 1; if (st.exclusiveAddr === a >>> 0) { ${ctx.load(site, 'op', size)} ` +
    `if (op === st.exclusiveVal) { ${ctx.store(site, `R[${rt}]`, size)} res = 0; } } st.exclusiveAddr = -1; R[${rd}] = res; }`
  );
}
