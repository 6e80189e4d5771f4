/**
 * Seeded generator of random Thumb-2 instruction sequences for differential testing against QEMU.
 * Each sequence resets every register, the stack pointer and the flags, then runs a few random
 * data-processing / multiply / shift / bitfield / saturate / load-store instructions, sometimes
 * inside an IT block. Memory accesses go through base registers that stay inside a data area:
 *   r8  byte/half/word base (may drift through writeback, any alignment)
 *   r9  word-aligned base for LDRD/STRD/LDM/STM/exclusives
 *   r10 small index (0..63) for register-offset forms
 * Destinations are drawn from r0-r7, r11, r12 so the bases stay valid.
 */

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bool(): boolean {
    return (this.next() & 1) === 1;
  }
}

const LOW = [0, 1, 2, 3, 4, 5, 6, 7];
const DEST = [0, 1, 2, 3, 4, 5, 6, 7, 11, 12];
const SRC = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const reg = (n: number): string => `r${n}`;
const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
const INVERSE: Record<string, string> = {
  eq: 'ne', ne: 'eq', cs: 'cc', cc: 'cs', mi: 'pl', pl: 'mi', vs: 'vc', vc: 'vs',
  hi: 'ls', ls: 'hi', ge: 'lt', lt: 'ge', gt: 'le', le: 'gt',
};

/** One instruction: mnemonic, width qualifier and operands, so a condition can be inserted. */
interface Insn {
  m: string;
  q: string;
  ops: string;
  /** Not encodable inside an IT block. */
  noIt?: boolean;
}
type Gen = (r: Rng) => Insn | Insn[];

function modImm(r: Rng): number {
  const b = r.int(256);
  switch (r.int(5)) {
    case 0:
      return b;
    case 1:
      return ((b << 16) | b) >>> 0;
    case 2:
      return ((b << 24) | (b << 8)) >>> 0;
    case 3:
      return (b * 0x01010101) >>> 0;
    default: {
      const unrot = 0x80 | r.int(128);
      const rot = r.range(8, 31);
      return ((unrot >>> rot) | (unrot << (32 - rot))) >>> 0;
    }
  }
}

