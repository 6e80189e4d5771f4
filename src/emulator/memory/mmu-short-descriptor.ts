/**
 * VMSAv7 short-descriptor translation (TTBCR.EAE = 0): sections, supersections, 64 KiB and 4 KiB
 * pages, TTBCR.N with TTBR0/TTBR1 (PD0/PD1), domains (DACR), AP[2:0] or the AFE simplified model,
 * XN/PXN, TEX remap. The order of the checks and the fault levels/domains are QEMU 7.2's
 * (target/arm/ptw.c get_phys_addr_v6 and get_level1_table_address), which a program can observe:
 * a domain fault on a page-table entry is level 2 and found before the level-2 descriptor is read; a
 * level-1 translation fault reports domain 0; a Manager domain gets read/write/execute regardless
 * of AP and XN; with AFE an XN fetch is a permission fault before the access flag is looked at.
 */
import { MmuFaultType, type MmuFaultInfo } from './mmu-fault.js';
import {
  ACCESS_FETCH,
  type AccessKind,
  type DescriptorReader,
  PROT_R,
  PROT_W,
  PROT_X,
  SCTLR_AFE,
  SCTLR_TRE,
  simpleApToProt,
  type TranslationRegs,
  type WalkResult,
} from './mmu-walk.js';

/** TTBCR fields of the short-descriptor format. */
const TTBCR_N = 7;
const TTBCR_PD0 = 1 << 4;
const TTBCR_PD1 = 1 << 5;

/** QEMU's ap_to_rw_prot for a v7 core (AP[2:0], Client domain). */
function apToProt(ap: number, user: boolean): number {
  switch (ap) {
    case 1:
      return user ? 0 : PROT_R | PROT_W;
    case 2:
      return user ? PROT_R : PROT_R | PROT_W;
    case 3:
      return PROT_R | PROT_W;
    case 5:
      return user ? 0 : PROT_R;
    case 6:
    case 7:
      return PROT_R;
    default:
      // 0 (no access on v7) and 4 (reserved)
      return 0;
  }
}

/**
 * Memory attributes of a descriptor: TEX[2:0]:C:B, or with TEX remap the PRRR/NMRR fields the
 * descriptor's TEX[0]:C:B index selects.
 */
function memoryAttributes(regs: TranslationRegs, tex: number, c: number, b: number): number {
  if ((regs.sctlr & SCTLR_TRE) === 0) return (tex << 2) | (c << 1) | b;
  const n = ((tex & 1) << 2) | (c << 1) | b;
  const type = (regs.prrr >>> (2 * n)) & 3;
  const inner = (regs.nmrr >>> (2 * n)) & 3;
  const outer = (regs.nmrr >>> (2 * n + 16)) & 3;
  return type | (inner << 2) | (outer << 4);
}

/**
 * Walk the short-descriptor tables for `va`. Returns true with `res` filled (PA, permissions for
 * `user`) when `kind` is allowed, false with `fi` set otherwise.
 */
