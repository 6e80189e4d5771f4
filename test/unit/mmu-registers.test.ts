/**
 * The MMU's CP15 registers as MRC/MCR/MRRC/MCRR see them through the system-register registry:
 * encodings, read-back values and write masks as QEMU 7.2 defines them for a Cortex-A15 on virt
 * (target/arm/helper.c: vmsa_ttbcr_raw_write, vmsa_ttbr_write, par_write, lpae_cp_reginfo), and the
 * registers that must stay UNDEFINED there (Hyp registers, ATS12NSO*).
 */
import { describe, expect, it } from 'vitest';
import { SysRegFile } from '../../src/emulator/cpu/v7a/sysreg-registry.js';
import { ACCESS_READ } from '../../src/emulator/memory/mmu.js';
import { defineMmuRegisters } from '../../src/emulator/memory/mmu-registers.js';
import { TTB, faultOf, makeRig, section, setL1 } from './mmu-rig.js';

function rig(): { file: SysRegFile; mmu: ReturnType<typeof makeRig>['mmu']; bus: ReturnType<typeof makeRig>['bus'] } {
  const { mmu, bus } = makeRig();
  const file = new SysRegFile();
  defineMmuRegisters(file, mmu);
  return { file, mmu, bus };
}

function mcr(file: SysRegFile, crn: number, crm: number, opc2: number, v: number): void {
  const d = file.lookup(15, false, 0, crn, crm, opc2);
  if (!d?.write) throw new Error(`c${crn},c${crm},${opc2} not writable`);
  d.write(v >>> 0, 0, file);
}
function mrc(file: SysRegFile, crn: number, crm: number, opc2: number): number {
  const d = file.lookup(15, false, 0, crn, crm, opc2);
  if (!d?.read) throw new Error(`c${crn},c${crm},${opc2} not readable`);
  return d.read(file) >>> 0;
}
function mcrr(file: SysRegFile, opc1: number, crm: number, lo: number, hi: number): void {
  file.lookup(15, true, opc1, 0, crm, 0)!.write!(lo >>> 0, hi >>> 0, file);
}
function mrrc(file: SysRegFile, opc1: number, crm: number): [number, number] {
  const lo = file.lookup(15, true, opc1, 0, crm, 0)!.read!(file) >>> 0;
  return [lo, file.hi >>> 0];
}

describe('MMU CP15 registers', () => {
  it('TTBR0/TTBR1: 32-bit writes change the low word only; MCRR/MRRC the whole register', () => {
    const { file } = rig();
    mcrr(file, 0, 2, 0x11112000, 0x00ab0001);
    mcr(file, 2, 0, 0, 0x40004000);
    expect(mrrc(file, 0, 2)).toEqual([0x40004000, 0x00ab0001]);
    expect(mrc(file, 2, 0, 0)).toBe(0x40004000);
    mcrr(file, 1, 2, 0x22223000, 0x00cd0000);
    mcr(file, 2, 0, 1, 0xffffffff);
    expect(mrrc(file, 1, 2)).toEqual([0xffffffff, 0x00cd0000]);
  });

  it('TTBCR: N only without EAE (no Security Extensions on virt); with EAE the v7 SBZ fields cleared', () => {
    const { file } = rig();
    mcr(file, 2, 0, 2, 0x7fffffff);
    expect(mrc(file, 2, 0, 2)).toBe(7);
    mcr(file, 2, 0, 2, 0xffffffff);
    expect(mrc(file, 2, 0, 2)).toBe(0xffc73f87);
  });

  it('DACR, PRRR/MAIR0, NMRR/MAIR1, CONTEXTIDR read as written; AMAIR0/1 read as zero', () => {
    const { file } = rig();
    for (const [crn, crm, opc2, v] of [
      [3, 0, 0, 0xdeadbeef],
      [10, 2, 0, 0xff0a81a8],
      [10, 2, 1, 0x40e040e0],
      [13, 0, 1, 0x12345678],
    ] as const) {
      mcr(file, crn, crm, opc2, v);
      expect(mrc(file, crn, crm, opc2)).toBe(v);
    }
    mcr(file, 10, 3, 0, 0xffffffff);
    mcr(file, 10, 3, 1, 0xffffffff);
    expect([mrc(file, 10, 3, 0), mrc(file, 10, 3, 1)]).toEqual([0, 0]);
  });

  it('PAR: 32-bit and 64-bit views of one register; ATS1CPR writes it', () => {
    const { file, mmu, bus } = rig();
    mcrr(file, 0, 7, 0x12345678, 0x9abcdef0);
    mcr(file, 7, 4, 0, 0x11111111);
    expect(mrrc(file, 0, 7)).toEqual([0x11111111, 0x9abcdef0]);
    setL1(bus, TTB, 0x80000000, section(0x40100000));
    mmu.ttbr0Lo = TTB;
    mmu.dacr = 1;
    mmu.setSctlr(1);
    mcr(file, 7, 8, 0, 0x80000abc); // ATS1CPR
    expect(mrc(file, 7, 4, 0)).toBe(0x40100200);
    expect(mrrc(file, 0, 7)).toEqual([0x40100200, 0]);
    mcr(file, 7, 8, 3, 0x70000000); // ATS1CUW: translation fault, section
    expect(mrc(file, 7, 4, 0)).toBe(0xb);
    expect(mmu.translate(0x80000abc, ACCESS_READ, false)).toBe(0x40100abc);
  });

  it('operations are write-only, registers are PL1-only', () => {
    const { file } = rig();
    for (const [crn, crm, opc2] of [
      [7, 8, 0],
      [7, 8, 1],
      [7, 8, 2],
      [7, 8, 3],
      [8, 7, 0],
      [8, 7, 1],
      [8, 7, 2],
      [8, 7, 3],
      [8, 3, 0],
      [8, 3, 1],
      [8, 3, 2],
      [8, 3, 3],
      [8, 5, 0],
      [8, 5, 1],
      [8, 5, 2],
      [8, 6, 0],
      [8, 6, 1],
      [8, 6, 2],
    ] as const) {
      const d = file.lookup(15, false, 0, crn, crm, opc2);
      expect({ crn, crm, opc2, write: typeof d?.write, read: d?.read }).toEqual({ crn, crm, opc2, write: 'function', read: undefined });
    }
    for (const d of file.all()) expect({ name: d.name, pl0: d.pl0Read || d.pl0Write }).toEqual({ name: d.name, pl0: undefined });
  });

  it('UNDEFINED on virt: Hyp registers (HTTBR, HTCR, HMAIR, VTTBR), TLBIMVAL (v8); ATS12NSO* fall in QEMU\'s CACHEMAINT (write NOP, read UNDEFINED)', () => {
    const { file } = rig();
    for (let opc2 = 4; opc2 < 8; opc2++) {
      const d = file.lookup(15, false, 0, 7, 8, opc2);
      // Without EL2/EL3 QEMU defines no ATS12NSO*; its v7 wildcard c7 entry (CP_ANY crm/opc2) takes the write.
      expect({ opc2, name: d?.name, read: d?.read }).toEqual({ opc2, name: 'CACHEMAINT', read: undefined });
    }
    expect(file.lookup(15, true, 4, 0, 2, 0)).toBeUndefined(); // HTTBR
    expect(file.lookup(15, true, 6, 0, 2, 0)).toBeUndefined(); // VTTBR
    expect(file.lookup(15, false, 4, 2, 0, 2)).toBeUndefined(); // HTCR
    expect(file.lookup(15, false, 4, 10, 2, 0)).toBeUndefined(); // HMAIR0
    expect(file.lookup(15, false, 0, 8, 7, 5)).toBeUndefined(); // TLBIMVAL
  });
});

