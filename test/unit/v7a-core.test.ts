/**
 * The ARMv7-A core without a board: reset state, banked registers, exception entry and return,
 * interrupts, CP15 access rules, alignment, exclusives, endianness and PSCI. Expected values are
 * the architecture's (ARM DDI 0406C B1.8-B1.9) or QEMU 7.2's where it chooses (noted).
 */
import { describe, expect, it } from 'vitest';
import { CODE, RAM_BASE, V7aRig } from './v7a-rig.js';
import {
  MODE_ABT,
  MODE_FIQ,
  MODE_IRQ,
  MODE_SVC,
  MODE_SYS,
  MODE_UND,
  MODE_USR,
  ArmV7aState,
} from '../../src/emulator/cpu/v7a/state.js';
import { Psci } from '../../src/emulator/cpu/v7a/psci.js';
import { SLEEP_WFI } from '../../src/emulator/cpu/state.js';

const VBAR = 0x40000000;
const A = 1 << 8;
const I = 1 << 7;
const F = 1 << 6;
const T = 1 << 5;

// Hand-assembled A32 encodings.
const UDF = 0xe7f000f0;
const SVC1 = 0xef000001;
const B_SELF = 0xeafffffe;
const CPSIE_AIF = 0xf10801c0;
const CPSID_I = 0xf10c0080;
const MRS_R0_SPSR = 0xe14f0000;
const SUBS_PC_LR_4 = 0xe25ef004;
const LDR_R0_R1 = 0xe5910000;
const STR_R0_R1 = 0xe5810000;
const MCR_VBAR_R0 = 0xee0c0f10;
const MCR_SCTLR_R0 = 0xee010f10;
const MRC_MIDR_R0 = 0xee100f10;
const MRC_TPIDRURO_R0 = 0xee1d0f70;
const MCR_TPIDRURO_R0 = 0xee0d0f70;
const MCR_TPIDRURW_R0 = 0xee0d0f50;
const MRC_TPIDRURW_R2 = 0xee1d2f50;
const LDREX_R0_R1 = 0xe1910f9f;
const STREX_R2_R0_R1 = 0xe1812f90;
const LDM_SP_PC_USER = 0xe8fd8000;
const SRSDB_SP_SVC = 0xf96d0513;
const RFEIA_SP = 0xf8bd0a00;
const SETEND_BE = 0xf1010200;
const HVC0 = 0xe1400070;
const BKPT0 = 0xe1200070;
const MSR_SP_UND_R0 = 0xe12df200; // MSR SP_und, r0 (banked form: sysm 0b10111)
const WFI = 0xe320f003;

function rig(): V7aRig {
  const r = new V7aRig();
  r.cpu.coreRegs.s.vbar = VBAR;
  for (let v = 0; v < 8; v++) r.a32(VBAR + 4 * v, B_SELF);
  return r;
}

describe('reset', () => {
  it('starts at the entry in SVC with A/I/F masked, Z set, SCTLR 0x00c50078 (QEMU virt -kernel)', () => {
    const r = new V7aRig(CODE | 1);
    expect(r.pc).toBe(CODE);
    expect(r.cpsr()).toBe((0x40000000 | A | I | F | T | MODE_SVC) >>> 0);
    expect(r.cpu.sysregs.readByName('SCTLR')).toBe(0x00c50078);
    expect(r.cpu.sysregs.readByName('MIDR')).toBe(0x414fc0f0);
  });
});

describe('banked registers', () => {
  it('keeps r13/r14 per mode and r8-r12 for FIQ apart', () => {
    const st = new ArmV7aState();
    for (let i = 0; i < 15; i++) st.r[i] = 100 + i;
    st.setMode(MODE_FIQ);
    expect(st.r[7]).toBe(107);
    expect(st.r[8]).toBe(0);
    for (let i = 8; i < 15; i++) st.r[i] = 200 + i;
    st.setMode(MODE_IRQ);
    expect([st.r[8], st.r[12], st.r[13], st.r[14]]).toEqual([108, 112, 0, 0]);
    st.r[13] = 313;
    st.r[14] = 314;
    st.setMode(MODE_SYS);
    expect([st.r[13], st.r[14]]).toEqual([0, 0]); // USR/SYS bank, never written
    st.setMode(MODE_USR);
    expect([st.r[13], st.r[14]]).toEqual([0, 0]);
    st.setMode(MODE_SVC);
    expect([st.r[8], st.r[13], st.r[14]]).toEqual([108, 113, 114]);
    expect(st.getBanked(MODE_FIQ, 8)).toBe(208);
    expect(st.getBanked(MODE_IRQ, 13)).toBe(313);
    st.setBanked(MODE_UND, 14, 999);
    st.setMode(MODE_UND);
    expect(st.r[14]).toBe(999);
  });

  it('saves and restores every bank and SPSR', () => {
    const a = new ArmV7aState();
    a.setMode(MODE_FIQ);
    a.r[9] = 9;
    a.spsr[1] = 0x1234;
    a.setMode(MODE_ABT);
    a.r[13] = 0xabc;
    const b = new ArmV7aState();
    b.load(a.save());
    expect(b.save()).toEqual(a.save());
    expect(b.mode).toBe(MODE_ABT);
    expect(b.getBanked(MODE_FIQ, 9)).toBe(9);
  });
});

