/**
 * Cortex-M3 NVIC and System Control Block, modelled on QEMU 7.2's armv7m_nvic for a core without
 * the Security Extension (mps2-an385): 16 system exceptions + 32 external interrupts, 8 priority
 * bits, QEMU's cortex-m3 ID registers, and the same pending/active/priority bookkeeping, so the
 * exception chosen at every boundary matches QEMU's.
 *
 * Offsets are relative to the SCS base 0xE000E000 (the SysTick block 0x10-0xFF is routed elsewhere
 * by the Private Peripheral Bus).
 */
import { Device } from './device.js';
import type { InterruptController } from './irq.js';
import { BUS_FAULT } from '../memory/bus.js';
import { LOCKUP, type CpuState } from '../cpu/state.js';
import type { CoreProfile } from '../cpu/profile.js';

export const NUM_EXTERNAL_IRQS = 32;
export const NUM_VECTORS = 16 + NUM_EXTERNAL_IRQS;
/** "No exception" priority: one below the lowest configurable priority. */
export const NO_EXCEPTION_PRIORITY = 0x100;

const EXC_RESET = 1;
const EXC_NMI = 2;
const EXC_HARD = 3;
const EXC_MEM = 4;
const EXC_BUS = 5;
const EXC_USAGE = 6;
const EXC_SVC = 11;
const EXC_DEBUG = 12;
const EXC_PENDSV = 14;
const EXC_SYSTICK = 15;
const FIRST_IRQ = 16;

// CCR bits.
export const CCR_NONBASETHRDENA = 1 << 0;
export const CCR_USERSETMPEND = 1 << 1;
export const CCR_UNALIGN_TRP = 1 << 3;
export const CCR_DIV_0_TRP = 1 << 4;
export const CCR_BFHFNMIGN = 1 << 8;
export const CCR_STKALIGN = 1 << 9;
const CCR_WRITABLE =
  CCR_STKALIGN | CCR_BFHFNMIGN | CCR_DIV_0_TRP | CCR_UNALIGN_TRP | CCR_USERSETMPEND | CCR_NONBASETHRDENA;

// CFSR bits (MMFSR [7:0], BFSR [15:8], UFSR [31:16]).
export const CFSR_IACCVIOL = 1 << 0;
export const CFSR_DACCVIOL = 1 << 1;
export const CFSR_MUNSTKERR = 1 << 3;
export const CFSR_MSTKERR = 1 << 4;
export const CFSR_MMARVALID = 1 << 7;
export const CFSR_IBUSERR = 1 << 8;
export const CFSR_PRECISERR = 1 << 9;
export const CFSR_UNSTKERR = 1 << 11;
export const CFSR_STKERR = 1 << 12;
export const CFSR_LSPERR = 1 << 13;
export const CFSR_BFARVALID = 1 << 15;
export const CFSR_UNDEFINSTR = 1 << 16;
export const CFSR_INVSTATE = 1 << 17;
export const CFSR_INVPC = 1 << 18;
export const CFSR_NOCP = 1 << 19;
export const CFSR_UNALIGNED = 1 << 24;
export const CFSR_DIVBYZERO = 1 << 25;

// HFSR bits.
export const HFSR_VECTTBL = 1 << 1;
export const HFSR_FORCED = 1 << 30;

// SCR: stored, but as in QEMU SLEEPONEXIT/SEVONPEND have no effect; SLEEPDEEP(S) are RAZ/WI.
const SCR_SLEEPDEEP_BITS = (1 << 2) | (1 << 3);

// FPCCR bits (v7-M) and the banks QEMU 7.2 keeps them in. QEMU models FPCCR as two banks even
// without the Security Extension: LSPACT, USER, THREAD, MMRDY, UFRDY and ASPEN live in the
// non-secure bank, S, HFRDY, BFRDY, MONRDY and LSPEN in the secure one. The secure bank's S bit
// resets to 1 and is cleared by the first lazy stacking; while it is set QEMU looks at the
// secure bank's (always clear) LSPACT. Keeping both banks reproduces exactly what guests see.
export const FPCCR_LSPACT = 1 << 0;
export const FPCCR_USER = 1 << 1;
export const FPCCR_S = 1 << 2;
export const FPCCR_THREAD = 1 << 3;
export const FPCCR_HFRDY = 1 << 4;
export const FPCCR_MMRDY = 1 << 5;
export const FPCCR_BFRDY = 1 << 6;
export const FPCCR_MONRDY = 1 << 8;
export const FPCCR_UFRDY = 1 << 10;
export const FPCCR_LSPEN = 1 << 30;
export const FPCCR_ASPEN = 1 << 31;
/** Bits a v7-M FPCCR write may set (QEMU drops the v8-M ones). */
const FPCCR_V7M_WRITABLE =
  FPCCR_LSPACT | FPCCR_USER | FPCCR_THREAD | FPCCR_HFRDY | FPCCR_MMRDY | FPCCR_BFRDY | FPCCR_MONRDY | FPCCR_LSPEN | FPCCR_ASPEN;
