/**
 * The A-profile core's own CP15 registers (identification, SCTLR/ACTLR/CPACR, VBAR, the software
 * thread ID registers, the fault status/address registers, cache maintenance and the CP15
 * barriers), defined on the core's SysRegFile as QEMU 7.2 defines them for a Cortex-A15 on `virt`
 * (target/arm/helper.c, cpu_tcg.c). MMU, generic timer and FP registers are defined by their
 * owners; PMU and debug registers live in their own files.
 *
 * All mutable values are in `s` (a StatefulComponent, so snapshots save them).
 */
import type { StatefulComponent } from '../../devices/device.js';
import type { ArmV7aIds } from '../profile.js';
import type { SysRegDef, SysRegFile } from './sysreg-registry.js';
import { STATE_THREAD_IDS } from '../wasm/wasm-state-layout.js';

export interface CoreRegisterState extends Record<string, number> {
  sctlr: number;
  cpacr: number;
  vbar: number;
  tpidrurw: number;
  tpidruro: number;
  tpidrprw: number;
  /** Cortex-A9 power control, diagnostic and power diagnostic registers (c15, stored as written). */
  a9Pwrctl: number;
  a9Diag: number;
  a9Pwrdiag: number;
  dfsr: number;
  ifsr: number;
  dfar: number;
  ifar: number;
  csselr: number;
  teecr: number;
  teehbr: number;
}

/** SCTLR after reset, as QEMU's cortex-a15 (reset_sctlr). */
export const SCTLR_RESET = 0x00c50078;
export const SCTLR_M = 1 << 0;
export const SCTLR_A = 1 << 1;
export const SCTLR_V = 1 << 13;
export const SCTLR_EE = 1 << 25;
export const SCTLR_TE = 1 << 30;
/** CPACR bits QEMU keeps on a v7 core with VFP and NEON: ASEDIS, D32DIS, cp11, cp10. */
const CPACR_WRITABLE = 0xc0f00000;
/** Core-specific registers: which implementation-defined CP15 registers this core has. */
export interface CoreRegisterVariant {
  /** CBAR: the private peripheral base (virt's A15: 0x08000000, vexpress-a9's A9: 0x1e000000). */
  readonly cbar: number;
  /** 'a15': L2CTLR/L2ECTLR; 'a9': the power/diagnostic control registers of cortexa9_cp_reginfo. */
  readonly core: 'a15' | 'a9';
}

function initialState(): CoreRegisterState {
  return {
    sctlr: SCTLR_RESET,
    cpacr: 0,
    vbar: 0,
    tpidrurw: 0,
    tpidruro: 0,
    tpidrprw: 0,
    a9Pwrctl: 0,
    a9Diag: 0,
    a9Pwrdiag: 0,
    dfsr: 0,
    ifsr: 0,
    dfar: 0,
    ifar: 0,
    csselr: 0,
    teecr: 0,
    teehbr: 0,
  };
}

/** What the registers need from the core. */
export interface CoreRegisterHost {
  /** True at PL0 (user mode). */
  isUser(): boolean;
  /** SCTLR changed: the core re-reads alignment/endianness bits and tells the MMU. */
  sctlrChanged(value: number): void;
}

/** The thread ID registers in the order of their words at STATE_THREAD_IDS. */
const THREAD_ID_KEYS = ['tpidrurw', 'tpidruro', 'tpidrprw'] as const;

export class CoreRegisters implements StatefulComponent<CoreRegisterState> {
  readonly name = 'cp15-core';
  s: CoreRegisterState = initialState();
  /** Where the thread ID registers live (keepThreadIdsIn), or null: in `s` like the rest. */
  private threadIds: Int32Array | null = null;

  /**
   * Keep TPIDRURW/URO/PRW in `words` (3 words of the wasm state area, STATE_THREAD_IDS) from now
   * on: `s` reads and writes them there through accessors, so every writer — MCR, a snapshot
   * load, a test or debugger poking `s` — updates what wasm blocks load inline.
   */
  keepThreadIdsIn(words: Int32Array): void {
    const st = this.save();
    this.threadIds = words;
    this.s = this.withThreadIdAccessors();
    this.load(st);
  }

  private withThreadIdAccessors(): CoreRegisterState {
    const s = initialState();
    const words = this.threadIds!;
    THREAD_ID_KEYS.forEach((key, i) => {
      Object.defineProperty(s, key, {
        enumerable: true,
        get: () => words[i]!,
        set: (v: number) => {
          words[i] = v;
        },
      });
    });
    return s;
  }

  reset(): void {
    this.load(initialState());
  }
  save(): CoreRegisterState {
    return { ...this.s };
  }
  load(st: CoreRegisterState): void {
    // With the thread IDs in the state area, `s` keeps its accessors: assign into it.
    if (this.threadIds === null) this.s = { ...st };
    else Object.assign(this.s, initialState(), st);
  }

