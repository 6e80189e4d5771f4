/**
 * Instruction semantics on real assembled code; expected values are worked out by hand from the
 * ARMv7-M ARM pseudocode (comments show the arithmetic).
 */
import { describe, expect, it } from 'vitest';
import { RAM_BASE, runSnippet, u32 } from './cpu-harness.js';

const N = 0x80000000;
const Z = 0x40000000;
const C = 0x20000000;
const V = 0x10000000;
const Q = 0x08000000;
const flags = (apsr: number): number => apsr & 0xf8000000;

describe('data processing', () => {
  it('ADDS sets carry and overflow (0x7fffffff + 1 and 0xffffffff + 1)', () => {
    let rig = runSnippet('adds r2, r0, r1', { 0: 0x7fffffff, 1: 1 });
    expect(u32(rig.state.r[2]!)).toBe(0x80000000);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N | V));
    rig = runSnippet('adds r2, r0, r1', { 0: -1, 1: 1 });
    expect(rig.state.r[2]).toBe(0);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(Z | C));
  });

  it('SUBS/CMP: C is NOT borrow', () => {
    // 5 - 7 = -2: borrow, so C=0, N=1
    let rig = runSnippet('subs r2, r0, r1', { 0: 5, 1: 7 });
    expect(rig.state.r[2]).toBe(-2);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N));
    // 7 - 5 = 2: no borrow, C=1
    rig = runSnippet('cmp r0, r1', { 0: 7, 1: 5 });
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(C));
  });

  it('ADC/SBC use the incoming carry', () => {
    // 1 + 2 + C(1) = 4 ; 10 - 3 - NOT(C=0) = 6
    let rig = runSnippet('adcs r2, r0, r1', { 0: 1, 1: 2 }, C);
    expect(rig.state.r[2]).toBe(4);
    rig = runSnippet('sbc.w r2, r0, r1', { 0: 10, 1: 3 }, 0);
    expect(rig.state.r[2]).toBe(6);
  });

  it('logical ops with shifted operands take C from the shifter', () => {
    // 0x80000001 LSL #1 -> 2, carry out = bit 31 = 1
    let rig = runSnippet('ands.w r2, r0, r1, lsl #1', { 0: -1, 1: 0x80000001 });
    expect(rig.state.r[2]).toBe(2);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(C));
    // RRX: (C=1 << 31) | (3 >>> 1) = 0x80000001, carry out = bit0 of 3 = 1
    rig = runSnippet('movs.w r2, r1, rrx', { 1: 3 }, C);
    expect(u32(rig.state.r[2]!)).toBe(0x80000001);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N | C));
    // ASR #32 of a negative value: all ones, carry = bit 31
    rig = runSnippet('asrs.w r2, r1, #32', { 1: 0x80000000 });
    expect(rig.state.r[2]).toBe(-1);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N | C));
  });

  it('register shifts use the bottom byte of Rm: LSL by 33 gives 0 with C=0, by 32 gives C=bit0', () => {
    let rig = runSnippet('lsls r0, r1', { 0: 3, 1: 0x121 }); // 0x21 = 33
    expect(rig.state.r[0]).toBe(0);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(Z));
    rig = runSnippet('lsls r0, r1', { 0: 3, 1: 32 });
    expect(rig.state.r[0]).toBe(0);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(Z | C));
    rig = runSnippet('rors r0, r1', { 0: 0x80000001, 1: 0 }, C); // amount 0: value and C unchanged
    expect(u32(rig.state.r[0]!)).toBe(0x80000001);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N | C));
  });

  it('modified immediates: the four byte patterns and a rotated constant', () => {
    const rig = runSnippet(`
      mov.w r0, #0x00ab00ab
      mov.w r1, #0xab00ab00
      mov.w r2, #0xabababab
      movs.w r3, #0x80000000
      orr.w r4, r0, #0x3fc
    `);
    expect(u32(rig.state.r[0]!)).toBe(0x00ab00ab);
    expect(u32(rig.state.r[1]!)).toBe(0xab00ab00);
    expect(u32(rig.state.r[2]!)).toBe(0xabababab);
    expect(u32(rig.state.r[3]!)).toBe(0x80000000);
    // 0x80000000 is a rotated constant: MOVS sets C to its bit 31
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(N | C));
    expect(u32(rig.state.r[4]!)).toBe(0x00ab03ff);
  });

  it('MOVW/MOVT, ADDW/SUBW, ADR', () => {
    const rig = runSnippet(`
      movw r0, #0xbeef
      movt r0, #0xdead
      addw r1, r0, #0xfff
      subw r2, r0, #1
      adr r3, lbl
      nop
    .align 2
    lbl:
      nop
    `);
    expect(u32(rig.state.r[0]!)).toBe(0xdeadbeef);
    expect(u32(rig.state.r[1]!)).toBe((0xdeadbeef + 0xfff) >>> 0);
    expect(u32(rig.state.r[2]!)).toBe(0xdeadbeee);
    expect(rig.state.r[3]! % 4).toBe(0);
    expect(rig.state.r[3]).toBeGreaterThan(12);
  });

  it('16-bit ALU forms do not set flags inside an IT block', () => {
    // cmp sets Z; "addeq r0, r0, #1" (16-bit ADD, no S inside IT) must leave Z set even though result is nonzero
    const rig = runSnippet(`
      cmp r0, r0
      it eq
      addeq r1, r1, #1
    `, { 0: 5, 1: 0 });
    expect(rig.state.r[1]).toBe(1);
    expect(rig.state.ZF).toBe(0); // Z still set
  });
});

