/**
 * The MMU's CP15 registers on an ARMv7-A core (Cortex-A15 on QEMU's virt; without LPAE, as a
 * Cortex-A9 would have them, when the Mmu is built with `lpae: false`), as QEMU 7.2 defines them (target/arm/helper.c vmsa_cp_reginfo, lpae_cp_reginfo, v7_cp_reginfo,
 * v7mp_cp_reginfo, vapa_cp_reginfo): reads return what QEMU keeps, writes are masked as QEMU masks
 * them. Every write that can change a translation flushes the TLB (the Mmu never keeps a stale
 * entry, so the TLB maintenance operations only have to drop what they name).
 *
 * Not defined, hence UNDEFINED: the Hyp registers (HTTBR, HTCR, ...: no EL2 on virt) and
 * ATS12NSO* (c7, c8, opc2 4-7), which QEMU makes UNDEFINED from Non-secure PL1 — the only PL1 a
 * core without the Security Extensions has.
 */
import type { SysRegDef, SysRegFile } from '../cpu/v7a/sysreg-registry.js';
import { ACCESS_READ, ACCESS_WRITE } from './mmu-walk.js';
import type { Mmu } from './mmu.js';

function cp15(name: string, crn: number, crm: number, opc2: number, rest: Partial<SysRegDef>): SysRegDef {
  return { name, cp: 15, opc1: 0, crn, crm, opc2, ...rest };
}

function cp15x64(name: string, opc1: number, crm: number, rest: Partial<SysRegDef>): SysRegDef {
  return { name, cp: 15, opc1, crn: 0, crm, opc2: 0, is64: true, ...rest };
}

/** A TLB maintenance operation: PL1 write-only. */
function tlbOp(name: string, crm: number, opc2: number, op: (v: number) => void): SysRegDef {
  return cp15(name, 8, crm, opc2, { write: (v) => op(v), writeKeepsSlice: true });
}

/**
 * Define TTBR0/1, TTBCR, DACR, PRRR/NMRR (MAIR0/1), FCSEIDR, CONTEXTIDR, PAR, ATS1C*, TLBI*, and with LPAE
 * the 64-bit TTBR0/TTBR1/PAR and AMAIR0/1.
 */
export function defineMmuRegisters(file: SysRegFile, mmu: Mmu): void {
  const all = (): void => mmu.flushAll();
  const page = (v: number): void => mmu.flushPage(v);

  file.defineAll([
    // A 32-bit TTBR write replaces the low word only (QEMU keeps the 64-bit field's high half).
    cp15('TTBR0', 2, 0, 0, {
      read: () => mmu.ttbr0Lo,
      write: (v) => {
        mmu.ttbr0Lo = v >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    cp15('TTBR1', 2, 0, 1, {
      read: () => mmu.ttbr1Lo,
      write: (v) => {
        mmu.ttbr1Lo = v >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    cp15('TTBCR', 2, 0, 2, { read: () => mmu.ttbcr, write: (v) => mmu.writeTtbcr(v) }),
    cp15('DACR', 3, 0, 0, {
      read: () => mmu.dacr,
      write: (v) => {
        mmu.dacr = v >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    // PRRR/NMRR and MAIR0/MAIR1 are one pair of registers, read as written.
    cp15('PRRR', 10, 2, 0, {
      read: () => mmu.prrr,
      write: (v) => {
        mmu.prrr = v >>> 0;
        mmu.translationChanged();
      },
    }),
    cp15('NMRR', 10, 2, 1, {
      read: () => mmu.nmrr,
      write: (v) => {
        mmu.nmrr = v >>> 0;
        mmu.translationChanged();
      },
    }),
    cp15('FCSEIDR', 13, 0, 0, { read: () => mmu.fcseidr, write: (v) => mmu.writeFcseidr(v) }),
    cp15('CONTEXTIDR', 13, 0, 1, {
      read: () => mmu.contextidr,
      write: (v) => {
        mmu.contextidr = v >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    // QEMU par_write: with LPAE the low word as written, without it masked to 0xfffff6ff.
    cp15('PAR', 7, 4, 0, {
      read: () => mmu.parLo,
      write: (v) => {
        mmu.parLo = (mmu.hasLpae ? v : v & 0xfffff6ff) >>> 0;
      },
    }),
    cp15('ATS1CPR', 7, 8, 0, { write: (v) => mmu.addressTranslate(v, ACCESS_READ, false) }),
    cp15('ATS1CPW', 7, 8, 1, { write: (v) => mmu.addressTranslate(v, ACCESS_WRITE, false) }),
    cp15('ATS1CUR', 7, 8, 2, { write: (v) => mmu.addressTranslate(v, ACCESS_READ, true) }),
    cp15('ATS1CUW', 7, 8, 3, { write: (v) => mmu.addressTranslate(v, ACCESS_WRITE, true) }),
    // TLB maintenance. QEMU ignores ASIDs (it flushes on every ASID change): by-ASID operations
    // flush everything, by-MVA ones the page in every ASID.
    tlbOp('TLBIALLIS', 3, 0, all),
    tlbOp('TLBIMVAIS', 3, 1, page),
    tlbOp('TLBIASIDIS', 3, 2, all),
    tlbOp('TLBIMVAAIS', 3, 3, page),
    tlbOp('ITLBIALL', 5, 0, all),
    tlbOp('ITLBIMVA', 5, 1, page),
    tlbOp('ITLBIASID', 5, 2, all),
    tlbOp('DTLBIALL', 6, 0, all),
    tlbOp('DTLBIMVA', 6, 1, page),
    tlbOp('DTLBIASID', 6, 2, all),
    tlbOp('TLBIALL', 7, 0, all),
    tlbOp('TLBIMVA', 7, 1, page),
    tlbOp('TLBIASID', 7, 2, all),
    tlbOp('TLBIMVAA', 7, 3, page),
  ]);
  // QEMU's lpae_cp_reginfo: only on cores with LPAE.
  if (!mmu.hasLpae) return;
  file.defineAll([
    cp15x64('TTBR0_64', 0, 2, {
      read: (regs) => {
        regs.hi = mmu.ttbr0Hi;
        return mmu.ttbr0Lo;
      },
      write: (v, hi) => {
        mmu.ttbr0Lo = v >>> 0;
        mmu.ttbr0Hi = hi >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    cp15x64('TTBR1_64', 1, 2, {
      read: (regs) => {
        regs.hi = mmu.ttbr1Hi;
        return mmu.ttbr1Lo;
      },
      write: (v, hi) => {
        mmu.ttbr1Lo = v >>> 0;
        mmu.ttbr1Hi = hi >>> 0;
        mmu.translationChanged();
      },
      writeKeepsSlice: true,
    }),
    // QEMU: AMAIR0/AMAIR1 read as zero, writes ignored.
    cp15('AMAIR0', 10, 3, 0, { read: () => 0, write: () => {} }),
    cp15('AMAIR1', 10, 3, 1, { read: () => 0, write: () => {} }),
    cp15x64('PAR_64', 0, 7, {
      read: (regs) => {
        regs.hi = mmu.parHi;
        return mmu.parLo;
      },
      write: (v, hi) => {
        mmu.parLo = v >>> 0;
        mmu.parHi = hi >>> 0;
      },
    }),
  ]);
}
