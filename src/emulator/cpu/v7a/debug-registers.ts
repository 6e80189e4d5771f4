/**
 * The CP14 debug registers QEMU 7.2 gives a Cortex-A15 (target/arm/debug_helper.c, as measured on
 * virt): DBGDIDR (6 breakpoints, 4 watchpoints), DBGDSCRint/ext, DBGDRAR/DBGDSAR (32- and 64-bit,
 * reading 0: no memory-mapped debug), the OS lock (DBGOSLAR/DBGOSLSR, locked at reset), DBGOSDLR,
 * the breakpoint and watchpoint value/control pairs, and the Jazelle ID register. Everything else
 * in CP14 is UNDEFINED there (DBGPRCR, claim tags, DBGAUTHSTATUS...); DBGDEVID* answer where QEMU puts them.
 *
 * The values are stored as QEMU stores them, and breakpoints and watchpoints trigger as QEMU 7.2
 * makes them trigger (hw_breakpoint_update / hw_watchpoint_update, bp_wp_matches):
 * - nothing fires unless DBGDSCRext.MDBGen (bit 15) is set and the double lock (DBGOSDLR.DLK) is
 *   clear. QEMU tests bit 0 of DBGOSLSR for the OS lock, which only bit 1 (OSLK) can change: the OS
 *   lock never blocks debug events there, so not here either. DBGDSCR.MOE is never written.
 * - breakpoints: address match (BT 0, and BT 1 linked to a context-ID comparator) on the address
 *   BVR & ~3 (+ 2 when BAS = 0b1100), the instruction's exact address; A32 PCs not word aligned
 *   never match. Mismatch (BT 4/5) and unlinked context types never fire.
 * - watchpoints: LSC read/write, BAS as the first run of ones (BAS[7:4] ignored when WVR bit 2 is
 *   set) or MASK (1 and 2 disable it); an access hits when its bytes overlap, with the fault
 *   address max(access, watched start).
 * - privilege (PAC/PMC bits 1 and 2 for PL1 and PL0, LDRT/STRT count as PL0), HMC for Secure PL1
 *   (EL3 on a core with the Security Extensions), SSC against the security state, and links
 *   (WT/BT bit 20, LBN) to breakpoints 4 and 5 of type 3, 7 (CONTEXTIDR) or 13 (CONTEXTIDR_EL2: 0).
 */
import type { StatefulComponent } from '../../devices/device.js';
import type { SysRegDef, SysRegFile } from './sysreg-registry.js';

const BREAKPOINTS = 6;
const WATCHPOINTS = 4;
/** Breakpoints 4 and 5 compare context IDs (DBGDIDR.CTX_CMPs = 1: two of them). */
const FIRST_CONTEXT_BREAKPOINT = 4;
const MDSCR_MDBGEN = 1 << 15;
/** Watchpoint access kinds (QEMU's BP_MEM_READ / BP_MEM_WRITE). */
export const WATCH_READ = 1;
export const WATCH_WRITE = 2;
const NONE = -1;

/** What a match needs to know about the core at the moment of the access or fetch. */
export interface DebugMatchContext {
  /** 0 at PL0, 1 at Non-secure PL1, 3 at Secure PL1 (QEMU's EL3 on a v7 core with EL3). */
  exceptionLevel(): number;
  secure(): boolean;
  contextidr(): number;
}
/** DBGOSLSR at reset: OS lock implemented (OSLM = 0b10) and locked (OSLK). */
const OSLSR_RESET = 0xa;
const OSLSR_OSLK = 0x2;

export interface DebugRegisterState extends Record<string, number | number[]> {
  dscrExt: number;
  oslsr: number;
  osdlr: number;
  bvr: number[];
  bcr: number[];
  wvr: number[];
  wcr: number[];
}

