/**
 * Architectural state of an ARMv7-M core. Flags use QEMU's cached representation so the ALU needs
 * no branches: N = bit 31 of NF, Z = (ZF === 0), C = CF (0/1), V = bit 31 of VF, Q = QF (0/1).
 *
 * r[13] is the live stack pointer. The banked copy of the *inactive* stack pointer is kept in
 * `spMain` or `spProcess` (whichever is not selected); `sp*` accessors hide that.
 */

export const SP = 13;
export const LR = 14;
export const PC = 15;

/** Sleep states. */
export const RUNNING = 0;
export const SLEEP_WFI = 1;
export const SLEEP_WFE = 2;
export const LOCKUP = 3;

/** Length of `CpuState.save()` with 32 FP words: r0-r15, 17 scalar fields, s0-s31, FPSCR, GE, FPEXC. */
export const CPU_STATE_WORDS = 68;

export class CpuState {
  /** r0-r15 (an A-profile core's may be a view into the wasm tier's memory: wasm-state-layout.ts). */
  readonly r: Int32Array;
  NF = 0;
  ZF = 1;
  CF = 0;
  VF = 0;
  QF = 0;
  /** APSR.GE[3:0] (ARMv7E-M DSP only; always 0 on a Cortex-M3). */
  ge = 0;
  /** ITSTATE (EPSR IT bits, 8 bits: firstcond[7:4] mask[3:0]). 0 = not in an IT block. */
  itstate = 0;
  /** EPSR.T; clearing it makes the next instruction raise UsageFault INVSTATE. */
  thumb = 1;
  /** IPSR: current exception number, 0 in thread mode. */
  ipsr = 0;
  /** Banked stack pointers; only the inactive one is current (see class comment). */
  spMain = 0;
  spProcess = 0;
  primask = 0;
  faultmask = 0;
  basepri = 0;
  /** CONTROL: bit0 nPRIV, bit1 SPSEL. */
  control = 0;
  /** Exclusive monitor: address tagged by LDREX, or -1 when open. */
  exclusiveAddr = -1;
  /** WFE event register. */
  eventRegister = 0;
  /** RUNNING, SLEEP_WFI, SLEEP_WFE or LOCKUP. */
  sleep = RUNNING;
  /**
   * FPv4-SP registers (Cortex-M4F): s0-s31 as raw IEEE-754 single bits (d<n> = s<2n+1>:s<2n>) and
   * FPSCR. Every core has them so the state has one shape; a Cortex-M3 never touches them.
   */
  readonly s: Int32Array;
  /**
   * The D-register storage the Advanced SIMD structure loads/stores index: `s` is its first words.
   * On the A-profile it runs on to d63 as QEMU's register file does (zregs[16..]): an
   * UNPREDICTABLE VLDn/VSTn list past d31 reaches those words on QEMU, no other instruction does.
   */
  readonly dStorage: Int32Array;
  fpscr = 0;
  /** FPEXC (A-profile VFP/Advanced SIMD: EN gates the unit); always 0 on M-profile cores. */
  fpexc = 0;

  /**
   * @param fpWords size of the FP register file in 32-bit words: 32 (s0-s31 = d0-d15, FPv4-SP and
   *   VFPv3-D16) or 64 (d0-d31, VFPv3/v4-D32 with Advanced SIMD). d<n> is s[2n] (low) : s[2n+1] (high).
   * @param hiddenWords words of `dStorage` behind `s` (not part of `save()`: a subclass that has them saves them)
   * @param registers storage for r0-r15 (16 words), a fresh array by default
   */
  constructor(fpWords: 32 | 64 = 32, hiddenWords = 0, registers: Int32Array = new Int32Array(16)) {
    if (registers.length !== 16) throw new Error('the register file needs 16 words');
    this.r = registers;
    this.dStorage = new Int32Array(fpWords + hiddenWords);
    this.s = hiddenWords === 0 ? this.dStorage : this.dStorage.subarray(0, fpWords);
  }

  /** True when executing on the process stack (thread mode with SPSEL=1). */
  get usingPsp(): boolean {
    return this.ipsr === 0 && (this.control & 2) !== 0;
  }

