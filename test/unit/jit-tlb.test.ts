/**
 * The JIT TLB (jit-tlb.ts): generated code's direct-mapped copy of the MMU's translations combined
 * with the bus's fast paths. Invariant I5 for it: every entry that would hit gives exactly the host
 * location the slow path would use, after each event that changes either side — a remap (a
 * descriptor rewrite, TLB maintenance), a copy-on-write protection, a code page, a privilege switch,
 * a watched page, a snapshot restore of the MMU. Checked on the table itself (every valid entry of
 * the current view against the MMU and bus now) and through a compiled block against the interpreter.
 */
import { describe, expect, it } from 'vitest';
import { NO_RAM, PAGE_SHIFT, type Bus } from '../../src/emulator/memory/bus.js';
import { INVALID_TAG, JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../src/emulator/memory/jit-tlb.js';
import type { Mmu } from '../../src/emulator/memory/mmu.js';
import { MODE_ABT, MODE_USR } from '../../src/emulator/cpu/v7a/state.js';
import { RAM_BASE, TTB, bootV7aCore, enableShort, makeRig, pageTable, section, setL1, setL2, smallPage } from './mmu-rig.js';

const L2 = RAM_BASE + 0x8000;
const DATA = RAM_BASE + 0x100000;
const VA = 0x80000000;

/** Every hitting entry of the MMU's current JIT view matches its translation and the bus now. */
function expectCoherent(mmu: Mmu, bus: Bus): number {
  const q = mmu.jitEntries;
  let valid = 0;
  for (let s = 0; s < q.length; s += 4) {
    for (const [half, table, bit] of [
      [0, bus.pageRead, 1],
      [JIT_TLB_WRITE, bus.pageWrite, 2],
    ] as const) {
      const tag = q[s + half]!;
      if (tag === INVALID_TAG) continue;
      valid++;
      const e = mmu.entries[tag >>> PAGE_SHIFT]!;
      expect(e & bit, `entry ${s / 4}: permission`).not.toBe(0);
      const host = table[e >>> 3]!;
      expect(host, `entry ${s / 4}: bus fast path`).not.toBe(NO_RAM);
      expect((tag + q[s + half + 1]!) >>> 0, `entry ${s / 4}: host offset`).toBe(host >>> 0);
    }
  }
  return valid;
}

/** The read and write tags of `va`'s entry in the MMU's current view. */
function tagsOf(mmu: Mmu, va: number): { read: boolean; write: boolean } {
  const q = mmu.jitEntries;
  const s = (va >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK;
  const tag = (va & ~4095) | 0;
  return { read: q[s] === tag, write: q[s + JIT_TLB_WRITE] === tag };
}

/** Two pages mapped by small-page descriptors at VA and VA + 4 KiB, the tables identity-mapped. */
function rig(): { bus: Bus; mmu: Mmu } {
  const { bus, mmu } = makeRig();
  setL1(bus, TTB, VA, pageTable(L2));
  setL2(bus, L2, VA, smallPage(DATA));
  setL2(bus, L2, VA + 0x1000, smallPage(DATA + 0x1000, { ap: 1 })); // PL1 only
  enableShort(mmu);
  return { bus, mmu };
}

/** An access the slow way, then the refill generated code does after it. */
function touch(mmu: Mmu, va: number, write = false): void {
  if (write) mmu.write32(va, 0);
  else mmu.read32(va);
  mmu.jitRefill(va);
}

describe('JIT TLB flush points keep every hit exact (I5)', () => {
  it('a refill caches what the MMU and the bus allow, nothing else', () => {
    const { bus, mmu } = rig();
    touch(mmu, VA);
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: true });
    mmu.write32(VA + 4, 0x1234);
    expect(bus.read32(DATA + 4)).toBe(0x1234);
    expect(expectCoherent(mmu, bus)).toBe(2);
    // A device page is never cached.
    const { bus: b2, mmu: m2 } = makeRig();
    enableShort(m2, 0);
    m2.jitRefill(0x09000000);
    expect(tagsOf(m2, 0x09000000)).toEqual({ read: false, write: false });
    expect(expectCoherent(m2, b2)).toBe(0);
  });

  it('a remap (descriptor rewrite, TLBIMVA) drops the entry', () => {
    const { bus, mmu } = rig();
    touch(mmu, VA);
    // A store to the level-2 table (the bus's table-page check) flushes the MMU and the JIT TLB.
    setL2(bus, L2, VA, smallPage(DATA + 0x2000));
    expect(tagsOf(mmu, VA)).toEqual({ read: false, write: false });
    touch(mmu, VA);
    expect(expectCoherent(mmu, bus)).toBe(2);
    mmu.flushPage(VA);
    expect(tagsOf(mmu, VA)).toEqual({ read: false, write: false });
  });

  it('copy-on-write (protectAllRam, protectHostPage) drops the write half only', () => {
    const { bus, mmu } = rig();
    touch(mmu, VA);
    bus.protectAllRam();
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: false });
    expect(expectCoherent(mmu, bus)).toBe(1);
    bus.unprotectHostPage((DATA - RAM_BASE) >>> PAGE_SHIFT);
    touch(mmu, VA, true);
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: true });
    bus.protectHostPage((DATA - RAM_BASE) >>> PAGE_SHIFT);
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: false });
    expect(expectCoherent(mmu, bus)).toBe(1);
  });

  it('a write-protected host page drops the write halves of all its virtual aliases, in every view', () => {
    const { bus, mmu } = rig();
    const aliases = [0x80010000, 0x80020000, 0x80030000, 0x80040000];
    for (const va of aliases) setL2(bus, L2, va, smallPage(DATA));
    for (const va of aliases) touch(mmu, va, true);
    mmu.user = true;
    touch(mmu, VA, true);
    mmu.user = false;
    for (const va of aliases) expect(tagsOf(mmu, va)).toEqual({ read: true, write: true });
    bus.protectHostPage((DATA - RAM_BASE) >>> PAGE_SHIFT);
    for (const va of aliases) expect(tagsOf(mmu, va)).toEqual({ read: true, write: false });
    mmu.user = true;
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: false });
    expect(expectCoherent(mmu, bus)).toBe(1);
  });

  it('a code page and a watched page leave the fast paths', () => {
    const { bus, mmu } = rig();
    touch(mmu, VA);
    bus.markCodePage((DATA - RAM_BASE) >>> PAGE_SHIFT);
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: false });
    touch(mmu, VA);
    expect(tagsOf(mmu, VA)).toEqual({ read: true, write: false });
    bus.setWatched(DATA + 8, 4, true);
    expect(tagsOf(mmu, VA)).toEqual({ read: false, write: false });
    touch(mmu, VA);
    expect(tagsOf(mmu, VA)).toEqual({ read: false, write: false });
    expect(expectCoherent(mmu, bus)).toBe(0);
  });

  it('a privilege switch selects another view; a PL1-only page never enters PL0 view', () => {
    const { bus, mmu } = rig();
    touch(mmu, VA + 0x1000);
    expect(tagsOf(mmu, VA + 0x1000)).toEqual({ read: true, write: true });
    mmu.user = true;
    expect(tagsOf(mmu, VA + 0x1000)).toEqual({ read: false, write: false });
    mmu.jitRefill(VA + 0x1000); // no permission at PL0: nothing cached
    expect(tagsOf(mmu, VA + 0x1000)).toEqual({ read: false, write: false });
    expect(expectCoherent(mmu, bus)).toBe(0);
    mmu.user = false;
    expect(tagsOf(mmu, VA + 0x1000)).toEqual({ read: true, write: true });
    expect(expectCoherent(mmu, bus)).toBe(2);
  });

  it('a snapshot restore of the MMU (load) drops every entry', () => {
    const { bus, mmu } = rig();
    const saved = mmu.save();
    touch(mmu, VA);
    mmu.load(saved);
    expect(tagsOf(mmu, VA)).toEqual({ read: false, write: false });
    expect(expectCoherent(mmu, bus)).toBe(0);
  });
});

