/**
 * The FP side of the exception model on the Cortex-M4F (facts from the ARMv7-M ARM B1.5.7 and
 * QEMU 7.2's m_helper.c / armv7m_nvic.c / cortex-m4 reset values). FP instructions are stood in
 * for by `sys.fpCheck()` (what every FP instruction calls first), so these tests need no VFP decode.
 */
import { describe, expect, it } from 'vitest';
import { Rig, T, STACK_TOP, RESET_PC, handlerAddr } from './exceptions-rig.js';
import { CORTEX_M4 } from '../../src/emulator/cpu/profile.js';
import { SysReg } from '../../src/emulator/cpu/system.js';

const ISER0 = 0xe000e100;
const ISPR0 = 0xe000e200;
const IPR0 = 0xe000e400;
const CPUID = 0xe000ed00;
const SHCSR = 0xe000ed24;
const CFSR = 0xe000ed28;
const HFSR = 0xe000ed2c;
const CPACR = 0xe000ed88;
const FPCCR = 0xe000ef34;
const FPCAR = 0xe000ef38;
const FPDSCR = 0xe000ef3c;
const MVFR0 = 0xe000ef40;
const MVFR1 = 0xe000ef44;
const MVFR2 = 0xe000ef48;

const CFSR_NOCP = 1 << 19;
const CFSR_LSPERR = 1 << 13;
const CFSR_UNSTKERR = 1 << 11;
const LSPACT = 1 << 0;
const USER = 1 << 1;
const THREAD = 1 << 3;
const HFRDY = 1 << 4;
const MMRDY = 1 << 5;
const BFRDY = 1 << 6;
const LSPEN = 1 << 30;
const ASPEN = 1 << 31;
const FPCA = 1 << 2;
const CP10_CP11_FULL = 0xf << 20;

const IRQ0 = 16;
const IRQ1 = 17;
const USAGE_FAULT = 6;
const BUS_FAULT_EXC = 5;
const MOV_SP_R0 = 0x4685;

/** MSR/MRS special register encodings (T32), register r0/r1. */
const msr = (rn: number, sysm: number, mask = 2) => [0xf380 | rn, 0x8000 | (mask << 10) | sysm];
const mrs = (rd: number, sysm: number) => [0xf3ef, 0x8000 | (rd << 8) | sysm];

function m4(): Rig {
  return new Rig(CORTEX_M4);
}

/** Fill S0-S15 with recognisable values and FPSCR with a non-zero one. */
function fillFp(r: Rig, base: number): void {
  for (let i = 0; i < 32; i++) r.state.s[i] = (base + i) | 0;
  r.state.fpscr = 0x80c00095 | 0;
}

/**
 * Thread code with an active FP context (FPCA=1 via the first FP instruction) takes IRQ0.
 * Returns the rig in the handler's first instruction.
 */
function enterIrqWithFpContext(r: Rig, handler: number[], stackTop = STACK_TOP): void {
  r.w32(0, stackTop);
  r.code(handlerAddr(IRQ0), handler);
  r.boot([T.NOP, T.NOP, T.B_SELF]);
  r.mmioW(CPACR, CP10_CP11_FULL);
  r.mmioW(ISER0, 1);
  expect(r.sys.fpCheck(RESET_PC)).toBe(true); // the thread's first FP instruction
  fillFp(r, 0x1000);
  r.run(1);
  r.mmioW(ISPR0, 1);
  r.run(0);
  expect(r.state.ipsr).toBe(IRQ0);
}

