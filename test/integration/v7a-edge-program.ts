/**
 * Seeded random *encodings* for the ARMv7-A differential test against QEMU: where
 * v7a-random-program.ts writes assembly (which gas only accepts for well-formed operands), this
 * generator fills the free bits of encoding classes at random, with register fields biased to
 * r13, r14 and r15, so the UNPREDICTABLE corners (PC/SP operands, odd register lists, writeback
 * to the base, odd LDRD pairs, exclusives, unprivileged forms, coprocessor space, T32 32-bit) run
 * and show whether QEMU executes or UNDEFs them.
 *
 * Each item sets every register to a pointer into the scratch area, then runs one random word.
 * Whatever it does is survivable: every exception vector returns to the item's resume address
 * (kept in memory), loaded values are addresses QEMU's virt leaves unassigned (a loaded PC
 * prefetch-aborts), a PC written to a nearby address lands on UDF padding around the item, and an
 * item reached a second time (a PC loaded with a stored code address) skips to the running item's
 * end.
 */
import { Rng } from './cpu-random-program.js';
import { V7A_DATA_BASE, V7A_DATA_SIZE } from './v7a-random-program.js';

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/**
 * `w & mask` as an unsigned number: JavaScript's `&` gives a signed int32, which never equals a
 * literal with bit 31 set (a comparison like that silently never matched before).
 */
const masked = (w: number, mask: number): number => (w & mask) >>> 0;

/**
 * Where each item keeps its resume address, and the number of items started: the last words of
 * virt's 128 MiB, out of reach of the items' pointers. A PC loaded with one of these addresses (a
 * literal) runs four zero words, then prefetch-aborts past the end of RAM.
 */
const RESUME_SLOT = 0x47fffff0;
const ITEMS_STARTED = 0x47fffff4;

/** An encoding class: bits in `mask` are `match`; `regs` are the low bits of 4-bit register fields. */
interface Template {
  name: string;
  mask: number;
  match: number;
  regs: number[];
  /** Register fields that must not be 15 (the result would go to a random PC). */
  notPc?: number[];
}

const t = (name: string, mask: number, match: number, regs: number[], notPc: number[] = []): Template => ({ name, mask, match, regs, notPc });

/** A32 classes (condition AL). */
const A32_TEMPLATES: Template[] = [
  t('ldst imm', 0x0e000000, 0x04000000, [16, 12]),
  t('ldst reg', 0x0e000010, 0x06000000, [16, 12, 0]),
  t('extra ldst imm', 0x0e400090, 0x00400090, [16, 12]),
  t('extra ldst reg', 0x0e400f90, 0x00000090, [16, 12, 0]),
  t('swp', 0x0fb00ff0, 0x01000090, [16, 12, 0], [12]),
  t('exclusive', 0x0f800ff0, 0x01800f90, [16, 12, 0]),
  t('ldm/stm', 0x0e000000, 0x08000000, [16]),
  t('multiply', 0x0f0000f0, 0x00000090, [16, 12, 8, 0], [16, 12]),
  t('halfword multiply', 0x0f900090, 0x01000080, [16, 12, 8, 0], [16, 12]),
  t('signed multiply', 0x0f800010, 0x07000010, [16, 12, 8, 0], [16, 12]),
  t('media', 0x0e000010, 0x06000010, [16, 12, 8, 0], [16, 12]),
  t('dp reg-shift', 0x0e000090, 0x00000010, [16, 0, 8], [12]),
  t('dp imm-shift', 0x0e000010, 0x00000000, [16, 0], [12]),
  t('mrs/msr', 0x0f900ef0, 0x01000000, [16, 12, 0], [12]),
  t('saturating add', 0x0f9000f0, 0x01000050, [16, 12, 0], [12]),
  t('cp14/cp15 read', 0x0f100f10, 0x0e100e10, [12]),
  t('coprocessor ldc/mcrr', 0x0e000000, 0x0c000000, [16, 12]),
  t('coprocessor cdp/mcr', 0x0f000000, 0x0e000000, [16, 12]),
];

/** A32 unconditional-space classes (cond 1111). */
const A32_UNCOND_TEMPLATES: Template[] = [
  t('srs/rfe', 0x0e000000, 0x08000000, [16]),
  t('neon data', 0x0e000000, 0x02000000, []),
  t('neon ldst', 0x0f100000, 0x04000000, [16, 0]),
  t('pld/pli', 0x0c000000, 0x04000000, [16, 0]),
];

