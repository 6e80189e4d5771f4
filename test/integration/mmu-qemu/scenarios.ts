/**
 * Scenarios of the MMU probe (probe.S): translation tables, registers and probes, and the build of
 * the probe with one scenario. Shared by the QEMU comparison and the record/replay seek test.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  largePage,
  lpaeLeaf,
  lpaeTable,
  pageTable,
  section,
  smallPage,
  supersection,
  type LpaeAttrs,
  type LpaeTableAttrs,
  type ShortAttrs,
} from '../../unit/mmu-rig.js';

const SRC = dirname(fileURLToPath(import.meta.url));
export const RAM_BASE = 0x40000000;
export const RAM_SIZE = 128 << 20;
export const FILL_START = 0x40200000;
export const FILL_END = 0x40600000;
export const BX_LR = 0xe12fff1e;
/** QEMU's SCTLR at reset on virt (notes/armv7a.md §1). */
export const SCTLR_RESET = 0x00c50078;
/** Physical addresses where nothing answers on virt with 128 MiB (after RAM; between virtio and the platform bus). */
const NOTHING = 0x50000000;

export enum Probe {
  Ldr = 0,
  Str = 1,
  Fetch = 2,
  Ldrt = 3,
  Strt = 4,
  Ats1cpr = 5,
  Ats1cpw = 6,
  Ats1cur = 7,
  Ats1cuw = 8,
  Ldrh = 9,
  Strh = 10,
}

export interface Scenario {
  name: string;
  ttbcr: number;
  ttbr0: [number, number];
  ttbr1: [number, number];
  dacr: number;
  prrr: number;
  nmrr: number;
  sctlrOr: number;
  words: Map<number, number>;
  probes: [Probe, number][];
}

function scenario(name: string, init: Partial<Scenario>): Scenario {
  return {
    name,
    ttbcr: 0,
    ttbr0: [0, 0],
    ttbr1: [0, 0],
    dacr: 0x55555555,
    prrr: 0,
    nmrr: 0,
    sctlrOr: 1,
    words: new Map(),
    probes: [],
    ...init,
  };
}

const ALL_DATA: Probe[] = [Probe.Ldr, Probe.Str, Probe.Ldrt, Probe.Strt, Probe.Ats1cpr, Probe.Ats1cpw, Probe.Ats1cur, Probe.Ats1cuw];

// ---- Short descriptors -----------------------------------------------------------------------------

const TTB = 0x40100000;
const L2A = 0x40104000;
const L2B = 0x40104400;

function shortScenario(name: string, sctlrOr: number, extra: (s: Scenario) => void): Scenario {
  // Domains: d0 client (the probe itself), d1 client, d2 manager, d3 no access, d4 reserved, d5.. client.
  const dacr = ((0x55555555 & ~(0xff << 2)) | (1 << 2) | (3 << 4) | (0 << 6) | (2 << 8)) >>> 0;
  const s = scenario(name, { ttbr0: [TTB, 0], sctlrOr, dacr });
  l1(s, RAM_BASE, section(RAM_BASE, { ap: 3 }));
  l1(s, RAM_BASE + 0x100000, section(RAM_BASE + 0x100000, { ap: 1 }));
  extra(s);
  return s;
}

function l1(s: Scenario, va: number, d: number): void {
  s.words.set(TTB + (va >>> 20) * 4, d);
}
function l2(s: Scenario, table: number, va: number, d: number): void {
  s.words.set(table + ((va >>> 12) & 0xff) * 4, d);
}
function probeAll(s: Scenario, va: number, withFetch = true): void {
  for (const p of ALL_DATA) s.probes.push([p, va]);
  // BLX to the address: bit 0 would switch to Thumb, so fetch from the word holding it.
  if (withFetch) s.probes.push([Probe.Fetch, (va & ~3) >>> 0]);
}