describe('synchronous exceptions', () => {
  it('UND: LR = instruction + 4, SPSR = CPSR, I set, A/F kept, vector VBAR + 4, counted', () => {
    const r = rig();
    r.a32(CODE, CPSIE_AIF, UDF);
    r.run(2);
    expect(r.state.mode).toBe(MODE_UND);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 8);
    expect(r.state.getSpsr()).toBe((0x40000000 | MODE_SVC) >>> 0);
    expect(r.state.aif).toBe(I);
    expect(r.pc).toBe(VBAR + 4);
    expect(r.clock.icount).toBe(2);
    expect(r.events).toEqual(['fault']);
  });

  it('UND of a 32-bit Thumb instruction: LR = instruction + 2 (QEMU)', () => {
    const r = rig();
    r.t16(CODE, 0xf7f0, 0xa000); // UDF.W #0
    r.state.thumb = 1;
    r.run(1);
    expect(r.state.mode).toBe(MODE_UND);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 2);
    expect(r.state.getSpsr() & T).toBe(T);
  });

  it('SVC: LR = next instruction, vector + 8; SUBS PC, LR returns with CPSR = SPSR', () => {
    const r = rig();
    r.a32(CODE, CPSIE_AIF, SVC1, B_SELF);
    r.run(2);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 8);
    expect(r.pc).toBe(VBAR + 8);
    expect(r.events).toEqual(['svc']);
    r.a32(VBAR + 8, 0xe28ee004 /* add lr, lr, #4 */, SUBS_PC_LR_4);
    r.run(2);
    expect(r.pc).toBe(CODE + 8);
    expect(r.state.aif).toBe(0);
  });

  it('data abort on an unassigned address: DFSR 0x008 (0x808 for writes), DFAR, LR = pc + 8, not counted', () => {
    const r = rig();
    r.a32(CODE, LDR_R0_R1, STR_R0_R1);
    r.state.r[1] = 0x30000000;
    r.run(1);
    expect(r.state.mode).toBe(MODE_ABT);
    expect(r.cpu.sysregs.readByName('DFSR')).toBe(0x008);
    expect(r.cpu.sysregs.readByName('DFAR')).toBe(0x30000000);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 8);
    expect(r.state.aif).toBe(A | I | F);
    expect(r.pc).toBe(VBAR + 0x10);
    expect(r.clock.icount).toBe(0);
    const w = rig();
    w.a32(CODE, STR_R0_R1);
    w.state.r[1] = 0x30000004;
    w.run(1);
    expect(w.cpu.sysregs.readByName('DFSR')).toBe(0x808);
    expect(w.cpu.sysregs.readByName('DFAR')).toBe(0x30000004);
  });

  it('prefetch abort on an unassigned fetch: IFSR 0x008, IFAR = pc, LR = pc + 4', () => {
    const r = rig();
    r.a32(CODE, 0xe12fff10 /* bx r0 */);
    r.state.r[0] = 0x30000000;
    r.run(2);
    expect(r.state.mode).toBe(MODE_ABT);
    expect(r.cpu.sysregs.readByName('IFSR')).toBe(0x008);
    expect(r.cpu.sysregs.readByName('IFAR')).toBe(0x30000000);
    expect(r.state.r[14]! >>> 0).toBe(0x30000004);
    expect(r.pc).toBe(VBAR + 0x0c);
  });

  it('BKPT is a prefetch abort with IFSR 0x002 and IFAR 0 (QEMU: FAR UNKNOWN, cleared)', () => {
    const r = rig();
    r.a32(CODE, BKPT0);
    r.run(1);
    expect(r.state.mode).toBe(MODE_ABT);
    expect(r.cpu.sysregs.readByName('IFSR')).toBe(0x002);
    expect(r.cpu.sysregs.readByName('IFAR')).toBe(0);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 4);
  });

  it('high vectors with SCTLR.V; SCTLR.TE enters handlers in Thumb', () => {
    const r = rig();
    r.a32(CODE, MCR_SCTLR_R0, UDF);
    r.state.r[0] = (0x00c50078 | (1 << 13) | (1 << 30)) | 0;
    r.run(2);
    expect(r.pc).toBe(0xffff0004);
    expect(r.state.thumb).toBe(1);
  });
});