/** T32 32-bit classes (first halfword in the high half). */
const T32_TEMPLATES: Template[] = [
  t('ldst single', 0xfe000000, 0xf8000000, [16, 12, 0]),
  t('ldrd/strd/exclusive/tbb', 0xfe400000, 0xe8400000, [16, 12, 8, 0]),
  t('ldm/stm', 0xfe400000, 0xe8000000, [16]),
  t('dp shifted reg', 0xfe000000, 0xea000000, [16, 8, 0], [8]),
  t('dp modified imm', 0xfa008000, 0xf0000000, [16, 8], [8]),
  t('dp plain imm', 0xfa008000, 0xf2000000, [16, 8], [8]),
  t('dp register', 0xff000000, 0xfa000000, [16, 8, 0], [8]),
  t('multiply', 0xff800000, 0xfb000000, [16, 12, 8, 0], [8]),
  t('long multiply/div', 0xff800000, 0xfb800000, [16, 12, 8, 0], [8]),
  t('misc control', 0xffc0d000, 0xf3808000, [16, 8], [8]),
  t('mrs', 0xffe0d000, 0xf3e08000, [16, 8], [8]),
  t('cp14/cp15 read', 0xef100e10, 0xee100e10, [12]),
  t('coprocessor', 0xee000000, 0xec000000, [16, 12]),
  t('coprocessor cdp/mcr', 0xef000000, 0xee000000, [16, 12]),
  t('neon', 0xef000000, 0xef000000, []),
  t('neon ldst', 0xff100000, 0xf9000000, [16, 0]),
];

const BIASED = [13, 14, 15];

/** An MCR/MCR2 to CP14/CP15 (could switch the MMU on): not generated. */
function systemWrite(w: number): boolean {
  return (w & 0x0f100010) === 0x0e000010 && ((w >>> 8) & 0xe) === 0xe;
}

/**
 * Encodings the program could not survive: A32 BX/BLX/BXJ (a branch into the scratch data), T32 TBB/TBH (a jump into another item), MCR to CP14/CP15, and one that crashes QEMU 7.2.
 */
function unsurvivable(isa: 'a32' | 't32', w: number): boolean {
  if (systemWrite(w)) return true;
  if (isa === 'a32') {
    // LDRD (register) loading the PC (Rt = LR) with writeback by Rm = PC: QEMU 7.2 aborts
    // (gen_pc_plus_diff asserts pc_save != -1 after the PC load), there is nothing to compare.
    const ldrdReg = (w & 0x0e5000f0) === 0x000000d0;
    if (ldrdReg && ((w >>> 12) & 0xf) === 14 && (w & 0xf) === 15 && ((w & 0x01000000) === 0 || (w & 0x00200000) !== 0)) return true;
    const op = (w >>> 4) & 0xf;
    return masked(w, 0xf0000000) !== 0xf0000000 && (w & 0x0ff00000) === 0x01200000 && op >= 1 && op <= 3;
  }
  return masked(w, 0xfff0ffe0) === 0xe8d0f000;
}

/**
 * Coprocessor (STC, VSTR/VSTM) and NEON stores relative to the PC would overwrite the program
 * ahead (literal pools, the next items): Rn = PC only for their loads.
 */
/**
 * MRC/MCR of c2, c3 and c10 (the MMU's registers: TTBCR, DACR, PRRR/NMRR and QEMU's CP_ANY forms
 * of them) need the MMU, which the lock-step rig has not: CRn 0 instead (v7a-core and
 * v7a-unpredictable test those).
 */
function noMmuRegister(w: number): number {
  if ((w & 0x0f000010) !== 0x0e000010 || ((w >>> 8) & 0xe) !== 0xe) return w;
  const crn = (w >>> 16) & 0xf;
  return crn === 2 || crn === 3 || crn === 10 ? (w & ~0xf0000) >>> 0 : w;
}