/** Bits of the non-secure bank (QEMU's R_V7M_FPCCR_BANKED_MASK less the v8-M SPLIMVIOL). */
const FPCCR_NS_BANK = FPCCR_LSPACT | FPCCR_USER | FPCCR_THREAD | FPCCR_MMRDY | FPCCR_UFRDY | FPCCR_ASPEN;
/** Secure-bank bits a non-secure read sees (AIRCR.BFHFNMINS reads as 1 without the Security Extension). */
const FPCCR_S_VISIBLE = FPCCR_LSPEN | FPCCR_MONRDY | FPCCR_BFRDY | FPCCR_HFRDY;
/** FPDSCR holds only AHP, DN, FZ and RMode. */
const FPDSCR_MASK = 0x07c00000;
/** CPACR: only CP10 and CP11 are implemented. */
const CPACR_MASK = 0xf << 20;

// QEMU's cortex-m3/cortex-m4 identification (target/arm/cpu_tcg.c); the other ID registers agree.
const CPUID_M3 = 0x410fc231;
const CPUID_M4 = 0x410fc240;
const MVFR0_M4 = 0x10110021;
const MVFR1_M4 = 0x11000011;
const ID_REGS: Record<number, number> = {
  0xd40: 0x00000030, // ID_PFR0
  0xd44: 0x00000200, // ID_PFR1
  0xd48: 0x00100000, // ID_DFR0
  0xd4c: 0x00000000, // ID_AFR0
  0xd50: 0x00000030, // ID_MMFR0
  0xd54: 0, // ID_MMFR1
  0xd58: 0, // ID_MMFR2
  0xd5c: 0, // ID_MMFR3
  0xd60: 0x01141110, // ID_ISAR0
  0xd64: 0x02111000, // ID_ISAR1
  0xd68: 0x21112231, // ID_ISAR2
  0xd6c: 0x01111110, // ID_ISAR3
  0xd70: 0x01310102, // ID_ISAR4
  0xd74: 0, // ID_ISAR5
};
/** Peripheral/component ID bytes at 0xFE0..0xFFC. */
const SCS_ID = [0x00, 0xb0, 0x1b, 0x00, 0x0d, 0xe0, 0x05, 0xb1];
/** QEMU's cortex-m3 has a PMSAv7 MPU with 8 regions (registers only; armrr does not enforce it). */
const MPU_REGIONS = 8;

/** Core flags the NVIC drives (the CPU's `Cpu` object). */
export interface CoreFlags {
  exitRequest: boolean;
  divZeroTrap: boolean;
  unalignTrap: boolean;
  /** Which core: decides whether the FP registers (CPACR, FPCCR, ...) exist. */
  readonly profile: CoreProfile;
}

function vectorArray(fill: number): number[] {
  return new Array<number>(NUM_VECTORS).fill(fill);
}

function initialState(fpu: boolean) {
  const enabled = vectorArray(0);
  enabled[EXC_NMI] = 1;
  enabled[EXC_HARD] = 1;
  enabled[EXC_SVC] = 1;
  enabled[EXC_PENDSV] = 1;
  enabled[EXC_SYSTICK] = 1;
  const prio = vectorArray(0);
  prio[EXC_RESET] = -3;
  prio[EXC_NMI] = -2;
  prio[EXC_HARD] = -1;
  return {
    enabled,
    pending: vectorArray(0),
    active: vectorArray(0),
    /** Input line level of external IRQs (for re-pending on exception return). */
    level: vectorArray(0),
    prio,
    prigroup: 0,
    vtor: 0,
    scr: 0,
    ccr: CCR_STKALIGN,
    cfsr: 0,
    hfsr: 0,
    dfsr: 0,
    mmfar: 0,
    bfar: 0,
    mpuCtrl: 0,
    mpuRnr: 0,
    mpuRbar: new Array<number>(MPU_REGIONS).fill(0),
    mpuRasr: new Array<number>(MPU_REGIONS).fill(0),
    /** FPU system registers (Cortex-M4F; all zero and unused on a Cortex-M3). See FPCCR_* above. */
    cpacr: 0,
    fpccrS: fpu ? FPCCR_ASPEN | FPCCR_LSPEN | FPCCR_S : 0,
    fpccrNs: fpu ? FPCCR_ASPEN : 0,
    fpcar: 0,
    fpdscr: 0,
    /** Derived (cached) by recompute(): highest-priority enabled pending exception, 0 if none. */
    vectPending: 0,
    /** Its group priority, or NO_EXCEPTION_PRIORITY. */
    vectPendingPrio: NO_EXCEPTION_PRIORITY,
    /** Group priority of the highest-priority active exception, or NO_EXCEPTION_PRIORITY. */
    activePrio: NO_EXCEPTION_PRIORITY,
  };
}

