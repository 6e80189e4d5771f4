/**
 * The ARMv7-A exception model (QEMU's `virt` A15 without Security or Virtualization Extensions;
 * with the Security Extensions of vexpress-a9's A9 also SMC, Monitor mode, MVBAR and SCR routing): reset state, exception entry (mode, SPSR, LR offsets, A/I/F masking, T from
 * SCTLR.TE, E from SCTLR.EE, vectors at VBAR or 0xffff0000), the IRQ/FIQ inputs, WFI/WFE/SEV and
 * semihosting.
 *
 * Synchronous exceptions are taken inside the instruction that raises them (they set the next PC);
 * IRQ and FIQ at instruction boundaries through `takePendingException` (entry retires nothing).
 * Record/replay: QEMU logs EXCEPTION for every synchronous exception (including semihosting calls
 * and PSCI calls) and INTERRUPT for IRQ/FIQ; exception returns are plain instructions on A-profile.
 */
import type { ExceptionUnit } from '../../machines/machine.js';
import type { StatefulComponent } from '../../devices/device.js';
import type { Semihosting } from '../../semihosting.js';
import type { CpuSystem } from '../system.js';
import { UsageCause } from '../system.js';
import { RUNNING, SLEEP_WFI } from '../state.js';
import type { ExceptionEventKind } from '../exceptions.js';
import type { ArmV7aCpu } from './cpu.js';
import {
  CPSR_A,
  CPSR_F,
  CPSR_I,
  MODE_ABT,
  MODE_FIQ,
  MODE_IRQ,
  MODE_MON,
  MODE_SVC,
  MODE_UND,
  type ArmV7aState,
} from './state.js';
import { SCTLR_EE, SCTLR_TE, SCTLR_V, SCTLR_RESET } from './core-registers.js';
import { SCR_FIQ, SCR_IRQ, SCR_NS } from './security-extensions.js';

/** Vector offsets (ARM DDI 0406C B1.8.1). */
const VEC_UND = 0x04;
const VEC_SVC = 0x08;
const VEC_PABT = 0x0c;
const VEC_DABT = 0x10;
const VEC_IRQ = 0x18;
const VEC_FIQ = 0x1c;

/** Numbers `takePendingException` reports (only for hooks and messages). */
export const TAKEN_IRQ = 1;
export const TAKEN_FIQ = 2;

export interface ExceptionUnitState extends Record<string, number> {
  /** Input levels from the interrupt controller. */
  irq: number;
  fiq: number;
}

export class ArmV7aExceptions implements CpuSystem, ExceptionUnit, StatefulComponent<ExceptionUnitState> {
  readonly name = 'v7a-exceptions';
  s: ExceptionUnitState = { irq: 0, fiq: 0 };
  onExceptionEvent: ((kind: ExceptionEventKind) => void) | null = null;
  /** Synchronous exceptions are taken inside their instruction, so an entry here never is one. */
  readonly lastEntrySynchronous = false;
  /** Where the core starts after reset (the ELF entry; bit 0 = Thumb). */
  bootEntry = 0;
  setBootEntry(entry: number): void {
    this.bootEntry = entry | 0;
  }
  /** QEMU 7.2 implements WFE as a yield (no sleep); matching it keeps icounts identical. */
  wfeSleeps = false;

  /** Set by the board; without it semihosting SVCs are ordinary SVCs. */
  semihosting: Semihosting | null = null;

  constructor(
    private readonly cpu: ArmV7aCpu,
    private readonly state: ArmV7aState,
  ) {}

  // ---- StatefulComponent ------------------------------------------------------------------

  reset(): void {
    this.s = { irq: 0, fiq: 0 };
  }
  save(): ExceptionUnitState {
    return { ...this.s };
  }
  load(st: ExceptionUnitState): void {
    this.s = { ...st };
  }

  // ---- machine loop (ExceptionUnit) -------------------------------------------------------

  /** QEMU's reset state for -kernel ELF on virt: SVC, A/I/F masked, MMU off, Z set (flag cache 0). */
  resetCore(): void {
    const st = this.state;
    st.r.fill(0);
    st.bankR13.fill(0);
    st.bankR14.fill(0);
    st.spsr.fill(0);
    st.usrR8.fill(0);
    st.fiqR8.fill(0);
    st.mode = MODE_SVC;
    st.aif = CPSR_A | CPSR_I | CPSR_F;
    st.bigEndian = 0;
    st.setApsr(0x40000000);
    st.ge = 0;
    st.itstate = 0;
    st.dStorage.fill(0);
    st.fpscr = 0;
    st.fpexc = 0;
    st.exclusiveAddr = -1;
    st.exclusiveVal = 0;
    st.exclusiveValHi = 0;
    st.eventRegister = 0;
    st.sleep = RUNNING;
    st.thumb = this.bootEntry & 1;
    st.r[15] = this.bootEntry & ~1;
    this.cpu.sctlrChanged(SCTLR_RESET);
    this.cpu.syncModeDependents();
  }

