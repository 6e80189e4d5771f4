/**
 * JavaScript for the 16-bit rows the interpreter inlines (T16_FAST), outside IT blocks (so the
 * flag-setting forms always set flags). Semantics mirror the interpreter's inlined rows and the
 * rows' table handlers; anything returned as null goes through its handler instead.
 */
import { F16, T16_FAST, t16RegShiftType } from '../t16.js';
import { addWithFlags, conditionExpr, type EmitContext, type Emitted, type InsnSite } from './emit-context.js';

const logical = (d: number, expr: string): string => `res = ${expr}; R[${d}] = res; st.NF = res; st.ZF = res;`;

/** The nonzero-amount case of each shift type, indexed by SRType (SHIFT_LSL..SHIFT_ROR). */
const SHIFT_BY_REGISTER: readonly string[] = [
  `if (n < 32) { cy = (v >>> (32 - n)) & 1; res = v << n; } else { cy = n === 32 ? v & 1 : 0; res = 0; }`,
  `if (n < 32) { cy = (v >>> (n - 1)) & 1; res = (v >>> n) | 0; } else { cy = n === 32 ? v >>> 31 : 0; res = 0; }`,
  `if (n < 32) { cy = (v >> (n - 1)) & 1; res = v >> n; } else { cy = v >>> 31; res = v >> 31; }`,
  `{ const r5 = n & 31; res = r5 === 0 ? v : (v >>> r5) | (v << (32 - r5)); cy = res >>> 31; }`,
];

/** Register-controlled shift (amount = Rm[7:0]) with carry-out, as alu.ts shiftC. */
function shiftByRegister(d: number, m: number, type: number): string {
  return `{ const v = R[${d}], n = R[${m}] & 0xff; if (n === 0) { res = v; cy = st.CF; } else ${SHIFT_BY_REGISTER[type]} R[${d}] = res; st.NF = res; st.ZF = res; st.CF = cy; }`;
}

/** The fields of the 16-bit forms, by where they sit in the halfword. */
function t16Fields(hw: number) {
  return { rd: hw & 7, rn: (hw >>> 3) & 7, rm: (hw >>> 6) & 7, imm5: (hw >>> 6) & 31, r8: (hw >>> 8) & 7, imm8: hw & 0xff };
}

const plain = (code: string): Emitted => ({ code, terminates: false });

