/**
 * Test harness for the ISA: assembles real Thumb code with arm-none-eabi-gcc, loads the ELF's
 * segments into a small Bus, and runs it on a Cpu with a recording stub CpuSystem.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CpuState } from '../../src/emulator/cpu/state.js';
import { Cpu } from '../../src/emulator/cpu/cpu.js';
import type { CpuSystem } from '../../src/emulator/cpu/system.js';
import { CORTEX_M3, CORTEX_M4, type CoreProfile } from '../../src/emulator/cpu/profile.js';

export const CODE_BASE = 0x00000000;
export const RAM_BASE = 0x20000000;

const LINKER_SCRIPT = `
MEMORY { FLASH (rx) : ORIGIN = 0x0, LENGTH = 1M  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 1M }
SECTIONS { .text : { *(.vectors) *(.text*) } > FLASH  .data : { *(.data*) } > RAM }
`;

export interface Segment {
  addr: number;
  data: Uint8Array;
}

export interface Image {
  elfPath: string;
  segments: Segment[];
  symbols: Map<string, number>;
}

let workDir: string | null = null;
let counter = 0;

/** gcc CPU flags per core: the M4 gets the FPv4-SP hard-float configuration the firmware uses. */
const CPU_FLAGS: Partial<Record<CoreProfile['name'], string[]>> = {
  'cortex-m3': ['-mcpu=cortex-m3'],
  'cortex-m4': ['-mcpu=cortex-m4', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard'],
};

function mProfileFlags(profile: CoreProfile): string[] {
  const flags = CPU_FLAGS[profile.name];
  if (flags === undefined) throw new Error(`assembleElf builds M-profile Thumb programs; ${profile.name} is not one`);
  return flags;
}

/** Assemble a complete .S source (with its own sections) into an ELF. */
export function assembleElf(source: string, profile: CoreProfile = CORTEX_M3): Image {
  workDir ??= mkdtempSync(join(tmpdir(), 'armrr-cpu-'));
  const base = join(workDir, `t${counter++}`);
  writeFileSync(`${base}.S`, source);
  writeFileSync(`${base}.ld`, LINKER_SCRIPT);
  const cc = spawnSync(
    'arm-none-eabi-gcc',
    [...mProfileFlags(profile), '-mthumb', '-nostdlib', '-T', `${base}.ld`, `${base}.S`, '-o', `${base}.elf`],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`assembler failed:\n${cc.stderr}`);
  const nm = spawnSync('arm-none-eabi-nm', [`${base}.elf`], { encoding: 'utf8' });
  const symbols = new Map<string, number>();
  for (const line of nm.stdout.split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line.trim());
    if (m) symbols.set(m[2]!, parseInt(m[1]!, 16));
  }
  return { elfPath: `${base}.elf`, segments: elfSegments(readFileSync(`${base}.elf`)), symbols };
}

/** Assemble a snippet of Thumb code placed at 0 (no vector table), ending at symbol `end`. */
export function assembleSnippet(body: string, profile: CoreProfile = CORTEX_M3): Image {
  const cpu = profile.fpu ? `.cpu ${profile.name}\n.fpu fpv4-sp-d16\n` : `.cpu ${profile.name}\n`;
  return assembleElf(`.syntax unified\n${cpu}.thumb\n.text\n.global _start\n_start:\n${body}\nend:\n  bkpt #0x42\n.pool\n`, profile);
}

/** PT_LOAD segments of a little-endian ELF32. */
export function elfSegments(buf: Buffer): Segment[] {
  const phoff = buf.readUInt32LE(28);
  const phentsize = buf.readUInt16LE(42);
  const phnum = buf.readUInt16LE(44);
  const out: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (buf.readUInt32LE(o) !== 1) continue;
    const offset = buf.readUInt32LE(o + 4);
    const paddr = buf.readUInt32LE(o + 12);
    const filesz = buf.readUInt32LE(o + 16);
    if (filesz === 0) continue;
    out.push({ addr: paddr, data: new Uint8Array(buf.subarray(offset, offset + filesz)) });
  }
  return out;
}

export interface SysEvent {
  kind: string;
  args: number[];
}

