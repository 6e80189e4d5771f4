/**
 * CP14 hardware breakpoints and watchpoints on the A-profile core, as QEMU 7.2's debug_helper.c
 * makes them fire: gated by DBGDSCRext.MDBGen and the double lock (not the OS lock, QEMU's bug),
 * taken before the instruction (not counted), IFSR/DFSR 0x002 without WnR, IFAR 0, DFAR the
 * watched byte hit; LDRT matched as PL0; snapshots re-derive the armed comparators.
 * firmware/v7a/src/debug-bpwp.c compares every case with qemu-system-arm (v7a-vs-qemu).
 */
import { describe, expect, it } from 'vitest';
import { CODE, RAM_BASE, V7aRig } from './v7a-rig.js';

const DATA = RAM_BASE + 0x2000;
const MDBGEN = 1 << 15;
const bcr = (bas: number, pmc: number) => (bas << 5) | (pmc << 1) | 1;
const wcr = (bas: number, lsc: number, pac: number) => (bas << 5) | (lsc << 3) | (pac << 1) | 1;

function rig() {
  const r = new V7aRig();
  const cp14 = (opc1: number, crn: number, crm: number, opc2: number, v: number) =>
    r.cpu.sysregs.lookup(14, false, opc1, crn, crm, opc2)!.write!(v | 0, 0, r.cpu.sysregs);
  r.state.r[2] = DATA;
  r.state.r[1] = 0x5555;
  r.bus.write32(DATA, 0x1234);
  // mov r0,#1; add r0,r0,#1; str r1,[r2]; ldr r3,[r2]; ldrt r3,[r2]
  r.a32(CODE, 0xe3a00001, 0xe2800001, 0xe5821000, 0xe5923000, 0xe4b23000);
  return { r, cp14, regs: r.cpu.coreRegs.s };
}

describe('CP14 hardware breakpoints and watchpoints (QEMU 7.2)', () => {
  it('a breakpoint fires before its instruction only with MDBGen set', () => {
    const { r, cp14, regs } = rig();
    cp14(0, 0, 0, 4, CODE + 4); // DBGBVR0
    cp14(0, 0, 0, 5, bcr(0xf, 3)); // DBGBCR0
    r.run(2);
    expect(r.pc).toBe(CODE + 8); // MDBGen clear: nothing
    const again = rig();
    again.cp14(0, 0, 2, 2, MDBGEN);
    again.cp14(0, 0, 0, 4, CODE + 4);
    again.cp14(0, 0, 0, 5, bcr(0xf, 3));
    const before = again.r.clock.icount;
    again.r.run(2);
    expect(again.r.state.mode).toBe(0x17);
    expect(again.r.state.r[14]! >>> 0).toBe(CODE + 8);
    expect(again.regs.ifsr).toBe(0x002);
    expect(again.regs.ifar).toBe(0);
    expect(again.r.state.r[0]).toBe(1); // the ADD did not run
    expect(again.r.clock.icount - before).toBe(1); // and was not counted
    void regs;
  });

  it('a PL0-only breakpoint does not fire at PL1; a locked OS lock does not block, the double lock does', () => {
    const a = rig();
    a.cp14(0, 0, 2, 2, MDBGEN);
    a.cp14(0, 0, 0, 4, CODE + 4);
    a.cp14(0, 0, 0, 5, bcr(0xf, 2));
    a.r.run(2);
    expect(a.r.pc).toBe(CODE + 8);
    const b = rig();
    b.cp14(0, 0, 2, 2, MDBGEN);
    b.cp14(0, 1, 0, 4, 0xc5acce55); // DBGOSLAR: lock
    b.cp14(0, 0, 0, 4, CODE + 4);
    b.cp14(0, 0, 0, 5, bcr(0xf, 3));
    b.r.run(2);
    expect(b.regs.ifsr).toBe(0x002);
    const c = rig();
    c.cp14(0, 0, 2, 2, MDBGEN);
    c.cp14(0, 1, 3, 4, 1); // DBGOSDLR.DLK
    c.cp14(0, 0, 0, 4, CODE + 4);
    c.cp14(0, 0, 0, 5, bcr(0xf, 3));
    c.r.run(2);
    expect(c.r.pc).toBe(CODE + 8);
  });

  it('a write watchpoint aborts the store before it happens: DFSR 0x002 (no WnR), DFAR the byte watched', () => {
    const { r, cp14, regs } = rig();
    cp14(0, 0, 2, 2, MDBGEN);
    cp14(0, 0, 0, 6, DATA + 3); // DBGWVR0: bits [1:0] are cleared
    cp14(0, 0, 0, 7, wcr(0b0100, 2, 3)); // byte 2, stores
    r.run(3);
    expect(r.state.mode).toBe(0x17);
    expect(regs.dfsr).toBe(0x002);
    expect(regs.dfar >>> 0).toBe(DATA + 2);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 8 + 8);
    expect(r.bus.read32(DATA)).toBe(0x1234);
  });

  it('a PL0-only watchpoint matches LDRT at PL1 but not LDR', () => {
    const { r, cp14, regs } = rig();
    cp14(0, 0, 2, 2, MDBGEN);
    cp14(0, 0, 0, 6, DATA);
    cp14(0, 0, 0, 7, wcr(0xf, 1, 2));
    r.run(4);
    expect(r.pc).toBe(CODE + 16);
    r.run(1);
    expect(regs.dfsr).toBe(0x002);
    expect(regs.dfar >>> 0).toBe(DATA);
  });

  it('restoring a snapshot re-arms the comparators it holds', () => {
    const { r, cp14, regs } = rig();
    cp14(0, 0, 2, 2, MDBGEN);
    cp14(0, 0, 0, 4, CODE + 4);
    cp14(0, 0, 0, 5, bcr(0xf, 3));
    const saved = r.cpu.debugRegs.save();
    r.cpu.debugRegs.reset();
    expect(r.cpu.debugRegs.breakpointsArmed).toBe(false);
    r.cpu.debugRegs.load(saved);
    expect(r.cpu.debugRegs.breakpointsArmed).toBe(true);
    r.run(2);
    expect(regs.ifsr).toBe(0x002);
  });
});
