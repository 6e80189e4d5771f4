/**
 * The 16-bit Thumb encodings of ARMv7-M (ARM DDI 0403 A5.2), one row per encoding, compiled into a
 * 65536-entry lookup. Rows are tried in order, so a special case precedes the general form.
 * "s" below is the T16 rule: flags are set only outside an IT block.
 */
import type { Cpu } from './cpu.js';
import { encoding, build16Lookup } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import {
  SHIFT_ASR,
  SHIFT_LSL,
  SHIFT_LSR,
  SHIFT_ROR,
  byteReverse,
  immShiftC,
  shiftC,
  shifter,
} from './alu.js';
import {
  opAdc,
  opAdd,
  opAnd,
  opBic,
  opCmn,
  opCmp,
  opEor,
  opMov,
  opMvn,
  opOrr,
  opRsb,
  opSbc,
  opSub,
  opTst,
} from './dataproc.js';
import type { DpOp } from './dataproc.js';
import {
  SIZE_BYTE,
  SIZE_HALF,
  SIZE_SBYTE,
  SIZE_SHALF,
  SIZE_WORD,
  loadMultiple,
  loadStore,
  storeMultiple,
} from './memops.js';
import { SP } from './state.js';

export type Handler = (c: Cpu, a: Fields) => void;
type Row = Encoding<Handler>;

const t16 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 16, pattern, exec);

/** Flag-setting rule of 16-bit data-processing forms. */
const s16 = (c: Cpu): number => (c.inIt ? 0 : 1);

const shiftImm =
  (type: number): Handler =>
  (c, a) =>
    opMov(c, a.rd, 0, immShiftC(c.r[a.rm]!, type, a.imm, c.state.CF), s16(c));

/** Rdn = Rdn OP Rm, logical ops keep C (no shifter carry). */
const dpReg =
  (op: DpOp): Handler =>
  (c, a) => {
    shifter.carry = c.state.CF;
    op(c, a.rdn, c.r[a.rdn]!, c.r[a.rm]!, s16(c));
  };

const shiftReg =
  (type: number): Handler =>
  (c, a) => {
    const st = c.state;
    opMov(c, a.rdn, 0, shiftC(c.r[a.rdn]!, type, c.r[a.rm]! & 0xff, st.CF), s16(c));
  };

const ldstReg =
  (isLoad: boolean, size: number): Handler =>
  (c, a) =>
    loadStore(c, isLoad, size, a.rt, a.rn, c.r[a.rm]!, true, false);

const ldstImm =
  (isLoad: boolean, size: number, scale: number): Handler =>
  (c, a) =>
    loadStore(c, isLoad, size, a.rt, a.rn, a.imm * scale, true, false);

const ldstSp =
  (isLoad: boolean): Handler =>
  (c, a) =>
    loadStore(c, isLoad, SIZE_WORD, a.rt, SP, a.imm * 4, true, false);

const extend =
  (fn: (v: number) => number): Handler =>
  (c, a) => {
    c.r[a.rd] = fn(c.r[a.rm]!);
  };

const hint = (c: Cpu, a: Fields): void => {
  switch (a.op) {
    case 2:
      c.sys.wfe();
      break;
    case 3:
      c.sys.wfi();
      break;
    case 4:
      c.sys.sev();
      break;
    default:
      break; // NOP, YIELD and reserved hints
  }
};

const undefinedT16: Handler = (c) => c.undefined();

