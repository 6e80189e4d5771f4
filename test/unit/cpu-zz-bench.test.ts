import { it } from 'vitest';
import { assembleSnippet, makeRig } from '/work/main/test/unit/cpu-harness.js';
it('bench', () => {
  const img = assembleSnippet(`
    ldr r0, =100000000
    movs r1, #0
    ldr r3, =0x20000000
  loop:
    adds r1, r1, r0
    eor.w r2, r1, r1, lsl #3
    str r2, [r3]
    ldr r4, [r3]
    subs r0, #1
    bne loop
  `);
  const rig = makeRig(img);
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const n = rig.cpu.execute(20_000_000);
    const dt = performance.now() - t0;
    console.log(`${n} insns ${(n / dt / 1000).toFixed(1)} MIPS`);
  }
});
