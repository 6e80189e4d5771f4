/**
 * The ARMv7-M exception model (system side of the core), following QEMU 7.2's m_helper.c for a
 * Cortex-M3 or Cortex-M4F without Security Extension: reset, exception entry (stacking, vector
 * fetch), exception return with tail-chaining and its integrity checks, fault escalation (in the
 * Nvic), special registers (MRS/MSR/CPS), sleep hints, and BKPT/semihosting. On the M4F also the
 * FP context: ExecuteFPCheck, the extended frame and lazy state preservation (FPCCR/FPCAR live in
 * the Nvic's state, CONTROL.FPCA in CpuState).
 *
 * Synchronous exceptions are pended in the Nvic and taken by the machine loop at the next
 * instruction boundary through `takePendingException()`; entry consumes no icount.
 */
import type { Bus } from '../memory/bus.js';
import { BUS_FAULT } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import { type CpuState, LR, PC, SP, RUNNING, SLEEP_WFE, SLEEP_WFI, LOCKUP } from './state.js';
import type { CpuSystem } from './system.js';
import { Exc, SysReg, UsageCause } from './system.js';
import type { ExceptionUnit } from '../machines/machine.js';
import {
  CCR_NONBASETHRDENA,
  CCR_STKALIGN,
  CFSR_BFARVALID,
  CFSR_IBUSERR,
  CFSR_INVPC,
  CFSR_LSPERR,
  CFSR_NOCP,
  CFSR_PRECISERR,
  CFSR_STKERR,
  CFSR_UNDEFINSTR,
  CFSR_UNSTKERR,
  HFSR_FORCED,
  HFSR_VECTTBL,
  type CoreFlags,
  type Nvic,
} from '../devices/nvic.js';
import type { Semihosting } from '../semihosting.js';
import { FPSCR_WRITABLE } from './fpu/fpscr.js';

/** xPSR bit 9: the frame was padded to 8-byte alignment. */
const XPSR_SPREALIGN = 1 << 9;
/** EXC_RETURN bits: FTYPE (1 = basic frame), MODE (thread), SPSEL (process stack). */
const EXCRET_FTYPE = 1 << 4;
const EXCRET_MODE = 1 << 3;
const EXCRET_SPSEL = 1 << 2;
/** Base EXC_RETURN: RES1, S, DCRS, ES set (what QEMU builds for v7-M). */
const EXCRET_BASE = 0xffffffe1 | 0x40 | 0x20;
/** CONTROL.FPCA: the current context has FP state (exception entry stacks the extended frame). */
const CONTROL_FPCA = 1 << 2;
const BASIC_FRAME_SIZE = 0x20;
/** Basic frame + S0-S15, FPSCR and a reserved word. */
const FP_FRAME_SIZE = 0x68;
/** Offset of FPSCR in the FP part of the frame (from its start, i.e. from FPCAR). */
const FP_FRAME_FPSCR = 0x40;
/** xPSR.GE[3:0]. */
const XPSR_GE_SHIFT = 16;
/** Immediate of BKPT that requests a semihosting call. */
const SEMIHOSTING_BKPT = 0xab;

/** What record/replay calls an "exception" event (QEMU logs these as EVENT_EXCEPTION). */
export type ExceptionEventKind = 'svc' | 'fault' | 'bkpt' | 'semihosting' | 'return';

export class ArmV7mSystem implements CpuSystem, ExceptionUnit {
  /**
   * A debugger's handler for BKPT instructions other than semihosting. Returns true when it
   * handled the event (the core stops at the BKPT, PC unchanged); false lets the architectural
   * behaviour happen (DebugMonitor, escalated to HardFault because it is disabled).
   */
  onBreakpointInstruction?: (pc: number) => boolean;
  /** Called for every event QEMU's record/replay logs as EXCEPTION. */
  onExceptionEvent: ((kind: ExceptionEventKind) => void) | null = null;
  /**
   * True when the last `takePendingException()` entry was caused by a synchronous exception
   * (SVC, fault, BKPT) raised since the previous boundary: QEMU takes those inside the exception
   * event and logs no INTERRUPT for them.
   */
  lastEntrySynchronous = false;
  /**
   * QEMU 7.2 implements WFE as a plain yield (no sleep); keep that by default so icounts match.
   * Set true to sleep on WFE until an event or interrupt.
   */
  wfeSleeps = false;
  private syncRaised = false;
  /** FPv4-SP present (CONTROL.FPCA, extended frames); DSP extension present (APSR.GE). */
  private readonly fpu: boolean;
  private readonly dsp: boolean;

