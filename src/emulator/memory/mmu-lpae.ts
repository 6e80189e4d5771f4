/**
 * VMSAv7 long-descriptor (LPAE) stage-1 translation for the PL1&0 regime (TTBCR.EAE = 1): TTBR0/TTBR1
 * chosen by T0SZ/T1SZ, 4 KiB granule, up to three levels (1 GiB / 2 MiB blocks, 4 KiB pages),
 * AP[2:1], XN/PXN, AF, the hierarchical APTable/XNTable/PXNTable controls, MAIR0/MAIR1 attributes,
 * SCTLR.WXN/UWXN. Checks, their order and the fault levels are QEMU 7.2's (target/arm/ptw.c
 * get_phys_addr_lpae, aa32_va_parameters, get_S1prot): an address in the gap between the two
 * ranges or a disabled walk (EPDn) is a level-1 translation fault, a TTBR base above 40 bits an
 * address-size fault at level 0, a missing access flag a fault at the block/page level.
 */
import { MmuFaultType, type MmuFaultInfo } from './mmu-fault.js';
import {
  type AccessKind,
  type DescriptorReader,
  PROT_R,
  PROT_W,
  PROT_X,
  SCTLR_UWXN,
  SCTLR_WXN,
  simpleApToProt,
  type TranslationRegs,
  type WalkResult,
} from './mmu-walk.js';

const TWO_32 = 0x1_0000_0000;

/** Table-descriptor attribute bits (descriptor bits 63:59 as bits 4:0). */
const TABLE_PXN = 1;
const TABLE_XN = 2;
const TABLE_AP0 = 4;
const TABLE_AP1 = 8;

/** Which TTBR translates `va` (0 or 1), or -1 for the gap between the ranges (QEMU's aa32_va_parameters). */
export function lpaeSelect(ttbcr: number, va: number): number {
  va >>>= 0;
  const t0sz = ttbcr & 7;
  const t1sz = (ttbcr >>> 16) & 7;
  const select = t1sz === 0 ? (va > 0xffffffff >>> t0sz ? 1 : 0) : va >= (~(0xffffffff >>> t1sz) >>> 0) ? 1 : 0;
  const tsz = select === 0 ? t0sz : t1sz;
  if (tsz !== 0) {
    // The bits above the input size must all equal the selected range (0s for TTBR0, 1s for TTBR1).
    const top = va >>> (32 - tsz);
    const expect = select === 0 ? 0 : (1 << tsz) - 1;
    if (top !== expect) return -1;
  }
  return select;
}

/**
 * Walk the LPAE tables for `va`. Returns true with `res` filled when `kind` is allowed for `user`,
 * false with `fi` set otherwise.
 */