describe('exception return and mode changes', () => {
  it('LDM ^ with PC restores CPSR from SPSR', () => {
    const r = rig();
    r.a32(CODE, UDF, B_SELF);
    r.a32(VBAR + 4, 0xe52de004 /* push {lr} */, LDM_SP_PC_USER);
    r.run(1);
    r.state.r[13] = RAM_BASE + 0x8000;
    r.run(2);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.pc).toBe(CODE + 4);
  });

  it('SRS stores LR and SPSR to the target mode stack; RFE loads them back', () => {
    const r = rig();
    r.state.setBanked(MODE_SVC, 13, RAM_BASE + 0x8000);
    r.a32(CODE, UDF);
    r.a32(VBAR + 4, SRSDB_SP_SVC, 0xf1020013 /* cps #0x13 */, RFEIA_SP);
    r.run(4);
    expect(r.bus.read32(RAM_BASE + 0x8000 - 8) >>> 0).toBe(CODE + 4);
    expect(r.bus.read32(RAM_BASE + 0x8000 - 4) >>> 0).toBe((0x40000000 | A | I | F | MODE_SVC) >>> 0);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.pc).toBe(CODE + 4);
    expect(r.state.r[13]! >>> 0).toBe(RAM_BASE + 0x8000);
  });

  it('CPS and MSR change mode at PL1; at PL0 only the flags change', () => {
    const r = rig();
    r.a32(CODE, 0xf1020012 /* cps #0x12 */, 0xe3a00010 /* mov r0, #0x10 */, 0xe121f000 /* msr cpsr_c, r0 */);
    r.a32(CODE + 12, CPSID_I, 0xe3a004f1 /* mov r0, #0xf1000000 */, 0xe129f000 /* msr cpsr_fc, r0 */);
    r.run(3);
    // The c field holds I, F and M; A (bit 8) is in the x field and stays set.
    expect(r.state.mode).toBe(MODE_USR);
    expect(r.state.aif).toBe(A);
    r.run(3);
    expect(r.state.mode).toBe(MODE_USR);
    expect(r.state.aif).toBe(A);
    expect(r.cpsr() >>> 28).toBe(0xf);
  });

  it('MRS/MSR of banked registers UNDEF without the Virtualization Extensions (QEMU virt default)', () => {
    const r = rig();
    r.a32(CODE, MSR_SP_UND_R0);
    r.run(1);
    expect(r.state.mode).toBe(MODE_UND);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 4);
  });

  it('MRS SPSR in User mode is UNDEFINED', () => {
    const r = rig();
    r.a32(CODE, 0xf1020010 /* cps #0x10 */, MRS_R0_SPSR);
    r.run(2);
    expect(r.state.mode).toBe(MODE_UND);
  });
});

describe('interrupts', () => {
  it('IRQ waits for CPSR.I, then enters IRQ mode with LR = next + 4 at vector 0x18', () => {
    const r = rig();
    r.a32(CODE, 0xe1a00000, CPSIE_AIF, 0xe1a00000, 0xe1a00000);
    r.cpu.setIrq(true);
    r.run(2);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.cpu.exceptions.takePendingException()).not.toBe(0);
    expect(r.state.mode).toBe(MODE_IRQ);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 8 + 4);
    expect(r.pc).toBe(VBAR + 0x18);
    expect(r.state.aif).toBe(A | I);
    expect(r.events).toEqual([]);
  });

  it('FIQ is taken before IRQ and masks both', () => {
    const r = rig();
    r.a32(CODE, CPSIE_AIF, 0xe1a00000);
    r.run(1);
    r.cpu.setIrq(true);
    r.cpu.setFiq(true);
    r.cpu.exceptions.takePendingException();
    expect(r.state.mode).toBe(MODE_FIQ);
    expect(r.pc).toBe(VBAR + 0x1c);
    expect(r.state.aif).toBe(A | I | F);
  });

  it('WFI sleeps with nothing pending and does not with a masked IRQ pending', () => {
    const r = rig();
    r.a32(CODE, WFI, WFI);
    r.run(1);
    expect(r.state.sleep).toBe(SLEEP_WFI);
    const s = rig();
    s.a32(CODE, WFI);
    s.cpu.setIrq(true);
    s.run(1);
    expect(s.state.sleep).not.toBe(SLEEP_WFI);
    expect(s.pc).toBe(CODE + 4);
  });
});