// Vectors at 0 (each `b .`), then a loop loading [r4] into r0's sum and storing the sum to [r6],
// 20000 times (compiled after 8000): between slices the test remaps r4's page, write-protects RAM for
// copy-on-write and switches to User mode, where r6's page (PL1 only) aborts. The JIT must see each
// exactly as the interpreter.
const LOOP = [
  ...new Array<number>(8).fill(0xeafffffe), // vectors: b .
  0xe5945000, // 0x20 ldr r5, [r4]
  0xe0800005, // 0x24 add r0, r0, r5
  0xe5860000, // 0x28 str r0, [r6]
  0xe2511001, // 0x2c subs r1, r1, #1
  0x1afffffa, // 0x30 bne 0x20
  0xeafffffe, // 0x34 b .
];
const CODE_PA = RAM_BASE + 0x200000;

function runLoop(jit: boolean): { r: number[]; icount: number; cowPages: number[]; mode: number; blocks: number; compiledAtFirstEvent: boolean } {
  const { bus, mmu } = makeRig();
  setL1(bus, TTB, 0, section(CODE_PA));
  setL1(bus, TTB, VA, pageTable(L2));
  setL2(bus, L2, VA, smallPage(DATA));
  setL2(bus, L2, VA + 0x1000, smallPage(DATA + 0x1000, { ap: 1 }));
  bus.write32(DATA, 1);
  bus.write32(DATA + 0x2000, 1000);
  LOOP.forEach((w, i) => bus.write32(CODE_PA + 4 * i, w | 0));
  const { cpu, state, clock } = bootV7aCore(bus, mmu, 0x20, jit);
  state.r[1] = 20000;
  state.r[4] = VA;
  state.r[6] = VA + 0x1000;
  const cowPages: number[] = [];
  const slice = (until: number): void => {
    while (clock.icount < until) {
      cpu.exitRequest = false;
      cpu.execute(Math.min(97, until - clock.icount));
    }
  };
  slice(50_000);
  const compiledAtFirstEvent = cpu.translatedBlocks() > 0;
  // Remap r4's page by a table write (the bus's table-page check flushes the MMU's TLBs).
  setL2(bus, L2, VA, smallPage(DATA + 0x2000));
  slice(55_000);
  // Copy-on-write: every RAM page write-protected; the observer must see r6's page stored to.
  bus.writeObserver = {
    beforeRamWrite(_addr: number, _size: number, hostPage: number): void {
      cowPages.push(hostPage);
      bus.unprotectHostPage(hostPage);
    },
  };
  bus.protectAllRam();
  slice(60_000);
  // User mode: r6's page is PL1 only, the next store aborts (to the vector at 0: unmapped, so the
  // prefetch abort there ends the run identically for both engines).
  state.setCpsr((state.getCpsr() & ~0x1f) | MODE_USR, 0x1f);
  slice(65_000);
  return { r: Array.from(state.r), icount: clock.icount, cowPages, mode: state.mode, blocks: cpu.translatedBlocks(), compiledAtFirstEvent };
}

describe('compiled blocks see every JIT TLB flush point', () => {
  it('a remap, copy-on-write and a privilege switch between slices: same state as the interpreter', () => {
    const withJit = runLoop(true);
    const interpreted = runLoop(false);
    expect(withJit.blocks, 'the loop was compiled').toBeGreaterThan(0);
    expect(withJit.compiledAtFirstEvent, 'compiled before the first event').toBe(true);
    expect(withJit.cowPages).toEqual([(DATA + 0x1000 - RAM_BASE) >>> PAGE_SHIFT]);
    expect(interpreted.cowPages).toEqual(withJit.cowPages);
    expect(withJit.mode, 'the store in User mode took a data abort').toBe(MODE_ABT);
    expect(withJit.r).toEqual(interpreted.r);
    expect(withJit.icount).toBe(interpreted.icount);
    expect(withJit.mode).toBe(interpreted.mode);
  });
});
