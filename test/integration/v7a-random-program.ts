/**
 * Seeded random programs for the ARMv7-A differential test against qemu-system-arm -M virt -cpu
 * cortex-a15: bare-metal ELFs at 0x40000000 made of many short sequences. Each sequence may switch
 * to another privileged mode (CPS; banked registers), sets
 * NZCVQ and GE, loads random values into r0-r12 and r14, then runs random instructions: data
 * processing (every operand-2 form, conditional), multiplies, media, loads/stores/LDM/STM/PUSH/POP
 * in a scratch area, forward branches, BL/BX returns, interworking calls, ALU writes to the PC and
 * SUBS/MOVS PC exception returns (SVC to SVC, flags and GE from SPSR), exclusives, SWP, LDRT/STRT,
 * MRS/MSR APSR and SETEND BE around data accesses.
 * The program ends with a checksum of the scratch area and a semihosting exit.
 *
 * Register roles (as in the Thumb generator): r8 byte base (any alignment), r9 word-aligned base
 * (LDRD/LDM/STM), r10 small index; destinations r0-r7, r11, r12; sp in its own stack area.
 */
import { Rng, thumbInstructions } from './cpu-random-program.js';

export { Rng };

export const V7A_RAM_BASE = 0x40000000;
export const V7A_DATA_BASE = 0x40100000;
export const V7A_DATA_SIZE = 0x8000;
const STACK_TOP = 0x40200000;

const DEST = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12];
const SRC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
const reg = (n: number): string => `r${n}`;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function modImm(r: Rng): number {
  const b = r.int(256);
  const rot = r.int(16) * 2;
  return (rot === 0 ? b : (b >>> rot) | (b << (32 - rot))) >>> 0;
}

function randomValue(r: Rng): number {
  switch (r.int(6)) {
    case 0:
      return r.int(41);
    case 1:
      return r.pick([0, 0x80000000, 0x7fffffff, 0xffffffff, 1, 0xffff8000, 0x8000, 0x80008000, 0x7fff7fff]);
    default:
      return r.next();
  }
}

/** Generates one or more lines; `cond` is '' or a condition to put on the (first) instruction. */
type Gen = (r: Rng, cond: string) => string[];

const pickDest = (r: Rng): string => reg(r.pick(DEST));
const pickSrc = (r: Rng): string => reg(r.pick(SRC));

// ---- shared by A32 and T32 (unified syntax, no condition in T32) -------------------------------

/** Multiplies and divides; `c` is the condition suffix (A32 only). */
function multiplyLine(r: Rng, c: string): string {
  const d = pickDest(r);
  const n = pickSrc(r);
  const m = pickSrc(r);
  const a = pickSrc(r);
  const lo = r.pick(DEST);
  const hi = reg(r.pick(DEST.filter((x) => x !== lo)));
  const xy = r.pick(['bb', 'bt', 'tb', 'tt']);
  switch (r.int(12)) {
    case 0:
      return `mul${c} ${d}, ${n}, ${m}`;
    case 1:
      return `${r.pick(['mla', 'mls'])}${c} ${d}, ${n}, ${m}, ${a}`;
    case 2:
      return `${r.pick(['umull', 'umlal', 'smull', 'smlal', 'umaal'])}${c} ${reg(lo)}, ${hi}, ${n}, ${m}`;
    case 3:
      return `smul${xy}${c} ${d}, ${n}, ${m}`;
    case 4:
      return `smla${xy}${c} ${d}, ${n}, ${m}, ${a}`;
    case 5:
      return `smlal${xy}${c} ${reg(lo)}, ${hi}, ${n}, ${m}`;
    case 6:
      return `${r.pick(['smulwb', 'smulwt'])}${c} ${d}, ${n}, ${m}`;
    case 7:
      return `${r.pick(['smlawb', 'smlawt'])}${c} ${d}, ${n}, ${m}, ${a}`;
    case 8:
      return `${r.pick(['smuad', 'smuadx', 'smusd', 'smusdx', 'smmul', 'smmulr'])}${c} ${d}, ${n}, ${m}`;
    case 9:
      return `${r.pick(['smlad', 'smladx', 'smlsd', 'smlsdx', 'smmla', 'smmlar', 'smmls', 'smmlsr'])}${c} ${d}, ${n}, ${m}, ${a}`;
    case 10:
      return `${r.pick(['smlald', 'smlaldx', 'smlsld', 'smlsldx'])}${c} ${reg(lo)}, ${hi}, ${n}, ${m}`;
    default:
      return `${r.pick(['sdiv', 'udiv'])}${c} ${d}, ${n}, ${m}`;
  }
}