describe('CP15 access', () => {
  it('PL0: TPIDRURO read-only, TPIDRURW read/write, MIDR UNDEFINED', () => {
    const r = rig();
    r.cpu.coreRegs.s.tpidruro = 0x1234;
    r.a32(CODE, 0xf1020010 /* cps #0x10 */, MRC_TPIDRURO_R0, 0xe3a00007 /* mov r0,#7 */, MCR_TPIDRURW_R0, MRC_TPIDRURW_R2);
    r.run(5);
    expect(r.state.mode).toBe(MODE_USR);
    expect(r.state.r[2]).toBe(7);
    r.a32(CODE + 20, MCR_TPIDRURO_R0);
    r.run(1);
    expect(r.state.mode).toBe(MODE_UND);
    const m = rig();
    m.a32(CODE, 0xf1020010, MRC_MIDR_R0);
    m.run(2);
    expect(m.state.mode).toBe(MODE_UND);
  });

  it('an undefined CP15 register is UNDEFINED; VBAR keeps bits 31:5', () => {
    const r = rig();
    r.a32(CODE, MCR_VBAR_R0);
    r.state.r[0] = (VBAR | 0x1f) | 0;
    r.run(1);
    expect(r.cpu.sysregs.readByName('VBAR')).toBe(VBAR);
    const u = rig();
    // (c10/c0 would be QEMU's CP_ANY TLB lockdown NOP; c11 has nothing on the A15.)
    u.a32(CODE, 0xee1b0f10 /* mrc p15, 0, r0, c11, c0, 0 */);
    u.run(1);
    expect(u.state.mode).toBe(MODE_UND);
  });
});

