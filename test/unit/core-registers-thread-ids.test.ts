/**
 * The thread ID registers (TPIDRURW, TPIDRURO, TPIDRPRW) on a wasm-backed bus live in the state
 * area (STATE_THREAD_IDS), where wasm blocks load them inline: every way their value changes —
 * MCR, a snapshot load, reset, a direct write to `coreRegs.s` — must land there, and a saved
 * state must hold plain values. On a plain bus they stay in `s` as before.
 */
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { STATE_THREAD_IDS, wasmRegisters } from '../../src/emulator/cpu/wasm/wasm-state-layout.js';

function core(wasm: boolean): { cpu: ArmV7aCpu; words: Int32Array | null } {
  const bus = new Bus([{ name: 'ram', base: 0, size: 0x10000 }], { wasm });
  const state = new ArmV7aState({ registers: wasmRegisters(bus) });
  const cpu = new ArmV7aCpu(state, bus, new VirtualClock(0));
  const w = bus.wasm;
  return { cpu, words: w === null ? null : new Int32Array(w.memory.buffer, w.stateBase + STATE_THREAD_IDS, 3) };
}

/** MCR p15, 0, value, c13, c0, opc2 through the register's definition, as the handler does. */
function mcr(cpu: ArmV7aCpu, opc2: number, value: number): void {
  cpu.sysregs.lookup(15, false, 0, 13, 0, opc2)!.write!(value, 0, cpu.sysregs);
}

function mrc(cpu: ArmV7aCpu, opc2: number): number {
  return cpu.sysregs.lookup(15, false, 0, 13, 0, opc2)!.read!(cpu.sysregs);
}

describe('thread ID registers in the wasm state area', () => {
  it('MCR, direct writes, snapshot loads and reset all reach the state words', () => {
    const { cpu, words } = core(true);
    expect(words).not.toBeNull();
    mcr(cpu, 2, 0x11111111);
    mcr(cpu, 3, 0x22222222);
    mcr(cpu, 4, 0x33333333);
    expect(Array.from(words!)).toEqual([0x11111111, 0x22222222, 0x33333333]);
    const saved = cpu.coreRegs.save();
    expect(Object.getOwnPropertyDescriptor(saved, 'tpidrprw')!.value, 'a saved state holds a plain value').toBe(0x33333333);
    cpu.coreRegs.s.tpidruro = -5;
    expect(words![1]).toBe(-5);
    expect(mrc(cpu, 3)).toBe(-5);
    cpu.coreRegs.load(saved);
    expect(Array.from(words!)).toEqual([0x11111111, 0x22222222, 0x33333333]);
    expect([mrc(cpu, 2), mrc(cpu, 3), mrc(cpu, 4)]).toEqual([0x11111111, 0x22222222, 0x33333333]);
    cpu.coreRegs.reset();
    expect(Array.from(words!)).toEqual([0, 0, 0]);
    expect(cpu.coreRegs.s.sctlr, 'the rest of the state reset too').toBe(cpu.coreRegs.save().sctlr);
    // A load keeps the other registers' values as saved.
    cpu.coreRegs.load({ ...saved, vbar: 0x1000 });
    expect([cpu.coreRegs.s.vbar, words![2]]).toEqual([0x1000, 0x33333333]);
  });

  it('on a plain bus they stay in the state object', () => {
    const { cpu, words } = core(false);
    expect(words).toBeNull();
    mcr(cpu, 4, 0x1234);
    expect(cpu.coreRegs.save().tpidrprw).toBe(0x1234);
    cpu.coreRegs.reset();
    expect(mrc(cpu, 4)).toBe(0);
  });
});