/** A CpuSystem that records every call; BKPT 0xAB with r0=0x18 is semihosting exit. */
export class StubSystem implements CpuSystem {
  readonly events: SysEvent[] = [];
  exited = false;
  constructor(private readonly cpu: Cpu) {}
  private stop(kind: string, ...args: number[]): void {
    this.events.push({ kind, args });
    this.cpu.exitRequest = true;
  }
  undefinedInstruction(pc: number): void {
    this.stop('undef', pc);
  }
  usageFault(cause: number, pc: number): void {
    this.stop('usage', cause, pc);
  }
  busFault(addr: number, isWrite: boolean, pc: number): void {
    this.stop('bus', addr >>> 0, isWrite ? 1 : 0, pc);
  }
  prefetchAbort(pc: number): void {
    this.stop('prefetch', pc);
  }
  svc(imm: number): void {
    this.stop('svc', imm);
  }
  bkpt(imm: number, pc: number): boolean {
    if (imm === 0xab && this.cpu.r[0] === 0x18) {
      this.exited = true;
      this.stop('exit', this.cpu.r[1]!);
      return true;
    }
    this.stop('bkpt', imm, pc);
    return false;
  }
  exceptionReturn(excReturn: number): void {
    this.stop('excreturn', excReturn >>> 0);
  }
  readSpecial(sysm: number): number {
    const st = this.cpu.state;
    if (sysm <= 7) return sysm === 0 ? st.getApsr() : st.getXpsr() & 0xf80001ff;
    if (sysm === 16) return st.primask;
    return 0;
  }
  writeSpecial(sysm: number, mask: number, value: number): void {
    const st = this.cpu.state;
    if (sysm <= 3) {
      if (mask & 2) st.setApsr((value & 0xf8000000) | (st.getApsr() & ~0xf8000000));
    } else if (sysm === 16) st.primask = value & 1;
    this.events.push({ kind: 'msr', args: [sysm, mask, value] });
  }
  cps(disable: boolean, affectI: boolean, affectF: boolean): void {
    if (affectI) this.cpu.state.primask = disable ? 1 : 0;
    this.events.push({ kind: 'cps', args: [disable ? 1 : 0, affectI ? 1 : 0, affectF ? 1 : 0] });
  }
  wfi(): void {
    this.stop('wfi');
  }
  wfe(): void {
    this.stop('wfe');
  }
  sev(): void {
    this.events.push({ kind: 'sev', args: [] });
  }
  isPrivileged(): boolean {
    return true;
  }
  /** The FPU is always enabled here (CPACR, lazy stacking and FPCA belong to the exception rigs). */
  fpCheck(_pc: number): boolean {
    return true;
  }
  fpAccessible(): boolean {
    return true;
  }
}

export interface Rig {
  bus: Bus;
  state: CpuState;
  clock: VirtualClock;
  cpu: Cpu;
  sys: StubSystem;
}

export function makeRig(image?: Image, profile: CoreProfile = CORTEX_M3): Rig {
  const bus = new Bus([
    { name: 'code', base: CODE_BASE, size: 1 << 20 },
    { name: 'ram', base: RAM_BASE, size: 1 << 20 },
  ]);
  const state = new CpuState();
  const clock = new VirtualClock(0);
  const cpu = new Cpu(state, bus, clock, profile);
  const sys = new StubSystem(cpu);
  cpu.sys = sys;
  state.r[13] = RAM_BASE + 0x10000;
  if (image) for (const s of image.segments) bus.debugWrite(s.addr, s.data);
  return { bus, state, clock, cpu, sys };
}

/**
 * Assemble `body`, set registers, run until the final `bkpt #0x42` (or any other stop), return
 * the rig. `regs` maps register numbers to initial values; `apsr` sets the flags (bits 31..27).
 */
export function runSnippet(
  body: string,
  regs: Record<number, number> = {},
  apsr = 0,
  maxInsns = 10_000,
  profile: CoreProfile = CORTEX_M3,
): Rig {
  const rig = makeRig(assembleSnippet(body, profile), profile);
  for (const [k, v] of Object.entries(regs)) rig.state.r[Number(k)] = v;
  rig.state.setApsr(apsr);
  rig.cpu.execute(maxInsns);
  return rig;
}

export const u32 = (v: number): number => v >>> 0;

/** runSnippet on a Cortex-M4F (FPv4-SP and DSP decode, FPU always enabled). */
export function runSnippetM4(body: string, regs: Record<number, number> = {}, apsr = 0, maxInsns = 10_000): Rig {
  return runSnippet(body, regs, apsr, maxInsns, CORTEX_M4);
}
