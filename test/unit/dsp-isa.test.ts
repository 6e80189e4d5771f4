/**
 * ARMv7E-M DSP instructions on real assembled code, run on a Cortex-M4 core (and the same encodings
 * on a Cortex-M3, where they must stay UNDEFINED). Expected values are worked out by hand from the
 * ARMv7-M ARM pseudocode; comments show the arithmetic, lanes listed low first.
 */
import { describe, expect, it } from 'vitest';
import { assembleElf, makeRig, StubSystem, u32, CODE_BASE, RAM_BASE } from './cpu-harness.js';
import type { Image } from './cpu-harness.js';
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CpuState } from '../../src/emulator/cpu/state.js';
import { Cpu } from '../../src/emulator/cpu/cpu.js';
import { CORTEX_M4 } from '../../src/emulator/cpu/profile.js';

const Q = 0x08000000;

function assembleM4(body: string): Image {
  return assembleElf(`.syntax unified\n.cpu cortex-m4\n.thumb\n.text\n.global _start\n_start:\n${body}\nend:\n  bkpt #0x42\n.pool\n`);
}

interface M4Rig {
  state: CpuState;
  sys: StubSystem;
  cpu: Cpu;
}

/** cpu-harness's makeRig builds a Cortex-M3; this is the same rig with the M4 profile. */
function runM4(body: string, regs: Record<number, number> = {}, ge = 0, apsr = 0): M4Rig {
  const bus = new Bus([
    { name: 'code', base: CODE_BASE, size: 1 << 20 },
    { name: 'ram', base: RAM_BASE, size: 1 << 20 },
  ]);
  const state = new CpuState();
  const cpu = new Cpu(state, bus, new VirtualClock(0), CORTEX_M4);
  const sys = new StubSystem(cpu);
  cpu.sys = sys;
  state.r[13] = RAM_BASE + 0x10000;
  for (const s of assembleM4(body).segments) bus.debugWrite(s.addr, s.data);
  for (const [k, v] of Object.entries(regs)) state.r[Number(k)] = v;
  state.setApsr(apsr);
  state.ge = ge;
  cpu.execute(1000);
  expect(sys.events.at(-1)?.kind, `did not reach the end: ${JSON.stringify(sys.events)}`).toBe('bkpt');
  return { state, sys, cpu };
}

/** Rd (r2 unless told) after one instruction. */
function r2(insn: string, regs: Record<number, number>, ge = 0, apsr = 0): number {
  return u32(runM4(insn, regs, ge, apsr).state.r[2]!);
}

const qOf = (rig: M4Rig): number => rig.state.QF;