const ROWS: Row[] = [
  // Shift (immediate), add, subtract, move, compare
  t16('LSL_imm', '00000 imm:5 rm:3 rd:3', shiftImm(SHIFT_LSL)),
  t16('LSR_imm', '00001 imm:5 rm:3 rd:3', shiftImm(SHIFT_LSR)),
  t16('ASR_imm', '00010 imm:5 rm:3 rd:3', shiftImm(SHIFT_ASR)),
  t16('ADD_reg', '0001100 rm:3 rn:3 rd:3', (c, a) => opAdd(c, a.rd, c.r[a.rn]!, c.r[a.rm]!, s16(c))),
  t16('SUB_reg', '0001101 rm:3 rn:3 rd:3', (c, a) => opSub(c, a.rd, c.r[a.rn]!, c.r[a.rm]!, s16(c))),
  t16('ADD_imm3', '0001110 imm:3 rn:3 rd:3', (c, a) => opAdd(c, a.rd, c.r[a.rn]!, a.imm, s16(c))),
  t16('SUB_imm3', '0001111 imm:3 rn:3 rd:3', (c, a) => opSub(c, a.rd, c.r[a.rn]!, a.imm, s16(c))),
  t16('MOV_imm', '00100 rd:3 imm:8', (c, a) => {
    shifter.carry = c.state.CF;
    opMov(c, a.rd, 0, a.imm, s16(c));
  }),
  t16('CMP_imm', '00101 rn:3 imm:8', (c, a) => opCmp(c, 0, c.r[a.rn]!, a.imm, 1)),
  t16('ADD_imm8', '00110 rdn:3 imm:8', (c, a) => opAdd(c, a.rdn, c.r[a.rdn]!, a.imm, s16(c))),
  t16('SUB_imm8', '00111 rdn:3 imm:8', (c, a) => opSub(c, a.rdn, c.r[a.rdn]!, a.imm, s16(c))),

  // Data processing (register)
  t16('AND_reg', '0100000000 rm:3 rdn:3', dpReg(opAnd)),
  t16('EOR_reg', '0100000001 rm:3 rdn:3', dpReg(opEor)),
  t16('LSL_reg', '0100000010 rm:3 rdn:3', shiftReg(SHIFT_LSL)),
  t16('LSR_reg', '0100000011 rm:3 rdn:3', shiftReg(SHIFT_LSR)),
  t16('ASR_reg', '0100000100 rm:3 rdn:3', shiftReg(SHIFT_ASR)),
  t16('ADC_reg', '0100000101 rm:3 rdn:3', dpReg(opAdc)),
  t16('SBC_reg', '0100000110 rm:3 rdn:3', dpReg(opSbc)),
  t16('ROR_reg', '0100000111 rm:3 rdn:3', shiftReg(SHIFT_ROR)),
  t16('TST_reg', '0100001000 rm:3 rn:3', (c, a) => {
    shifter.carry = c.state.CF;
    opTst(c, 0, c.r[a.rn]!, c.r[a.rm]!, 1);
  }),
  t16('RSB_imm', '0100001001 rn:3 rd:3', (c, a) => opRsb(c, a.rd, c.r[a.rn]!, 0, s16(c))),
  t16('CMP_reg', '0100001010 rm:3 rn:3', (c, a) => opCmp(c, 0, c.r[a.rn]!, c.r[a.rm]!, 1)),
  t16('CMN_reg', '0100001011 rm:3 rn:3', (c, a) => opCmn(c, 0, c.r[a.rn]!, c.r[a.rm]!, 1)),
  t16('ORR_reg', '0100001100 rm:3 rdn:3', dpReg(opOrr)),
  t16('MUL', '0100001101 rn:3 rdm:3', (c, a) => {
    const res = Math.imul(c.r[a.rn]!, c.r[a.rdm]!);
    c.r[a.rdm] = res;
    if (!c.inIt) {
      c.state.NF = res;
      c.state.ZF = res;
    }
  }),
  t16('BIC_reg', '0100001110 rm:3 rdn:3', dpReg(opBic)),
  t16('MVN_reg', '0100001111 rm:3 rdn:3', dpReg(opMvn)),

  // Special data processing and branch and exchange
  t16('ADD_hireg', '01000100 d:1 rm:4 d:3', (c, a) => opAdd(c, a.d, c.r[a.d]!, c.r[a.rm]!, 0)),
  t16('CMP_hireg', '01000101 n:1 rm:4 n:3', (c, a) => opCmp(c, 0, c.r[a.n]!, c.r[a.rm]!, 1)),
  t16('MOV_hireg', '01000110 d:1 rm:4 d:3', (c, a) => opMov(c, a.d, 0, c.r[a.rm]!, 0)),
  t16('BX', '010001110 rm:4 000', (c, a) => c.bxWritePc(c.r[a.rm]!)),
  t16('BLX_reg', '010001111 rm:4 000', (c, a) => {
    const target = c.r[a.rm]!;
    c.link();
    c.bxWritePc(target);
  }),

  // Load/store
  t16('LDR_lit', '01001 rt:3 imm:8', (c, a) => loadStore(c, true, SIZE_WORD, a.rt, 15, a.imm * 4, true, false)),
  t16('STR_reg', '0101000 rm:3 rn:3 rt:3', ldstReg(false, SIZE_WORD)),
  t16('STRH_reg', '0101001 rm:3 rn:3 rt:3', ldstReg(false, SIZE_HALF)),
  t16('STRB_reg', '0101010 rm:3 rn:3 rt:3', ldstReg(false, SIZE_BYTE)),
  t16('LDRSB_reg', '0101011 rm:3 rn:3 rt:3', ldstReg(true, SIZE_SBYTE)),
  t16('LDR_reg', '0101100 rm:3 rn:3 rt:3', ldstReg(true, SIZE_WORD)),
  t16('LDRH_reg', '0101101 rm:3 rn:3 rt:3', ldstReg(true, SIZE_HALF)),
  t16('LDRB_reg', '0101110 rm:3 rn:3 rt:3', ldstReg(true, SIZE_BYTE)),
  t16('LDRSH_reg', '0101111 rm:3 rn:3 rt:3', ldstReg(true, SIZE_SHALF)),
  t16('STR_imm', '01100 imm:5 rn:3 rt:3', ldstImm(false, SIZE_WORD, 4)),
  t16('LDR_imm', '01101 imm:5 rn:3 rt:3', ldstImm(true, SIZE_WORD, 4)),
  t16('STRB_imm', '01110 imm:5 rn:3 rt:3', ldstImm(false, SIZE_BYTE, 1)),
  t16('LDRB_imm', '01111 imm:5 rn:3 rt:3', ldstImm(true, SIZE_BYTE, 1)),
  t16('STRH_imm', '10000 imm:5 rn:3 rt:3', ldstImm(false, SIZE_HALF, 2)),
  t16('LDRH_imm', '10001 imm:5 rn:3 rt:3', ldstImm(true, SIZE_HALF, 2)),
  t16('STR_sp', '10010 rt:3 imm:8', ldstSp(false)),
  t16('LDR_sp', '10011 rt:3 imm:8', ldstSp(true)),

  // PC/SP-relative address generation
  t16('ADR', '10100 rd:3 imm:8', (c, a) => {
    c.r[a.rd] = ((c.r[15]! & ~3) + a.imm * 4) | 0;
  }),
  t16('ADD_sp_imm8', '10101 rd:3 imm:8', (c, a) => {
    c.r[a.rd] = (c.r[SP]! + a.imm * 4) | 0;
  }),

  // Miscellaneous
  t16('ADD_sp_imm7', '101100000 imm:7', (c, a) => {
    c.setReg(SP, (c.r[SP]! + a.imm * 4) | 0);
  }),
  t16('SUB_sp_imm7', '101100001 imm:7', (c, a) => {
    c.setReg(SP, (c.r[SP]! - a.imm * 4) | 0);
  }),
  t16('CBZ_CBNZ', '1011 nz:1 0 imm:1 1 imm:5 rn:3', (c, a) => {
    if ((c.r[a.rn] === 0) !== (a.nz === 1)) c.branchDirect(c.r[15]! + a.imm * 2);
  }),
  t16('SXTH', '1011001000 rm:3 rd:3', extend((v) => (v << 16) >> 16)),
  t16('SXTB', '1011001001 rm:3 rd:3', extend((v) => (v << 24) >> 24)),
  t16('UXTH', '1011001010 rm:3 rd:3', extend((v) => v & 0xffff)),
  t16('UXTB', '1011001011 rm:3 rd:3', extend((v) => v & 0xff)),
  t16('PUSH', '1011010 lr:1 list:8', (c, a) => {
    const list = a.list | (a.lr << 14);
    if (list === 0) return c.undefined();
    storeMultiple(c, SP, list, true, true);
  }),
  t16('CPS', '10110110011 im:1 00 i:1 f:1', (c, a) => {
    c.sys.cps(a.im === 1, a.i === 1, a.f === 1); // stops the core when a pending exception may now preempt
  }),
  t16('REV', '1011101000 rm:3 rd:3', extend(byteReverse)),
  t16('REV16', '1011101001 rm:3 rd:3', extend((v) => ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8))),
  t16('REVSH', '1011101011 rm:3 rd:3', extend((v) => (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff))),
  t16('POP', '1011110 pc:1 list:8', (c, a) => {
    const list = a.list | (a.pc << 15);
    if (list === 0) return c.undefined();
    loadMultiple(c, SP, list, true, false);
  }),
  t16('BKPT', '10111110 imm:8', (c, a) => c.bkpt(a.imm)),
  t16('HINT', '10111111 op:4 0000', hint),
  // UNPREDICTABLE forms (first condition 1111, AL with an else slot, IT inside an IT block) run as
  // on QEMU 7.2 (trans_IT): a condition 1111 means always, a nested IT starts a new block.
  t16('IT', '10111111 cond:4 mask:4', (c, a) => {
    c.state.itstate = (a.cond << 4) | a.mask;
  }),

  // Load/store multiple
  t16('STM', '11000 rn:3 list:8', (c, a) => {
    if (a.list === 0) return c.undefined();
    storeMultiple(c, a.rn, a.list, true, false);
  }),
  t16('LDM', '11001 rn:3 list:8', (c, a) => {
    if (a.list === 0) return c.undefined();
    loadMultiple(c, a.rn, a.list, true, false);
  }),

  // Conditional branch, supervisor call
  t16('UDF', '11011110 imm:8', undefinedT16),
  t16('SVC', '11011111 imm:8', (c, a) => c.svc(a.imm)),
  t16('B_cond', '1101 cond:4 imm:8', (c, a) => {
    if (c.inIt) return c.undefined();
    if (c.conditionPassed(a.cond)) c.branchTo(c.r[15]! + ((a.imm << 24) >> 23));
  }),
  t16('B', '11100 imm:11', (c, a) => c.branchDirect(c.r[15]! + ((a.imm << 21) >> 20))),
];