function initialState(): DebugRegisterState {
  return {
    dscrExt: 0,
    oslsr: OSLSR_RESET,
    osdlr: 0,
    bvr: new Array<number>(BREAKPOINTS).fill(0),
    bcr: new Array<number>(BREAKPOINTS).fill(0),
    wvr: new Array<number>(WATCHPOINTS).fill(0),
    wcr: new Array<number>(WATCHPOINTS).fill(0),
  };
}

/** Copy bit `from` of `v` into bit `to` (QEMU keeps AArch32 BAS bits paired this way). */
const copyBit = (v: number, from: number, to: number): number => (v & ~(1 << to)) | (((v >>> from) & 1) << to);

export class DebugRegisters implements StatefulComponent<DebugRegisterState> {
  readonly name = 'cp14-debug';
  s: DebugRegisterState = initialState();

  /** Derived from `s` on every write: the address each breakpoint fires at (NONE: inactive). */
  private readonly bpAddress = new Float64Array(BREAKPOINTS).fill(NONE);
  /** The byte range [wpStart, wpStart + wpLength) and WATCH_* kinds each watchpoint covers (0: inactive). */
  private readonly wpStart = new Float64Array(WATCHPOINTS);
  private readonly wpLength = new Float64Array(WATCHPOINTS);
  private readonly wpKinds = new Int32Array(WATCHPOINTS);
  /** Some breakpoint / watchpoint can fire now (MDBGen set, not double-locked, one programmed). */
  breakpointsArmed = false;
  watchpointsArmed = false;
  /** The address of the last watchpoint hit (the DFAR QEMU reports). */
  hitAddress = 0;
  /** Told when `breakpointsArmed`/`watchpointsArmed` may have changed (the core re-plans its loop). */
  onArmedChange: (() => void) | null = null;
  /** The core's state for privilege, security and context matches (set by the core). */
  context: DebugMatchContext | null = null;

  reset(): void {
    this.s = initialState();
    this.rederive();
  }
  save(): DebugRegisterState {
    const s = this.s;
    return { ...s, bvr: s.bvr.slice(), bcr: s.bcr.slice(), wvr: s.wvr.slice(), wcr: s.wcr.slice() };
  }
  load(st: DebugRegisterState): void {
    this.s = { ...st, bvr: st.bvr.slice(), bcr: st.bcr.slice(), wvr: st.wvr.slice(), wcr: st.wcr.slice() };
    this.rederive();
  }

  /** A hardware breakpoint fires at `pc` (checked before the instruction there runs). */
  breakpointAt(pc: number, thumb: boolean): boolean {
    // QEMU: a PC alignment fault has priority over a breakpoint.
    if (!thumb && (pc & 3) !== 0) return false;
    for (let n = 0; n < BREAKPOINTS; n++) {
      if (this.bpAddress[n] === pc && this.controlMatches(this.s.bcr[n]!, false)) return true;
    }
    return false;
  }

  /**
   * A watchpoint fires for the access of `size` bytes at `addr` (`kind` WATCH_READ or WATCH_WRITE;
   * `user`: an LDRT/STRT-style access): sets `hitAddress`.
   */
  watchpointHit(addr: number, size: number, kind: number, user: boolean): boolean {
    const end = addr + size - 1;
    for (let n = 0; n < WATCHPOINTS; n++) {
      if ((this.wpKinds[n]! & kind) === 0) continue;
      const start = this.wpStart[n]!;
      if (addr > start + this.wpLength[n]! - 1 || start > end) continue;
      if (!this.controlMatches(this.s.wcr[n]!, user)) continue;
      this.hitAddress = Math.max(addr, start);
      return true;
    }
    return false;
  }

  /** QEMU's bp_wp_matches past the address: security state, privilege, linked context ID. */
  private controlMatches(cr: number, user: boolean): boolean {
    const ctx = this.context!;
    const ssc = (cr >>> 14) & 3;
    const secure = ctx.secure();
    if ((ssc === 1 || ssc === 3) && secure) return false;
    if (ssc === 2 && !secure) return false;
    const el = user ? 0 : ctx.exceptionLevel();
    if (el >= 2) {
      if ((cr & (1 << 13)) === 0) return false;
    } else if ((cr & (el === 1 ? 2 : 4)) === 0) {
      return false;
    }
    if ((cr & (1 << 20)) !== 0 && !this.linkedContextMatches((cr >>> 16) & 0xf)) return false;
    return true;
  }

