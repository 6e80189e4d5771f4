/**
 * Chained dispatch of the A32 block JIT (A32BlockJit.runFrom): after a block, the next one that
 * hits the front cache runs without going back to the interpreter's loop. The chain must stay
 * exact: it ends before a block that does not fit the rest of the budget, on a fault in any block
 * of the chain (the count retired before it kept), on a stop request such as a write to code, and
 * it must see a remap made by the block before (a page-table store that flushes the TLB, without
 * ending the block), and a block's remembered successor is taken only while it is what a lookup
 * would find (not after its code changed, the TLB did or the privilege switched TLBs). Each program runs in slices of uneven budgets, compared with the interpreter
 * at every slice end, twice: with the JS tiers (threaded, then JavaScript functions) and with the
 * WebAssembly tier (threaded, then wasm blocks in batches), whose blocks must be dropped or missed
 * exactly where the others are.
 */
import { describe, expect, it } from 'vitest';
import type { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import type { Bus } from '../../src/emulator/memory/bus.js';
import { RIG_WASM_JIT, section, setL1, TTB, type RigJit } from './mmu-rig.js';
import { bootVectoredProgram, runSliced, VECTORED_CODE_PA, VECTORED_DATA_VA, type SliceBoundary } from './a32-block-rig.js';

const DATA_VA = VECTORED_DATA_VA;

interface Run {
  cpu: ArmV7aCpu;
  boundaries: SliceBoundary[];
}

/** Words of a program by byte offset (unset words are 0: andeq r0, r0, r0). */
function program(words: Record<number, number>, size: number): number[] {
  const p = new Array<number>(size / 4).fill(0);
  for (const [off, w] of Object.entries(words)) p[Number(off) / 4] = w;
  return p;
}

function expectSameBoundaries(withJit: Run, interpreted: Run): void {
  expect(interpreted.cpu.stats.insnsInBlocks).toBe(0);
  // What `execute` returned adds up to the icount (a fault in a chain counts the blocks before it).
  expect(withJit.cpu.stats.retired).toBe(interpreted.cpu.stats.retired);
  expect(withJit.boundaries.length).toBe(interpreted.boundaries.length);
  for (let i = 0; i < interpreted.boundaries.length; i++) {
    expect(withJit.boundaries[i], `slice ${i}`).toEqual(interpreted.boundaries[i]);
  }
}

/** More block entries than dispatches from `execute`: blocks followed each other in chains. */
function expectChained(run: Run): void {
  const s = run.cpu.stats;
  expect(s.blockDispatches, 'dispatches into blocks').toBeGreaterThan(100);
  expect(s.blockRuns / s.blockDispatches, 'blocks per dispatch').toBeGreaterThan(2);
}

/** With the wasm tier: wasm blocks were compiled and made up most block entries. */
function expectWasmRan(tier: RigJit, run: Run): void {
  if (tier === true) return;
  const s = run.cpu.stats;
  expect(s.batchedBlocks, 'wasm blocks compiled').toBeGreaterThan(0);
  expect(s.batchedRuns / s.blockRuns, 'share of block entries into wasm blocks').toBeGreaterThan(0.5);
}

/** Remembered successors (threaded blocks only) were taken more than `links` times with the JS tiers; with the wasm tier, wasm blocks ran. */
function expectLinksOrWasm(tier: RigJit, run: Run, links: number): void {
  if (tier === true) expect(run.cpu.stats.blockLinks, 'remembered successors taken').toBeGreaterThan(links);
  else expectWasmRan(tier, run);
}

// Three blocks in a cycle (A 0x48 -> B 0x80 -> C 0xc0 -> A), B loading from an unmapped address on
// half the passes (a data abort inside the second block of a chain; the handler returns past it).
const FAULT_LOOPS = 8000;
const FAULT_CHAIN = program(
  {
    0x00: 0xea00000e, // b 0x40
    0x10: 0xe25ef004, // data abort: subs pc, lr, #4
    0x40: 0xe3a00000, // mov r0, #0
    0x44: 0xe3011f40, // movw r1, #8000
    0x48: 0xe2800003, // A: add r0, r0, #3
    0x4c: 0xe3100008, //    tst r0, #8
    0x50: 0xea00000a, //    b 0x80
    0x80: 0x15953000, // B: ldrne r3, [r5] (unmapped: data abort)
    0x84: 0xe0244000, //    eor r4, r4, r0
    0x88: 0xe5c64001, //    strb r4, [r6, #1]
    0x8c: 0xea00000b, //    b 0xc0
    0xc0: 0xe2822001, // C: add r2, r2, #1
    0xc4: 0xe2511001, //    subs r1, r1, #1
    0xc8: 0x1affffde, //    bne 0x48
    0xcc: 0xeafffffe, //    b .
  },
  0x100,
);

describe.each([
  ['JS tiers', true],
  ['wasm tier', RIG_WASM_JIT],
] as [string, RigJit][])('A32 chained block dispatch (%s)', (_name, tier) => {
  it('ends a chain at the budget and at a fault in its second block, as the interpreter would', () => {
    const setup = (_bus: Bus, st: ArmV7aState): void => {
      st.r[5] = 0x30000000;
      st.r[6] = DATA_VA;
    };
    const total = 12 * FAULT_LOOPS;
    const withJit = runSliced(FAULT_CHAIN, total, tier, setup);
    const interpreted = runSliced(FAULT_CHAIN, total, false, setup);
    expectSameBoundaries(withJit, interpreted);
    expect(interpreted.boundaries.at(-1)!.r[1], 'the loop ran to its end').toBe(0);
    expect(withJit.cpu.stats.exitFault, 'data aborts taken').toBeGreaterThan(FAULT_LOOPS / 4);
    expect(withJit.cpu.translatedBlocks(), 'hot blocks were compiled').toBeGreaterThan(0);
    expectChained(withJit);
    expectWasmRan(tier, withJit);
  });

  // Block A rewrites the first instruction of block B (its successor in the chain) through a second
  // virtual mapping of the code page, every 1000 passes alternating `add r0, r0, #1` and `#256`.
  const ALIAS_VA = 0x00200000;
  const ADD_1 = 0xe2800001;
  const ADD_256 = 0xe2800c01;
  const SMC_LOOPS = 6000;
  const SMC_CHAIN = program(
    {
      0x00: 0xe2511001, // A: subs r1, r1, #1
      0x04: 0x0a00000d, //    beq 0x40
      0x08: 0xe2522001, //    subs r2, r2, #1
      0x0c: 0x03a02ffa, //    moveq r2, #1000
      0x10: 0x00233007, //    eoreq r3, r3, r7 (toggles ADD_1 / ADD_256)
      0x14: 0x05843000, //    streq r3, [r4] (B's first word, through the alias)
      0x18: 0xea000000, //    b 0x20
      0x20: ADD_1, //        B: add r0, r0, #1 (rewritten)
      0x24: 0xe2855001, //    add r5, r5, #1
      0x28: 0xeafffff4, //    b 0x00
      0x40: 0xeafffffe, //    b .
    },
    0x80,
  );

  it('ends a chain when a block writes the code of its successor', () => {
    const setup = (bus: Bus, st: ArmV7aState): void => {
      setL1(bus, TTB, ALIAS_VA, section(VECTORED_CODE_PA));
      st.r[1] = SMC_LOOPS;
      st.r[2] = 1000;
      st.r[3] = ADD_1;
      st.r[4] = ALIAS_VA + 0x20;
      st.r[7] = (ADD_1 ^ ADD_256) | 0;
    };
    const total = 10 * SMC_LOOPS + 20;
    const withJit = runSliced(SMC_CHAIN, total, tier, setup);
    const interpreted = runSliced(SMC_CHAIN, total, false, setup);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[15]! >>> 0, 'the loop ran to its end').toBe(0x40);
    // B runs on SMC_LOOPS - 1 passes: 999 at +1, then 1000 at +256, 1000 at +1, ... (A rewrites it
    // on passes 1000, 2000, ...); a stale block would add the wrong amount.
    expect(end.r[0]).toBe(2999 + 3000 * 256);
    expect(withJit.cpu.a32Jit!.threaded, 'B was built again after rewrites').toBeGreaterThan(5);
    expectChained(withJit);
    expectWasmRan(tier, withJit);
  });

  // Block A flips the level-1 descriptor of VA 0x00300000 between two physical sections holding
  // different code (a store to a table page flushes the TLB without ending the block), then
  // branches there: the chain must follow the new mapping, not the block of the old one.
  const REMAP_VA = 0x00300000;
  const SEC_X = 0x40400000;
  const SEC_Y = 0x40500000;
  const REMAP_LOOPS = 5000;
  const REMAP_CHAIN = program(
    {
      0x00: 0xe2511001, // A: subs r1, r1, #1
      0x04: 0x0a00000d, //    beq 0x40
      0x08: 0xe0277009, //    eor r7, r7, r9 (descriptor X <-> Y)
      0x0c: 0xe5887000, //    str r7, [r8] (level-1 entry of REMAP_VA)
      0x10: 0xe12fff1a, //    bx r10 (REMAP_VA)
      0x40: 0xeafffffe, //    b .
    },
    0x80,
  );


  /**
   * The remap tests' machine: the table maps itself (for the stores) and REMAP_VA to SEC_X; at SEC_X a
   * routine adds 1 to r0, at SEC_Y one adds 100 (both return with `bx r11`); r1 counts `loops` passes,
   * r7/r8/r9 are the descriptor, its level-1 entry and the X^Y toggle, r10 the routine's address.
   */
  const remapSetup = (loops: number, more?: (st: ArmV7aState) => void) => (bus: Bus, st: ArmV7aState): void => {
    const routine = (add: number): number[] => [add, 0xe2855001 /* add r5, r5, #1 */, 0xe12fff1b /* bx r11 */];
    setL1(bus, TTB, TTB, section(TTB));
    setL1(bus, TTB, REMAP_VA, section(SEC_X));
    routine(0xe2800001).forEach((w, i) => bus.write32(SEC_X + 4 * i, w | 0));
    routine(0xe2800064).forEach((w, i) => bus.write32(SEC_Y + 4 * i, w | 0));
    st.r[1] = loops;
    st.r[7] = section(SEC_X);
    st.r[8] = TTB + 4 * (REMAP_VA >>> 20);
    st.r[9] = (section(SEC_X) ^ section(SEC_Y)) | 0;
    st.r[10] = REMAP_VA;
    st.r[11] = 0;
    more?.(st);
  };
  it('follows a remap made by the block before (the TLB entry of each successor is read again)', () => {
    const remapTotal = 8 * REMAP_LOOPS + 20;
    // At REMAP_VA: X adds 1 to r0, Y adds 100; both return to 0 with an absolute branch.
    const setup = remapSetup(REMAP_LOOPS);
    const withJit = runSliced(REMAP_CHAIN, remapTotal, tier, setup);
    const interpreted = runSliced(REMAP_CHAIN, remapTotal, false, setup);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[15]! >>> 0, 'the loop ran to its end').toBe(0x40);
    // The routine runs on REMAP_LOOPS - 1 passes, alternating Y, X, Y, ...
    expect(end.r[0]).toBe(2500 * 100 + 2499);
    expect(withJit.cpu.stats.insnsInBlocks / withJit.cpu.stats.retired, 'share run in blocks').toBeGreaterThan(0.5);
    expectWasmRan(tier, withJit);
  });

  // As above, but A writes the descriptor it read (r9 = 0: no remap): the table-page store still
  // drops the translations walked through that page, the code page's and REMAP_VA's among them, so
  // the fetch entry of each next block is empty. The chain fills it as the interpreter's fetch
  // would and goes on, instead of returning to `execute` twice a pass.
  it('fills the fetch entry of a successor whose translation a table store dropped, and goes on', () => {
    const loops = 3000;
    // The routine 0x100 into the section: at REMAP_VA its block would share A's front-cache slot (VA 0).
    const setup = (bus: Bus, st: ArmV7aState): void => {
      remapSetup(loops, (s) => {
        s.r[9] = 0;
        s.r[10] = REMAP_VA + 0x100;
      })(bus, st);
      [0xe2800001 /* add r0, r0, #1 */, 0xe2855001 /* add r5, r5, #1 */, 0xe12fff1b /* bx r11 */].forEach((w, i) => bus.write32(SEC_X + 0x100 + 4 * i, w | 0));
    };
    const withJit = runSliced(REMAP_CHAIN, 8 * loops + 20, tier, setup);
    const interpreted = runSliced(REMAP_CHAIN, 8 * loops + 20, false, setup);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[15]! >>> 0, 'the loop ran to its end').toBe(0x40);
    expect(end.r[0]).toBe(loops - 1);
    const s = withJit.cpu.stats;
    expect(s.blockRuns / s.blockDispatches, 'blocks per dispatch (2 when every flushed successor went back to execute)').toBeGreaterThan(20);
    expectWasmRan(tier, withJit);
  });

  // An IRQ line held high, masked except right after `cpsie i` in the loop: the interrupt is taken
  // after that instruction (its handler counts in r4 and returns with IRQs masked again). The
  // block ends at the CPS; the chain must end there too (the interrupt became takeable), not run
  // the block at 0x48 that the handler's returns made, as it goes on after call-throughs that
  // change nothing the chain relies on.
  const IRQ_LOOPS = 3000;
  const IRQ_CHAIN = program(
    {
      0x00: 0xea00000e, // b 0x40
      0x18: 0xea000018, // IRQ: b 0x80
      0x40: 0xe2800001, // add r0, r0, #1
      0x44: 0xf1080080, // cpsie i
      0x48: 0xe2822001, // add r2, r2, #1
      0x4c: 0xe2511001, // subs r1, r1, #1
      0x50: 0x1afffffa, // bne 0x40
      0x54: 0xeafffffe, // b .
      0x80: 0xe2844001, // add r4, r4, #1
      0x84: 0xe14fc000, // mrs r12, spsr
      0x88: 0xe38cc080, // orr r12, r12, #0x80
      0x8c: 0xe161f00c, // msr spsr_c, r12
      0x90: 0xe25ef004, // subs pc, lr, #4
    },
    0x100,
  );

  it('ends a chain after a call-through that makes a pending interrupt takeable', () => {
    const run = (jit: RigJit): Run => {
      const { cpu, state, clock } = bootVectoredProgram(IRQ_CHAIN, jit, (_bus, st) => {
        st.r[1] = IRQ_LOOPS;
      });
      cpu.exceptions.setIrq(true);
      const boundaries: SliceBoundary[] = [];
      const total = 11 * IRQ_LOOPS + 20; // 5 in the loop, the vector's branch, 5 in the handler
      for (let k = 0, end = 0; end < total; k++) {
        end = Math.min(total, end + 1 + ((k * 41) % 613));
        while (clock.icount < end) {
          // As the machine loop: a takeable interrupt is taken between `execute` calls.
          cpu.exceptions.takePendingException();
          cpu.exitRequest = false;
          cpu.execute(end - clock.icount);
        }
        boundaries.push({ icount: clock.icount, r: Array.from(state.r), cpsr: state.getCpsr() });
      }
      return { cpu, boundaries };
    };
    const withJit = run(tier);
    const interpreted = run(false);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[1], 'the loop ran to its end').toBe(0);
    expect([end.r[0], end.r[2], end.r[4]], 'one interrupt per pass').toEqual([IRQ_LOOPS, IRQ_LOOPS, IRQ_LOOPS]);
    expectWasmRan(tier, withJit);
  });

  // As above, but the remap happens on every third pass only and a block P (0x40) runs between the
  // remapping block and the routine: P remembers the routine's block as its successor on the
  // passes without a remap, and must not take it after one (the TLB changed since).
  const REMEMBERED_LOOPS = 6000;
  const REMEMBERED_CHAIN = program(
    {
      0x00: 0xe2511001, // A: subs r1, r1, #1
      0x04: 0x0a000015, //    beq 0x60
      0x08: 0xe2522001, //    subs r2, r2, #1
      0x0c: 0x03a02003, //    moveq r2, #3
      0x10: 0x00277009, //    eoreq r7, r7, r9 (descriptor X <-> Y)
      0x14: 0x05887000, //    streq r7, [r8] (level-1 entry of REMAP_VA)
      0x18: 0xea000008, //    b 0x40
      0x40: 0xe2866001, // P: add r6, r6, #1
      0x44: 0xe12fff1a, //    bx r10 (REMAP_VA)
      0x60: 0xeafffffe, //    b .
    },
    0x80,
  );

  it('does not take a remembered successor after the TLB changed', () => {
    const total = 12 * REMEMBERED_LOOPS + 20;
    const setup = remapSetup(REMEMBERED_LOOPS, (st) => {
      st.r[2] = 3;
    });
    const withJit = runSliced(REMEMBERED_CHAIN, total, tier, setup);
    const interpreted = runSliced(REMEMBERED_CHAIN, total, false, setup);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[15]! >>> 0, 'the loop ran to its end').toBe(0x60);
    // Pass p (1-based) remaps on p = 3, 6, ...: after an even number of remaps X (+1), else Y (+100).
    let r0 = 0;
    for (let p = 1; p < REMEMBERED_LOOPS; p++) r0 += Math.floor(p / 3) % 2 === 0 ? 1 : 100;
    expect(end.r[0]).toBe(r0);
    expectLinksOrWasm(tier, withJit, REMEMBERED_LOOPS / 4);
  });

  // Block P ends with an exception return (`movs pc, r10`) into S, a section only PL1 may use, on
  // alternate passes in SVC mode (S counts in r0 and returns with an SVC) and in User mode (the
  // fetch of S takes a prefetch abort, counted in r4). P remembers S from the SVC passes; the
  // switch to the User TLB must keep the chain from taking it in User mode.
  const PRIV_VA = 0x00400000;
  const SEC_PRIV = 0x40600000;
  const MODE_LOOPS = 4000;
  const MODE_CHAIN = program(
    {
      0x00: 0xea00000e, // b 0x40
      0x08: 0xea00000c, // SVC: b 0x40
      0x0c: 0xea000013, // prefetch abort: b 0x60
      0x40: 0xe2511001, // P: subs r1, r1, #1
      0x44: 0x0a00000c, //    beq 0x7c
      0x48: 0xe2299003, //    eor r9, r9, #3 (SPSR mode SVC <-> User)
      0x4c: 0xe16ff009, //    msr spsr_fsxc, r9
      0x50: 0xe1b0f00a, //    movs pc, r10 (PRIV_VA)
      0x60: 0xe2844001, // add r4, r4, #1
      0x64: 0xeafffff5, // b 0x40
      0x7c: 0xeafffffe, // b .
    },
    0x80,
  );

  it('does not take a remembered successor after a switch to the User TLB', () => {
    const total = 8 * MODE_LOOPS + 20;
    const setup = (bus: Bus, st: ArmV7aState): void => {
      setL1(bus, TTB, PRIV_VA, section(SEC_PRIV, { ap: 1 })); // PL1 read/write, no User access
      bus.write32(SEC_PRIV, 0xe2800001); // S: add r0, r0, #1
      bus.write32(SEC_PRIV + 4, 0xef000000); //  svc #0
      st.r[1] = MODE_LOOPS;
      st.r[9] = 0x1d3; // SVC, A/I/F masked: the first pass returns to User
      st.r[10] = PRIV_VA;
    };
    const withJit = runSliced(MODE_CHAIN, total, tier, setup);
    const interpreted = runSliced(MODE_CHAIN, total, false, setup);
    expectSameBoundaries(withJit, interpreted);
    const end = interpreted.boundaries.at(-1)!;
    expect(end.r[15]! >>> 0, 'the loop ran to its end').toBe(0x7c);
    expect(end.r[0], 'passes in SVC mode ran S').toBe((MODE_LOOPS - 1) >> 1);
    expect(end.r[4], 'passes in User mode aborted').toBe(MODE_LOOPS >> 1);
    expectLinksOrWasm(tier, withJit, MODE_LOOPS / 4);
  });
});
