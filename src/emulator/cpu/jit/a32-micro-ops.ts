/**
 * The lukewarm tier's micro-ops: each instruction of a threaded block is pre-decoded into an op
 * kind and four operand words, which one shared loop (A32ThreadedBlock.runThreaded) switches on. The
 * decode is keyed by the decode-table row name and reads the row's own fields, so each encoding is
 * still defined once (the table); what an op does is the table handler's semantics (alu.ts,
 * dataproc.ts, a32-multiply.ts, a32-media.ts, a32-memory.ts's exclusives), inline. Instructions,
 * or operand choices, without a micro-op here run their table handler (MICRO_HANDLER): the
 * UNPREDICTABLE corners, the PC as a destination, the unprivileged, doubleword-exclusive,
 * user-bank and exception-return forms, coprocessor writes, and everything rare.
 *
 * Memory micro-ops hit the JIT TLB (jit-tlb.ts) inline as the compiled tier does: an aligned access
 * to RAM the MMU and the bus let through, which cannot fault. A single load/store that misses is
 * the core's access (Cpu.loadSized/storeSized, as memops.loadStore) through jitLoad/jitStore, which
 * also fill the JIT TLB; a dual, multiple or exclusive access that misses runs its table handler,
 * then fills the JIT TLB with its page. Every slow path is the interpreter's.
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { A32_DP_OPCODES } from '../a32-dataproc.js';
import { SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';

/** The table handler (with the interpreter's set-up). */
export const MICRO_HANDLER = 0;
/** Data processing, operand 2 a modified immediate: x0 Rd, x1 Rn, x2 imm12, x3 DP flags. */
export const MICRO_DP_IMM = 1;
/** Data processing, a register shifted by an immediate: x2 Rm, x3 DP flags with the amount. */
export const MICRO_DP_REG = 2;
/** Data processing, a register shifted by a register: x2 Rm, x3 DP flags with Rs. */
export const MICRO_DP_RSR = 3;
/** MOVW: x0 Rd, x2 the value. */
export const MICRO_MOVW = 4;
/** MOVT: x0 Rd, x2 the value already in the top half. */
export const MICRO_MOVT = 5;
/** LDR{,B,H,SB,SH}: x0 Rt, x1 Rn, x2 the signed immediate offset or Rm, x3 memory flags. */
export const MICRO_LOAD = 6;
/** STR{,B,H}: as MICRO_LOAD. */
export const MICRO_STORE = 7;
/** LDM without S (a loaded PC included): x0 Rn | count << 4, x1 the list, x2 first address - Rn, x3 writeback offset (0: none). */
export const MICRO_LDM = 8;
/** STM without S: as MICRO_LDM. */
export const MICRO_STM = 9;
/** B/BL: x0 1 for BL, x2 the target. */
export const MICRO_BRANCH = 10;
/** Barriers, preload hints, NOP and the reserved hints: nothing the emulator models. */
export const MICRO_NOTHING = 11;
/** LDRD: as MICRO_LOAD (a word size), Rt and Rt + 1. */
export const MICRO_LOAD_DUAL = 12;
/** STRD: as MICRO_LOAD_DUAL. */
export const MICRO_STORE_DUAL = 13;
/** BX/BXJ/BLX (register): x0 Rm, x1 1 for BLX. */
export const MICRO_BX = 14;
/** MUL/MLA: x0 Rd, x1 Rn, x2 Rm, x3 Ra | MUL_ACCUMULATE | MUL_S. */
export const MICRO_MUL = 15;
/** UMULL/SMULL/UMLAL/SMLAL: x0 RdLo, x1 RdHi, x2 Rn | Rm << 4, x3 MUL_SIGNED | MUL_ACCUMULATE | MUL_S. */
export const MICRO_MUL_LONG = 16;
/** {U,S}XT{B,H} and their add forms: x0 Rd, x1 Rn (EXTEND_ADD), x2 Rm, x3 the rotation in bits | EXTEND_* kind. */
export const MICRO_EXTEND = 17;
/** UBFX/SBFX: x0 Rd, x1 Rn, x2 the left shift (31 - msb), x3 the right shift | FIELD_SIGNED. */
export const MICRO_EXTRACT = 18;
/** BFI/BFC: x0 Rd, x1 Rn (-1: BFC, inserts zeros), x2 lsb, x3 the mask. */
export const MICRO_INSERT = 19;
/** CLZ/REV/REV16/REVSH/RBIT: x0 Rd, x1 Rm, x2 which (UNARY_*). */
export const MICRO_UNARY = 20;
/**
 * MRC of a CP14/CP15 register with a plain read (no NOP, PL0 access not a function): x0 Rt, x1
 * the register's key (SYSREG_* fields), x2 the block's index of its definition (filled in by the
 * block builder, which resolves it or falls back to the handler).
 */
