/**
 * Faults, traps and the execute() contract: which CpuSystem call each case reaches, where PC is
 * left, and whether the instruction counts in icount (QEMU 7.2 rules, measured with its replay
 * log: UNDEFINED/NOCP/SVC/BKPT count; data-access BusFault, UNALIGNED and DIVBYZERO do not).
 */
import { describe, expect, it } from 'vitest';
import { assembleSnippet, makeRig, runSnippet, u32 } from './cpu-harness.js';
import type { Rig } from './cpu-harness.js';
import { UsageCause } from '../../src/emulator/cpu/system.js';

function rigFor(body: string, regs: Record<number, number> = {}): { rig: Rig; sym: Map<string, number> } {
  const image = assembleSnippet(body);
  const rig = makeRig(image);
  for (const [k, v] of Object.entries(regs)) rig.state.r[Number(k)] = v;
  return { rig, sym: image.symbols };
}

describe('UNDEFINED encodings reach sys.undefinedInstruction', () => {
  const cases: [string, string][] = [
    ['UDF (T16)', 'udf #7'],
    ['UDF.W', 'udf.w #300'],
    ['SADD8 (DSP, not on M3)', '.inst.w 0xfa90f000'],
    ['PKHBT (DSP)', '.inst.w 0xeac00001'],
    ['SETEND', '.inst.n 0xb658'],
    ['HLT (v8)', '.inst.n 0xba80'],
    ['BLX immediate (not on M)', '.inst.w 0xf000e800'],
    ['CPS.W (not on M)', '.inst.w 0xf3af8620'],
    ['LDM with empty list', '.inst.w 0xe8900000'],
    ['SRS/RFE space', '.inst.w 0xe810c000'],
    ['16-bit B<c> inside IT', 'it eq\n.inst.n 0xd000'],
    ['BFI with msb < lsb', '.inst.w 0xf3611203'],
  ];
  for (const [name, insn] of cases) {
    it(name, () => {
      const { rig, sym } = rigFor(`movs r0, #0\nnop\nnop\nnop\nfault_here:\n${insn}`);
      const faultAt = insn.startsWith('it ') ? sym.get('fault_here')! + 2 : sym.get('fault_here')!;
      const retired = rig.cpu.execute(100);
      expect(rig.sys.events).toEqual([{ kind: 'undef', args: [faultAt] }]);
      expect(u32(rig.state.r[15]!)).toBe(faultAt);
      // counted, as QEMU does for translate-time exceptions
      expect(retired).toBe(rig.clock.icount);
      expect(retired).toBe(insn.startsWith('it ') ? 6 : 5);
    });
  }
});

describe('usage faults and traps', () => {
  it('coprocessor instructions raise NOCP (counted)', () => {
    for (const insn of ['.inst.w 0xee010f10' /* mcr p15 */, '.inst.w 0xed900a00' /* vldr */, '.inst.w 0xfe000000' /* cdp2 */]) {
      const { rig } = rigFor(insn);
      expect(rig.cpu.execute(10)).toBe(1);
      expect(rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.NOCP, 0] }]);
      expect(rig.state.r[15]).toBe(0);
    }
  });

  it('divide by zero traps only with CCR.DIV_0_TRP, and does not count', () => {
    const { rig } = rigFor('movs r1, #0\nsdiv r0, r2, r1', { 0: 77, 2: 5 });
    rig.cpu.divZeroTrap = true;
    expect(rig.cpu.execute(10)).toBe(1);
    expect(rig.clock.icount).toBe(1);
    expect(rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.DIVBYZERO, 2] }]);
    expect(rig.state.r[0]).toBe(77);
    expect(rig.state.r[15]).toBe(2);
  });

  it('unaligned word access traps with CCR.UNALIGN_TRP; LDRD/LDM/LDREX always need alignment', () => {
    const { rig } = rigFor('ldr r0, [r1]', { 1: 0x20000001 });
    rig.cpu.unalignTrap = true;
    expect(rig.cpu.execute(10)).toBe(0);
    expect(rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.UNALIGNED, 0] }]);
    for (const insn of ['ldrd r2, r3, [r1]', 'ldm r1, {r2, r3}', 'ldrex r2, [r1]', 'strh.w r2, [r1]']) {
      const t = rigFor(insn, { 1: 0x20000002, 2: 5 });
      if (insn.startsWith('strh')) {
        // halfword store at an even address is aligned: no fault without the trap
        expect(t.rig.cpu.execute(1)).toBe(1);
        expect(t.rig.sys.events).toEqual([]);
        continue;
      }
      expect(t.rig.cpu.execute(10)).toBe(0);
      expect(t.rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.UNALIGNED, 0] }]);
      expect(t.rig.state.r[2]).toBe(5);
    }
  });

  it('BX to an even address clears EPSR.T; the next instruction raises INVSTATE (counted)', () => {
    const { rig, sym } = rigFor('adr r0, target\nbx r0\n.align 2\ntarget:\nnop');
    expect(rig.cpu.execute(10)).toBe(3);
    expect(rig.state.thumb).toBe(0);
    expect(rig.sys.events).toEqual([{ kind: 'usage', args: [UsageCause.INVSTATE, sym.get('target')!] }]);
    expect(u32(rig.state.r[15]!)).toBe(sym.get('target')!);
  });
});