  /**
   * An IRQ or FIQ is pending and CPSR lets it in: `takePendingException` would take it now. A
   * change of CPSR's masks needs a loop boundary only then (nothing else can be taken there).
   */
  interruptTakeable(): boolean {
    const aif = this.state.aif;
    return (this.s.fiq !== 0 && (aif & CPSR_F) === 0) || (this.s.irq !== 0 && (aif & CPSR_I) === 0);
  }

  takePendingException(): number {
    const st = this.state;
    // SCR.FIQ / SCR.IRQ route the interrupt to Monitor mode (QEMU: an IRQ to Monitor masks F too).
    const scr = this.cpu.security?.s.scr ?? 0;
    if (this.s.fiq !== 0 && (st.aif & CPSR_F) === 0) {
      this.enterAsync((scr & SCR_FIQ) !== 0 ? MODE_MON : MODE_FIQ, VEC_FIQ, CPSR_A | CPSR_I | CPSR_F);
      return TAKEN_FIQ;
    }
    if (this.s.irq !== 0 && (st.aif & CPSR_I) === 0) {
      if ((scr & SCR_IRQ) !== 0) this.enterAsync(MODE_MON, VEC_IRQ, CPSR_A | CPSR_I | CPSR_F);
      else this.enterAsync(MODE_IRQ, VEC_IRQ, CPSR_A | CPSR_I);
      return TAKEN_IRQ;
    }
    return 0;
  }

  /** WFI wakes on a pending interrupt even when CPSR masks it. */
  hasPendingForWakeup(): boolean {
    return this.s.irq !== 0 || this.s.fiq !== 0;
  }

  setIrq(level: boolean): void {
    this.s.irq = level ? 1 : 0;
    if (level) this.cpu.exitRequest = true;
  }
  setFiq(level: boolean): void {
    this.s.fiq = level ? 1 : 0;
    if (level) this.cpu.exitRequest = true;
  }

  // ---- entry ------------------------------------------------------------------------------

  /** IRQ/FIQ at a boundary: r[15] is the next instruction; LR = it + 4 in both states. */
  private enterAsync(mode: number, offset: number, mask: number): void {
    const st = this.state;
    const ret = (st.r[15]! + 4) | 0;
    st.sleep = RUNNING;
    this.enter(mode, offset, ret, mask);
  }

  /**
   * Enter `mode` at vector `offset` with LR = `lr`: SPSR = CPSR, A/I/F |= mask, IT and J cleared,
   * T = SCTLR.TE, E = SCTLR.EE. Sets both r[15] and the core's next PC (sync exceptions run this
   * inside their instruction).
   */
  enter(mode: number, offset: number, lr: number, mask: number): void {
    const st = this.state;
    const cpu = this.cpu;
    cpu.pmu.elChange();
    const sctlr = cpu.coreRegs.s.sctlr;
    const cpsr = st.getCpsr();
    const security = cpu.security;
    // Any exception taken from Monitor mode is taken in Secure state (QEMU clears SCR.NS).
    if (security !== null && st.mode === MODE_MON) security.s.scr &= ~SCR_NS;
    st.setMode(mode);
    st.setSpsr(cpsr);
    st.illegal = 0; // QEMU clears IL (and J) on exception entry
    st.r[14] = lr;
    st.aif |= mask;
    st.itstate = 0;
    st.thumb = (sctlr & SCTLR_TE) !== 0 ? 1 : 0;
    st.bigEndian = (sctlr & SCTLR_EE) !== 0 ? 1 : 0;
    // Monitor mode has its own vector base (MVBAR); SCTLR.V high vectors do not apply to it.
    const base = mode === MODE_MON && security !== null ? security.s.mvbar : (sctlr & SCTLR_V) !== 0 ? 0xffff0000 : cpu.coreRegs.s.vbar;
    const pc = (base + offset) | 0;
    st.r[15] = pc;
    cpu.nextPc = pc;
    cpu.syncModeDependents();
    cpu.exitRequest = true;
    cpu.markExitToLoop();
  }