  constructor(
    private readonly state: CpuState,
    private readonly bus: Bus,
    readonly clock: VirtualClock,
    private readonly core: CoreFlags,
    readonly nvic: Nvic,
    private readonly semihosting: Semihosting,
  ) {
    this.fpu = core.profile.fpu;
    this.dsp = core.profile.dsp;
  }

  // ---- machine-loop side (ExceptionUnit) --------------------------------------------------

  resetCore(): void {
    const st = this.state;
    st.r.fill(0);
    // QEMU resets the flag cache to zero, which reads as Z=1 (xPSR 0x41000000); the
    // architecture leaves APSR UNKNOWN, so match QEMU for lock-step comparisons.
    st.setApsr(0x40000000);
    st.ge = 0;
    st.s.fill(0);
    st.fpscr = 0;
    st.itstate = 0;
    st.ipsr = 0;
    st.control = 0;
    st.primask = 0;
    st.faultmask = 0;
    st.basepri = 0;
    st.spProcess = 0;
    st.spMain = 0;
    st.exclusiveAddr = -1;
    st.eventRegister = 0;
    st.sleep = RUNNING;
    st.r[LR] = -1;
    const vtor = this.nvic.vtor;
    const msp = this.readWordOrZero(vtor);
    const pc = this.readWordOrZero(vtor + 4);
    st.r[SP] = msp & ~3;
    st.r[PC] = pc & ~1;
    st.thumb = pc & 1;
    this.syncRaised = false;
    this.lastEntrySynchronous = false;
  }

  takePendingException(): number {
    const st = this.state;
    if (st.sleep === LOCKUP || !this.nvic.canTakePending()) return 0;
    this.lastEntrySynchronous = this.syncRaised;
    this.syncRaised = false;
    let lr = EXCRET_BASE;
    if (!(st.control & CONTROL_FPCA)) lr |= EXCRET_FTYPE;
    if (st.control & 2) lr |= EXCRET_SPSEL;
    if (st.ipsr === 0) lr |= EXCRET_MODE;
    // A stacking fault pends a derived BusFault; the priority pick below then takes it if it wins.
    this.pushStack();
    const exc = this.exceptionTaken(lr, false);
    if (st.sleep !== LOCKUP) st.sleep = RUNNING;
    return exc;
  }

  hasPendingForWakeup(): boolean {
    return this.nvic.wakeupRequested();
  }

  // ---- entry ------------------------------------------------------------------------------

  /**
   * Push the exception frame on the current stack: the 8-word basic frame, extended by the FP
   * registers when CONTROL.FPCA is set (written now, or only reserved with lazy preservation).
   * Returns true if a stacking fault was pended.
   */
  private pushStack(): boolean {
    const st = this.state;
    const fpFrame = (st.control & CONTROL_FPCA) !== 0;
    let xpsr = st.getXpsr();
    let frame = st.r[SP]! >>> 0;
    if (frame & 4 && this.nvic.ccr & CCR_STKALIGN) {
      frame -= 4;
      xpsr |= XPSR_SPREALIGN;
    }
    frame = (frame - (fpFrame ? FP_FRAME_SIZE : BASIC_FRAME_SIZE)) >>> 0;
    let ok =
      this.stackWrite(frame, st.r[0]!) &&
      this.stackWrite(frame + 4, st.r[1]!) &&
      this.stackWrite(frame + 8, st.r[2]!) &&
      this.stackWrite(frame + 12, st.r[3]!) &&
      this.stackWrite(frame + 16, st.r[12]!) &&
      this.stackWrite(frame + 20, st.r[LR]!) &&
      this.stackWrite(frame + 24, st.r[PC]!) &&
      this.stackWrite(frame + 28, xpsr);
    if (fpFrame) ok = this.pushFpState(frame + BASIC_FRAME_SIZE, ok);
    st.r[SP] = frame | 0;
    return !ok;
  }

