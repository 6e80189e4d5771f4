import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { STATE_FETCH_IDENTITY, STATE_JIT_TLB, STATE_REGS, WASM_STATE_BYTES, stateBaseFor, wasmPagesFor } from '../../src/emulator/cpu/wasm/wasm-state-layout.js';
import { createMachine, type BoardOptions } from '../../src/emulator/machines/index.js';

const QUIET: Omit<BoardOptions, 'memoryBytes'> = {
  icountShift: 0,
  serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
  host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
  output: { uartWrite: () => {}, consoleWrite: () => {} },
};

describe('wasm-backed bus (the wasm block tier memory)', () => {
  it('puts the RAM at byte 0 of a WebAssembly.Memory with the state area after it; views cover the RAM only', () => {
    const bus = new Bus([{ name: 'ram', base: 0x40000000, size: 0x30000 }, { name: 'sram', base: 0x10000000, size: 0x1000 }], { wasm: true });
    const w = bus.wasm!;
    expect(w).not.toBeNull();
    expect(bus.ramSize).toBe(0x31000);
    expect(w.stateBase).toBe(0x40000);
    expect(w.memory.buffer.byteLength).toBe(0x40000 + WASM_STATE_BYTES);
    expect(bus.u8.length).toBe(0x31000);
    bus.write32(0x10000004, 0x11223344);
    // The second region follows the first: host offset 0x30004.
    expect(new DataView(w.memory.buffer).getUint32(0x30004, true)).toBe(0x11223344);
  });

  it('is a plain ArrayBuffer unless asked for, and when RAM and state exceed wasm32', () => {
    expect(new Bus([{ name: 'ram', base: 0, size: 0x1000 }]).wasm).toBeNull();
    expect(wasmPagesFor(3 * 2 ** 30)).toBe((3 * 2 ** 30 + WASM_STATE_BYTES) / 65536);
    expect(wasmPagesFor(2 ** 32 - 0x10000)).toBeNull();
    expect(stateBaseFor(0x10001)).toBe(0x20000);
  });

  it('virt and vexpress-a9 keep the live registers and the JIT TLB views in the state area', () => {
    for (const machine of ['virt', 'vexpress-a9'] as const) {
      const m = createMachine(machine, { ...QUIET, memoryBytes: 64 * 2 ** 20 });
      const w = m.bus.wasm!;
      expect(w).not.toBeNull();
      const r = m.core.state.r;
      expect(r.buffer).toBe(w.memory.buffer);
      expect(r.byteOffset).toBe(w.stateBase + STATE_REGS);
      r[3] = 0x5a5a;
      expect(new Int32Array(w.memory.buffer, w.stateBase + STATE_REGS, 16)[3]).toBe(0x5a5a);
      const cpu = m.core as unknown as { jitTlb(): Int32Array };
      const tlb = cpu.jitTlb();
      expect(tlb.buffer).toBe(w.memory.buffer);
      expect(tlb.byteOffset).toBeGreaterThanOrEqual(w.stateBase + STATE_JIT_TLB);
      // The MMU is off at reset: fetches use the identity entries, this machine's copy in the state area.
      const fetch = (m.core as unknown as { fetchEntries(): Int32Array }).fetchEntries();
      expect(fetch.buffer).toBe(w.memory.buffer);
      expect(fetch.byteOffset).toBe(w.stateBase + STATE_FETCH_IDENTITY);
      expect([fetch[0], fetch[0x40000], fetch[0xfffff]]).toEqual([7, (0x40000 << 3) | 7, (0xfffff << 3) | 7]);
    }
  });
});
