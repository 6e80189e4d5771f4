/**
 * Thumb on the A-profile core: the shared 16-bit table with the A-profile forms of CPS and SETEND
 * over it, and the 32-bit table = A-profile rows (MRS/MSR incl. banked and SPSR, CPS with a mode,
 * SUBS PC,LR / ERET, SRS/RFE, HVC/SMC, BXJ, unprivileged loads/stores, exclusives with the A-profile
 * monitor, coprocessor transfers) + Advanced SIMD + VFP + DSP + the shared ARMv7-M rows without
 * their M-only MRS/MSR and the M-profile "no coprocessor" rows.
 */
import type { Cpu } from '../cpu.js';
import { build32Buckets, encoding, type Encoding, type Fields } from '../decode-table.js';
import { T16_EXEC, type Handler } from '../t16.js';
import { literal, T32_MEMORY_ROWS } from '../t32-memory.js';
import { T32_DATAPROC_ROWS } from '../t32-dataproc.js';
import { T32_CONTROL_ROWS, branch24 } from '../t32-control.js';
import { T32_DSP_ROWS } from '../t32-dsp.js';
import { T32_VFP_A_ROWS } from '../vfp-a.js';
import { T32_NEON_ROWS } from '../neon.js';
import { loadStore } from '../memops.js';
import type { ArmV7aCpu } from './cpu.js';
import { mrs, mrsBanked, msr, msrBanked } from './status-registers.js';
import { hvc, rfe, srs } from './a32-control.js';
import { coprocessor32, coprocessor64 } from './a32-coproc.js';
import { loadExclusive, loadExclusiveDual, storeExclusive, storeExclusiveDual } from './a32-memory.js';
import { MODE_USR } from './state.js';

type Row = Encoding<Handler>;
const v7a = (c: Cpu): ArmV7aCpu => c as ArmV7aCpu;
const t16 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 16, pattern, exec);
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/**
 * An exception return (SUBS PC, LR; RFE) that was not the last instruction of its IT block: QEMU 7.2
 * writes the block's advanced IT state at the end of the translation block (arm_tr_tb_stop's
 * gen_set_condexec), over the IT bits the SPSR restored. `itAfter` is that state (0 when last).
 */
function keepItBlock(c: Cpu, itAfter: number): void {
  if (itAfter !== 0) c.state.itstate = itAfter;
}

function rfeInIt(c: Cpu, rn: number, increment: boolean, before: boolean, wback: boolean): void {
  const itAfter = c.state.itstate;
  const returns = v7a(c).state.mode !== MODE_USR && rn !== 15;
  rfe(v7a(c), rn, increment, before, wback);
  if (returns) keepItBlock(c, itAfter);
}

/** 16-bit rows that differ on A-profile (they replace the shared rows for the halfwords they match). */
const A_T16_ROWS: readonly Row[] = [
  t16('CPS', '1011 0110 011 im:1 0 a:1 i:1 f:1', (c, a) =>
    v7a(c).changeProcessorState(a.im === 1, (a.a << 8) | (a.i << 7) | (a.f << 6), -1),
  ),
  t16('SETEND', '1011 0110 0101 e:1 000', (c, a) => {
    // UNPREDICTABLE inside an IT block: QEMU executes it anyway.
    v7a(c).setEndian(a.e);
  }),
];

/** Pre-decoded 16-bit handlers and fields for the A-profile core. */
/** The fields a literal load reads (reused: no allocation per instruction). */
const literalArgs = { sg: 0, sz: 0, l: 1, u: 0, rt: 0, imm: 0 };
function subtractedLiteral(c: Cpu, sg: number, sz: number, rt: number, imm: number): void {
  literalArgs.sg = sg;
  literalArgs.sz = sz;
  literalArgs.rt = rt;
  literalArgs.imm = imm;
  literal(c, literalArgs);
}

export const A_T16_EXEC: Handler[] = T16_EXEC.slice();
/** The fields of the halfwords A_T16_ROWS claim; the others use the M-profile ones (`t16Args`). */
export const A_T16_ARGS: (Fields | undefined)[] = new Array<Fields | undefined>(65536);
for (const e of A_T16_ROWS) {
  for (let hw = 0; hw < 65536; hw++) {
    if ((hw & e.mask) !== e.match) continue;
    const args: Fields = {};
    for (const f of e.fieldNames) args[f] = 0;
    e.extract(hw, args);
    A_T16_EXEC[hw] = e.exec;
    A_T16_ARGS[hw] = args;
  }
}

