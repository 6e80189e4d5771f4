/**
 * Lock-step comparison of an ArmV7aCpu with QEMU's per-instruction trace on -M virt -cpu
 * cortex-a15: assemble a bare-metal program (text at 0x40000000, data at V7A_DATA_BASE), run it
 * under QEMU with `-singlestep -d cpu` (r0-r15 and the CPSR before every instruction), then step
 * the core of a real armrr virt machine through the same ELF and compare every state, resynchronising the registers after a
 * mismatch so one run reports every wrong instruction.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { u32 } from '../unit/cpu-harness.js';
import type { Bus } from '../../src/emulator/memory/bus.js';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import type { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { V7A_DATA_BASE, V7A_RAM_BASE } from './v7a-random-program.js';
import { bootFirmware } from '../../src/emulator/boot.js';
import { BufferOutputSink, LiveHostPort, NoSerialInput } from '../../src/emulator/io/live-ports.js';

export interface QemuRecord {
  r: number[];
  cpsr: number;
}

function parseQemuLog(text: string): QemuRecord[] {
  const out: QemuRecord[] = [];
  const re = /R00=([0-9a-f]{8})[\s\S]*?PSR=([0-9a-f]{8})/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const r: number[] = [];
    for (const rm of m[0].matchAll(/R(\d\d)=([0-9a-f]{8})/g)) r[Number(rm[1])] = parseInt(rm[2]!, 16);
    const rec = { r, cpsr: parseInt(m[2]!, 16) };
    // QEMU logs a state twice when it restarts a translation block (icount budget, io_recompile);
    // every instruction here changes r15, so two identical consecutive states are one.
    const prev = out[out.length - 1];
    if (prev && prev.cpsr === rec.cpsr && prev.r.every((v, i) => v === r[i])) continue;
    out.push(rec);
  }
  return out;
}

function disassembly(elf: string): Map<number, string> {
  const out = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const map = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s+((?:[0-9a-f]{4,8} ?)+)\s+(.*)$/.exec(line);
    if (m) map.set(parseInt(m[1]!, 16), `${m[2]!.trim()}  ${m[3]!.replace(/\s+/g, ' ').trim()}`);
  }
  return map;
}

export interface Built {
  elf: string;
  records: QemuRecord[];
}

let workDir: string | null = null;

/** Assemble the program, run it under QEMU, return the ELF and QEMU's per-instruction states. */
export function buildAndTrace(name: string, source: string): Built {
  workDir ??= mkdtempSync(join(tmpdir(), 'armrr-v7a-diff-'));
  const base = join(workDir, name);
  writeFileSync(`${base}.S`, source);
  const cc = spawnSync(
    'arm-none-eabi-gcc',
    ['-mcpu=cortex-a15', '-nostdlib', `-Ttext=${V7A_RAM_BASE.toString(16)}`, `-Tdata=${V7A_DATA_BASE.toString(16)}`, `${base}.S`, '-o', `${base}.elf`],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) throw new Error(`assembler failed:\n${cc.stderr.slice(0, 4000)}`);
  const log = `${base}.qemu.log`;
  const q = spawnSync(
    'qemu-system-arm',
    [
      '-M', 'virt', '-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none', '-display', 'none', '-monitor', 'none',
      '-serial', 'none', '-semihosting-config', 'enable=on,target=native', '-icount', 'shift=0',
      '-singlestep', '-d', 'cpu,nochain', '-D', log, '-kernel', `${base}.elf`,
    ],
    { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 20 },
  );
  if (q.status !== 0) throw new Error(`qemu-system-arm exited with ${q.status} (signal ${q.signal}): ${q.stderr}`);
  // A program that lost its way (a generator bug) would fill the disk before the timeout.
  if (statSync(log).size > 256 << 20) throw new Error(`${log}: QEMU trace over 256 MiB: the program ran away`);
  const records = parseQemuLog(readFileSync(log, 'utf8'));
  rmSync(log); // tens of MB; the .S and .elf stay for reproducing a failure
  return { elf: `${base}.elf`, records };
}

interface V7aRig {
  cpu: ArmV7aCpu;
  state: ArmV7aState;
  bus: Bus;
}

/**
 * The real `--machine virt --memory 128M` (devices, flash with QEMU's device tree, unassigned
 * addresses aborting as QEMU's) with the ELF loaded, interpreter only, in QEMU's first logged state:
 * a register offset may send a load or store anywhere in its memory map.
 */
function makeRig(elf: string, first: QemuRecord): V7aRig {
  const { machine } = bootFirmware(new Uint8Array(readFileSync(elf)), {
    machine: 'virt',
    icountShift: 0,
    serial: new NoSerialInput(),
    host: new LiveHostPort(),
    output: new BufferOutputSink(),
    memoryBytes: 128 << 20,
    jit: false,
  });
  const cpu = machine.core as ArmV7aCpu;
  const state = cpu.state;
  loadRecord(state, first);
  cpu.syncModeDependents();
  return { cpu, state, bus: machine.bus };
}

function loadRecord(state: ArmV7aState, rec: QemuRecord): void {
  state.setCpsr(rec.cpsr, 0xffffffff);
  state.ge = (rec.cpsr >>> 16) & 0xf;
  for (let i = 0; i < 16; i++) state.r[i] = rec.r[i]!;
}

function diffState(state: ArmV7aState, rec: QemuRecord): string | null {
  const diffs: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (u32(state.r[i]!) !== rec.r[i]) diffs.push(`r${i}=${u32(state.r[i]!).toString(16)} qemu ${rec.r[i]!.toString(16)}`);
  }
  const cpsr = state.getCpsr() >>> 0;
  if (cpsr !== rec.cpsr) diffs.push(`cpsr=${cpsr.toString(16)} qemu ${rec.cpsr.toString(16)}`);
  return diffs.length ? diffs.join(' ') : null;
}

/** Step armrr through QEMU's records; returns the mismatches (first 25) and their count. */
export function compare(built: Built): { failures: string[]; failing: number; steps: number } {
  const dis = disassembly(built.elf);
  const { cpu, state, bus } = makeRig(built.elf, built.records[0]!);
  const failures: string[] = [];
  let failing = 0;
  const records = built.records;
  for (let k = 1; k < records.length; k++) {
    const pc = u32(state.r[15]!);
    cpu.exitRequest = false;
    cpu.execute(1);
    // A branch to an address with nothing there: QEMU takes the prefetch abort when it looks up
    // the next block, so its trace has no state at that PC; take the abort too before comparing.
    if (!bus.isRam(u32(state.r[15]!)) && u32(state.r[15]!) !== records[k]!.r[15]) {
      cpu.exitRequest = false;
      cpu.execute(1);
    }
    const d = diffState(state, records[k]!);
    if (d !== null) {
      failing++;
      if (failures.length < 25) failures.push(`${pc.toString(16)}: ${dis.get(pc) ?? '?'} -> ${d}`);
      loadRecord(state, records[k]!);
    }
  }
  return { failures, failing, steps: records.length - 1 };
}

