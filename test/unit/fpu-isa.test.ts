/**
 * FPv4-SP decode and execute on assembled code (Cortex-M4 rig, FPU enabled). Expected values are
 * worked out by hand from the ARM ARM (comments show them).
 */
import { describe, expect, it } from 'vitest';
import { RAM_BASE, runSnippetM4, u32 } from './cpu-harness.js';
import { UsageCause } from '../../src/emulator/cpu/system.js';

describe('FPv4-SP instructions', () => {
  it('VMOV immediate, VADD, VMUL, VDIV and VMOV to core', () => {
    const rig = runSnippetM4(`
      vmov.f32 s0, #1.5
      vmov.f32 s1, #-2.0
      vadd.f32 s2, s0, s1
      vmul.f32 s3, s0, s1
      vdiv.f32 s4, s1, s0
      vmov r0, s2
      vmov r1, s3
      vmov r2, s4`);
    expect(u32(rig.state.r[0]!)).toBe(0xbf000000); // -0.5
    expect(u32(rig.state.r[1]!)).toBe(0xc0400000); // -3.0
    expect(u32(rig.state.r[2]!)).toBe(0xbfaaaaab); // -4/3 rounded to nearest
    expect(rig.state.fpscr & 0x9f).toBe(0x10); // IXC from the division only
  });

  it('VCMP + VMRS APSR_nzcv drives a conditional branch', () => {
    const rig = runSnippetM4(`
      vmov s0, r0
      vmov s1, r1
      movs r2, #0
      vcmp.f32 s0, s1
      vmrs APSR_nzcv, fpscr
      it lt
      movlt r2, #1
      vmrs r3, fpscr`,
      { 0: 0xbf800000, 1: 0x3f800000 },
    );
    expect(rig.state.r[2]).toBe(1);
    expect(u32(rig.state.r[3]!)).toBe(0x80000000); // N set: less than
    expect(u32(rig.state.getApsr() & 0xf0000000)).toBe(0x80000000);
  });

  it('VMSR keeps only the writable FPSCR bits', () => {
    const rig = runSnippetM4('vmsr fpscr, r0\nvmrs r1, fpscr', { 0: -1 });
    expect(u32(rig.state.r[1]!)).toBe(0xf7c0009f);
  });

  it('VPUSH/VPOP and VLDM/VSTM with writeback, single and double lists', () => {
    const rig = runSnippetM4(`
      vmov s4, r0
      vmov s5, r1
      vmov d3, r1, r0
      vpush {s4-s5}
      vpush {d3}
      mov r4, sp
      vpop {d0}
      vpop {s8-s9}
      ldr r5, =${RAM_BASE + 0x100}
      vstmia r5!, {s8-s9}
      vstmdb r5!, {d0}
      vldr s12, [r5, #4]
      vmov r6, s12`,
      { 0: 0x11111111, 1: 0x22222222 },
    );
    const sp0 = RAM_BASE + 0x10000;
    expect(rig.state.r[4]).toBe(sp0 - 16);
    expect(rig.state.r[13]).toBe(sp0);
    expect(u32(rig.state.s[0]!)).toBe(0x22222222); // d3 = r1:r0 as low:high
    expect(u32(rig.state.s[1]!)).toBe(0x11111111);
    expect(u32(rig.state.s[8]!)).toBe(0x11111111);
    expect(u32(rig.state.s[9]!)).toBe(0x22222222);
    expect(rig.state.r[5]).toBe(RAM_BASE + 0x100); // +8 then -8
    expect(u32(rig.state.r[6]!)).toBe(0x11111111);
  });

  it('VFMA rounds once, VMLA twice', () => {
    // (1+2^-23)^2 = 1 + 2^-22 + 2^-46; accumulator -(1 + 2^-22).
    const rig = runSnippetM4(`
      vmov s0, r0
      vmov s1, r1
      vmov s2, r1
      vfma.f32 s1, s0, s0
      vmla.f32 s2, s0, s0
      vmov r2, s1
      vmov r3, s2`,
      { 0: 0x3f800001, 1: 0xbf800002 },
    );
    expect(u32(rig.state.r[2]!)).toBe(0x28800000); // 2^-46
    expect(rig.state.r[3]).toBe(0);
  });

  it('VCVT to fixed point and back in place, VCVTB/VCVTT keep the other half', () => {
    const rig = runSnippetM4(`
      vmov s0, r0
      vcvt.s16.f32 s0, s0, #4
      vmov r1, s0
      vmov s2, r2
      vcvtt.f16.f32 s2, s2
      vmov r3, s2`,
      { 0: 0xc0200000, 2: 0x3f800000 },
    );
    expect(u32(rig.state.r[1]!)).toBe(0xffffffd8); // -2.5 * 16 = -40, sign-extended
    expect(u32(rig.state.r[3]!)).toBe(0x3c000000); // 1.0 in the top half, bottom half of 1.0f (0)
  });

  it('an unaligned VLDR is a run-time UsageFault UNALIGNED (not counted), registers untouched', () => {
    const rig = runSnippetM4('ldr r0, =0x20000002\nvldr s0, [r0]');
    expect(rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.UNALIGNED, 2] }]);
    expect(rig.state.s[0]).toBe(0);
  });

  it('double-precision arithmetic and D16-D31 are UNDEFINED on FPv4-SP-D16', () => {
    // VADD.F64 d0, d0, d0 = 0xee300b00; VLDR d16, [r0] = 0xedd00b00.
    for (const insn of ['0xee300b00', '0xedd00b00']) {
      const rig = runSnippetM4(`nop\n.inst.w ${insn}`);
      expect(rig.sys.events).toEqual([{ kind: 'undef', args: [2] }]);
    }
  });
});