const A_T32_ROWS: readonly Row[] = [
  // Status registers: banked forms (bit 5 of hw2) before the plain ones.
  t32('MRS_banked', '1111 0011 111 r:1 m1:4 1000 rd:4 001 m:1 0000', (c, a) => {
    if (a.rd === 15) return c.undefined();
    mrsBanked(v7a(c), a.rd, a.r, (a.m << 4) | a.m1);
  }),
  t32('MRS_A', '1111 0011 111 r:1 1111 1000 rd:4 0000 0000', (c, a) => {
    // Rd = SP is UNPREDICTABLE; QEMU writes it (only the PC UNDEFs here).
    if (a.rd === 15) return c.undefined();
    mrs(v7a(c), a.rd, a.r === 1);
  }),
  t32('MSR_banked', '1111 0011 100 r:1 rn:4 1000 m1:4 001 m:1 0000', (c, a) => {
    if (a.rn === 15) return c.undefined();
    msrBanked(v7a(c), a.rn, a.r, (a.m << 4) | a.m1);
  }),
  t32('MSR_A', '1111 0011 100 r:1 rn:4 1000 mask:4 0000 0000', (c, a) => {
    if (a.mask === 0 || a.rn === 15) return c.undefined();
    msr(v7a(c), a.r === 1, a.mask, c.r[a.rn]!);
  }),
  // CPS (imod 10/11, or mode change alone); imod 00 without M is the hint space. Inside an IT block
  // (UNPREDICTABLE) it runs conditionally, as on QEMU 7.2, which has no IT check here.
  t32('CPS_imod', '1111 0011 1010 1111 1000 0 1 dis:1 m:1 a:1 i:1 f:1 mode:5', (c, a) => {
    v7a(c).changeProcessorState(a.dis === 1, (a.a << 8) | (a.i << 7) | (a.f << 6), a.m === 1 ? a.mode : -1);
  }),
  // imod 0x with M (and imod 01 without): QEMU's trans_CPS ignores A/I/F then, whatever they say.
  t32('CPS_mode', '1111 0011 1010 1111 1000 0 0 im:1 m:1 a:1 i:1 f:1 mode:5', (c, a) => {
    if (a.im === 0 && a.m === 0) return; // the hint space (matched by the hint rows first)
    v7a(c).changeProcessorState(false, 0, a.m === 1 ? a.mode : -1);
  }),
  // BLX (immediate, T2): to A32 at Align(PC, 4) + offset. Branches, SUBS PC, LR, RFE and HVC
  // inside an IT block but not last (UNPREDICTABLE) run as on QEMU 7.2: it checks only B<cond>.
  t32('BLX_imm', '11110 s:1 imm10:10 11 j1:1 0 j2:1 imm11:11', (c, a) => {
    if ((a.imm11 & 1) !== 0) return c.undefined();
    c.link();
    const target = ((c.r[15]! & ~3) + branch24(a)) | 0;
    c.state.thumb = 0;
    c.branchDirect(target);
  }),
  // SUBS PC, LR, #imm8 (ERET when imm8 = 0).
  t32('SUBS_pc_lr', '1111 0011 1101 1110 1000 1111 imm:8', (c, a) => {
    const itAfter = c.state.itstate;
    const returns = v7a(c).state.mode !== MODE_USR;
    c.returnFromException((c.r[14]! - a.imm) | 0);
    if (returns) keepItBlock(c, itAfter);
  }),
  // No Jazelle: BXJ is BX (QEMU).
  t32('BXJ', '1111 0011 1100 rm:4 1000 1111 0000 0000', (c, a) => {
    if (a.rm === 15) return c.undefined();
    c.bxWritePc(c.r[a.rm]!);
  }),
  t32('HVC', '1111 0111 1110 imm4:4 1000 imm12:12', (c, a) => hvc(c, a)),
  t32('SMC', '1111 0111 1111 imm4:4 1000 0000 0000 0000', (c) => v7a(c).secureMonitorCall()),

  // SRS/RFE: DB (P=1 U=0 in A32 terms) and IA forms.
  t32('SRS_DB', '1110 1000 00 w:1 0 1101 1100 0000 000 mode:5', (c, a) => srs(v7a(c), a.mode, false, true, a.w === 1)),
  t32('SRS_IA', '1110 1001 10 w:1 0 1101 1100 0000 000 mode:5', (c, a) => srs(v7a(c), a.mode, true, false, a.w === 1)),
  t32('RFE_DB', '1110 1000 00 w:1 1 rn:4 1100 0000 0000 0000', (c, a) => rfeInIt(c, a.rn, false, true, a.w === 1)),
  t32('RFE_IA', '1110 1001 10 w:1 1 rn:4 1100 0000 0000 0000', (c, a) => rfeInIt(c, a.rn, true, false, a.w === 1)),

  // Loads with Rn = PC are literal loads (U = 0 here) whatever the second halfword says, as in
  // QEMU's decode, where the literal patterns come before the unprivileged ones: byte/halfword
  // (signed or not) and word.
  t32('LDR_lit_sub_narrow', '1111 100 sg:1 0 0 sz:1 1 1111 rt:4 imm:12', (c, a) => subtractedLiteral(c, a.sg!, a.sz!, a.rt!, a.imm!)),
  t32('LDR_lit_sub_word', '1111 1000 0101 1111 rt:4 imm:12', (c, a) => subtractedLiteral(c, 0, 2, a.rt!, a.imm!)),
  // Unprivileged loads/stores (LDRT, STRT, LDRBT...): accessed with PL0 permissions.
  t32('LDST_unpriv', '1111 100 sg:1 0 sz:2 l:1 rn:4 rt:4 1110 imm:8', (c, a) => {
    const size = a.sz === 0 ? (a.sg === 1 ? -1 : 1) : a.sz === 1 ? (a.sg === 1 ? -2 : 2) : a.sz === 2 && a.sg === 0 ? 4 : 0;
    // QEMU's LDRT_ri/STRT_ri... take any Rt (a load to PC interworks, as LDR).
    if (size === 0 || a.rn === 15 || (a.l === 0 && a.sg === 1)) return c.undefined();
    const cpu = v7a(c);
    cpu.beginUnprivileged();
    loadStore(c, a.l === 1, size, a.rt, a.rn, a.imm, true, false);
    cpu.endUnprivileged();
  }),

  // Exclusives with the A-profile monitor (value compare, STREX checks the address first).
  t32('STREX', '1110 1000 0100 rn:4 rt:4 rd:4 imm:8', (c, a) => {
    if (strexUnallocated(a.rd, a.rt, a.rn)) return c.undefined();
    storeExclusive(c, a.rd, a.rt, (c.r[a.rn]! + a.imm * 4) | 0, 4);
  }),
  t32('LDREX', '1110 1000 0101 rn:4 rt:4 1111 imm:8', (c, a) => {
    if (ldrexUnallocated(a.rt, a.rn)) return c.undefined();
    loadExclusive(c, a.rt, (c.r[a.rn]! + a.imm * 4) | 0, 4);
  }),
  // Bits 5:4: 00 byte, 01 halfword, 11 doubleword (10 is unallocated).
  t32('STREXB_H_D', '1110 1000 1100 rn:4 rt:4 rt2:4 01 sz:2 rd:4', (c, a) => {
    if (a.sz === 2) return c.undefined();
    if (strexUnallocated(a.rd, a.rt, a.rn)) return c.undefined();
    if (a.sz === 3) {
      if (isSpOrPc(a.rt2) || a.rd === a.rt2) return c.undefined();
      return storeExclusiveDual(c, a.rd, a.rt, a.rt2, c.r[a.rn]!);
    }
    if (a.rt2 !== 15) return c.undefined();
    storeExclusive(c, a.rd, a.rt, c.r[a.rn]!, a.sz === 1 ? 2 : 1);
  }),
  t32('LDREXB_H_D', '1110 1000 1101 rn:4 rt:4 rt2:4 01 sz:2 1111', (c, a) => {
    if (a.sz === 2) return c.undefined();
    if (ldrexUnallocated(a.rt, a.rn)) return c.undefined();
    if (a.sz === 3) {
      if (isSpOrPc(a.rt2) || a.rt === a.rt2) return c.undefined();
      return loadExclusiveDual(c, a.rt, a.rt2, c.r[a.rn]!);
    }
    if (a.rt2 !== 15) return c.undefined();
    loadExclusive(c, a.rt, c.r[a.rn]!, a.sz === 1 ? 2 : 1);
  }),
];