export const shortBasic = shortScenario('short descriptors', 1, (s) => {
  const sec = (va: number, pa: number, a: ShortAttrs): void => l1(s, va, section(pa, { domain: 1, ...a }));
  sec(0x80000000, FILL_START, { ap: 3 });
  sec(0x80100000, FILL_START + 0x100000, { ap: 1 });
  sec(0x80200000, FILL_START + 0x200000, { ap: 2, apx: 1, xn: true });
  sec(0x80300000, FILL_START + 0x300000, { ap: 3, pxn: true });
  sec(0x80400000, FILL_START, { domain: 3 });
  sec(0x80500000, FILL_START, { domain: 2, ap: 0, xn: true });
  sec(0x80600000, FILL_START, { domain: 4 });
  sec(0x80700000, FILL_START, { ap: 0 });
  sec(0x80900000, NOTHING, { ap: 3 });
  for (let i = 0; i < 16; i++) l1(s, 0x81000000 + (i << 20), supersection(0x41000000, { ap: 2 }));
  for (let i = 0; i < 16; i++) l1(s, 0x82000000 + (i << 20), supersection(0x1_0000_0000, { ap: 3 }));
  l1(s, 0x80a00000, pageTable(L2A, 5));
  l2(s, L2A, 0x80a00000, smallPage(FILL_START + 0x5000, { ap: 3 }));
  l2(s, L2A, 0x80a01000, smallPage(FILL_START + 0x7000, { ap: 2 }));
  l2(s, L2A, 0x80a02000, smallPage(FILL_START + 0x9000, { ap: 1, apx: 1, xn: true }));
  l2(s, L2A, 0x80a04000, smallPage(FILL_START + 0xb000, { ap: 3, apx: 1 }));
  for (let i = 0; i < 16; i++) l2(s, L2A, 0x80a10000 + (i << 12), largePage(FILL_START + 0x20000, { ap: 3, xn: true }));
  l1(s, 0x80b00000, pageTable(L2B, 7, true));
  l2(s, L2B, 0x80b00000, smallPage(FILL_START + 0xc000, { ap: 3 }));
  l1(s, 0x80c00000, pageTable(L2A, 3));
  l1(s, 0x80d00000, pageTable(NOTHING, 9));
  s.words.set(TTB + (0x80e00000 >>> 20) * 4, 0x1e0); // invalid, with domain bits

  for (const va of [0x80000004, 0x80100008, 0x80200010, 0x80300000, 0x80400000, 0x80500000, 0x80600000, 0x80700000]) probeAll(s, va);
  probeAll(s, 0x80900000, false);
  for (const p of [Probe.Ldr, Probe.Str, Probe.Ats1cpr, Probe.Ats1cuw]) s.probes.push([p, 0x81abcde0], [p, 0x82000040]);
  for (const va of [0x80a00ffc, 0x80a01010, 0x80a02020, 0x80a03000, 0x80a04000, 0x80a1a004, 0x80b00000, 0x80c00000, 0x80d00000, 0x80e00000]) probeAll(s, va, true);
  // Unaligned halfword accesses across a page boundary: into a mapped page, and into a missing one.
  s.probes.push([Probe.Ldrh, 0x80a00fff], [Probe.Ldrh, 0x80a02fff], [Probe.Strh, 0x80a02fff], [Probe.Ldr, 0x80a00ffe]);
});