describe('parallel add/subtract, 16-bit lanes', () => {
  const n = 0x7fff8000;
  const m = 0x00018000;
  it('SADD16 wraps and sets GE per halfword (lo -32768-32768=-65536, hi 32767+1=32768)', () => {
    const rig = runM4('sadd16 r2, r0, r1', { 0: n, 1: m });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(rig.state.ge).toBe(0b1100);
    expect(rig.state.getXpsr() & 0x000f0000).toBe(0b1100 << 16);
  });
  it('QADD16 saturates and leaves GE and Q alone', () => {
    const rig = runM4('qadd16 r2, r0, r1', { 0: n, 1: m }, 0b0101);
    expect(u32(rig.state.r[2]!)).toBe(0x7fff8000);
    expect(rig.state.ge).toBe(0b0101);
    expect(qOf(rig)).toBe(0);
  });
  it('SHADD16 halves the exact sum (lo -65536>>1=-32768, hi 32768>>1=0x4000)', () => {
    expect(r2('shadd16 r2, r0, r1', { 0: n, 1: m })).toBe(0x40008000);
  });
  it('UADD16 GE is the carry out of each halfword; UQADD16 clamps; UHADD16 keeps bit 16', () => {
    const regs = { 0: 0xffff0001 | 0, 1: 0x0001ffff };
    const rig = runM4('uadd16 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0);
    expect(rig.state.ge).toBe(0xf);
    expect(r2('uqadd16 r2, r0, r1', regs)).toBe(0xffffffff);
    expect(r2('uhadd16 r2, r0, r1', regs)).toBe(0x80008000);
  });
  it('SSUB16/USUB16: GE is result >= 0 / no borrow', () => {
    // lo 5-7=-2, hi 0x8000-1: signed -32769 -> 0x7fff (GE 0), unsigned 0x7fff (GE 1)
    const regs = { 0: 0x80000005 | 0, 1: 0x00010007 };
    let rig = runM4('ssub16 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x7ffffffe);
    expect(rig.state.ge).toBe(0);
    rig = runM4('usub16 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x7ffffffe);
    expect(rig.state.ge).toBe(0b1100);
    expect(r2('qsub16 r2, r0, r1', regs)).toBe(0x8000fffe); // hi clamps at -32768
    expect(r2('uqsub16 r2, r0, r1', regs)).toBe(0x7fff0000); // lo clamps at 0
    expect(r2('shsub16 r2, r0, r1', regs)).toBe(0xbfffffff); // lo -1, hi -32769>>1=-16385
    expect(r2('uhsub16 r2, r0, r1', regs)).toBe(0x3fffffff); // lo -2>>1=-1, hi 0x7fff>>1
  });
  it('SASX/SSAX exchange the halves of Rm (ASX: lo n.lo-m.hi, hi n.hi+m.lo)', () => {
    const regs = { 0: 0x00050003, 1: 0x00040002 };
    let rig = runM4('sasx r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x0007ffff); // lo 3-4=-1, hi 5+2=7
    expect(rig.state.ge).toBe(0b1100);
    rig = runM4('ssax r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x00030007); // lo 3+4, hi 5-2
    expect(rig.state.ge).toBe(0xf);
    rig = runM4('uasx r2, r0, r1', regs, 0xf);
    expect(u32(rig.state.r[2]!)).toBe(0x0007ffff);
    expect(rig.state.ge).toBe(0); // lo borrows, hi has no carry
    expect(r2('uqasx r2, r0, r1', regs)).toBe(0x00070000);
    expect(r2('uhasx r2, r0, r1', regs)).toBe(0x0003ffff);
    expect(r2('shasx r2, r0, r1', regs)).toBe(0x0003ffff);
    expect(r2('qasx r2, r0, r1', { 0: 0x7fff8000, 1: 0x00017fff })).toBe(0x7fff8000); // -32769, 65534
    // USAX: lo 3+4=7 (no carry), hi 5-0xfffe borrows -> 7
    rig = runM4('usax r2, r0, r1', { 0: 0x00050003, 1: 0x0004fffe }, 0xf);
    expect(u32(rig.state.r[2]!)).toBe(0x00070007);
    expect(rig.state.ge).toBe(0);
    expect(r2('uqsax r2, r0, r1', { 0: 0x00050003, 1: 0x0004fffe })).toBe(0x00000007);
    expect(r2('uhsax r2, r0, r1', { 0: 0x00050003, 1: 0x0004fffe })).toBe(0x80030003); // -65529>>1
    expect(r2('qsax r2, r0, r1', { 0: 0x80007fff | 0, 1: 0x00010001 })).toBe(0x80007fff); // hi -32769
    expect(r2('shsax r2, r0, r1', { 0: 0x00050003, 1: 0x00040002 })).toBe(0x00010003);
  });
});

describe('parallel add/subtract, 8-bit lanes', () => {
  it('USUB8 / UQSUB8 / UHSUB8 (bytes 0x80-0x81, 0-0, 0xff-1, 0x10-0x20)', () => {
    const regs = { 0: 0x10ff0080, 1: 0x20010081 };
    const rig = runM4('usub8 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0xf0fe00ff);
    expect(rig.state.ge).toBe(0b0110);
    expect(r2('uqsub8 r2, r0, r1', regs)).toBe(0x00fe0000);
    expect(r2('uhsub8 r2, r0, r1', regs)).toBe(0xf87f00ff);
  });
  it('SSUB8 / QSUB8 / SHSUB8 (0-1, 127-(-128), 1-(-1), -128-1)', () => {
    const regs = { 0: 0x80017f00 | 0, 1: 0x01ff8001 };
    const rig = runM4('ssub8 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x7f02ffff);
    expect(rig.state.ge).toBe(0b0110);
    expect(r2('qsub8 r2, r0, r1', regs)).toBe(0x80027fff);
    expect(r2('shsub8 r2, r0, r1', regs)).toBe(0xbf017fff);
  });
  it('SADD8 / QADD8 / SHADD8 / UADD8 / UQADD8 / UHADD8', () => {
    // bytes: 0x7f+0x01, 0x80+0xff, 0x01+0x01, 0xff+0x01
    const regs = { 0: 0xff01807f | 0, 1: 0x0101ff01 };
    const rig = runM4('sadd8 r2, r0, r1', regs);
    expect(u32(rig.state.r[2]!)).toBe(0x00027f80); // 128, -129, 2, 0
    expect(rig.state.ge).toBe(0b1101);
    expect(r2('qadd8 r2, r0, r1', regs)).toBe(0x0002807f);
    expect(r2('shadd8 r2, r0, r1', regs)).toBe(0x0001bf40); // 64, -65, 1, 0
    const u = runM4('uadd8 r2, r0, r1', regs);
    expect(u32(u.state.r[2]!)).toBe(0x00027f80); // 128, 383, 2, 256
    expect(u.state.ge).toBe(0b1010);
    expect(r2('uqadd8 r2, r0, r1', regs)).toBe(0xff02ff80);
    expect(r2('uhadd8 r2, r0, r1', regs)).toBe(0x8001bf40);
  });
  it('SEL picks bytes of Rn where GE is set (GE from a preceding USUB8)', () => {
    expect(r2('sel r2, r0, r1', { 0: 0x11223344, 1: 0xaabbccdd | 0 }, 0b0101)).toBe(0xaa22cc44);
    // usub8 r3: bytes 5-3, 1-2, 9-9, 0-1 -> GE 0b0101; then sel
    expect(r2('usub8 r3, r0, r1\nsel r2, r0, r1', { 0: 0x00090105, 1: 0x01090203 })).toBe(0x01090205);
  });
});

describe('saturating arithmetic and Q', () => {
  it('QADD/QSUB saturate (operands: Rd, Rm, Rn; result Rm op Rn) and set Q', () => {
    let rig = runM4('qadd r2, r0, r1', { 0: 0x7fffffff, 1: 1 });
    expect(u32(rig.state.r[2]!)).toBe(0x7fffffff);
    expect(qOf(rig)).toBe(1);
    rig = runM4('qsub r2, r0, r1', { 0: 5, 1: 3 });
    expect(rig.state.r[2]).toBe(2);
    expect(qOf(rig)).toBe(0);
    rig = runM4('qsub r2, r0, r1', { 0: 0x80000000 | 0, 1: 1 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(qOf(rig)).toBe(1);
  });
  it('QDADD/QDSUB: saturating the doubling alone sets Q', () => {
    let rig = runM4('qdadd r2, r0, r1', { 0: -1, 1: 0x40000000 });
    expect(u32(rig.state.r[2]!)).toBe(0x7ffffffe); // -1 + sat(2^31)
    expect(qOf(rig)).toBe(1);
    rig = runM4('qdsub r2, r0, r1', { 0: 0x80000000 | 0, 1: 1 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(qOf(rig)).toBe(1);
    rig = runM4('qdadd r2, r0, r1', { 0: 10, 1: 3 });
    expect(rig.state.r[2]).toBe(16);
    expect(qOf(rig)).toBe(0);
  });
  it('Q is sticky: an instruction that does not saturate leaves it set', () => {
    expect(qOf(runM4('qadd r2, r0, r1', { 0: 1, 1: 1 }, 0, Q))).toBe(1);
  });
  it('SSAT16/USAT16 saturate each halfword and set Q', () => {
    let rig = runM4('ssat16 r2, #8, r0', { 0: 0x0100ff00 });
    expect(u32(rig.state.r[2]!)).toBe(0x007fff80); // 256 -> 127, -256 -> -128
    expect(qOf(rig)).toBe(1);
    rig = runM4('ssat16 r2, #16, r0', { 0: 0x80007fff | 0 });
    expect(u32(rig.state.r[2]!)).toBe(0x80007fff);
    expect(qOf(rig)).toBe(0);
    rig = runM4('usat16 r2, #8, r0', { 0: 0x0100ffff });
    expect(u32(rig.state.r[2]!)).toBe(0x00ff0000); // 256 -> 255, -1 -> 0
    expect(qOf(rig)).toBe(1);
    rig = runM4('usat16 r2, #15, r0', { 0: 0x7fff0001 });
    expect(u32(rig.state.r[2]!)).toBe(0x7fff0001);
    expect(qOf(rig)).toBe(0);
    rig = runM4('ssat16 r2, #1, r0', { 0: 0x0002fffe });
    expect(u32(rig.state.r[2]!)).toBe(0x0000ffff); // range -1..0
  });
  it('SSAT and USAT with a shift still work on the M4', () => {
    expect(r2('ssat r2, #8, r0, asr #1', { 0: 0x200 })).toBe(0x7f);
    expect(r2('usat r2, #4, r0, lsl #2', { 0: 3 })).toBe(12);
  });
});

describe('packing and extension', () => {
  const regs = { 0: 0x11223344, 1: 0xaabbccdd | 0 };
  it('PKHBT / PKHTB, including ASR #32', () => {
    expect(r2('pkhbt r2, r0, r1, lsl #8', regs)).toBe(0xbbcc3344);
    expect(r2('pkhbt r2, r0, r1', regs)).toBe(0xaabb3344);
    expect(r2('pkhtb r2, r0, r1, asr #8', regs)).toBe(0x1122bbcc);
    expect(r2('pkhtb r2, r0, r1, asr #32', regs)).toBe(0x1122ffff);
  });
  it('SXTAB/SXTAH/UXTAB/UXTAH with rotation', () => {
    expect(r2('sxtab r2, r0, r1, ror #8', { 0: 1000, 1: 0x8000 })).toBe(872);
    expect(r2('sxtah r2, r0, r1, ror #16', { 0: 10, 1: 0xfffe0000 | 0 })).toBe(8);
    expect(r2('uxtab r2, r0, r1', { 0: 1, 1: 0x1ff })).toBe(0x100);
    expect(r2('uxtah r2, r0, r1, ror #24', { 0: 0x10000, 1: 0x12345678 })).toBe(0x17812);
  });
  it('SXTAB16/UXTAB16 add per halfword without carry; SXTB16/UXTB16', () => {
    expect(r2('sxtab16 r2, r0, r1', { 0: 0x0001ffff, 1: 0x00800001 })).toBe(0xff810000);
    expect(r2('uxtab16 r2, r0, r1', { 0: 0xffff0001 | 0, 1: 0x12345678 })).toBe(0x00330079);
    expect(r2('sxtb16 r2, r1, ror #8', { 1: 0x80ff7f00 | 0 })).toBe(0xff80007f);
    expect(r2('uxtb16 r2, r1, ror #16', { 1: 0x12345678 })).toBe(0x00780034);
  });
  it('the plain SXTB/UXTH forms still work on the M4', () => {
    expect(r2('sxtb.w r2, r1, ror #8', { 1: 0x8000 })).toBe(0xffffff80);
    expect(r2('uxth.w r2, r1, ror #16', { 1: 0x12345678 })).toBe(0x1234);
  });
});

describe('halfword and dual multiplies', () => {
  const regs = { 0: 0x0003fffe, 1: 0x80000005 | 0 };
  it('SMULxy picks halves (B = bottom, T = top)', () => {
    expect(r2('smulbb r2, r0, r1', regs)).toBe(u32(-10));
    expect(r2('smulbt r2, r0, r1', regs)).toBe(65536); // -2 * -32768
    expect(r2('smultb r2, r0, r1', regs)).toBe(15);
    expect(r2('smultt r2, r0, r1', regs)).toBe(u32(-98304));
  });
  it('SMLAxy sets Q on overflow of the accumulate (2^30 + 2^30)', () => {
    const rig = runM4('smlabb r2, r0, r1, r3', { 0: 0x8000, 1: 0x8000, 3: 0x40000000 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(qOf(rig)).toBe(1);
    expect(r2('smlatt r2, r0, r1, r3', { 0: 0x00030000, 1: 0x00050000, 3: 100 })).toBe(115);
  });
  it('SMULWy / SMLAWy take bits 47:16 of the 48-bit product', () => {
    expect(r2('smulwb r2, r0, r1', { 0: 0x80000000 | 0, 1: 0x8000 })).toBe(0x40000000);
    expect(r2('smulwt r2, r0, r1', { 0: -3, 1: 0x00010000 })).toBe(0xffffffff); // floor(-3/65536)
    // (2^31-1)(2^15-1) >> 16 = 0x3fff7fff; + 0x40008001 overflows
    const rig = runM4('smlawb r2, r0, r1, r3', { 0: 0x7fffffff, 1: 0x7fff, 3: 0x40008001 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(qOf(rig)).toBe(1);
  });
  it('SMUAD/SMLAD: Q only when the exact sum overflows', () => {
    let rig = runM4('smuad r2, r0, r1', { 0: 0x80008000 | 0, 1: 0x80008000 | 0 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000); // 2^30 + 2^30
    expect(qOf(rig)).toBe(1);
    rig = runM4('smlad r2, r0, r1, r3', { 0: 0x80008000 | 0, 1: 0x80008000 | 0, 3: -1 });
    expect(u32(rig.state.r[2]!)).toBe(0x7fffffff); // 2^31 - 1 fits
    expect(qOf(rig)).toBe(0);
    expect(r2('smuadx r2, r0, r1', { 0: 0x00020003, 1: 0x00040005 })).toBe(22); // 3*4 + 2*5
    expect(r2('smladx r2, r0, r1, r3', { 0: 0x00020003, 1: 0x00040005, 3: 8 })).toBe(30);
  });
  it('SMUSD/SMLSD (X swaps Rm halves)', () => {
    const regs2 = { 0: 0x00020003, 1: 0x00040005, 3: 100 };
    expect(r2('smusd r2, r0, r1', regs2)).toBe(7); // 15 - 8
    expect(r2('smusdx r2, r0, r1', regs2)).toBe(2); // 12 - 10
    expect(r2('smlsdx r2, r0, r1, r3', regs2)).toBe(102);
    const rig = runM4('smlsd r2, r0, r1, r3', { 0: 0x8000, 1: 0x8000, 3: 0x40000000 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(qOf(rig)).toBe(1);
  });
  it('SMMUL/SMMLA/SMMLS and their rounding forms', () => {
    const regs2 = { 0: 0x40000000, 1: 6, 3: 10 }; // product 0x1_8000_0000
    expect(r2('smmul r2, r0, r1', regs2)).toBe(1);
    expect(r2('smmulr r2, r0, r1', regs2)).toBe(2);
    expect(r2('smmla r2, r0, r1, r3', regs2)).toBe(11);
    expect(r2('smmlar r2, r0, r1, r3', regs2)).toBe(12);
    expect(r2('smmls r2, r0, r1, r3', regs2)).toBe(8); // 0xa_0000_0000 - 0x1_8000_0000 = 0x8_8000_0000
    expect(r2('smmlsr r2, r0, r1, r3', regs2)).toBe(9);
    expect(r2('smmls r2, r0, r1, r3', { 0: 1, 1: 1, 3: 0 })).toBe(0xffffffff); // -1
    expect(r2('smmlsr r2, r0, r1, r3', { 0: 1, 1: 1, 3: 0 })).toBe(0);
  });
  it('USAD8/USADA8', () => {
    const regs2 = { 0: 0x01ff0010, 1: 0xff000120 | 0, 3: 1000 };
    expect(r2('usad8 r2, r0, r1', regs2)).toBe(16 + 1 + 255 + 254);
    expect(r2('usada8 r2, r0, r1, r3', regs2)).toBe(1526);
  });
});

describe('64-bit accumulates', () => {
  const long = (insn: string, regs: Record<number, number>): [number, number] => {
    const rig = runM4(insn, regs);
    return [u32(rig.state.r[2]!), u32(rig.state.r[3]!)];
  };
  it('SMLALxy sign-extends the product', () => {
    expect(long('smlalbb r2, r3, r0, r1', { 0: 0xffff, 1: 2, 2: 1, 3: 0 })).toEqual([0xffffffff, 0xffffffff]);
    expect(long('smlaltt r2, r3, r0, r1', { 0: 0x80000000 | 0, 1: 0x80000000 | 0, 2: 0xc0000000 | 0, 3: 0 })).toEqual([0, 1]);
  });
  it('SMLALD/SMLSLD carry into the high word', () => {
    expect(long('smlald r2, r3, r0, r1', { 0: 0x80008000 | 0, 1: 0x80008000 | 0, 2: 0x80000000 | 0, 3: 0 })).toEqual([0, 1]);
    expect(long('smlaldx r2, r3, r0, r1', { 0: 0x00020003, 1: 0x00040005, 2: -1, 3: -1 })).toEqual([21, 0]);
    expect(long('smlsld r2, r3, r0, r1', { 0: 0x00030000, 1: 0x00010000, 2: 0, 3: 0 })).toEqual([0xfffffffd, 0xffffffff]);
    expect(long('smlsldx r2, r3, r0, r1', { 0: 0x00020003, 1: 0x00040005, 2: 0, 3: 0 })).toEqual([2, 0]);
  });
  it('UMAAL: (2^32-1)^2 + 2(2^32-1) = 2^64-1', () => {
    expect(long('umaal r2, r3, r0, r1', { 0: -1, 1: -1, 2: -1, 3: -1 })).toEqual([0xffffffff, 0xffffffff]);
    expect(long('umaal r2, r3, r0, r1', { 0: 3, 1: 4, 2: 5, 3: 6 })).toEqual([23, 0]);
  });
});

describe('decode', () => {
  const m4Undefined = (insn: string): void => {
    const bus = new Bus([{ name: 'code', base: CODE_BASE, size: 1 << 20 }]);
    const state = new CpuState();
    const cpu = new Cpu(state, bus, new VirtualClock(0), CORTEX_M4);
    const sys = new StubSystem(cpu);
    cpu.sys = sys;
    for (const s of assembleM4(insn).segments) bus.debugWrite(s.addr, s.data);
    cpu.execute(10);
    expect(sys.events).toEqual([{ kind: 'undef', args: [0] }]);
  };
  it('unallocated DSP encodings stay UNDEFINED on the M4', () => {
    m4Undefined('.inst.w 0xfa91f232'); // parallel add/subtract with op2 = 011
    m4Undefined('.inst.w 0xfa91f272'); // op2 = 111
    m4Undefined('.inst.w 0xead10202'); // PKHBT with S = 1
    m4Undefined('.inst.w 0xfa910202'); // SADD16 with bits 15:12 = 0000
  });

  it('every DSP instruction is UNDEFINED on the Cortex-M3', () => {
    const insns = [
      'sadd16 r2, r0, r1', 'uqsub8 r2, r0, r1', 'sel r2, r0, r1', 'qadd r2, r0, r1', 'ssat16 r2, #4, r0',
      'usat16 r2, #4, r0', 'pkhbt r2, r0, r1', 'sxtab r2, r0, r1', 'uxtah r2, r0, r1', 'sxtb16 r2, r1',
      'uxtab16 r2, r0, r1', 'smulbb r2, r0, r1', 'smlawt r2, r0, r1, r3', 'smuad r2, r0, r1',
      'smlsldx r2, r3, r0, r1', 'smmulr r2, r0, r1', 'usada8 r2, r0, r1, r3', 'smlalbt r2, r3, r0, r1',
      'umaal r2, r3, r0, r1',
    ];
    for (const insn of insns) {
      const rig = makeRig(assembleM4(insn));
      rig.cpu.execute(10);
      expect(rig.sys.events, insn).toEqual([{ kind: 'undef', args: [0] }]);
    }
  });
});
