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

// QEMU is a hard requirement of the suite (scripts/setup.sh installs it): no silent skip.
describe('ISA vs qemu-system-arm (random sequences)', () => {
  it('matches QEMU register-for-register on 4000 random sequences', () => {
    const seed = Number(process.env.ARMRR_DIFF_SEED ?? 0x5eed1234);
    const program = randomProgram(seed, 4000, 8);
    const image = assembleElf(program.source);
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
    expect(records.length).toBeGreaterThan(4000 * 20);

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
  });
});