export function walkShortDescriptor(
  regs: TranslationRegs,
  reader: DescriptorReader,
  va: number,
  kind: AccessKind,
  user: boolean,
  res: WalkResult,
  fi: MmuFaultInfo,
): boolean {
  va >>>= 0;
  const n = regs.ttbcr & TTBCR_N;
  let table: number;
  if (n !== 0 && (va & ~(0xffffffff >>> n)) !== 0) {
    if ((regs.ttbcr & TTBCR_PD1) !== 0) {
      fi.set(MmuFaultType.Translation, 1, 0);
      return false;
    }
    table = (regs.ttbr1Lo & 0xffffc000) >>> 0;
  } else {
    if ((regs.ttbcr & TTBCR_PD0) !== 0) {
      fi.set(MmuFaultType.Translation, 1, 0);
      return false;
    }
    table = (regs.ttbr0Lo & ~(0x3fff >>> n)) >>> 0;
  }
  table = (table | ((va >>> 18) & 0x3ffc)) >>> 0;

  if (!reader.read32(table, res, fi, 1, 0)) return false;
  let desc = reader.lo;
  const type = desc & 3;
  // Type 3 is a section with PXN on cores with the PXN extension (the Cortex-A15's VMSA), reserved
  // (a translation fault) without it.
  if (type === 0 || (type === 3 && !regs.hasPxn)) {
    fi.set(MmuFaultType.Translation, 1, 0);
    return false;
  }
  const supersection = type !== 1 && (desc & (1 << 18)) !== 0;
  const domain = supersection ? 0 : (desc >>> 5) & 0xf;
  const level = type === 1 ? 2 : 1;
  const domainProt = (regs.dacr >>> (domain * 2)) & 3;
  if (domainProt === 0 || domainProt === 2) {
    fi.set(MmuFaultType.Domain, level, domain);
    return false;
  }

  let pa: number;
  let ap: number;
  let xn: number;
  let pxn: number;
  if (type !== 1) {
    if (supersection) {
      // PA[39:36] = desc[8:5], PA[35:32] = desc[23:20].
      const high = (((desc >>> 5) & 0xf) << 4) | ((desc >>> 20) & 0xf);
      pa = high * 0x1_0000_0000 + (((desc & 0xff000000) | (va & 0x00ffffff)) >>> 0);
      res.lgPageSize = 24;
    } else {
      pa = ((desc & 0xfff00000) | (va & 0x000fffff)) >>> 0;
      res.lgPageSize = 20;
    }
    ap = ((desc >>> 10) & 3) | ((desc >>> 13) & 4);
    xn = (desc >>> 4) & 1;
    pxn = desc & 1;
    res.memAttr = memoryAttributes(regs, (desc >>> 12) & 7, (desc >>> 3) & 1, (desc >>> 2) & 1);
    res.shareability = (desc >>> 16) & 1;
    res.nonGlobal = (desc & (1 << 17)) !== 0;
    res.nonSecure = (desc & (1 << 19)) !== 0;
  } else {
    pxn = regs.hasPxn ? (desc >>> 2) & 1 : 0;
    res.nonSecure = (desc & (1 << 3)) !== 0;
    const l2 = ((desc & 0xfffffc00) | ((va >>> 10) & 0x3fc)) >>> 0;
    if (!reader.read32(l2, res, fi, 2, domain)) return false;
    desc = reader.lo;
    ap = ((desc >>> 4) & 3) | ((desc >>> 7) & 4);
    switch (desc & 3) {
      case 0:
        fi.set(MmuFaultType.Translation, 2, domain);
        return false;
      case 1:
        pa = ((desc & 0xffff0000) | (va & 0xffff)) >>> 0;
        xn = (desc >>> 15) & 1;
        res.lgPageSize = 16;
        res.memAttr = memoryAttributes(regs, (desc >>> 12) & 7, (desc >>> 3) & 1, (desc >>> 2) & 1);
        break;
      default:
        pa = ((desc & 0xfffff000) | (va & 0xfff)) >>> 0;
        xn = desc & 1;
        res.lgPageSize = 12;
        res.memAttr = memoryAttributes(regs, (desc >>> 6) & 7, (desc >>> 3) & 1, (desc >>> 2) & 1);
        break;
    }
    res.shareability = (desc >>> 10) & 1;
    res.nonGlobal = (desc & (1 << 11)) !== 0;
  }

  let prot: number;
  if (domainProt === 3) {
    prot = PROT_R | PROT_W | PROT_X;
  } else {
    if (pxn !== 0 && !user) xn = 1;
    if (xn !== 0 && kind === ACCESS_FETCH) {
      fi.set(MmuFaultType.Permission, level, domain);
      return false;
    }
    if ((regs.sctlr & SCTLR_AFE) !== 0) {
      // Simplified access permissions: AP[0] is the access flag.
      if ((ap & 1) === 0) {
        fi.set(MmuFaultType.AccessFlag, level, domain);
        return false;
      }
      prot = simpleApToProt(ap >>> 1, user);
    } else {
      prot = apToProt(ap, user);
    }
    if (prot !== 0 && xn === 0) prot |= PROT_X;
    if ((prot & (1 << kind)) === 0) {
      fi.set(MmuFaultType.Permission, level, domain);
      return false;
    }
  }
  res.pa = pa;
  res.prot = prot;
  return true;
}
