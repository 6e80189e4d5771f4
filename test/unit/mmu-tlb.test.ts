/**
 * The MMU's TLB: it must never change a result (invariant I5). No stale translation after a table
 * rewrite (even without TLB maintenance), after register changes or TLB maintenance; the bus's
 * observers (snapshot copy-on-write, watchpoints, translated-code pages) still see every access; and
 * a random workload gives identical results with a warm TLB, a cold one and one reloaded from save().
 */
import { describe, expect, it } from 'vitest';
import { SysRegFile } from '../../src/emulator/cpu/v7a/sysreg-registry.js';
import { ACCESS_READ, MMU_FAULT, type Mmu } from '../../src/emulator/memory/mmu.js';
import { defineMmuRegisters } from '../../src/emulator/memory/mmu-registers.js';
import { PAGE_SHIFT } from '../../src/emulator/memory/bus.js';
import { RAM_BASE, TTB, enableShort, faultOf, lpaeLeaf, lpaeTable, makeRig, pageTable, poke, section, setL1, setL2, smallPage } from './mmu-rig.js';

const L2 = RAM_BASE + 0x8000;
const DATA = RAM_BASE + 0x100000;

function regs(mmu: Mmu): { write(name: string, crn: number, crm: number, opc2: number, v: number): void } {
  const file = new SysRegFile();
  defineMmuRegisters(file, mmu);
  return {
    write(name, crn, crm, opc2, v) {
      const def = file.lookup(15, false, 0, crn, crm, opc2);
      expect(def?.name).toBe(name);
      def!.write!(v, 0, file);
    },
  };
}