  /**
   * The FP part of exception entry. With FPCCR.LSPEN the space stays reserved and FPCCR/FPCAR
   * record it; otherwise S0-S15 and FPSCR are written now and then cleared, as QEMU does (a CPACR
   * that denies the interrupted context the FPU makes this a NOCP UsageFault).
   */
  private pushFpState(fpFrame: number, ok: boolean): boolean {
    const st = this.state;
    const nvic = this.nvic;
    if (nvic.fpLazyPreserve) {
      nvic.recordLazyFpContext(fpFrame);
      return ok;
    }
    const allowed = nvic.fpAccessAllowed(this.isPrivileged());
    if (ok && !allowed) {
      nvic.setPending(Exc.UsageFault);
      nvic.addCfsr(CFSR_NOCP);
      ok = false;
    }
    for (let i = 0; i < 16 && ok; i++) ok = this.stackWrite(fpFrame + 4 * i, st.s[i]!);
    ok = ok && this.stackWrite(fpFrame + FP_FRAME_FPSCR, st.fpscr);
    if (allowed) {
      st.s.fill(0, 0, 16);
      st.fpscr = 0;
    }
    return ok;
  }

  private stackWrite(addr: number, value: number): boolean {
    try {
      this.bus.write32(addr, value);
      return true;
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      this.nvic.addCfsr(CFSR_STKERR);
      this.nvic.setPending(Exc.BusFault, true);
      return false;
    }
  }

  /**
   * Take the highest-priority pending exception (its frame is already on the stack): fetch the
   * vector, activate it, enter handler mode. A failed vector fetch pends a HardFault and retries.
   * Returns the exception number taken.
   */
  private exceptionTaken(lr: number, tailChain: boolean): number {
    const st = this.state;
    const nvic = this.nvic;
    if (tailChain) lr = this.tailChainLr(lr);
    for (;;) {
      if (st.sleep === LOCKUP) return 0;
      const exc = nvic.vectPending;
      const addr = (nvic.vtor + exc * 4) >>> 0;
      let vector: number;
      try {
        vector = this.bus.read32(addr);
      } catch (e) {
        if (e !== BUS_FAULT) throw e;
        nvic.addHfsr(HFSR_VECTTBL | HFSR_FORCED);
        nvic.setPending(Exc.HardFault, true);
        lr = this.tailChainLr(lr);
        continue;
      }
      const wasPsp = st.usingPsp;
      const taken = nvic.acknowledge();
      st.ipsr = taken;
      st.control &= ~(2 | CONTROL_FPCA);
      st.switchStack(wasPsp);
      st.exclusiveAddr = -1;
      st.itstate = 0;
      st.r[LR] = lr | 0;
      st.r[PC] = vector & ~1;
      st.thumb = vector & 1;
      return taken;
    }
  }

  /** EXC_RETURN for an exception taken without a new frame: FTYPE kept only with an FPU. */
  private tailChainLr(lr: number): number {
    if (!this.fpu) lr |= EXCRET_FTYPE;
    return (lr & 0x00ffffff) | 0xff000000;
  }

  // ---- return -----------------------------------------------------------------------------

