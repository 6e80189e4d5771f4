/**
 * A32 data processing rows against an independent model of the ARM ARM pseudocode (DDI 0406C
 * A8.4 Shift_C, A5.2.4 ARMExpandImm_C, A2.2.1 AddWithCarry) written with BigInt here, on words
 * assembled by gcc and random operands; then the cases QEMU decides (PC destinations, exception
 * returns, should-be-zero fields).
 */
import { describe, expect, it } from 'vitest';
import { A32Rig, Rng, assembleA32, decodeA32, INSN_ADDR } from './a32-harness.js';
import type { A32Result } from './a32-harness.js';
import { CODE, V7aRig } from './v7a-rig.js';

const M32 = 0xffffffffn;
const big = (v: number): bigint => BigInt(v >>> 0);

/** Shift_C(value, type, amount, carry_in) with type 'lsl'|'lsr'|'asr'|'ror'|'rrx'. */
function refShiftC(value: number, type: string, amount: number, carryIn: number): [number, number] {
  const x = big(value);
  if (type === 'rrx') return [Number(((BigInt(carryIn) << 31n) | (x >> 1n)) & M32), Number(x & 1n)];
  if (amount === 0) return [value >>> 0, carryIn];
  const n = BigInt(amount);
  switch (type) {
    case 'lsl': {
      const ext = x << n;
      return [Number(ext & M32), Number((ext >> 32n) & 1n)];
    }
    case 'lsr':
      return [Number((x >> n) & M32), Number((x >> (n - 1n)) & 1n)];
    case 'asr': {
      const sx = BigInt.asIntN(32, x);
      return [Number(BigInt.asUintN(32, sx >> n)), Number(BigInt.asUintN(1, sx >> (n - 1n)))];
    }
    default: {
      const m = n % 32n;
      const res = m === 0n ? x : ((x >> m) | (x << (32n - m))) & M32;
      return [Number(res), Number(res >> 31n)];
    }
  }
}

/** ARMExpandImm_C(imm12, carry_in). */
function refExpandImm(imm12: number, carryIn: number): [number, number] {
  return refShiftC(imm12 & 0xff, 'ror', 2 * (imm12 >>> 8), carryIn);
}

/** AddWithCarry(x, y, carry_in) -> result, carry, overflow. */
function refAddWithCarry(x: number, y: number, carry: number): [number, number, number] {
  const unsigned = big(x) + big(y) + BigInt(carry);
  const signed = BigInt(x | 0) + BigInt(y | 0) + BigInt(carry);
  const result = unsigned & M32;
  return [Number(result), result !== unsigned ? 1 : 0, BigInt.asIntN(32, result) !== signed ? 1 : 0];
}

interface Flags {
  n: number;
  z: number;
  c: number;
  v: number;
}

const LOGICAL = new Set(['and', 'eor', 'tst', 'teq', 'orr', 'mov', 'bic', 'mvn']);
const TESTS = new Set(['tst', 'teq', 'cmp', 'cmn']);
const MOVES = new Set(['mov', 'mvn']);
const OPS = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'tst', 'teq', 'cmp', 'cmn', 'orr', 'mov', 'bic', 'mvn'];

/** Result and flags of an opcode on (Rn, operand2, shifter carry) with the ARM ARM's rules. */
function refOp(op: string, n: number, op2: number, shCarry: number, f: Flags): [number, Flags] {
  const NOT = (v: number): number => ~v >>> 0;
  let r: number;
  let c = f.c;
  let v = f.v;
  switch (op) {
    case 'and':
    case 'tst':
      r = (n & op2) >>> 0;
      break;
    case 'eor':
    case 'teq':
      r = (n ^ op2) >>> 0;
      break;
    case 'orr':
      r = (n | op2) >>> 0;
      break;
    case 'bic':
      r = (n & NOT(op2)) >>> 0;
      break;
    case 'mov':
      r = op2 >>> 0;
      break;
    case 'mvn':
      r = NOT(op2);
      break;
    case 'add':
    case 'cmn':
      [r, c, v] = refAddWithCarry(n, op2, 0);
      break;
    case 'adc':
      [r, c, v] = refAddWithCarry(n, op2, f.c);
      break;
    case 'sub':
    case 'cmp':
      [r, c, v] = refAddWithCarry(n, NOT(op2), 1);
      break;
    case 'sbc':
      [r, c, v] = refAddWithCarry(n, NOT(op2), f.c);
      break;
    case 'rsb':
      [r, c, v] = refAddWithCarry(NOT(n), op2, 1);
      break;
    default: // rsc
      [r, c, v] = refAddWithCarry(NOT(n), op2, f.c);
  }
  if (LOGICAL.has(op)) c = shCarry;
  return [r, { n: r >>> 31, z: r === 0 ? 1 : 0, c, v }];
}