export const MICRO_SYSREG_READ = 21;
/** LDREX{B,H,}: x0 Rt, x1 Rn, x3 the size. */
export const MICRO_LDREX = 22;
/** STREX{B,H,}: x0 Rt, x1 Rn, x2 Rd, x3 the size. */
export const MICRO_STREX = 23;

// Multiply flags (x3).
export const MUL_ACCUMULATE = 1 << 4;
export const MUL_S = 1 << 5;
export const MUL_SIGNED = 1 << 6;
// Extend kinds (x3 bits 6:5) and the add form.
export const EXTEND_KIND_SHIFT = 5;
export const EXTEND_UXTB = 0;
export const EXTEND_UXTH = 1;
export const EXTEND_SXTB = 2;
export const EXTEND_SXTH = 3;
export const EXTEND_ADD = 1 << 8;
export const FIELD_SIGNED = 1 << 5;
// MICRO_UNARY operations.
export const UNARY_CLZ = 0;
export const UNARY_REV = 1;
export const UNARY_REV16 = 2;
export const UNARY_REVSH = 3;
export const UNARY_RBIT = 4;
// MICRO_SYSREG_READ's key (x1): cp14 | opc1 << 1 | crn << 4 | crm << 8 | opc2 << 12.
export const SYSREG_CP14 = 1;


// The specialised forms of the most frequent micro-ops (specialiseMicroOp): no operand is the PC,
// registers are in the head word (MICRO_A/B/C_SHIFT), constants are final, so the loop's case is
// a few loads and no flag tests. Rd is A, Rn B, Rm C; x0 holds the constant.
/** LDR (word) with an immediate offset, pre-indexed, no writeback: A Rt, B Rn, x0 the signed offset. */
export const MICRO_LDR_IMM = 24;
/** STR (word), as MICRO_LDR_IMM (Rt is not the PC). */
export const MICRO_STR_IMM = 25;
/** MOV Rd, Rm (no S, no shift): A Rd, C Rm. */
export const MICRO_MOV_REG = 26;
/** CMP Rn, #imm: B Rn, x0 the immediate inverted (Rn + ~imm + 1). */
export const MICRO_CMP_IMM = 27;
/** ADD/SUB Rd, Rn, #imm without S: A Rd, B Rn, x0 the immediate (negated for SUB). */
export const MICRO_ADD_IMM = 28;
/** A constant into Rd (MOV/MVN #imm and ADR, no S): A Rd, x0 the value. */
export const MICRO_MOV_IMM = 29;
/** ADD Rd, Rn, Rm (no S, no shift): A Rd, B Rn, C Rm. */
export const MICRO_ADD_REG = 30;
/** SUB Rd, Rn, Rm (no S, no shift): as MICRO_ADD_REG. */
export const MICRO_SUB_REG = 31;
/** CMP Rn, Rm (no shift): B Rn, C Rm. */
export const MICRO_CMP_REG = 32;
/** TST Rn, #imm: B Rn, x0 the immediate, x1 the carry it sets (-1: C unchanged, the immediate is not rotated). */
export const MICRO_TST_IMM = 33;
/**
 * AND, EOR, SUB, RSB, ADD, ORR, MOV, BIC or MVN without S, operand 2 Rm shifted by an immediate
 * (LSL, LSR #1-31, ASR, ROR #1-31): A Rd, B Rn, C Rm, x0 the shift type, x1 the amount (ASR #32 as
 * #31, the same result), x2 the opcode.
 */
