/**
 * VFP short vectors (FPSCR.Len/Stride) on a bare core, as QEMU 7.2's translate-vfp.c loops them
 * (the firmware program vfp-vectors.c compares whole runs with qemu-system-arm on both boards):
 * the Cortex-A9 (MVFR0.FPShVec = 1) iterates, the Cortex-A15 UNDEFs. Expected values are the
 * rules worked by hand: small exact sums and products.
 */
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { ArmV7aState, MODE_UND } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { CORTEX_A15, CORTEX_A9, type CoreProfile } from '../../src/emulator/cpu/profile.js';

const CODE = 0x60001000;
const f32 = (v: number): number => new Int32Array(new Float32Array([v]).buffer)[0]!;

function core(profile: CoreProfile, insn: number, fpscr: number) {
  const bus = new Bus([{ name: 'ram', base: 0x60000000, size: 0x10000 }]);
  const state = new ArmV7aState({ securityExtensions: profile === CORTEX_A9 });
  const cpu = new ArmV7aCpu(state, bus, new VirtualClock(0), profile);
  cpu.exceptions.setBootEntry(CODE);
  cpu.exceptions.resetCore();
  cpu.coreRegs.s.cpacr = 0x00f00000;
  state.fpexc = 0x40000000;
  bus.write32(CODE, insn);
  // s0-s31 = 1, 2, ..., 32; d16-d31 = 16.0 ... 31.0 (doubles).
  for (let i = 0; i < 32; i++) state.s[i] = f32(i + 1);
  for (let d = 16; d < 32; d++) {
    const b = new Int32Array(new Float64Array([d]).buffer);
    state.s[2 * d] = b[0]!;
    state.s[2 * d + 1] = b[1]!;
  }
  state.fpscr = fpscr;
  const before = Array.from(state.s);
  cpu.exitRequest = false;
  cpu.execute(1);
  const changed = Array.from(state.s).flatMap((v, i) => (v !== before[i] ? [i] : []));
  return { state, changed };
}

const LEN = (n: number): number => n << 16;
const STRIDE = (n: number): number => n << 20;

describe('VFP short vectors (Cortex-A9: FPShVec)', () => {
  it('vadd.f32 s8, s16, s24 with Len 3: four elements, s8-s11', () => {
    const { state, changed } = core(CORTEX_A9, 0xee384a0c, LEN(3));
    expect(changed).toEqual([8, 9, 10, 11]);
    expect([8, 9, 10, 11].map((i) => state.s[i])).toEqual([17 + 25, 18 + 26, 19 + 27, 20 + 28].map(f32));
  });
  it('vadd.f32 s8, s16, s1: s1 in bank 0 is a scalar for every element', () => {
    const { state, changed } = core(CORTEX_A9, 0xee384a20, LEN(3));
    expect(changed).toEqual([8, 9, 10, 11]);
    expect([8, 9, 10, 11].map((i) => state.s[i])).toEqual([17 + 2, 18 + 2, 19 + 2, 20 + 2].map(f32));
  });
  it('vadd.f32 s2, s16, s24: a destination in bank 0 makes the operation scalar', () => {
    const { state, changed } = core(CORTEX_A9, 0xee381a0c, LEN(3));
    expect(changed).toEqual([2]);
    expect(state.s[2]).toBe(f32(17 + 25));
  });
  it('single-precision stride field 3 steps by 4 (QEMU adds the raw field) and wraps in the bank', () => {
    // s8 = s16*s24, s12 = s20*s28, then again: s8 and s12 only.
    const { state, changed } = core(CORTEX_A9, 0xee284a0c, LEN(3) | STRIDE(3));
    expect(changed).toEqual([8, 12]);
    expect([state.s[8], state.s[12]]).toEqual([f32(17 * 25), f32(21 * 29)]);
  });
  it('vneg.f64 d21, d25 with Len 2, stride 2: QEMU do_vfp_2op_dp writes -d25 to d21 and d25 + 2 = d27', () => {
    const { state, changed } = core(CORTEX_A9, 0xeef15b69, LEN(2) | STRIDE(3));
    expect(changed).toEqual([43, 55]); // the high words of d21 and d27
    expect(state.s[43]! ^ state.s[51]!).toBe(0x80000000 | 0);
    expect(state.s[55]).toBe(state.s[43]);
  });
});

describe('VFP short vectors (Cortex-A15: no FPShVec)', () => {
  it.each([
    ['Len 3', LEN(3)],
    ['Stride only', STRIDE(3)],
  ])('vadd.f32 s8, s16, s24 with %s is UNDEFINED', (_name, fpscr) => {
    const { state, changed } = core(CORTEX_A15, 0xee384a0c, fpscr);
    expect(state.mode).toBe(MODE_UND);
    expect(changed).toEqual([]);
  });
});