/*
 * The UNPREDICTABLE exclusive forms QEMU makes UNDEFINED in Thumb on v7 (its op_strex/op_ldrex):
 * SP or PC as a register, PC as base, and a status register that overlaps base or data. LR is an
 * ordinary register here (glibc's atomics use STREX LR, ...).
 */
function isSpOrPc(r: number): boolean {
  return r === 13 || r === 15;
}
function strexUnallocated(rd: number, rt: number, rn: number): boolean {
  return isSpOrPc(rd) || isSpOrPc(rt) || rn === 15 || rd === rn || rd === rt;
}
function ldrexUnallocated(rt: number, rn: number): boolean {
  return isSpOrPc(rt) || rn === 15;
}

/** MCR/MRC/MCRR/MRRC (T1 encodings; the *2 forms with bit 28 set are UNDEFINED). */
const A_T32_COPROC_ROWS: readonly Row[] = [
  t32('MCR_MRC', '1110 1110 opc1:3 l:1 crn:4 rt:4 cp:4 opc2:3 1 crm:4', coprocessor32),
  t32('MCRR_MRRC', '1110 1100 010 l:1 rt2:4 rt:4 cp:4 opc1:4 crm:4', coprocessor64),
];

/** The M-profile MRS/MSR rows read v7-M special registers: the A rows above replace them. */
const SHARED_CONTROL_ROWS = T32_CONTROL_ROWS.filter((e) => e.name !== 'MRS' && e.name !== 'MSR');

export const A_T32_TABLE: readonly Row[] = [
  ...A_T32_ROWS,
  ...T32_NEON_ROWS,
  ...T32_VFP_A_ROWS,
  ...A_T32_COPROC_ROWS,
  ...T32_DSP_ROWS,
  ...T32_MEMORY_ROWS,
  ...T32_DATAPROC_ROWS,
  ...SHARED_CONTROL_ROWS,
];

export const A_T32_BUCKETS: readonly Row[][] = build32Buckets(A_T32_TABLE);