export const MICRO_DP_SHIFTED = 34;

/**
 * Words per instruction in a block's code array: [0] the head (the kind, the condition <<
 * MICRO_COND_SHIFT, a specialised form's registers), [1..4] the operands x0..x3, [MICRO_INSN] the
 * instruction word (for the table handler).
 */
export const MICRO_STRIDE = 6;
export const MICRO_KIND_MASK = 0xff;
export const MICRO_COND_SHIFT = 8;
/** The condition field of the head (0xe00: always, as the unconditional space). */
export const MICRO_COND_MASK = 0xf << MICRO_COND_SHIFT;
export const MICRO_A_SHIFT = 12;
export const MICRO_B_SHIFT = 16;
export const MICRO_C_SHIFT = 20;
export const MICRO_INSN = 5;

// Data-processing flags (x3): the opcode (bits 24:21) in bits 3:0, then:
/** S (always for the tests). */
export const DP_S = 1 << 4;
/** A logical opcode: S sets N, Z and C (the shifter's carry), not V. */
export const DP_LOGICAL = 1 << 5;
/** A test (TST, TEQ, CMP, CMN): no result written. */
export const DP_TEST = 1 << 6;
export const DP_TYPE_SHIFT = 7;
/** The shift amount (5 bits), or Rs (4 bits). */
export const DP_AMOUNT_SHIFT = 9;
/**
 * An arithmetic opcode, computed as x + y + carry (SUB is a + ~b + 1): one expression for all eight,
 * so no opcode's code is met for the first time after V8 has optimised the loop.
 */
export const DP_ARITH = 1 << 16;
/** x is operand 2 and y operand 1 (RSB, RSC). */
export const DP_SWAP = 1 << 17;
/** y is inverted (SUB, CMP, RSB, SBC, RSC). */
export const DP_INVERT = 1 << 18;
/** The carry in is 1 (SUB, CMP, RSB). */
export const DP_CARRY_ONE = 1 << 19;
/** The carry in is APSR.C (ADC, SBC, RSC). */
export const DP_CARRY_C = 1 << 20;

/** The arithmetic flags of each opcode (bits 24:21), 0 for the logical ones. */
const ARITH_FLAGS: readonly number[] = [
  0, // AND
  0, // EOR
  DP_ARITH | DP_INVERT | DP_CARRY_ONE, // SUB
  DP_ARITH | DP_SWAP | DP_INVERT | DP_CARRY_ONE, // RSB
  DP_ARITH, // ADD
  DP_ARITH | DP_CARRY_C, // ADC
  DP_ARITH | DP_INVERT | DP_CARRY_C, // SBC
  DP_ARITH | DP_SWAP | DP_INVERT | DP_CARRY_C, // RSC
  0, // TST
  0, // TEQ
  DP_ARITH | DP_INVERT | DP_CARRY_ONE, // CMP
  DP_ARITH, // CMN
  0, // ORR
  0, // MOV
  0, // BIC
  0, // MVN
];

// Memory flags (x3): the signed size (memops SIZE_*) in bits 3:0, the alignment mask in 5:4, then:
export const MEM_ALIGN_SHIFT = 4;
/** Pre-indexed (P). */
export const MEM_INDEX = 1 << 6;
/** Writeback (post-indexed or W). */
export const MEM_WBACK = 1 << 7;
/** The offset is Rm shifted by an immediate (x2 holds Rm). */
export const MEM_REG = 1 << 8;
/** A register offset is subtracted (U = 0). */
export const MEM_SUB = 1 << 9;
export const MEM_TYPE_SHIFT = 10;
export const MEM_AMOUNT_SHIFT = 12;

