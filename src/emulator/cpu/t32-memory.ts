/**
 * 32-bit Thumb-2 loads and stores (ARM DDI 0403 A5.3.5-A5.3.10): single (immediate 12/8 with
 * index/writeback, register, literal, unprivileged), dual, exclusive, multiple, table branch.
 * PLD/PLI (byte/halfword loads to PC) are no-ops.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import { loadMultiple, loadStore, storeMultiple } from './memops.js';

type Row = Encoding<Handler>;
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/** Access size by sign:size:load (bits 24, 22:21, 20 of the first halfword); 0 = UNDEFINED. */
const SIZES = new Int8Array(16);
for (let sg = 0; sg < 2; sg++) {
  for (let sz = 0; sz < 4; sz++) {
    for (let l = 0; l < 2; l++) {
      let size = 0;
      if (sz !== 3) {
        if (sg === 0) size = sz === 0 ? 1 : sz === 1 ? 2 : 4;
        else if (l === 1 && sz !== 2) size = sz === 0 ? -1 : -2;
      }
      SIZES[(sg << 3) | (sz << 1) | l] = size;
    }
  }
}
/** Access size of a single load/store row's sg/sz/l fields, as Cpu.loadSized takes it (0 = UNDEFINED). */
export const sizeOf = (a: Fields): number => SIZES[(a.sg << 3) | (a.sz << 1) | a.l]!;

/** Single loads relative to the PC (LDR/LDRB/LDRH/LDRSB/LDRSH literal; U in `a.u`, 1 = add). */
export const literal: Handler = (c, a) => {
  const size = sizeOf(a);
  if (size === 0) return c.undefined();
  if (a.rt === 15 && size !== 4) return; // PLD/PLI literal
  loadStore(c, true, size, a.rt, 15, a.u === 1 ? a.imm : -a.imm, true, false);
};

const imm12: Handler = (c, a) => {
  const size = sizeOf(a);
  if (size === 0 || a.rn === 15) return c.undefined();
  if (a.rt === 15 && a.l === 1 && size !== 4) return; // PLD/PLI
  loadStore(c, a.l === 1, size, a.rt, a.rn, a.imm, true, false);
};

const imm8: Handler = (c, a) => {
  const size = sizeOf(a);
  if (size === 0 || a.rn === 15 || (a.p === 0 && a.w === 0)) return c.undefined();
  // Only the negative-offset form is a hint; QEMU's other forms load the byte/halfword into the
  // PC (interworking), as LDR does.
  if (a.rt === 15 && a.l === 1 && size !== 4 && a.p === 1 && a.u === 0 && a.w === 0) return;
  // P=1 U=1 W=0 is the unprivileged (LDRT/STRT) form: without an MPU it accesses like LDR/STR.
  loadStore(c, a.l === 1, size, a.rt, a.rn, a.u === 1 ? a.imm : -a.imm, a.p === 1, a.w === 1);
};

const register: Handler = (c, a) => {
  const size = sizeOf(a);
  if (size === 0 || a.rn === 15) return c.undefined();
  if (a.rt === 15 && a.l === 1 && size !== 4) return; // PLD/PLI
  loadStore(c, a.l === 1, size, a.rt, a.rn, c.r[a.rm]! << a.sh, true, false);
};

/**
 * LDRD/STRD (immediate) as QEMU's op_ldrd_ri/op_strd_ri: no register checks. Each loaded word goes
 * to its register at once (a PC destination branches), writeback comes last and a PC base with
 * writeback branches to the written address (QEMU's store_reg).
 */
const dual: Handler = (c, a) => {
  if (a.p === 0 && a.w === 0) return c.undefined();
  const r = c.r;
  const base = a.rn === 15 ? r[15]! & ~3 : r[a.rn]!;
  const offAddr = (base + (a.u === 1 ? a.imm * 4 : -a.imm * 4)) | 0;
  const addr = a.p === 1 ? offAddr : base;
  c.checkAligned(addr, 4, a.l === 0);
  if (a.l === 1) {
    c.storeReg(a.rt, c.bus.read32(addr));
    c.storeReg(a.rt2, c.bus.read32(addr + 4));
  } else {
    c.bus.write32(addr, r[a.rt]!);
    c.bus.write32(addr + 4, r[a.rt2]!);
  }
  if (a.w === 1 || a.p === 0) c.storeReg(a.rn, offAddr);
};

function loadExclusive(c: Cpu, rt: number, addr: number, size: number): void {
  c.checkAligned(addr, size);
  const v = size === 4 ? c.bus.read32(addr) : size === 2 ? c.bus.read16(addr) : c.bus.read8(addr);
  c.state.exclusiveAddr = addr >>> 0;
  c.setReg(rt, v);
}

