import { describe, expect, it } from 'vitest';
import { Rig, T, STACK_TOP, RESET_PC, handlerAddr } from './exceptions-rig.js';
import { SysReg } from '../../src/emulator/cpu/system.js';
import { BUS_FAULT } from '../../src/emulator/memory/bus.js';
import { LOCKUP, SLEEP_WFI } from '../../src/emulator/cpu/state.js';

const ISER0 = 0xe000e100;
const ISPR0 = 0xe000e200;
const IPR0 = 0xe000e400;
const ICSR = 0xe000ed04;
const VTOR = 0xe000ed08;
const AIRCR = 0xe000ed0c;
const CCR = 0xe000ed14;
const SHCSR = 0xe000ed24;
const CFSR = 0xe000ed28;
const HFSR = 0xe000ed2c;
const CPUID = 0xe000ed00;

const IRQ0 = 16;
const IRQ1 = 17;

function faults(f: () => void): boolean {
  try {
    f();
  } catch (e) {
    if (e === BUS_FAULT) return true;
    throw e;
  }
  return false;
}

function frame(r: Rig, sp: number) {
  return [0, 4, 8, 12, 16, 20, 24, 28].map((o) => r.r32(sp + o));
}

describe('reset', () => {
  it('loads SP/PC from the vector table and resets the SCB like QEMU cortex-m3', () => {
    const r = new Rig();
    r.boot([T.B_SELF]);
    expect(r.sp).toBe(STACK_TOP);
    expect(r.pc).toBe(RESET_PC);
    expect(r.state.thumb).toBe(1);
    expect(r.state.r[14]! >>> 0).toBe(0xffffffff);
    expect(r.mmioR(CCR)).toBe(0x200);
    expect(r.mmioR(CPUID)).toBe(0x410fc231);
    expect(r.mmioR(AIRCR)).toBe(0xfa050000);
    expect(r.mmioR(0xe000e004)).toBe(0); // ICTR: 32 lines
  });
});