function noPcRelativeStore(isa: 'a32' | 't32', w: number): number {
  if (((w >>> 16) & 0xf) !== 15) return w;
  const neon = isa === 'a32' ? masked(w, 0xff100000) === 0xf4000000 : masked(w, 0xff100000) === 0xf9000000;
  const coproc = isa === 'a32' ? (w & 0x0e000000) === 0x0c000000 : masked(w, 0xee000000) === 0xec000000;
  if ((neon && (w & 0x00200000) === 0) || (coproc && (w & 0x00100000) === 0)) return (w & ~0xf0000) >>> 0;
  // Core stores relative to the PC (QEMU runs them) would overwrite the literal pool ahead, and
  // the program then loops on QEMU: A32 STR/STRB, STRH, STRD; T32 STRD and the store exclusives.
  const core =
    isa === 'a32'
      ? w >>> 28 !== 15 && ((w & 0x0c100000) === 0x04000000 || (w & 0x0e1000f0) === 0x000000b0 || (w & 0x0e1000f0) === 0x000000f0)
      : masked(w, 0xfe500000) === 0xe8400000;
  return core ? (w & ~0xf0000) >>> 0 : w;
}

/**
 * Loads that would put a value from outside the scratch area into the PC: a word relative to the
 * PC (a literal or an instruction: often a flash or RAM address, where zeros run for tens of
 * millions of instructions before anything faults), an LDRD pair into the PC, and a T32 long
 * multiply's RdLo = PC (a product as the PC). Their Rt becomes r0.
 */
function noPcFromOutside(isa: 'a32' | 't32', w: number): number {
  const clear = (lo: number): number => (((w >>> lo) & 0xf) === 15 ? (w & ~(0xf << lo)) >>> 0 : w);
  if (isa === 'a32') {
    if (w >>> 28 === 15) return w;
    const single = (w & 0x0c100000) === 0x04100000;
    if (single && ((w >>> 16) & 0xf) === 15) return clear(12);
    // LDRD (L = 0, op2 = 10): Rt = LR loads the PC as Rt2.
    if ((w & 0x0e1000f0) === 0x000000d0 && ((w >>> 12) & 0xf) === 14) return (w & ~0xf000) >>> 0;
    return w;
  }
  if (masked(w, 0xfe100000) === 0xf8100000 && ((w >>> 16) & 0xf) === 15) return clear(12);
  if (masked(w, 0xfe500000) === 0xe8500000 && (w & 0x01200000) !== 0) {
    w = clear(12);
    return clear(8);
  }
  const divide = ((w >>> 20) & 0x5) === 1; // op1 001 (SDIV) and 011 (UDIV)
  if (masked(w, 0xff800000) === 0xfb800000 && !divide) return clear(12);
  return w;
}

/**
 * MRRC with Rt or Rt2 = PC branches to a system register's value (TTBR0 = 0: 64 MiB of flash
 * zeros run before anything faults): r0 instead.
 */
function noMrrcToPc(isa: 'a32' | 't32', w: number): number {
  const mrrc = isa === 'a32' ? (w & 0x0ff00000) === 0x0c500000 : masked(w, 0xeff00000) === 0xec500000;
  if (!mrrc) return w;
  if (((w >>> 12) & 0xf) === 15) w = (w & ~0xf000) >>> 0;
  if (((w >>> 16) & 0xf) === 15) w = (w & ~0xf0000) >>> 0;
  return w;
}

/**
 * A byte or halfword loaded into the PC would branch into flash (zeros): Rt = PC only for words.
 */
function noNarrowPcLoad(isa: 'a32' | 't32', w: number): number {
  if (((w >>> 12) & 0xf) !== 15) return w;
  if (isa === 'a32') {
    const load = (w & 0x00100000) !== 0;
    const byte = (w & 0x0c000000) === 0x04000000 && (w & 0x00400000) !== 0;
    const extra = (w & 0x0e000090) === 0x00000090 && (w & 0x60) !== 0;
    return load && (byte || extra) ? (w & ~0xf000) >>> 0 : w;
  }
  // T32 byte and halfword loads with Rt = PC are PLD/PLI or unallocated hints: they stay.
  return w;
}

/**
 * PC-relative writeback (A32 LDR/STR and T32 LDRD/STRD with Rn = PC and W or post-index) writes the
 * PC: keep the offset small and forward, within the UDF padding.
 */