const PARALLEL = ['s', 'q', 'sh', 'u', 'uq', 'uh'].flatMap((p) => ['add16', 'asx', 'sax', 'sub16', 'add8', 'sub8'].map((o) => p + o));

/**
 * Media instructions (saturating, parallel, packing, extends, reversals, bit fields). `arm`: A32,
 * where SSAT/USAT also take ASR #32.
 */
function mediaLine(r: Rng, c: string, arm: boolean): string {
  const d = pickDest(r);
  const n = pickSrc(r);
  const m = pickSrc(r);
  const rot = r.pick(['', ', ror #8', ', ror #16', ', ror #24']);
  switch (r.int(13)) {
    case 0:
      return `${r.pick(['qadd', 'qsub', 'qdadd', 'qdsub'])}${c} ${d}, ${m}, ${n}`;
    case 1:
    case 2:
      return `${r.pick(PARALLEL)}${c} ${d}, ${n}, ${m}`;
    case 3:
      return `sel${c} ${d}, ${n}, ${m}`;
    case 4:
      return r.bool() ? `pkhbt${c} ${d}, ${n}, ${m}, lsl #${r.int(32)}` : `pkhtb${c} ${d}, ${n}, ${m}, asr #${r.range(1, 32)}`;
    case 5: {
      const sh = r.bool() ? `, lsl #${r.int(32)}` : `, asr #${r.range(1, arm ? 32 : 31)}`;
      return r.bool() ? `ssat${c} ${d}, #${r.range(1, 32)}, ${n}${sh}` : `usat${c} ${d}, #${r.int(32)}, ${n}${sh}`;
    }
    case 6:
      return r.bool() ? `ssat16${c} ${d}, #${r.range(1, 16)}, ${n}` : `usat16${c} ${d}, #${r.int(16)}, ${n}`;
    case 7:
      return `${r.pick(['sxtb', 'sxth', 'uxtb', 'uxth', 'sxtb16', 'uxtb16'])}${c} ${d}, ${m}${rot}`;
    case 8:
      return `${r.pick(['sxtab', 'sxtah', 'uxtab', 'uxtah', 'sxtab16', 'uxtab16'])}${c} ${d}, ${n}, ${m}${rot}`;
    case 9:
      return `${r.pick(['rev', 'rev16', 'revsh', 'rbit', 'clz'])}${c} ${d}, ${m}`;
    case 10: {
      const lsb = r.int(32);
      const width = r.range(1, 32 - lsb);
      const which = r.int(4);
      if (which === 0) return `bfc${c} ${d}, #${lsb}, #${width}`;
      return `${['bfi', 'ubfx', 'sbfx'][which - 1]!}${c} ${d}, ${n}, #${lsb}, #${width}`;
    }
    case 11:
      return r.bool() ? `usad8${c} ${d}, ${n}, ${m}` : `usada8${c} ${d}, ${n}, ${m}, ${pickSrc(r)}`;
    default:
      return `${r.pick(['movw', 'movt'])}${c} ${d}, #${r.int(65536)}`;
  }
}

// ---- A32 only -------------------------------------------------------------------------------

