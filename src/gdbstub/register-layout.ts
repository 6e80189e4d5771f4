/**
 * gdb's remote register numbering for an M-profile core with the m-system feature (observed with
 * gdb-multiarch 13.1, notes/gdb-rsp.md §1.5). `g`/`G` carry these registers packed in this order,
 * 4 bytes each, little-endian; the target description lists the same table.
 */

export interface RegisterInfo {
  /** gdb's remote register number (what `p`/`P` and `T` replies use). */
  readonly regnum: number;
  readonly name: string;
  readonly type: 'uint32' | 'int' | 'data_ptr' | 'code_ptr';
  readonly feature: 'org.gnu.gdb.arm.m-profile' | 'org.gnu.gdb.arm.m-system';
}

export const REG_SP = 13;
export const REG_PC = 15;
export const REG_XPSR = 25;
export const REG_MSP = 26;
export const REG_PSP = 27;

const core = (regnum: number, name: string): RegisterInfo => ({
  regnum,
  name,
  type: 'uint32',
  feature: 'org.gnu.gdb.arm.m-profile',
});

export const M_PROFILE_REGISTERS: readonly RegisterInfo[] = [
  ...Array.from({ length: 13 }, (_, n) => core(n, `r${n}`)),
  { regnum: REG_SP, name: 'sp', type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-profile' },
  core(14, 'lr'),
  { regnum: REG_PC, name: 'pc', type: 'code_ptr', feature: 'org.gnu.gdb.arm.m-profile' },
  { regnum: REG_XPSR, name: 'xpsr', type: 'int', feature: 'org.gnu.gdb.arm.m-profile' },
  { regnum: REG_MSP, name: 'msp', type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-system' },
  { regnum: REG_PSP, name: 'psp', type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-system' },
];

/** Size of a `g` reply in bytes. */
export const G_PACKET_BYTES = M_PROFILE_REGISTERS.length * 4;

export function isKnownRegister(regnum: number): boolean {
  return M_PROFILE_REGISTERS.some((reg) => reg.regnum === regnum);
}