describe('memory', () => {
  it('unaligned LDR works with SCTLR.A clear and faults (DFSR 0x001) with it set; LDM always needs alignment', () => {
    const r = rig();
    r.bus.write32(RAM_BASE + 0x100, 0x44332211);
    r.bus.write32(RAM_BASE + 0x104, 0x88776655);
    r.a32(CODE, LDR_R0_R1);
    r.state.r[1] = RAM_BASE + 0x101;
    r.run(1);
    expect(r.state.r[0]! >>> 0).toBe(0x55443322);
    const l = rig();
    l.a32(CODE, 0xe8910003 /* ldm r1, {r0, r1} */);
    l.state.r[1] = RAM_BASE + 0x102;
    l.run(1);
    expect(l.state.mode).toBe(MODE_ABT);
    expect(l.cpu.sysregs.readByName('DFSR')).toBe(0x001);
    expect(l.cpu.sysregs.readByName('DFAR')).toBe(RAM_BASE + 0x102);
    const a = rig();
    a.cpu.coreRegs.s.sctlr |= 2;
    a.cpu.sctlrChanged(a.cpu.coreRegs.s.sctlr);
    a.a32(CODE, STR_R0_R1);
    a.state.r[1] = RAM_BASE + 0x102;
    a.run(1);
    expect(a.cpu.sysregs.readByName('DFSR')).toBe(0x801);
  });

  it('STREX succeeds after LDREX, fails when memory changed (QEMU compares the value) or the monitor is closed', () => {
    const r = rig();
    const addr = RAM_BASE + 0x200;
    r.bus.write32(addr, 5);
    r.state.r[1] = addr;
    r.a32(CODE, LDREX_R0_R1, 0xe2800001 /* add r0, r0, #1 */, STREX_R2_R0_R1, STREX_R2_R0_R1);
    r.run(3);
    expect(r.state.r[2]).toBe(0);
    expect(r.bus.read32(addr)).toBe(6);
    r.run(1);
    expect(r.state.r[2]).toBe(1);
    const c = rig();
    c.bus.write32(addr, 5);
    c.state.r[1] = addr;
    c.state.r[3] = 9;
    c.a32(CODE, LDREX_R0_R1, 0xe5813000 /* str r3, [r1] */, STREX_R2_R0_R1);
    c.run(3);
    expect(c.state.r[2]).toBe(1);
    expect(c.bus.read32(addr)).toBe(9);
  });

  it('an unaligned STREX with the monitor open elsewhere fails without a fault (QEMU)', () => {
    const r = rig();
    r.state.r[1] = RAM_BASE + 0x200;
    r.a32(CODE, LDREX_R0_R1, 0xe2811001 /* add r1, r1, #1 */, STREX_R2_R0_R1);
    r.run(3);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.state.r[2]).toBe(1);
  });

  it('T32 LDREX/STREX take LR as data or status register (glibc atomics); SP as status is UNDEFINED (QEMU)', () => {
    const r = rig();
    r.state.thumb = 1;
    r.state.r[5] = RAM_BASE + 0x300;
    r.bus.write32(RAM_BASE + 0x300, 41);
    // ldrex lr, [r5]; adds lr, #1 via add.w lr, lr, #1; strex r0, lr, [r5]; strex lr, r0, [r5]; strex sp, r0, [r5]
    r.t16(CODE, 0xe855, 0xef00, 0xf10e, 0x0e01, 0xe845, 0xe000, 0xe845, 0x0e00, 0xe845, 0x0d00);
    r.run(3);
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.state.r[0]).toBe(0);
    expect(r.bus.read32(RAM_BASE + 0x300)).toBe(42);
    r.run(1); // monitor closed by the first STREX: LR = 1, no fault
    expect(r.state.mode).toBe(MODE_SVC);
    expect(r.state.r[14]).toBe(1);
    r.run(1);
    expect(r.events).toContain('fault');
    expect(r.state.mode).toBe(MODE_UND);
  });

  it('CP14 DBGVCR is a NOP (an MRC leaves Rt as it was: QEMU ARM_CP_NOP, sysreg-probe) and DBGDCCINT reads as zero, at PL1', () => {
    const r = rig();
    r.state.r[3] = 0x12345678;
    // mcr p14, 0, r3, c0, c7, 0; mrc p14, 0, r4, c0, c7, 0; mcr p14, 0, r3, c0, c2, 0; mrc p14, 0, r5, c0, c2, 0
    r.a32(CODE, 0xee003e17, 0xee104e17, 0xee003e12, 0xee105e12);
    r.state.r[4] = 7;
    r.state.r[5] = 7;
    r.run(4);
    expect(r.events).toEqual([]);
    expect(r.state.r[4]).toBe(7);
    expect(r.state.r[5]).toBe(0);
  });

  it('SETEND BE byte-reverses data loads and stores, not instruction fetches', () => {
    const r = rig();
    r.bus.write32(RAM_BASE + 0x100, 0x44332211);
    r.state.r[1] = RAM_BASE + 0x100;
    r.a32(CODE, SETEND_BE, LDR_R0_R1);
    r.run(2);
    expect(r.state.r[0]! >>> 0).toBe(0x11223344);
    expect(r.cpsr() & (1 << 9)).not.toBe(0);
  });
});

describe('PSCI over HVC (QEMU virt)', () => {
  it('PSCI_VERSION answers 1.1, an unknown function NOT_SUPPORTED, SYSTEM_OFF powers off; logged as exceptions', () => {
    const r = rig();
    let off = 0;
    r.cpu.psci = new Psci(r.state, { systemOff: () => off++, systemReset: () => {} });
    r.a32(CODE, HVC0, HVC0, HVC0);
    r.state.r[0] = 0x84000000;
    r.run(1);
    expect(r.state.r[0]).toBe(0x00010001);
    expect(r.pc).toBe(CODE + 4);
    r.state.r[0] = 0x84001234;
    r.run(1);
    expect(r.state.r[0]).toBe(-1);
    r.state.r[0] = 0x84000008;
    r.run(1);
    expect(off).toBe(1);
    expect(r.events).toEqual(['svc', 'svc', 'svc']);
  });

  it('HVC in User mode is UNDEFINED', () => {
    const r = rig();
    r.cpu.psci = new Psci(r.state, { systemOff: () => {}, systemReset: () => {} });
    r.a32(CODE, 0xf1020010, HVC0);
    r.run(2);
    expect(r.state.mode).toBe(MODE_UND);
  });
});