function operand2(r: Rng): string {
  const m = pickSrc(r);
  switch (r.int(4)) {
    case 0:
      return `#${hex(modImm(r))}`;
    case 1:
      return m;
    case 2:
      switch (r.int(5)) {
        case 0:
          return `${m}, lsl #${r.range(1, 31)}`;
        case 1:
          return `${m}, lsr #${r.range(1, 32)}`;
        case 2:
          return `${m}, asr #${r.range(1, 32)}`;
        case 3:
          return `${m}, ror #${r.range(1, 31)}`;
        default:
          return `${m}, rrx`;
      }
    default:
      return `${m}, ${r.pick(['lsl', 'lsr', 'asr', 'ror'])} ${pickSrc(r)}`;
  }
}

const A32_GENS: Gen[] = [
  (r, c) => [`${r.pick(['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'orr', 'bic'])}${r.pick(['', 's'])}${c} ${pickDest(r)}, ${pickSrc(r)}, ${operand2(r)}`],
  (r, c) => [`${r.pick(['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'orr', 'bic'])}${r.pick(['', 's'])}${c} ${pickDest(r)}, ${pickSrc(r)}, ${operand2(r)}`],
  (r, c) => [`${r.pick(['tst', 'teq', 'cmp', 'cmn'])}${c} ${pickSrc(r)}, ${operand2(r)}`],
  (r, c) => [`${r.pick(['mov', 'mvn'])}${r.pick(['', 's'])}${c} ${pickDest(r)}, ${operand2(r)}`],
  (r, c) => [multiplyLine(r, c)],
  (r, c) => [multiplyLine(r, c)],
  (r, c) => [mediaLine(r, c, true)],
  (r, c) => [mediaLine(r, c, true)],
  (r, c) => [mediaLine(r, c, true)],
  // word/byte loads and stores through r8: 12-bit offset, pre/post-indexed, register offset
  (r, c) => {
    const ld = r.bool();
    const m = `${ld ? r.pick(['ldr', 'ldrb']) : r.pick(['str', 'strb'])}${c}`;
    const rt = ld ? pickDest(r) : reg(r.pick(SRC.filter((x) => x !== 8)));
    const sign = r.pick(['', '-']);
    switch (r.int(4)) {
      case 0:
        return [`${m} ${rt}, [r8, #${sign}${r.int(4096)}]`];
      case 1:
        return [`${m} ${rt}, [r8, #${sign}${r.range(1, 255)}]!`];
      case 2:
        return [`${m} ${rt}, [r8], #${sign}${r.range(1, 255)}`];
      default:
        return [`${m} ${rt}, [r8, ${sign}r10${r.pick(['', ', lsl #2', ', lsr #1', ', asr #1'])}]`];
    }
  },
  // halfword, signed byte: 8-bit offset or register
  (r, c) => {
    const ld = r.bool();
    const m = `${ld ? r.pick(['ldrh', 'ldrsb', 'ldrsh']) : 'strh'}${c}`;
    const rt = ld ? pickDest(r) : reg(r.pick(SRC.filter((x) => x !== 8)));
    const sign = r.pick(['', '-']);
    switch (r.int(4)) {
      case 0:
        return [`${m} ${rt}, [r8, #${sign}${r.int(256)}]`];
      case 1:
        return [`${m} ${rt}, [r8, #${sign}${r.range(1, 255)}]!`];
      case 2:
        return [`${m} ${rt}, [r8], #${sign}${r.range(1, 255)}`];
      default:
        return [`${m} ${rt}, [r8, ${sign}r10]`];
    }
  },
  // doubleword through r9 (Rt even, Rt2 = Rt + 1)
  (r, c) => {
    const rt = r.pick([0, 2, 4, 6]);
    const off = r.int(64) * 4;
    return [`${r.pick(['ldrd', 'strd'])}${c} ${reg(rt)}, ${reg(rt + 1)}, [r9, #${r.pick(['', '-'])}${off}]${r.pick(['', '!'])}`];
  },
  // exclusives through r9 (word-aligned), SWP/SWPB, unprivileged loads/stores through r8
  (r, c) => {
    const rt = r.pick([0, 2, 4, 6]);
    const rd = r.pick([1, 3, 5, 7, 11].filter((x) => x !== rt + 1));
    const size = r.pick(['', 'b', 'h', 'd']);
    const pair = size === 'd' ? `${reg(rt)}, ${reg(rt + 1)}` : reg(rt);
    // The doubleword forms need an 8-aligned address: r12 = r9 rounded down.
    const out: string[] = size === 'd' ? ['bic r12, r9, #7'] : [];
    const addr = size === 'd' ? '[r12]' : '[r9]';
    if (r.int(4) !== 0) out.push(`ldrex${size}${c} ${pair}, ${addr}`);
    if (r.int(5) === 0) out.push('clrex');
    out.push(`strex${size}${c} ${reg(rd)}, ${pair}, ${addr}`);
    return out;
  },
  (r, c) => {
    const rt = pickDest(r);
    switch (r.int(3)) {
      case 0:
        return [`${r.pick(['swp', 'swpb'])}${c} ${rt}, ${reg(r.pick(SRC.filter((x) => x !== 9)))}, [r9]`];
      case 1:
        return [`${r.pick(['ldrt', 'ldrbt'])}${c} ${rt}, [r8], #${r.pick(['', '-'])}${r.int(256)}`];
      default:
        return [`${r.pick(['strt', 'strbt'])}${c} ${reg(r.pick(SRC.filter((x) => x !== 8)))}, [r8], #${r.pick(['', '-'])}${r.int(256)}`];
    }
  },
  // status register access and hints
  (r, c) => {
    if (r.bool()) return [`mrs${c} ${pickDest(r)}, apsr`];
    return [`msr${c} ${r.pick(['APSR_nzcvq', 'APSR_g', 'APSR_nzcvqg'])}, ${pickSrc(r)}`];
  },
  // multiple through r9, push/pop
  (r, c) => {
    const list = [...new Set(DEST.filter(() => r.bool()))];
    if (list.length === 0) list.push(r.pick(DEST));
    const regs = list.map(reg).join(', ');
    if (r.int(3) === 0) return [`${r.pick(['push', 'pop'])}${c} {${regs}}`];
    return [`${r.pick(['ldm', 'stm'])}${r.pick(['ia', 'ib', 'da', 'db'])}${c} r9${r.pick(['', '!'])}, {${regs}}`];
  },
];

