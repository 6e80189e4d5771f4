/**
 * SPSR.IL on exception return as QEMU 7.2 treats it on a v7 core: cpsr_write_eret writes CPSR.IL
 * (aarch32_cpsr_valid_mask always includes it), the translator then UNDEFs the next instruction
 * (pstate_il), and exception entry clears IL (arm_cpu_do_interrupt_aarch32), so SPSR_und holds it.
 */
import { describe, expect, it } from 'vitest';
import { CODE, V7aRig } from './v7a-rig.js';

describe('CPSR.IL after an exception return (QEMU 7.2)', () => {
  it('MOVS PC, LR with SPSR.IL set: the next instruction is UNDEFINED, entry clears IL', () => {
    const r = new V7aRig();
    r.state.setSpsr((0x1d3 | (1 << 20)) >>> 0);
    r.state.r[14] = CODE + 0x100;
    r.a32(CODE, 0xe1b0f00e); // movs pc, lr
    r.a32(CODE + 0x100, 0xe3a00001); // mov r0, #1
    r.run(1);
    expect(r.pc).toBe(CODE + 0x100);
    expect((r.cpsr() >>> 20) & 1).toBe(1);
    const before = r.clock.icount;
    r.run(1);
    expect(r.state.mode).toBe(0x1b); // UND
    expect(r.state.r[0]).not.toBe(1);
    expect(r.state.r[14]! >>> 0).toBe(CODE + 0x104);
    expect((r.state.getSpsr() >>> 20) & 1).toBe(1);
    expect((r.cpsr() >>> 20) & 1).toBe(0);
    expect(r.clock.icount - before).toBe(1); // counted, as any UNDEFINED instruction
  });

  it('MSR CPSR cannot set IL, and a snapshot keeps it', () => {
    const r = new V7aRig();
    r.state.r[1] = (0x1d3 | (1 << 20)) >>> 0;
    r.a32(CODE, 0xe12ff001); // msr cpsr_fsxc, r1
    r.run(1);
    expect((r.cpsr() >>> 20) & 1).toBe(0);
    r.state.setCpsr(1 << 20, 1 << 20);
    const saved = r.state.save();
    r.state.setCpsr(0, 1 << 20);
    r.state.load(saved);
    expect(r.state.illegal).toBe(1);
  });
});