/** Barriers and preload hints (the compiled tier's emitters do nothing for them either). */
const NOTHING = new Set(['DSB', 'DMB', 'ISB', 'PLI_imm', 'PLD_imm', 'PLI_reg', 'PLD_reg']);
const TESTS = new Set(['TST', 'TEQ', 'CMP', 'CMN']);
const LOGICAL = new Set(['AND', 'EOR', 'TST', 'TEQ', 'ORR', 'MOV', 'BIC', 'MVN']);

/** Decodes one row's fields into the operand words of `x` at `at` and returns the kind. */
type MicroDecoder = (a: Fields, pc: number, x: Int32Array, at: number) => number;

/** The operands of the instruction whose code starts at `at`. */
function put(x: Int32Array, at: number, x0: number, x1: number, x2: number, x3: number): void {
  x[at + 1] = x0;
  x[at + 2] = x1;
  x[at + 3] = x2;
  x[at + 4] = x3;
}

/** Memory flags of a single load/store of `size` (SIZE_*), or -1 when the handler must run it. */
function memoryFlags(a: Fields, size: number): number {
  const wback = a.p === 0 || a.w === 1;
  // Unprivileged (T) forms, a loaded PC (an interworking branch), writeback to the PC (a branch).
  if ((a.p === 0 && a.w === 1) || (a.l === 1 && a.rt === 15) || (wback && a.rn === 15)) return -1;
  const align = size === SIZE_WORD ? 3 : size === SIZE_HALF || size === SIZE_SHALF ? 1 : 0;
  return (size & 15) | (align << MEM_ALIGN_SHIFT) | (a.p === 1 ? MEM_INDEX : 0) | (wback ? MEM_WBACK : 0);
}

/** A single load/store with an immediate offset. */
function immediateOffset(a: Fields, size: number, imm: number, x: Int32Array, at: number): number {
  const flags = memoryFlags(a, size);
  if (flags < 0) return MICRO_HANDLER;
  put(x, at, a.rt!, a.rn!, a.u === 1 ? imm : -imm, flags);
  return a.l === 1 ? MICRO_LOAD : MICRO_STORE;
}

/** A single load/store with a register offset shifted by an immediate (type, amount). */
function registerOffset(a: Fields, size: number, type: number, amount: number, x: Int32Array, at: number): number {
  const flags = memoryFlags(a, size);
  if (flags < 0) return MICRO_HANDLER;
  const reg = MEM_REG | (a.u === 1 ? 0 : MEM_SUB) | (type << MEM_TYPE_SHIFT) | (amount << MEM_AMOUNT_SHIFT);
  put(x, at, a.rt!, a.rn!, a.rm!, flags | reg);
  return a.l === 1 ? MICRO_LOAD : MICRO_STORE;
}

const extraOffset = (a: Fields): number => (a.imm4h! << 4) | a.imm4l!;