describe('multiply, divide, saturate, bitfield', () => {
  it('long multiplies', () => {
    const rig = runSnippet(`
      umull r2, r3, r0, r1
      smull r4, r5, r0, r1
      mov r6, #1
      mov r7, #0
      umlal r6, r7, r0, r1
      mls r8, r0, r1, r0
    `, { 0: -1, 1: -1 });
    // 0xffffffff^2 = 0xfffffffe_00000001 ; (-1)*(-1) = 1
    expect(u32(rig.state.r[2]!)).toBe(1);
    expect(u32(rig.state.r[3]!)).toBe(0xfffffffe);
    expect(rig.state.r[4]).toBe(1);
    expect(rig.state.r[5]).toBe(0);
    expect(rig.state.r[6]).toBe(2);
    expect(u32(rig.state.r[7]!)).toBe(0xfffffffe);
    // -1 - (-1 * -1) = -2
    expect(rig.state.r[8]).toBe(-2);
  });

  it('SDIV/UDIV round toward zero; divide by zero gives 0 without the trap', () => {
    const rig = runSnippet(`
      sdiv r2, r0, r1
      udiv r3, r0, r1
      sdiv r4, r0, r5
      sdiv r6, r7, r8
    `, { 0: -7, 1: 2, 5: 0, 7: 0x80000000 | 0, 8: -1 });
    expect(rig.state.r[2]).toBe(-3);
    expect(u32(rig.state.r[3]!)).toBe(Math.floor(0xfffffff9 / 2));
    expect(rig.state.r[4]).toBe(0);
    expect(u32(rig.state.r[6]!)).toBe(0x80000000); // INT_MIN / -1 overflows to INT_MIN
  });

  it('SSAT/USAT saturate and set Q', () => {
    let rig = runSnippet('ssat r1, #8, r0', { 0: 300 });
    expect(rig.state.r[1]).toBe(127);
    expect(rig.state.QF).toBe(1);
    rig = runSnippet('usat r1, #8, r0, asr #1', { 0: -4 });
    expect(rig.state.r[1]).toBe(0);
    expect(u32(flags(rig.state.getApsr()))).toBe(u32(Q));
    rig = runSnippet('ssat r1, #16, r0', { 0: 1000 });
    expect(rig.state.r[1]).toBe(1000);
    expect(rig.state.QF).toBe(0);
  });

  it('BFI/BFC/UBFX/SBFX, CLZ, RBIT, REV family, extends with rotation', () => {
    const rig = runSnippet(`
      mov r2, r0
      bfi r2, r1, #8, #8
      mov r3, r0
      bfc r3, #4, #24
      ubfx r4, r0, #28, #4
      sbfx r5, r0, #28, #4
      clz r6, r1
      rbit r7, r1
      rev r8, r0
      revsh r9, r0
      sxtb.w r10, r0, ror #16
      uxth.w r11, r0, ror #8
    `, { 0: 0x89abcdef | 0, 1: 0x12 });
    expect(u32(rig.state.r[2]!)).toBe(0x89ab12ef);
    expect(u32(rig.state.r[3]!)).toBe(0x8000000f);
    expect(rig.state.r[4]).toBe(8);
    expect(rig.state.r[5]).toBe(-8);
    expect(rig.state.r[6]).toBe(27);
    expect(u32(rig.state.r[7]!)).toBe(0x48000000);
    expect(u32(rig.state.r[8]!)).toBe(0xefcdab89);
    expect(rig.state.r[9]).toBe(-0x1033); // bytes ef:cd -> 0xefcd sign-extended
    expect(rig.state.r[10]).toBe(-85); // byte 0xab
    expect(rig.state.r[11]).toBe(0xabcd);
  });
});

