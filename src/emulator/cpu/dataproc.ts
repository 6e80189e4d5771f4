/**
 * Data-processing semantics shared by every encoding (T16, T32 immediate, T32 shifted register):
 * `op(c, d, a, b, s)` computes Rd = a OP b and, when `s` is 1, sets flags. Logical operations take
 * their carry from `shifter.carry`, which the operand producer (shift or ThumbExpandImm) just set.
 * Writing Rd = 15 goes through ALUWritePC: a plain branch in Thumb state (as QEMU does for these
 * encodings), an interworking branch in A32 state (the A-profile core's override).
 */
import type { Cpu } from './cpu.js';
import { addWithCarryFlags, shifter } from './alu.js';

export type DpOp = (c: Cpu, d: number, a: number, b: number, s: number) => void;

function writeRd(c: Cpu, d: number, v: number): void {
  if (d === 15) c.aluWritePc(v);
  else c.setReg(d, v);
}

function logical(c: Cpu, d: number, res: number, s: number): void {
  if (s !== 0) {
    const st = c.state;
    st.NF = res;
    st.ZF = res;
    st.CF = shifter.carry;
  }
  writeRd(c, d, res);
}

export const opAnd: DpOp = (c, d, a, b, s) => logical(c, d, a & b, s);
export const opBic: DpOp = (c, d, a, b, s) => logical(c, d, a & ~b, s);
export const opOrr: DpOp = (c, d, a, b, s) => logical(c, d, a | b, s);
export const opOrn: DpOp = (c, d, a, b, s) => logical(c, d, a | ~b, s);
export const opEor: DpOp = (c, d, a, b, s) => logical(c, d, a ^ b, s);
export const opMov: DpOp = (c, d, _a, b, s) => logical(c, d, b | 0, s);
export const opMvn: DpOp = (c, d, _a, b, s) => logical(c, d, ~b, s);

export const opTst: DpOp = (c, _d, a, b) => {
  const st = c.state;
  const res = a & b;
  st.NF = res;
  st.ZF = res;
  st.CF = shifter.carry;
};
export const opTeq: DpOp = (c, _d, a, b) => {
  const st = c.state;
  const res = a ^ b;
  st.NF = res;
  st.ZF = res;
  st.CF = shifter.carry;
};

export const opAdd: DpOp = (c, d, a, b, s) =>
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, a, b, 0) : (a + b) | 0);
export const opAdc: DpOp = (c, d, a, b, s) => {
  const cin = c.state.CF;
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, a, b, cin) : (a + b + cin) | 0);
};
export const opSub: DpOp = (c, d, a, b, s) =>
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, a, ~b, 1) : (a - b) | 0);
export const opSbc: DpOp = (c, d, a, b, s) => {
  const cin = c.state.CF;
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, a, ~b, cin) : (a + ~b + cin) | 0);
};
/** RSC (A32 only): Rd = b - a - NOT(C). */
export const opRsc: DpOp = (c, d, a, b, s) => {
  const cin = c.state.CF;
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, b, ~a, cin) : (b + ~a + cin) | 0);
};
export const opRsb: DpOp = (c, d, a, b, s) =>
  writeRd(c, d, s !== 0 ? addWithCarryFlags(c.state, b, ~a, 1) : (b - a) | 0);
export const opCmp: DpOp = (c, _d, a, b) => {
  addWithCarryFlags(c.state, a, ~b, 1);
};
export const opCmn: DpOp = (c, _d, a, b) => {
  addWithCarryFlags(c.state, a, b, 0);
};

/**
 * The T32 data-processing opcode space (bits 24:21 of the first halfword). `test` is the variant
 * used when Rd = 1111 and S = 1, `move` the one used when Rn = 1111. Opcodes missing here are
 * UNDEFINED on Cortex-M3 (PKHBT/PKHTB need the DSP extension).
 */
export interface DpOpSpec {
  op: number;
  name: string;
  exec: DpOp;
  logical: boolean;
  test?: { name: string; exec: DpOp };
  move?: { name: string; exec: DpOp };
}

export const T32_DP_OPS: readonly DpOpSpec[] = [
  { op: 0b0000, name: 'AND', exec: opAnd, logical: true, test: { name: 'TST', exec: opTst } },
  { op: 0b0001, name: 'BIC', exec: opBic, logical: true },
  { op: 0b0010, name: 'ORR', exec: opOrr, logical: true, move: { name: 'MOV', exec: opMov } },
  { op: 0b0011, name: 'ORN', exec: opOrn, logical: true, move: { name: 'MVN', exec: opMvn } },
  { op: 0b0100, name: 'EOR', exec: opEor, logical: true, test: { name: 'TEQ', exec: opTeq } },
  { op: 0b1000, name: 'ADD', exec: opAdd, logical: false, test: { name: 'CMN', exec: opCmn } },
  { op: 0b1010, name: 'ADC', exec: opAdc, logical: false },
  { op: 0b1011, name: 'SBC', exec: opSbc, logical: false },
  { op: 0b1101, name: 'SUB', exec: opSub, logical: false, test: { name: 'CMP', exec: opCmp } },
  { op: 0b1110, name: 'RSB', exec: opRsb, logical: false },
];