/** Row used for every halfword no encoding claims. */
const UNDEFINED_ROW = t16('UNDEFINED', '---------------- ', undefinedT16);

export const T16_TABLE: readonly Row[] = [...ROWS, UNDEFINED_ROW];
export const T16_LOOKUP: Uint16Array = build16Lookup(T16_TABLE.slice(0, ROWS.length), ROWS.length);

/**
 * Pre-decoded form of every halfword: handler and its already-extracted fields, so the interpreter
 * does one table load and one call per 16-bit instruction. The fields are made on a halfword's first
 * use (`t16Args`: 65536 objects built at load cost start-up time and garbage collection); field
 * objects of one row share a hidden class (same keys, same order).
 */
export const T16_EXEC: Handler[] = new Array<Handler>(65536);
export const T16_ARGS: (Fields | undefined)[] = new Array<Fields | undefined>(65536);
for (let hw = 0; hw < 65536; hw++) T16_EXEC[hw] = T16_TABLE[T16_LOOKUP[hw]!]!.exec;

/** The fields of halfword `hw` for its T16_EXEC handler (T16_ARGS[hw], made on first use). */
export function t16Args(hw: number): Fields {
  const known = T16_ARGS[hw];
  if (known !== undefined) return known;
  const e = T16_TABLE[T16_LOOKUP[hw]!]!;
  const args: Fields = {};
  for (const f of e.fieldNames) args[f] = 0;
  e.extract(hw, args);
  T16_ARGS[hw] = args;
  return args;
}

