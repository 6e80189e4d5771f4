/**
 * Architectural state of an ARMv7-A core: the CpuState flags and registers plus the CPSR fields
 * M-profile does not have (mode, A/I/F masks, E), the banked registers and the SPSRs.
 *
 * `r` is always the live view of the current mode (so handlers index it directly, as on M); the
 * other modes' r8-r14 wait in the banks and `setMode` swaps them in and out.
 */
import { CpuState, CPU_STATE_WORDS } from '../state.js';

export const MODE_USR = 0x10;
export const MODE_FIQ = 0x11;
export const MODE_IRQ = 0x12;
export const MODE_SVC = 0x13;
export const MODE_MON = 0x16;
export const MODE_ABT = 0x17;
export const MODE_HYP = 0x1a;
export const MODE_UND = 0x1b;
export const MODE_SYS = 0x1f;

/** CPSR bit masks. */
export const CPSR_E = 1 << 9;
export const CPSR_A = 1 << 8;
export const CPSR_I = 1 << 7;
export const CPSR_F = 1 << 6;
export const CPSR_T = 1 << 5;
export const CPSR_J = 1 << 24;
export const CPSR_IL = 1 << 20;

/** Bank index of each mode: 0 USR/SYS, 1 FIQ, 2 IRQ, 3 SVC, 4 ABT, 5 UND, 6 MON; -1 = no such mode. */
export function bankOf(mode: number): number {
  switch (mode) {
    case MODE_USR:
    case MODE_SYS:
      return 0;
    case MODE_FIQ:
      return 1;
    case MODE_IRQ:
      return 2;
    case MODE_SVC:
      return 3;
    case MODE_ABT:
      return 4;
    case MODE_UND:
      return 5;
    case MODE_MON:
      return 6;
    default:
      return -1;
  }
}

export const BANKS = 7;
/** d32-d63 behind d0-d31 in `dStorage` (QEMU's zregs[16..31] d[0..1]), as 32-bit words. */
const HIDDEN_D_WORDS = 64;
/** Words ArmV7aState adds to CpuState.save(). */
const EXTRA_WORDS = 4 + BANKS * 3 + 10 + 2 + HIDDEN_D_WORDS;

export class ArmV7aState extends CpuState {
  /** CPSR.M[4:0]. */
  mode = MODE_SVC;
  /** CPSR.A/I/F as their bit positions (CPSR_A | CPSR_I | CPSR_F). */
  aif = CPSR_A | CPSR_I | CPSR_F;
  /** CPSR.E: data accesses are big-endian. */
  bigEndian = 0;
  /**
   * CPSR.IL (bit 20): QEMU 7.2 restores it from the SPSR on every AArch32 exception return, also on
   * v7 (aarch32_cpsr_valid_mask); while set, the next instruction is UNDEFINED (after its fetch),
   * and exception entry clears it.
   */
  illegal = 0;
  /** Banked r13/r14 by bank index (the current mode's copy is stale: `r` holds it). */
  readonly bankR13 = new Int32Array(BANKS);
  readonly bankR14 = new Int32Array(BANKS);
  /** SPSR by bank index (index 0, USR/SYS, has none). */
  readonly spsr = new Int32Array(BANKS);
  /** r8-r12 of every mode but FIQ, and FIQ's own (the inactive set is here). */
  readonly usrR8 = new Int32Array(5);
  readonly fiqR8 = new Int32Array(5);
  /** Value the exclusive monitor loaded (QEMU's STREX compares it, as a cmpxchg). */
  exclusiveVal = 0;
  exclusiveValHi = 0;

  /** Monitor mode exists (Security Extensions: the Cortex-A9 of vexpress-a9). */
  readonly hasMonitor: boolean;

  /**
   * `registers`: where r0-r15 live (the wasm tier's state area when the bus is wasm-backed, so
   * generated wasm reads and writes them in place); a fresh array by default.
   */
  constructor(options: { securityExtensions?: boolean; registers?: Int32Array } = {}) {
    super(64, HIDDEN_D_WORDS, options.registers);
    this.hasMonitor = options.securityExtensions === true;
  }

  /** True for the modes this core has (Monitor only with the Security Extensions). */
  modeExists(mode: number): boolean {
    return mode === MODE_MON ? this.hasMonitor : bankOf(mode) >= 0;
  }

  get privileged(): boolean {
    return this.mode !== MODE_USR;
  }

  /** Switch to `mode` (must be valid), banking r8-r14 out and in. */
  setMode(mode: number): void {
    const old = this.mode;
    if (old === mode) return;
    const r = this.r;
    const ob = bankOf(old);
    const nb = bankOf(mode);
    if (ob !== nb) {
      this.bankR13[ob] = r[13]!;
      this.bankR14[ob] = r[14]!;
      r[13] = this.bankR13[nb]!;
      r[14] = this.bankR14[nb]!;
      if ((old === MODE_FIQ) !== (mode === MODE_FIQ)) {
        const save = old === MODE_FIQ ? this.fiqR8 : this.usrR8;
        const load = mode === MODE_FIQ ? this.fiqR8 : this.usrR8;
        for (let i = 0; i < 5; i++) {
          save[i] = r[8 + i]!;
          r[8 + i] = load[i]!;
        }
      }
    }
    this.mode = mode;
  }

