import { it, expect } from 'vitest';
import { runSnippet, u32 } from './cpu-harness.js';
it('smoke', () => {
  const rig = runSnippet(`
    movs r0, #5
    movs r1, #7
    adds r2, r0, r1
    movw r3, #0x1234
    movt r3, #0xabcd
    lsls r4, r3, #4
    bl f
    b end
  f:
    add r5, r2, #100
    bx lr
  `);
  expect(rig.state.r[2]).toBe(12);
  expect(u32(rig.state.r[3]!)).toBe(0xabcd1234);
  expect(rig.state.r[5]).toBe(112);
  console.log(rig.sys.events, rig.clock.icount, u32(rig.state.r[15]!).toString(16));
});
