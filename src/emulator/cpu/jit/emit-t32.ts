/**
 * JavaScript for the frequent 32-bit encodings (data processing, bit fields, multiplies, single
 * loads/stores, branches), keyed by the decode-table row name so the encoding itself is still
 * defined once (t32-*.ts); fields come from the row's generated extractor. Rows without an emitter,
 * and UNPREDICTABLE/UNDEFINED corners of these, return null and run through their handler.
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { thumbExpandImmC, shifter } from '../alu.js';
import { branch24 } from '../t32-control.js';
import { sizeOf as accessSize } from '../t32-memory.js';
import { addWithFlags, conditionExpr, type EmitContext, type Emitted, type InsnSite } from './emit-context.js';

export const LOGICAL = new Set(['AND', 'BIC', 'ORR', 'ORN', 'EOR', 'MOV', 'MVN', 'TST', 'TEQ']);

/** a OP b for the logical operations. */
export function logicalExpr(op: string, a: string, b: string): string {
  switch (op) {
    case 'AND':
    case 'TST':
      return `${a} & ${b}`;
    case 'BIC':
      return `${a} & ~${b}`;
    case 'ORR':
      return `${a} | ${b}`;
    case 'ORN':
      return `${a} | ~${b}`;
    case 'EOR':
    case 'TEQ':
      return `${a} ^ ${b}`;
    case 'MOV':
      return `${b} | 0`;
    default: // MVN
      return `~${b}`;
  }
}

/** Arithmetic op as AddWithCarry(x, y, c) operands (flag-setting form) and plain expression. */
export function arithmetic(op: string, a: string, b: string): { x: string; y: string; c: string; plain: string } {
  switch (op) {
    case 'ADD':
    case 'CMN':
      return { x: a, y: b, c: '0', plain: `(${a} + ${b}) | 0` };
    case 'ADC':
      return { x: a, y: b, c: 'st.CF', plain: `(${a} + ${b} + st.CF) | 0` };
    case 'SUB':
    case 'CMP':
      return { x: a, y: `~${b}`, c: '1', plain: `(${a} - ${b}) | 0` };
    case 'SBC':
      return { x: a, y: `~${b}`, c: 'st.CF', plain: `(${a} + ~${b} + st.CF) | 0` };
    default: // RSB
      return { x: b, y: `~${a}`, c: '1', plain: `(${b} - ${a}) | 0` };
  }
}

/**
 * DecodeImmShift + Shift_C of R[rm] by a constant: sets local `op` (and `cy` when `carry`),
 * mirroring alu.ts immShiftC.
 */
export function immShift(rmExpr: string, ty: number, imm5: number, carry: boolean): string {
  const v = rmExpr;
  if (ty === 0) {
    if (imm5 === 0) return `op = ${v};${carry ? ' cy = st.CF;' : ''}`;
    return `{ const v = ${v}; op = v << ${imm5};${carry ? ` cy = (v >>> ${32 - imm5}) & 1;` : ''} }`;
  }
  if (ty === 1) {
    if (imm5 === 0) return `{ const v = ${v}; op = 0;${carry ? ' cy = v >>> 31;' : ''} }`;
    return `{ const v = ${v}; op = (v >>> ${imm5}) | 0;${carry ? ` cy = (v >>> ${imm5 - 1}) & 1;` : ''} }`;
  }
  if (ty === 2) {
    if (imm5 === 0) return `{ const v = ${v}; op = v >> 31;${carry ? ' cy = v >>> 31;' : ''} }`;
    return `{ const v = ${v}; op = v >> ${imm5};${carry ? ` cy = (v >> ${imm5 - 1}) & 1;` : ''} }`;
  }
  if (imm5 === 0) return `{ const v = ${v}; op = (st.CF << 31) | (v >>> 1);${carry ? ' cy = v & 1;' : ''} }`;
  return `{ const v = ${v}; op = (v >>> ${imm5}) | (v << ${32 - imm5});${carry ? ' cy = op >>> 31;' : ''} }`;
}

/** Data processing with operand `b` already in local `op` (carry-out in `cy` when `carrySet`). */
export function dataProcessing(op: string, rd: number, aExpr: string, s: number, carrySet: string | null): string | null {
  const test = op === 'TST' || op === 'TEQ' || op === 'CMP' || op === 'CMN';
  if (!test && rd === 15) return null;
  if (LOGICAL.has(op)) {
    const expr = logicalExpr(op, aExpr, 'op');
    if (s === 0 && !test) return `R[${rd}] = ${expr};`;
    const flags = `st.NF = res; st.ZF = res;${carrySet !== null ? ` st.CF = ${carrySet};` : ''}`;
    return `res = ${expr}; ${test ? '' : `R[${rd}] = res; `}${flags}`;
  }
  const ar = arithmetic(op, aExpr, 'op');
  if (s === 0 && !test) return `R[${rd}] = ${ar.plain};`;
  return `${addWithFlags(ar.x, ar.y, ar.c)}${test ? '' : ` R[${rd}] = res;`}`;
}