/** Operand 2 as written in assembly and how the model computes it. */
interface Operand2 {
  text: string;
  /** Computes [value, carry] from registers, flags and the assembled word. */
  eval(regs: number[], carry: number, word: number): [number, number];
}

const IMMEDIATES = [0, 1, 0xff, 0x3fc, 0x104, 0xff000000, 0x80000000, 0xf000000f, 0x0ff00000, 0xc0000034];
const SHIFTED_IMM: [string, number][] = [
  ['lsl', 0], ['lsl', 1], ['lsl', 31], ['lsr', 1], ['lsr', 31], ['lsr', 32],
  ['asr', 1], ['asr', 31], ['asr', 32], ['ror', 1], ['ror', 31], ['rrx', 1],
];

function operands(): Operand2[] {
  const out: Operand2[] = [];
  for (const imm of IMMEDIATES) {
    out.push({ text: `#0x${imm.toString(16)}`, eval: (_r, carry, word) => refExpandImm(word & 0xfff, carry) });
  }
  for (const [type, amount] of SHIFTED_IMM) {
    const text = type === 'rrx' ? 'r1, rrx' : type === 'lsl' && amount === 0 ? 'r1' : `r1, ${type} #${amount}`;
    out.push({ text, eval: (r, carry) => refShiftC(r[1]!, type, amount, carry) });
  }
  for (const type of ['lsl', 'lsr', 'asr', 'ror']) {
    out.push({ text: `r1, ${type} r3`, eval: (r, carry) => refShiftC(r[1]!, type, r[3]! & 0xff, carry) });
  }
  return out;
}

interface Case {
  op: string;
  s: boolean;
  operand: Operand2;
  text: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const op of OPS) {
    for (const operand of operands()) {
      for (const s of TESTS.has(op) ? [true] : [false, true]) {
        const mn = `${op}${s && !TESTS.has(op) ? 's' : ''}`;
        const text = TESTS.has(op) ? `${mn} r0, ${operand.text}` : MOVES.has(op) ? `${mn} r2, ${operand.text}` : `${mn} r2, r0, ${operand.text}`;
        out.push({ op, s, operand, text });
      }
    }
  }
  return out;
}

/** r3 (the shift register) often holds the interesting amounts: 0, 31, 32, 33, >255 (only the low byte counts). */
function randomRegs(rng: Rng): number[] {
  const regs = Array.from({ length: 15 }, () => rng.word());
  const AMOUNTS = [0, 1, 31, 32, 33, 64, 255, 0x100, 0x120, 0xffffff1f];
  if (rng.int(2) === 0) regs[3] = AMOUNTS[rng.int(AMOUNTS.length)]!;
  return regs;
}