export const shortAfe = shortScenario('short descriptors, SCTLR.AFE and TEX remap', 1 | (1 << 29) | (1 << 28), (s) => {
  s.prrr = 0xff0a81a8;
  s.nmrr = 0x40e040e0;
  // With AFE, AP[0] is the access flag: the probe's own mapping needs it set (AP = 0b011 has it).
  const sec = (va: number, ap: number, apx: number, a: ShortAttrs = {}): void => l1(s, va, section(FILL_START, { domain: 1, ap, apx, tex: 1, c: 1, b: 1, ...a }));
  sec(0x80000000, 0, 0);
  sec(0x80100000, 1, 0);
  sec(0x80200000, 2, 0);
  sec(0x80300000, 3, 0);
  sec(0x80400000, 1, 1);
  sec(0x80500000, 3, 1);
  sec(0x80600000, 0, 0, { xn: true });
  l1(s, 0x80700000, pageTable(L2A, 6));
  l2(s, L2A, 0x80700000, smallPage(FILL_START + 0x1000, { ap: 2 }));
  l2(s, L2A, 0x80701000, smallPage(FILL_START + 0x2000, { ap: 1, apx: 1 }));
  for (let va = 0x80000000; va <= 0x80600000; va += 0x100000) probeAll(s, va + 0x40);
  probeAll(s, 0x80700000);
  probeAll(s, 0x80701000);
});

// ---- LPAE --------------------------------------------------------------------------------------------

const LT1 = 0x40100000;
const LT2 = 0x40101000; // level 2 for 0x40000000..0x7fffffff (the probe)
const LT2B = 0x40102000; // level 2 for 0x80000000..
const LT3 = 0x40103000;
const LT3B = 0x40104000;
const LT3C = 0x40105000;

function put64(s: Scenario, pa: number, [lo, hi]: [number, number]): void {
  s.words.set(pa, lo);
  s.words.set(pa + 4, hi);
}

export const lpae = ((): Scenario => {
  const s = scenario('LPAE', { ttbcr: 0x80000000, ttbr0: [LT1, 0x00050000], sctlrOr: 1, prrr: 0x44ff0400, nmrr: 0xeeaa8800 });
  put64(s, LT1 + 8, lpaeTable(LT2));
  put64(s, LT2, lpaeLeaf(RAM_BASE, 2, { ap: 0 }));
  put64(s, LT1 + 16, lpaeTable(LT2B));
  put64(s, LT1 + 24, lpaeLeaf(0x1_4000_0000, 1, { ap: 1 }));
  const leaf2 = (va: number, a: LpaeAttrs): void => put64(s, LT2B + (((va >>> 21) & 0x1ff) << 3), lpaeLeaf(FILL_START, 2, a));
  const table2 = (va: number, t3: number, a: LpaeTableAttrs = {}): void => put64(s, LT2B + (((va >>> 21) & 0x1ff) << 3), lpaeTable(t3, a));
  const page = (t3: number, va: number, pa: number, a: LpaeAttrs): void => put64(s, t3 + (((va >>> 12) & 0x1ff) << 3), lpaeLeaf(pa, 3, a));
  leaf2(0x80000000, { ap: 0, attrIndx: 2, sh: 3 });
  leaf2(0x80200000, { ap: 1 });
  leaf2(0x80400000, { ap: 2, xn: true });
  leaf2(0x80600000, { ap: 3, pxn: true });
  leaf2(0x80800000, { ap: 1, af: false });
  table2(0x80a00000, LT3);
  page(LT3, 0x80a00000, FILL_START + 0x1000, { ap: 1, attrIndx: 5 });
  page(LT3, 0x80a01000, FILL_START + 0x2000, { ap: 3, af: false });
  page(LT3, 0x80a02000, FILL_START + 0x3000, { ap: 0, xn: true });
  put64(s, LT3 + (3 << 3), [(FILL_START + 0x4000) | 0x401, 0]); // block encoding at level 3: invalid
  page(LT3, 0x80a05000, NOTHING, { ap: 1 });
  table2(0x80c00000, LT3B, { apTable: 1, xnTable: true });
  page(LT3B, 0x80c00000, FILL_START + 0x5000, { ap: 1 });
  table2(0x80e00000, LT3C, { apTable: 2, pxnTable: true });
  page(LT3C, 0x80e00000, FILL_START + 0x6000, { ap: 1 });
  table2(0x81200000, NOTHING);
  // Read at 0x0000_0000 (QEMU 7.2 drops bits 39:32 of table addresses): virt's empty flash, zeros.
  table2(0x81000000, 0x1_0000_0000);
  table2(0x81600000, 0x1_4010_0000);

  for (const va of [0x80000010, 0x80200020, 0x80400030, 0x80600040, 0x80800000, 0x80a00ffc, 0x80a01000, 0x80a02000, 0x80a03000, 0x80a04000, 0x80c00000, 0x80e00000, 0x81000000, 0x81200000, 0x81400000, 0x81600000, 0x81601000]) {
    probeAll(s, va);
  }
  probeAll(s, 0x80a05000, false);
  for (const p of [Probe.Ldr, Probe.Strt, Probe.Ats1cpr, Probe.Ats1cuw]) s.probes.push([p, 0xc0000100]);
  s.probes.push([Probe.Ldrh, 0x80a00fff], [Probe.Strh, 0x80a00fff], [Probe.Ldrh, 0x80a02fff]);
  return s;
})();