export type NvicState = ReturnType<typeof initialState>;

export class Nvic extends Device<NvicState> implements InterruptController {
  /** Called for AIRCR.SYSRESETREQ (the board performs the reset at the next boundary). */
  onSystemResetRequest: (() => void) | null = null;
  /** The core has an FPv4-SP unit (wiring, fixed at construction). */
  readonly fpu: boolean;
  /** Active exceptions, counted by recompute() (derived like vectPending; not part of the state). */
  private activeCount = 0;
  /** Some external interrupt is pending (ICSR.ISRPENDING), derived by recompute() like activeCount. */
  private irqPending = false;

  constructor(
    private readonly cpu: CpuState,
    private readonly core: CoreFlags,
  ) {
    super('nvic', initialState(core.profile.fpu));
    this.fpu = core.profile.fpu;
    this.syncCoreFlags();
  }

  override reset(): void {
    super.reset();
    this.activeCount = 0;
    this.irqPending = false;
    this.syncCoreFlags();
  }

  override load(state: NvicState): void {
    super.load(state);
    this.syncCoreFlags();
    this.recompute();
  }

  private syncCoreFlags(): void {
    this.core.divZeroTrap = (this.s.ccr & CCR_DIV_0_TRP) !== 0;
    this.core.unalignTrap = (this.s.ccr & CCR_UNALIGN_TRP) !== 0;
  }

  // ---- priority logic ---------------------------------------------------------------------

  /** Group priority of a raw priority value under the current PRIGROUP. */
  groupPriority(raw: number): number {
    if (raw < 0) return raw;
    return raw & (~0 << (this.s.prigroup + 1));
  }

  /** Recompute the cached pending/active priorities (after any change to vector state). */
  recompute(): void {
    const s = this.s;
    let pendPrio = NO_EXCEPTION_PRIORITY;
    let activePrio = NO_EXCEPTION_PRIORITY;
    let pendIrq = 0;
    let activeCount = 0;
    let irqPending = false;
    const pending = s.pending;
    const active = s.active;
    // Called on every pend, entry and return: most vectors are neither pending nor active.
    for (let i = 1; i < NUM_VECTORS; i++) {
      if ((pending[i]! | active[i]!) === 0) continue;
      const p = s.prio[i]!;
      if (pending[i] && i >= FIRST_IRQ) irqPending = true;
      if (pending[i] && s.enabled[i] && p < pendPrio) {
        pendPrio = p;
        pendIrq = i;
      }
      if (active[i]) {
        activeCount++;
        if (p < activePrio) activePrio = p;
      }
    }
    this.activeCount = activeCount;
    this.irqPending = irqPending;
    if (activePrio > 0) activePrio = this.groupPriority(activePrio);
    if (pendPrio > 0) pendPrio = this.groupPriority(pendPrio);
    s.vectPending = pendIrq;
    s.vectPendingPrio = pendPrio;
    s.activePrio = activePrio;
  }

  /** Execution priority: masks (PRIMASK/FAULTMASK/BASEPRI) and the active handlers. */
  executionPriority(): number {
    const c = this.cpu;
    let running = NO_EXCEPTION_PRIORITY;
    if (c.basepri > 0) running = this.groupPriority(c.basepri);
    if (c.primask) running = 0;
    if (c.faultmask) running = -1;
    return Math.min(running, this.s.activePrio);
  }

  /** True when the highest-priority pending exception may preempt now. */
  canTakePending(): boolean {
    return this.executionPriority() > this.s.vectPendingPrio;
  }

  /** The NVIC's request line to the core (ignores PRIMASK/FAULTMASK/BASEPRI): wakes WFI. */
  wakeupRequested(): boolean {
    return this.s.vectPendingPrio < this.s.activePrio;
  }

