/**
 * Coprocessor system registers of an ARMv7-A core (CP15, CP14), as MRC/MCR (32-bit) and MRRC/MCRR
 * (64-bit) address them. Each owner (the core's own registers, the MMU, the generic timer, the PMU,
 * the debug registers) defines its registers here; the MRC/MCR/MRRC/MCRR handlers look them up by
 * key, so one place defines each register and the instruction side knows none of them.
 *
 * An access with no definition, or one the definition does not allow at the current privilege
 * level, is UNDEFINED (as QEMU's cpreg table: an unknown register raises UND).
 */

/** How one register is read and written. Accessors run during the instruction (icount counted). */
export interface SysRegDef {
  /** The name QEMU and the ARM ARM use (SCTLR, TTBR0, CNTVCT...): for errors, gdb, tests. */
  readonly name: string;
  readonly cp: 14 | 15;
  readonly opc1: number;
  /** 32-bit registers only (0 for 64-bit ones). */
  readonly crn: number;
  readonly crm: number;
  /** 32-bit registers only (0 for 64-bit ones). */
  readonly opc2: number;
  /** Accessed with MRRC/MCRR (a 64-bit register). */
  readonly is64?: boolean;
  /** PL0 (user mode) may read / write it (TPIDRURO, CNTVCT with CNTKCTL...); default false. */
  readonly pl0Read?: boolean | (() => boolean);
  readonly pl0Write?: boolean | (() => boolean);
  /**
   * Value of a 32-bit register, or the low word of a 64-bit one (then set `regs.hi` to the high
   * word). Absent: the register is write-only (reads UNDEFINED).
   */
  read?(regs: SysRegFile): number;
  /**
   * QEMU's ARM_CP_NOP: the access is allowed but does nothing at all — an MRC leaves Rt (or the
   * flags) unchanged, an MCR is ignored. `read`/`write` still say which directions are allowed.
   */
  readonly nop?: boolean;
  /**
   * A write that can neither make an interrupt takeable, arm a timer, nor change which TLB or view
   * the core fetches through (TLB maintenance, translation registers that only flush the TLB, the
   * thread ID registers): MCR/MCRR of it need not end the execution slice. Every other write ends
   * it, so the machine loop looks at interrupts and timers again (QEMU ends its TB there). Ending
   * the slice after these would change nothing: an interrupt that can be taken has already ended it.
   */
  readonly writeKeepsSlice?: boolean;
  /**
   * Byte offset in the wasm tier's state area where the register's value lives whenever the bus is
   * wasm-backed (its owner keeps it there): a plain read is then an inline load in wasm blocks.
   */
  readonly stateWord?: number;
  /** Write; `hi` is the high word for 64-bit registers (0 for 32-bit). Absent: read-only (writes UNDEFINED; QEMU ignores writes to some ID registers: define a no-op write for those). */
  write?(value: number, hi: number, regs: SysRegFile): void;
}

/** Lookup key of a register: fits in 32 bits. */
export function sysRegKey(cp: number, is64: boolean, opc1: number, crn: number, crm: number, opc2: number): number {
  return (((cp & 15) << 16) | ((is64 ? 1 : 0) << 15) | ((opc1 & 7) << 11) | ((crn & 15) << 7) | ((crm & 15) << 3) | (opc2 & 7)) >>> 0;
}

export class SysRegDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SysRegDefinitionError';
  }
}

const TLB_LOCKDOWN: SysRegDef = { name: 'TLB_LOCKDOWN', cp: 15, opc1: 0, crn: 10, crm: 0, opc2: 0, nop: true, read: () => 0, write: () => {} };
const CACHE_MAINTENANCE_NOP: SysRegDef = { name: 'CACHEMAINT', cp: 15, opc1: 0, crn: 7, crm: 0, opc2: 0, nop: true, write: () => {} };

/** All system registers of one core. */
export class SysRegFile {
  /** High word returned by the last 64-bit read (MRRC reads `read()` then `hi`). */
  hi = 0;
  private readonly defs = new Map<number, SysRegDef>();

  define(def: SysRegDef): void {
    const key = sysRegKey(def.cp, def.is64 === true, def.opc1, def.crn, def.crm, def.opc2);
    const old = this.defs.get(key);
    if (old !== undefined) throw new SysRegDefinitionError(`${def.name} redefines ${old.name} (same encoding)`);
    this.defs.set(key, def);
  }

  defineAll(defs: readonly SysRegDef[]): void {
    for (const d of defs) this.define(d);
  }

  /** The definition for an MRC/MCR/MRRC/MCRR encoding, or undefined (the access is UNDEFINED). */
  lookup(cp: number, is64: boolean, opc1: number, crn: number, crm: number, opc2: number): SysRegDef | undefined {
    return this.defs.get(sysRegKey(cp, is64, opc1, crn, crm, opc2)) ?? this.wildcard(cp, is64, opc1, crn, crm, opc2);
  }

  /**
   * QEMU's cp_reginfo registers with CP_ANY fields (target/arm/helper.c), for encodings no exact
   * definition has: DACR answers at every opc1/CRm/opc2 of c3, the TLB lockdown registers
   * (c10, CRm 0/1/4/8) are NOPs both ways, and c7 with opc1 0 is a write-only cache maintenance NOP.
   */
  private wildcard(cp: number, is64: boolean, opc1: number, crn: number, crm: number, opc2: number): SysRegDef | undefined {
    if (cp !== 15 || is64) return undefined;
    if (crn === 3) return this.defs.get(sysRegKey(15, false, 0, 3, 0, 0));
    if (crn === 10 && (crm === 0 || crm === 1 || crm === 4 || crm === 8)) return TLB_LOCKDOWN;
    if (crn === 7 && opc1 === 0) return CACHE_MAINTENANCE_NOP;
    void opc2;
    return undefined;
  }

  /** Every definition (gdb register lists, tests). */
  all(): SysRegDef[] {
    return [...this.defs.values()];
  }

  /** Read by name (tests, gdb, lock-step); throws for an unknown or write-only register. */
  readByName(name: string): number {
    for (const d of this.defs.values()) if (d.name === name && d.read) return d.read(this) >>> 0;
    throw new SysRegDefinitionError(`no readable system register ${name}`);
  }
}

/**
 * The interrupt inputs of an A-profile core: the GIC CPU interface drives them (level-sensitive, as
 * QEMU's CPU_INTERRUPT_HARD / CPU_INTERRUPT_FIQ). The core takes the exception at the next
 * instruction boundary when CPSR.I / CPSR.F allow it, and a change of level must end the current
 * execution budget (the core sets `exitRequest`).
 */
export interface CoreInterruptInputs {
  setIrq(level: boolean): void;
  setFiq(level: boolean): void;
}
