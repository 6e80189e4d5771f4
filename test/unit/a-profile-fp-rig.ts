/**
 * A rig for the A-profile VFP/NEON rows before (and independently of) the A32 interpreter:
 * instructions are assembled by arm-none-eabi-gcc for a Cortex-A15 (A32 or T32), each word is
 * decoded by the row list under test (first match wins, as in the decode tables) and its handler
 * runs on a Cpu with a 64-word FP register file and a StubSystem (FP always enabled).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CpuState } from '../../src/emulator/cpu/state.js';
import { Cpu } from '../../src/emulator/cpu/cpu.js';
import { CORTEX_M4 } from '../../src/emulator/cpu/profile.js';
import type { Encoding } from '../../src/emulator/cpu/decode-table.js';
import type { Handler } from '../../src/emulator/cpu/t16.js';
import { StubSystem } from './cpu-harness.js';

export const RAM = 0x20000000;

let dir: string | null = null;
let n = 0;

/** Assemble instructions (one per line) and return their 32-bit words (T32: hw1 << 16 | hw2). */
export function assemble(lines: string, isa: 'arm' | 'thumb'): number[] {
  dir ??= mkdtempSync(join(tmpdir(), 'armrr-fp-'));
  const base = join(dir, `a${n++}`);
  writeFileSync(`${base}.S`, `.syntax unified\n.cpu cortex-a15\n.fpu neon-vfpv4\n.${isa}\n.text\n${lines}\n`);
  const cc = spawnSync('arm-none-eabi-gcc', ['-c', '-mcpu=cortex-a15', '-mfpu=neon-vfpv4', '-mfloat-abi=hard', `${base}.S`, '-o', `${base}.o`], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`assembler failed:\n${cc.stderr}`);
  const oc = spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', `${base}.o`, `${base}.bin`], { encoding: 'utf8' });
  if (oc.status !== 0) throw new Error(`objcopy failed:\n${oc.stderr}`);
  const buf = readFileSync(`${base}.bin`);
  const words: number[] = [];
  for (let i = 0; i < buf.length; i += 4) {
    words.push(isa === 'arm' ? buf.readUInt32LE(i) | 0 : ((buf.readUInt16LE(i) << 16) | buf.readUInt16LE(i + 2)) | 0);
  }
  return words;
}

export interface FpRig {
  cpu: Cpu;
  state: CpuState;
  bus: Bus;
  sys: StubSystem;
}

export function makeFpRig(): FpRig {
  const bus = new Bus([{ name: 'ram', base: RAM, size: 1 << 20 }]);
  const state = new CpuState(64);
  const cpu = new Cpu(state, bus, new VirtualClock(0), CORTEX_M4);
  const sys = new StubSystem(cpu);
  cpu.sys = sys;
  return { cpu, state, bus, sys };
}

/** The row a word decodes to (first match), or null. */
export function decode(rows: readonly Encoding<Handler>[], word: number): Encoding<Handler> | null {
  for (const r of rows) if ((word & r.mask) === r.match) return r;
  return null;
}

/** Execute words in order; returns the row names used. An unmatched word throws. */
export function execute(rig: FpRig, rows: readonly Encoding<Handler>[], words: number[], isa: 'arm' | 'thumb' = 'arm'): string[] {
  const names: string[] = [];
  let pc = 0x1000;
  for (const w of words) {
    const row = decode(rows, w);
    if (row === null) throw new Error(`no row for ${(w >>> 0).toString(16)}`);
    names.push(row.name);
    rig.cpu.pc = pc;
    rig.cpu.nextPc = pc + 4;
    rig.cpu.r[15] = pc + (isa === 'arm' ? 8 : 4);
    row.extract(w, row.args);
    row.exec(rig.cpu, row.args);
    pc += 4;
  }
  return names;
}

/** d<n> as a BigInt and set from one. */
export function getD(st: CpuState, d: number): bigint {
  return (BigInt(st.s[2 * d + 1]! >>> 0) << 32n) | BigInt(st.s[2 * d]! >>> 0);
}
export function setD(st: CpuState, d: number, v: bigint): void {
  st.s[2 * d] = Number(v & 0xffffffffn) | 0;
  st.s[2 * d + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
}
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
export const bitsOfDouble = (x: number): bigint => {
  f64[0] = x;
  return u64[0]!;
};
export const doubleOfBits = (b: bigint): number => {
  u64[0] = b;
  return f64[0]!;
};
