/**
 * Runs single A32 instructions from the data-processing, multiply and media tables: the words are
 * assembled by arm-none-eabi-gcc (`-marm -mcpu=cortex-a15`), each is executed on a Cpu with the A32
 * conventions of the decode-table interface (condition checked first, r15 = instruction + 8,
 * `nextPc` = instruction + 4). The core's own A32 loop is not needed, so the rows are tested on
 * their own; the stub system records UNDEFINED and the PC-writing hooks record their targets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elfSegments, makeRig, u32 } from './cpu-harness.js';
import type { Rig } from './cpu-harness.js';
import { A32_DATAPROC_ROWS } from '../../src/emulator/cpu/a32-dataproc.js';
import { A32_MULTIPLY_ROWS } from '../../src/emulator/cpu/a32-multiply.js';
import { A32_MEDIA_ROWS } from '../../src/emulator/cpu/a32-media.js';
import type { Encoding, Fields } from '../../src/emulator/cpu/decode-table.js';
import type { Handler } from '../../src/emulator/cpu/t16.js';
import { conditionPassed } from '../../src/emulator/cpu/alu.js';
import { Rng as SequenceRng } from '../integration/cpu-random-program.js';

export const A32_ROWS: readonly Encoding<Handler>[] = [...A32_DATAPROC_ROWS, ...A32_MULTIPLY_ROWS, ...A32_MEDIA_ROWS];

let workDir: string | null = null;
let counter = 0;

/** Assemble A32 lines (one instruction each) and return their words in order. */
export function assembleA32(lines: readonly string[]): number[] {
  workDir ??= mkdtempSync(join(tmpdir(), 'armrr-a32-'));
  const base = join(workDir, `a${counter++}`);
  writeFileSync(`${base}.S`, `.syntax unified\n.arm\n.text\n.global _start\n_start:\n${lines.map((l) => `  ${l}\n`).join('')}`);
  const cc = spawnSync(
    'arm-none-eabi-gcc',
    ['-marm', '-mcpu=cortex-a15', '-nostdlib', '-Ttext=0', `${base}.S`, '-o', `${base}.elf`],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`assembler failed:\n${cc.stderr}`);
  const text = elfSegments(readFileSync(`${base}.elf`))[0]!;
  const view = new DataView(text.data.buffer, text.data.byteOffset, text.data.byteLength);
  if (text.data.byteLength !== lines.length * 4) throw new Error(`expected ${lines.length} A32 words, got ${text.data.byteLength} bytes`);
  return lines.map((_, i) => view.getUint32(i * 4, true) | 0);
}

/** The first row matching `insn`, or null (UNDEFINED for these tables). */
export function decodeA32(insn: number): Encoding<Handler> | null {
  for (const e of A32_ROWS) if ((insn & e.mask) === e.match) return e;
  return null;
}

export interface A32Result {
  /** Registers after the instruction (r15 = where execution continues). */
  r: number[];
  n: number;
  z: number;
  c: number;
  v: number;
  q: number;
  ge: number;
  /** 'undef', 'alu-write-pc', 'exception-return', 'branch' or '' (fell through). */
  event: string;
  /** Target of the PC write, if any. */
  target: number;
}

export const INSN_ADDR = 0x1000;

export class A32Rig {
  readonly rig: Rig = makeRig();
  private event = '';
  private target = 0;

  constructor() {
    const cpu = this.rig.cpu;
    cpu.aluWritePc = (v: number): void => {
      this.event = 'alu-write-pc';
      this.target = v >>> 0;
      cpu.nextPc = v & ~1;
    };
    cpu.returnFromException = (v: number): void => {
      this.event = 'exception-return';
      this.target = v >>> 0;
      cpu.nextPc = v;
    };
    const branchTo = cpu.branchTo.bind(cpu);
    cpu.branchTo = (v: number): void => {
      this.event = 'branch';
      this.target = v >>> 0;
      branchTo(v);
    };
  }

  /**
   * Execute `insn` at INSN_ADDR with registers `regs` (r0-r14) and flags NZCVQ from `apsr` bits
   * 31:27, GE from `ge`.
   */
  run(insn: number, regs: readonly number[], apsr = 0, ge = 0): A32Result {
    const { cpu, state, sys } = this.rig;
    for (let i = 0; i < 15; i++) state.r[i] = regs[i] ?? 0;
    state.setApsr(apsr);
    state.ge = ge;
    sys.events.length = 0;
    this.event = '';
    this.target = 0;
    cpu.pc = INSN_ADDR;
    cpu.insn = insn;
    cpu.nextPc = INSN_ADDR + 4;
    state.r[15] = INSN_ADDR + 8;
    if (conditionPassed(state, insn >>> 28)) {
      const e = decodeA32(insn);
      if (e === null) {
        cpu.undefined();
      } else {
        const args: Fields = {};
        e.extract(insn, args);
        e.exec(cpu, args);
      }
    }
    if (sys.events.some((ev) => ev.kind === 'undef')) this.event = 'undef';
    else state.r[15] = cpu.nextPc;
    const apsrOut = state.getApsr();
    return {
      r: Array.from(state.r, u32),
      n: (apsrOut >>> 31) & 1,
      z: (apsrOut >>> 30) & 1,
      c: (apsrOut >>> 29) & 1,
      v: (apsrOut >>> 28) & 1,
      q: (apsrOut >>> 27) & 1,
      ge: state.ge,
      event: this.event,
      target: this.target,
    };
  }
}

/** The random tests' generator (mulberry32) with operand values that favour the edge cases. */
export class Rng extends SequenceRng {
  /** A 32-bit value, often an edge value (0, ±1, INT_MIN/MAX, halfword/byte boundaries). */
  word(): number {
    const EDGES = [0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x8000, 0x7fff, 0xffff, 0x10000, 0x80008000, 0x7fff7fff, 0xff, 0x80, 0x7f807f80];
    const k = this.int(4);
    if (k === 0) return EDGES[this.int(EDGES.length)]!;
    if (k === 1) return this.int(64);
    return this.next();
  }
}