export function walkLpae(
  regs: TranslationRegs,
  reader: DescriptorReader,
  va: number,
  kind: AccessKind,
  user: boolean,
  res: WalkResult,
  fi: MmuFaultInfo,
): boolean {
  va >>>= 0;
  const ttbcr = regs.ttbcr;
  const select = lpaeSelect(ttbcr, va);
  if (select < 0) {
    fi.set(MmuFaultType.Translation, 1, 0);
    return false;
  }
  const tsz = select === 0 ? ttbcr & 7 : (ttbcr >>> 16) & 7;
  const epd = select === 0 ? (ttbcr >>> 7) & 1 : (ttbcr >>> 23) & 1;
  if (epd !== 0) {
    fi.set(MmuFaultType.Translation, 1, 0);
    return false;
  }
  const inputSize = 32 - tsz;
  let level = 4 - Math.floor((inputSize - 4) / 9);
  const ttbrLo = select === 0 ? regs.ttbr0Lo : regs.ttbr1Lo;
  const ttbrHi = select === 0 ? regs.ttbr0Hi : regs.ttbr1Hi;
  // Base address bits 47:40 must be zero (40-bit output size): else an address-size fault.
  if ((ttbrHi & 0xff00) !== 0) {
    fi.set(MmuFaultType.AddressSize, 0, 0);
    return false;
  }
  // The first table is aligned to its size: index bits of the VA at this level, times 8 bytes.
  const firstShift = 39 - 9 * level; // 30 for level 1, 21 for level 2
  const firstIndexBits = inputSize - firstShift;
  const alignMask = (1 << (firstIndexBits + 3)) - 1;
  // QEMU 7.2 reads an AArch32 LPAE walk's descriptors at the low 32 bits of their address: a table
  // at 0x1_4010_0000 is read at 0x4010_0000 (measured on virt, test/integration/mmu-qemu.test.ts),
  // while a final physical address above 4 GiB is an external abort. So table addresses keep only
  // bits 31:0 (the TTBR's and the table descriptors' bits 39:32 are dropped).
  let tableLo = (ttbrLo & ~alignMask) >>> 0;
  let index = (va >>> firstShift) & ((1 << firstIndexBits) - 1);
  let tableAttrs = 0;

  for (;;) {
    const descAddr = (tableLo | (index << 3)) >>> 0;
    if (!reader.read64(descAddr, res, fi, level)) return false;
    const lo = reader.lo;
    const hi = reader.hi;
    if ((lo & 1) === 0 || ((lo & 2) === 0 && level === 3)) {
      fi.set(MmuFaultType.Translation, level, 0);
      return false;
    }
    if ((lo & 2) !== 0 && level < 3) {
      tableAttrs |= (hi >>> 27) & 0x1f;
      tableLo = (lo & 0xfffff000) >>> 0;
      level++;
      index = (va >>> (39 - 9 * level)) & 0x1ff;
      continue;
    }
    // Block (level 1: 1 GiB, level 2: 2 MiB) or page (level 3).
    const pageShift = 39 - 9 * level;
    const offsetMask = pageShift === 30 ? 0x3fffffff : (1 << pageShift) - 1;
    const outLo = (((lo & 0xfffff000) & ~offsetMask) | (va & offsetMask)) >>> 0;
    const pa = (hi & 0xff) * TWO_32 + outLo;

    if ((lo & (1 << 10)) === 0) {
      fi.set(MmuFaultType.AccessFlag, level, 0);
      return false;
    }
    let apBits = (lo >>> 6) & 3; // bit 0 = AP[1], bit 1 = AP[2]
    let xn = (hi >>> 22) & 1;
    let pxn = (hi >>> 21) & 1;
    if ((tableAttrs & TABLE_XN) !== 0) xn = 1;
    if ((tableAttrs & TABLE_PXN) !== 0) pxn = 1;
    // APTable[0] forbids PL0 (clears AP[1]); APTable[1] forbids writes (sets AP[2]).
    if ((tableAttrs & TABLE_AP0) !== 0) apBits &= ~1;
    if ((tableAttrs & TABLE_AP1) !== 0) apBits |= 2;

    const userRw = simpleApToProt(apBits, true);
    const privRw = simpleApToProt(apBits, false);
    const protRw = user ? userRw : privRw;
    let noExec: boolean;
    if (user) {
      noExec = xn !== 0 || (userRw & PROT_R) === 0;
    } else {
      const uwxn = (regs.sctlr & SCTLR_UWXN) !== 0;
      noExec = xn !== 0 || (privRw & PROT_R) === 0 || pxn !== 0 || (uwxn && (userRw & PROT_W) !== 0);
    }
    const wxn = (regs.sctlr & SCTLR_WXN) !== 0;
    const prot = noExec || (wxn && (protRw & PROT_W) !== 0) ? protRw : protRw | PROT_X;

    const attrIndex = (lo >>> 2) & 7;
    res.memAttr = attrIndex < 4 ? (regs.prrr >>> (8 * attrIndex)) & 0xff : (regs.nmrr >>> (8 * (attrIndex - 4))) & 0xff;
    res.shareability = (lo >>> 8) & 3;
    res.nonGlobal = (lo & (1 << 11)) !== 0;
    res.nonSecure = (lo & (1 << 5)) !== 0 || (tableAttrs & 0x10) !== 0;
    res.lgPageSize = pageShift;

    if ((prot & (1 << kind)) === 0) {
      fi.set(MmuFaultType.Permission, level, 0);
      return false;
    }
    res.pa = pa;
    res.prot = prot;
    return true;
  }
}
