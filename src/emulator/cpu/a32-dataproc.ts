/**
 * A32 data processing (ARM DDI 0406C A5.2.1-A5.2.3, A5.2.10-A5.2.12): the sixteen opcodes with a
 * modified immediate, a register shifted by an immediate and a register shifted by a register,
 * plus MOVW/MOVT. Bits 31:28 (cond) are left to the A32 loop, which checks the condition first.
 *
 * Where the ARM ARM leaves a case UNPREDICTABLE these rows do what QEMU 7.2 does (target/arm
 * a32.decode + translate.c):
 * - TST/TEQ/CMP/CMN need Rd = 0000 and MOV/MVN need Rn = 0000; other values decode as UNDEFINED.
 * - Only SUBS and MOVS (every MOV form: LSL/LSR/ASR/ROR/RRX by immediate or register) with Rd = PC
 *   are exception returns (Cpu.returnFromException: CPSR <- SPSR, no flags). The other opcodes with
 *   S and Rd = PC set the flags and branch like their non-S forms (ALUWritePC: interworking).
 * - PC as an operand of the register-shifted-register forms reads as the instruction + 8.
 * ADR is ADD/SUB (immediate) with Rn = PC: the PC reads as the instruction + 8, already word
 * aligned, so it needs no row of its own.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';
import { armExpandImmC, immShiftC, shiftC } from './alu.js';
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
  opRsc,
  opSbc,
  opSub,
  opTeq,
  opTst,
} from './dataproc.js';
import type { DpOp } from './dataproc.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/**
 * A result written to Rd by the A32 multiply and media instructions. Rd = PC is UNPREDICTABLE
 * there; QEMU's store_reg then branches to the value with bits 1:0 cleared (no interworking).
 */
export function writeA32Reg(c: Cpu, d: number, v: number): void {
  if (d === 15) c.branchTo(v & ~3);
  else c.r[d] = v;
}

/** How an opcode uses its operands: Rd = Rn OP op2, a flag-only test, or Rd = OP op2. */
const KIND_BINARY = 0;
const KIND_TEST = 1;
const KIND_MOVE = 2;

interface A32DpOp {
  /** Bits 24:21. */
  readonly op: number;
  readonly name: string;
  readonly exec: DpOp;
  readonly kind: number;
  /** S with Rd = PC is an exception return (SUBS PC, LR, #imm; MOVS PC, LR). */
  readonly exceptionReturn?: boolean;
}

const A32_DP_OPS: readonly A32DpOp[] = [
  { op: 0b0000, name: 'AND', exec: opAnd, kind: KIND_BINARY },
  { op: 0b0001, name: 'EOR', exec: opEor, kind: KIND_BINARY },
  { op: 0b0010, name: 'SUB', exec: opSub, kind: KIND_BINARY, exceptionReturn: true },
  { op: 0b0011, name: 'RSB', exec: opRsb, kind: KIND_BINARY },
  { op: 0b0100, name: 'ADD', exec: opAdd, kind: KIND_BINARY },
  { op: 0b0101, name: 'ADC', exec: opAdc, kind: KIND_BINARY },
  { op: 0b0110, name: 'SBC', exec: opSbc, kind: KIND_BINARY },
  { op: 0b0111, name: 'RSC', exec: opRsc, kind: KIND_BINARY },
  { op: 0b1000, name: 'TST', exec: opTst, kind: KIND_TEST },
  { op: 0b1001, name: 'TEQ', exec: opTeq, kind: KIND_TEST },
  { op: 0b1010, name: 'CMP', exec: opCmp, kind: KIND_TEST },
  { op: 0b1011, name: 'CMN', exec: opCmn, kind: KIND_TEST },
  { op: 0b1100, name: 'ORR', exec: opOrr, kind: KIND_BINARY },
  { op: 0b1101, name: 'MOV', exec: opMov, kind: KIND_MOVE, exceptionReturn: true },
  { op: 0b1110, name: 'BIC', exec: opBic, kind: KIND_BINARY },
  { op: 0b1111, name: 'MVN', exec: opMvn, kind: KIND_MOVE },
];

/** Opcode (bits 24:21) by mnemonic, for decoders keyed by row name (the lukewarm tier's micro-ops). */
export const A32_DP_OPCODES: ReadonlyMap<string, number> = new Map(A32_DP_OPS.map((spec) => [spec.name, spec.op]));

/**
 * ALUExceptionReturn: the result (no flags) becomes the PC and CPSR gets SPSR. The core decides
 * the UNPREDICTABLE User-mode case (QEMU: UNDEFINED).
 */
function exceptionReturn(c: Cpu, v: number): void {
  c.returnFromException(v);
}

/** The three operand-2 forms. */
interface OperandForm {
  readonly suffix: string;
  /** Bits 27:25. */
  readonly head: string;
  /** Bits 11:0. */
  readonly tail: string;
}
const IMMEDIATE: OperandForm = { suffix: 'imm', head: '001', tail: 'imm:12' };
const SHIFTED_IMM: OperandForm = { suffix: 'reg', head: '000', tail: 'sh:5 ty:2 0 rm:4' };
const SHIFTED_REG: OperandForm = { suffix: 'rsr', head: '000', tail: 'rs:4 0 ty:2 1 rm:4' };