describe('a core without LPAE and PXN (Cortex-A9 options)', () => {
  it('no EAE, no 64-bit TTBR/PAR, no AMAIR; PAR writes masked to 0xfffff6ff', () => {
    const { mmu } = makeRig({ lpae: false, pxn: false, securityExtensions: true });
    const file = new SysRegFile();
    defineMmuRegisters(file, mmu);
    mcr(file, 2, 0, 2, 0x80000032);
    expect(mrc(file, 2, 0, 2)).toBe(0x32);
    expect(file.lookup(15, true, 0, 0, 2, 0)).toBeUndefined();
    expect(file.lookup(15, true, 1, 0, 2, 0)).toBeUndefined();
    expect(file.lookup(15, true, 0, 0, 7, 0)).toBeUndefined();
    expect(file.lookup(15, false, 0, 10, 3, 0)).toBeUndefined();
    mcr(file, 7, 4, 0, 0xffffffff);
    expect(mrc(file, 7, 4, 0)).toBe(0xfffff6ff);
  });

  it('a level-1 type 3 entry is a translation fault and the page-table PXN bit is ignored', () => {
    const { bus, mmu } = makeRig({ pxn: false });
    setL1(bus, TTB, 0x80000000, section(0x40100000, { pxn: true }));
    setL1(bus, TTB, 0x80100000, (0x40008000 | (1 << 2) | 1) >>> 0); // page table with PXN
    bus.write32(0x40008000, (0x40100000 | (3 << 4) | 2) | 0); // small page, AP=011
    mmu.ttbr0Lo = TTB;
    mmu.dacr = 0x55555555;
    mmu.setSctlr(1);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x005);
    expect(mmu.fetch32(0x80100000)).toBe(mmu.read32(0x80100000));
  });

  it('with the Security Extensions PAR.NS is the descriptor NS bit', () => {
    const { bus, mmu } = makeRig({ securityExtensions: true });
    setL1(bus, TTB, 0x80000000, section(0x40100000));
    setL1(bus, TTB, 0x80100000, (section(0x40200000) | (1 << 19)) >>> 0);
    mmu.ttbr0Lo = TTB;
    mmu.dacr = 0x55555555;
    mmu.setSctlr(1);
    mmu.addressTranslate(0x80000010, ACCESS_READ, false);
    expect(mmu.parLo).toBe(0x40100000);
    mmu.addressTranslate(0x80100010, ACCESS_READ, false);
    expect(mmu.parLo).toBe(0x40200200);
  });
});