describe('exception entry and return', () => {
  it('stacks 8 words with alignment padding, enters the handler with EXC_RETURN, and unstacks', () => {
    const r = new Rig();
    r.w32(0, 0x20000ffc); // SP not 8-aligned: frame gets a padding word
    r.code(handlerAddr(IRQ0), [T.ADDS_R2_1, T.BX_LR]);
    r.boot([T.movsR0(5), T.movsR1(6), T.NOP, T.B_SELF]);
    r.mmioW(ISER0, 1);
    r.run(2);
    r.nvic.setIrqLevel(0, true);
    r.run(1); // entry (no icount) + ADDS in the handler
    expect(r.clock.icount).toBe(3);
    expect(r.state.ipsr).toBe(IRQ0);
    expect(r.state.r[14]! >>> 0).toBe(0xfffffff9);
    const sp = 0x20000ffc - 4 - 0x20;
    expect(r.sp).toBe(sp);
    expect(frame(r, sp)).toEqual([5, 6, 0, 0, 0, 0xffffffff, RESET_PC + 4, 0x01000200]);
    expect(r.state.r[2]).toBe(1);
    expect((r.mmioR(ICSR) & 0x1ff) >>> 0).toBe(IRQ0);
    r.nvic.setIrqLevel(0, false);
    r.run(1); // BX LR: exception return
    expect(r.state.ipsr).toBe(0);
    expect(r.pc).toBe(RESET_PC + 4);
    expect(r.sp).toBe(0x20000ffc);
    expect(r.clock.icount).toBe(4);
  });

  it('re-pends a level interrupt that is still asserted at exception return', () => {
    const r = new Rig();
    r.code(handlerAddr(IRQ0), [T.ADDS_R2_1, T.BX_LR]);
    r.boot([T.NOP, T.NOP, T.B_SELF]);
    r.mmioW(ISER0, 1);
    r.nvic.setIrqLevel(0, true);
    r.run(4); // entry, ADDS, BX (tail-chains into itself), ADDS
    expect(r.state.r[2]).toBe(2);
    expect(r.state.ipsr).toBe(IRQ0);
    expect(r.sp).toBe(STACK_TOP - 0x20); // only one frame: tail-chained
  });

  it('tail-chains a pending exception without unstacking', () => {
    const r = new Rig();
    r.code(handlerAddr(IRQ0), [T.BX_LR]);
    r.code(handlerAddr(IRQ1), [T.ADDS_R2_1, T.B_SELF]);
    r.boot([T.NOP, T.B_SELF]);
    r.mmioW(ISER0, 3);
    r.mmioW(ISPR0, 3);
    r.run(1); // IRQ0 (lower number wins a tie), BX LR
    expect(r.state.ipsr).toBe(IRQ1);
    expect(r.state.r[14]! >>> 0).toBe(0xfffffff9);
    expect(r.sp).toBe(STACK_TOP - 0x20);
    expect(r.pc).toBe(handlerAddr(IRQ1));
    expect(r.r32(STACK_TOP - 0x20 + 24)).toBe(RESET_PC); // original return address kept
    expect(r.clock.icount).toBe(1);
  });

  it('nests a higher-priority interrupt and respects PRIGROUP, BASEPRI and PRIMASK', () => {
    const setup = () => {
      const r = new Rig();
      r.code(handlerAddr(IRQ0), [T.NOP, T.NOP, T.B_SELF]);
      r.code(handlerAddr(IRQ1), [T.B_SELF]);
      r.boot([T.NOP, T.B_SELF]);
      r.mmioW(ISER0, 3);
      r.mmioW(IPR0, 0x4080); // IRQ0 0x80, IRQ1 0x40
      r.mmioW(ISPR0, 1);
      r.run(1);
      expect(r.state.ipsr).toBe(IRQ0);
      return r;
    };
    const nested = setup();
    nested.mmioW(ISPR0, 2);
    nested.run(1);
    expect(nested.state.ipsr).toBe(IRQ1);
    expect(nested.state.r[14]! >>> 0).toBe(0xfffffff1);
    expect(nested.sp).toBe(STACK_TOP - 0x40);
    expect(nested.mmioR(0xe000e300)).toBe(3); // IABR: both active
    expect(nested.mmioR(ICSR) & (1 << 11)).toBe(0); // RETTOBASE clear

    const grouped = setup();
    grouped.mmioW(AIRCR, 0x05fa0700); // PRIGROUP 7: no group bits, nothing preempts
    grouped.mmioW(ISPR0, 2);
    grouped.run(1);
    expect(grouped.state.ipsr).toBe(IRQ0);
    expect((grouped.mmioR(ICSR) >>> 12) & 0x1ff).toBe(IRQ1); // VECTPENDING
    expect(grouped.mmioR(ICSR) & (1 << 22)).not.toBe(0); // ISRPENDING

    const basepri = setup();
    basepri.sys.writeSpecial(SysReg.BASEPRI, 0, 0x40);
    basepri.mmioW(ISPR0, 2);
    basepri.run(1);
    expect(basepri.state.ipsr).toBe(IRQ0);
    basepri.sys.writeSpecial(SysReg.BASEPRI, 0, 0x50);
    basepri.run(1);
    expect(basepri.state.ipsr).toBe(IRQ1);

    const primask = setup();
    primask.sys.cps(true, true, false);
    primask.mmioW(ISPR0, 2);
    primask.run(1);
    expect(primask.state.ipsr).toBe(IRQ0);
    expect(primask.sys.hasPendingForWakeup()).toBe(true); // WFI would still wake
    primask.sys.cps(false, true, false);
    primask.run(1);
    expect(primask.state.ipsr).toBe(IRQ1);
  });

  it('stacks on PSP in thread mode with SPSEL and returns to it', () => {
    const r = new Rig();
    r.code(handlerAddr(IRQ0), [T.BX_LR]);
    r.boot([T.NOP, T.NOP, T.B_SELF]);
    r.sys.writeSpecial(SysReg.PSP, 0, 0x20000800);
    r.sys.writeSpecial(SysReg.CONTROL, 0, 2);
    expect(r.sp).toBe(0x20000800);
    expect(r.sys.readSpecial(SysReg.MSP)).toBe(STACK_TOP);
    r.mmioW(ISER0, 1);
    r.mmioW(ISPR0, 1);
    expect(r.sys.takePendingException()).toBe(IRQ0);
    expect(r.state.ipsr).toBe(IRQ0);
    expect(r.state.r[14]! >>> 0).toBe(0xfffffffd);
    expect(r.sp).toBe(STACK_TOP); // handler runs on MSP
    expect(r.sys.readSpecial(SysReg.PSP)).toBe(0x20000800 - 0x20);
    expect(r.state.control & 2).toBe(0);
    r.run(1);
    expect(r.state.ipsr).toBe(0);
    expect(r.sp).toBe(0x20000800);
    expect(r.state.control & 2).toBe(2);
  });
});