  get vectPending(): number {
    return this.s.vectPending;
  }

  /** True when exactly one exception (or none) is active. */
  returnsToBase(): boolean {
    return this.activeCount < 2;
  }

  private enterLockup(): void {
    this.cpu.sleep = LOCKUP;
    this.core.exitRequest = true;
  }

  /**
   * Pend exception `exc`. Synchronous faults (HardFault..DebugMonitor) that cannot preempt now or
   * are disabled escalate to HardFault (HFSR.FORCED); if HardFault cannot preempt either the core
   * locks up. `derived` marks a fault raised while taking another exception (stacking, vector fetch).
   */
  setPending(exc: number, derived = false): void {
    const s = this.s;
    if (exc <= EXC_RESET || exc >= NUM_VECTORS) return;
    if (derived) {
      if (exc === EXC_DEBUG && this.groupPriority(s.prio[exc]!) >= this.executionPriority()) return;
      if (exc === EXC_HARD && s.prio[exc]! >= s.vectPendingPrio) {
        this.enterLockup();
        return;
      }
    }
    if (exc >= EXC_HARD && exc < EXC_PENDSV) {
      const running = this.executionPriority();
      if (this.groupPriority(s.prio[exc]!) >= running || !s.enabled[exc]) {
        exc = EXC_HARD;
        if (running <= s.prio[EXC_HARD]!) {
          this.enterLockup();
          return;
        }
        s.hfsr |= HFSR_FORCED;
      }
    }
    if (!s.pending[exc]) {
      s.pending[exc] = 1;
      this.recompute();
    }
    // Stop the core only when the exception can preempt now, as QEMU raises its interrupt line only
    // then (nvic_irq_update): one pended inside a handler or a critical section (an RTOS's PendSV
    // from its tick, a semaphore given by an ISR) waits for the exception return, MSR/CPS or NVIC
    // write that lowers the priority, each of which checks for it; a derived fault always stops.
    if (derived || this.canTakePending()) this.core.exitRequest = true;
  }

  clearPending(exc: number): void {
    if (this.s.pending[exc]) {
      this.s.pending[exc] = 0;
      this.recompute();
    }
  }

  /** Exception entry: make the pending exception active. The caller updates IPSR. */
  acknowledge(): number {
    const s = this.s;
    const exc = s.vectPending;
    s.active[exc] = 1;
    s.pending[exc] = 0;
    this.recompute();
    return exc;
  }

  /**
   * Exception return from `exc`: deactivate it. Returns -1 when it was not active (illegal
   * return), 1 when it was the only active exception (return to base), else 0. A still-asserted
   * external interrupt is pended again.
   */
  completeIrq(exc: number): number {
    const s = this.s;
    if (exc <= EXC_RESET || exc >= NUM_VECTORS || !s.active[exc]) return -1;
    const ret = this.returnsToBase() ? 1 : 0;
    s.active[exc] = 0;
    if (s.level[exc]) s.pending[exc] = 1;
    this.recompute();
    return ret;
  }

  // ---- inputs -----------------------------------------------------------------------------

  /** External interrupt line n (0..31): pending latches on the rising edge. */
  setIrqLevel(irq: number, level: boolean): void {
    const n = irq + FIRST_IRQ;
    if (n < FIRST_IRQ || n >= NUM_VECTORS) return;
    const l = level ? 1 : 0;
    if (this.s.level[n] === l) return;
    this.s.level[n] = l;
    if (l) this.setPending(n);
  }

  /** SysTick's request: pend exception 15 (a pulse, not a level). */
  pendSysTick(): void {
    this.setPending(EXC_SYSTICK);
  }

  /** NMI input (rising edge pends NMI, as QEMU does). */
  setNmiLevel(level: boolean): void {
    if (level) this.setPending(EXC_NMI);
  }

  // ---- fault status helpers for the exception unit --------------------------------------------

  get vtor(): number {
    return this.s.vtor;
  }
  get ccr(): number {
    return this.s.ccr;
  }
  addCfsr(bits: number): void {
    this.s.cfsr |= bits;
  }
  addHfsr(bits: number): void {
    this.s.hfsr |= bits;
  }
  setBfar(addr: number): void {
    this.s.bfar = addr | 0;
  }

  // ---- FPU context registers for the exception unit (Cortex-M4F) ------------------------------

