/**
 * Advanced SIMD element and structure loads/stores (A7.7): VLD1-4/VST1-4 multiple structures,
 * single lane, and VLD1-4 to all lanes, with the alignment qualifiers (checked through
 * `c.checkAligned`), the UNDEFINED combinations, and writeback (Rm = 15 none, 13 by the transfer
 * size, else + Rm). Elements are moved one at a time in the architecture's order.
 *
 * A register list running past d31 is UNPREDICTABLE; QEMU 7.2 transfers it anyway for the
 * multiple-structure and all-lanes forms (no bound check), the registers beyond d31 being storage
 * no other AArch32 instruction can see (its zregs[16..]): so does armrr, through the state's
 * `dStorage` (d32-d63, kept in snapshots). The single-lane forms UNDEF there, as on QEMU.
 */
import type { Cpu } from './cpu.js';
import type { Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import type { NeonInsn } from './neon-vectors.js';

/** Read lane `index` of `ebytes` bytes (1, 2, 4, 8) of d<reg> from memory, or store it. */
function transferLane(c: Cpu, isLoad: boolean, reg: number, index: number, ebytes: number, addr: number): void {
  const s = c.state.dStorage;
  const r = reg;
  if (ebytes === 8) {
    const first = c.dataBigEndian() ? 2 * r + 1 : 2 * r;
    if (isLoad) {
      const w0 = c.load32(addr);
      const w1 = c.load32((addr + 4) | 0);
      s[first] = w0;
      s[first ^ 1] = w1;
    } else {
      c.store32(addr, s[first]!);
      c.store32((addr + 4) | 0, s[first ^ 1]!);
    }
    return;
  }
  const bit = index * ebytes * 8;
  const w = 2 * r + (bit >>> 5);
  const shift = bit & 31;
  if (ebytes === 4) {
    if (isLoad) s[w] = c.load32(addr);
    else c.store32(addr, s[w]!);
    return;
  }
  const mask = ebytes === 2 ? 0xffff : 0xff;
  if (isLoad) {
    const v = ebytes === 2 ? c.load16(addr) : c.load8(addr);
    s[w] = (s[w]! & ~(mask << shift)) | ((v & mask) << shift);
  } else {
    const v = (s[w]! >>> shift) & mask;
    if (ebytes === 2) c.store16(addr, v);
    else c.store8(addr, v);
  }
}

function writeBack(c: Cpu, a: Fields, bytes: number): void {
  if (a.rm === 15) return;
  const v = (c.r[a.rn]! + (a.rm === 13 ? bytes : c.r[a.rm]!)) | 0;
  // Rn = PC (UNPREDICTABLE): QEMU reads PC + 8 (T32: + 4) as the address and writes back as a branch.
  if (a.rn === 15) c.branchTo(v);
  else c.r[a.rn] = v;
}

/** type field of the multiple-structure forms: [structures, registers, increment] (0 = reserved). */
const MULTIPLE: readonly (readonly [number, number, number])[] = [
  [4, 1, 1],
  [4, 1, 2],
  [1, 4, 1],
  [2, 2, 2],
  [3, 1, 1],
  [3, 1, 2],
  [1, 3, 1],
  [1, 1, 1],
  [2, 1, 1],
  [2, 1, 2],
  [1, 2, 1],
];

const multiple: Handler = (c, a) => {
  if (a.type > 10) return c.undefined();
  const [nstruct, regs, inc] = MULTIPLE[a.type]!;
  const size = a.size;
  const align = a.align;
  const d = (a.d << 4) | a.vd;
  if (nstruct === 1) {
    if ((regs === 1 && (align & 2) !== 0) || (regs === 2 && align === 3) || (regs === 3 && (align & 2) !== 0)) return c.undefined();
  } else {
    if (size === 3) return c.undefined();
    if (nstruct === 2 && regs === 1 && align === 3) return c.undefined();
    if (nstruct === 3 && (align & 2) !== 0) return c.undefined();
  }
  if (!c.fpCheck()) return;
  const ebytes = 1 << size;
  const elements = 8 / ebytes;
  const isLoad = a.l === 1;
  const start = c.r[a.rn]!;
  // :256 (align 3) is checked as 16-byte alignment: QEMU 7.2's pow2_align caps at MO_ALIGN_16.
  c.checkAligned(start, align === 0 ? 1 : align === 3 ? 16 : 4 << align, !isLoad);
  let addr = start;
  if (nstruct === 1 && ebytes <= 4 && (start & 3) === 0 && !c.dataBigEndian()) {
    // VLD1/VST1 of little-endian elements of up to a word at a word-aligned address: the lanes are
    // the bytes in memory order, so whole words move (the same bytes are touched before any fault:
    // pages are word aligned).
    const s = c.state.dStorage;
    for (let r = 0; r < regs; r++) {
      const w = 2 * (d + r);
      if (isLoad) {
        // Each word lands before the next access, as the element-by-element loads would.
        s[w] = c.load32(addr);
        s[w + 1] = c.load32((addr + 4) | 0);
      } else {
        c.store32(addr, s[w]!);
        c.store32((addr + 4) | 0, s[w + 1]!);
      }
      addr = (addr + 8) | 0;
    }
    return writeBack(c, a, 8 * regs);
  }
  for (let r = 0; r < regs; r++) {
    for (let e = 0; e < elements; e++) {
      for (let k = 0; k < nstruct; k++) {
        transferLane(c, isLoad, d + k * inc + r, e, ebytes, addr);
        addr = (addr + ebytes) | 0;
      }
    }
  }
  writeBack(c, a, 8 * regs * nstruct);
};

/** Single lane: index, increment and alignment from index_align by size and structure count. */
const singleLane: Handler = (c, a) => {
  const size = a.size;
  const nstruct = a.nn + 1;
  const ia = a.ia;
  const ebytes = 1 << size;
  let index: number;
  let inc = 1;
  let alignment = 1;
  if (size === 0) {
    index = ia >>> 1;
    if ((nstruct === 1 || nstruct === 3) && (ia & 1) !== 0) return c.undefined();
    if ((ia & 1) !== 0) alignment = nstruct === 2 ? 2 : 4;
  } else if (size === 1) {
    index = ia >>> 2;
    if (nstruct === 1 && (ia & 2) !== 0) return c.undefined();
    if (nstruct === 3 && (ia & 1) !== 0) return c.undefined();
    if (nstruct !== 1 && (ia & 2) !== 0) inc = 2;
    if ((ia & 1) !== 0) alignment = nstruct === 1 ? 2 : nstruct === 2 ? 4 : 8;
  } else {
    index = ia >>> 3;
    if ((ia & 4) !== 0) {
      if (nstruct === 1) return c.undefined();
      inc = 2;
    }
    const al = ia & 3;
    if (nstruct === 1) {
      if (al === 1 || al === 2) return c.undefined();
      if (al === 3) alignment = 4;
    } else if (nstruct === 2) {
      if ((al & 2) !== 0) return c.undefined();
      if (al === 1) alignment = 8;
    } else if (nstruct === 3) {
      if (al !== 0) return c.undefined();
    } else {
      if (al === 3) return c.undefined();
      if (al !== 0) alignment = 4 << al;
    }
  }
  const d = (a.d << 4) | a.vd;
  // Past d31: QEMU UNDEFs here (trans_VLDST_single), unlike the multiple-structure forms.
  if (d + inc * (nstruct - 1) > 31) return c.undefined();
  if (!c.fpCheck()) return;
  const isLoad = a.l === 1;
  const start = c.r[a.rn]!;
  c.checkAligned(start, alignment, !isLoad);
  for (let k = 0; k < nstruct; k++) transferLane(c, isLoad, d + k * inc, index, ebytes, (start + k * ebytes) | 0);
  writeBack(c, a, ebytes * nstruct);
};

/** VLDn to all lanes: each structure element replicated across its register(s). */
const allLanes: Handler = (c, a) => {
  const nstruct = a.nn + 1;
  let size = a.size;
  let alignment = 1;
  let regs = 1;
  let inc = 1;
  if (nstruct === 1) {
    if (size === 3 || (size === 0 && a.a === 1)) return c.undefined();
    regs = a.t + 1;
    if (a.a === 1) alignment = 1 << size;
  } else {
    inc = a.t + 1;
    if (nstruct === 4 && size === 3) {
      if (a.a === 0) return c.undefined();
      size = 2;
      alignment = 16;
    } else {
      if (size === 3) return c.undefined();
      if (nstruct === 3 && a.a === 1) return c.undefined();
      if (a.a === 1) alignment = nstruct === 2 ? 2 << size : size === 2 ? 8 : 4 << size;
    }
  }
  const d = (a.d << 4) | a.vd;
  if (a.l === 0) return c.undefined();
  if (!c.fpCheck()) return;
  const ebytes = 1 << size;
  const start = c.r[a.rn]!;
  c.checkAligned(start, alignment);
  const s = c.state.dStorage;
  for (let k = 0; k < nstruct; k++) {
    const addr = (start + k * ebytes) | 0;
    let v = ebytes === 4 ? c.load32(addr) : ebytes === 2 ? c.load16(addr) : c.load8(addr);
    if (ebytes === 1) v = (v & 0xff) * 0x01010101;
    else if (ebytes === 2) v = (v & 0xffff) * 0x00010001;
    v |= 0;
    for (let r = 0; r < regs; r++) {
      const reg = d + k * inc + r;
      s[2 * reg] = v;
      s[2 * reg + 1] = v;
    }
  }
  writeBack(c, a, ebytes * nstruct);
};

export const NEON_MEMORY: readonly NeonInsn[] = [
  { name: 'VLDn_VSTn_multiple', low24: '0 d:1 l:1 0 rn:4 vd:4 type:4 size:2 align:2 rm:4', exec: multiple },
  { name: 'VLDn_all_lanes', low24: '1 d:1 l:1 0 rn:4 vd:4 11 nn:2 size:2 t:1 a:1 rm:4', exec: allLanes },
  { name: 'VLDn_VSTn_single_lane', low24: '1 d:1 l:1 0 rn:4 vd:4 size:2 nn:2 ia:4 rm:4', exec: singleLane },
];