export const lpaeSplit = ((): Scenario => {
  // T0SZ = 1, T1SZ = 2: TTBR0 covers 0-2 GiB (level 1 start), TTBR1 3-4 GiB (level 2 start);
  // 2-3 GiB is the gap between them. TTBR1's base has bit 32 set: QEMU 7.2 walks at bits 31:0.
  const t0 = 0x40100000;
  const t1 = 0x40103000;
  const s = scenario('LPAE, T0SZ/T1SZ', { ttbcr: 0x80000000 | (2 << 16) | 1, ttbr0: [t0, 0], ttbr1: [t1, 0x00070001], sctlrOr: 1 });
  put64(s, t0 + 8, lpaeTable(LT2));
  put64(s, LT2, lpaeLeaf(RAM_BASE, 2, { ap: 0 }));
  put64(s, LT2 + 8, lpaeLeaf(FILL_START, 2, { ap: 1 }));
  put64(s, t1 + 0x1ff * 8, lpaeLeaf(FILL_START + 0x200000, 2, { ap: 1 }));
  put64(s, t1, lpaeLeaf(FILL_START, 2, { ap: 3 }));
  for (const va of [0x40200010, 0xffe00010, 0xc0000020, 0x80000000, 0xbfffffff, 0x00200010, 0x7fffffff]) probeAll(s, va);
  return s;
})();

// ---- Running both sides --------------------------------------------------------------------------

export function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

function scenarioSource(s: Scenario): string {
  const words = [...s.words.entries()];
  const lines = [
    '    .section .rodata',
    '    .balign 4',
    '    .global regs, table_words, table_count, probes, probe_count',
    `regs: .word ${[s.ttbcr, s.ttbr0[0], s.ttbr0[1], s.ttbr1[0], s.ttbr1[1], s.dacr, s.prrr, s.nmrr, s.sctlrOr, FILL_START, FILL_END].map((v) => '0x' + hex(v)).join(', ')}`,
    `table_count: .word ${words.length}`,
    'table_words:',
    ...words.map(([pa, v]) => `    .word 0x${hex(pa)}, 0x${hex(v)}`),
    `probe_count: .word ${s.probes.length}`,
    'probes:',
    ...s.probes.map(([k, va]) => `    .word ${k}, 0x${hex(va)}`),
    '',
  ];
  return lines.join('\n');
}



/** Assemble and link the probe with scenario `s` in directory `work`; returns the ELF path. */
export function buildProbe(s: Scenario, index: number, work: string): string {
  const scen = join(work, `scenario-${index}.S`);
  const elf = join(work, `probe-${index}.elf`);
  writeFileSync(scen, scenarioSource(s));
  execFileSync('arm-none-eabi-gcc', ['-nostdlib', '-nostartfiles', '-mcpu=cortex-a15', '-marm', '-T', join(SRC, 'link.ld'), join(SRC, 'probe.S'), scen, '-o', elf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return elf;
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