  private linkedContextMatches(lbn: number): boolean {
    if (lbn >= BREAKPOINTS || lbn < FIRST_CONTEXT_BREAKPOINT) return false;
    const bcr = this.s.bcr[lbn]!;
    if ((bcr & 1) === 0) return false;
    const bt = (bcr >>> 20) & 0xf;
    // Type 13 compares CONTEXTIDR_EL2, which is 0 on a core without EL2.
    const contextidr = bt === 3 || bt === 7 ? this.context!.contextidr() : bt === 13 ? 0 : NONE;
    return contextidr !== NONE && contextidr >>> 0 === this.s.bvr[lbn]! >>> 0;
  }

  /** Recompute the breakpoint addresses and watched ranges (hw_breakpoint_update / hw_watchpoint_update). */
  private rederive(): void {
    const s = this.s;
    let bps = 0;
    for (let n = 0; n < BREAKPOINTS; n++) {
      const bcr = s.bcr[n]!;
      const bt = (bcr >>> 20) & 0xf;
      const bas = (bcr >>> 5) & 0xf;
      let addr = NONE;
      if ((bcr & 1) !== 0 && (bt === 0 || bt === 1) && bas !== 0) addr = ((s.bvr[n]! & ~3) >>> 0) + (bas === 0xc ? 2 : 0);
      this.bpAddress[n] = addr;
      if (addr !== NONE) bps++;
    }
    let wps = 0;
    for (let n = 0; n < WATCHPOINTS; n++) {
      const wcr = s.wcr[n]!;
      const lsc = (wcr >>> 3) & 3;
      const mask = (wcr >>> 24) & 0x1f;
      let kinds = (wcr & 1) !== 0 && mask !== 1 && mask !== 2 ? lsc : 0;
      let start = s.wvr[n]! >>> 0;
      let length = 0;
      if (mask !== 0) {
        // An aligned block of 2^MASK bytes; BAS is ignored.
        length = 2 ** mask;
        start -= start % length;
      } else {
        let bas = (wcr >>> 5) & 0xff;
        if ((start & 4) !== 0) bas &= 0xf;
        if (bas === 0) kinds = 0;
        else {
          const first = 31 - Math.clz32(bas & -bas);
          const run = bas >>> first;
          length = 31 - Math.clz32(~run & (run + 1));
          start += first;
        }
      }
      this.wpKinds[n] = kinds;
      this.wpStart[n] = start;
      this.wpLength[n] = length;
      if (kinds !== 0) wps++;
    }
    const enabled = (s.dscrExt & MDSCR_MDBGEN) !== 0 && (s.osdlr & 1) === 0;
    const bpArmed = enabled && bps !== 0;
    const wpArmed = enabled && wps !== 0;
    if (bpArmed !== this.breakpointsArmed || wpArmed !== this.watchpointsArmed) {
      this.breakpointsArmed = bpArmed;
      this.watchpointsArmed = wpArmed;
      this.onArmedChange?.();
    }
  }