/** The non-data-processing rows with micro-ops, by row name. */
const DECODERS: ReadonlyMap<string, MicroDecoder> = new Map<string, MicroDecoder>([
  ['MOVW', (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, 0, a.imm!, 0), MICRO_MOVW))],
  ['MOVT', (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, 0, a.imm! << 16, 0), MICRO_MOVT))],
  ['LDST_imm', (a, _pc, x, at) => immediateOffset(a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, a.imm!, x, at)],
  ['LDST_reg', (a, _pc, x, at) => registerOffset(a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, a.type!, a.imm5!, x, at)],
  ['LDST_extra_imm_h', (a, _pc, x, at) => immediateOffset(a, SIZE_HALF, extraOffset(a), x, at)],
  ['LDST_extra_reg_h', (a, _pc, x, at) => registerOffset(a, SIZE_HALF, 0, 0, x, at)],
  // The store forms of the signed rows are LDRD (sh = 0) and STRD.
  ['LDST_extra_imm_sd', (a, _pc, x, at) => (a.l === 1 ? immediateOffset(a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, extraOffset(a), x, at) : dual(a, x, at, false))],
  ['LDST_extra_reg_sd', (a, _pc, x, at) => (a.l === 1 ? registerOffset(a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, 0, 0, x, at) : dual(a, x, at, true))],
  ['LDM_STM', multiple],
  ['BX', (a, _pc, x, at) => (put(x, at, a.rm!, 0, 0, 0), MICRO_BX)],
  ['BXJ', (a, _pc, x, at) => (put(x, at, a.rm!, 0, 0, 0), MICRO_BX)],
  // BLX PC UNDEFs (the handler).
  ['BLX_reg', (a, _pc, x, at) => (a.rm === 15 ? MICRO_HANDLER : (put(x, at, a.rm!, 1, 0, 0), MICRO_BX))],
  ['B', (a, pc, x, at) => (put(x, at, 0, 0, (pc + 8 + ((a.imm! << 8) >> 6)) | 0, 0), MICRO_BRANCH)],
  ['BL', (a, pc, x, at) => (put(x, at, 1, 0, (pc + 8 + ((a.imm! << 8) >> 6)) | 0, 0), MICRO_BRANCH)],
  // NOP, YIELD, DBG and the reserved hints; WFE, WFI and SEV (2-4) are the handler's.
  ['HINT', (a) => (a.op! < 2 || a.op! > 4 ? MICRO_NOTHING : MICRO_HANDLER)],
  ...[...NOTHING].map((name): [string, MicroDecoder] => [name, () => MICRO_NOTHING]),
]);

/** The extends by row name: kind and whether Rn is added (the add forms' Rn = 1111 is the plain row). */
const EXTENDS: ReadonlyMap<string, number> = new Map([
  ['UXTB', EXTEND_UXTB << EXTEND_KIND_SHIFT],
  ['UXTH', EXTEND_UXTH << EXTEND_KIND_SHIFT],
  ['SXTB', EXTEND_SXTB << EXTEND_KIND_SHIFT],
  ['SXTH', EXTEND_SXTH << EXTEND_KIND_SHIFT],
  ['UXTAB', (EXTEND_UXTB << EXTEND_KIND_SHIFT) | EXTEND_ADD],
  ['UXTAH', (EXTEND_UXTH << EXTEND_KIND_SHIFT) | EXTEND_ADD],
  ['SXTAB', (EXTEND_SXTB << EXTEND_KIND_SHIFT) | EXTEND_ADD],
  ['SXTAH', (EXTEND_SXTH << EXTEND_KIND_SHIFT) | EXTEND_ADD],
]);

const UNARY: ReadonlyMap<string, number> = new Map([
  ['CLZ', UNARY_CLZ],
  ['REV', UNARY_REV],
  ['REV16', UNARY_REV16],
  ['REVSH', UNARY_REVSH],
  ['RBIT', UNARY_RBIT],
]);

/** LDREX/STREX sizes by the rows' `op` (0: word, 1: doubleword, 2: byte, 3: halfword); the doubleword forms are the handler's. */
const EXCLUSIVE_SIZES = [4, 0, 1, 2];

