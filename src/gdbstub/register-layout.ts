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
  | 'org.gnu.gdb.arm.core'
  | 'org.gnu.gdb.arm.vfp'
  | 'org.gnu.gdb.arm.neon';

export interface RegisterInfo {
  /** gdb's remote register number (what `p`/`P` and `T` replies use). */
  readonly regnum: number;
  readonly name: string;
  readonly bitsize: 32 | 64 | 128;
  /** The tdesc type; `float` with 64 bits is what QEMU gives d0-d15 (gdb shows a double). */
  readonly type: 'uint32' | 'int' | 'data_ptr' | 'code_ptr' | 'float' | 'ieee_double' | 'neon_q';
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

/**
 * A-profile (Cortex-A15 on virt): org.gnu.gdb.arm.core (r0-r15, cpsr at 25, the same number as xpsr
 * on M) and org.gnu.gdb.arm.vfp with d0-d31 at 26-57 and fpscr at 58, as gdbserver's arm-with-neon
 * description; gdb derives s0-s31 from d0-d15. q0-q15 come as registers of their own (59-74) in
 * org.gnu.gdb.arm.neon: gdb 13.1 announces q pseudo registers for an empty neon feature but makes
 * zero of them (arm_dump_tdep: q_pseudo_count = 0), so `p $q0` would find nothing. QEMU 7.2 numbers
 * d0-d31 the same (26-57) but puts q0-q15 at 58-73 and fpscr at 74 (its arm-neon.xml, without the
 * vfp feature, so gdb makes no s registers there), then fpsid/fpexc and its CP15 registers.
 */
export const REG_CPSR = 25;
export const REG_A_D0 = 26;
export const REG_A_FPSCR = REG_A_D0 + 32;
/** q0; q<n> = d<2n+1>:d<2n>. */
export const REG_A_Q0 = REG_A_FPSCR + 1;

export const A_PROFILE_REGISTERS: RegisterLayout = [
  // Signed like QEMU's arm-core.xml (no type: gdb's default int), so `info registers` reads the same.
  ...Array.from({ length: 13 }, (_, n): RegisterInfo => ({ regnum: n, name: `r${n}`, bitsize: 32, type: 'int', feature: 'org.gnu.gdb.arm.core' })),
  { regnum: REG_SP, name: 'sp', bitsize: 32, type: 'data_ptr', feature: 'org.gnu.gdb.arm.core' },
  { regnum: 14, name: 'lr', bitsize: 32, type: 'int', feature: 'org.gnu.gdb.arm.core' },
  { regnum: REG_PC, name: 'pc', bitsize: 32, type: 'code_ptr', feature: 'org.gnu.gdb.arm.core' },
  { regnum: REG_CPSR, name: 'cpsr', bitsize: 32, type: 'int', feature: 'org.gnu.gdb.arm.core' },
  ...Array.from({ length: 32 }, (_, n): RegisterInfo => ({
    regnum: REG_A_D0 + n,
    name: `d${n}`,
    bitsize: 64,
    type: 'ieee_double',
    feature: 'org.gnu.gdb.arm.vfp',
  })),
  { regnum: REG_A_FPSCR, name: 'fpscr', bitsize: 32, type: 'int', group: 'float', feature: 'org.gnu.gdb.arm.vfp' },
  ...Array.from({ length: 16 }, (_, n): RegisterInfo => ({
    regnum: REG_A_Q0 + n,
    name: `q${n}`,
    bitsize: 128,
    type: 'neon_q',
    feature: 'org.gnu.gdb.arm.neon',
  })),
];

/** The layout for a core: A-profile, or M-profile by whether it has an FPU. */
export function registerLayoutFor(core: { readonly fpu: boolean; readonly arch?: 'v7m' | 'v7a' }): RegisterLayout {
  if (core.arch === 'v7a') return A_PROFILE_REGISTERS;
  return core.fpu ? M_PROFILE_FPU_REGISTERS : M_PROFILE_REGISTERS;
}

/** `g` reply sizes by layout (computed once: every `g` needs it). */
const gPacketSizes = new WeakMap<RegisterLayout, number>();

/** Size of a `g` reply of the M3 layout in bytes. */
export const G_PACKET_BYTES = gPacketBytes(M_PROFILE_REGISTERS);

export function gPacketBytes(layout: RegisterLayout): number {
  let size = gPacketSizes.get(layout);
  if (size === undefined) {
    size = layout.reduce((sum, reg) => sum + reg.bitsize / 8, 0);
    gPacketSizes.set(layout, size);
  }
  return size;
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
  /** 64- and 128-bit registers (d, q) as 32-bit words, least significant first (GdbTarget). */
  readWideRegister?(regnum: number, words: Uint32Array): boolean;
}

/** Scratch for readWideRegister (one q register). */
const wideWords = new Uint32Array(4);

/** One register as `p` and `g` carry it: little-endian hex of its width, `x`s when unavailable. */
export function encodeRegister(source: RegisterSource, reg: RegisterInfo): string {
  const bytes = Buffer.alloc(reg.bitsize / 8);
  return writeRegisterBytes(source, reg, bytes, 0) ? bytes.toString('hex') : 'x'.repeat(reg.bitsize / 4);
}

/** Writes `reg`'s value little-endian at `bytes[at]`; false when the source does not have it. */
function writeRegisterBytes(source: RegisterSource, reg: RegisterInfo, bytes: Buffer, at: number): boolean {
  if (reg.bitsize !== 32) {
    if (source.readWideRegister?.(reg.regnum, wideWords) !== true) return false;
    for (let i = 0; i < reg.bitsize / 32; i++) bytes.writeUInt32LE(wideWords[i]!, at + 4 * i);
    return true;
  }
  const value = source.readRegister(reg.regnum);
  if (value === null) return false;
  bytes.writeUInt32LE(value >>> 0, at);
  return true;
}

/** A whole `g` reply: one buffer and one hex conversion (gdb asks for it after every step). */
export function encodeRegisters(source: RegisterSource, layout: RegisterLayout): string {
  const bytes = Buffer.allocUnsafe(gPacketBytes(layout));
  let at = 0;
  for (const reg of layout) {
    // A register the source lacks is sent as `x`s: spell every field out then.
    if (!writeRegisterBytes(source, reg, bytes, at)) return layout.map((r) => encodeRegister(source, r)).join('');
    at += reg.bitsize / 8;
  }
  return bytes.toString('hex');
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
    const value =
      reg.bitsize === 32
        ? bytes.readUInt32LE(0)
        : reg.bitsize === 64
          ? bytes.readBigUInt64LE(0)
          : (bytes.readBigUInt64LE(8) << 64n) | bytes.readBigUInt64LE(0);
    fields.push({ reg, value });
  }
  return at === payload.length && payload.length > 0 ? fields : null;
}