function shiftSuffix(r: Rng): string {
  switch (r.int(6)) {
    case 0:
      return '';
    case 1:
      return `, lsl #${r.range(0, 31)}`;
    case 2:
      return `, lsr #${r.range(1, 32)}`;
    case 3:
      return `, asr #${r.range(1, 32)}`;
    case 4:
      return `, ror #${r.range(1, 31)}`;
    default:
      return ', rrx';
  }
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
const s = (r: Rng): string => (r.bool() ? 's' : '');

const GENS: Gen[] = [
  // 32-bit data processing, shifted register
  (r) => ({
    m: r.pick(['and', 'orr', 'eor', 'bic', 'orn', 'add', 'adc', 'sub', 'sbc', 'rsb']) + s(r),
    q: '.w',
    ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}${shiftSuffix(r)}`,
  }),
  // 32-bit data processing, modified immediate
  (r) => ({
    m: r.pick(['and', 'orr', 'eor', 'bic', 'orn', 'add', 'adc', 'sub', 'sbc', 'rsb']) + s(r),
    q: '.w',
    ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, #${hex(modImm(r))}`,
  }),
  (r) => ({ m: r.pick(['tst', 'teq', 'cmp', 'cmn']), q: '.w', ops: `${reg(r.pick(SRC))}, #${hex(modImm(r))}` }),
  (r) => ({
    m: r.pick(['tst', 'teq', 'cmp', 'cmn']),
    q: '.w',
    ops: `${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}${shiftSuffix(r)}`,
  }),
  (r) => ({ m: r.pick(['mov', 'mvn']) + s(r), q: '.w', ops: `${reg(r.pick(DEST))}, #${hex(modImm(r))}` }),
  (r) => ({ m: 'mvn' + s(r), q: '.w', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}${shiftSuffix(r)}` }),
  (r) => ({
    m: r.pick(['lsl', 'lsr', 'asr', 'ror']) + s(r),
    q: '.w',
    ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}`,
  }),
  (r) => ({ m: r.pick(['addw', 'subw']), q: '', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, #${r.int(4096)}` }),
  (r) => ({ m: r.pick(['movw', 'movt']), q: '', ops: `${reg(r.pick(DEST))}, #${r.int(65536)}` }),
  // 16-bit forms
  (r) => ({ m: r.pick(['adds', 'subs']), q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}, #${r.int(8)}` }),
  (r) => ({ m: r.pick(['adds', 'subs', 'movs']), q: '', ops: `${reg(r.pick(LOW))}, #${r.int(256)}` }),
  (r) => ({ m: 'cmp', q: '', ops: `${reg(r.pick(LOW))}, #${r.int(256)}` }),
  (r) => ({ m: r.pick(['adds', 'subs']), q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}` }),
  (r) => ({
    m: r.pick(['ands', 'eors', 'lsls', 'lsrs', 'asrs', 'adcs', 'sbcs', 'rors', 'orrs', 'bics', 'mvns']),
    q: '',
    ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}`,
  }),
  (r) => ({ m: r.pick(['tst', 'cmp', 'cmn']), q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}` }),
  (r) => ({ m: 'rsbs', q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}, #0` }),
  (r) => {
    const d = r.pick(LOW);
    return { m: 'muls', q: '', ops: `${reg(d)}, ${reg(r.pick(LOW))}, ${reg(d)}`, noIt: true };
  },
  (r) => ({ m: r.pick(['lsls', 'lsrs', 'asrs']), q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}, #${r.range(1, 31)}` }),
  (r) => {
    const d = r.pick(DEST);
    return { m: 'add', q: '', ops: `${reg(d)}, ${reg(r.pick(SRC))}` };
  },
  (r) => ({ m: 'mov', q: '', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}` }),
  (r) => ({ m: 'cmp', q: '', ops: `${reg(r.pick([8, 9, 10, 11, 12]))}, ${reg(r.pick(SRC))}` }),
  // multiplies and divides
  (r) => ({ m: 'mul', q: '', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}` }),
  (r) => ({
    m: r.pick(['mla', 'mls']),
    q: '',
    ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}`,
  }),
  (r) => {
    const lo = r.pick(DEST);
    const hi = r.pick(DEST.filter((x) => x !== lo));
    return {
      m: r.pick(['umull', 'smull', 'umlal', 'smlal']),
      q: '',
      ops: `${reg(lo)}, ${reg(hi)}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}`,
    };
  },
  (r) => ({ m: r.pick(['sdiv', 'udiv']), q: '', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, ${reg(r.pick(SRC))}` }),
  // bitfield, bit and byte operations, extends
  (r) => {
    const lsb = r.int(32);
    const width = r.range(1, 32 - lsb);
    const which = r.int(4);
    if (which === 0) return { m: 'bfc', q: '', ops: `${reg(r.pick(DEST))}, #${lsb}, #${width}` };
    return {
      m: ['bfi', 'ubfx', 'sbfx'][which - 1]!,
      q: '',
      ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}, #${lsb}, #${width}`,
    };
  },
  (r) => ({ m: r.pick(['clz', 'rbit', 'rev', 'rev16', 'revsh']), q: '.w', ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}` }),
  (r) => ({ m: r.pick(['rev', 'rev16', 'revsh', 'sxtb', 'sxth', 'uxtb', 'uxth']), q: '', ops: `${reg(r.pick(LOW))}, ${reg(r.pick(LOW))}` }),
  (r) => ({
    m: r.pick(['sxtb', 'sxth', 'uxtb', 'uxth']),
    q: '.w',
    ops: `${reg(r.pick(DEST))}, ${reg(r.pick(SRC))}${r.pick(['', ', ror #8', ', ror #16', ', ror #24'])}`,
  }),
  (r) => {
    const sh = r.bool() ? `, lsl #${r.int(32)}` : `, asr #${r.range(1, 31)}`;
    return r.bool()
      ? { m: 'ssat', q: '', ops: `${reg(r.pick(DEST))}, #${r.range(1, 32)}, ${reg(r.pick(SRC))}${sh}` }
      : { m: 'usat', q: '', ops: `${reg(r.pick(DEST))}, #${r.range(0, 31)}, ${reg(r.pick(SRC))}${sh}` };
  },
  // loads and stores through r8 (any alignment)
  (r) => {
    const ld = r.bool();
    const m = ld ? r.pick(['ldr', 'ldrb', 'ldrh', 'ldrsb', 'ldrsh']) : r.pick(['str', 'strb', 'strh']);
    const rt = ld ? r.pick(DEST) : r.pick(SRC.filter((x) => x !== 8));
    switch (r.int(5)) {
      case 0:
        return { m, q: '.w', ops: `${reg(rt)}, [r8, #${r.int(4096)}]` };
      case 1:
        return { m, q: '', ops: `${reg(rt)}, [r8, #-${r.range(1, 255)}]` };
      case 2:
        return { m, q: '', ops: `${reg(rt)}, [r8, #${r.pick(['', '-'])}${r.range(1, 255)}]!` };
      case 3:
        return { m, q: '', ops: `${reg(rt)}, [r8], #${r.pick(['', '-'])}${r.range(1, 255)}` };
      default:
        return { m, q: '.w', ops: `${reg(rt)}, [r8, r10, lsl #${r.int(4)}]` };
    }
  },
  (r) => {
    const ld = r.bool();
    const m = ld ? r.pick(['ldrt', 'ldrbt', 'ldrht', 'ldrsbt', 'ldrsht']) : r.pick(['strt', 'strbt', 'strht']);
    return { m, q: '', ops: `${reg(ld ? r.pick(DEST) : r.pick(SRC))}, [r8, #${r.int(256)}]` };
  },
  (r) => ({ m: r.pick(['pld', 'pli']), q: '', ops: `[r8, #${r.int(4096)}]` }),
  // 16-bit loads/stores: copy r8 into a low base register first
  (r) => {
    const base = r.pick(LOW);
    const rt = r.pick(LOW.filter((x) => x !== base));
    const [m, scale] = r.pick([
      ['ldr', 4], ['str', 4], ['ldrb', 1], ['strb', 1], ['ldrh', 2], ['strh', 2],
    ] as const);
    return [
      { m: 'mov', q: '', ops: `${reg(base)}, r8` },
      { m, q: '', ops: `${reg(rt)}, [${reg(base)}, #${r.int(32) * scale}]` },
    ];
  },
  (r) => {
    const base = r.pick(LOW);
    const idx = r.pick(LOW.filter((x) => x !== base));
    const rt = r.pick(LOW.filter((x) => x !== base && x !== idx));
    return [
      { m: 'mov', q: '', ops: `${reg(base)}, r8` },
      { m: 'movs', q: '', ops: `${reg(idx)}, #${r.int(64)}`, noIt: true },
      { m: r.pick(['ldr', 'str', 'ldrb', 'strb', 'ldrh', 'strh', 'ldrsb', 'ldrsh']), q: '', ops: `${reg(rt)}, [${reg(base)}, ${reg(idx)}]` },
    ];
  },
  // r9-based: dual, multiple, exclusive
  (r) => {
    const rt = r.pick(DEST);
    const rt2 = r.pick(DEST.filter((x) => x !== rt));
    const m = r.pick(['ldrd', 'strd']);
    const off = r.int(256) * 4;
    switch (r.int(3)) {
      case 0:
        return { m, q: '', ops: `${reg(rt)}, ${reg(rt2)}, [r9, #${r.pick(['', '-'])}${off}]` };
      case 1:
        return { m, q: '', ops: `${reg(rt)}, ${reg(rt2)}, [r9, #${r.pick(['', '-'])}${off}]!` };
      default:
        return { m, q: '', ops: `${reg(rt)}, ${reg(rt2)}, [r9], #${r.pick(['', '-'])}${off}` };
    }
  },
  (r) => {
    const list = DEST.filter(() => r.bool());
    if (list.length < 2) list.push(0, 1);
    const uniq = [...new Set(list)].sort((a, b) => a - b).map(reg).join(', ');
    const m = r.pick(['ldmia', 'ldmdb', 'stmia', 'stmdb']);
    return { m, q: '.w', ops: `r9${r.bool() ? '!' : ''}, {${uniq}}` };
  },
  (r) => {
    const list = [...new Set(LOW.filter(() => r.bool()))];
    if (list.length === 0) list.push(3);
    const push = r.bool();
    return { m: push ? 'push' : 'pop', q: '', ops: `{${list.map(reg).join(', ')}}` };
  },
  (r) => {
    const off = r.int(16) * 4;
    const rt = r.pick(DEST);
    const rd = r.pick(DEST.filter((x) => x !== rt));
    const size = r.pick(['', 'b', 'h']);
    const addr = size === '' ? `[r9, #${off}]` : '[r9]';
    const out: Insn[] = [];
    if (r.int(4) !== 0) out.push({ m: `ldrex${size}`, q: '', ops: `${reg(r.pick(DEST))}, ${addr}`, noIt: true });
    if (r.int(5) === 0) out.push({ m: 'clrex', q: '', ops: '', noIt: true });
    out.push({ m: `strex${size}`, q: '', ops: `${reg(rd)}, ${reg(rt)}, ${addr}`, noIt: true });
    return out;
  },
];

