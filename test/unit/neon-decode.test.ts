/**
 * Advanced SIMD rows (cpu/neon.ts): GCC-assembled A32 and T32 instructions decode to the same row
 * (one definition gives both lists), with a few element-level results worked by hand; the full
 * semantics are compared with QEMU in test/integration/vfp-neon-vs-qemu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { A32_NEON_ROWS, T32_NEON_ROWS } from '../../src/emulator/cpu/neon.js';
import { RAM, assemble, execute, getD, makeFpRig, setD } from './a-profile-fp-rig.js';

const CASES: [string, string][] = [
  ['vadd.i8 q0, q1, q2', 'VADD'],
  ['vsub.i64 d0, d1, d2', 'VSUB'],
  ['vqadd.s16 d0, d1, d2', 'VQADD'],
  ['vhadd.u32 q8, q9, q10', 'VHADD'],
  ['vrhadd.s8 d3, d4, d5', 'VRHADD'],
  ['vand q0, q1, q2', 'VLOGICAL'],
  ['vbsl d0, d1, d2', 'VLOGICAL'],
  ['vcgt.s32 q0, q1, q2', 'VCGT'],
  ['vcge.u8 d0, d1, d2', 'VCGE'],
  ['vceq.i16 d0, d1, d2', 'VCEQ'],
  ['vtst.8 d0, d1, d2', 'VTST'],
  ['vshl.s32 d0, d1, d2', 'VSHL_reg'],
  ['vqrshl.u16 q0, q1, q2', 'VQRSHL'],
  ['vmax.s16 d0, d1, d2', 'VMAX'],
  ['vabd.u8 d0, d1, d2', 'VABD'],
  ['vaba.s32 q0, q1, q2', 'VABA'],
  ['vmla.i16 d0, d1, d2', 'VMLA'],
  ['vmul.p8 d0, d1, d2', 'VMUL_p8'],
  ['vpadd.i16 d0, d1, d2', 'VPADD'],
  ['vpmin.u8 d0, d1, d2', 'VPMIN'],
  ['vqdmulh.s16 d0, d1, d2', 'VQDMULH'],
  ['vqrdmulh.s32 q0, q1, q2', 'VQRDMULH'],
  ['vadd.f32 q0, q1, q2', 'VADD_f32'],
  ['vmul.f32 d0, d1, d2', 'VMUL_f32'],
  ['vfma.f32 q0, q1, q2', 'VFMA_f32'],
  ['vpadd.f32 d0, d1, d2', 'VPADD_f32'],
  ['vcgt.f32 d0, d1, d2', 'VCGT_f32'],
  ['vacge.f32 d0, d1, d2', 'VACGE_f32'],
  ['vmax.f32 d0, d1, d2', 'VMAX_f32'],
  ['vrecps.f32 q0, q1, q2', 'VRECPS'],
  ['vrsqrts.f32 d0, d1, d2', 'VRSQRTS'],
  ['vmov.i32 q0, #0x00ff0000', 'VMOV_VMVN_VORR_VBIC_imm'],
  ['vmvn.i16 d0, #0x1200', 'VMOV_VMVN_VORR_VBIC_imm'],
  ['vorr.i32 d0, #0x12', 'VMOV_VMVN_VORR_VBIC_imm'],
  ['vmov.i64 d0, #0xff00ff0000ff00ff', 'VMOV_VMVN_VORR_VBIC_imm'],
  ['vmov.f32 q0, #1.0', 'VMOV_VMVN_VORR_VBIC_imm'],
  ['vshr.s16 q0, q1, #3', 'VSHR'],
  ['vshr.u64 d0, d1, #64', 'VSHR'],
  ['vsra.u8 d0, d1, #8', 'VSRA'],
  ['vrshr.s32 d0, d1, #1', 'VRSHR'],
  ['vsri.32 d0, d1, #5', 'VSRI'],
  ['vshl.i64 q0, q1, #63', 'VSHL_imm'],
  ['vsli.16 d0, d1, #15', 'VSLI'],
  ['vqshlu.s8 d0, d1, #3', 'VQSHLU'],
  ['vqshl.u32 d0, d1, #3', 'VQSHL_imm'],
  ['vshrn.i32 d0, q1, #16', 'VSHRN'],
  ['vqrshrun.s64 d0, q1, #32', 'VQRSHRUN'],
  ['vqshrn.u16 d0, q1, #1', 'VQSHRN'],
  ['vshll.u8 q0, d1, #3', 'VSHLL_VMOVL'],
  ['vmovl.s16 q0, d1', 'VSHLL_VMOVL'],
  ['vcvt.s32.f32 q0, q1, #16', 'VCVT_fixed_f32'],
  ['vrev64.8 d0, d1', 'VREV64'],
  ['vrev16.8 q0, q1', 'VREV16'],
  ['vpaddl.u8 d0, d1', 'VPADDL'],
  ['vpadal.s16 q0, q1', 'VPADAL'],
  ['vcls.s8 d0, d1', 'VCLS'],
  ['vclz.i32 q0, q1', 'VCLZ'],
  ['vcnt.8 d0, d1', 'VCNT'],
  ['vmvn d0, d1', 'VMVN'],
  ['vqabs.s8 d0, d1', 'VQABS'],
  ['vqneg.s32 q0, q1', 'VQNEG'],
  ['vcgt.s8 d0, d1, #0', 'VCGT_zero'],
  ['vclt.f32 q0, q1, #0', 'VCLT_zero_f32'],
  ['vabs.s16 d0, d1', 'VABS'],
  ['vneg.f32 d0, d1', 'VNEG_f32'],
  ['vswp d0, d1', 'VSWP'],
  ['vtrn.16 d0, d1', 'VTRN'],
  ['vuzp.8 q0, q1', 'VUZP'],
  ['vzip.32 q0, q1', 'VZIP'],
  ['vmovn.i32 d0, q1', 'VMOVN_VQMOVN'],
  ['vqmovun.s16 d0, q1', 'VMOVN_VQMOVN'],
  ['vshll.i16 q0, d1, #16', 'VSHLL_max'],
  ['vcvt.f16.f32 d0, q1', 'VCVT_f16_f32'],
  ['vrecpe.f32 q0, q1', 'VRECPE'],
  ['vrsqrte.u32 d0, d1', 'VRSQRTE'],
  ['vcvt.f32.u32 q0, q1', 'VCVT_f32_int'],
  ['vext.8 q0, q1, q2, #3', 'VEXT'],
  ['vtbl.8 d0, {d1, d2, d3}, d4', 'VTBL_VTBX'],
  ['vtbx.8 d0, {d1}, d4', 'VTBL_VTBX'],
  ['vdup.16 q0, d1[3]', 'VDUP_scalar'],
  ['vaddl.s8 q0, d1, d2', 'VADDL'],
  ['vaddw.u16 q0, q1, d2', 'VADDW'],
  ['vraddhn.i32 d0, q1, q2', 'VADDHN'],
  ['vabdl.u8 q0, d1, d2', 'VABDL'],
  ['vmlal.s32 q0, d1, d2', 'VMLAL'],
  ['vqdmlsl.s16 q0, d1, d2', 'VQDMLSL'],
  ['vmull.u32 q0, d1, d2', 'VMULL'],
  ['vmull.p8 q0, d1, d2', 'VMULL_p8'],
  ['vmla.i32 q0, q1, d2[1]', 'VMLA_scalar'],
  ['vmul.f32 d0, d1, d2[0]', 'VMUL_scalar_f32'],
  ['vmlal.u16 q0, d1, d2[3]', 'VMLAL_scalar'],
  ['vqdmulh.s32 q0, q1, d2[1]', 'VQDMULH_scalar'],
  ['vld1.8 {d0-d3}, [r0]!', 'VLDn_VSTn_multiple'],
  ['vst1.64 {d16-d17}, [r0:128], r1', 'VLDn_VSTn_multiple'],
  ['vld2.16 {d0-d3}, [r0]', 'VLDn_VSTn_multiple'],
  ['vst3.32 {d0, d2, d4}, [r0]', 'VLDn_VSTn_multiple'],
  ['vld4.8 {d0-d3}, [r0]', 'VLDn_VSTn_multiple'],
  ['vld1.32 {d0[1]}, [r0]', 'VLDn_VSTn_single_lane'],
  ['vst4.16 {d0[2], d1[2], d2[2], d3[2]}, [r0]', 'VLDn_VSTn_single_lane'],
  ['vld1.16 {d0[], d1[]}, [r0]', 'VLDn_all_lanes'],
  ['vld3.8 {d0[], d1[], d2[]}, [r0]!', 'VLDn_all_lanes'],
];

describe.each([
  ['arm', A32_NEON_ROWS],
  ['thumb', T32_NEON_ROWS],
] as const)('NEON decode (%s)', (isa, rows) => {
  it('every instruction reaches its row', () => {
    const words = assemble(CASES.map((c) => c[0]).join('\n'), isa);
    const names = words.map((w) => rows.find((r) => (w & r.mask) === r.match)?.name ?? 'none');
    expect(names.map((n, i) => `${CASES[i]![0]} -> ${n}`)).toEqual(CASES.map((c) => `${c[0]} -> ${c[1]}`));
  });

  it('a few results worked by hand', () => {
    const rig = makeFpRig();
    const st = rig.state;
    setD(st, 2, 0x0102030405060708n);
    setD(st, 3, 0xfffefdfcfbfaf9f8n);
    st.r[0] = RAM + 0x40;
    for (let i = 0; i < 32; i++) rig.bus.write8(RAM + 0x40 + i, i);
    execute(
      rig,
      rows,
      assemble(
        `vadd.i8 d4, d2, d3
         vqadd.u8 d5, d2, d3
         vld2.8 {d6, d7}, [r0]
         vld1.32 {d8[1]}, [r0]!
         vmovl.u8 q5, d2
         vext.8 d12, d2, d3, #6
         vmov.i32 d13, #0x4500
         vrev64.16 d14, d2`,
        isa,
      ),
      isa,
    );
    expect(getD(st, 4)).toBe(0x0000000000000000n); // each byte pair sums to 0x100
    expect(getD(st, 5)).toBe(0xffffffffffffffffn); // saturated
    expect(st.fpscr >>> 27 & 1).toBe(1); // QC
    expect(getD(st, 6)).toBe(0x0e0c0a0806040200n); // even bytes
    expect(getD(st, 7)).toBe(0x0f0d0b0907050301n);
    expect(getD(st, 8)).toBe(0x0302010000000000n);
    expect(st.r[0]).toBe(RAM + 0x44);
    expect(getD(st, 10)).toBe(0x0005000600070008n);
    expect(getD(st, 11)).toBe(0x0001000200030004n);
    expect(getD(st, 12)).toBe(0xfdfcfbfaf9f80102n); // bytes 6..13 of d3:d2
    expect(getD(st, 13)).toBe(0x0000450000004500n);
    expect(getD(st, 14)).toBe(0x0708050603040102n);
  });
});