describe('FPU system registers', () => {
  it('resets as QEMU cortex-m4 and masks writes', () => {
    const r = m4();
    r.boot([T.B_SELF]);
    expect(r.mmioR(CPUID)).toBe(0x410fc240);
    expect(r.mmioR(CPACR)).toBe(0);
    expect(r.mmioR(FPCCR)).toBe((ASPEN | LSPEN) >>> 0);
    expect(r.mmioR(FPCAR)).toBe(0);
    expect(r.mmioR(FPDSCR)).toBe(0);
    expect(r.mmioR(MVFR0)).toBe(0x10110021);
    expect(r.mmioR(MVFR1)).toBe(0x11000011);
    expect(r.mmioR(MVFR2)).toBe(0);
    r.mmioW(CPACR, 0xffffffff);
    expect(r.mmioR(CPACR)).toBe(0x00f00000);
    r.mmioW(FPDSCR, 0xffffffff);
    expect(r.mmioR(FPDSCR)).toBe(0x07c00000);
    r.mmioW(FPCAR, 0x20000ffd);
    expect(r.mmioR(FPCAR)).toBe(0x20000ff8);
    // Only v7-M bits stick (no S, SPLIMVIOL, UFRDY, CLRONRET, LSPENS, TS...).
    r.mmioW(FPCCR, 0xffffffff);
    expect(r.mmioR(FPCCR)).toBe(0xc000017b);
    r.mmioW(FPCCR, 0);
    expect(r.mmioR(FPCCR)).toBe(0);
  });

  it('does not exist on the Cortex-M3', () => {
    const r = new Rig();
    r.boot([T.B_SELF]);
    r.mmioW(CPACR, 0xffffffff);
    r.mmioW(FPCCR, 0xffffffff);
    r.mmioW(FPDSCR, 0xffffffff);
    for (const a of [CPACR, FPCCR, FPCAR, FPDSCR, MVFR0, MVFR1]) expect(r.mmioR(a)).toBe(0);
    expect(r.sys.fpCheck(RESET_PC)).toBe(false);
    expect(r.mmioR(CFSR)).toBe(CFSR_NOCP);
  });
});

describe('ExecuteFPCheck', () => {
  it('raises NOCP while CPACR denies CP10, per privilege', () => {
    const r = m4();
    r.boot([T.B_SELF]);
    expect(r.sys.fpCheck(RESET_PC)).toBe(false);
    expect(r.mmioR(CFSR)).toBe(CFSR_NOCP);
    expect(r.mmioR(SHCSR) & (1 << 12)).toBe(0); // UsageFault disabled: escalated to HardFault
    expect(r.mmioR(HFSR) >>> 0).toBe(0x40000000);
    r.mmioW(CFSR, CFSR_NOCP);

    r.mmioW(CPACR, 1 << 20); // CP10 privileged only
    r.state.control = 1; // unprivileged thread
    expect(r.sys.fpCheck(RESET_PC)).toBe(false);
    r.state.control = 0;
    r.mmioW(CFSR, CFSR_NOCP);
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
    expect(r.mmioR(CFSR)).toBe(0);

    r.mmioW(CPACR, 2 << 20); // 0b10 is treated as "denied"
    expect(r.sys.fpCheck(RESET_PC)).toBe(false);
    r.mmioW(CPACR, 0xf << 20);
    r.state.control = 1;
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
  });

  it('starts a new FP context from FPDSCR when ASPEN is set and FPCA clear', () => {
    const r = m4();
    r.boot([T.B_SELF]);
    r.mmioW(CPACR, CP10_CP11_FULL);
    r.mmioW(FPDSCR, 0x03c00000); // DN, FZ, RMode=RZ
    r.state.fpscr = 0x2000009f;
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
    expect(r.state.control & FPCA).toBe(FPCA);
    expect(r.state.fpscr >>> 0).toBe(0x03c00000);
    r.state.fpscr = 0x10000001;
    expect(r.sys.fpCheck(RESET_PC)).toBe(true); // context already active: FPSCR kept
    expect(r.state.fpscr).toBe(0x10000001);

    const noAspen = m4();
    noAspen.boot([T.B_SELF]);
    noAspen.mmioW(CPACR, CP10_CP11_FULL);
    noAspen.mmioW(FPCCR, LSPEN);
    noAspen.state.fpscr = 0x10000001;
    expect(noAspen.sys.fpCheck(RESET_PC)).toBe(true);
    expect(noAspen.state.control & FPCA).toBe(0);
    expect(noAspen.state.fpscr).toBe(0x10000001);
  });
});

