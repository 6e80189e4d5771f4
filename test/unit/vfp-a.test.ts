/**
 * VFPv4-D32 rows (cpu/vfp-a.ts) on code assembled by GCC for a Cortex-A15, in A32 and T32: both
 * row lists decode the same instructions to the same rows, double-precision arithmetic matches
 * the host's IEEE doubles (round to nearest), register numbering reaches d16-d31, and the QEMU
 * choices named in the file comment hold (FPSCR mask, short vectors UNDEFINED, FPEXC EN only).
 */
import { describe, expect, it } from 'vitest';
import { A32_VFP_ROWS, T32_VFP_A_ROWS } from '../../src/emulator/cpu/vfp-a.js';
import { RAM, assemble, bitsOfDouble, doubleOfBits, execute, getD, makeFpRig, setD } from './a-profile-fp-rig.js';

const ISAS = [
  ['arm', A32_VFP_ROWS],
  ['thumb', T32_VFP_A_ROWS],
] as const;

let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed;
};
const randomDouble = (): number => {
  const b = (BigInt(rnd()) << 32n) | BigInt(rnd());
  const v = doubleOfBits(b & ~(0x7ffn << 52n) | (BigInt(1023 - 30 + (rnd() % 60)) << 52n));
  return v;
};

describe.each(ISAS)('VFP double precision (%s)', (isa, rows) => {
  it('decodes every instruction to its row', () => {
    const words = assemble(
      `vadd.f64 d1, d2, d3
       vsub.f64 d17, d18, d19
       vmul.f32 s1, s2, s3
       vnmul.f64 d31, d30, d29
       vdiv.f64 d0, d16, d31
       vmla.f64 d4, d5, d6
       vmls.f32 s4, s5, s6
       vnmla.f64 d4, d5, d6
       vnmls.f64 d4, d5, d6
       vfma.f64 d4, d5, d6
       vfms.f64 d4, d5, d6
       vfnma.f64 d4, d5, d6
       vfnms.f64 d4, d5, d6
       vmov.f64 d20, #-1.5
       vmov.f64 d20, d21
       vabs.f64 d20, d21
       vneg.f64 d20, d21
       vsqrt.f64 d20, d21
       vcmp.f64 d20, d21
       vcmpe.f64 d20, #0
       vcvt.f64.f32 d20, s3
       vcvt.f32.f64 s3, d20
       vcvt.f64.s32 d20, s3
       vcvt.u32.f64 s3, d20
       vcvtr.s32.f64 s3, d20
       vcvt.s32.f64 d20, d20, #16
       vcvtb.f16.f32 s1, s2
       vcvtt.f32.f16 s1, s2
       vmov r0, s5
       vmov s5, r0
       vmov r0, r1, d17
       vmov d17, r0, r1
       vmov r0, r1, s3, s4
       vmov.32 d17[1], r2
       vmov.u8 r2, d17[7]
       vmov.s16 r2, d17[3]
       vdup.16 q8, r3
       vmrs r0, fpscr
       vmsr fpscr, r0
       vmrs APSR_nzcv, fpscr
       vldr d17, [r0, #8]
       vstr s3, [r0, #-8]
       vldmia r0!, {d16-d19}
       vstmdb r0!, {s2-s5}
       vpush {d8-d15}
       vpop {d16-d17}`,
      isa,
    );
    const rig = makeFpRig();
    void rig;
    const names = words.map((w) => rows.find((r) => (w & r.mask) === r.match)?.name ?? 'none');
    expect(names).toEqual([
      'VADD', 'VSUB', 'VMUL', 'VNMUL', 'VDIV', 'VMLA', 'VMLS', 'VNMLA', 'VNMLS', 'VFMA', 'VFMS', 'VFNMA', 'VFNMS',
      'VMOV_imm', 'VMOV_reg', 'VABS', 'VNEG', 'VSQRT', 'VCMP', 'VCMP_zero', 'VCVT_f64_f32', 'VCVT_f64_f32',
      'VCVT_from_int', 'VCVT_to_int', 'VCVT_to_int', 'VCVT_fixed', 'VCVTBT_to_f16', 'VCVTBT_from_f16',
      'VMOV_core_single', 'VMOV_core_single', 'VMOV_doubleword', 'VMOV_doubleword', 'VMOV_two_singles',
      'VMOV_core_scalar', 'VMOV_core_scalar', 'VMOV_core_scalar', 'VDUP_core', 'VMRS_VMSR', 'VMRS_VMSR', 'VMRS_VMSR',
      'VLDR_VSTR', 'VLDR_VSTR', 'VLDM_VSTM_IA', 'VLDM_VSTM_DB', 'VLDM_VSTM_DB', 'VLDM_VSTM_IA',
    ]);
  });

  it('arithmetic on d16-d31 matches host doubles (round to nearest)', () => {
    const words = assemble(
      `vadd.f64 d20, d16, d17
       vsub.f64 d21, d16, d17
       vmul.f64 d22, d16, d17
       vdiv.f64 d23, d16, d17
       vsqrt.f64 d24, d16
       vnmul.f64 d25, d16, d17
       vmov.f64 d26, d18
       vmla.f64 d26, d16, d17
       vmov.f64 d27, d18
       vfma.f64 d27, d16, d17`,
      isa,
    );
    for (let i = 0; i < 200; i++) {
      const rig = makeFpRig();
      const a = Math.abs(randomDouble());
      const b = randomDouble();
      const c = randomDouble();
      setD(rig.state, 16, bitsOfDouble(a));
      setD(rig.state, 17, bitsOfDouble(b));
      setD(rig.state, 18, bitsOfDouble(c));
      execute(rig, rows, words, isa);
      const st = rig.state;
      expect(doubleOfBits(getD(st, 20))).toBe(a + b);
      expect(doubleOfBits(getD(st, 21))).toBe(a - b);
      expect(doubleOfBits(getD(st, 22))).toBe(a * b);
      expect(doubleOfBits(getD(st, 23))).toBe(a / b);
      expect(doubleOfBits(getD(st, 24))).toBe(Math.sqrt(a));
      expect(doubleOfBits(getD(st, 25))).toBe(-(a * b));
      expect(doubleOfBits(getD(st, 26))).toBe(c + a * b); // unfused: the host rounds twice too
    }
  });

  it('VFMA rounds once: (1 + 2^-52)^2 - (1 + 2^-51) = 2^-104 exactly', () => {
    const rig = makeFpRig();
    setD(rig.state, 1, 0x3ff0000000000001n);
    setD(rig.state, 0, 0xbff0000000000002n);
    setD(rig.state, 2, 0xbff0000000000002n);
    execute(rig, rows, assemble('vfma.f64 d0, d1, d1\nvmla.f64 d2, d1, d1', isa), isa);
    expect(getD(rig.state, 0)).toBe(BigInt(1023 - 104) << 52n);
    expect(getD(rig.state, 2)).toBe(0n); // the product rounds to 1 + 2^-51 first
  });

  it('conversions: f32<->f64, to/from integers and fixed point, VMOV immediate', () => {
    const rig = makeFpRig();
    const st = rig.state;
    st.s[3] = 0x3fc00000; // 1.5f
    st.s[4] = -7;
    setD(st, 20, bitsOfDouble(-2.75));
    setD(st, 21, bitsOfDouble(3.25));
    execute(
      rig,
      rows,
      assemble(
        `vcvt.f64.f32 d16, s3
         vcvt.f32.f64 s5, d20
         vcvt.f64.s32 d17, s4
         vcvt.f64.u32 d18, s4
         vcvt.s32.f64 s6, d20
         vcvtr.s32.f64 s7, d20
         vcvt.s32.f64 d21, d21, #16
         vmov.f64 d22, #-1.5
         vmov.f64 d23, #0.125`,
        isa,
      ),
      isa,
    );
    expect(getD(st, 16)).toBe(bitsOfDouble(1.5));
    expect(st.s[5]! >>> 0).toBe(0xc0300000); // -2.75f
    expect(getD(st, 17)).toBe(bitsOfDouble(-7));
    expect(getD(st, 18)).toBe(bitsOfDouble(4294967289));
    expect(st.s[6]).toBe(-2); // towards zero
    expect(st.s[7]).toBe(-3); // round to nearest (FPSCR)
    expect(getD(st, 21)).toBe(0x34000n); // 3.25 * 2^16, high word zero
    expect(getD(st, 22)).toBe(bitsOfDouble(-1.5));
    expect(getD(st, 23)).toBe(bitsOfDouble(0.125));
    expect(st.fpscr & 0x9f).toBe(0x10); // IXC from the inexact conversions
  });

  it('VCMP.F64 sets FPSCR.NZCV; VMRS APSR_nzcv copies it', () => {
    const rig = makeFpRig();
    setD(rig.state, 20, bitsOfDouble(-1));
    setD(rig.state, 21, bitsOfDouble(2));
    execute(rig, rows, assemble('vcmp.f64 d20, d21\nvmrs APSR_nzcv, fpscr', isa), isa);
    expect(rig.state.fpscr >>> 28).toBe(0x8);
    expect(rig.state.getApsr() >>> 28).toBe(0x8);
  });

  it('core transfers: doubleword, scalar lanes with sign/zero extension, VDUP', () => {
    const rig = makeFpRig();
    const st = rig.state;
    st.r[0] = 0x11223344;
    st.r[1] = 0x8899aabb | 0;
    st.r[3] = 0x1234fedc;
    execute(
      rig,
      rows,
      assemble(
        `vmov d17, r0, r1
         vmov.u8 r2, d17[7]
         vmov.s8 r4, d17[7]
         vmov.s16 r5, d17[2]
         vmov.32 r6, d17[1]
         vmov.8 d17[0], r3
         vdup.16 q9, r3
         vmov r7, r8, d17`,
        isa,
      ),
      isa,
    );
    expect(st.r[2]).toBe(0x88);
    expect(st.r[4]).toBe(-0x78);
    expect(st.r[5]).toBe(0xffffaabb | 0);
    expect(st.r[6]).toBe(0x8899aabb | 0);
    expect(st.r[7]).toBe(0x112233dc);
    expect(st.r[8]).toBe(0x8899aabb | 0);
    for (let i = 36; i < 40; i++) expect(st.s[i]! >>> 0).toBe(0xfedcfedc);
  });

  it('VLDM/VSTM of d16-d31 with writeback, VLDR/VSTR, VPUSH/VPOP', () => {
    const rig = makeFpRig();
    const st = rig.state;
    for (let d = 16; d < 20; d++) setD(st, d, BigInt(d) * 0x0101010101010101n);
    st.r[0] = RAM + 0x100;
    st.r[13] = RAM + 0x1000;
    execute(
      rig,
      rows,
      assemble(
        `vstmia r0!, {d16-d19}
         vpush {d16-d17}
         vldr d20, [r0, #-8]
         vldmdb r0!, {d21-d24}
         vpop {d25-d26}
         vstr d20, [r13, #-4]`,
        isa,
      ),
      isa,
    );
    expect(st.r[0]).toBe(RAM + 0x100);
    expect(st.r[13]).toBe(RAM + 0x1000);
    expect(getD(st, 20)).toBe(19n * 0x0101010101010101n);
    for (let i = 0; i < 4; i++) expect(getD(st, 21 + i)).toBe(BigInt(16 + i) * 0x0101010101010101n);
    expect(getD(st, 25)).toBe(16n * 0x0101010101010101n);
    expect(getD(st, 26)).toBe(17n * 0x0101010101010101n);
    expect(rig.bus.read32(RAM + 0x1000 - 4) >>> 0).toBe(0x13131313);
  });

  it('VMSR keeps QEMU\'s writable FPSCR bits; short vectors make data processing UNDEFINED', () => {
    const rig = makeFpRig();
    rig.state.r[0] = -1;
    execute(rig, rows, assemble('vmsr fpscr, r0\nvmrs r1, fpscr', isa), isa);
    expect(rig.state.r[1]! >>> 0).toBe(0xfff7009f);
    execute(rig, rows, assemble('vadd.f64 d0, d1, d2', isa), isa);
    expect(rig.sys.events.map((e) => e.kind)).toEqual(['undef']);
    rig.state.fpscr = 0;
    rig.sys.events.length = 0;
    execute(rig, rows, assemble('vadd.f64 d0, d1, d2\nvcmp.f64 d0, d1', isa), isa);
    expect(rig.sys.events).toEqual([]);
  });

  it('FPEXC writes keep EN only', () => {
    const rig = makeFpRig();
    rig.state.r[0] = -1;
    execute(rig, rows, assemble('vmsr fpexc, r0\nvmrs r1, fpexc', isa), isa);
    expect(rig.state.r[1]! >>> 0).toBe(0x40000000);
  });
});
