/**
 * Record/replay of fpu-irq (handlers that use the FPU preempting FP code, with lazy, eager and
 * manual FP context) on mps2-an386 through the real CLI, and seeking inside its FP code:
 * - `run`, `record` and two `replay`s give identical output, exit code and final state hash (I1, I4;
 *   the hash covers s0-s31, FPSCR and the FP system registers), at every opt level;
 * - `ReplayTimeline.seek(t)` to icounts where FP instructions just wrote FP state (and to the
 *   instruction before), in thread code and in handlers, in any order and across snapshots, gives
 *   the FP registers, FPSCR and state hash of a straight run to t (I2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { endIcount, replayRig, timelineRig, type Recorded } from '../unit/snapshot-rig.js';
import type { Machine } from '../../src/emulator/machines/machine.js';

const MACHINE = 'mps2-an386';
const SHIFT = 5;
const PROGRAMS = (['O0', 'O2', 'Os'] as const).map((opt) => elfPath('m4-fpu-irq', opt));
/** The program whose FP code the seek test walks into. */
const SEEK_PROGRAM = elfPath('m4-fpu-irq', 'O2');
/** Seek targets: half in handlers, half in thread code. */
const TARGETS = 24;

function stateHash(stderr: string): { hash: string; icount: number } {
  const m = /^armrr: state hash ([0-9a-f]{64}) at icount (\d+)$/m.exec(stderr);
  if (m === null) throw new Error(`no state hash line in stderr:\n${stderr}`);
  return { hash: m[1]!, icount: Number(m[2]) };
}

const guestStderr = (s: string): string => s.split('\n').filter((l) => !l.startsWith('armrr:')).join('\n');

interface FpState {
  s: number[];
  fpscr: number;
}

function fpState(m: Machine): FpState {
  return { s: Array.from(m.cpu.s, (v) => v >>> 0), fpscr: m.cpu.fpscr >>> 0 };
}

/** Deterministic pseudo-random numbers (a failure must be reproducible). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

let dir: string;
beforeAll(() => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-m4-rr-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(PROGRAMS)('mps2-an386 record/replay of %s', (elf) => {
  const name = basename(elf, '.elf');

  it('run, record and replay agree on output, exit code and state hash', async () => {
    const log = join(dir, `${name}.rrlog`);
    const common = ['--no-realtime', '--state-hash', '--icount-shift', String(SHIFT), '--input', '/dev/null'];
    const [run, rec] = await Promise.all([
      armrrCli(['run', elf, '--machine', MACHINE, ...common]),
      armrrCli(['record', elf, '-o', log, '--machine', MACHINE, ...common]),
    ]);
    const rep1 = await armrrCli(['replay', elf, log, '--state-hash']);
    const rep2 = await armrrCli(['replay', elf, log, '--state-hash']);
    expect(run.stdout.length).toBeGreaterThan(0);
    for (const other of [rec, rep1, rep2]) {
      expect(other.stdout).toBe(run.stdout);
      expect(guestStderr(other.stderr)).toBe(guestStderr(run.stderr));
      expect(other.code).toBe(run.code);
      expect(stateHash(other.stderr)).toEqual(stateHash(run.stderr));
    }
    // The replay found the board from the log: a Cortex-M3 would not get past the first FP instruction.
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/irq lazy: .* same-as-quiet/);
  });

});

describe(`mps2-an386 seeks into the FP code of ${basename(SEEK_PROGRAM, '.elf')}`, () => {
  it('gives the FP registers and state of a straight run', async () => {
    const log = join(dir, 'seek.rrlog');
    const recorded = await armrrCli(['record', SEEK_PROGRAM, '-o', log, '--machine', MACHINE, '--no-realtime', '--icount-shift', String(SHIFT), '--input', '/dev/null']);
    expect(recorded.code).toBe(0);
    const image = new Uint8Array(readFileSync(SEEK_PROGRAM));
    const bytes = new Uint8Array(readFileSync(log));
    const rec: Recorded = { name: basename(SEEK_PROGRAM), image, log: bytes, shift: SHIFT, end: endIcount(bytes), machine: MACHINE };

    // Where FP code runs: positions t at which instruction t changed an FP register or FPSCR,
    // split by whether it ran in a handler (IPSR != 0) or in thread code.
    const stepped = replayRig(rec);
    const m = stepped.machine;
    const inHandler: number[] = [];
    const inThread: number[] = [];
    const prevS = m.cpu.s.slice();
    let prevFpscr = m.cpu.fpscr;
    while (m.icount < rec.end) {
      const ipsr = m.cpu.ipsr;
      if (m.step(stepped.hooks).kind !== 'limit') break;
      const s = m.cpu.s;
      let changed = m.cpu.fpscr !== prevFpscr;
      for (let i = 0; i < 32 && !changed; i++) changed = s[i] !== prevS[i];
      if (!changed) continue;
      (ipsr !== 0 ? inHandler : inThread).push(m.icount);
      prevS.set(s);
      prevFpscr = m.cpu.fpscr;
    }
    expect(inHandler.length).toBeGreaterThanOrEqual(10);
    expect(inThread.length).toBeGreaterThanOrEqual(10);

    const random = lcg(0x8f8f);
    const targets: number[] = [];
    for (let i = 0; i < TARGETS; i++) {
      const pool = i % 2 === 0 ? inHandler : inThread;
      const t = pool[Math.floor(random() * pool.length)]!;
      targets.push(random() < 0.5 ? t : t - 1);
    }
    // The reference: one straight run (no snapshots, no seeks) through the targets in order.
    const reference = new Map<number, { fp: FpState; hash: string }>();
    const straight = replayRig(rec);
    for (const t of [...new Set(targets)].sort((a, b) => a - b)) {
      straight.machine.run(t, straight.hooks);
      expect(straight.machine.icount).toBe(t);
      reference.set(t, { fp: fpState(straight.machine), hash: straight.machine.stateHash() });
    }
    // FP state really differs between the targets (the comparison below can fail).
    expect(new Set([...reference.values()].map((r) => JSON.stringify(r.fp))).size).toBeGreaterThan(TARGETS / 2);

    const rig = timelineRig(rec, Math.floor(rec.end / 16));
    const tl = rig.timeline;
    tl.runForward(rec.end);
    expect(tl.store.snapshots.length).toBeGreaterThan(5);
    for (const [i, t] of targets.entries()) {
      if (i % 3 === 0) tl.seek(rec.end); // from later, from earlier, chained
      if (i % 3 === 1) tl.seek(0);
      tl.seek(t);
      expect(rig.machine.icount).toBe(t);
      const want = reference.get(t)!;
      expect(fpState(rig.machine), `FP state after seek(${t})`).toEqual(want.fp);
      expect(rig.machine.stateHash(), `state hash after seek(${t})`).toBe(want.hash);
    }
  });
});
