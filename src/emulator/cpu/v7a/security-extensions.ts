/**
 * The CP15 registers of the ARMv7 Security Extensions as QEMU 7.2 defines them for a v7 core with
 * EL3 and without EL2 (the Cortex-A9 of vexpress-a9; target/arm/helper.c el3_cp_reginfo,
 * scr_write, vbar_write): SCR (bits 13:0 but SCD, HCE, RW and ST, which scr_write forces to zero
 * on a v7 core without EL2), SDER, NSACR and MVBAR (bits 31:5). The exception unit reads SCR
 * (IRQ/FIQ routed to Monitor mode, NS cleared on an exception taken from Monitor mode) and MVBAR
 * (Monitor vectors).
 *
 * Not modelled: the Secure/Non-secure banking of SCTLR, VBAR, TTBRs and friends (one copy each:
 * what a program running Secure, as QEMU starts a bare-metal image here, sees), and the UNDEFINED
 * answer to these registers from Non-secure PL1.
 */
import type { StatefulComponent } from '../../devices/device.js';
import type { SysRegFile } from './sysreg-registry.js';

export const SCR_NS = 1 << 0;
export const SCR_IRQ = 1 << 1;
export const SCR_FIQ = 1 << 2;
/** v8's 0x3fff minus RW, ST, HCE and SMD (SCD), as scr_write masks it on this core. */
const SCR_WRITABLE = 0x3fff & ~((1 << 10) | (1 << 11) | (1 << 8) | (1 << 7));

export interface SecurityState extends Record<string, number> {
  scr: number;
  sder: number;
  nsacr: number;
  mvbar: number;
}

function initialState(): SecurityState {
  return { scr: 0, sder: 0, nsacr: 0, mvbar: 0 };
}

export class SecurityExtensions implements StatefulComponent<SecurityState> {
  readonly name = 'cp15-security';
  s: SecurityState = initialState();

  reset(): void {
    this.s = initialState();
  }
  save(): SecurityState {
    return { ...this.s };
  }
  load(st: SecurityState): void {
    this.s = { ...st };
  }

  define(file: SysRegFile): void {
    const s = (): SecurityState => this.s;
    file.defineAll([
      {
        name: 'SCR',
        cp: 15,
        opc1: 0,
        crn: 1,
        crm: 1,
        opc2: 0,
        read: () => s().scr,
        write: (v) => {
          s().scr = v & SCR_WRITABLE;
        },
      },
      {
        name: 'SDER',
        cp: 15,
        opc1: 0,
        crn: 1,
        crm: 1,
        opc2: 1,
        read: () => s().sder,
        write: (v) => {
          s().sder = v | 0;
        },
      },
      {
        name: 'NSACR',
        cp: 15,
        opc1: 0,
        crn: 1,
        crm: 1,
        opc2: 2,
        read: () => s().nsacr,
        write: (v) => {
          s().nsacr = v | 0;
        },
      },
      {
        name: 'MVBAR',
        cp: 15,
        opc1: 0,
        crn: 12,
        crm: 0,
        opc2: 1,
        read: () => s().mvbar,
        write: (v) => {
          s().mvbar = v & ~0x1f;
        },
      },
    ]);
  }
}