  exceptionReturn(excReturn: number): void {
    const st = this.state;
    const nvic = this.nvic;
    this.onExceptionEvent?.('return');
    // A plain return needs no boundary: a pending exception that could preempt the context
    // returned to is tail-chained right here. Every other outcome (a branch outside handler mode,
    // a tail-chained or faulting return) stops the core so the machine loop re-evaluates.
    if (st.ipsr === 0) {
      this.core.exitRequest = true;
      // Not in handler mode: an ordinary branch (the next fetch faults).
      st.r[PC] = excReturn & ~1;
      st.thumb = excReturn & 1;
      return;
    }
    const excret = excReturn >>> 0;
    // A zero FTYPE is UNPREDICTABLE without an FPU; QEMU treats it as a basic frame.
    const fpFrame = this.fpu && (excret & EXCRET_FTYPE) === 0;
    const exc = st.ipsr;
    if (exc !== Exc.NMI) st.faultmask = 0;
    let ufault = false;
    const completion = nvic.completeIrq(exc);
    if (completion < 0) ufault = true;
    const returnToHandler = (excret & EXCRET_MODE) === 0;
    const returnToPsp = (excret & EXCRET_SPSEL) !== 0;
    switch (excret & 0xf) {
      case 1:
        break;
      case 9:
      case 13:
        if (completion !== 1 && !(nvic.ccr & CCR_NONBASETHRDENA)) ufault = true;
        break;
      default:
        ufault = true;
    }
    // Still in handler mode, so changing SPSEL does not switch the live SP.
    st.control = returnToPsp ? st.control | 2 : st.control & ~2;

    if (ufault) {
      nvic.addCfsr(CFSR_INVPC);
      nvic.setPending(Exc.UsageFault);
      this.exceptionTaken(excret, true);
      this.core.exitRequest = true;
      return;
    }
    if (nvic.canTakePending()) {
      this.exceptionTaken(excret, true);
      this.core.exitRequest = true;
      return;
    }

    const fromPsp = !returnToHandler && returnToPsp;
    let frame = (fromPsp ? st.getPsp() : st.getMsp()) >>> 0;
    const r = st.r;
    let xpsr = 0;
    try {
      r[0] = this.bus.read32(frame);
      r[1] = this.bus.read32(frame + 4);
      r[2] = this.bus.read32(frame + 8);
      r[3] = this.bus.read32(frame + 12);
      r[12] = this.bus.read32(frame + 16);
      r[LR] = this.bus.read32(frame + 20);
      r[PC] = this.bus.read32(frame + 24);
      xpsr = this.bus.read32(frame + 28);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      nvic.addCfsr(CFSR_UNSTKERR);
      nvic.setPending(Exc.BusFault);
      this.exceptionTaken(excret, true);
      this.core.exitRequest = true;
      return;
    }
    // v7-M leaves a set bit 0 UNPREDICTABLE; QEMU (like silicon) ignores it.
    r[PC] = r[PC]! & ~1;
    if (fpFrame) {
      const privileged = returnToHandler || (st.control & 1) === 0;
      if (!this.popFpState(frame + BASIC_FRAME_SIZE, privileged)) {
        // CPACR denies the FPU to the context returned to: NOCP on the existing frame.
        this.exceptionTaken(excret, true);
        this.core.exitRequest = true;
        return;
      }
      st.control |= CONTROL_FPCA;
    } else {
      st.control &= ~CONTROL_FPCA;
    }
    frame = (frame + (fpFrame ? FP_FRAME_SIZE : BASIC_FRAME_SIZE)) >>> 0;
    if (xpsr & XPSR_SPREALIGN) frame |= 4;
    if (fromPsp) st.setPsp(frame | 0);
    else st.setMsp(frame | 0);

    const wasPsp = st.usingPsp;
    st.setXpsr(xpsr);
    // QEMU restores GE only on a core with the DSP extension.
    if (this.dsp) st.ge = (xpsr >>> XPSR_GE_SHIFT) & 0xf;
    st.switchStack(wasPsp);

    if (returnToHandler !== (st.ipsr !== 0)) {
      // Frame's IPSR disagrees with EXC_RETURN: INVPC UsageFault on a fresh frame.
      nvic.setPending(Exc.UsageFault);
      nvic.addCfsr(CFSR_INVPC);
      this.pushStack();
      this.exceptionTaken(excret, false);
      this.core.exitRequest = true;
      return;
    }
    st.exclusiveAddr = -1;
  }

  /**
   * Restore S0-S15 and FPSCR from an extended frame, or, when lazy preservation never happened
   * (LSPACT still set), just end it: the registers still hold the interrupted context's values.
   * Returns false after pending a NOCP UsageFault (CPACR denies the FPU to the context returned to).
   * A failed read pends a BusFault, zeroes the FP registers and the return goes on, as in QEMU.
   */
  private popFpState(fpFrame: number, privileged: boolean): boolean {
    const st = this.state;
    const nvic = this.nvic;
    if (nvic.fpLazyPendingOnReturn) {
      nvic.clearFpLazyPending();
      return true;
    }
    if (!nvic.fpAccessAllowed(privileged)) {
      nvic.setPending(Exc.UsageFault);
      nvic.addCfsr(CFSR_NOCP);
      return false;
    }
    try {
      for (let i = 0; i < 16; i++) st.s[i] = this.bus.read32(fpFrame + 4 * i);
      st.fpscr = this.bus.read32(fpFrame + FP_FRAME_FPSCR) & FPSCR_WRITABLE;
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      nvic.addCfsr(CFSR_UNSTKERR);
      nvic.setPending(Exc.BusFault);
      st.s.fill(0, 0, 16);
      st.fpscr = 0;
    }
    return true;
  }

  // ---- synchronous exceptions raised by the ISA ---------------------------------------------