  getMsp(): number {
    return this.usingPsp ? this.spMain : this.r[SP]!;
  }
  getPsp(): number {
    return this.usingPsp ? this.r[SP]! : this.spProcess;
  }
  setMsp(v: number): void {
    if (this.usingPsp) this.spMain = v | 0;
    else this.r[SP] = v;
  }
  setPsp(v: number): void {
    if (this.usingPsp) this.r[SP] = v;
    else this.spProcess = v | 0;
  }

  /**
   * Switch the live SP to match a new (ipsr, control) pair: call with the *new* values after
   * changing ipsr or control.SPSEL. `wasPsp` is `usingPsp` before the change.
   */
  switchStack(wasPsp: boolean): void {
    const nowPsp = this.usingPsp;
    if (wasPsp === nowPsp) return;
    if (nowPsp) {
      this.spMain = this.r[SP]!;
      this.r[SP] = this.spProcess;
    } else {
      this.spProcess = this.r[SP]!;
      this.r[SP] = this.spMain;
    }
  }

  /** APSR flags as bits 31..27. */
  getApsr(): number {
    return (
      ((this.NF >>> 31) << 31) |
      ((this.ZF === 0 ? 1 : 0) << 30) |
      (this.CF << 29) |
      ((this.VF >>> 31) << 28) |
      (this.QF << 27)
    );
  }
  setApsr(v: number): void {
    this.NF = v & 0x80000000;
    this.ZF = v & 0x40000000 ? 0 : 1;
    this.CF = (v >>> 29) & 1;
    this.VF = (v & 0x10000000) << 3;
    this.QF = (v >>> 27) & 1;
  }

  /** Full xPSR as gdb and QEMU show it (GE bits 19:16 are only ever non-zero on a DSP core). */
  getXpsr(): number {
    const it = this.itstate;
    return (
      (this.getApsr() |
        (this.ge << 16) |
        (this.thumb << 24) |
        ((it & 3) << 25) | // IT[1:0]
        ((it >>> 2) << 10) | // IT[7:2]
        (this.ipsr & 0x1ff)) >>>
      0
    );
  }
  /** Leaves GE alone: only a DSP core restores it (the exception-return code does that). */
  setXpsr(v: number): void {
    this.setApsr(v);
    this.thumb = (v >>> 24) & 1;
    this.itstate = ((v >>> 25) & 3) | (((v >>> 10) & 0x3f) << 2);
    this.ipsr = v & 0x1ff;
  }

  /** Serialise everything (for snapshots and state hashes). Order is part of the snapshot format. */
  save(): number[] {
    return [
      ...this.r,
      this.NF | 0,
      this.ZF | 0,
      this.CF,
      this.VF | 0,
      this.QF,
      this.itstate,
      this.thumb,
      this.ipsr,
      this.spMain,
      this.spProcess,
      this.primask,
      this.faultmask,
      this.basepri,
      this.control,
      this.exclusiveAddr,
      this.eventRegister,
      this.sleep,
      ...this.s,
      this.fpscr,
      this.ge,
      this.fpexc,
    ];
  }

  load(s: readonly number[]): void {
    const n = this.s.length;
    if (s.length !== CPU_STATE_WORDS - 32 + n) throw new Error('CPU state does not match this core');
    for (let i = 0; i < 16; i++) this.r[i] = s[i]!;
    for (let i = 0; i < n; i++) this.s[i] = s[33 + i]!;
    this.fpscr = s[33 + n]!;
    this.ge = s[34 + n]!;
    this.fpexc = s[35 + n]!;
    // Indexed, not destructured from a slice: reverse steps load a state per step.
    this.NF = s[16]!;
    this.ZF = s[17]!;
    this.CF = s[18]!;
    this.VF = s[19]!;
    this.QF = s[20]!;
    this.itstate = s[21]!;
    this.thumb = s[22]!;
    this.ipsr = s[23]!;
    this.spMain = s[24]!;
    this.spProcess = s[25]!;
    this.primask = s[26]!;
    this.faultmask = s[27]!;
    this.basepri = s[28]!;
    this.control = s[29]!;
    this.exclusiveAddr = s[30]!;
    this.eventRegister = s[31]!;
    this.sleep = s[32]!;
  }
}