function one(r: Rng): Insn[] {
  const g = r.pick(GENS)(r);
  return Array.isArray(g) ? g : [g];
}

function format(i: Insn, cond = ''): string {
  return `  ${i.m}${cond}${i.q} ${i.ops}`;
}

function randomValue(r: Rng): number {
  switch (r.int(6)) {
    case 0:
      return r.int(41);
    case 1:
      return r.pick([0, 0x80000000, 0x7fffffff, 0xffffffff, 1, 0xffff8000, 0x8000]);
    default:
      return r.next();
  }
}

/** An IT block of 1-4 single-instruction, IT-compatible instructions. */
function itBlock(r: Rng): string[] {
  const n = r.range(1, 4);
  const cond = r.pick(CONDS);
  let pattern = '';
  const conds = [cond];
  for (let i = 1; i < n; i++) {
    const t = r.bool();
    pattern += t ? 't' : 'e';
    conds.push(t ? cond : INVERSE[cond]!);
  }
  const lines = [`  it${pattern} ${cond}`];
  for (let i = 0; i < n; i++) {
    let insn: Insn[];
    do insn = one(r);
    while (insn.length !== 1 || insn[0]!.noIt);
    lines.push(format(insn[0]!, conds[i]!));
  }
  return lines;
}

/**
 * About `count` random Thumb-2 instruction lines (IT blocks included) using the register roles
 * above (r8/r9/r10 bases, destinations r0-r7, r11, r12). Shared with the A-profile T32 test.
 */