/** The media, multiply, coprocessor and exclusive rows with micro-ops (Rd = PC, UNDEFINED field choices: the handler). */
const MORE_DECODERS: ReadonlyMap<string, MicroDecoder> = new Map<string, MicroDecoder>([
  ...[...EXTENDS].map(([name, extend]): [string, MicroDecoder] => [
    name,
    (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, a.rn ?? 0, a.rm!, (a.rot! * 8) | extend), MICRO_EXTEND)),
  ]),
  ...[...UNARY].map(([name, op]): [string, MicroDecoder] => [name, (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, a.rm!, op, 0), MICRO_UNARY))]),
  ['MUL', (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, a.rn!, a.rm!, a.s === 1 ? MUL_S : 0), MICRO_MUL))],
  ['MLA', (a, _pc, x, at) => (a.rd === 15 ? MICRO_HANDLER : (put(x, at, a.rd!, a.rn!, a.rm!, a.ra! | MUL_ACCUMULATE | (a.s === 1 ? MUL_S : 0)), MICRO_MUL))],
  ['UMULL', (a, _pc, x, at) => longMultiply(a, x, at, 0)],
  ['UMLAL', (a, _pc, x, at) => longMultiply(a, x, at, MUL_ACCUMULATE)],
  ['SMULL', (a, _pc, x, at) => longMultiply(a, x, at, MUL_SIGNED)],
  ['SMLAL', (a, _pc, x, at) => longMultiply(a, x, at, MUL_SIGNED | MUL_ACCUMULATE)],
  // lsb + width > 32 and msb < lsb UNDEF (the handler).
  ['UBFX', (a, _pc, x, at) => extract(a, x, at, 0)],
  ['SBFX', (a, _pc, x, at) => extract(a, x, at, FIELD_SIGNED)],
  ['BFI', (a, _pc, x, at) => insert(a, a.rn!, x, at)],
  ['BFC', (a, _pc, x, at) => insert(a, -1, x, at)],
  [
    'MCR_MRC',
    (a, _pc, x, at) =>
      a.l !== 1 || a.rt === 15 || (a.cp !== 14 && a.cp !== 15)
        ? MICRO_HANDLER
        : (put(x, at, a.rt!, (a.cp === 14 ? SYSREG_CP14 : 0) | (a.opc1! << 1) | (a.crn! << 4) | (a.crm! << 8) | (a.opc2! << 12), 0, 0), MICRO_SYSREG_READ),
  ],
  ['LDREX', (a, _pc, x, at) => exclusive(a, x, at, true)],
  ['STREX', (a, _pc, x, at) => exclusive(a, x, at, false)],
]);

function longMultiply(a: Fields, x: Int32Array, at: number, flags: number): number {
  if (a.rdlo === 15 || a.rdhi === 15) return MICRO_HANDLER;
  put(x, at, a.rdlo!, a.rdhi!, a.rn! | (a.rm! << 4), flags | (a.s === 1 ? MUL_S : 0));
  return MICRO_MUL_LONG;
}

function extract(a: Fields, x: Int32Array, at: number, signed: number): number {
  if (a.lsb! + a.wm1! > 31 || a.rd === 15) return MICRO_HANDLER;
  const up = 31 - a.lsb! - a.wm1!;
  put(x, at, a.rd!, a.rn!, up, (up + a.lsb!) | signed);
  return MICRO_EXTRACT;
}

function insert(a: Fields, rn: number, x: Int32Array, at: number): number {
  if (a.msb! < a.lsb! || a.rd === 15) return MICRO_HANDLER;
  put(x, at, a.rd!, rn, a.lsb!, ((-1 >>> (31 - a.msb! + a.lsb!)) << a.lsb!) | 0);
  return MICRO_INSERT;
}

/** LDREX/STREX{B,H,} where no register choice UNDEFs (as the handlers' checks). */
function exclusive(a: Fields, x: Int32Array, at: number, isLoad: boolean): number {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  if (size === 0 || a.rn === 15 || a.rt === 15) return MICRO_HANDLER;
  if (isLoad) {
    put(x, at, a.rt!, a.rn!, 0, size);
    return MICRO_LDREX;
  }
  if (a.rd === 15 || a.rd === a.rn || a.rd === a.rt) return MICRO_HANDLER;
  put(x, at, a.rt!, a.rn!, a.rd!, size);
  return MICRO_STREX;
}

/**
 * LDRD/STRD (sh = 0: LDRD) as the handler's `dual` where no register choice is special: an odd Rt
 * UNDEFs, Rt = 14 (Rt2 = PC) and writeback to the PC branch, the T form UNDEFs, and a
 * post-indexed LDRD by register reads Rm after the loads — all the handler's.
 */