function smallPcWriteback(isa: 'a32' | 't32', w: number): number {
  if (((w >>> 16) & 0xf) !== 15) return w;
  if (isa === 'a32') {
    const wback = (w & 0x01000000) === 0 || (w & 0x00200000) !== 0;
    if (!wback) return w;
    // Forward only (U = 1): PC + 8 - 8 would be the instruction itself, an endless loop.
    if ((w & 0x0e000000) === 0x04000000) return ((w & ~0xfff) | (w & 0x1c) | 0x00800000) >>> 0;
    if ((w & 0x0e400090) === 0x00400090) return ((w & ~0xf00) | 0x00800000) >>> 0;
    // Register offsets: the PC would move by a pointer's value; offset addressing instead.
    if ((w & 0x0e000010) === 0x06000000 || (w & 0x0e400f90) === 0x00000090) return ((w | 0x01000000) & ~0x00200000) >>> 0;
    return w;
  }
  if (masked(w, 0xfe400000) === 0xe8400000 && (w & 0x01200000) !== 0) return ((w & ~0xfc) | 0x00800000) >>> 0;
  return w;
}

/** T32 classes where Rd = PC with S set names a compare instead of a write to the PC. */
const T32_COMPARE_CLASSES = ['dp shifted reg', 'dp modified imm'];

function fill(r: Rng, tp: Template, fixedHigh: number): number {
  let w = ((r.next() & ~tp.mask) | tp.match | fixedHigh) >>> 0;
  for (const lo of tp.regs) {
    if (r.int(3) !== 0) continue;
    w = ((w & ~(0xf << lo)) | (r.pick(BIASED) << lo)) >>> 0;
  }
  for (const lo of tp.notPc ?? []) {
    // T32 data processing: Rd = PC with S set and op AND/EOR/ADD/SUB is TST/TEQ/CMN/CMP.
    const t32Compare = T32_COMPARE_CLASSES.includes(tp.name) && (w & 0x00100000) !== 0 && [0, 4, 8, 13].includes((w >>> 21) & 0xf);
    if (((w >>> lo) & 0xf) === 15 && !t32Compare) w = (w & ~(0xf << lo)) >>> 0;
  }
  return w;
}

/**
 * The scratch area's fill: an address QEMU's virt has nothing at (a word loaded into the PC
 * prefetch-aborts) that is also UDF in A32 (0xe7f0defe) and, at its even halfword, UDF in T32
 * (0xdefe): a PC that lands in the scratch data (a loaded pointer) meets an UND exception.
 */
const SCRATCH_FILL = 0xe7f0defe;

export interface EdgeProgram {
  source: string;
  /** The encodings, for reporting. */
  words: { name: string; word: number }[];
}

/** A32 UDF and T32 UDF.N: padding that turns a stray PC into an UND exception. */
const A32_UDF = 0xe7f000f0;
const T16_UDF = 0xdefe;

/**
 * `count` random encodings of `isa`. Every vector returns to the resume address in SVC mode, in
 * the item's instruction set.
 */