describe('synchronous exceptions and escalation', () => {
  it('takes SVCall with the next instruction as return address', () => {
    const r = new Rig();
    r.code(handlerAddr(11), [T.BX_LR]);
    r.boot([T.SVC0, T.NOP, T.B_SELF]);
    r.run(1);
    // The machine takes the SVC at the boundary after it (no icount); either way it is entered once.
    if (r.state.ipsr === 0) expect(r.sys.takePendingException()).toBe(11);
    expect(r.state.ipsr).toBe(11);
    expect(r.clock.icount).toBe(1);
    expect(r.sys.lastEntrySynchronous).toBe(true);
    expect(r.r32(r.sp + 24)).toBe(RESET_PC + 2);
    r.run(1);
    expect(r.pc).toBe(RESET_PC + 2);
  });

  it('escalates SVC under PRIMASK to HardFault with HFSR.FORCED', () => {
    const r = new Rig();
    r.boot([T.CPSID_I, T.SVC0, T.B_SELF]);
    r.run(3);
    expect(r.state.ipsr).toBe(3);
    expect(r.mmioR(HFSR)).toBe(0x40000000);
    expect(r.r32(r.sp + 24)).toBe(RESET_PC + 4);
  });

  it('reports UNDEFINSTR as HardFault while UsageFault is disabled, as UsageFault once enabled', () => {
    const disabled = new Rig();
    disabled.boot([T.NOP, T.UDF, T.B_SELF]);
    disabled.run(3);
    expect(disabled.state.ipsr).toBe(3);
    expect(disabled.mmioR(CFSR)).toBe(1 << 16);
    expect(disabled.mmioR(HFSR)).toBe(0x40000000);
    expect(disabled.r32(disabled.sp + 24)).toBe(RESET_PC + 2); // faulting instruction

    const enabled = new Rig();
    enabled.boot([T.NOP, T.UDF, T.B_SELF]);
    enabled.mmioW(SHCSR, 1 << 18);
    enabled.run(3);
    expect(enabled.state.ipsr).toBe(6);
    expect(enabled.mmioR(HFSR)).toBe(0);
    expect(enabled.mmioR(SHCSR) & (1 << 3)).not.toBe(0); // USGFAULTACT
    enabled.mmioW(CFSR, 0xffffffff);
    expect(enabled.mmioR(CFSR)).toBe(0);
  });

  it('locks up on a fault inside HardFault', () => {
    const r = new Rig();
    r.code(handlerAddr(3), [T.UDF]);
    r.boot([T.UDF]);
    const stop = r.run(10);
    expect(stop.kind).toBe('lockup');
    expect(r.state.sleep).toBe(LOCKUP);
  });

  it('turns an illegal EXC_RETURN into an INVPC UsageFault (escalated)', () => {
    const r = new Rig();
    // movs r0,#10; mvns r0,r0 (0xFFFFFFF5: return to handler on PSP, illegal); bx r0
    r.code(handlerAddr(IRQ0), [T.movsR0(10), 0x43c0, 0x4700]);
    r.boot([T.NOP, T.B_SELF]);
    r.mmioW(ISER0, 1);
    r.mmioW(ISPR0, 1);
    r.run(4);
    expect(r.state.ipsr).toBe(3);
    expect(r.mmioR(CFSR)).toBe(1 << 18);
    expect(r.mmioR(HFSR)).toBe(0x40000000);
    expect(r.mmioR(0xe000e300)).toBe(0); // IRQ0 was deactivated
  });

  it('raises HardFault VECTTBL when the vector fetch fails', () => {
    const r = new Rig();
    r.boot([T.NOP, T.B_SELF]);
    r.w32(0xff80 + 3 * 4, handlerAddr(3) | 1);
    r.mmioW(VTOR, 0xff80);
    r.mmioW(ISER0, 1 << 20);
    r.mmioW(ISPR0, 1 << 20); // vector at 0xff80 + 36*4 = 0x10010: unmapped
    expect(r.sys.takePendingException()).toBe(3);
    expect(r.state.ipsr).toBe(3);
    expect(r.mmioR(HFSR)).toBe(0x40000002);
    expect(r.mmioR(ISPR0)).toBe(1 << 20); // the interrupt stays pending
  });

  it('BKPT other than 0xAB: HardFault without a debugger, a stop with one', () => {
    const plain = new Rig();
    plain.boot([T.BKPT0, T.B_SELF]);
    plain.run(2);
    expect(plain.state.ipsr).toBe(3);
    expect(plain.mmioR(HFSR)).toBe(0x40000000);
    expect(plain.r32(plain.sp + 24)).toBe(RESET_PC);

    const dbg = new Rig();
    const hits: number[] = [];
    dbg.sys.onBreakpointInstruction = (pc) => {
      hits.push(pc);
      dbg.machine.pendingStop = { kind: 'breakpoint', pc };
      return true;
    };
    dbg.boot([T.NOP, T.BKPT0, T.B_SELF]);
    const stop = dbg.run(10);
    expect(stop).toEqual({ kind: 'breakpoint', pc: RESET_PC + 2 });
    expect(hits).toEqual([RESET_PC + 2]);
    expect(dbg.pc).toBe(RESET_PC + 2);
    expect(dbg.state.ipsr).toBe(0);
  });
});