  define(file: SysRegFile, dbgdidr: number, dbgdevid: number): void {
    const cp14 = (name: string, opc1: number, crn: number, crm: number, opc2: number, rest: Partial<SysRegDef>): SysRegDef => ({
      name,
      cp: 14,
      opc1,
      crn,
      crm,
      opc2,
      ...rest,
    });
    const zero = (): number => 0;
    file.defineAll([
      cp14('DBGDIDR', 0, 0, 0, 0, { pl0Read: true, read: () => dbgdidr }),
      cp14('DBGDSCRint', 0, 0, 1, 0, { pl0Read: true, read: () => this.s.dscrExt }),
      cp14('DBGDSCRext', 0, 0, 2, 2, {
        read: () => this.s.dscrExt,
        write: (v) => {
          this.s.dscrExt = v | 0;
          this.rederive();
        },
      }),
      cp14('DBGDRAR', 0, 1, 0, 0, { pl0Read: true, read: zero }),
      cp14('DBGDSAR', 0, 2, 0, 0, { pl0Read: true, read: zero }),
      { ...cp14('DBGDRAR_64', 0, 0, 1, 0, { pl0Read: true, read: (f) => ((f.hi = 0), 0) }), is64: true },
      { ...cp14('DBGDSAR_64', 0, 0, 2, 0, { pl0Read: true, read: (f) => ((f.hi = 0), 0) }), is64: true },
      cp14('DBGOSLAR', 0, 1, 0, 4, {
        write: (v) => {
          this.s.oslsr = (this.s.oslsr & ~OSLSR_OSLK) | ((v & 1) << 1);
        },
      }),
      cp14('DBGOSLSR', 0, 1, 1, 4, { read: () => this.s.oslsr }),
      cp14('DBGOSDLR', 0, 1, 3, 4, {
        read: () => this.s.osdlr,
        write: (v) => {
          this.s.osdlr = v & 1;
          this.rederive();
        },
      }),
      // QEMU's dummies: vector catch (Linux clears it at boot) and the DCC interrupt enable read as
      // zero and ignore writes.
      // QEMU: ARM_CP_NOP, so an MRC leaves Rt unchanged (measured by sysreg-probe).
      cp14('DBGVCR', 0, 0, 7, 0, { nop: true, read: zero, write: () => undefined }),
      cp14('DBGDCCINT', 0, 0, 2, 0, { read: zero, write: () => undefined }),
      // Jazelle ID: RAZ (measured; no Jazelle on the A15).
      cp14('JIDR', 7, 0, 0, 0, { read: zero }),
    ]);
    // DBGDEVID (DBGDIDR.DEVID_imp) and, with v7.1 debug (DBGDIDR.Version 5: the A15), DBGDEVID1/2 =
    // 0: QEMU 7.2 defines them at c7, c0 (its reginfo omits crm), not at the architecture's c7, c2,
    // 7/0/1, which UNDEF there.
    if ((dbgdidr & 0x8000) !== 0) file.define(cp14('DBGDEVID', 0, 7, 0, 2, { read: () => dbgdevid }));
    if (((dbgdidr >>> 16) & 0xf) >= 5) {
      file.define(cp14('DBGDEVID1', 0, 7, 0, 1, { read: zero }));
      file.define(cp14('DBGDEVID2', 0, 7, 0, 0, { read: zero }));
    }
    for (let n = 0; n < BREAKPOINTS; n++) {
      file.define(
        cp14(`DBGBVR${n}`, 0, 0, n, 4, {
          read: () => this.s.bvr[n]!,
          write: (v) => {
            this.s.bvr[n] = v | 0;
            this.rederive();
          },
        }),
      );
      file.define(
        cp14(`DBGBCR${n}`, 0, 0, n, 5, {
          read: () => this.s.bcr[n]!,
          write: (v) => {
            this.s.bcr[n] = copyBit(copyBit(v, 5, 6), 7, 8) | 0;
            this.rederive();
          },
        }),
      );
    }
    for (let n = 0; n < WATCHPOINTS; n++) {
      file.define(
        cp14(`DBGWVR${n}`, 0, 0, n, 6, {
          read: () => this.s.wvr[n]!,
          write: (v) => {
            // Bits [1:0] are RES0 (QEMU's dbgwvr_write clears them).
            this.s.wvr[n] = v & ~3;
            this.rederive();
          },
        }),
      );
      file.define(
        cp14(`DBGWCR${n}`, 0, 0, n, 7, {
          read: () => this.s.wcr[n]!,
          write: (v) => {
            this.s.wcr[n] = v | 0;
            this.rederive();
          },
        }),
      );
    }
  }
}