export function v7aEdgeProgram(isa: 'a32' | 't32', seed: number, count: number): EdgeProgram {
  const r = new Rng(seed);
  const words: { name: string; word: number }[] = [];
  const scratchMid = V7A_DATA_BASE + V7A_DATA_SIZE / 2;
  const lines = [
    '.syntax unified', '.cpu cortex-a15', '.fpu neon-vfpv4', '.arm', '.text', '.global _start', '_start:',
    '  ldr r0, =vectors', '  mcr p15, 0, r0, c12, c0, 0',
    // CP10/CP11 full access and FPEXC.EN: VFP and NEON encodings execute.
    '  mov r0, #0xf00000', '  mcr p15, 0, r0, c1, c0, 2', '  isb', '  mov r0, #0x40000000', '  vmsr fpexc, r0',
    '  b begin',
    '.balign 32',
    'vectors:',
    ...Array.from({ length: 8 }, () => '  b handler'),
    'handler:',
    '  cps #0x13',
    `  ldr r12, =${hex(RESUME_SLOT)}`,
    '  ldr r12, [r12]',
    '  bx r12',
    // A stray PC reached an item's start out of turn (a PC loaded with a stored code address):
    // resume after the item that is running, whatever RESUME_SLOT says by now.
    'stray:',
    `  ldr r0, =${hex(ITEMS_STARTED)}`,
    '  ldr r1, [r0]',
    '  sub r1, r1, #1',
    '  ldr r12, =resume_table',
    '  ldr r12, [r12, r1, lsl #2]',
    '  bx r12',
    '.ltorg',
    'begin:',
  ];
  if (isa === 't32') lines.push('  ldr r0, =t32_begin', '  bx r0', '.ltorg', '.thumb', '.thumb_func', 't32_begin:');
  const pad = (): string => (isa === 'a32' ? `  .rept 8\n  .word ${hex(A32_UDF)}\n  .endr` : `  .rept 16\n  .short ${hex(T16_UDF)}\n  .endr`);
  for (let k = 0; k < count; k++) {
    let name: string;
    let word: number;
    if (isa === 'a32') {
      const uncond = r.int(5) === 0;
      const tp = r.pick(uncond ? A32_UNCOND_TEMPLATES : A32_TEMPLATES);
      name = tp.name;
      do word = fill(r, tp, uncond ? 0xf0000000 : 0xe0000000);
      while (unsurvivable(isa, word));
    } else {
      const tp = r.pick(T32_TEMPLATES);
      name = tp.name;
      do word = fill(r, tp, 0);
      while (unsurvivable(isa, word));
    }
    word = noPcFromOutside(isa, noMrrcToPc(isa, noMmuRegister(noPcRelativeStore(isa, noNarrowPcLoad(isa, smallPcWriteback(isa, word)))))) >>> 0;
    words.push({ name, word });
    const resume = `resume${k}`;
    lines.push(`item${k}: @ ${name}`);
    // SETEND LE and SVC mode first: the previous item may have left CPSR.E or User mode behind
    // (SVC #0 gets out of User mode through the handler, which resumes at the next line).
    // Each item runs once: one reached again (a backward branch) goes to `stray`.
    lines.push('  setend le', `  ldr r0, =${hex(ITEMS_STARTED)}`, '  ldr r1, [r0]', `  ldr r2, =${k}`, '  cmp r1, r2', '  beq 3f', '  ldr r0, =stray', '  bx r0', '3:', '  add r1, r1, #1', '  str r1, [r0]');
    lines.push(`  ldr r0, =${isa === 't32' ? `${resume}_svc+1` : `${resume}_svc`}`, `  ldr r1, =${hex(RESUME_SLOT)}`, '  str r0, [r1]', '  svc #0', `${resume}_svc:`);
    lines.push(`  ldr r0, =${isa === 't32' ? `${resume}+1` : resume}`, `  ldr r1, =${hex(RESUME_SLOT)}`, '  str r0, [r1]');
    lines.push(`  ldr r0, =${hex((r.int(16) << 28) >>> 0)}`, '  msr APSR_nzcvqg, r0');
    for (let i = 0; i <= 14; i++) {
      // Mostly word-aligned pointers around the middle of the scratch area, some unaligned.
      const v = scratchMid + (r.int(256) - 128) * 4 + (r.int(4) === 0 ? r.int(4) : 0);
      lines.push(`  ldr ${i === 13 ? 'sp' : `r${i}`}, =${hex(v)}`);
    }
    lines.push(isa === 'a32' ? '  b 1f' : '  b.w 1f', '  .ltorg', pad(), '1:');
    if (isa === 'a32') lines.push(`  .word ${hex(word)}`);
    else lines.push(`  .short ${hex(word >>> 16)}, ${hex(word & 0xffff)}`);
    lines.push(pad(), `${resume}:`);
  }
  // Checksum of the scratch area (rotate-and-add) in r0, then SYS_EXIT.
  lines.push(
    isa === 'a32' ? '  b 9f' : '  b.w 9f',
    '.ltorg',
    '9:',
    `  ldr r1, =${hex(V7A_DATA_BASE)}`,
    `  ldr r2, =${hex(V7A_DATA_BASE + V7A_DATA_SIZE)}`,
    '  movs r0, #0',
    '2:',
    '  ldr r3, [r1], #4',
    '  add r0, r3, r0, ror #27',
    '  cmp r1, r2',
    '  bne 2b',
    '  movs r0, #0x18',
    '  ldr r1, =0x20026',
    isa === 'a32' ? '  svc 0x123456' : '  svc 0xab',
    '.ltorg',
    '.balign 4',
    'resume_table:',
    ...Array.from({ length: count }, (_, k) => `  .word resume${k}${isa === 't32' ? '+1' : ''}`),
    '.data',
  );
  const data: string[] = [];
  for (let i = 0; i < V7A_DATA_SIZE; i += 4) data.push(hex(SCRATCH_FILL));
  for (let i = 0; i < data.length; i += 16) lines.push(`  .word ${data.slice(i, i + 16).join(', ')}`);
  return { source: lines.join('\n') + '\n', words };
}