describe('bus faults', () => {
  it('a faulting load is not counted and leaves registers untouched', () => {
    const { rig } = rigFor('movs r3, #1\nldr r2, [r1]', { 1: 0x40000000, 2: 9 });
    expect(rig.cpu.execute(10)).toBe(1);
    expect(rig.clock.icount).toBe(1);
    expect(rig.sys.events).toEqual([{ kind: 'bus', args: [0x40000000, 0, 2] }]);
    expect(rig.state.r[2]).toBe(9);
    expect(rig.state.r[15]).toBe(2);
  });

  it('LDM whose second word faults writes no register and no writeback', () => {
    const { rig } = rigFor('ldmia r0!, {r1, r2}', { 0: 0x200ffffc, 1: 11, 2: 22 });
    expect(rig.cpu.execute(10)).toBe(0);
    expect(rig.sys.events).toEqual([{ kind: 'bus', args: [0x20100000, 0, 0] }]);
    expect([rig.state.r[0], rig.state.r[1], rig.state.r[2]]).toEqual([0x200ffffc, 11, 22]);
  });

  it('a store to an unmapped address reports a write', () => {
    const { rig } = rigFor('str r2, [r1, #4]', { 1: 0x40000000 });
    rig.cpu.execute(10);
    expect(rig.sys.events).toEqual([{ kind: 'bus', args: [0x40000004, 1, 0] }]);
  });

  it('fetching from an unmapped address is a prefetch abort, not counted', () => {
    const { rig } = rigFor('bx r0', { 0: 0x40000001 });
    expect(rig.cpu.execute(10)).toBe(1);
    expect(rig.sys.events).toEqual([{ kind: 'prefetch', args: [0x40000000] }]);
    expect(rig.clock.icount).toBe(1);
  });
});

describe('SVC, BKPT, exception return, hints', () => {
  it('SVC leaves PC at the next instruction and counts', () => {
    const { rig } = rigFor('nop\nsvc #42\nnop');
    expect(rig.cpu.execute(10)).toBe(2);
    expect(rig.sys.events).toEqual([{ kind: 'svc', args: [42] }]);
    expect(rig.state.r[15]).toBe(4);
  });

  it('BKPT that stops leaves PC on the BKPT; semihosting BKPT 0xAB continues', () => {
    const rig = runSnippet('movs r0, #0x18\nldr r1, =0x20026\nbkpt 0xab\nmovs r2, #1');
    expect(rig.sys.events.map((e) => e.kind)).toEqual(['exit']);
    expect(rig.state.r[15]).toBe(6); // continued past the BKPT
    const { rig: r2 } = rigFor('nop\nbkpt #3');
    expect(r2.cpu.execute(10)).toBe(2);
    expect(r2.sys.events).toEqual([{ kind: 'bkpt', args: [3, 2] }]);
    expect(r2.state.r[15]).toBe(2);
  });

  it('BX/POP of EXC_RETURN in handler mode performs an exception return after the writeback', () => {
    const { rig } = rigFor('bx lr', { 14: 0xfffffff9 | 0 });
    rig.state.ipsr = 11;
    rig.cpu.execute(10);
    expect(rig.sys.events).toEqual([{ kind: 'excreturn', args: [0xfffffff9] }]);
    const t = rigFor('push {r0}\npop {pc}', { 0: 0xfffffffd | 0 });
    t.rig.state.ipsr = 15;
    const sp = t.rig.state.r[13]!;
    t.rig.cpu.execute(10);
    expect(t.rig.sys.events).toEqual([{ kind: 'excreturn', args: [0xfffffffd] }]);
    expect(t.rig.state.r[13]).toBe(sp);
    // In thread mode the same value is an ordinary (faulting) branch target.
    const th = rigFor('bx lr', { 14: 0xfffffff9 | 0 });
    th.rig.cpu.execute(1);
    expect(th.rig.sys.events).toEqual([]);
    expect(u32(th.rig.state.r[15]!)).toBe(0xfffffff8);
  });

  it('WFI ends execute after the instruction; MSR/CPS delegate and end the budget', () => {
    const { rig } = rigFor('nop\nwfi\nnop');
    expect(rig.cpu.execute(10)).toBe(2);
    expect(rig.sys.events.map((e) => e.kind)).toEqual(['wfi']);
    const t = rigFor('cpsid i\nmsr primask, r0\nmrs r1, primask\nsev', { 0: 0 });
    expect(t.rig.cpu.execute(1)).toBe(1);
    expect(t.rig.state.primask).toBe(1);
    expect(t.rig.cpu.execute(1)).toBe(1);
    t.rig.cpu.exitRequest = false;
    t.rig.cpu.execute(2);
    expect(t.rig.state.r[1]).toBe(0);
    expect(t.rig.sys.events.map((e) => e.kind)).toEqual(['cps', 'msr', 'sev']);
  });
});

describe('execute() contract', () => {
  it('stops before a breakpoint; skipBreakpointOnce steps off it', () => {
    const { rig } = rigFor('movs r0, #1\nmovs r1, #2\nmovs r2, #3\nmovs r3, #4');
    rig.cpu.breakpoints.add(4);
    expect(rig.cpu.execute(100)).toBe(2);
    expect(rig.cpu.hitBreakpoint).toBe(true);
    expect(rig.state.r[15]).toBe(4);
    expect(rig.clock.icount).toBe(2);
    rig.cpu.hitBreakpoint = false;
    expect(rig.cpu.execute(100)).toBe(0); // still on it
    rig.cpu.hitBreakpoint = false;
    rig.cpu.skipBreakpointOnce = true;
    expect(rig.cpu.execute(2)).toBe(2);
    expect(rig.state.r[2]).toBe(3);
    expect(rig.cpu.skipBreakpointOnce).toBe(false);
  });

  it('honours the budget exactly and counts IT-skipped instructions', () => {
    const { rig } = rigFor('cmp r0, #1\nit eq\nmoveq r1, #5\nmovs r2, #1\nmovs r3, #1', { 0: 0 });
    expect(rig.cpu.execute(3)).toBe(3);
    expect(rig.state.r[1]).toBe(0);
    expect(rig.state.r[15]).toBe(6);
    expect(rig.clock.icount).toBe(3);
  });
});