describe('no stale translations', () => {
  it('a level-1 entry rewritten by a CPU store takes effect without TLB maintenance', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, RAM_BASE, section(RAM_BASE)); // identity map of the tables
    setL1(bus, TTB, 0x80000000, section(DATA));
    enableShort(mmu);
    poke(bus, DATA, 1);
    poke(bus, DATA + 0x100000, 2);
    expect(mmu.read32(0x80000000)).toBe(1);
    mmu.write32(TTB + (0x80000000 >>> 20) * 4, section(DATA + 0x100000));
    expect(mmu.read32(0x80000000)).toBe(2);
  });

  it('a level-2 entry rewritten by the bus (DMA) or a debugger takes effect', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80000000, smallPage(DATA));
    enableShort(mmu);
    poke(bus, DATA, 10);
    poke(bus, DATA + 0x1000, 20);
    poke(bus, DATA + 0x2000, 30);
    expect(mmu.read32(0x80000000)).toBe(10);
    setL2(bus, L2, 0x80000000, smallPage(DATA + 0x1000));
    expect(mmu.read32(0x80000000)).toBe(20);
    const desc = new Uint8Array(new Uint32Array([smallPage(DATA + 0x2000)]).buffer);
    bus.debugWrite(L2, desc);
    expect(mmu.read32(0x80000000)).toBe(30);
    setL2(bus, L2, 0x80000000, 0);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x007);
  });

  it('register changes (DACR, TTBR0, TTBCR, CONTEXTIDR, SCTLR) take effect at once', () => {
    const { bus, mmu } = makeRig();
    const r = regs(mmu);
    const other = RAM_BASE + 0x4000;
    setL1(bus, TTB, 0x80000000, section(DATA, { domain: 1, ng: true }));
    setL1(bus, other, 0x80000000, section(DATA + 0x100000, { domain: 1, ap: 0, apx: 0 }));
    poke(bus, DATA, 5);
    enableShort(mmu);
    expect(mmu.read32(0x80000000)).toBe(5);
    r.write('DACR', 3, 0, 0, 0x55555551);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x019);
    r.write('DACR', 3, 0, 0, 0x55555555);
    r.write('CONTEXTIDR', 13, 0, 1, 0x102);
    expect(mmu.read32(0x80000000)).toBe(5);
    r.write('TTBR0', 2, 0, 0, other);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x01d);
    r.write('TTBR0', 2, 0, 0, TTB);
    expect(mmu.read32(0x80000000)).toBe(5);
    r.write('TTBCR', 2, 0, 2, 1); // N=1: 0x80000000 is TTBR1's (0: nothing there)
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x00c);
    r.write('TTBCR', 2, 0, 2, 0);
    mmu.setSctlr(0);
    expect(faultOf(() => mmu.read32(0x80000000)).fsr).toBe(0x008); // identity: physical 0x80000000 is nothing
  });

  it('TLB maintenance drops what it names; every translation-changing write flushes all', () => {
    const { bus, mmu } = makeRig();
    const r = regs(mmu);
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    for (let i = 0; i < 4; i++) setL2(bus, L2, 0x80000000 + i * 0x1000, smallPage(DATA + i * 0x1000));
    enableShort(mmu);
    const warm = (): void => {
      for (let i = 0; i < 4; i++) mmu.read8(0x80000000 + i * 0x1000);
      mmu.user = true;
      mmu.read8(0x80000000);
      mmu.user = false;
    };
    warm();
    expect(mmu.tlbSize).toEqual({ priv: 4, user: 1 });
    r.write('TLBIMVA', 8, 7, 1, 0x80001234);
    expect(mmu.tlbSize).toEqual({ priv: 3, user: 1 });
    r.write('TLBIMVAA', 8, 7, 3, 0x80000000);
    expect(mmu.tlbSize).toEqual({ priv: 2, user: 0 });
    r.write('TLBIMVAIS', 8, 3, 1, 0x80002000);
    r.write('DTLBIMVA', 8, 6, 1, 0x80003000);
    expect(mmu.tlbSize).toEqual({ priv: 0, user: 0 });
    for (const [name, crm, opc2] of [
      ['TLBIALL', 7, 0],
      ['TLBIASID', 7, 2],
      ['TLBIALLIS', 3, 0],
      ['TLBIASIDIS', 3, 2],
      ['ITLBIALL', 5, 0],
      ['ITLBIASID', 5, 2],
      ['DTLBIALL', 6, 0],
      ['DTLBIASID', 6, 2],
    ] as const) {
      warm();
      r.write(name, 8, crm, opc2, 0x12);
      expect({ name, size: mmu.tlbSize }).toEqual({ name, size: { priv: 0, user: 0 } });
    }
    for (const [name, crn, crm, opc2, v] of [
      ['TTBR1', 2, 0, 1, 0],
      ['DACR', 3, 0, 0, 0x55555555],
      ['PRRR', 10, 2, 0, 0],
      ['NMRR', 10, 2, 1, 0],
      ['CONTEXTIDR', 13, 0, 1, 7],
    ] as const) {
      warm();
      r.write(name, crn, crm, opc2, v);
      expect({ name, size: mmu.tlbSize }).toEqual({ name, size: { priv: 0, user: 0 } });
    }
  });

  it('table pages are write-protected only while translations from them are cached', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL2(bus, L2, 0x80000000, smallPage(DATA));
    enableShort(mmu);
    const ttbPage = (TTB + (0x80000000 >>> 20) * 4) >>> PAGE_SHIFT;
    const l2Page = L2 >>> PAGE_SHIFT;
    expect([bus.pageWrite[ttbPage]! >= 0, bus.pageWrite[l2Page]! >= 0]).toEqual([true, true]);
    mmu.read8(0x80000000);
    expect([bus.pageWrite[ttbPage], bus.pageWrite[l2Page]]).toEqual([-1, -1]);
    mmu.flushAll();
    expect([bus.pageWrite[ttbPage]! >= 0, bus.pageWrite[l2Page]! >= 0]).toEqual([true, true]);
  });

  it('a write to a level-2 table drops the translations walked through it, and only those', () => {
    const { bus, mmu } = makeRig();
    const l2b = L2 + 0x1000; // another host page
    setL1(bus, TTB, 0x80000000, pageTable(L2));
    setL1(bus, TTB, 0x80100000, pageTable(l2b));
    setL2(bus, L2, 0x80000000, smallPage(DATA));
    setL2(bus, l2b, 0x80100000, smallPage(DATA + 0x1000));
    enableShort(mmu);
    poke(bus, DATA, 1);
    poke(bus, DATA + 0x1000, 2);
    poke(bus, DATA + 0x2000, 3);
    expect([mmu.read32(0x80000000), mmu.read32(0x80100000)]).toEqual([1, 2]);
    expect(mmu.tlbSize.priv).toBe(2);
    setL2(bus, L2, 0x80000000, smallPage(DATA + 0x2000));
    expect(mmu.tlbSize.priv, "the other table's translation stays").toBe(1);
    expect(bus.pageWrite[L2 >>> PAGE_SHIFT]! >= 0, 'the written table page left the slow path').toBe(true);
    expect([mmu.read32(0x80000000), mmu.read32(0x80100000)]).toEqual([3, 2]);
  });
});