describe('loads and stores', () => {
  it('pre/post-indexed writeback and signed loads', () => {
    const rig = runSnippet(`
      ldr r0, =0x20000100
      ldr r1, =0x8081fe7f
      str r1, [r0], #4
      str r1, [r0, #4]!
      ldrsb r2, [r0, #-8]
      ldrsh r3, [r0, #-7]
      ldrb r4, [r0, #-5]
      ldr r5, [r0, #-7]
    `);
    expect(u32(rig.state.r[0]!)).toBe(0x20000108);
    expect(rig.state.r[2]).toBe(0x7f);
    expect(rig.state.r[3]).toBe(-0x7e02); // halfword at +1: bytes fe,81 -> 0x81fe
    expect(rig.state.r[4]).toBe(0x80);
    // unaligned word at 0x20000101: bytes fe 81 80 00
    expect(u32(rig.state.r[5]!)).toBe(0x008081fe);
  });

  it('LDM/STM with writeback, PUSH/POP', () => {
    const rig = runSnippet(`
      ldr r0, =0x20000200
      movs r1, #1
      movs r2, #2
      movs r3, #3
      stmia r0!, {r1, r2, r3}
      stmdb r0!, {r1, r2}
      ldm r0, {r4, r5, r6}
      push {r1, r2, lr}
      pop {r7, r8}
      ldr r9, =0x20000200
      ldmia r9!, {r10, r11}
    `);
    // STMIA wrote 1,2,3 at 0x200; STMDB from 0x20c -> 0x204 overwrote 0x204,0x208 with 1,2;
    // so memory from 0x204 is 1, 2, then 0 at 0x20c
    expect(u32(rig.state.r[0]!)).toBe(0x20000204);
    expect([rig.state.r[4], rig.state.r[5], rig.state.r[6]]).toEqual([1, 2, 0]);
    expect([rig.state.r[7], rig.state.r[8]]).toEqual([1, 2]);
    expect(u32(rig.state.r[13]!)).toBe(RAM_BASE + 0x10000 - 4);
    expect(u32(rig.state.r[9]!)).toBe(0x20000208);
    expect([rig.state.r[10], rig.state.r[11]]).toEqual([1, 1]);
  });

  it('LDRD/STRD and exclusives', () => {
    const rig = runSnippet(`
      ldr r0, =0x20000300
      ldr r1, =0x11111111
      ldr r2, =0x22222222
      strd r1, r2, [r0, #8]!
      ldrd r3, r4, [r0], #-8
      ldrex r5, [r0, #8]
      strex r6, r2, [r0, #8]
      strex r7, r2, [r0, #8]
      ldrexb r8, [r0]
      clrex
      strexb r9, r1, [r0]
    `);
    expect(u32(rig.state.r[0]!)).toBe(0x20000300);
    expect(u32(rig.state.r[3]!)).toBe(0x11111111);
    expect(u32(rig.state.r[4]!)).toBe(0x22222222);
    expect(u32(rig.state.r[5]!)).toBe(0x11111111);
    expect(rig.state.r[6]).toBe(0); // monitor open: store succeeds
    expect(rig.state.r[7]).toBe(1); // monitor cleared by the first STREX
    expect(rig.state.r[9]).toBe(1); // CLREX
    expect(rig.state.exclusiveAddr).toBe(-1);
  });

  it('POP {pc} and LDR pc are interworking branches', () => {
    const rig = runSnippet(`
      adr r0, target
      adds r0, #1
      push {r0}
      pop {pc}
      movs r1, #99
    .align 2
    target:
      movs r1, #7
    `);
    expect(rig.state.r[1]).toBe(7);
    expect(rig.state.thumb).toBe(1);
  });
});

describe('branches and control flow', () => {
  it('BL/BX/BLX, CBZ/CBNZ, conditional branches', () => {
    const rig = runSnippet(`
      movs r0, #0
      cbz r0, 1f
      movs r5, #1
    1:
      bl sub1
      adr r2, sub2
      adds r2, #1
      blx r2
      cmp r0, #5
      bgt 2f
      movs r6, #66
    2:
      b end
    sub1:
      adds r0, #3
      bx lr
    .align 2
    sub2:
      adds r0, #4
      cbnz r0, 3f
      movs r7, #1
    3:
      bx lr
    `);
    expect(rig.state.r[0]).toBe(7);
    expect(rig.state.r[5]).toBe(0);
    expect(rig.state.r[6]).toBe(0);
    expect(rig.state.r[7]).toBe(0);
  });

  it('IT blocks: then/else conditions and ITSTATE advance', () => {
    const rig = runSnippet(`
      cmp r0, #3
      ittet eq
      moveq r1, #1
      addeq r2, r2, #1
      movne r3, #1
      moveq r4, #1
      mov r5, #1
    `, { 0: 3 });
    expect([rig.state.r[1], rig.state.r[2], rig.state.r[3], rig.state.r[4], rig.state.r[5]]).toEqual([1, 1, 0, 1, 1]);
    expect(rig.state.itstate).toBe(0);
    const rig2 = runSnippet(`
      cmp r0, #3
      ite gt
      movgt r1, #1
      movle r1, #2
    `, { 0: 3 });
    expect(rig2.state.r[1]).toBe(2);
  });

  it('TBB and TBH', () => {
    const src = (insn: string, entry: string) => `
      ${insn}
    table:
      ${entry} (c0-table)/2, (c1-table)/2, (c2-table)/2
    .align 1
    c0:
      movs r1, #10
      b end
    c1:
      movs r1, #11
      b end
    c2:
      movs r1, #12
      b end
    `;
    for (let i = 0; i < 3; i++) {
      expect(runSnippet(src('tbb [pc, r0]', '.byte'), { 0: i }).state.r[1]).toBe(10 + i);
      expect(runSnippet(src('tbh [pc, r0, lsl #1]', '.hword'), { 0: i }).state.r[1]).toBe(10 + i);
    }
  });
});