describe('A32 data processing vs the ARM ARM pseudocode', () => {
  const all = cases();
  const words = assembleA32(all.map((c) => c.text));

  it('decodes every assembled data-processing word to the row of its opcode', () => {
    const wrong = all
      .map((c, i) => ({ text: c.text, row: decodeA32(words[i]!)?.name ?? 'none' }))
      .filter(({ text, row }) => !row.startsWith(text.split(' ')[0]!.replace(/s$/, '').toUpperCase()));
    expect(wrong).toEqual([]);
  });

  it('matches the model on every opcode x operand form x S with random operands and flags', () => {
    const rng = new Rng(0xa32d);
    const rig = new A32Rig();
    const failures: string[] = [];
    all.forEach((cs, i) => {
      const word = words[i]!;
      for (let k = 0; k < 40; k++) {
        const regs = randomRegs(rng);
        const apsr = (rng.next() & 0xf8000000) >>> 0;
        const f: Flags = { n: apsr >>> 31, z: (apsr >>> 30) & 1, c: (apsr >>> 29) & 1, v: (apsr >>> 28) & 1 };
        const [op2, shCarry] = cs.operand.eval(regs, f.c, word);
        const [res, nf] = refOp(cs.op, regs[0]!, op2, shCarry, f);
        const want = regs.map((v) => v >>> 0);
        if (!TESTS.has(cs.op)) want[2] = res;
        const flags = cs.s ? nf : f;
        const got = rig.run(word, regs, apsr);
        const exp = { r: [...want, INSN_ADDR + 4], n: flags.n, z: flags.z, c: flags.c, v: flags.v };
        const act = { r: got.r, n: got.n, z: got.z, c: got.c, v: got.v };
        if (JSON.stringify(exp) !== JSON.stringify(act) && failures.length < 10) {
          failures.push(`${cs.text} regs=${regs.map((v) => (v >>> 0).toString(16))} apsr=${apsr.toString(16)}: want ${JSON.stringify(exp)} got ${JSON.stringify(act)}`);
        }
      }
    });
    expect(failures).toEqual([]);
  });
});

describe('A32 data processing: shifter carry edge cases', () => {
  const rig = new A32Rig();
  const [lsl32, lsl33, lsr32, asr40, ror32, rorByte0, rrx, movsImm, movsImm0] = assembleA32([
    'movs r2, r1, lsl r3',
    'movs r2, r1, lsl r3',
    'movs r2, r1, lsr r3',
    'movs r2, r1, asr r3',
    'movs r2, r1, ror r3',
    'movs r2, r1, ror r3',
    'movs r2, r1, rrx',
    'movs r2, #0x80000000',
    'movs r2, #0x7f',
  ]);
  const C = 0x20000000;
  it('LSL by 32 carries out bit 0 and gives 0; by 33 gives carry 0', () => {
    const r = rig.run(lsl32!, [0, 1, 0xaa, 32]);
    expect(r.r[2]).toBe(0);
    expect(r).toMatchObject({ c: 1, z: 1 });
    expect(rig.run(lsl33!, [0, 0xffffffff, 0, 33], C)).toMatchObject({ c: 0, z: 1 });
  });
  it('LSR by 32 carries out bit 31; ASR by 40 fills with the sign and carries it', () => {
    expect(rig.run(lsr32!, [0, 0x80000000, 0, 32])).toMatchObject({ c: 1, z: 1 });
    const r = rig.run(asr40!, [0, 0x80000001, 0, 40]);
    expect(r.r[2]).toBe(0xffffffff);
    expect(r).toMatchObject({ c: 1, n: 1 });
  });
  it('ROR by 32 keeps the value and carries bit 31; a zero low byte keeps C', () => {
    const r = rig.run(ror32!, [0, 0x80000001, 0, 32]);
    expect(r.r[2]).toBe(0x80000001);
    expect(r.c).toBe(1);
    const k = rig.run(rorByte0!, [0, 0x12345678, 0, 0x100], C);
    expect(k.r[2]).toBe(0x12345678);
    expect(k.c).toBe(1);
  });
  it('RRX shifts C into bit 31 and bit 0 out', () => {
    const r = rig.run(rrx!, [0, 0x00000003, 0, 0], C);
    expect(r.r[2]).toBe(0x80000001);
    expect(r).toMatchObject({ c: 1, n: 1 });
  });
  it('a rotated immediate sets C from its bit 31; an unrotated one keeps C', () => {
    expect(rig.run(movsImm!, [], 0)).toMatchObject({ c: 1, n: 1 });
    expect(rig.run(movsImm0!, [], C)).toMatchObject({ c: 1, n: 0 });
    expect(rig.run(movsImm0!, [], 0)).toMatchObject({ c: 0 });
  });
});

