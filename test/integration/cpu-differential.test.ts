/**
 * Differential test of the ISA against qemu-system-arm 7.2 (mps2-an385, Cortex-M3): random
 * instruction sequences run under QEMU with `-singlestep -d cpu`, which logs every register and
 * xPSR before each instruction; the same ELF runs on our Cpu one instruction at a time and every
 * logged state is compared. After a mismatch the registers are resynchronised from QEMU, so one
 * run reports every wrong instruction, not just the first.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { assembleElf, makeRig, u32 } from '../unit/cpu-harness.js';
import type { Rig } from '../unit/cpu-harness.js';
import { randomProgram } from './cpu-random-program.js';


interface Record {
  r: number[];
  xpsr: number;
}

function parseQemuLog(text: string): Record[] {
  const out: Record[] = [];
  const re = /R00=([0-9a-f]{8})[\s\S]*?XPSR=([0-9a-f]{8})/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const block = m[0];
    const r: number[] = [];
    for (const rm of block.matchAll(/R(\d\d)=([0-9a-f]{8})/g)) r[Number(rm[1])] = parseInt(rm[2]!, 16);
    const rec = { r, xpsr: parseInt(m[2]!, 16) };
    const prev = out[out.length - 1];
    // QEMU logs an instruction twice when it re-executes it for MMIO (io_recompile).
    if (prev && prev.xpsr === rec.xpsr && prev.r.every((v, i) => v === r[i])) continue;
    out.push(rec);
  }
  return out;
}

function disassembly(elf: string): Map<number, string> {
  const out = spawnSync('arm-none-eabi-objdump', ['-d', elf], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  const map = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\s+[0-9a-f]{4}(?: [0-9a-f]{4})?\s+(.*)$/.exec(line);
    if (m) map.set(parseInt(m[1]!, 16), m[2]!.replace(/\s+/g, ' ').trim());
  }
  return map;
}

function loadRecord(rig: Rig, rec: Record): void {
  for (let i = 0; i < 16; i++) rig.state.r[i] = rec.r[i]!;
  rig.state.setXpsr(rec.xpsr);
}

function diffState(rig: Rig, rec: Record): string | null {
  const diffs: string[] = [];
  for (let i = 0; i < 16; i++) {
    if (u32(rig.state.r[i]!) !== rec.r[i]) {
      diffs.push(`r${i}=${u32(rig.state.r[i]!).toString(16)} qemu ${rec.r[i]!.toString(16)}`);
    }
  }
  if (rig.state.getXpsr() !== rec.xpsr) {
    diffs.push(`xpsr=${rig.state.getXpsr().toString(16)} qemu ${rec.xpsr.toString(16)}`);
  }
  return diffs.length ? diffs.join(' ') : null;
}

/**
 * Runs `source` (a firmware ending in a semihosting exit with r1 = 0x20026) under QEMU with
 * `-singlestep -d cpu` and on our Cpu one instruction at a time; expects every logged state equal.
 */
function expectSameAsQemu(source: string, minRecords: number): void {
  const image = assembleElf(source);
  const log = `${image.elfPath}.qemu.log`;
  const q = spawnSync(
    'qemu-system-arm',
    [
      '-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'none',
      '-semihosting', '-icount', 'shift=0', '-singlestep', '-d', 'cpu,nochain', '-D', log,
      '-kernel', image.elfPath,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(q.status, q.stderr).toBe(0);
  const records = parseQemuLog(readFileSync(log, 'utf8'));
  expect(records.length).toBeGreaterThan(minRecords);

  const dis = disassembly(image.elfPath);
  const rig = makeRig(image);
  loadRecord(rig, records[0]!);
  const failures: string[] = [];
  let failing = 0;
  for (let k = 1; k < records.length; k++) {
    const pc = u32(rig.state.r[15]!);
    rig.cpu.exitRequest = false;
    rig.cpu.execute(1);
    const d = diffState(rig, records[k]!);
    if (d !== null) {
      failing++;
      if (failures.length < 25) failures.push(`${pc.toString(16)}: ${dis.get(pc) ?? '?'} -> ${d}`);
      loadRecord(rig, records[k]!);
    }
    if (rig.sys.exited) break;
  }
  // The last record is the state before the final BKPT: run it too.
  if (!rig.sys.exited) {
    rig.cpu.exitRequest = false;
    rig.cpu.execute(1);
  }
  const unexpected = rig.sys.events.filter((e) => e.kind !== 'msr' && e.kind !== 'exit');
  expect(unexpected, 'no faults or traps expected').toEqual([]);
  expect(failures, `${failing} mismatching instructions`).toEqual([]);
  expect(rig.sys.exited).toBe(true);
  expect(rig.state.r[1]).toBe(0x20026); // reached the final exit, not the fault handler
}

// QEMU is a hard requirement of the suite (scripts/setup.sh installs it): no silent skip.
describe('ISA vs qemu-system-arm', () => {
  it('matches QEMU register-for-register on 4000 random sequences', () => {
    const seed = Number(process.env.ARMRR_DIFF_SEED ?? 0x5eed1234);
    expectSameAsQemu(randomProgram(seed, 4000, 8).source, 4000 * 20);
  });

  it('clears SP[1:0] on every write to SP, as QEMU store_reg does on M-profile', () => {
    const source = [
      '.syntax unified', '.cpu cortex-m3', '.thumb',
      '.section .vectors', '.word 0x20010000', '.word reset+1', ...Array.from({ length: 14 }, () => '.word fault+1'),
      '.text', '.thumb_func', 'reset:',
      '  ldr r0, =0x20008003', '  movs r1, #6', '  ldr r4, =0x20000100', '  ldr r6, =0x20009002', '  str r6, [r4]',
      // T16 MOV/ADD (high registers), T32 ADD (immediate), ADDW, a post-indexed writeback, a load.
      '  mov sp, r0', '  add sp, r1', '  add.w sp, sp, #2', '  addw sp, sp, #3', '  ldr r2, [sp], #1', '  mov r3, sp',
      '  ldr sp, [r4]', '  mov r5, sp', '  sub sp, #4', '  mov r7, sp',
      '  ldr r0, =0x20010000', '  mov sp, r0', '  movs r0, #0x18', '  ldr r1, =0x20026', '  bkpt 0xab',
      '.thumb_func', 'fault:', '  movs r0, #0x18', '  movs r1, #1', '  bkpt 0xab', '.ltorg',
    ].join('\n');
    expectSameAsQemu(`${source}\n`, 15);
  });
});