function storeExclusive(c: Cpu, rd: number, rt: number, addr: number, size: number): void {
  c.checkAligned(addr, size, true);
  const st = c.state;
  if (st.exclusiveAddr === addr >>> 0) {
    const v = c.r[rt]!;
    if (size === 4) c.bus.write32(addr, v);
    else if (size === 2) c.bus.write16(addr, v & 0xffff);
    else c.bus.write8(addr, v & 0xff);
    c.setReg(rd, 0);
  } else {
    c.setReg(rd, 1);
  }
  st.exclusiveAddr = -1;
}

const multiple =
  (isLoad: boolean, decrementBefore: boolean): Handler =>
  (c, a) => {
    // QEMU's trans_LDM_t32/STM_t32: fewer than two registers, Rn = PC, or writeback with Rn in
    // the list UNDEF.
    const list = a.list;
    if ((list & (list - 1)) === 0 || a.rn === 15 || (a.w === 1 && (list & (1 << a.rn)) !== 0)) return c.undefined();
    if (isLoad) loadMultiple(c, a.rn, a.list, a.w === 1, decrementBefore);
    else storeMultiple(c, a.rn, a.list, a.w === 1, decrementBefore);
  };

export const T32_MEMORY_ROWS: readonly Row[] = [
  // Multiple (IA and DB; the other two P/U combinations are SRS/RFE, UNDEFINED on M)
  t32('STM', '1110 1000 10 w:1 0 rn:4 list:16', multiple(false, false)),
  t32('LDM', '1110 1000 10 w:1 1 rn:4 list:16', multiple(true, false)),
  t32('STMDB', '1110 1001 00 w:1 0 rn:4 list:16', multiple(false, true)),
  t32('LDMDB', '1110 1001 00 w:1 1 rn:4 list:16', multiple(true, true)),

  // Exclusive and table branch (P=0 W=0 corner of the dual space)
  t32('STREX', '1110 1000 0100 rn:4 rt:4 rd:4 imm:8', (c, a) =>
    storeExclusive(c, a.rd, a.rt, (c.r[a.rn]! + a.imm * 4) | 0, 4),
  ),
  t32('LDREX', '1110 1000 0101 rn:4 rt:4 1111 imm:8', (c, a) =>
    loadExclusive(c, a.rt, (c.r[a.rn]! + a.imm * 4) | 0, 4),
  ),
  t32('STREXB', '1110 1000 1100 rn:4 rt:4 1111 0100 rd:4', (c, a) => storeExclusive(c, a.rd, a.rt, c.r[a.rn]!, 1)),
  t32('STREXH', '1110 1000 1100 rn:4 rt:4 1111 0101 rd:4', (c, a) => storeExclusive(c, a.rd, a.rt, c.r[a.rn]!, 2)),
  t32('TBB', '1110 1000 1101 rn:4 1111 0000 0000 rm:4', (c, a) => {
    const off = c.load8((c.r[a.rn]! + c.r[a.rm]!) | 0);
    c.branchTo(c.r[15]! + off * 2);
  }),
  t32('TBH', '1110 1000 1101 rn:4 1111 0000 0001 rm:4', (c, a) => {
    const off = c.load16((c.r[a.rn]! + (c.r[a.rm]! << 1)) | 0);
    c.branchTo(c.r[15]! + off * 2);
  }),
  t32('LDREXB', '1110 1000 1101 rn:4 rt:4 1111 0100 1111', (c, a) => loadExclusive(c, a.rt, c.r[a.rn]!, 1)),
  t32('LDREXH', '1110 1000 1101 rn:4 rt:4 1111 0101 1111', (c, a) => loadExclusive(c, a.rt, c.r[a.rn]!, 2)),

  // Dual
  t32('LDRD_STRD', '1110 100 p:1 u:1 1 w:1 l:1 rn:4 rt:4 rt2:4 imm:8', dual),

  // Single: literal first (Rn = PC takes a 12-bit offset whatever the second halfword looks like)
  t32('LDR_lit', '1111 100 sg:1 u:1 sz:2 l:1 1111 rt:4 imm:12', (c, a) =>
    a.l === 1 ? literal(c, a) : c.undefined(),
  ),
  t32('LDST_imm12', '1111 100 sg:1 1 sz:2 l:1 rn:4 rt:4 imm:12', imm12),
  t32('LDST_imm8', '1111 100 sg:1 0 sz:2 l:1 rn:4 rt:4 1 p:1 u:1 w:1 imm:8', imm8),
  t32('LDST_reg', '1111 100 sg:1 0 sz:2 l:1 rn:4 rt:4 000000 sh:2 rm:4', register),
];