  /** Define every register this component owns on `file`. */
  define(file: SysRegFile, ids: ArmV7aIds, host: CoreRegisterHost, variant: CoreRegisterVariant): void {
    const ro = (name: string, opc1: number, crn: number, crm: number, opc2: number, value: number): SysRegDef => ({
      name,
      cp: 15,
      opc1,
      crn,
      crm,
      opc2,
      read: () => value,
    });
    /** RAZ/WI at PL1 (QEMU's ARM_CP_CONST with no write function ignores writes). */
    const razWi = (name: string, opc1: number, crn: number, crm: number, opc2: number, value = 0): SysRegDef => ({
      ...ro(name, opc1, crn, crm, opc2, value),
      write: () => {},
    });
    /** Write-only no-op (cache maintenance). */
    const nop = (name: string, opc1: number, crn: number, crm: number, opc2: number, pl0 = false): SysRegDef => ({
      name,
      cp: 15,
      opc1,
      crn,
      crm,
      opc2,
      pl0Write: pl0,
      nop: true,
      write: () => {},
    });
    const s = (): CoreRegisterState => this.s;
    const rw = (
      name: string,
      opc1: number,
      crn: number,
      crm: number,
      opc2: number,
      key: keyof CoreRegisterState,
      mask = 0xffffffff,
    ): SysRegDef => ({
      name,
      cp: 15,
      opc1,
      crn,
      crm,
      opc2,
      read: () => s()[key]!,
      write: (v) => {
        s()[key] = (v & mask) | 0;
      },
    });

    file.defineAll([
      // Identification (c0). opc2 4 and 7 read as MIDR (QEMU's MIDR wildcard).
      ro('MIDR', 0, 0, 0, 0, ids.midr),
      ro('CTR', 0, 0, 0, 1, ids.ctr),
      ro('TCMTR', 0, 0, 0, 2, 0),
      ro('TLBTR', 0, 0, 0, 3, 0),
      ro('MIDR_alias4', 0, 0, 0, 4, ids.midr),
      ro('MPIDR', 0, 0, 0, 5, ids.mpidr),
      // QEMU's A15 has no REVIDR of its own: opc2 6 falls to the MIDR wildcard (measured).
      ro('REVIDR', 0, 0, 0, 6, ids.midr),
      ro('MIDR_alias7', 0, 0, 0, 7, ids.midr),
      ro('ID_PFR0', 0, 0, 1, 0, ids.idPfr0),
      ro('ID_PFR1', 0, 0, 1, 1, ids.idPfr1),
      ro('ID_DFR0', 0, 0, 1, 2, ids.idDfr0),
      ro('ID_AFR0', 0, 0, 1, 3, ids.idAfr0),
      ...ids.idMmfr.map((v, i) => ro(`ID_MMFR${i}`, 0, 0, 1, 4 + i, v)),
      ...ids.idIsar.map((v, i) => ro(`ID_ISAR${i}`, 0, 0, 2, i, v)),
      ro('ID_MMFR4', 0, 0, 2, 6, 0),
      ro('ID_ISAR6', 0, 0, 2, 7, 0),
      {
        name: 'CCSIDR',
        cp: 15,
        opc1: 1,
        crn: 0,
        crm: 0,
        opc2: 0,
        read: () => ids.ccsidr[this.s.csselr & 0xf] ?? 0,
      },
      ro('CLIDR', 1, 0, 0, 1, ids.clidr),
      ro('AIDR', 1, 0, 0, 7, ids.aidr),
      rw('CSSELR', 2, 0, 0, 0, 'csselr', 0xf),

      // System control (c1)
      {
        name: 'SCTLR',
        cp: 15,
        opc1: 0,
        crn: 1,
        crm: 0,
        opc2: 0,
        read: () => this.s.sctlr,
        write: (v) => {
          // QEMU stores SCTLR as written on a v7 core (no RAO/RAZ masking).
          this.s.sctlr = v | 0;
          host.sctlrChanged(v | 0);
        },
      },
      razWi('ACTLR', 0, 1, 0, 1),
      rw('CPACR', 0, 1, 0, 2, 'cpacr', CPACR_WRITABLE),

      // Fault status and address (c5, c6)
      rw('DFSR', 0, 5, 0, 0, 'dfsr'),
      rw('IFSR', 0, 5, 0, 1, 'ifsr'),
      razWi('ADFSR', 0, 5, 1, 0),
      razWi('AIFSR', 0, 5, 1, 1),
      rw('DFAR', 0, 6, 0, 0, 'dfar'),
      rw('IFAR', 0, 6, 0, 2, 'ifar'),

      // Cache and branch predictor maintenance, CP15 barriers (c7): no caches are modelled.
      nop('ICIALLUIS', 0, 7, 1, 0),
      nop('BPIALLIS', 0, 7, 1, 6),
      nop('ICIALLU', 0, 7, 5, 0),
      nop('ICIMVAU', 0, 7, 5, 1),
      nop('CP15ISB', 0, 7, 5, 4, true),
      nop('BPIALL', 0, 7, 5, 6),
      nop('BPIMVA', 0, 7, 5, 7),
      nop('DCIMVAC', 0, 7, 6, 1),
      nop('DCISW', 0, 7, 6, 2),
      nop('DCCMVAC', 0, 7, 10, 1),
      nop('DCCSW', 0, 7, 10, 2),
      nop('CP15DSB', 0, 7, 10, 4, true),
      nop('CP15DMB', 0, 7, 10, 5, true),
      nop('DCCMVAU', 0, 7, 11, 1),
      nop('DCCIMVAC', 0, 7, 14, 1),
      nop('DCCISW', 0, 7, 14, 2),


      // VBAR (c12) and thread ID registers (c13; FCSEIDR is the MMU's: it changes translation)
      rw('VBAR', 0, 12, 0, 0, 'vbar', ~0x1f),
      { ...rw('TPIDRURW', 0, 13, 0, 2, 'tpidrurw'), pl0Read: true, pl0Write: true, writeKeepsSlice: true, stateWord: STATE_THREAD_IDS },
      { ...rw('TPIDRURO', 0, 13, 0, 3, 'tpidruro'), pl0Read: true, writeKeepsSlice: true, stateWord: STATE_THREAD_IDS + 4 },
      { ...rw('TPIDRPRW', 0, 13, 0, 4, 'tpidrprw'), writeKeepsSlice: true, stateWord: STATE_THREAD_IDS + 8 },
    ]);
    if (variant.core === 'a15') {
      // Cortex-A15 L2 control (c9, opc1 1): one CPU, interrupt controller present.
      file.defineAll([razWi('L2CTLR', 1, 9, 0, 2, 0x00800000), razWi('L2ECTLR', 1, 9, 0, 3)]);
    }
    // Cortex-A9 (QEMU's cortexa9_cp_reginfo): power control and diagnostics kept as written; the
    // NEON busy and TLB lockdown registers fall to the c15 wildcard below (RAZ/WI), as QEMU's do.
    const a9Own = variant.core === 'a9';
    if (a9Own) {
      file.defineAll([
        rw('A9_PWRCTL', 0, 15, 0, 0, 'a9Pwrctl'),
        rw('A9_DIAG', 0, 15, 0, 1, 'a9Diag'),
        rw('A9_PWRDIAG', 0, 15, 0, 2, 'a9Pwrdiag'),
      ]);
    }

    // The rest of the CP15 c0 ID space (c3-c7) reads as zero (measured on QEMU).
    for (let crm = 3; crm < 8; crm++) {
      for (let opc2 = 0; opc2 < 8; opc2++) file.define(ro(`ID_RAZ_c${crm}_${opc2}`, 0, 0, crm, opc2, 0));
    }

    // ThumbEE registers (the A15 has the feature bit; QEMU implements only these two).
    file.define({
      name: 'TEECR',
      cp: 14,
      opc1: 6,
      crn: 0,
      crm: 0,
      opc2: 0,
      read: () => this.s.teecr,
      write: (v) => {
        this.s.teecr = v & 1;
      },
    });
    const teehbrAllowed = (): boolean => (this.s.teecr & 1) === 0;
    file.define({
      name: 'TEEHBR',
      cp: 14,
      opc1: 6,
      crn: 1,
      crm: 0,
      opc2: 0,
      pl0Read: teehbrAllowed,
      pl0Write: teehbrAllowed,
      read: () => this.s.teehbr,
      write: (v) => {
        this.s.teehbr = v | 0;
      },
    });

    // c15: CBAR (read-only here; QEMU lets Secure PL1 write the A9's) and QEMU's DUMMY_C15_REGS
    // wildcard (RAZ/WI at PL1).
    file.define(ro('CBAR', 4, 15, 0, 0, variant.cbar));
    for (let opc1 = 0; opc1 < 8; opc1++) {
      for (let crm = 0; crm < 16; crm++) {
        for (let opc2 = 0; opc2 < 8; opc2++) {
          if (opc1 === 4 && crm === 0 && opc2 === 0) continue;
          if (a9Own && opc1 === 0 && crm === 0 && opc2 <= 2) continue;
          file.define(razWi(`IMPDEF_c15_${opc1}_${crm}_${opc2}`, opc1, 15, crm, opc2));
        }
      }
    }
    void host;
  }
}