  /** CPACR.CP10 lets code of this privilege use the FPU (QEMU decides on CP10 alone; 0b10 = denied). */
  fpAccessAllowed(privileged: boolean): boolean {
    const cp10 = (this.s.cpacr >>> 20) & 3;
    return cp10 === 3 || (cp10 === 1 && privileged);
  }
  /** FPCCR.ASPEN: the first FP instruction of a context sets CONTROL.FPCA. */
  get fpAutoPreserve(): boolean {
    return (this.s.fpccrNs & FPCCR_ASPEN) !== 0;
  }
  /** FPCCR.LSPEN: exception entry reserves the FP frame instead of writing it. */
  get fpLazyPreserve(): boolean {
    return (this.s.fpccrS & FPCCR_LSPEN) !== 0;
  }
  get fpdscr(): number {
    return this.s.fpdscr;
  }
  get fpcar(): number {
    return this.s.fpcar;
  }
  /** FPCCR.USER of the context whose FP state is still to be preserved. */
  get fpLazyUser(): boolean {
    return (this.s.fpccrNs & FPCCR_USER) !== 0;
  }
  /**
   * LSPACT as the FP instructions see it: QEMU reads it from the bank FPCCR.S selects, and the
   * secure bank's LSPACT is never set on a v7-M core.
   */
  get fpLazyPending(): boolean {
    return (this.s.fpccrS & FPCCR_S) === 0 && (this.s.fpccrNs & FPCCR_LSPACT) !== 0;
  }
  /** LSPACT as exception return sees it (QEMU reads the non-secure bank there). */
  get fpLazyPendingOnReturn(): boolean {
    return (this.s.fpccrNs & FPCCR_LSPACT) !== 0;
  }
  clearFpLazyPending(): void {
    this.s.fpccrNs &= ~FPCCR_LSPACT;
  }

  /**
   * Exception entry with lazy preservation (UpdateFPCCR): remember where the FP frame space is and
   * which faults the interrupted context could have taken, for the preservation done later.
   */
  recordLazyFpContext(frameAddr: number): void {
    const s = this.s;
    const c = this.cpu;
    s.fpcar = (frameAddr & ~7) >>> 0;
    let ns = s.fpccrNs & ~(FPCCR_LSPACT | FPCCR_USER | FPCCR_THREAD | FPCCR_MMRDY | FPCCR_UFRDY);
    ns |= FPCCR_LSPACT;
    if (c.ipsr === 0 && c.control & 1) ns |= FPCCR_USER;
    if (c.ipsr === 0) ns |= FPCCR_THREAD;
    if (this.readyForLazyFp(EXC_MEM)) ns |= FPCCR_MMRDY;
    if (this.readyForLazyFp(EXC_USAGE)) ns |= FPCCR_UFRDY;
    let sb = s.fpccrS & ~(FPCCR_S | FPCCR_HFRDY | FPCCR_BFRDY | FPCCR_MONRDY);
    if (this.readyForLazyFp(EXC_HARD)) sb |= FPCCR_HFRDY;
    if (this.readyForLazyFp(EXC_BUS)) sb |= FPCCR_BFRDY;
    if (this.readyForLazyFp(EXC_DEBUG)) sb |= FPCCR_MONRDY;
    s.fpccrNs = ns >>> 0;
    s.fpccrS = sb >>> 0;
  }

  /** Could `exc` preempt the current context (enabled and of higher priority)? HardFault: not at -1. */
  private readyForLazyFp(exc: number): boolean {
    const running = this.executionPriority();
    if (exc === EXC_HARD) return running > -1;
    return this.s.enabled[exc] === 1 && this.groupPriority(this.s.prio[exc]!) < running;
  }

  /**
   * Pend a fault raised by lazy preservation. Whether it escalates depends on the readiness saved
   * in FPCCR at exception entry, not on the current priorities (QEMU's set_pending_lazyfp).
   * Where QEMU aborts (an escalation to HardFault that the saved context forbids) the core locks up.
   */
  setPendingLazyFp(exc: number): void {
    const s = this.s;
    let escalate = false;
    switch (exc) {
      case EXC_DEBUG:
        if (!(s.fpccrS & FPCCR_MONRDY)) return;
        break;
      case EXC_MEM:
        escalate = !(s.fpccrNs & FPCCR_MMRDY);
        break;
      case EXC_USAGE:
        escalate = !(s.fpccrNs & FPCCR_UFRDY);
        break;
      case EXC_BUS:
        escalate = !(s.fpccrS & FPCCR_BFRDY);
        break;
      default:
        return;
    }
    if (escalate) exc = EXC_HARD;
    if ((!s.enabled[exc] || this.executionPriority() <= this.groupPriority(s.prio[exc]!)) && !(s.fpccrS & FPCCR_HFRDY)) {
      // QEMU aborts here ("can't escalate to HardFault during lazy FP register stacking").
      this.enterLockup();
      return;
    }
    if (escalate) s.hfsr |= HFSR_FORCED;
    if (!s.pending[exc]) {
      s.pending[exc] = 1;
      this.recompute();
    }
    this.core.exitRequest = true;
  }

