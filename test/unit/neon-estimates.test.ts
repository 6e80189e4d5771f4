/**
 * VRECPE/VRSQRTE: every entry of the estimate tables against the ARM ARM pseudocode evaluated in
 * real (double) arithmetic — recip_estimate: 1 / ((q + 0.5) / 512) rounded to 1/256;
 * recip_sqrt_estimate: 1 / sqrt((q + 0.5) / 512 or / 256) rounded to 1/256 — where armrr
 * computes them in integers. Both the .U32 and the .F32 forms, every 9-bit table index.
 */
import { describe, expect, it } from 'vitest';
import { A32_NEON_ROWS } from '../../src/emulator/cpu/neon.js';
import { assemble, execute, makeFpRig } from './a-profile-fp-rig.js';

const recip = (q: number): number => Math.floor((1 / ((q + 0.5) / 512)) * 256 + 0.5);
const rsqrtLow = (q0: number): number => Math.floor((1 / Math.sqrt((q0 + 0.5) / 512)) * 256 + 0.5);
const rsqrtHigh = (q1: number): number => Math.floor((1 / Math.sqrt((q1 + 0.5) / 256)) * 256 + 0.5);

const assembled = new Map<string, number[]>();
/** Run one instruction on d1 (two lanes) and return d0's lanes. */
const shared = makeFpRig();
function run(insn: string, lane0: number, lane1: number): [number, number] {
  const rig = shared;
  rig.state.fpscr = 0;
  rig.state.s[2] = lane0 | 0;
  rig.state.s[3] = lane1 | 0;
  if (!assembled.has(insn)) assembled.set(insn, assemble(insn, 'arm'));
  execute(rig, A32_NEON_ROWS, assembled.get(insn)!);
  return [rig.state.s[0]! >>> 0, rig.state.s[1]! >>> 0];
}

describe('reciprocal estimates (every table entry)', () => {
  it('VRECPE.U32: q = 256..511, low bits ignored; below 2^31 saturates', () => {
    for (let q = 256; q < 512; q += 2) {
      const [a, b] = run('vrecpe.u32 d0, d1', q * 2 ** 23 + 0x12345, (q + 1) * 2 ** 23 + 0x7fffff);
      expect([a, b]).toEqual([recip(q) * 2 ** 23, recip(q + 1) * 2 ** 23]);
    }
    expect(run('vrecpe.u32 d0, d1', 0x7fffffff, 0)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('VRSQRTE.U32: both halves of the table; below 2^30 saturates', () => {
    for (let q = 128; q < 256; q++) {
      const [a, b] = run('vrsqrte.u32 d0, d1', q * 2 ** 23 + 0x4321, q * 2 ** 24 + 0xabcdef);
      expect([a, b]).toEqual([rsqrtLow(q) * 2 ** 23, rsqrtHigh(q) * 2 ** 23]);
    }
    expect(run('vrsqrte.u32 d0, d1', 0x3fffffff, 0)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('VRECPE.F32 / VRSQRTE.F32 on normals: table entry, exponent and sign', () => {
    for (let q = 256; q < 512; q++) {
      const frac = (q - 256) << 15;
      const e = 100 + (q % 50);
      const [p, n] = run('vrecpe.f32 d0, d1', (e << 23) | frac | 0x1234, 0x80000000 | (e << 23) | frac);
      const want = ((253 - e) << 23) | ((recip(q) & 0xff) << 15);
      expect([p, n]).toEqual([want >>> 0, (0x80000000 | want) >>> 0]);
    }
    for (let top = 0; top < 128; top++) {
      const frac = top << 16;
      const [even, odd] = run('vrsqrte.f32 d0, d1', (126 << 23) | frac, (127 << 23) | frac);
      // exp even: operand scaled into [0.5, 1) (q1 = 128 + top); odd: [0.25, 0.5) (q0 = 128 + top).
      expect(even).toBe((((380 - 126) >> 1) << 23) | ((rsqrtHigh(128 + top) & 0xff) << 15));
      expect(odd).toBe((((380 - 127) >> 1) << 23) | ((rsqrtLow(128 + top) & 0xff) << 15));
    }
  });

  it('special operands: zero -> Inf with DZC, Inf -> 0, NaN -> default NaN, negative rsqrt -> NaN with IOC', () => {
    expect(run('vrecpe.f32 d0, d1', 0x80000000, 0x7f800000)).toEqual([0xff800000, 0]);
    expect(run('vrsqrte.f32 d0, d1', 0xbf800000, 0x7fa00000)).toEqual([0x7fc00000, 0x7fc00000]);
    const rig = makeFpRig();
    rig.state.s[2] = 0;
    rig.state.s[3] = 0x3f800000;
    execute(rig, A32_NEON_ROWS, assemble('vrecpe.f32 d0, d1', 'arm'));
    expect(rig.state.fpscr & 0x9f).toBe(0x02);
  });
});