let labelCounter = 0;
const label = (): string => `.L${labelCounter++}`;

/** The generators that leave sp alone (bodies of subroutines that return through the stack). */
const A32_GENS_NO_STACK = A32_GENS.slice(0, -1);

/** One A32 data/memory instruction, conditional one time in four. */
function a32Plain(r: Rng, noStack = false): string {
  const cond = r.int(4) === 0 ? r.pick(CONDS) : '';
  return r.pick(noStack ? A32_GENS_NO_STACK : A32_GENS)(r, cond).join('\n  ');
}

/** Control flow: forward branches, BL + BX LR, interworking call into Thumb, ALU writes to PC. */
const A32_BRANCHES: ((r: Rng) => string[])[] = [
  (r) => {
    const l = label();
    const skipped = Array.from({ length: r.range(1, 3) }, () => a32Plain(r));
    return [`b${r.pick(['', ...CONDS])} ${l}`, ...skipped, `${l}:`];
  },
  (r) => {
    const sub = label();
    const after = label();
    const body = Array.from({ length: r.range(1, 2) }, () => a32Plain(r));
    return [`bl${r.pick(['', ...CONDS])} ${sub}`, `b ${after}`, `${sub}:`, ...body, 'bx lr', `${after}:`];
  },
  (r) => {
    // A subroutine returning through POP {..., pc} (LoadWritePC).
    const sub = label();
    const after = label();
    const body = Array.from({ length: r.range(1, 2) }, () => a32Plain(r, true));
    return [`bl ${sub}`, `b ${after}`, `${sub}:`, 'push {r4, lr}', ...body, 'pop {r4, pc}', `${after}:`];
  },
  (r) => {
    const sub = label();
    const after = label();
    const body = thumbInstructions(r, r.range(1, 2));
    // A local label is not a Thumb function symbol, so the literal gets its Thumb bit explicitly.
    return [`ldr r12, =${sub}+1`, `blx r12`, `b ${after}`, '.thumb', `${sub}:`, ...body, 'bx lr', '.arm', '.align 2', `${after}:`];
  },
  (r) => {
    // SUBS PC, LR / MOVS PC, LR: exception return to the same mode with SPSR's flags and GE.
    const l = label();
    const spsr = 0x1d3 | (r.int(32) << 27) | (r.int(16) << 16);
    const ret = r.bool() ? 'subs pc, lr, #0' : 'movs pc, lr';
    return [`ldr r12, =${hex(spsr)}`, 'msr spsr_fsxc, r12', `adr lr, ${l}`, ret, a32Plain(r), `${l}:`];
  },
  (r) => {
    // Other S forms with Rd = PC set the flags and branch (QEMU: only SUBS/MOVS return).
    const l = label();
    return [`adr r12, ${l}`, `${r.pick(['adds', 'orrs', 'eors'])} pc, r12, #0`, a32Plain(r), `${l}:`];
  },
  (r) => {
    // SETEND BE: the data accesses in between are big-endian; PLD/PLI are hints.
    return ['setend be', a32Plain(r), 'setend le', `${r.pick(['pld', 'pli'])} [r8, #${r.pick(['', '-'])}${r.int(4096)}]`];
  },
  (r) => {
    // ADD PC, PC, #0 skips the next instruction (PC reads as +8); MOV PC, Rm branches.
    const l = label();
    if (r.bool()) {
      let skipped: string;
      do skipped = a32Plain(r);
      while (skipped.includes('\n')); // exactly one instruction is skipped
      return [`add${r.pick(['', ...CONDS])} pc, pc, #0`, skipped];
    }
    return [`adr r12, ${l}`, `mov${r.pick(['', ...CONDS])} pc, r12`, a32Plain(r), `${l}:`];
  },
];