export function thumbInstructions(r: Rng, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; ) {
    if (r.int(8) === 0) {
      const block = itBlock(r);
      lines.push(...block);
      i += block.length;
    } else {
      const insns = one(r);
      for (const x of insns) lines.push(format(x));
      i += insns.length;
    }
  }
  return lines;
}

export interface Program {
  source: string;
  sequences: number;
}

export const DATA_BASE = 0x20000000;
export const DATA_SIZE = 0x8000;

/** A complete firmware: vector table, `count` random sequences, semihosting exit. */
export function randomProgram(seed: number, count: number, perSequence: number): Program {
  const r = new Rng(seed);
  const lines: string[] = [
    '.syntax unified',
    '.cpu cortex-m3',
    '.thumb',
    '.section .vectors',
    '.word 0x20010000',
    '.word reset+1',
    ...Array.from({ length: 14 }, () => '.word fault+1'),
    '.text',
    '.thumb_func',
    'reset:',
  ];
  for (let k = 0; k < count; k++) {
    lines.push(`seq${k}:`, '  ldr r0, =0x20010000', '  mov sp, r0');
    lines.push(`  ldr r0, =${hex(r.int(32) << 27)}`, '  msr APSR_nzcvq, r0');
    for (let i = 0; i <= 12; i++) {
      let v = randomValue(r);
      if (i === 8) v = 0x20002000 + r.int(0x100);
      if (i === 9) v = 0x20005000 + r.int(0x40) * 4;
      if (i === 10) v = r.int(64);
      lines.push(`  ldr r${i}, =${hex(v)}`);
    }
    lines.push(...thumbInstructions(r, perSequence));
    lines.push(`  b 1f`, '  .ltorg', '1:');
  }
  lines.push(
    '  movs r0, #0x18',
    '  ldr r1, =0x20026',
    '  bkpt 0xab',
    '.thumb_func',
    'fault:',
    '  movs r0, #0x18',
    '  movs r1, #1',
    '  bkpt 0xab',
    '.ltorg',
    '.data',
  );
  const bytes: string[] = [];
  for (let i = 0; i < DATA_SIZE; i += 4) bytes.push(hex(r.next()));
  for (let i = 0; i < bytes.length; i += 16) lines.push(`  .word ${bytes.slice(i, i + 16).join(', ')}`);
  return { source: lines.join('\n') + '\n', sequences: count };
}