export function emitT32(
  ctx: EmitContext,
  site: InsnSite,
  row: Encoding<Handler>,
  a: Fields,
  /** The handler's call-through, for rows translated only on their common path. */
  callThrough: () => string,
): Emitted | null {
  const name = row.name;
  const plain = (code: string | null): Emitted | null => (code === null ? null : { code, terminates: false });
  const mem = (code: string): Emitted => ({ code, terminates: false, memory: true });
  const reg = (n: number): string => ctx.reg(site, n);

  const us = name.lastIndexOf('_');
  const base = us > 0 ? name.slice(0, us) : name;
  const form = us > 0 ? name.slice(us + 1) : '';
  if ((form === 'imm' || form === 'reg') && (LOGICAL.has(base) || ['ADD', 'ADC', 'SUB', 'SBC', 'RSB', 'CMP', 'CMN'].includes(base))) {
    const s = a.s ?? 1; // test forms have no S field: they always set flags
    const aExpr = base === 'MOV' || base === 'MVN' ? '0' : reg(a.rn!);
    const needCarry = LOGICAL.has(base) && (s === 1 || base === 'TST' || base === 'TEQ');
    if (form === 'imm') {
      const value = thumbExpandImmC(a.imm!, 0);
      const carryChanges = (a.imm! & 0xc00) !== 0;
      const carry = carryChanges ? `${shifter.carry}` : null;
      const body = dataProcessing(base, a.rd ?? 0, aExpr, s, needCarry ? carry : null);
      return plain(body === null ? null : `op = ${value | 0}; ${body}`);
    }
    const body = dataProcessing(base, a.rd ?? 0, aExpr, s, needCarry ? 'cy' : null);
    return plain(body === null ? null : `${immShift(reg(a.rm!), a.ty!, a.imm!, needCarry)} ${body}`);
  }

  switch (name) {
    case 'ADR_add':
      return plain(`R[${a.rd}] = ${(((site.pc + 4) & ~3) + a.imm!) | 0};`);
    case 'ADR_sub':
      return plain(`R[${a.rd}] = ${(((site.pc + 4) & ~3) - a.imm!) | 0};`);
    case 'ADDW':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (${reg(a.rn!)} + ${a.imm}) | 0;`);
    case 'SUBW':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (${reg(a.rn!)} - ${a.imm}) | 0;`);
    case 'MOVW':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = ${(a.imm4! << 12) | (a.i! << 11) | (a.imm3! << 8) | a.imm8!};`);
    case 'MOVT': {
      if (a.rd === 15) return null;
      const imm16 = (a.imm4! << 12) | (a.i! << 11) | (a.imm3! << 8) | a.imm8!;
      return plain(`R[${a.rd}] = (R[${a.rd}] & 0xffff) | ${(imm16 << 16) | 0};`);
    }
    case 'SBFX':
    case 'UBFX': {
      if (a.lsb! + a.wm1! > 31 || a.rd === 15) return null;
      const up = 31 - a.lsb! - a.wm1!;
      return plain(`R[${a.rd}] = (${reg(a.rn!)} << ${up}) ${name === 'SBFX' ? '>>' : '>>>'} ${up + a.lsb!};`);
    }
    case 'SXTH':
    case 'UXTH':
    case 'SXTB':
    case 'UXTB': {
      if (a.rd === 15) return null;
      const n = a.rot! * 8;
      const v = n === 0 ? reg(a.rm!) : `((${reg(a.rm!)} >>> ${n}) | (${reg(a.rm!)} << ${32 - n}))`;
      const f = { SXTH: `(${v} << 16) >> 16`, UXTH: `${v} & 0xffff`, SXTB: `(${v} << 24) >> 24`, UXTB: `${v} & 0xff` }[name];
      return plain(`R[${a.rd}] = ${f};`);
    }
    case 'CLZ':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = Math.clz32(${reg(a.rm!)});`);
    case 'MUL':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = Math.imul(${reg(a.rn!)}, ${reg(a.rm!)});`);
    case 'MLA':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (Math.imul(${reg(a.rn!)}, ${reg(a.rm!)}) + ${reg(a.ra!)}) | 0;`);
    case 'MLS':
      return a.rd === 15 ? null : plain(`R[${a.rd}] = (${reg(a.ra!)} - Math.imul(${reg(a.rn!)}, ${reg(a.rm!)})) | 0;`);
    case 'LDR_lit': {
      const size = accessSize(a);
      if (a.l !== 1 || size === 0 || a.rt === 15) return null;
      const addr = ((((site.pc + 4) & ~3) + (a.u === 1 ? a.imm! : -a.imm!)) | 0);
      return mem(`a = ${addr}; ${ctx.load(site, `R[${a.rt}]`, size)}`);
    }
    case 'LDST_imm12':
    case 'LDST_reg': {
      const size = accessSize(a);
      if (size === 0 || a.rn === 15 || a.rt === 15) return null;
      const addr = name === 'LDST_imm12' ? `(R[${a.rn}] + ${a.imm}) | 0` : `(R[${a.rn}] + (${reg(a.rm!)} << ${a.sh})) | 0`;
      const access = a.l === 1 ? ctx.load(site, `R[${a.rt}]`, size) : ctx.store(site, `R[${a.rt}]`, size);
      return mem(`a = ${addr}; ${access}`);
    }
    case 'LDST_imm8': {
      const size = accessSize(a);
      if (size === 0 || a.rn === 15 || a.rt === 15 || (a.p === 0 && a.w === 0)) return null;
      const off = a.u === 1 ? a.imm! : -a.imm!;
      const addrCode = a.p === 1 ? `a = (R[${a.rn}] + ${off}) | 0;` : `a = R[${a.rn}];`;
      const wb = a.w === 1 ? `R[${a.rn}] = (R[${a.rn}] + ${off}) | 0;` : '';
      if (a.l === 1) {
        // Memory first, then writeback, then Rt (a loaded Rt = Rn wins), as memops.loadStore.
        return mem(`${addrCode} ${ctx.load(site, 'res', size)} ${wb} R[${a.rt}] = res;`);
      }
      return mem(`${addrCode} ${ctx.store(site, `R[${a.rt}]`, size)} ${wb}`);
    }
    case 'B_cond': {
      if (a.cond! >= 14) return null;
      const imm = (a.s! << 20) | (a.j2! << 19) | (a.j1! << 18) | (a.imm6! << 12) | (a.imm11! << 1);
      const target = ((site.pc + 4 + ((imm << 11) >> 11)) & ~1) | 0;
      return ctx.conditionalBranch(site, conditionExpr(a.cond!), target);
    }
    case 'DSB':
    case 'DMB':
    case 'ISB':
      return plain(''); // nothing to order or flush: memory is sequential, code writes drop blocks
    case 'UDIV':
    case 'SDIV': {
      if (a.rd === 15) return null;
      // A zero divisor takes the handler (DIV_0_TRP decides between 0 and a UsageFault).
      const q = name === 'UDIV' ? '((n >>> 0) / (m >>> 0)) | 0' : '(n / m) | 0';
      return plain(`{ const n = ${reg(a.rn!)}, m = ${reg(a.rm!)}; if (m !== 0) R[${a.rd}] = ${q}; else { ${callThrough()} } }`);
    }
    case 'MRS':
      // PRIMASK, BASEPRI(_MAX), FAULTMASK, CONTROL read no register or flag the block keeps in locals.
      if (a.sysm! < 16 || a.sysm! > 20 || a.rd === 15 || a.rd === 13) return null;
      return plain(`R[${a.rd}] = cpu.sys.readSpecial(${a.sysm});`);
    case 'MSR':
      // The interrupt masks: writeSpecial asks the core to stop only when a pending exception may now preempt.
      if (a.sysm! < 16 || a.sysm! > 19 || a.rn === 15 || a.rn === 13) return null;
      return { code: `k = ${site.j}; clock.icount = ic + done + ${site.j + 1}; cpu.sys.writeSpecial(${a.sysm}, ${a.mask}, ${reg(a.rn!)});`, terminates: false, memory: true };
    case 'STM':
    case 'LDM':
    case 'STMDB':
    case 'LDMDB': {
      const list = a.list!;
      if ((list & (list - 1)) === 0 || a.rn === 15 || (a.w === 1 && (list & (1 << a.rn!)) !== 0)) return null;
      return ctx.transferMultiple(site, a.rn!, list, name[0] === 'L', a.w === 1, name.endsWith('DB'), callThrough);
    }
    case 'B': {
      const target = ((site.pc + 4 + branch24(a)) & ~1) | 0;
      return { code: ctx.branchTo(site, target), terminates: true, jump: target };
    }
    case 'BL': {
      const target = ((site.pc + 4 + branch24(a)) & ~1) | 0;
      const link = ctx.next(site) | 1;
      return { code: `R[14] = ${link}; ${ctx.branchTo(site, target)}`, terminates: true, jump: target, link };
    }
    default:
      return null;
  }
}
