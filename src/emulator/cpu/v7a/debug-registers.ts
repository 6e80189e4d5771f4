/**
 * The CP14 debug registers QEMU 7.2 gives a Cortex-A15 (target/arm/debug_helper.c, as measured on
 * virt): DBGDIDR (6 breakpoints, 4 watchpoints), DBGDSCRint/ext, DBGDRAR/DBGDSAR (32- and 64-bit,
 * reading 0: no memory-mapped debug), the OS lock (DBGOSLAR/DBGOSLSR, locked at reset), DBGOSDLR,
 * the breakpoint and watchpoint value/control pairs, and the Jazelle ID register. Everything else
 * in CP14 is UNDEFINED there (DBGVCR, DBGPRCR, claim tags, DBGAUTHSTATUS, DBGDEVID...).
 *
 * The values are stored as QEMU stores them; breakpoints and watchpoints programmed here do not
 * trigger (Linux only programs them for perf/ptrace users).
 */
import type { StatefulComponent } from '../../devices/device.js';
import type { SysRegDef, SysRegFile } from './sysreg-registry.js';

const BREAKPOINTS = 6;
const WATCHPOINTS = 4;
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

  reset(): void {
    this.s = initialState();
  }
  save(): DebugRegisterState {
    const s = this.s;
    return { ...s, bvr: s.bvr.slice(), bcr: s.bcr.slice(), wvr: s.wvr.slice(), wcr: s.wcr.slice() };
  }
  load(st: DebugRegisterState): void {
    this.s = { ...st, bvr: st.bvr.slice(), bcr: st.bcr.slice(), wvr: st.wvr.slice(), wcr: st.wcr.slice() };
  }

  define(file: SysRegFile, dbgdidr: number): void {
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
    for (let n = 0; n < BREAKPOINTS; n++) {
      file.define(
        cp14(`DBGBVR${n}`, 0, 0, n, 4, {
          read: () => this.s.bvr[n]!,
          write: (v) => {
            this.s.bvr[n] = v | 0;
          },
        }),
      );
      file.define(
        cp14(`DBGBCR${n}`, 0, 0, n, 5, {
          read: () => this.s.bcr[n]!,
          write: (v) => {
            this.s.bcr[n] = copyBit(copyBit(v, 5, 6), 7, 8) | 0;
          },
        }),
      );
    }
    for (let n = 0; n < WATCHPOINTS; n++) {
      file.define(
        cp14(`DBGWVR${n}`, 0, 0, n, 6, {
          read: () => this.s.wvr[n]!,
          write: (v) => {
            this.s.wvr[n] = v | 0;
          },
        }),
      );
      file.define(
        cp14(`DBGWCR${n}`, 0, 0, n, 7, {
          read: () => this.s.wcr[n]!,
          write: (v) => {
            this.s.wcr[n] = v | 0;
          },
        }),
      );
    }
  }
}