describe('exception entry and return with FP state', () => {
  it('reserves the extended frame lazily, preserves on the first FP instruction, and restores on return', () => {
    const r = m4();
    enterIrqWithFpContext(r, [T.NOP, T.NOP, T.BX_LR]);
    const frame = STACK_TOP - 0x68;
    expect(r.sp).toBe(frame);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffe9); // FTYPE=0: extended frame
    expect(r.state.control & FPCA).toBe(0); // cleared on entry
    expect(r.mmioR(FPCAR)).toBe(frame + 0x20);
    // LSPACT, THREAD, HFRDY, BFRDY as QEMU records them (UsageFault/MemManage disabled: not ready).
    expect(r.mmioR(FPCCR)).toBe((ASPEN | LSPEN | THREAD | HFRDY | LSPACT) >>> 0);
    expect(r.r32(frame + 0x20)).toBe(0); // nothing written yet
    // S0-S15 still hold the thread's values.
    expect(r.state.s[0]).toBe(0x1000);

    r.run(1);
    expect(r.sys.fpCheck(handlerAddr(IRQ0) + 2)).toBe(true); // handler's first FP instruction
    for (let i = 0; i < 16; i++) expect(r.r32(frame + 0x20 + 4 * i)).toBe(0x1000 + i);
    expect(r.r32(frame + 0x60)).toBe(0x80c00095);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(0);
    expect(r.state.control & FPCA).toBe(FPCA);
    expect(r.state.fpscr).toBe(0); // new context from FPDSCR
    r.state.s.fill(0x7777, 0, 32); // the handler clobbers every FP register

    r.run(2); // NOP, BX LR
    expect(r.state.ipsr).toBe(0);
    expect(r.sp).toBe(STACK_TOP);
    expect(r.pc).toBe(RESET_PC + 2);
    for (let i = 0; i < 16; i++) expect(r.state.s[i]).toBe(0x1000 + i);
    expect(r.state.s[16]).toBe(0x7777); // S16-S31 are callee-saved: not in the frame
    expect(r.state.fpscr >>> 0).toBe(0x80c00095);
    expect(r.state.control & FPCA).toBe(FPCA);
  });

  it('restores nothing when the handler never used the FPU (LSPACT still set)', () => {
    const r = m4();
    enterIrqWithFpContext(r, [T.NOP, T.BX_LR]);
    const frame = STACK_TOP - 0x68;
    for (let i = 0; i < 18; i++) r.w32(frame + 0x20 + 4 * i, 0xdead0000 + i); // must not be loaded
    r.run(2);
    expect(r.state.ipsr).toBe(0);
    expect(r.sp).toBe(STACK_TOP);
    expect(r.state.s[3]).toBe(0x1003);
    expect(r.state.fpscr >>> 0).toBe(0x80c00095);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(0);
    expect(r.state.control & FPCA).toBe(FPCA);
  });

  it('writes and clears the FP registers at entry when LSPEN is clear', () => {
    const r = m4();
    r.boot([T.B_SELF]);
    r.mmioW(FPCCR, ASPEN);
    enterIrqWithFpContextAfterBoot(r);
    const frame = STACK_TOP - 0x68;
    for (let i = 0; i < 16; i++) expect(r.r32(frame + 0x20 + 4 * i)).toBe(0x1000 + i);
    expect(r.r32(frame + 0x60)).toBe(0x80c00095);
    expect(r.state.s.slice(0, 16).every((v) => v === 0)).toBe(true);
    expect(r.state.s[16]).toBe(0x1010);
    expect(r.state.fpscr).toBe(0);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(0);
    r.state.s[5] = 99;
    r.run(2);
    expect(r.state.s[5]).toBe(0x1005);
    expect(r.state.fpscr >>> 0).toBe(0x80c00095);
  });

  it('records which faults the interrupted context could take (UFRDY/BFRDY/MMRDY, HFRDY)', () => {
    const r = m4();
    r.code(handlerAddr(IRQ0), [T.B_SELF]);
    r.boot([T.NOP, T.B_SELF]);
    r.mmioW(CPACR, CP10_CP11_FULL);
    r.mmioW(SHCSR, 7 << 16); // MemManage, BusFault, UsageFault enabled at priority 0
    r.mmioW(ISER0, 1);
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
    r.mmioW(ISPR0, 1);
    r.run(0);
    // QEMU shows UFRDY (bit 10) in FPCCR reads: it lives in the non-secure bank.
    expect(r.mmioR(FPCCR)).toBe((ASPEN | LSPEN | (1 << 10) | BFRDY | MMRDY | HFRDY | THREAD | LSPACT) >>> 0);

    // BASEPRI 0x20 masks the faults (priority 0x40) but not IRQ0 (priority 0): none is ready.
    const masked = m4();
    masked.code(handlerAddr(IRQ0), [T.B_SELF]);
    masked.boot([T.B_SELF]);
    masked.mmioW(CPACR, CP10_CP11_FULL);
    masked.mmioW(SHCSR, 7 << 16);
    masked.mmioW(0xe000ed18, 0x404040); // SHPR1: MemManage, BusFault, UsageFault at 0x40
    masked.mmioW(ISER0, 1);
    expect(masked.sys.fpCheck(RESET_PC)).toBe(true);
    masked.state.basepri = 0x20;
    masked.mmioW(ISPR0, 1);
    masked.run(0);
    expect(masked.state.ipsr).toBe(IRQ0);
    expect(masked.mmioR(FPCCR)).toBe((ASPEN | LSPEN | HFRDY | THREAD | LSPACT) >>> 0);
  });

  it('pads an unaligned stack and undoes it on return', () => {
    const r = m4();
    enterIrqWithFpContext(r, [T.NOP, T.BX_LR], 0x20000ffc);
    const frame = 0x20000ffc - 4 - 0x68;
    expect(r.sp).toBe(frame);
    expect(r.r32(frame + 28) & (1 << 9)).toBe(1 << 9);
    expect(r.mmioR(FPCAR)).toBe(frame + 0x20);
    r.run(2);
    expect(r.sp).toBe(0x20000ffc);
  });

  it('records USER for unprivileged thread code and uses it for the deferred CPACR check', () => {
    const r = m4();
    r.code(handlerAddr(IRQ0), [T.NOP, T.BX_LR]);
    r.code(handlerAddr(USAGE_FAULT), [T.B_SELF]);
    r.boot([T.NOP, T.B_SELF]);
    r.mmioW(CPACR, 1 << 20); // privileged access only
    r.mmioW(SHCSR, 1 << 18); // UsageFault enabled
    r.mmioW(ISER0, 1);
    r.mmioW(IPR0, 0x80); // below UsageFault, so the NOCP preempts the handler
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
    r.mmioW(ISPR0, 1);
    r.state.control |= 1; // drop privilege with an FP context active
    r.run(0);
    expect(r.state.ipsr).toBe(IRQ0);
    expect(r.mmioR(FPCCR) & (USER | THREAD | LSPACT)).toBe(USER | THREAD | LSPACT);
    // The handler is privileged, but the state it would preserve belongs to unprivileged code.
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(false);
    expect(r.mmioR(CFSR)).toBe(CFSR_NOCP);
    r.run(0);
    expect(r.state.ipsr).toBe(USAGE_FAULT);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(LSPACT); // the FP instruction was abandoned
  });

  it('goes on with the FP instruction when the lazy-preservation fault cannot preempt yet', () => {
    const r = m4();
    r.code(handlerAddr(IRQ0), [T.NOP, T.BX_LR]);
    r.boot([T.NOP, T.B_SELF]);
    r.mmioW(CPACR, 1 << 20);
    r.mmioW(SHCSR, 1 << 18);
    r.mmioW(ISER0, 1); // IRQ0 at priority 0, like the UsageFault
    expect(r.sys.fpCheck(RESET_PC)).toBe(true);
    r.mmioW(ISPR0, 1);
    r.state.control |= 1;
    r.run(0);
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(true);
    expect(r.mmioR(CFSR)).toBe(CFSR_NOCP);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(0);
    expect(r.state.ipsr).toBe(IRQ0);
  });

  it('raises a BusFault with LSPERR when FPCAR points at nothing', () => {
    const r = m4();
    r.code(handlerAddr(BUS_FAULT_EXC), [T.B_SELF]);
    enterIrqWithFpContext(r, [T.NOP, T.BX_LR]);
    r.mmioW(SHCSR, 1 << 17); // BusFault enabled (after entry: BFRDY was recorded as 0)
    r.mmioW(FPCAR, 0x10000000);
    // BFRDY clear in FPCCR: the fault escalates to HardFault, taken before the FP instruction.
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(false);
    expect(r.mmioR(CFSR)).toBe(CFSR_LSPERR);
    expect(r.mmioR(HFSR) >>> 0).toBe(0x40000000);
    expect(r.mmioR(FPCCR) & LSPACT).toBe(LSPACT);
    r.run(0);
    expect(r.state.ipsr).toBe(3);
  });

  it('keeps FTYPE=0 in EXC_RETURN when tail-chaining', () => {
    const r = m4();
    r.code(handlerAddr(IRQ1), [T.B_SELF]);
    enterIrqWithFpContext(r, [T.BX_LR]);
    r.mmioW(ISER0, 3);
    r.mmioW(ISPR0, 2);
    r.run(1); // BX LR tail-chains into IRQ1
    expect(r.state.ipsr).toBe(IRQ1);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffe9);
    expect(r.sp).toBe(STACK_TOP - 0x68);
  });

  it('nests: a handler with its own FP context stacks an extended frame on top', () => {
    const r = m4();
    r.code(handlerAddr(IRQ1), [T.NOP, T.BX_LR]);
    enterIrqWithFpContext(r, [T.NOP, T.NOP, T.NOP, T.BX_LR]);
    r.mmioW(IPR0, 0x0080); // IRQ1 above IRQ0
    r.mmioW(ISER0, 3);
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(true); // preserves the thread's state
    const outer = STACK_TOP - 0x68;
    r.state.s[0] = 0x2222;
    r.mmioW(ISPR0, 2);
    r.run(0);
    expect(r.state.ipsr).toBe(IRQ1);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffe1); // handler mode, extended frame
    expect(r.sp).toBe(outer - 0x68);
    expect(r.mmioR(FPCAR)).toBe(outer - 0x68 + 0x20);
    expect(r.mmioR(FPCCR) & (THREAD | LSPACT)).toBe(LSPACT);
    r.run(2); // IRQ1: NOP, BX LR (no FP use: nothing restored)
    expect(r.state.ipsr).toBe(IRQ0);
    expect(r.state.s[0]).toBe(0x2222);
    r.run(4);
    expect(r.state.ipsr).toBe(0);
    expect(r.state.s[0]).toBe(0x1000);
  });

  it('raises NOCP on the existing frame when CPACR denies the FPU to the context returned to', () => {
    const r = m4();
    r.code(handlerAddr(USAGE_FAULT), [T.B_SELF]);
    enterIrqWithFpContext(r, [T.NOP, T.NOP, T.BX_LR]);
    r.mmioW(SHCSR, 1 << 18);
    r.run(1);
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(true);
    r.mmioW(CPACR, 0);
    r.run(2);
    expect(r.state.ipsr).toBe(USAGE_FAULT);
    expect(r.mmioR(CFSR)).toBe(CFSR_NOCP);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffe9);
    expect(r.sp).toBe(STACK_TOP - 0x68);
  });

  it('zeroes S0-S15 and FPSCR and pends a BusFault when the FP part of the frame cannot be read', () => {
    const r = m4();
    enterIrqWithFpContext(r, [T.NOP, MOV_SP_R0, T.BX_LR]);
    r.run(1);
    expect(r.sys.fpCheck(handlerAddr(IRQ0))).toBe(true);
    // Move the frame so that its FP part lies past the end of SRAM (0x20010000).
    const moved = 0x20010000 - 0x20 - 8;
    for (let i = 0; i < 8; i++) r.w32(moved + 4 * i, r.r32(r.sp + 4 * i));
    r.state.r[0] = moved;
    r.run(2); // MOV SP, BX LR: the return completes, then the pended fault is taken
    expect(r.state.s[0]).toBe(0);
    expect(r.state.fpscr).toBe(0);
    expect(r.mmioR(CFSR)).toBe(CFSR_UNSTKERR);
    expect(r.state.ipsr).toBe(3); // BusFault disabled: escalated to HardFault
    expect(r.r32(r.sp + 24)).toBe(RESET_PC + 2); // ...taken from the thread code returned to
  });
});