  /** UND: LR = instruction + 4 (A32) or + 2 (T32, even for a 32-bit instruction, as QEMU). */
  undefinedInstruction(pc: number): void {
    this.onExceptionEvent?.('fault');
    this.enter(MODE_UND, VEC_UND, (pc + (this.state.thumb !== 0 ? 2 : 4)) | 0, CPSR_I);
  }

  /** SVC: the core has set r[15] to the next instruction (the preferred return address). */
  svc(_imm: number): void {
    this.onExceptionEvent?.('svc');
    this.enter(MODE_SVC, VEC_SVC, this.state.r[15]!, CPSR_I);
  }

  /** SMC (Security Extensions, PL1): Monitor mode at MVBAR + 8, A/I/F masked, LR = next instruction. */
  smc(): void {
    this.onExceptionEvent?.('svc');
    this.enter(MODE_MON, VEC_SVC, this.state.r[15]!, CPSR_A | CPSR_I | CPSR_F);
  }

  /** Semihosting call (SVC 0x123456 / SVC 0xAB at PL1): performed at once, r0 = result. */
  semihostingCall(): void {
    this.onExceptionEvent?.('semihosting');
    this.cpu.pmu.elChange();
    this.semihosting?.call();
    this.cpu.exitRequest = true;
    this.cpu.markExitToLoop();
  }

  /** Data abort at `pc`: DFSR/DFAR from the fault; LR = pc + 8. Not counted (icount restored). */
  dataAbort(pc: number, fsr: number, far: number): void {
    const regs = this.cpu.coreRegs.s;
    regs.dfsr = fsr;
    regs.dfar = far | 0;
    this.onExceptionEvent?.('fault');
    this.enter(MODE_ABT, VEC_DABT, (pc + 8) | 0, CPSR_A | CPSR_I);
  }

  /** Prefetch abort (fetch fault or BKPT): IFSR/IFAR; LR = pc + 4. */
  prefetchAbortWith(pc: number, fsr: number, far: number): void {
    const regs = this.cpu.coreRegs.s;
    regs.ifsr = fsr;
    regs.ifar = far | 0;
    this.onExceptionEvent?.(fsr === 0x002 || fsr === 0x222 ? 'bkpt' : 'fault');
    this.enter(MODE_ABT, VEC_PABT, (pc + 4) | 0, CPSR_A | CPSR_I);
  }

  // ---- CpuSystem (what the shared Thumb rows call) -----------------------------------------

  usageFault(_cause: UsageCause, pc: number): void {
    // M-profile causes (NOCP, INVSTATE...) have no A-profile meaning: UNDEFINED.
    this.undefinedInstruction(pc);
  }
  busFault(addr: number, isWrite: boolean, pc: number): void {
    this.dataAbort(pc, isWrite ? 0x808 : 0x008, addr);
  }
  prefetchAbort(pc: number): void {
    this.prefetchAbortWith(pc, 0x008, pc);
  }
  bkpt(_imm: number, pc: number): boolean {
    this.cpu.breakpointAbort(pc);
    return false;
  }
  exceptionReturn(_excReturn: number): void {
    // No EXC_RETURN on A-profile: the core never calls this.
  }
  readSpecial(_sysm: number): number {
    return 0;
  }
  writeSpecial(_sysm: number, _mask: number, _value: number): void {}
  cps(disable: boolean, affectI: boolean, affectF: boolean): void {
    this.cpu.changeProcessorState(disable, (affectI ? CPSR_I : 0) | (affectF ? CPSR_F : 0), -1);
  }

  wfi(): void {
    // Like QEMU: no low-power state if an interrupt would wake the core at once.
    this.cpu.exitRequest = true;
    this.cpu.markExitToLoop();
    if (this.hasPendingForWakeup()) return;
    this.state.sleep = SLEEP_WFI;
  }
  wfe(): void {
    this.cpu.exitRequest = true;
    this.cpu.markExitToLoop();
    if (!this.wfeSleeps) return;
    const st = this.state;
    if (st.eventRegister) {
      st.eventRegister = 0;
      return;
    }
    st.sleep = 2;
  }
  sev(): void {
    this.state.eventRegister = 1;
  }
  isPrivileged(): boolean {
    return this.state.privileged;
  }
  fpCheck(_pc: number): boolean {
    return this.cpu.fpAccessAllowed();
  }
  fpAccessible(): boolean {
    return this.cpu.fpAccessAllowed();
  }
}