describe('A32 data processing: PC, exception returns and QEMU decode choices', () => {
  const rig = new A32Rig();
  const [addPc, addsPc, subsPcLr, movsPcLr, movsPcLsl, movPc, adrLike, tst, mov, movw, movt, moveq] = assembleA32([
    'add pc, r0, r1',
    'adds pc, r0, r1',
    'subs pc, lr, #4',
    'movs pc, lr',
    'movs pc, r1, lsl #2',
    'mov pc, r1',
    'add r2, pc, #16',
    'tst r0, r1',
    'mov r2, r1',
    'movw r2, #0xbeef',
    'movt r2, #0xdead',
    'moveq r2, r1',
  ]);
  it('Rd = PC without S is ALUWritePC (interworking in A32)', () => {
    const r = rig.run(addPc!, [0x100, 0x201]);
    expect(r.event).toBe('alu-write-pc');
    expect(r.target).toBe(0x301);
    expect(rig.run(movPc!, [0, 0x4000]).target).toBe(0x4000);
  });
  it('SUBS PC, LR, #4 and MOVS PC (every MOV form) are exception returns without flags', () => {
    const lr = [] as number[];
    lr[14] = 0x8004;
    const r = rig.run(subsPcLr!, lr, 0x40000000);
    expect(r).toMatchObject({ event: 'exception-return', target: 0x8000, z: 1, n: 0, c: 0 });
    expect(rig.run(movsPcLr!, lr)).toMatchObject({ event: 'exception-return', target: 0x8004, z: 0 });
    expect(rig.run(movsPcLsl!, [0, 0x100])).toMatchObject({ event: 'exception-return', target: 0x400 });
  });
  it('other opcodes with S and Rd = PC set the flags and branch (QEMU: only SUBS/MOVS return)', () => {
    const r = rig.run(addsPc!, [0x80000000, 0x80000000]);
    expect(r).toMatchObject({ event: 'alu-write-pc', target: 0, z: 1, c: 1, v: 1 });
  });
  it('PC as Rn reads as the instruction + 8 (ADR)', () => {
    expect(rig.run(adrLike!, []).r[2]).toBe(INSN_ADDR + 8 + 16);
  });
  it('TST with Rd != 0000 and MOV with Rn != 0000 are UNDEFINED, as QEMU decodes them', () => {
    expect(rig.run(tst!, []).event).toBe('');
    expect(rig.run(tst! | (5 << 12), []).event).toBe('undef');
    expect(rig.run(mov!, [0, 7]).r[2]).toBe(7);
    expect(rig.run(mov! | (3 << 16), [0, 7]).event).toBe('undef');
  });
  it('MOVW writes the 16-bit immediate, MOVT the top half keeping the bottom', () => {
    expect(rig.run(movw!, [0, 0, 0xffffffff]).r[2]).toBe(0xbeef);
    expect(rig.run(movt!, [0, 0, 0x12345678]).r[2]).toBe(0xdead5678);
  });
  it('a failed condition leaves everything alone', () => {
    const r: A32Result = rig.run(moveq!, [0, 7, 9], 0);
    expect(r.r[2]).toBe(9);
    expect(rig.run(moveq!, [0, 7, 9], 0x40000000).r[2]).toBe(7);
  });
});

describe('A32 SUBS PC, LR on the A-profile core', () => {
  const subsPcLr4 = 0xe25ef004; // subs pc, lr, #4
  it('returns: CPSR = SPSR (mode, flags), PC = LR - 4', () => {
    const rig = new V7aRig();
    rig.a32(CODE, subsPcLr4);
    rig.state.setSpsr(0x80000010); // User mode, N set, A32
    rig.state.r[14] = CODE + 0x104;
    rig.run(1);
    expect([rig.pc, (rig.cpsr() & 0xf800001f) >>> 0]).toEqual([CODE + 0x100, 0x80000010]);
  });
  it('is UNDEFINED in User mode (UNPREDICTABLE; QEMU chooses UNDEF)', () => {
    const rig = new V7aRig();
    rig.a32(CODE, subsPcLr4);
    rig.state.setCpsr(0x10, 0x1f);
    rig.state.r[14] = CODE + 0x104;
    rig.run(1);
    expect(rig.cpsr() & 0x1f).toBe(0x1b);
    expect(rig.state.r[14]! >>> 0).toBe(CODE + 4);
  });
});