describe('special registers on the M4', () => {
  it('MSR/MRS CONTROL carries FPCA (ignored on the M3)', () => {
    for (const [rig, fpca] of [
      [m4(), FPCA],
      [new Rig(), 0],
    ] as const) {
      rig.boot([T.movsR0(4), ...msr(0, SysReg.CONTROL), ...mrs(1, SysReg.CONTROL), T.B_SELF]);
      rig.run(3);
      expect(rig.state.control).toBe(fpca);
      expect(rig.state.r[1]).toBe(fpca);
    }
  });

  it('exception entry from a context with FPCA set by MSR uses the extended frame', () => {
    const r = m4();
    r.boot([T.movsR0(4), ...msr(0, SysReg.CONTROL), T.B_SELF]);
    r.mmioW(ISER0, 1);
    r.run(2);
    r.mmioW(ISPR0, 1);
    r.run(0);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffe9);
    expect(r.sp).toBe(STACK_TOP - 0x68);
  });

  it('APSR_g writes GE and MRS APSR reads it on the M4 only', () => {
    const prog = [0xf04f, 0x2000 | 0x0f, ...msr(0, SysReg.APSR, 1), ...mrs(1, SysReg.APSR), T.B_SELF];
    // MOV.W r0, #0x000f0000 is "f44f 2070"; build it with the modified-immediate form instead.
    prog.splice(0, 2, 0xf44f, 0x2070);
    const r = m4();
    r.boot(prog);
    r.run(3);
    expect(r.state.ge).toBe(0xf);
    expect((r.state.r[1]! >>> 0) & 0x000f0000).toBe(0x000f0000);
    const m3 = new Rig();
    m3.boot(prog);
    m3.run(3);
    expect(m3.state.ge).toBe(0);
    expect((m3.state.r[1]! >>> 0) & 0x000f0000).toBe(0);
  });

  it('exception return restores GE from the stacked xPSR on the M4 only', () => {
    for (const [rig, ge] of [
      [m4(), 0xa],
      [new Rig(), 0],
    ] as const) {
      rig.code(handlerAddr(IRQ0), [T.BX_LR]);
      rig.boot([T.NOP, T.B_SELF]);
      rig.mmioW(ISER0, 1);
      rig.mmioW(ISPR0, 1);
      rig.run(0);
      rig.w32(rig.sp + 28, rig.r32(rig.sp + 28) | (0xa << 16));
      rig.state.ge = 0;
      rig.run(1);
      expect(rig.state.ipsr).toBe(0);
      expect(rig.state.ge).toBe(ge);
    }
  });
});

/** Like enterIrqWithFpContext for a rig that is already booted (to keep FPCCR settings). */
function enterIrqWithFpContextAfterBoot(r: Rig): void {
  r.code(handlerAddr(IRQ0), [T.NOP, T.BX_LR]);
  r.code(RESET_PC, [T.NOP, T.NOP, T.B_SELF]);
  r.mmioW(CPACR, CP10_CP11_FULL);
  r.mmioW(ISER0, 1);
  expect(r.sys.fpCheck(RESET_PC)).toBe(true);
  fillFp(r, 0x1000);
  r.run(1);
  r.mmioW(ISPR0, 1);
  r.run(0);
  expect(r.state.ipsr).toBe(IRQ0);
}
