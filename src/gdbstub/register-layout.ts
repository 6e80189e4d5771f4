/**
 * gdb's remote register numbering for an M-profile core with the m-system feature (observed with
 * gdb-multiarch 13.1, notes/gdb-rsp.md §1.5). `g`/`G` carry these registers packed in this order,
 * each in its own width, little-endian; the target description lists the same table.
 *
 * A core with FPv4-SP (Cortex-M4F) adds the org.gnu.gdb.arm.vfp feature as QEMU 7.2 announces it
 * for an M-profile core with single-precision VFP: d0-d15 (64 bits) and fpscr. gdb derives s0-s31
 * from d0-d15 itself. The FP registers follow msp/psp, so the core and m-system numbers are the same
 * on every core.
 */

export type RegisterFeature =
  | 'org.gnu.gdb.arm.m-profile'
  | 'org.gnu.gdb.arm.m-system'
  | 'org.gnu.gdb.arm.vfp';

export interface RegisterInfo {
  /** gdb's remote register number (what `p`/`P` and `T` replies use). */
  readonly regnum: number;
  readonly name: string;
  readonly bitsize: 32 | 64;
  /** The tdesc type; `float` with 64 bits is what QEMU gives d0-d15 (gdb shows a double). */
  readonly type: 'uint32' | 'int' | 'data_ptr' | 'code_ptr' | 'float';
  /** The tdesc group, where gdb's default would be wrong (fpscr belongs with the FP registers). */
  readonly group?: 'float';
  readonly feature: RegisterFeature;
}

/** The registers one core shows gdb, in ascending regnum order (= `g` packet order). */
export type RegisterLayout = readonly RegisterInfo[];

export const REG_SP = 13;
export const REG_PC = 15;
export const REG_XPSR = 25;
export const REG_MSP = 26;
export const REG_PSP = 27;
/** d0; d<n> is REG_D0 + n. */
export const REG_D0 = 28;
export const REG_FPSCR = REG_D0 + 16;

const core = (regnum: number, name: string): RegisterInfo => ({
  regnum,
  name,
  bitsize: 32,
  type: 'uint32',
  feature: 'org.gnu.gdb.arm.m-profile',
});

/** Cortex-M3 (and any core without an FPU). */
export const M_PROFILE_REGISTERS: RegisterLayout = [
  ...Array.from({ length: 13 }, (_, n) => core(n, `r${n}`)),
  { regnum: REG_SP, name: 'sp', bitsize: 32, type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-profile' },
  core(14, 'lr'),
  { regnum: REG_PC, name: 'pc', bitsize: 32, type: 'code_ptr', feature: 'org.gnu.gdb.arm.m-profile' },
  { regnum: REG_XPSR, name: 'xpsr', bitsize: 32, type: 'int', feature: 'org.gnu.gdb.arm.m-profile' },
  { regnum: REG_MSP, name: 'msp', bitsize: 32, type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-system' },
  { regnum: REG_PSP, name: 'psp', bitsize: 32, type: 'data_ptr', feature: 'org.gnu.gdb.arm.m-system' },
];

/** Cortex-M4F: the M3 registers, then d0-d15 and fpscr. */
export const M_PROFILE_FPU_REGISTERS: RegisterLayout = [
  ...M_PROFILE_REGISTERS,
  ...Array.from({ length: 16 }, (_, n): RegisterInfo => ({
    regnum: REG_D0 + n,
    name: `d${n}`,
    bitsize: 64,
    type: 'float',
    feature: 'org.gnu.gdb.arm.vfp',
  })),
  { regnum: REG_FPSCR, name: 'fpscr', bitsize: 32, type: 'int', group: 'float', feature: 'org.gnu.gdb.arm.vfp' },
];

/** The layout for a core, by whether it has an FPU. */
export function registerLayoutFor(core: { readonly fpu: boolean }): RegisterLayout {
  return core.fpu ? M_PROFILE_FPU_REGISTERS : M_PROFILE_REGISTERS;
}

/** Size of a `g` reply of the M3 layout in bytes. */
export const G_PACKET_BYTES = gPacketBytes(M_PROFILE_REGISTERS);

export function gPacketBytes(layout: RegisterLayout): number {
  return layout.reduce((sum, reg) => sum + reg.bitsize / 8, 0);
}

export function findRegister(layout: RegisterLayout, regnum: number): RegisterInfo | undefined {
  return layout.find((reg) => reg.regnum === regnum);
}

export function isKnownRegister(regnum: number, layout: RegisterLayout = M_PROFILE_REGISTERS): boolean {
  return findRegister(layout, regnum) !== undefined;
}

/** What encoding a register needs from a target (GdbTarget has these members). */
export interface RegisterSource {
  readRegister(regnum: number): number | null;
  readRegister64?(regnum: number): bigint | null;
}

/** One register as `p` and `g` carry it: little-endian hex of its width, `x`s when unavailable. */
export function encodeRegister(source: RegisterSource, reg: RegisterInfo): string {
  const bytes = Buffer.alloc(reg.bitsize / 8);
  if (reg.bitsize === 64) {
    const value = source.readRegister64?.(reg.regnum) ?? null;
    if (value === null) return 'x'.repeat(16);
    bytes.writeBigUInt64LE(BigInt.asUintN(64, value));
  } else {
    const value = source.readRegister(reg.regnum);
    if (value === null) return 'x'.repeat(8);
    bytes.writeUInt32LE(value >>> 0);
  }
  return bytes.toString('hex');
}

/** A whole `g` reply. */
export function encodeRegisters(source: RegisterSource, layout: RegisterLayout): string {
  let out = '';
  for (const reg of layout) out += encodeRegister(source, reg);
  return out;
}

/**
 * A `G` payload split into per-register fields: null when malformed. A field of `x`s (gdb leaves a
 * register it does not know alone) has value null. A payload may stop early, at a register boundary.
 */
export function decodeRegisters(
  payload: string,
  layout: RegisterLayout,
): { reg: RegisterInfo; value: number | bigint | null }[] | null {
  const fields: { reg: RegisterInfo; value: number | bigint | null }[] = [];
  let at = 0;
  for (const reg of layout) {
    if (at >= payload.length) break;
    const digits = reg.bitsize / 4;
    const field = payload.slice(at, at + digits);
    at += digits;
    if (field.length !== digits) return null;
    if (field === 'x'.repeat(digits)) {
      fields.push({ reg, value: null });
      continue;
    }
    if (!/^[0-9a-fA-F]+$/.test(field)) return null;
    const bytes = Buffer.from(field, 'hex');
    fields.push({ reg, value: reg.bitsize === 64 ? bytes.readBigUInt64LE(0) : bytes.readUInt32LE(0) });
  }
  return at === payload.length && payload.length > 0 ? fields : null;
}