/**
 * Interpreter fast path: the most frequent rows get a small id the CPU loop switches on, decoding
 * their fields inline (same semantics as the row's handler); 0 means "call T16_EXEC". Built from
 * T16_LOOKUP, so the fast path decodes exactly as the table does.
 */
export const enum F16 {
  LSL_IMM = 1,
  LSR_IMM = 2,
  ASR_IMM = 3,
  ADD_REG = 4,
  SUB_REG = 5,
  ADD_IMM3 = 6,
  SUB_IMM3 = 7,
  MOV_IMM = 8,
  CMP_IMM = 9,
  ADD_IMM8 = 10,
  SUB_IMM8 = 11,
  AND = 12,
  EOR = 13,
  ORR = 14,
  BIC = 15,
  MVN = 16,
  TST = 17,
  CMP_REG = 18,
  CMN_REG = 19,
  ADC = 20,
  SBC = 21,
  RSB = 22,
  MUL = 23,
  ADD_HI = 24,
  CMP_HI = 25,
  MOV_HI = 26,
  LDR_LIT = 27,
  LDR_REG = 28,
  STR_REG = 29,
  LDRB_REG = 30,
  STRB_REG = 31,
  LDRH_REG = 32,
  STRH_REG = 33,
  LDR_IMM = 34,
  STR_IMM = 35,
  LDRB_IMM = 36,
  STRB_IMM = 37,
  LDRH_IMM = 38,
  STRH_IMM = 39,
  LDR_SP = 40,
  STR_SP = 41,
  ADR = 42,
  ADD_SP_IMM8 = 43,
  ADD_SP_IMM7 = 44,
  SUB_SP_IMM7 = 45,
  CBZ = 46,
  SXTH = 47,
  SXTB = 48,
  UXTH = 49,
  UXTB = 50,
  B_COND = 51,
  B = 52,
  /** LSL/LSR/ASR/ROR (register): one id, the type from the instruction (t16RegShiftType). */
  SHIFT_REG = 53,
  LDRSB_REG = 54,
  LDRSH_REG = 55,
}