  private raiseSync(exc: number, kind: ExceptionEventKind): void {
    this.syncRaised = true;
    this.nvic.setPending(exc);
    this.core.exitRequest = true;
    this.onExceptionEvent?.(kind);
  }

  undefinedInstruction(_pc: number): void {
    this.nvic.addCfsr(CFSR_UNDEFINSTR);
    this.raiseSync(Exc.UsageFault, 'fault');
  }

  usageFault(cause: UsageCause, _pc: number): void {
    this.nvic.addCfsr(1 << (16 + cause));
    this.raiseSync(Exc.UsageFault, 'fault');
  }

  busFault(addr: number, _isWrite: boolean, _pc: number): void {
    this.nvic.addCfsr(CFSR_PRECISERR | CFSR_BFARVALID);
    this.nvic.setBfar(addr);
    this.raiseSync(Exc.BusFault, 'fault');
  }

  prefetchAbort(_pc: number): void {
    this.nvic.addCfsr(CFSR_IBUSERR);
    this.raiseSync(Exc.BusFault, 'fault');
  }

  svc(_imm: number): void {
    this.raiseSync(Exc.SVCall, 'svc');
  }

  bkpt(imm: number, pc: number): boolean {
    // QEMU only treats BKPT 0xAB as semihosting from privileged code (userspace semihosting off).
    if (imm === SEMIHOSTING_BKPT && this.isPrivileged()) {
      this.onExceptionEvent?.('semihosting');
      this.semihosting.call();
      this.core.exitRequest = true;
      return true;
    }
    if (this.onBreakpointInstruction?.(pc)) {
      this.core.exitRequest = true;
      return false;
    }
    // DebugMonitor is disabled (no DEMCR.MON_EN), so this escalates to HardFault.
    this.raiseSync(Exc.DebugMonitor, 'bkpt');
    return false;
  }

  // ---- special registers --------------------------------------------------------------------

  fpAccessible(): boolean {
    return this.fpu && this.nvic.fpAccessAllowed(this.isPrivileged());
  }

  fpCheck(pc: number): boolean {
    const st = this.state;
    const nvic = this.nvic;
    if (!this.fpu || !nvic.fpAccessAllowed(this.isPrivileged())) {
      this.usageFault(UsageCause.NOCP, pc);
      return false;
    }
    if (nvic.fpLazyPending && !this.preserveFpState()) return false;
    if (nvic.fpAutoPreserve && !(st.control & CONTROL_FPCA)) {
      // A new FP context: its FPSCR starts from FPDSCR.
      st.fpscr = nvic.fpdscr;
      st.control |= CONTROL_FPCA;
    }
    return true;
  }

  /**
   * Lazy state preservation (PreserveFPState): the first FP instruction after an exception entry
   * that reserved an FP frame writes S0-S15 and FPSCR there. A fault pended on the way is taken
   * before the instruction if it can preempt now (false: the instruction is abandoned); otherwise
   * LSPACT is cleared anyway and the instruction goes on, as QEMU does.
   */
  private preserveFpState(): boolean {
    const st = this.state;
    const nvic = this.nvic;
    let ok = true;
    if (!nvic.fpAccessAllowed(!nvic.fpLazyUser)) {
      nvic.setPendingLazyFp(Exc.UsageFault);
      nvic.addCfsr(CFSR_NOCP);
      ok = false;
    }
    const base = nvic.fpcar;
    for (let i = 0; i < 16 && ok; i++) ok = this.lazyWrite(base + 4 * i, st.s[i]!);
    ok = ok && this.lazyWrite(base + FP_FRAME_FPSCR, st.fpscr);
    if (!ok && nvic.canTakePending()) {
      this.syncRaised = true;
      this.core.exitRequest = true;
      this.onExceptionEvent?.('fault');
      return false;
    }
    nvic.clearFpLazyPending();
    return true;
  }

  private lazyWrite(addr: number, value: number): boolean {
    try {
      this.bus.write32(addr >>> 0, value);
      return true;
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      this.nvic.addCfsr(CFSR_LSPERR);
      this.nvic.setPendingLazyFp(Exc.BusFault);
      return false;
    }
  }

  isPrivileged(): boolean {
    return this.state.ipsr !== 0 || (this.state.control & 1) === 0;
  }