function dual(a: Fields, x: Int32Array, at: number, byRegister: boolean): number {
  const isLoad = a.sh === 0;
  if ((a.rt! & 1) !== 0 || a.rt === 14 || (byRegister && isLoad && a.p === 0)) return MICRO_HANDLER;
  const kind = byRegister ? registerOffset(a, SIZE_WORD, 0, 0, x, at) : immediateOffset(a, SIZE_WORD, extraOffset(a), x, at);
  if (kind === MICRO_HANDLER) return kind;
  return isLoad ? MICRO_LOAD_DUAL : MICRO_STORE_DUAL;
}

/**
 * LDM/STM of the current mode's registers (no S), no PC base; LDM with writeback and the base in
 * the list UNDEFs (the handler).
 */
function multiple(a: Fields, _pc: number, x: Int32Array, at: number): number {
  const list = a.list!;
  const rn = a.rn!;
  const isLoad = a.l === 1;
  if (list === 0 || rn === 15 || a.s === 1 || (isLoad && a.w === 1 && (list & (1 << rn)) !== 0)) {
    return MICRO_HANDLER;
  }
  let n = 0;
  for (let l = list; l !== 0; l &= l - 1) n++;
  const lowOff = a.u === 1 ? 0 : -4 * n;
  const startOff = a.p === a.u ? lowOff + 4 : lowOff;
  const wbOff = a.w === 1 ? (a.u === 1 ? 4 * n : -4 * n) : 0;
  put(x, at, rn | (n << 4), list, startOff, wbOff);
  return isLoad ? MICRO_LDM : MICRO_STM;
}

/** Data processing in its three operand forms, any opcode, S or not; Rd = PC is the handler's (ALUWritePC). */
function dataProcessing(name: string, a: Fields, x: Int32Array, at: number): number {
  const us = name.lastIndexOf('_');
  const form = name.slice(us + 1);
  const opcode = A32_DP_OPCODES.get(name.slice(0, us));
  if (opcode === undefined) return MICRO_HANDLER;
  const base = name.slice(0, us);
  const test = TESTS.has(base);
  const rd = test ? 0 : a.rd!;
  if (rd === 15) return MICRO_HANDLER;
  const flags = opcode | (test || a.s === 1 ? DP_S : 0) | (LOGICAL.has(base) ? DP_LOGICAL : 0) | (test ? DP_TEST : 0) | ARITH_FLAGS[opcode]!;
  // MOV and MVN have no Rn: their op ignores operand 1.
  const rn = a.rn ?? 0;
  switch (form) {
    case 'imm':
      put(x, at, rd, rn, a.imm!, flags);
      return MICRO_DP_IMM;
    case 'reg':
      put(x, at, rd, rn, a.rm!, flags | (a.ty! << DP_TYPE_SHIFT) | (a.sh! << DP_AMOUNT_SHIFT));
      return MICRO_DP_REG;
    case 'rsr':
      put(x, at, rd, rn, a.rm!, flags | (a.ty! << DP_TYPE_SHIFT) | (a.rs! << DP_AMOUNT_SHIFT));
      return MICRO_DP_RSR;
    default:
      return MICRO_HANDLER;
  }
}

/**
 * The micro-op of the instruction at `pc` of `row` with fields `a`: its operands go to `x` from
 * `at + 1` (the code array's operand words), the kind is returned (MICRO_HANDLER: run the table handler).
 */
export function decodeMicroOp(row: Encoding<Handler>, a: Fields, pc: number, x: Int32Array, at: number): number {
  const decoder = DECODERS.get(row.name) ?? MORE_DECODERS.get(row.name);
  if (decoder !== undefined) return decoder(a, pc, x, at);
  return dataProcessing(row.name, a, x, at);
}

/** Rotates an A32 modified immediate (ARMExpandImm without the carry). */
function expandImmediate(imm12: number): number {
  const rot = (imm12 >>> 7) & 0x1e;
  const b = imm12 & 0xff;
  return rot === 0 ? b : ((b >>> rot) | (b << (32 - rot))) | 0;
}

/** The opcodes MICRO_DP_SHIFTED computes (no carry in). */
const SHIFTED_OPCODES = new Set([0, 1, 2, 3, 4, 12, 13, 14, 15]);