describe("the bus's observers see accesses made through the MMU", () => {
  function mapped(): ReturnType<typeof makeRig> {
    const rig = makeRig();
    setL1(rig.bus, TTB, 0x80000000, section(DATA));
    enableShort(rig.mmu);
    rig.mmu.write32(0x80000000, 1); // warm the TLB first
    rig.mmu.fetch32(0x80000000);
    return rig;
  }

  it('snapshot copy-on-write: a write after protectAllRam calls the write observer', () => {
    const { bus, mmu } = mapped();
    const seen: number[] = [];
    bus.writeObserver = {
      beforeRamWrite: (addr, _size, hostPage) => {
        seen.push(addr);
        bus.unprotectHostPage(hostPage);
      },
    };
    bus.protectAllRam();
    mmu.write32(0x80000010, 2);
    mmu.write32(0x80000014, 3);
    expect(seen[0]).toBe(DATA + 0x10);
    expect(bus.read32(DATA + 0x14)).toBe(3);
  });

  it('watchpoints: reads and writes of a watched page reach the watch observer with the physical address', () => {
    const { bus, mmu } = mapped();
    const seen: [number, number, boolean][] = [];
    bus.watchObserver = { onAccess: (a, s, w) => seen.push([a, s, w]) };
    bus.setWatched(DATA + 0x20, 4, true);
    mmu.read32(0x80000020);
    mmu.write16(0x80000022, 7);
    mmu.fetch32(0x80000020); // fetches are not data accesses
    expect(seen).toEqual([
      [DATA + 0x20, 4, false],
      [DATA + 0x22, 2, true],
    ]);
  });

  it('code pages: a write reaches the code observer', () => {
    const { bus, mmu } = mapped();
    const seen: number[] = [];
    bus.codeObserver = { codeWrite: (a) => seen.push(a), codePageReplaced: () => {} };
    bus.markCodePage((DATA - RAM_BASE) >>> PAGE_SHIFT);
    mmu.write8(0x80000003, 1);
    expect(seen).toEqual([DATA + 3]);
  });
});

// ---- I5: a random workload gives the same results whatever the TLB held ----------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mode = 'warm' | 'cold' | 'reloaded';

