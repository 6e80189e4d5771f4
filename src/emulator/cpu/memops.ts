/**
 * Load/store semantics shared by the T16 and T32 encodings. Every load reads memory before any
 * register is written, so a BusFault or alignment fault leaves the registers untouched.
 */
import type { Cpu } from './cpu.js';

/** Sizes as `Cpu.loadSized` takes them: 4 word, 2/-2 halfword (unsigned/signed), 1/-1 byte. */
export const SIZE_WORD = 4;
export const SIZE_HALF = 2;
export const SIZE_SHALF = -2;
export const SIZE_BYTE = 1;
export const SIZE_SBYTE = -1;

/**
 * Single load/store with immediate or register offset already computed as `offset`.
 * `index` (P): address = base + offset, else base (post-indexed); `wback` (W): Rn = base + offset.
 */
export function loadStore(
  c: Cpu,
  isLoad: boolean,
  size: number,
  rt: number,
  rn: number,
  offset: number,
  index: boolean,
  wback: boolean,
): void {
  const r = c.r;
  const base = rn === 15 ? r[15]! & ~3 : r[rn]!;
  const offAddr = (base + offset) | 0;
  const addr = index ? offAddr : base;
  if (isLoad) {
    const v = c.loadSized(addr, size);
    if (wback) c.setReg(rn, offAddr);
    c.writeLoaded(rt, v);
  } else {
    c.storeSized(addr, size, r[rt]!);
    if (wback) c.setReg(rn, offAddr);
  }
}

function popcount16(list: number): number {
  let n = 0;
  for (let x = list; x !== 0; x &= x - 1) n++;
  return n;
}

/**
 * LDM/LDMDB/POP. Writeback is skipped when Rn is in the list (the loaded value wins). A loaded PC
 * is an interworking branch (or exception return), done after every other register.
 */
export function loadMultiple(c: Cpu, rn: number, list: number, wback: boolean, decrementBefore: boolean): void {
  const r = c.r;
  const count = popcount16(list);
  const base = r[rn]!;
  const start = decrementBefore ? (base - 4 * count) | 0 : base;
  c.checkAligned(start, 4);
  const buf = c.loadBuffer;
  let addr = start;
  for (let i = 0; i < 16; i++) {
    if ((list & (1 << i)) !== 0) {
      buf[i] = c.bus.read32(addr);
      addr = (addr + 4) | 0;
    }
  }
  for (let i = 0; i < 15; i++) if ((list & (1 << i)) !== 0) c.setReg(i, buf[i]!);
  if (wback && (list & (1 << rn)) === 0) c.setReg(rn, decrementBefore ? start : (base + 4 * count) | 0);
  if ((list & 0x8000) !== 0) c.bxWritePc(buf[15]!);
}

/** STM/STMDB/PUSH: registers are read before writeback, so a listed Rn stores its old value. */
export function storeMultiple(c: Cpu, rn: number, list: number, wback: boolean, decrementBefore: boolean): void {
  const r = c.r;
  const count = popcount16(list);
  const base = r[rn]!;
  const start = decrementBefore ? (base - 4 * count) | 0 : base;
  c.checkAligned(start, 4, true);
  let addr = start;
  for (let i = 0; i < 16; i++) {
    if ((list & (1 << i)) !== 0) {
      c.bus.write32(addr, r[i]!);
      addr = (addr + 4) | 0;
    }
  }
  if (wback) c.setReg(rn, decrementBefore ? start : (base + 4 * count) | 0);
}