/**
 * The SRType of a 16-bit shift-by-register row: LSL/LSR/ASR/ROR_reg have opcode bits [8:6] = 010,
 * 011, 100, 111, so bits 8 and 6 are the type (00 LSL, 01 LSR, 10 ASR, 11 ROR as alu.ts numbers them).
 */
export const t16RegShiftType = (hw: number): number => ((hw >>> 7) & 2) | ((hw >>> 6) & 1);

const FAST_BY_NAME: Record<string, number> = {
  LSL_imm: F16.LSL_IMM,
  LSR_imm: F16.LSR_IMM,
  ASR_imm: F16.ASR_IMM,
  ADD_reg: F16.ADD_REG,
  SUB_reg: F16.SUB_REG,
  ADD_imm3: F16.ADD_IMM3,
  SUB_imm3: F16.SUB_IMM3,
  MOV_imm: F16.MOV_IMM,
  CMP_imm: F16.CMP_IMM,
  ADD_imm8: F16.ADD_IMM8,
  SUB_imm8: F16.SUB_IMM8,
  AND_reg: F16.AND,
  EOR_reg: F16.EOR,
  ORR_reg: F16.ORR,
  BIC_reg: F16.BIC,
  MVN_reg: F16.MVN,
  TST_reg: F16.TST,
  CMP_reg: F16.CMP_REG,
  CMN_reg: F16.CMN_REG,
  ADC_reg: F16.ADC,
  SBC_reg: F16.SBC,
  RSB_imm: F16.RSB,
  MUL: F16.MUL,
  ADD_hireg: F16.ADD_HI,
  CMP_hireg: F16.CMP_HI,
  MOV_hireg: F16.MOV_HI,
  LDR_lit: F16.LDR_LIT,
  LDR_reg: F16.LDR_REG,
  STR_reg: F16.STR_REG,
  LDRB_reg: F16.LDRB_REG,
  STRB_reg: F16.STRB_REG,
  LDRH_reg: F16.LDRH_REG,
  STRH_reg: F16.STRH_REG,
  LDR_imm: F16.LDR_IMM,
  STR_imm: F16.STR_IMM,
  LDRB_imm: F16.LDRB_IMM,
  STRB_imm: F16.STRB_IMM,
  LDRH_imm: F16.LDRH_IMM,
  STRH_imm: F16.STRH_IMM,
  LDR_sp: F16.LDR_SP,
  STR_sp: F16.STR_SP,
  ADR: F16.ADR,
  ADD_sp_imm8: F16.ADD_SP_IMM8,
  ADD_sp_imm7: F16.ADD_SP_IMM7,
  SUB_sp_imm7: F16.SUB_SP_IMM7,
  CBZ_CBNZ: F16.CBZ,
  SXTH: F16.SXTH,
  SXTB: F16.SXTB,
  UXTH: F16.UXTH,
  UXTB: F16.UXTB,
  B_cond: F16.B_COND,
  B: F16.B,
  LSL_reg: F16.SHIFT_REG,
  LSR_reg: F16.SHIFT_REG,
  ASR_reg: F16.SHIFT_REG,
  ROR_reg: F16.SHIFT_REG,
  LDRSB_reg: F16.LDRSB_REG,
  LDRSH_reg: F16.LDRSH_REG,
};

export const T16_FAST = new Uint8Array(65536);
for (let hw = 0; hw < 0xe800; hw++) T16_FAST[hw] = FAST_BY_NAME[T16_TABLE[T16_LOOKUP[hw]!]!.name] ?? 0;