function a32Instructions(r: Rng, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (r.int(6) === 0) lines.push(...r.pick(A32_BRANCHES)(r));
    else lines.push(a32Plain(r));
  }
  return lines;
}

/** T32 control flow on A-profile: forward branches, CBZ, BL, interworking call into A32. */
const T32_BRANCHES: ((r: Rng) => string[])[] = [
  (r) => {
    const l = label();
    return [`b${r.pick(['', ...CONDS])}.w ${l}`, ...thumbInstructions(r, r.range(1, 2)), `${l}:`];
  },
  (r) => {
    const l = label();
    return [`${r.pick(['cbz', 'cbnz'])} ${reg(r.pick([0, 1, 2, 3, 4, 5, 6, 7]))}, ${l}`, 'nop', `${l}:`];
  },
  (r) => {
    const sub = label();
    const after = label();
    return [`bl ${sub}`, `b.w ${after}`, `${sub}:`, ...thumbInstructions(r, r.range(1, 2)), 'bx lr', `${after}:`];
  },
  (r) => {
    const sub = label();
    const after = label();
    const body = Array.from({ length: r.range(1, 2) }, () => (r.bool() ? multiplyLine(r, '') : mediaLine(r, '', false)));
    return [`bl ${sub}`, `b.w ${after}`, `${sub}:`, 'push {r4, lr}', ...body, 'pop {r4, pc}', `${after}:`];
  },
  (r) => {
    const sub = label();
    const after = label();
    const body = Array.from({ length: r.range(1, 2) }, () => a32Plain(r));
    return [`blx ${sub}`, `b.w ${after}`, '.arm', '.align 2', `${sub}:`, ...body, 'bx lr', '.thumb', `${after}:`];
  },
];