  /** Register `n` (8..14) of mode `mode` wherever it lives now (banked MRS/MSR, LDM/STM ^, gdb). */
  getBanked(mode: number, n: number): number {
    const cur = this.mode;
    if (n < 13) {
      if ((cur === MODE_FIQ) === (mode === MODE_FIQ)) return this.r[n]!;
      return (mode === MODE_FIQ ? this.fiqR8 : this.usrR8)[n - 8]!;
    }
    if (bankOf(cur) === bankOf(mode)) return this.r[n]!;
    return (n === 13 ? this.bankR13 : this.bankR14)[bankOf(mode)]!;
  }

  setBanked(mode: number, n: number, v: number): void {
    const cur = this.mode;
    if (n < 13) {
      if ((cur === MODE_FIQ) === (mode === MODE_FIQ)) this.r[n] = v;
      else (mode === MODE_FIQ ? this.fiqR8 : this.usrR8)[n - 8] = v;
      return;
    }
    if (bankOf(cur) === bankOf(mode)) this.r[n] = v;
    else (n === 13 ? this.bankR13 : this.bankR14)[bankOf(mode)] = v;
  }

  /** The full CPSR: NZCVQ, IT, J=0, GE, E, A/I/F, T, M. */
  getCpsr(): number {
    const it = this.itstate;
    return (
      (this.getApsr() |
        ((it & 3) << 25) |
        (this.ge << 16) |
        ((it >>> 2) << 10) |
        (this.illegal << 20) |
        (this.bigEndian << 9) |
        this.aif |
        (this.thumb << 5) |
        this.mode) >>>
      0
    );
  }

  /**
   * Write CPSR fields selected by `mask` (bit masks of CPSR bits). A mode field naming a mode this
   * core does not have is ignored (the mode stays), as QEMU does for an illegal mode change from
   * MSR/CPS at PL1; exception returns check first.
   */
  setCpsr(v: number, mask: number): void {
    if (mask & 0xf8000000) {
      const keep = this.getApsr() & ~mask;
      this.setApsr((v & mask) | keep);
    }
    if (mask & 0x000f0000) this.ge = ((this.ge & ~(mask >>> 16)) | ((v & mask) >>> 16)) & 0xf;
    if (mask & 0x0600fc00) {
      const old = ((this.itstate & 3) << 25) | ((this.itstate >>> 2) << 10);
      const it = (old & ~mask) | (v & mask);
      this.itstate = ((it >>> 25) & 3) | (((it >>> 10) & 0x3f) << 2);
    }
    if (mask & CPSR_E) this.bigEndian = (v >>> 9) & 1;
    if (mask & CPSR_IL) this.illegal = (v >>> 20) & 1;
    if (mask & (CPSR_A | CPSR_I | CPSR_F)) this.aif = (this.aif & ~mask) | (v & mask & (CPSR_A | CPSR_I | CPSR_F));
    if (mask & CPSR_T) this.thumb = (v >>> 5) & 1;
    if (mask & 0x1f && this.modeExists(v & 0x1f)) this.setMode(v & 0x1f);
  }

  /**
   * SPSR of the current mode. USR/SYS have none (UNPREDICTABLE); like QEMU they share one spare
   * slot (bank 0) that MSR SPSR in System mode writes and MRS reads back.
   */
  getSpsr(): number {
    return this.spsr[bankOf(this.mode)]! >>> 0;
  }
  setSpsr(v: number): void {
    this.spsr[bankOf(this.mode)] = v;
  }

  override save(): number[] {
    const base = super.save();
    base.push(this.mode, this.aif, this.bigEndian, this.exclusiveVal);
    for (let b = 0; b < BANKS; b++) base.push(this.bankR13[b]!, this.bankR14[b]!, this.spsr[b]!);
    for (let i = 0; i < 5; i++) base.push(this.usrR8[i]!, this.fiqR8[i]!);
    base.push(this.exclusiveValHi, this.illegal);
    // d32-d63: invisible to every register view (gdb, lock-step) but part of the snapshot and hash.
    const d = this.dStorage;
    for (let i = this.s.length; i < d.length; i++) base.push(d[i]!);
    return base;
  }

  override load(s: readonly number[]): void {
    const baseLen = CPU_STATE_WORDS - 32 + this.s.length;
    if (s.length !== baseLen + EXTRA_WORDS) throw new Error('CPU state does not match this core (not an ARMv7-A state)');
    super.load(s.slice(0, baseLen));
    let k = baseLen;
    this.mode = s[k++]!;
    this.aif = s[k++]!;
    this.bigEndian = s[k++]!;
    this.exclusiveVal = s[k++]!;
    for (let b = 0; b < BANKS; b++) {
      this.bankR13[b] = s[k++]!;
      this.bankR14[b] = s[k++]!;
      this.spsr[b] = s[k++]!;
    }
    for (let i = 0; i < 5; i++) {
      this.usrR8[i] = s[k++]!;
      this.fiqR8[i] = s[k++]!;
    }
    this.exclusiveValHi = s[k++]!;
    this.illegal = s[k++]! & 1;
    const d = this.dStorage;
    for (let i = this.s.length; i < d.length; i++) d[i] = s[k++]!;
  }
}