  readSpecial(sysm: number): number {
    const st = this.state;
    const priv = this.isPrivileged();
    if (sysm >= 0 && sysm <= 7) {
      let mask = 0;
      if (sysm & 1 && priv) mask |= 0x1ff; // IPSR (unprivileged reads as zero)
      if (!(sysm & 4)) mask |= this.dsp ? 0xf80f0000 : 0xf8000000; // APSR NZCVQ (and GE with DSP)
      return (st.getXpsr() & mask) >>> 0; // EPSR reads as zero
    }
    if (sysm === SysReg.CONTROL) return st.control;
    if (!priv) return 0;
    switch (sysm) {
      case SysReg.MSP:
        return st.getMsp() >>> 0;
      case SysReg.PSP:
        return st.getPsp() >>> 0;
      case SysReg.PRIMASK:
        return st.primask;
      case SysReg.BASEPRI:
      case SysReg.BASEPRI_MAX:
        return st.basepri;
      case SysReg.FAULTMASK:
        return st.faultmask;
      default:
        return 0;
    }
  }

  writeSpecial(sysm: number, mask: number, value: number): void {
    const st = this.state;
    const priv = this.isPrivileged();
    if (!priv && sysm > 7 && sysm !== SysReg.CONTROL) return;
    switch (sysm) {
      case 0:
      case 1:
      case 2:
      case 3:
        // Only APSR is writable: NZCVQ (mask bit 1), GE (mask bit 0) only with the DSP extension.
        if (mask & 2) st.setApsr(value);
        if (mask & 1 && this.dsp) st.ge = (value >>> XPSR_GE_SHIFT) & 0xf;
        return;
      case SysReg.MSP:
        st.setMsp(value & ~3);
        return;
      case SysReg.PSP:
        st.setPsp(value & ~3);
        return;
      case SysReg.PRIMASK:
        st.primask = value & 1;
        break;
      case SysReg.BASEPRI:
        st.basepri = value & 0xff;
        break;
      case SysReg.BASEPRI_MAX: {
        const v = value & 0xff;
        if (v !== 0 && (v < st.basepri || st.basepri === 0)) st.basepri = v;
        break;
      }
      case SysReg.FAULTMASK:
        st.faultmask = value & 1;
        break;
      case SysReg.CONTROL:
        if (!priv) return;
        if (st.ipsr === 0) {
          // SPSEL writes are ignored in handler mode on v7-M.
          const wasPsp = st.usingPsp;
          st.control = (st.control & ~2) | (value & 2);
          st.switchStack(wasPsp);
        }
        st.control = (st.control & ~1) | (value & 1);
        if (this.fpu) st.control = (st.control & ~CONTROL_FPCA) | (value & CONTROL_FPCA);
        // Stack, privilege or FP context changed: end the block so the boundary re-reads them.
        this.core.exitRequest = true;
        return;
      default:
        return;
    }
    this.maskChanged();
  }

  cps(disable: boolean, affectI: boolean, affectF: boolean): void {
    if (!this.isPrivileged()) return;
    const v = disable ? 1 : 0;
    if (affectF) this.state.faultmask = v;
    if (affectI) this.state.primask = v;
    this.maskChanged();
  }

  /**
   * PRIMASK/FAULTMASK/BASEPRI changed. Only a lower execution priority that lets a pending
   * exception preempt changes what the next boundary does, so only then stop the core: the
   * critical sections of an RTOS (raise, then restore with nothing pending) run on inside blocks.
   * Interpreter and JIT share this rule (both run MSR/CPS through these calls).
   */
  private maskChanged(): void {
    if (this.nvic.canTakePending()) this.core.exitRequest = true;
  }

  // ---- hints ------------------------------------------------------------------------------

  wfi(): void {
    // Like QEMU: no low-power state if an interrupt would wake the core at once.
    if (this.nvic.wakeupRequested()) return;
    this.state.sleep = SLEEP_WFI;
    this.core.exitRequest = true;
  }

  wfe(): void {
    const st = this.state;
    this.core.exitRequest = true;
    if (!this.wfeSleeps) return;
    if (st.eventRegister) {
      st.eventRegister = 0;
      return;
    }
    st.sleep = SLEEP_WFE;
  }

  sev(): void {
    this.state.eventRegister = 1;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private readWordOrZero(addr: number): number {
    try {
      return this.bus.read32(addr);
    } catch (e) {
      if (e !== BUS_FAULT) throw e;
      return 0;
    }
  }
}