/** T32 status register access and SETEND around a data access. */
const T32_MISC: ((r: Rng) => string[])[] = [
  (r) => [`mrs ${pickDest(r)}, apsr`],
  (r) => [`msr ${r.pick(['APSR_nzcvq', 'APSR_g', 'APSR_nzcvqg'])}, ${pickSrc(r)}`],
  (r) => ['setend be', ...thumbInstructions(r, 1), 'setend le'],
];

function t32Instructions(r: Rng, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = r.int(9);
    if (k === 0) lines.push(...r.pick(T32_BRANCHES)(r));
    else if (k === 1) lines.push(multiplyLine(r, ''));
    else if (k === 2) lines.push(mediaLine(r, '', false));
    else if (k === 3) lines.push(...r.pick(T32_MISC)(r));
    else lines.push(...thumbInstructions(r, 1));
  }
  return lines;
}

export interface V7aProgram {
  source: string;
  sequences: number;
}

/**
 * A complete program in A32 (`isa` 'a32') or T32 ('t32'; entered from an A32 stub): `count`
 * sequences of about `perSequence` random instructions, a checksum loop, semihosting exit.
 */
export function v7aRandomProgram(isa: 'a32' | 't32', seed: number, count: number, perSequence: number): V7aProgram {
  const r = new Rng(seed);
  labelCounter = 0;
  const lines = ['.syntax unified', '.cpu cortex-a15', '.arm', '.text', '.global _start', '_start:'];
  if (isa === 't32') lines.push('  ldr r0, =t32_start', '  bx r0', '.ltorg', '.thumb', '.thumb_func', 't32_start:');
  for (let k = 0; k < count; k++) {
    lines.push(`seq${k}:`);
    // A third of the sequences run in another privileged mode (banked sp, lr, SPSR; r8-r12 in FIQ).
    // Not User (no way back) nor System (no SPSR for the SUBS PC sequences).
    if (k > 0 && r.int(3) === 0) lines.push(`  cps #${hex(r.pick([0x11, 0x12, 0x13, 0x17, 0x1b]))}`);
    lines.push(`  ldr r0, =${hex(STACK_TOP - r.int(16) * 4)}`, '  mov sp, r0');
    lines.push(`  ldr r0, =${hex((r.int(32) << 27) | (r.int(16) << 16))}`, '  msr APSR_nzcvqg, r0');
    for (let i = 0; i <= 14; i++) {
      if (i === 13) continue;
      let v = randomValue(r);
      if (i === 8) v = V7A_DATA_BASE + 0x2000 + r.int(0x100);
      if (i === 9) v = V7A_DATA_BASE + 0x5000 + r.int(0x40) * 4;
      if (i === 10) v = r.int(64);
      lines.push(`  ldr r${i}, =${hex(v)}`);
    }
    const body = isa === 'a32' ? a32Instructions(r, perSequence) : t32Instructions(r, perSequence);
    lines.push(...body.map((l) => (l.endsWith(':') || l.startsWith('.') ? l : `  ${l}`)));
    lines.push(isa === 'a32' ? '  b 1f' : '  b.w 1f', '  .ltorg', '1:');
  }
  // Checksum of the scratch area (rotate-and-add), then SYS_EXIT(ADP_Stopped_ApplicationExit).
  lines.push(
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
    '.data',
  );
  const words: string[] = [];
  for (let i = 0; i < V7A_DATA_SIZE; i += 4) words.push(hex(r.next()));
  for (let i = 0; i < words.length; i += 16) lines.push(`  .word ${words.slice(i, i + 16).join(', ')}`);
  return { source: lines.join('\n') + '\n', sequences: count };
}