  // ---- MMIO -------------------------------------------------------------------------------

  private privileged(): boolean {
    return this.cpu.ipsr !== 0 || (this.cpu.control & 1) === 0;
  }

  private refuse(offset: number, isWrite: boolean): never {
    BUS_FAULT.address = (0xe000e000 + offset) >>> 0;
    BUS_FAULT.isWrite = isWrite;
    throw BUS_FAULT;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!this.privileged() && !(offset === 0xf00 && this.s.ccr & CCR_USERSETMPEND)) this.refuse(offset, false);
    const s = this.s;
    if (offset >= 0x100 && offset < 0x1c0) return this.readBits(s.enabled, (offset - 0x100) & 0x3f, size);
    if (offset >= 0x200 && offset < 0x2c0) return this.readBits(s.pending, (offset - 0x200) & 0x3f, size);
    if (offset >= 0x300 && offset < 0x340) return this.readBits(s.active, offset - 0x300, size);
    if (offset >= 0x400 && offset < 0x5f0) {
      let v = 0;
      const start = offset - 0x400 + FIRST_IRQ;
      for (let i = 0; i < size && start + i < NUM_VECTORS; i++) v |= s.prio[start + i]! << (8 * i);
      return v >>> 0;
    }
    if (offset >= 0xd18 && offset < 0xd24) {
      let v = 0;
      for (let i = 0; i < size; i++) {
        const exc = offset - 0xd14 + i;
        if (this.shprField(exc)) v |= s.prio[exc]! << (8 * i);
      }
      return v >>> 0;
    }
    if (offset >= 0xd28 && offset < 0xd2c) {
      const sh = (offset - 0xd28) * 8;
      const v = s.cfsr >>> sh;
      return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
    }
    if (offset >= 0xfe0 && offset < 0x1000) return offset & 3 ? 0 : SCS_ID[(offset - 0xfe0) >> 2]!;
    if (size !== 4) return 0;
    return this.readWord(offset) >>> 0;
  }

  private readBits(bits: number[], byteOffset: number, size: number): number {
    let v = 0;
    const start = 8 * byteOffset + FIRST_IRQ;
    for (let i = 0; i < size * 8 && start + i < NUM_VECTORS; i++) if (bits[start + i]) v |= 1 << i;
    return v >>> 0;
  }

  /** SHPR fields that exist: MemManage, BusFault, UsageFault, SVCall, DebugMonitor, PendSV, SysTick. */
  private shprField(exc: number): boolean {
    return exc === EXC_MEM || exc === EXC_BUS || exc === EXC_USAGE || exc === EXC_SVC || exc === EXC_DEBUG || exc >= EXC_PENDSV;
  }

  private readWord(offset: number): number {
    const s = this.s;
    const c = this.cpu;
    switch (offset) {
      case 0x004: // ICTR: (lines / 32) - 1
        return NUM_EXTERNAL_IRQS / 32 - 1;
      case 0xd00:
        return this.core.profile.name === 'cortex-m4' ? CPUID_M4 : CPUID_M3;
      case 0xd04: {
        let v = c.ipsr & 0x1ff;
        if (s.vectPending) v |= (s.vectPending & 0x1ff) << 12;
        if (this.isrPending()) v |= 1 << 22;
        if (this.returnsToBase()) v |= 1 << 11;
        if (s.pending[EXC_SYSTICK]) v |= 1 << 26;
        if (s.pending[EXC_PENDSV]) v |= 1 << 28;
        if (s.pending[EXC_NMI]) v |= 1 << 31;
        return v;
      }
      case 0xd08:
        return s.vtor;
      case 0xd0c:
        return 0xfa050000 | (s.prigroup << 8);
      case 0xd10:
        return s.scr;
      case 0xd14:
        return s.ccr;
      case 0xd24:
        return this.readShcsr();
      case 0xd2c:
        return s.hfsr;
      case 0xd30:
        return s.dfsr;
      case 0xd34:
        return s.mmfar;
      case 0xd38:
        return s.bfar;
      case 0xd90: // MPU_TYPE
        return MPU_REGIONS << 8;
      case 0xd94:
        return s.mpuCtrl;
      case 0xd98:
        return s.mpuRnr;
      case 0xd9c:
      case 0xda4:
      case 0xdac:
      case 0xdb4:
        return (s.mpuRbar[s.mpuRnr]! & ~0x1f) | (s.mpuRnr & 0xf);
      case 0xda0:
      case 0xda8:
      case 0xdb0:
      case 0xdb8:
        return s.mpuRasr[s.mpuRnr]!;
      case 0xd88:
        return this.fpu ? s.cpacr : 0;
      case 0xf34:
        return this.fpu ? ((s.fpccrS & FPCCR_S_VISIBLE) | s.fpccrNs) >>> 0 : 0;
      case 0xf38:
        return this.fpu ? s.fpcar : 0;
      case 0xf3c:
        return this.fpu ? s.fpdscr : 0;
      case 0xf40:
        return this.fpu ? MVFR0_M4 : 0;
      case 0xf44:
        return this.fpu ? MVFR1_M4 : 0;
      default:
        // Everything else (AFSR, MVFR2, caches, reserved; FP registers without an FPU) reads as zero.
        return ID_REGS[offset] ?? 0;
    }
  }

  /** ICSR.ISRPENDING, read by RTOS critical sections (FreeRTOS asserts it is 0): kept by recompute(). */
  private isrPending(): boolean {
    return this.irqPending;
  }

  private readShcsr(): number {
    const s = this.s;
    let v = 0;
    if (s.active[EXC_MEM]) v |= 1 << 0;
    if (s.active[EXC_BUS]) v |= 1 << 1;
    if (s.active[EXC_USAGE]) v |= 1 << 3;
    if (s.active[EXC_SVC]) v |= 1 << 7;
    if (s.active[EXC_DEBUG]) v |= 1 << 8;
    if (s.active[EXC_PENDSV]) v |= 1 << 10;
    if (s.active[EXC_SYSTICK]) v |= 1 << 11;
    if (s.pending[EXC_USAGE]) v |= 1 << 12;
    if (s.pending[EXC_MEM]) v |= 1 << 13;
    if (s.pending[EXC_BUS]) v |= 1 << 14;
    if (s.pending[EXC_SVC]) v |= 1 << 15;
    if (s.enabled[EXC_MEM]) v |= 1 << 16;
    if (s.enabled[EXC_BUS]) v |= 1 << 17;
    if (s.enabled[EXC_USAGE]) v |= 1 << 18;
    return v;
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (!this.privileged() && !(offset === 0xf00 && this.s.ccr & CCR_USERSETMPEND)) this.refuse(offset, true);
    const s = this.s;
    value >>>= 0;
    if (offset >= 0x100 && offset < 0x1c0) {
      const set = offset < 0x180 ? 1 : 0;
      const start = 8 * ((offset - 0x100) & 0x3f) + FIRST_IRQ;
      for (let i = 0; i < size * 8 && start + i < NUM_VECTORS; i++) if (value & (1 << i)) s.enabled[start + i] = set;
      this.changed();
      return;
    }
    if (offset >= 0x200 && offset < 0x2c0) {
      const set = offset < 0x280 ? 1 : 0;
      const start = 8 * ((offset - 0x200) & 0x3f) + FIRST_IRQ;
      for (let i = 0; i < size * 8 && start + i < NUM_VECTORS; i++) {
        const n = start + i;
        // A line still held high keeps its pending state unless the handler is active.
        if (value & (1 << i) && !(set === 0 && s.level[n] && !s.active[n])) s.pending[n] = set;
      }
      this.changed();
      return;
    }
    if (offset >= 0x300 && offset < 0x340) return; // IABR is read-only
    if (offset >= 0x400 && offset < 0x5f0) {
      const start = offset - 0x400 + FIRST_IRQ;
      for (let i = 0; i < size && start + i < NUM_VECTORS; i++) s.prio[start + i] = (value >>> (8 * i)) & 0xff;
      this.changed();
      return;
    }
    if (offset >= 0xd18 && offset < 0xd24) {
      for (let i = 0; i < size; i++) {
        const exc = offset - 0xd14 + i;
        if (this.shprField(exc)) s.prio[exc] = (value >>> (8 * i)) & 0xff;
      }
      this.changed();
      return;
    }
    if (offset >= 0xd28 && offset < 0xd2c) {
      s.cfsr = (s.cfsr & ~(value << ((offset - 0xd28) * 8))) >>> 0;
      return;
    }
    if (size === 4) this.writeWord(offset, value);
  }

  /** Vector state changed: recompute and let the core re-check at the next boundary. */
  private changed(): void {
    this.recompute();
    this.core.exitRequest = true;
  }

  private writeWord(offset: number, value: number): void {
    const s = this.s;
    switch (offset) {
      case 0xd04: // ICSR
        if (value & (1 << 31)) this.setPending(EXC_NMI);
        if (value & (1 << 28)) this.setPending(EXC_PENDSV);
        else if (value & (1 << 27)) this.clearPending(EXC_PENDSV);
        if (value & (1 << 26)) this.setPending(EXC_SYSTICK);
        else if (value & (1 << 25)) this.clearPending(EXC_SYSTICK);
        return;
      case 0xd08:
        s.vtor = (value & 0xffffff80) >>> 0;
        return;
      case 0xd0c: // AIRCR
        if (value >>> 16 !== 0x05fa) return;
        s.prigroup = (value >>> 8) & 7;
        this.changed();
        if (value & (1 << 2)) this.onSystemResetRequest?.();
        return;
      case 0xd10:
        s.scr = (value & ~SCR_SLEEPDEEP_BITS) >>> 0;
        return;
      case 0xd14:
        s.ccr = value & CCR_WRITABLE;
        this.syncCoreFlags();
        return;
      case 0xd24:
        this.writeShcsr(value);
        return;
      case 0xd2c:
        s.hfsr = (s.hfsr & ~value) >>> 0;
        return;
      case 0xd30:
        s.dfsr = (s.dfsr & ~value) >>> 0;
        return;
      case 0xd34:
        s.mmfar = value | 0;
        return;
      case 0xd38:
        s.bfar = value | 0;
        return;
      case 0xd94:
        s.mpuCtrl = value & 7;
        return;
      case 0xd98:
        if (value < MPU_REGIONS) s.mpuRnr = value;
        return;
      case 0xd9c:
      case 0xda4:
      case 0xdac:
      case 0xdb4: {
        let region = s.mpuRnr;
        if (value & 0x10) {
          region = value & 0xf;
          if (region >= MPU_REGIONS) return;
          s.mpuRnr = region;
        }
        s.mpuRbar[region] = (value & ~0x1f) >>> 0;
        return;
      }
      case 0xda0:
      case 0xda8:
      case 0xdb0:
      case 0xdb8:
        s.mpuRasr[s.mpuRnr] = (value & 0x173fff3f) >>> 0;
        return;
      case 0xd88:
        if (this.fpu) s.cpacr = value & CPACR_MASK;
        return;
      case 0xf34:
        if (this.fpu) this.writeFpccr(value);
        return;
      case 0xf38:
        if (this.fpu) s.fpcar = (value & ~7) >>> 0;
        return;
      case 0xf3c:
        if (this.fpu) s.fpdscr = value & FPDSCR_MASK;
        return;
      case 0xf00: {
        const exc = (value & 0x1ff) + FIRST_IRQ;
        if (exc < NUM_VECTORS) this.setPending(exc);
        return;
      }
      default:
        return; // RAZ/WI
    }
  }

  /** FPCCR write as QEMU 7.2 does it for non-secure code (the only kind on a v7-M core). */
  private writeFpccr(value: number): void {
    const s = this.s;
    value &= FPCCR_V7M_WRITABLE;
    const secureBits = FPCCR_LSPEN | FPCCR_HFRDY | FPCCR_BFRDY | FPCCR_MONRDY;
    s.fpccrS = ((s.fpccrS & ~secureBits) | (value & secureBits)) >>> 0;
    s.fpccrNs = (value & FPCCR_NS_BANK) >>> 0;
  }

  private writeShcsr(value: number): void {
    const s = this.s;
    const bit = (n: number) => ((value >>> n) & 1);
    s.active[EXC_MEM] = bit(0);
    s.active[EXC_BUS] = bit(1);
    s.active[EXC_USAGE] = bit(3);
    s.active[EXC_SVC] = bit(7);
    s.active[EXC_DEBUG] = bit(8);
    s.active[EXC_PENDSV] = bit(10);
    s.active[EXC_SYSTICK] = bit(11);
    s.pending[EXC_USAGE] = bit(12);
    s.pending[EXC_MEM] = bit(13);
    s.pending[EXC_BUS] = bit(14);
    s.pending[EXC_SVC] = bit(15);
    s.enabled[EXC_MEM] = bit(16);
    s.enabled[EXC_BUS] = bit(17);
    s.enabled[EXC_USAGE] = bit(18);
    this.changed();
  }
}