describe('special registers and privilege', () => {
  it('applies the unprivileged rules of MRS/MSR/CPS and the SCS', () => {
    const r = new Rig();
    r.boot([T.B_SELF]);
    r.sys.writeSpecial(SysReg.BASEPRI_MAX, 0, 0x40);
    r.sys.writeSpecial(SysReg.BASEPRI_MAX, 0, 0x80);
    expect(r.sys.readSpecial(SysReg.BASEPRI)).toBe(0x40);
    r.sys.writeSpecial(SysReg.BASEPRI_MAX, 0, 0x20);
    expect(r.sys.readSpecial(SysReg.BASEPRI)).toBe(0x20);
    r.sys.writeSpecial(SysReg.BASEPRI_MAX, 0, 0);
    expect(r.sys.readSpecial(SysReg.BASEPRI_MAX)).toBe(0x20);
    r.sys.writeSpecial(SysReg.APSR, 2, 0xf8000000);
    expect(r.sys.readSpecial(SysReg.APSR)).toBe(0xf8000000);
    expect(r.sys.readSpecial(SysReg.XPSR)).toBe(0xf8000000); // EPSR reads as zero

    r.sys.writeSpecial(SysReg.CONTROL, 0, 1); // drop privilege
    expect(r.sys.isPrivileged()).toBe(false);
    r.sys.writeSpecial(SysReg.PRIMASK, 0, 1);
    r.sys.cps(true, true, true);
    expect(r.state.primask).toBe(0);
    expect(r.state.faultmask).toBe(0);
    expect(r.sys.readSpecial(SysReg.MSP)).toBe(0);
    expect(r.sys.readSpecial(SysReg.CONTROL)).toBe(1);
    r.sys.writeSpecial(SysReg.CONTROL, 0, 0); // ignored: unprivileged
    expect(r.state.control).toBe(1);
    expect(faults(() => r.bus.read32(ICSR))).toBe(true);
    expect(faults(() => r.bus.read32(0xe000e018))).toBe(true); // SysTick
    expect(faults(() => r.bus.read32(0xe0001000))).toBe(true); // DWT: default PPB region
  });

  it('reads unimplemented PPB space as zero when privileged', () => {
    const r = new Rig();
    r.boot([T.B_SELF]);
    expect(r.mmioR(0xe0001000)).toBe(0);
    r.mmioW(0xe0001000, 123);
    expect(r.mmioR(0xe000efe0)).toBe(0x00);
    expect(r.mmioR(0xe000efe4)).toBe(0xb0);
  });

  it('keeps CCR trap bits in sync with the core', () => {
    const r = new Rig();
    r.boot([T.B_SELF]);
    r.mmioW(CCR, 0x218);
    expect(r.cpu.divZeroTrap).toBe(true);
    expect(r.cpu.unalignTrap).toBe(true);
    expect(r.mmioR(CCR)).toBe(0x218);
  });
});

describe('sleep', () => {
  it('WFI sleeps until an interrupt, which returns after the WFI', () => {
    const r = new Rig();
    r.code(handlerAddr(15), [0x3401 /* adds r4,#1 (not stacked) */, T.BX_LR]);
    r.boot([T.WFI, T.ADDS_R0_1, T.B_SELF]);
    expect(r.run(5).kind).toBe('idle');
    expect(r.state.sleep).toBe(SLEEP_WFI);
    expect(r.clock.icount).toBe(1);
    // SysTick: reload 99 on the CPU clock (40 ns at shift 0 = 1 ns per instruction).
    r.mmioW(0xe000e014, 99);
    r.mmioW(0xe000e010, 7);
    r.run(3);
    expect(r.state.r[4]).toBe(1);
    expect(r.state.r[0]).toBe(1);
    // SysTick expires after RVR+1 = 100 ticks of 40 ns from enabling at t = 1 ns; it re-arms before
    // it pends, while the core still sleeps, ahead of every other timer, so (as QEMU's
    // timerlist_rearm -> icount_start_warp_timer) time warps to the second expiry, which fires
    // before the core wakes: the handler runs once, 8000 ns after enabling.
    expect(r.clock.nowNs()).toBe(1 + 8000 + 3);
  });
});
