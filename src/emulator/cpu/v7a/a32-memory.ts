/**
 * A32 loads and stores (ARM DDI 0406C A5.3, A5.2.7-A5.2.9, A5.5): LDR/STR/LDRB/STRB with immediate
 * and scaled-register offsets, the halfword/signed/dual forms, the unprivileged (T) forms,
 * LDREX/STREX in all sizes, SWP/SWPB, and LDM/STM in all four modes including the user-bank and
 * exception-return forms. UNPREDICTABLE register choices UNDEF where QEMU 7.2 does, and otherwise
 * do what QEMU's translation does (a PC operand reads PC + 8, a PC destination branches).
 *
 * Exclusives follow QEMU: LDREX records the address and the value; STREX stores only when the
 * address matches and memory still holds that value (a compare-and-swap), and always closes the
 * monitor. An unaligned STREX with the monitor open at another address fails without a fault.
 */
import type { Cpu } from '../cpu.js';
import { encoding, type Encoding, type Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { immShiftC } from '../alu.js';
import { loadStore, SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';
import type { ArmV7aCpu } from './cpu.js';
import { MODE_USR } from './state.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);
const v7a = (c: Cpu): ArmV7aCpu => c as ArmV7aCpu;

/**
 * One load/store; the unprivileged forms check permissions as PL0 (the MMU's forceUser). QEMU
 * checks no register choice here: writeback to the PC is a branch to the written address (word
 * aligned, no interworking) unless the load itself goes to the PC (QEMU writes the base first).
 */
function access(c: Cpu, a: Fields, size: number, offset: number): void {
  const index = a.p === 1;
  const wback = a.p === 0 || a.w === 1;
  const unprivileged = a.p === 0 && a.w === 1;
  const signed = a.u === 1 ? offset : -offset;
  const pcWriteback = wback && a.rn === 15 ? ((c.r[15]! & ~3) + signed) | 0 : 0;
  if (unprivileged) v7a(c).beginUnprivileged();
  loadStore(c, a.l === 1, size, a.rt, a.rn, signed, index, wback);
  if (unprivileged) v7a(c).endUnprivileged();
  if (wback && a.rn === 15 && !(a.l === 1 && a.rt === 15)) c.branchTo(pcWriteback);
}


/**
 * LDRD/STRD as QEMU's trans_LDRD/STRD: only an odd Rt UNDEFs. Each word is written to its register
 * as soon as it is loaded (a fault on the second leaves the first written), writeback comes last
 * (it wins over a loaded base), and Rt2 = PC (Rt = 14) or a PC base with writeback branch. A
 * post-indexed LDRD by register (`rm` >= 0) reads Rm for the writeback after the loads, as QEMU's
 * op_addr_rr_post does (Rm = Rt or Rt2 adds the loaded value).
 */
function dual(c: Cpu, a: Fields, offset: number, isLoad: boolean, rm = -1): void {
  if ((a.rt & 1) !== 0 || (a.p === 0 && a.w === 1)) return c.undefined();
  const wback = a.p === 0 || a.w === 1;
  const r = c.r;
  const base = a.rn === 15 ? r[15]! & ~3 : r[a.rn]!;
  const offAddr = (base + (a.u === 1 ? offset : -offset)) | 0;
  const addr = a.p === 1 ? offAddr : base;
  c.checkAligned(addr, 4, !isLoad);
  if (isLoad) {
    c.storeReg(a.rt, c.load32(addr));
    c.storeReg(a.rt + 1, c.load32((addr + 4) | 0));
    if (rm >= 0 && a.p === 0) return c.storeReg(a.rn, (base + (a.u === 1 ? r[rm]! : -r[rm]!)) | 0);
  } else {
    c.store32(addr, r[a.rt]!);
    c.store32((addr + 4) | 0, r[a.rt + 1]!);
  }
  if (wback) c.storeReg(a.rn, offAddr);
}

/** An extra load/store by op2 (bits 6:5): 01 = H, 10 = SB (or LDRD), 11 = SH (or STRD). */
function extra(c: Cpu, a: Fields, op2: number, offset: number, rm = -1): void {
  if (a.l === 1) access(c, a, op2 === 1 ? SIZE_HALF : op2 === 2 ? SIZE_SBYTE : SIZE_SHALF, offset);
  else if (op2 === 1) access(c, a, SIZE_HALF, offset);
  else dual(c, a, offset, op2 === 2, rm);
}

// ---- exclusives (shared with the A-profile T32 rows) -------------------------------------------

/** LDREX{B,H,}: aligned load that opens the monitor on the address with the loaded value. */
export function loadExclusive(c: Cpu, rt: number, addr: number, size: number): void {
  c.checkAligned(addr, size);
  const v = size === 4 ? c.load32(addr) : size === 2 ? c.load16(addr) : c.load8(addr);
  const st = v7a(c).state;
  st.exclusiveAddr = addr >>> 0;
  st.exclusiveVal = v;
  c.r[rt] = v;
}

/** LDREXD: Rt = word at addr, Rt2 = word at addr + 4 (doubleword aligned). */
export function loadExclusiveDual(c: Cpu, rt: number, rt2: number, addr: number): void {
  c.checkAligned(addr, 8);
  const lo = c.load32(addr);
  const hi = c.load32((addr + 4) | 0);
  const st = v7a(c).state;
  st.exclusiveAddr = addr >>> 0;
  st.exclusiveVal = lo;
  st.exclusiveValHi = hi;
  c.r[rt] = lo;
  c.r[rt2] = hi;
}

/** STREX{B,H,}: Rd = 0 when stored, 1 when the monitor did not match. */
export function storeExclusive(c: Cpu, rd: number, rt: number, addr: number, size: number): void {
  const st = v7a(c).state;
  let ok = false;
  if (st.exclusiveAddr === addr >>> 0) {
    // The address was aligned when LDREX accepted it. QEMU's cmpxchg: store only if unchanged.
    const cur = size === 4 ? c.load32(addr) : size === 2 ? c.load16(addr) : c.load8(addr);
    if (cur === st.exclusiveVal) {
      c.storeSized(addr, size, c.r[rt]!);
      ok = true;
    }
  }
  st.exclusiveAddr = -1;
  c.r[rd] = ok ? 0 : 1;
}

/** STREXD: Rt to addr, Rt2 to addr + 4, under the same rule. */
export function storeExclusiveDual(c: Cpu, rd: number, rt: number, rt2: number, addr: number): void {
  const st = v7a(c).state;
  let ok = false;
  if (st.exclusiveAddr === addr >>> 0) {
    const lo = c.load32(addr);
    const hi = c.load32((addr + 4) | 0);
    if (lo === st.exclusiveVal && hi === st.exclusiveValHi) {
      c.store32(addr, c.r[rt]!);
      c.store32((addr + 4) | 0, c.r[rt2]!);
      ok = true;
    }
  }
  st.exclusiveAddr = -1;
  c.r[rd] = ok ? 0 : 1;
}

const EXCLUSIVE_SIZES = [4, 8, 1, 2];

const ldrex: Handler = (c, a) => {
  const size = EXCLUSIVE_SIZES[a.op]!;
  if (a.rn === 15 || a.rt === 15 || (size === 8 && ((a.rt & 1) !== 0 || a.rt === 14))) return c.undefined();
  const addr = c.r[a.rn]!;
  if (size === 8) loadExclusiveDual(c, a.rt, a.rt + 1, addr);
  else loadExclusive(c, a.rt, addr, size);
};

const strex: Handler = (c, a) => {
  const size = EXCLUSIVE_SIZES[a.op]!;
  if (a.rd === 15 || a.rn === 15 || a.rt === 15 || a.rd === a.rn || a.rd === a.rt) return c.undefined();
  if (size === 8 && ((a.rt & 1) !== 0 || a.rt === 14 || a.rd === a.rt + 1)) return c.undefined();
  const addr = c.r[a.rn]!;
  if (size === 8) storeExclusiveDual(c, a.rd, a.rt, a.rt + 1, addr);
  else storeExclusive(c, a.rd, a.rt, addr, size);
};

// ---- load/store multiple ----------------------------------------------------------------------

function popcount16(list: number): number {
  let n = 0;
  for (let x = list; x !== 0; x &= x - 1) n++;
  return n;
}

/**
 * LDM/STM in every mode (P = before, U = increment), with S: STM^ / LDM^ without PC access the
 * User-mode registers; LDM^ with PC is an exception return (CPSR = SPSR after the loads). As
 * QEMU's do_ldm/op_stm: LDM with writeback and the base in the list UNDEFs (v7), LDM^ (user
 * registers) with writeback UNDEFs, STM^ with writeback is allowed; loaded registers are written as
 * they arrive (a fault part-way leaves the earlier ones written), the base after the writeback.
 */
const multiple: Handler = (c, a) => {
  const cpu = v7a(c);
  const st = cpu.state;
  const list = a.list;
  const isLoad = a.l === 1;
  if (isLoad && a.w === 1 && (list & (1 << a.rn)) !== 0) return c.undefined();
  if (a.s === 1 && st.mode === MODE_USR) return c.undefined();
  const userBank = a.s === 1 && !(isLoad && (list & 0x8000) !== 0);
  if (isLoad && userBank && a.w === 1) return c.undefined();
  if (list === 0 || a.rn === 15) return c.undefined();
  const n = popcount16(list);
  const r = c.r;
  const base = r[a.rn]!;
  const low = a.u === 1 ? base : (base - 4 * n) | 0;
  const start = a.p === a.u ? (low + 4) | 0 : low;
  const wbValue = a.u === 1 ? (base + 4 * n) | 0 : (base - 4 * n) | 0;
  c.checkAligned(start, 4, !isLoad);
  let addr = start;
  if (isLoad) {
    let loadedBase = false;
    let baseValue = 0;
    let pcValue = 0;
    for (let i = 0; i < 16; i++) {
      if ((list & (1 << i)) === 0) continue;
      const v = c.load32(addr);
      addr = (addr + 4) | 0;
      if (userBank) {
        if (i >= 8) st.setBanked(MODE_USR, i, v);
        else r[i] = v;
      } else if (i === a.rn) {
        loadedBase = true;
        baseValue = v;
      } else if (i === 15) pcValue = v;
      else r[i] = v;
    }
    if (a.w === 1) r[a.rn] = wbValue;
    if (loadedBase) r[a.rn] = baseValue;
    if ((list & 0x8000) !== 0) {
      if (a.s === 1) {
        cpu.restoreCpsr(st.getSpsr());
        cpu.nextPc = st.thumb !== 0 ? pcValue & ~1 : pcValue & ~3;
      } else {
        c.bxWritePc(pcValue);
      }
    }
  } else {
    for (let i = 0; i < 16; i++) {
      if ((list & (1 << i)) !== 0) {
        const v = userBank && i >= 8 && i < 15 ? st.getBanked(MODE_USR, i) : r[i]!;
        c.store32(addr, v);
        addr = (addr + 4) | 0;
      }
    }
    if (a.w === 1) r[a.rn] = wbValue;
  }
};

export const A32_MEMORY_ROWS: readonly Row[] = [
  // Synchronization primitives (op 0001 1xxx / 0001 0x00 with 1001 in bits 7:4)
  // QEMU's op_swp checks no register: PC reads PC + 8, a PC destination branches.
  a32('SWP', '---- 0001 0 b:1 00 rn:4 rt:4 0000 1001 rt2:4', (c, a) => {
    const addr = c.r[a.rn]!;
    const size = a.b === 1 ? SIZE_BYTE : SIZE_WORD;
    if (size === SIZE_WORD) c.checkAligned(addr, 4, true);
    const old = c.loadSized(addr, size);
    c.storeSized(addr, size, c.r[a.rt2]!);
    c.storeReg(a.rt, old);
  }),
  a32('LDREX', '---- 0001 1 op:2 1 rn:4 rt:4 1111 1001 1111', ldrex),
  a32('STREX', '---- 0001 1 op:2 0 rn:4 rd:4 1111 1001 rt:4', strex),

  // Extra loads/stores: halfword, signed, dual (bits 7:4 = 1op1 with op != 00)
  a32('LDST_extra_imm_h', '---- 000 p:1 u:1 1 w:1 l:1 rn:4 rt:4 imm4h:4 1011 imm4l:4', (c, a) =>
    extra(c, a, 1, (a.imm4h << 4) | a.imm4l),
  ),
  a32('LDST_extra_imm_sd', '---- 000 p:1 u:1 1 w:1 l:1 rn:4 rt:4 imm4h:4 11 sh:1 1 imm4l:4', (c, a) =>
    extra(c, a, 2 + a.sh, (a.imm4h << 4) | a.imm4l),
  ),
  // A register offset of PC reads PC + 8 (QEMU: no check).
  a32('LDST_extra_reg_h', '---- 000 p:1 u:1 0 w:1 l:1 rn:4 rt:4 0000 1011 rm:4', (c, a) => extra(c, a, 1, c.r[a.rm]!)),
  a32('LDST_extra_reg_sd', '---- 000 p:1 u:1 0 w:1 l:1 rn:4 rt:4 0000 11 sh:1 1 rm:4', (c, a) => extra(c, a, 2 + a.sh, c.r[a.rm]!, a.rm)),

  // Word and unsigned byte
  a32('LDST_imm', '---- 010 p:1 u:1 b:1 w:1 l:1 rn:4 rt:4 imm:12', (c, a) =>
    access(c, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, a.imm),
  ),
  a32('LDST_reg', '---- 011 p:1 u:1 b:1 w:1 l:1 rn:4 rt:4 imm5:5 type:2 0 rm:4', (c, a) =>
    access(c, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, immShiftC(c.r[a.rm]!, a.type, a.imm5, c.state.CF)),
  ),

  // Load/store multiple
  a32('LDM_STM', '---- 100 p:1 u:1 s:1 w:1 l:1 rn:4 list:16', multiple),
];
