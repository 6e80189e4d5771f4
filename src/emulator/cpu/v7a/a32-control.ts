/**
 * A32 branches, status-register access, exception-generating and hint instructions (ARM DDI 0406C
 * A5.2.12, A5.7 and the unconditional space A5.7): B, BL, BLX, BX, BXJ, MRS/MSR (incl. banked),
 * SVC, BKPT, HVC/SMC (UNDEFINED on virt, except HVC PSCI calls; SMC enters Monitor mode on a core
 * with the Security Extensions), ERET, UDF, hints (NOP, YIELD,
 * WFE, WFI, SEV, DBG), and in the unconditional space CPS, SETEND, SRS, RFE, BLX (immediate),
 * PLD/PLDW/PLI, CLREX, DSB/DMB/ISB.
 */
import type { Cpu } from '../cpu.js';
import { encoding, type Encoding, type Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import type { ArmV7aCpu } from './cpu.js';
import { mrs, mrsBanked, msr, msrBanked } from './status-registers.js';
import { MODE_USR, bankOf } from './state.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);
const v7a = (c: Cpu): ArmV7aCpu => c as ArmV7aCpu;
const nothing: Handler = () => {};

/** ROR of an 8-bit immediate by 2 * rot (A32 modified immediate, no carry needed here). */
function expandImm(rot: number, imm8: number): number {
  const n = rot * 2;
  return n === 0 ? imm8 : ((imm8 >>> n) | (imm8 << (32 - n))) | 0;
}

export const hint = (c: Cpu, a: Fields): void => {
  switch (a.op) {
    case 2:
      c.sys.wfe();
      break;
    case 3:
      c.sys.wfi();
      break;
    case 4:
      c.sys.sev();
      break;
    case 1:
      // YIELD: QEMU's single-threaded TCG leaves its cpu_exec loop (DISAS_YIELD).
      v7a(c).markExitToLoop();
      break;
    default:
      break; // NOP, DBG and the reserved hints
  }
};

/** HVC: QEMU answers PSCI calls itself (virt's conduit); anything else is UNDEFINED (no EL2). */
export const hvc: Handler = (c) => {
  const cpu = v7a(c);
  if (cpu.state.mode === MODE_USR || !cpu.psciCall()) cpu.undefined();
};

/** SRS: store LR and SPSR of the current mode to the stack of `mode`. */
export function srs(c: ArmV7aCpu, mode: number, increment: boolean, before: boolean, wback: boolean): void {
  const st = c.state;
  if (st.mode === MODE_USR || !st.modeExists(mode)) return c.undefined();
  const sp = st.getBanked(mode, 13);
  const base = increment ? sp : (sp - 8) | 0;
  const addr = (increment === before ? base + 4 : base) | 0;
  c.checkAligned(addr, 4, true);
  c.store32(addr, c.r[14]!);
  c.store32((addr + 4) | 0, st.getSpsr());
  if (wback) st.setBanked(mode, 13, increment ? (sp + 8) | 0 : (sp - 8) | 0);
  c.markExitToLoop(); // QEMU: DISAS_UPDATE_EXIT
}

/** RFE: load PC and CPSR from [Rn], as an exception return. */
export function rfe(c: ArmV7aCpu, rn: number, increment: boolean, before: boolean, wback: boolean): void {
  const st = c.state;
  if (st.mode === MODE_USR || rn === 15) return c.undefined();
  const b = c.r[rn]!;
  const base = increment ? b : (b - 8) | 0;
  const addr = (increment === before ? base + 4 : base) | 0;
  c.checkAligned(addr, 4);
  const pc = c.load32(addr);
  const cpsr = c.load32((addr + 4) | 0);
  if (wback) c.r[rn] = increment ? (b + 8) | 0 : (b - 8) | 0;
  c.restoreCpsr(cpsr);
  c.nextPc = st.thumb !== 0 ? pc & ~1 : pc & ~3;
}

export const A32_CONTROL_ROWS: readonly Row[] = [
  // Miscellaneous (op 0x12/0x16 space with bits 7:4 = 0xxx): before data processing claims them.
  a32('MRS_banked', '---- 0001 0 r:1 00 m1:4 rd:4 001 m:1 0000 0000', (c, a) => {
    if (a.rd === 15) return c.undefined();
    mrsBanked(v7a(c), a.rd, a.r, (a.m << 4) | a.m1);
  }),
  a32('MRS', '---- 0001 0 r:1 00 1111 rd:4 0000 0000 0000', (c, a) => {
    if (a.rd === 15) return c.undefined();
    mrs(v7a(c), a.rd, a.r === 1);
  }),
  a32('MSR_banked', '---- 0001 0 r:1 10 m1:4 1111 001 m:1 0000 rn:4', (c, a) => {
    if (a.rn === 15) return c.undefined();
    msrBanked(v7a(c), a.rn, a.r, (a.m << 4) | a.m1);
  }),
  a32('MSR_reg', '---- 0001 0 r:1 10 mask:4 1111 0000 0000 rn:4', (c, a) => {
    if (a.mask === 0 || a.rn === 15) return c.undefined();
    msr(v7a(c), a.r === 1, a.mask, c.r[a.rn]!);
  }),
  a32('HINT', '---- 0011 0010 0000 1111 0000 op:8', hint),
  a32('MSR_imm', '---- 0011 0 r:1 10 mask:4 1111 rot:4 imm:8', (c, a) => {
    if (a.mask === 0) return c.undefined();
    msr(v7a(c), a.r === 1, a.mask, expandImm(a.rot, a.imm));
  }),
  a32('BX', '---- 0001 0010 1111 1111 1111 0001 rm:4', (c, a) => c.bxWritePc(c.r[a.rm]!)),
  // No Jazelle: BXJ is BX (QEMU).
  a32('BXJ', '---- 0001 0010 1111 1111 1111 0010 rm:4', (c, a) => c.bxWritePc(c.r[a.rm]!)),
  a32('BLX_reg', '---- 0001 0010 1111 1111 1111 0011 rm:4', (c, a) => {
    if (a.rm === 15) return c.undefined();
    const target = c.r[a.rm]!;
    c.link();
    c.bxWritePc(target);
  }),
  a32('BKPT', '---- 0001 0010 imm12:12 0111 imm4:4', (c, a) => c.bkpt((a.imm12 << 4) | a.imm4)),
  a32('HVC', '---- 0001 0100 imm12:12 0111 imm4:4', hvc),
  a32('SMC', '---- 0001 0110 0000 0000 0000 0111 imm4:4', (c) => v7a(c).secureMonitorCall()),
  // ERET at PL1 is SUBS PC, LR, #0 (QEMU: no Hyp mode here).
  a32('ERET', '---- 0001 0110 0000 0000 0000 0110 1110', (c) => c.returnFromException(c.r[14]!)),
  a32('UDF', '---- 0111 1111 ---- ---- ---- 1111 ----', (c) => c.undefined()),

  a32('B', '---- 1010 imm:24', (c, a) => c.branchTo(c.r[15]! + ((a.imm << 8) >> 6))),
  a32('BL', '---- 1011 imm:24', (c, a) => {
    c.link();
    c.branchTo(c.r[15]! + ((a.imm << 8) >> 6));
  }),
  a32('SVC', '---- 1111 imm:24', (c, a) => c.svc(a.imm)),
];

export const A32_UNCOND_ROWS: readonly Row[] = [
  a32('CPS', '1111 0001 0000 imod:2 m:1 0 0000 000 a:1 i:1 f:1 0 mode:5', (c, a) => {
    // QEMU's trans_CPS: imod 0x changes no A/I/F bit (imod 00 without M is a NOP, not UNDEF), and
    // M to a mode this core lacks is ignored.
    const bits = (a.a << 8) | (a.i << 7) | (a.f << 6);
    v7a(c).changeProcessorState(a.imod === 3, a.imod >= 2 ? bits : 0, a.m === 1 ? a.mode : -1);
  }),
  a32('SETEND', '1111 0001 0000 0001 0000 00 e:1 0 0000 0000', (c, a) => v7a(c).setEndian(a.e)),
  a32('CLREX', '1111 0101 0111 1111 1111 0000 0001 1111', (c) => {
    c.state.exclusiveAddr = -1;
  }),
  a32('DSB', '1111 0101 0111 1111 1111 0000 0100 ----', nothing),
  a32('DMB', '1111 0101 0111 1111 1111 0000 0101 ----', nothing),
  a32('ISB', '1111 0101 0111 1111 1111 0000 0110 ----', nothing),
  // Preload hints: no caches are modelled, and they never fault.
  a32('PLI_imm', '1111 0100 -101 ---- 1111 ---- ---- ----', nothing),
  a32('PLD_imm', '1111 0101 --01 ---- 1111 ---- ---- ----', nothing),
  a32('PLI_reg', '1111 0110 -101 ---- 1111 ---- ---0 ----', nothing),
  a32('PLD_reg', '1111 0111 --01 ---- 1111 ---- ---0 ----', nothing),
  // QEMU decodes these unallocated-hint forms (any Rt) as PLDW: NOPs on a core with MP extensions.
  a32('PLDW_hint_imm', '1111 0100 -001 ---- ---- ---- ---- ----', nothing),
  a32('PLDW_hint_reg', '1111 0110 -001 ---- ---- ---- ---0 ----', nothing),
  a32('SRS', '1111 100 p:1 u:1 1 w:1 0 1101 0000 0101 000 mode:5', (c, a) =>
    srs(v7a(c), a.mode, a.u === 1, a.p === 1, a.w === 1),
  ),
  a32('RFE', '1111 100 p:1 u:1 0 w:1 1 rn:4 0000 1010 0000 0000', (c, a) =>
    rfe(v7a(c), a.rn, a.u === 1, a.p === 1, a.w === 1),
  ),
  a32('BLX_imm', '1111 101 h:1 imm:24', (c, a) => {
    c.link();
    const target = (c.r[15]! + ((a.imm << 8) >> 6) + (a.h << 1)) | 0;
    c.state.thumb = 1;
    c.nextPc = target;
  }),
];

void bankOf;