const head = (kind: number, a: number, b: number, c: number): number => kind | (a << MICRO_A_SHIFT) | (b << MICRO_B_SHIFT) | (c << MICRO_C_SHIFT);

/**
 * The specialised form (MICRO_LDR_IMM...) of the generic micro-op `kind` whose operands are at `at`
 * in `x` (decodeMicroOp's), for the instruction at `pc`: its operand words are rewritten and the
 * head without the condition is returned; any other op's head is its kind, operands unchanged.
 * Only forms that read no PC are specialised (the loop sets R15 for the generic ones only).
 */
export function specialiseMicroOp(kind: number, pc: number, x: Int32Array, at: number): number {
  const x0 = x[at + 1]!;
  const x1 = x[at + 2]!;
  const x2 = x[at + 3]!;
  const f = x[at + 4]!;
  switch (kind) {
    case MICRO_LOAD:
    case MICRO_STORE: {
      const wordImmPre = (f & 15) === SIZE_WORD && (f & (MEM_REG | MEM_WBACK | MEM_INDEX)) === MEM_INDEX;
      if (!wordImmPre || x1 === 15 || x0 === 15) return kind;
      x[at + 1] = x2;
      return head(kind === MICRO_LOAD ? MICRO_LDR_IMM : MICRO_STR_IMM, x0, x1, 0);
    }
    case MICRO_DP_IMM: {
      const opcode = f & 15;
      const v = expandImmediate(x2);
      const s = (f & DP_S) !== 0;
      if (!s && (opcode === 13 || opcode === 15)) {
        x[at + 1] = opcode === 13 ? v : ~v;
        return head(MICRO_MOV_IMM, x0, 0, 0);
      }
      if (!s && (opcode === 4 || opcode === 2)) {
        const add = opcode === 4 ? v : -v | 0;
        if (x1 === 15) {
          // ADR: the PC is a constant here.
          x[at + 1] = (pc + 8 + add) | 0;
          return head(MICRO_MOV_IMM, x0, 0, 0);
        }
        x[at + 1] = add;
        return head(MICRO_ADD_IMM, x0, x1, 0);
      }
      if (x1 === 15) return kind;
      if (opcode === 10) {
        x[at + 1] = ~v;
        return head(MICRO_CMP_IMM, 0, x1, 0);
      }
      if (opcode === 8) {
        x[at + 1] = v;
        x[at + 2] = ((x2 >>> 7) & 0x1e) === 0 ? -1 : v >>> 31;
        return head(MICRO_TST_IMM, 0, x1, 0);
      }
      return kind;
    }
    case MICRO_DP_REG: {
      const opcode = f & 15;
      const noShift = ((f >>> DP_TYPE_SHIFT) & 3) === 0 && ((f >>> DP_AMOUNT_SHIFT) & 31) === 0;
      if (x1 === 15 || x2 === 15) return kind;
      const s = (f & DP_S) !== 0;
      if (noShift && !s && opcode === 13) return head(MICRO_MOV_REG, x0, 0, x2);
      if (noShift && !s && opcode === 4) return head(MICRO_ADD_REG, x0, x1, x2);
      if (noShift && !s && opcode === 2) return head(MICRO_SUB_REG, x0, x1, x2);
      if (noShift && opcode === 10) return head(MICRO_CMP_REG, 0, x1, x2);
      const type = (f >>> DP_TYPE_SHIFT) & 3;
      const amount = (f >>> DP_AMOUNT_SHIFT) & 31;
      // LSR #32 and RRX (amount 0) are left to the generic op.
      if (s || !SHIFTED_OPCODES.has(opcode) || (amount === 0 && (type === 1 || type === 3))) return kind;
      x[at + 1] = type;
      x[at + 2] = type === 2 && amount === 0 ? 31 : amount;
      x[at + 3] = opcode;
      return head(MICRO_DP_SHIFTED, x0, x1, x2);
    }
    default:
      return kind;
  }
}