function runWorkload(seed: number, mode: Mode): string[] {
  const { bus, mmu } = makeRig();
  const rnd = mulberry32(seed);
  const reloadRnd = mulberry32(seed ^ 0x5eed); // its own stream: the workload must not depend on the mode
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const log: string[] = [];
  const l2s = [RAM_BASE + 0x8000, RAM_BASE + 0x8400, RAM_BASE + 0x9000];
  setL1(bus, TTB, RAM_BASE, section(RAM_BASE, { ap: 1 })); // tables reachable at VA = PA (PL1)
  const vas = [0x80000000, 0x80001000, 0x80002ffe, 0x80100000, 0x80200000, 0x80201000, 0x80300ffc, 0x90000000];
  const randomDesc = (): [number, number] => {
    const va = pick(vas);
    const attrs = { ap: Math.floor(rnd() * 4), apx: rnd() < 0.3 ? 1 : 0, domain: Math.floor(rnd() * 4), xn: rnd() < 0.3, pxn: rnd() < 0.2, ng: rnd() < 0.5 };
    const pa = DATA + Math.floor(rnd() * 8) * 0x100000;
    const r = rnd();
    if (r < 0.4) return [TTB + (va >>> 20) * 4, section(pa, attrs)];
    if (r < 0.7) return [TTB + (va >>> 20) * 4, pageTable(pick(l2s), attrs.domain, attrs.pxn)];
    const l2 = pick(l2s);
    return [l2 + ((va >>> 12) & 0xff) * 4, rnd() < 0.1 ? 0 : smallPage(pa + Math.floor(rnd() * 16) * 0x1000, attrs)];
  };
  for (let i = 0; i < 12; i++) {
    const [at, d] = randomDesc();
    poke(bus, at, d);
  }
  mmu.ttbr0Lo = TTB;
  mmu.dacr = 0x5555555f;
  mmu.translationChanged();
  mmu.setSctlr(1);
  for (let step = 0; step < 3000; step++) {
    if (mode === 'cold') mmu.load(mmu.save());
    if (mode === 'reloaded' && reloadRnd() < 0.05) mmu.load(mmu.save());
    const r = rnd();
    try {
      if (r < 0.1) {
        // Rewrite a descriptor: through the MMU (a CPU store, no TLB maintenance) or the bus.
        const [at, d] = randomDesc();
        mmu.user = false;
        mmu.forceUser = false;
        if (rnd() < 0.7) mmu.write32(at, d);
        else poke(bus, at, d);
        log.push(`desc ${at.toString(16)}`);
      } else if (r < 0.14) {
        const v = rnd() < 0.5 ? 0x5555555f : Math.floor(rnd() * 0x100) | 0x55555500;
        mmu.dacr = v >>> 0;
        mmu.translationChanged();
        log.push(`dacr ${v.toString(16)}`);
      } else if (r < 0.16) {
        mmu.setSctlr(rnd() < 0.5 ? 1 : 1 | (1 << 29));
        log.push(`sctlr ${mmu.sctlr}`);
      } else if (r < 0.18) {
        mmu.contextidr = Math.floor(rnd() * 256);
        mmu.translationChanged();
        log.push(`ctx ${mmu.contextidr}`);
      } else {
        const va = pick(vas) + Math.floor(rnd() * 8) * 2;
        mmu.user = rnd() < 0.4;
        mmu.forceUser = !mmu.user && rnd() < 0.2;
        const k = rnd();
        if (k < 0.4) log.push(`r ${va.toString(16)} ${mmu.read32(va) >>> 0}`);
        else if (k < 0.55) log.push(`r16 ${va.toString(16)} ${mmu.read16(va)}`);
        else if (k < 0.85) {
          mmu.write32(va, step);
          log.push(`w ${va.toString(16)}`);
        } else log.push(`x ${va.toString(16)} ${mmu.fetch16(va & ~1)}`);
      }
    } catch (e) {
      if (e !== MMU_FAULT) throw e;
      log.push(`fault ${MMU_FAULT.fsr.toString(16)} ${MMU_FAULT.far.toString(16)} ${MMU_FAULT.isFetch}`);
    }
  }
  // Final memory contents are part of the result.
  let h = 0;
  for (let i = 0; i < bus.i32.length; i++) h = (Math.imul(h, 31) + bus.i32[i]!) | 0;
  log.push(`ram ${h}`);
  return log;
}

describe('invariant I5', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: warm, cold and reloaded TLBs give the same results`, () => {
      const warm = runWorkload(seed, 'warm');
      expect(warm.filter((l) => l.startsWith('fault')).length).toBeGreaterThan(20);
      expect(warm.filter((l) => l.startsWith('r ')).length).toBeGreaterThan(50);
      expect(runWorkload(seed, 'cold')).toEqual(warm);
      expect(runWorkload(seed, 'reloaded')).toEqual(warm);
    });
  }
});

describe('SCTLR.EE: big-endian translation tables', () => {
  const swap = (v: number): number => (((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0);

  it('short descriptors are read big-endian', () => {
    const { bus, mmu } = makeRig();
    setL1(bus, TTB, 0x80000000, swap(pageTable(L2)));
    setL2(bus, L2, 0x80003000, swap(smallPage(DATA + 0x7000)));
    enableShort(mmu, 1 << 25);
    expect(mmu.translate(0x80003abc, ACCESS_READ, false)).toBe(DATA + 0x7abc);
    mmu.setSctlr(1);
    expect(faultOf(() => mmu.translate(0x80003abc, ACCESS_READ, false)).fsr).not.toBe(0);
  });

  it('LPAE descriptors are big-endian doublewords (high word first)', () => {
    const { bus, mmu } = makeRig();
    const l1 = RAM_BASE + 0x10000;
    const [lo, hi] = lpaeLeaf(0x40200000, 2);
    const [tlo, thi] = lpaeTable(L2);
    poke(bus, l1, swap(thi));
    poke(bus, l1 + 4, swap(tlo));
    poke(bus, L2 + 8, swap(hi));
    poke(bus, L2 + 12, swap(lo));
    mmu.writeTtbcr(0x80000000);
    mmu.ttbr0Lo = l1;
    mmu.translationChanged();
    mmu.setSctlr(1 | (1 << 25));
    expect(mmu.translate(0x00212345, ACCESS_READ, false)).toBe(0x40212345);
  });
});
