/**
 * The contract between the instruction side of the core (decode + execute, `cpu/isa*`) and the
 * system side (exception model, NVIC/SCB, special registers, semihosting: `cpu/exceptions.ts`,
 * `devices/nvic.ts`). The ISA calls these for anything that is not plain data processing.
 *
 * Conventions
 * - Every call happens *during* an instruction. `pc` arguments are the address of that instruction.
 * - A call that raises an exception marks it pending in the NVIC and sets `exitRequest` on the
 *   core; the machine loop takes it at the next instruction boundary (exception entry consumes no
 *   icount, as in QEMU).
 * - Synchronous faults (UsageFault, BusFault, MemManage, SVC, HardFault escalation) are "taken
 *   before the next instruction": the ISA must leave PC = address of the faulting instruction
 *   (fault) or of the next one (SVC), as the architecture's return address rules say, and return
 *   from the instruction without further side effects.
 */

/** Exception numbers (ARMv7-M B1.5.2). External interrupt n is 16 + n. */
export const enum Exc {
  Reset = 1,
  NMI = 2,
  HardFault = 3,
  MemManage = 4,
  BusFault = 5,
  UsageFault = 6,
  SVCall = 11,
  DebugMonitor = 12,
  PendSV = 14,
  SysTick = 15,
}

/** UsageFault causes: bit positions in UFSR (CFSR[31:16]). */
export const enum UsageCause {
  UNDEFINSTR = 0,
  INVSTATE = 1,
  INVPC = 2,
  NOCP = 3,
  UNALIGNED = 8,
  DIVBYZERO = 9,
}

/** Special register numbers as MRS/MSR encode them (SYSm). */
export const enum SysReg {
  APSR = 0,
  IAPSR = 1,
  EAPSR = 2,
  XPSR = 3,
  IPSR = 5,
  EPSR = 6,
  IEPSR = 7,
  MSP = 8,
  PSP = 9,
  PRIMASK = 16,
  BASEPRI = 17,
  BASEPRI_MAX = 18,
  FAULTMASK = 19,
  CONTROL = 20,
}

export interface CpuSystem {
  /** Undefined/unallocated encoding: UsageFault UNDEFINSTR (or HardFault if disabled). */
  undefinedInstruction(pc: number): void;
  /** Other UsageFaults raised by execution (INVSTATE, UNALIGNED, DIVBYZERO, NOCP, INVPC). */
  usageFault(cause: UsageCause, pc: number): void;
  /** A data access hit nothing (or a device refused it): precise BusFault with BFAR. */
  busFault(addr: number, isWrite: boolean, pc: number): void;
  /** Instruction fetch from an unmapped address: BusFault IBUSERR. */
  prefetchAbort(pc: number): void;
  /** SVC #imm: the ISA has already set PC to the next instruction. */
  svc(imm: number): void;
  /**
   * BKPT #imm. imm 0xAB is semihosting: performed at once, r0 updated, and the ISA continues at
   * the next instruction. Other immediates: debug event (the machine reports a stop) or HardFault.
   * Returns true when the instruction completed (PC must advance), false when it faulted/stopped.
   */
  bkpt(imm: number, pc: number): boolean;
  /**
   * Write of an EXC_RETURN value (0xFxxxxxxx) to PC in handler mode (BX, POP, LDM, LDR pc).
   * Performs the exception return (unstacking, tail-chain) and sets PC itself.
   */
  exceptionReturn(excReturn: number): void;
  /** MRS: value of special register SYSm (privilege rules applied). */
  readSpecial(sysm: number): number;
  /** MSR: write special register SYSm; `mask` is the APSR mask field (bits 11:10). */
  writeSpecial(sysm: number, mask: number, value: number): void;
  /** CPSIE/CPSID: `disable` true for ID; `affectI`, `affectF` select PRIMASK/FAULTMASK. */
  cps(disable: boolean, affectI: boolean, affectF: boolean): void;
  /** WFI, WFE, SEV hints (the core state changes; the machine loop handles sleeping). */
  wfi(): void;
  wfe(): void;
  sev(): void;
  /** True when the current mode is privileged (for LDRT/STRT and MSR/MRS rules). */
  isPrivileged(): boolean;
  /**
   * ExecuteFPCheck() for an FP instruction at `pc` (Cortex-M4F): when CPACR denies CP10/CP11,
   * raises UsageFault NOCP and returns false (the instruction must do nothing more). Otherwise
   * performs any pending lazy state preservation (FPCCR.LSPACT), sets CONTROL.FPCA (loading FPSCR
   * from FPDSCR when it was clear) and returns true. A core without an FPU always raises NOCP.
   */
  fpCheck(pc: number): boolean;
  /** CPACR alone: true when CP10/CP11 may be used now (no lazy preservation, no FPCA change). */
  fpAccessible(): boolean;
}