export function emitT16(ctx: EmitContext, site: InsnSite, hw: number): Emitted | null {
  const { rd, rn, rm, imm5, r8, imm8 } = t16Fields(hw);
  const mem = (code: string): Emitted => ({ code, terminates: false, memory: true });
  switch (T16_FAST[hw]!) {
    case F16.LSL_IMM:
      if (imm5 === 0) return plain(logical(rd, `R[${rn}]`));
      return plain(`{ const v = R[${rn}]; res = v << ${imm5}; R[${rd}] = res; st.NF = res; st.ZF = res; st.CF = (v >>> ${32 - imm5}) & 1; }`);
    case F16.LSR_IMM:
      if (imm5 === 0) return plain(`{ const v = R[${rn}]; R[${rd}] = 0; st.NF = 0; st.ZF = 0; st.CF = v >>> 31; }`);
      return plain(`{ const v = R[${rn}]; res = (v >>> ${imm5}) | 0; R[${rd}] = res; st.NF = res; st.ZF = res; st.CF = (v >>> ${imm5 - 1}) & 1; }`);
    case F16.ASR_IMM:
      if (imm5 === 0) return plain(`{ const v = R[${rn}]; res = v >> 31; R[${rd}] = res; st.NF = res; st.ZF = res; st.CF = v >>> 31; }`);
      return plain(`{ const v = R[${rn}]; res = v >> ${imm5}; R[${rd}] = res; st.NF = res; st.ZF = res; st.CF = (v >> ${imm5 - 1}) & 1; }`);
    case F16.ADD_REG:
      return plain(`${addWithFlags(`R[${rn}]`, `R[${rm}]`, '0')} R[${rd}] = res;`);
    case F16.SUB_REG:
      return plain(`${addWithFlags(`R[${rn}]`, `~R[${rm}]`, '1')} R[${rd}] = res;`);
    case F16.ADD_IMM3:
      return plain(`${addWithFlags(`R[${rn}]`, `${rm}`, '0')} R[${rd}] = res;`);
    case F16.SUB_IMM3:
      return plain(`${addWithFlags(`R[${rn}]`, `${~rm}`, '1')} R[${rd}] = res;`);
    case F16.MOV_IMM:
      return plain(`R[${r8}] = ${imm8}; st.NF = ${imm8}; st.ZF = ${imm8};`);
    case F16.CMP_IMM:
      return plain(addWithFlags(`R[${r8}]`, `${~imm8}`, '1'));
    case F16.ADD_IMM8:
      return plain(`${addWithFlags(`R[${r8}]`, `${imm8}`, '0')} R[${r8}] = res;`);
    case F16.SUB_IMM8:
      return plain(`${addWithFlags(`R[${r8}]`, `${~imm8}`, '1')} R[${r8}] = res;`);
    case F16.AND:
      return plain(logical(rd, `R[${rd}] & R[${rn}]`));
    case F16.EOR:
      return plain(logical(rd, `R[${rd}] ^ R[${rn}]`));
    case F16.ORR:
      return plain(logical(rd, `R[${rd}] | R[${rn}]`));
    case F16.BIC:
      return plain(logical(rd, `R[${rd}] & ~R[${rn}]`));
    case F16.MVN:
      return plain(logical(rd, `~R[${rn}]`));
    case F16.TST:
      return plain(`res = R[${rd}] & R[${rn}]; st.NF = res; st.ZF = res;`);
    case F16.CMP_REG:
      return plain(addWithFlags(`R[${rd}]`, `~R[${rn}]`, '1'));
    case F16.CMN_REG:
      return plain(addWithFlags(`R[${rd}]`, `R[${rn}]`, '0'));
    case F16.ADC:
      return plain(`${addWithFlags(`R[${rd}]`, `R[${rn}]`, 'st.CF')} R[${rd}] = res;`);
    case F16.SBC:
      return plain(`${addWithFlags(`R[${rd}]`, `~R[${rn}]`, 'st.CF')} R[${rd}] = res;`);
    case F16.RSB:
      return plain(`${addWithFlags('0', `~R[${rn}]`, '1')} R[${rd}] = res;`);
    case F16.MUL:
      return plain(logical(rd, `Math.imul(R[${rn}], R[${rd}])`));
    case F16.SHIFT_REG:
      return plain(shiftByRegister(rd, rn, t16RegShiftType(hw)));
    case F16.ADD_HI: {
      const d = ((hw >>> 4) & 8) | rd;
      const m = (hw >>> 3) & 15;
      if (d === 15) return null; // a branch: through the handler
      return plain(`R[${d}] = (${ctx.reg(site, d)} + ${ctx.reg(site, m)}) | 0;`);
    }
    case F16.CMP_HI: {
      const n = ((hw >>> 4) & 8) | rd;
      const m = (hw >>> 3) & 15;
      return plain(addWithFlags(ctx.reg(site, n), `~${ctx.reg(site, m)}`, '1'));
    }
    case F16.MOV_HI: {
      const d = ((hw >>> 4) & 8) | rd;
      const m = (hw >>> 3) & 15;
      if (d === 15) return null;
      return plain(`R[${d}] = ${ctx.reg(site, m)};`);
    }
    case F16.LDR_LIT:
      return mem(`a = ${(((site.pc + 4) & ~3) + imm8 * 4) | 0}; ${ctx.load(site, `R[${r8}]`, 4)}`);
    case F16.LDR_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.load(site, `R[${rd}]`, 4)}`);
    case F16.STR_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.store(site, `R[${rd}]`, 4)}`);
    case F16.LDRB_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.load(site, `R[${rd}]`, 1)}`);
    case F16.STRB_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.store(site, `R[${rd}]`, 1)}`);
    case F16.LDRH_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.load(site, `R[${rd}]`, 2)}`);
    case F16.STRH_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.store(site, `R[${rd}]`, 2)}`);
    case F16.LDRSB_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.load(site, `R[${rd}]`, -1)}`);
    case F16.LDRSH_REG:
      return mem(`a = (R[${rn}] + R[${rm}]) | 0; ${ctx.load(site, `R[${rd}]`, -2)}`);
    case F16.LDR_IMM:
      return mem(`a = (R[${rn}] + ${imm5 * 4}) | 0; ${ctx.load(site, `R[${rd}]`, 4)}`);
    case F16.STR_IMM:
      return mem(`a = (R[${rn}] + ${imm5 * 4}) | 0; ${ctx.store(site, `R[${rd}]`, 4)}`);
    case F16.LDRB_IMM:
      return mem(`a = (R[${rn}] + ${imm5}) | 0; ${ctx.load(site, `R[${rd}]`, 1)}`);
    case F16.STRB_IMM:
      return mem(`a = (R[${rn}] + ${imm5}) | 0; ${ctx.store(site, `R[${rd}]`, 1)}`);
    case F16.LDRH_IMM:
      return mem(`a = (R[${rn}] + ${imm5 * 2}) | 0; ${ctx.load(site, `R[${rd}]`, 2)}`);
    case F16.STRH_IMM:
      return mem(`a = (R[${rn}] + ${imm5 * 2}) | 0; ${ctx.store(site, `R[${rd}]`, 2)}`);
    case F16.LDR_SP:
      return mem(`a = (R[13] + ${imm8 * 4}) | 0; ${ctx.load(site, `R[${r8}]`, 4)}`);
    case F16.STR_SP:
      return mem(`a = (R[13] + ${imm8 * 4}) | 0; ${ctx.store(site, `R[${r8}]`, 4)}`);
    case F16.ADR:
      return plain(`R[${r8}] = ${(((site.pc + 4) & ~3) + imm8 * 4) | 0};`);
    case F16.ADD_SP_IMM8:
      return plain(`R[${r8}] = (R[13] + ${imm8 * 4}) | 0;`);
    case F16.ADD_SP_IMM7:
      return plain(`R[13] = (R[13] + ${(hw & 0x7f) * 4}) | 0;`);
    case F16.SUB_SP_IMM7:
      return plain(`R[13] = (R[13] - ${(hw & 0x7f) * 4}) | 0;`);
    case F16.SXTH:
      return plain(`R[${rd}] = (R[${rn}] << 16) >> 16;`);
    case F16.SXTB:
      return plain(`R[${rd}] = (R[${rn}] << 24) >> 24;`);
    case F16.UXTH:
      return plain(`R[${rd}] = R[${rn}] & 0xffff;`);
    case F16.UXTB:
      return plain(`R[${rd}] = R[${rn}] & 0xff;`);
    case F16.CBZ: {
      const imm = (((hw >>> 9) & 1) << 5) | ((hw >>> 3) & 31);
      const target = ((site.pc + 4 + imm * 2) & ~1) | 0;
      const test = (hw & 0x800) !== 0 ? `R[${rd}] !== 0` : `R[${rd}] === 0`;
      return ctx.conditionalBranch(site, test, target);
    }
    case F16.B_COND: {
      const target = ((site.pc + 4 + (((hw & 0xff) << 24) >> 23)) & ~1) | 0;
      return ctx.conditionalBranch(site, conditionExpr((hw >>> 8) & 15), target);
    }
    case F16.B: {
      const target = ((site.pc + 4 + (((hw & 0x7ff) << 21) >> 20)) & ~1) | 0;
      return { code: ctx.branchTo(site, target), terminates: true, jump: target };
    }
    default:
      return null;
  }
}

/**
 * 16-bit rows the interpreter runs through their handlers that blocks still translate: BX and
 * BLX (register) as an exit to the target when it is a plain Thumb branch (an EXC_RETURN value or
 * a clear bit 0 takes `callThrough`, the handler's exact path), and PUSH/POP as RAM block
 * transfers (ctx.transferMultiple). Null: the handler.
 */
export function emitT16Row(ctx: EmitContext, site: InsnSite, name: string, hw: number, callThrough: () => string): Emitted | null {
  switch (name) {
    case 'BX':
    case 'BLX_reg': {
      const m = (hw >>> 3) & 15;
      if (m === 15) return null;
      const link = name === 'BLX_reg' ? `R[14] = ${ctx.next(site) | 1}; ` : '';
      // BX LR back to the call the block followed: go on in the block when LR still holds it (every
      // other path leaves, the handler's too: its code must not fall through to the return address).
      const ret = name === 'BX' && m === 14 ? ctx.expectedReturn : 0;
      const handler = ret !== 0 ? `${callThrough()} ${ctx.exitAfter(site, `${ctx.next(site)}`)}` : callThrough();
      const code = `{ const t = R[${m}]; if ((t & 1) !== 0 && (t >>> 28) !== 15) { ${link}${ctx.exitAfter(site, 't & ~1')} } else { ${handler} } }`;
      if (ret !== 0) return { code: `if (R[14] !== ${ret | 1}) ${code}`, terminates: true, returnTo: ret };
      return { code, terminates: true };
    }
    case 'PUSH': {
      const list = (hw & 0xff) | ((hw & 0x100) << 6);
      return list === 0 ? null : ctx.transferMultiple(site, 13, list, false, true, true, callThrough);
    }
    case 'POP': {
      const list = (hw & 0xff) | ((hw & 0x100) << 7);
      return list === 0 ? null : ctx.transferMultiple(site, 13, list, true, true, false, callThrough);
    }
    case 'STM':
    case 'LDM': {
      const list = hw & 0xff;
      return list === 0 ? null : ctx.transferMultiple(site, (hw >>> 8) & 7, list, name === 'LDM', true, false, callThrough);
    }
    default:
      return null;
  }
}

/**
 * A 16-bit row inside an IT block: the flag-setting forms outside IT (MOVS, ADDS, ANDS...) set no
 * flags there, as the interpreter's `s` rule says; a register-controlled shift goes through its
 * handler (null), which reads `cpu.inIt`. Every other fast row is the same code as outside
 * (compares always set flags; loads, stores, moves of high registers never do). CBZ/CBNZ and
 * B<cond> are UNPREDICTABLE in an IT block: the compiler never translates an IT block holding one.
 */
export function emitT16InIt(ctx: EmitContext, site: InsnSite, hw: number): Emitted | null {
  const { rd, rn, rm, imm5, r8, imm8 } = t16Fields(hw);
  switch (T16_FAST[hw]!) {
    case F16.LSL_IMM:
      return plain(`R[${rd}] = R[${rn}] << ${imm5};`);
    case F16.LSR_IMM:
      return plain(imm5 === 0 ? `R[${rd}] = 0;` : `R[${rd}] = (R[${rn}] >>> ${imm5}) | 0;`);
    case F16.ASR_IMM:
      return plain(`R[${rd}] = R[${rn}] >> ${imm5 === 0 ? 31 : imm5};`);
    case F16.ADD_REG:
      return plain(`R[${rd}] = (R[${rn}] + R[${rm}]) | 0;`);
    case F16.SUB_REG:
      return plain(`R[${rd}] = (R[${rn}] - R[${rm}]) | 0;`);
    case F16.ADD_IMM3:
      return plain(`R[${rd}] = (R[${rn}] + ${rm}) | 0;`);
    case F16.SUB_IMM3:
      return plain(`R[${rd}] = (R[${rn}] - ${rm}) | 0;`);
    case F16.MOV_IMM:
      return plain(`R[${r8}] = ${imm8};`);
    case F16.ADD_IMM8:
      return plain(`R[${r8}] = (R[${r8}] + ${imm8}) | 0;`);
    case F16.SUB_IMM8:
      return plain(`R[${r8}] = (R[${r8}] - ${imm8}) | 0;`);
    case F16.AND:
      return plain(`R[${rd}] = R[${rd}] & R[${rn}];`);
    case F16.EOR:
      return plain(`R[${rd}] = R[${rd}] ^ R[${rn}];`);
    case F16.ORR:
      return plain(`R[${rd}] = R[${rd}] | R[${rn}];`);
    case F16.BIC:
      return plain(`R[${rd}] = R[${rd}] & ~R[${rn}];`);
    case F16.MVN:
      return plain(`R[${rd}] = ~R[${rn}];`);
    case F16.ADC:
      return plain(`R[${rd}] = (R[${rd}] + R[${rn}] + st.CF) | 0;`);
    case F16.SBC:
      return plain(`R[${rd}] = (R[${rd}] + ~R[${rn}] + st.CF) | 0;`);
    case F16.RSB:
      return plain(`R[${rd}] = (0 - R[${rn}]) | 0;`);
    case F16.MUL:
      return plain(`R[${rd}] = Math.imul(R[${rn}], R[${rd}]);`);
    case F16.SHIFT_REG:
      return null;
    default:
      return emitT16(ctx, site, hw);
  }
}