// Operand 2 of each form; each sets `shifter.carry` for the logical opcodes.
const op2Immediate = (c: Cpu, imm: number): number => armExpandImmC(imm, c.state.CF);
const op2ShiftedImm = (c: Cpu, sh: number, ty: number, rm: number): number => immShiftC(c.r[rm]!, ty, sh, c.state.CF);
const op2ShiftedReg = (c: Cpu, rs: number, ty: number, rm: number): number =>
  shiftC(c.r[rm]!, ty, c.r[rs]! & 0xff, c.state.CF);

/** Handler of one opcode in one operand form; `s` is a field except for the tests (always 1). */
function handlerFor(spec: A32DpOp, form: OperandForm): Handler {
  const exec = spec.exec;
  const test = spec.kind === KIND_TEST;
  const move = spec.kind === KIND_MOVE;
  if (form === IMMEDIATE) {
    if (test) return (c, a) => exec(c, 0, c.r[a.rn]!, op2Immediate(c, a.imm), 1);
    if (move) return (c, a) => exec(c, a.rd, 0, op2Immediate(c, a.imm), a.s);
    return (c, a) => exec(c, a.rd, c.r[a.rn]!, op2Immediate(c, a.imm), a.s);
  }
  if (form === SHIFTED_IMM) {
    if (test) return (c, a) => exec(c, 0, c.r[a.rn]!, op2ShiftedImm(c, a.sh, a.ty, a.rm), 1);
    if (move) return (c, a) => exec(c, a.rd, 0, op2ShiftedImm(c, a.sh, a.ty, a.rm), a.s);
    return (c, a) => exec(c, a.rd, c.r[a.rn]!, op2ShiftedImm(c, a.sh, a.ty, a.rm), a.s);
  }
  if (test) return (c, a) => exec(c, 0, c.r[a.rn]!, op2ShiftedReg(c, a.rs, a.ty, a.rm), 1);
  if (move) return (c, a) => exec(c, a.rd, 0, op2ShiftedReg(c, a.rs, a.ty, a.rm), a.s);
  return (c, a) => exec(c, a.rd, c.r[a.rn]!, op2ShiftedReg(c, a.rs, a.ty, a.rm), a.s);
}

/** SUBS/MOVS with Rd = PC: the same operand, no flags, then the exception return. */
function exceptionReturnHandlerFor(spec: A32DpOp, form: OperandForm): Handler {
  if (spec.kind === KIND_MOVE) {
    if (form === IMMEDIATE) return (c, a) => exceptionReturn(c, op2Immediate(c, a.imm));
    if (form === SHIFTED_IMM) return (c, a) => exceptionReturn(c, op2ShiftedImm(c, a.sh, a.ty, a.rm));
    return (c, a) => exceptionReturn(c, op2ShiftedReg(c, a.rs, a.ty, a.rm));
  }
  // SUBS PC, Rn, <operand2>
  if (form === IMMEDIATE) return (c, a) => exceptionReturn(c, (c.r[a.rn]! - op2Immediate(c, a.imm)) | 0);
  if (form === SHIFTED_IMM) return (c, a) => exceptionReturn(c, (c.r[a.rn]! - op2ShiftedImm(c, a.sh, a.ty, a.rm)) | 0);
  return (c, a) => exceptionReturn(c, (c.r[a.rn]! - op2ShiftedReg(c, a.rs, a.ty, a.rm)) | 0);
}

const bin4 = (n: number): string => n.toString(2).padStart(4, '0');

function dataProcessingRows(form: OperandForm): Row[] {
  const rows: Row[] = [];
  for (const spec of A32_DP_OPS) {
    const op = `${form.head} ${bin4(spec.op)}`;
    const name = `${spec.name}_${form.suffix}`;
    switch (spec.kind) {
      case KIND_TEST:
        rows.push(a32(name, `---- ${op} 1 rn:4 0000 ${form.tail}`, handlerFor(spec, form)));
        break;
      case KIND_MOVE:
        if (spec.exceptionReturn) {
          rows.push(a32(`${spec.name}S_pc_${form.suffix}`, `---- ${op} 1 0000 1111 ${form.tail}`, exceptionReturnHandlerFor(spec, form)));
        }
        rows.push(a32(name, `---- ${op} s:1 0000 rd:4 ${form.tail}`, handlerFor(spec, form)));
        break;
      default:
        if (spec.exceptionReturn) {
          rows.push(a32(`${spec.name}S_pc_${form.suffix}`, `---- ${op} 1 rn:4 1111 ${form.tail}`, exceptionReturnHandlerFor(spec, form)));
        }
        rows.push(a32(name, `---- ${op} s:1 rn:4 rd:4 ${form.tail}`, handlerFor(spec, form)));
    }
  }
  return rows;
}

export const A32_DATAPROC_ROWS: readonly Row[] = [
  ...dataProcessingRows(SHIFTED_IMM),
  ...dataProcessingRows(SHIFTED_REG),
  ...dataProcessingRows(IMMEDIATE),
  // 16-bit immediate moves (A5.2.3 op 10000 / 10100); Rd = PC branches as QEMU's store_reg does.
  a32('MOVW', '---- 0011 0000 imm:4 rd:4 imm:12', (c, a) => writeA32Reg(c, a.rd, a.imm)),
  a32('MOVT', '---- 0011 0100 imm:4 rd:4 imm:12', (c, a) => writeA32Reg(c, a.rd, (c.r[a.rd]! & 0xffff) | (a.imm << 16))),
];
