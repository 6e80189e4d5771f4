/**
 * gdb on the A-profile core (Cortex-A15 on virt), real gdb-multiarch against `armrr replay --gdb`
 * and `armrr run --machine virt --gdb`, and against QEMU 7.2's own gdbstub on the same ELF.
 *
 * The program (firmware/v7a/src/gdb-target.c) turns the MMU on with RAM mapped flat plus a window
 * at VA 0x80000000 onto a RAM buffer elsewhere, moves the window to a second buffer before round 4,
 * takes generic-timer interrupts, stores `i*3+1` to `shared` (VA 0x80000010) in round_step(i),
 * makes an SVC there, and put pi in d0, 0x11 in every byte... of q1's words, and pi's high word in s9.
 * Expected values come from the program's source, not from armrr's output.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ReplayServer,
  connectReplay,
  firstHex,
  frameOf,
  isNoHistoryStop,
  readIcount,
  readPc,
  recordFirmware,
  runWithOutput,
  seek,
  stopPc,
  type ReplaySession,
} from '../support/armrr-process.js';
import { GdbMi } from '../support/gdb-mi.js';
import { QEMU } from '../support/qemu.js';
import { QEMU_VIRT_ARGS, ensureV7aFirmware, v7aElf } from '../support/v7a-firmware.js';

const execFileAsync = promisify(execFile);
const SHIFT = 0;
const WINDOW_VAR = 0x80000010;
const VARIANTS = ['arm-O0', 'thumb-O0'] as const;

let dir: string;
beforeAll(() => {
  ensureV7aFirmware(VARIANTS.map((v) => v7aElf('gdb-target', v)));
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-v7a-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function value(gdb: GdbMi, expr: string): Promise<string> {
  return String((await gdb.cmd(`-data-evaluate-expression ${expr}`)).results['value']);
}

async function numberOf(gdb: GdbMi, expr: string): Promise<number> {
  return Number(await value(gdb, expr));
}

/** Address of the first instruction of `fn` whose disassembly matches, from the ELF. */
async function findInstruction(elf: string, fn: string, text: RegExp): Promise<number> {
  const { stdout } = await execFileAsync('arm-none-eabi-objdump', ['-d', `--disassemble=${fn}`, elf], { maxBuffer: 16 << 20 });
  for (const m of stdout.matchAll(/^\s*([0-9a-f]+):\s+(?:[0-9a-f]{4,8} ?){1,2}\s+(.*)$/gm)) {
    if (text.test(m[2]!)) return parseInt(m[1]!, 16);
  }
  throw new Error(`no ${text} in ${fn} of ${elf}`);
}

/** What must be identical when the replay comes back to the same point. */
async function snapshot(gdb: GdbMi): Promise<{ icount: number; regs: string; d0: string }> {
  return { icount: await readIcount(gdb), regs: await gdb.console('info registers'), d0: await gdb.console('info registers d0') };
}

async function deleteAll(gdb: GdbMi): Promise<void> {
  await gdb.console('delete');
}

/**
 * d<n>'s bits: our d registers are doubles (`info registers` adds the raw bits), QEMU's are a
 * union of lanes (read its u64 lane).
 */
async function dRaw(gdb: GdbMi, n: number): Promise<string> {
  const text = await gdb.console(`info registers d${n}`);
  const raw = /\(raw (0x[0-9a-f]+)\)/.exec(text) ?? /u64 = (0x[0-9a-f]+)/.exec(text);
  if (raw === null) throw new Error(`no bits of d${n} in ${JSON.stringify(text)}`);
  return BigInt(raw[1]!).toString(16);
}

/** gdb's remote register numbers by name, from `maint print remote-registers`. */
async function remoteNumbers(gdb: GdbMi): Promise<Map<string, number>> {
  const text = await gdb.console('maint print remote-registers');
  const numbers = new Map<string, number>();
  for (const m of text.matchAll(/^ (\w+)\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\d+\s*$/gm)) numbers.set(m[1]!, Number(m[2]));
  return numbers;
}

describe.each(VARIANTS)('gdb on virt (gdb-target-%s)', (variant) => {
  const elf = v7aElf('gdb-target', variant);
  let session: ReplaySession;
  let gdb: GdbMi;

  beforeAll(async () => {
    const log = join(dir, `gdb-target-${variant}.rrlog`);
    await recordFirmware(elf, log, { machine: 'virt', icountShift: SHIFT });
    session = await connectReplay(elf, log);
    gdb = session.gdb;
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });
  // Every test starts from the beginning of the history, whatever the one before left.
  beforeEach(async () => {
    await deleteAll(gdb);
    await seek(gdb, 0);
  });

  it('stops forward at a breakpoint at a virtual address N times; reverse-continue lands on the previous hit exactly', async () => {
    await gdb.console('break round_step');
    const hits: { icount: number; regs: string; d0: string; i: number }[] = [];
    for (let n = 0; n < 3; n++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('breakpoint-hit');
      expect(frameOf(stopped)['func']).toBe('round_step');
      hits.push({ ...(await snapshot(gdb)), i: await numberOf(gdb, 'i') });
    }
    expect(hits.map((h) => h.i)).toEqual([0, 1, 2]);
    expect(hits[0]!.regs).toMatch(/^cpsr\s+0x[0-9a-f]+/m);
    // Breakpoint hits in A32 and T32: the PC is the breakpoint address, with CPSR.T as the ISA says.
    const cpsr = await numberOf(gdb, '$cpsr');
    expect((cpsr >>> 5) & 1).toBe(variant.startsWith('thumb') ? 1 : 0);
    for (const back of [1, 0]) {
      const stopped = await gdb.run('-exec-continue --reverse');
      expect(stopped['reason']).toBe('breakpoint-hit');
      const now = await snapshot(gdb);
      expect(now).toEqual({ icount: hits[back]!.icount, regs: hits[back]!.regs, d0: hits[back]!.d0 });
      expect(await numberOf(gdb, 'i')).toBe(back);
    }
    await deleteAll(gdb);
  });

  it('shows cpsr, the VFP/NEON registers the program set, and reads memory through the MMU', async () => {
    await gdb.console('break round_step');
    const stopped = await gdb.run('-exec-continue');
    expect(frameOf(stopped)['func']).toBe('round_step');
    await deleteAll(gdb);
    expect(await gdb.console('info registers')).toMatch(/^cpsr\s+0x[0-9a-f]+\s/m);
    expect(await gdb.console('info registers d0')).toMatch(/\(raw 0x400921fb54442d18\)/);
    expect(await value(gdb, '$d0')).toBe('3.1415926535897931');
    // s1 is the high half of d0: pi's high word as a float.
    expect(await value(gdb, '$s1')).toBe('2.142699');
    expect(await gdb.console('p/x $q1.u32')).toContain('= {0x11, 0x11, 0x11, 0x11}');
    // q0 = d1:d0.
    expect(await gdb.console('p/x $q0.u64')).toMatch(/= \{0x400921fb54442d18, 0x[0-9a-f]+\}/);
    // Register writes stay refused during replay.
    await expect(gdb.cmd('-data-evaluate-expression "$r0 = 5"')).rejects.toThrow(/writing registers would make the replay diverge/);
    // An unmapped virtual address answers an error.
    expect(await gdb.console('x/wx 0x90000000').catch((e: Error) => e.message)).toMatch(/Cannot access memory at address 0x90000000/);
  });

  it('single-steps forwards and backwards over A32/T32 code with identical states', async () => {
    await gdb.console('break round_step');
    await gdb.run('-exec-continue');
    await deleteAll(gdb);
    const states = [await snapshot(gdb)];
    for (let n = 0; n < 6; n++) {
      await gdb.run('-exec-step-instruction');
      states.push(await snapshot(gdb));
    }
    expect(states.map((s) => s.icount)).toEqual(states.map((_, n) => states[0]!.icount + n));
    for (let n = 5; n >= 0; n--) {
      await gdb.run('-exec-step-instruction --reverse');
      expect(await snapshot(gdb)).toEqual(states[n]);
    }
  });

  it('steps into the SVC vector and into the IRQ vector', async () => {
    const vectors = firstHex(await value(gdb, '&vectors'));
    const svc = await findInstruction(elf, 'round_step', /^svc/);
    await gdb.console(`break *0x${svc.toString(16)}`);
    const atSvc = await gdb.run('-exec-continue');
    expect(stopPc(atSvc)).toBe(svc);
    await deleteAll(gdb);
    await gdb.run('-exec-step-instruction');
    expect(await readPc(gdb)).toBe(vectors + 8);
    expect((await numberOf(gdb, '$cpsr')) & 0x1f).toBe(0x13);

    // An IRQ: find where one is taken, go one instruction back, then step into it.
    await gdb.console(`break *0x${(vectors + 0x18).toString(16)}`);
    await gdb.run('-exec-continue');
    expect(await readPc(gdb)).toBe(vectors + 0x18);
    const entry = await snapshot(gdb);
    await deleteAll(gdb);
    await gdb.run('-exec-step-instruction --reverse');
    expect(await readPc(gdb)).not.toBe(vectors + 0x18);
    await gdb.run('-exec-step-instruction');
    expect(await readPc(gdb)).toBe(vectors + 0x18);
    expect((await numberOf(gdb, '$cpsr')) & 0x1f).toBe(0x12);
    expect(await snapshot(gdb)).toEqual(entry);
  });

  it('watchpoints at a virtual address follow the remap, forward and in reverse; monitor phys reads the physical alias', async () => {
    // Round 3 (first window), then forward over the remap: the watch must see round 4's store
    // to the second window.
    await gdb.console('break round_step if i == 3');
    await gdb.run('-exec-continue');
    await deleteAll(gdb);
    const windowPa = await numberOf(gdb, 'window_pa');
    const window2Pa = await numberOf(gdb, 'window2_pa');
    expect(window2Pa).toBe(windowPa + 0x100000);
    await gdb.console(`watch *(unsigned *)0x${WINDOW_VAR.toString(16)}`);
    const w1 = await runWithOutput(gdb, '-exec-continue');
    expect(w1.stopped['reason']).toBe('watchpoint-trigger');
    expect(w1.text).toContain('Old value = 7\nNew value = 10\n');
    expect(await numberOf(gdb, 'i')).toBe(3);
    // Round 4 stores through the moved window: the watch followed the translation (gdb's old value
    // is the one it last saw, from the first window).
    const w2 = await runWithOutput(gdb, '-exec-continue');
    expect(w2.stopped['reason']).toBe('watchpoint-trigger');
    expect(w2.text).toContain('Old value = 10\nNew value = 13\n');
    expect(await numberOf(gdb, 'i')).toBe(4);
    // gdb stepped over the store after the stub reported it (ARM watchpoints are non-steppable).
    const afterStore = await readIcount(gdb);
    // The physical alias: the second window holds 13, the first still 10.
    expect(await gdb.console(`monitor phys 0x${(window2Pa + 0x10).toString(16)} 4`)).toContain(': 0d 00 00 00');
    expect(await gdb.console(`monitor phys 0x${(windowPa + 0x10).toString(16)} 4`)).toContain(': 0a 00 00 00');
    expect(await gdb.console(`x/wx 0x${WINDOW_VAR.toString(16)}`)).toMatch(/:\s+0x0000000d/);

    // On to round 5's breakpoint, then back to round 4's store with the watchpoint only.
    await gdb.console('delete');
    await gdb.console('break round_step if i == 5');
    await gdb.run('-exec-continue');
    await deleteAll(gdb);
    await gdb.console(`watch *(unsigned *)0x${WINDOW_VAR.toString(16)}`);
    const back = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(back.stopped['reason']).toBe('watchpoint-trigger');
    expect(back.text).toContain('Old value = 13\nNew value = 0\n');
    expect(frameOf(back.stopped)['func']).toBe('round_step');
    expect(await numberOf(gdb, 'i')).toBe(4);
    // Stopped before the store: memory holds the old value and the PC is the store.
    expect(await readIcount(gdb)).toBe(afterStore - 1);
    expect(await gdb.console('x/i $pc')).toMatch(/=> 0x[0-9a-f]+ <round_step\+\d+>:\s+str/);
    await deleteAll(gdb);
  });

  it('reverse-continue with nothing in the way ends at the start of the history', async () => {
    await gdb.console('break round_step');
    await gdb.run('-exec-continue');
    await deleteAll(gdb);
    const stop = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** QEMU halted at reset with its gdbstub listening, and gdb connected to it. */
async function connectQemu(elf: string): Promise<{ gdb: GdbMi; qemu: ChildProcess }> {
  const port = await freePort();
  const qemu = spawn(QEMU, [
    '-M', 'virt', ...QEMU_VIRT_ARGS, '-display', 'none', '-monitor', 'none', '-serial', 'null',
    '-semihosting-config', 'enable=on,target=native', '-icount', `shift=${SHIFT},sleep=off`,
    '-gdb', `tcp:127.0.0.1:${port}`, '-S', '-kernel', elf,
  ], { stdio: 'ignore' });
  const gdb = await GdbMi.start({ elf, timeoutMs: 30_000 });
  for (let attempt = 0; ; attempt++) {
    try {
      await gdb.cmd(`-target-select remote 127.0.0.1:${port}`);
      return { gdb, qemu };
    } catch (e) {
      if (attempt >= 20) {
        await gdb.close();
        qemu.kill('SIGKILL');
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('armrr and QEMU gdbstubs on virt agree (gdb-target-arm-O0)', () => {
  const elf = v7aElf('gdb-target', 'arm-O0');
  let armrr: ReplaySession;
  let qemu: { gdb: GdbMi; qemu: ChildProcess };

  beforeAll(async () => {
    const log = join(dir, 'qemu-compare.rrlog');
    await recordFirmware(elf, log, { machine: 'virt', icountShift: SHIFT });
    armrr = await connectReplay(elf, log);
    qemu = await connectQemu(elf);
    for (const gdb of [armrr.gdb, qemu.gdb]) {
      await gdb.console('break round_step if i == 2');
      const stopped = await gdb.run('-exec-continue', 60_000);
      expect(frameOf(stopped)['func']).toBe('round_step');
      await gdb.console('delete');
    }
  }, 120_000);
  afterAll(async () => {
    await armrr?.close();
    await qemu?.gdb.close();
    qemu?.qemu.kill('SIGKILL');
  });

  it('numbers the core and d registers as QEMU does', async () => {
    const ours = await remoteNumbers(armrr.gdb);
    const theirs = await remoteNumbers(qemu.gdb);
    const names = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc', 'cpsr'];
    for (let n = 0; n < 32; n++) names.push(`d${n}`);
    for (const name of names) expect({ name, regnum: ours.get(name) }).toEqual({ name, regnum: theirs.get(name) });
    // Both have fpscr and q0-q15 (QEMU numbers them after d31, fpscr first for us: see register-layout.ts).
    for (const name of ['fpscr', 'q0', 'q15']) {
      expect(ours.has(name)).toBe(true);
      expect(theirs.has(name)).toBe(true);
    }
  });

  // Nothing here depends on when timer interrupts came: QEMU's own timing moves under gdb (its
  // interrupts land elsewhere depending on where gdb stopped it), armrr's does not.
  it('shows the same registers and memory at the same breakpoint', async () => {
    const show = async (gdb: GdbMi): Promise<Record<string, string>> => {
      const out: Record<string, string> = {};
      out['regs'] = (await gdb.console('info registers r0 r1 r2 r3 r4 r5 r6 r7 r8 r9 r10 r11 r12 sp lr pc cpsr fpscr')).trim();
      const d: string[] = [];
      for (let n = 0; n < 32; n++) d.push(`d${n}=${await dRaw(gdb, n)}`);
      out['d'] = d.join('\n');
      out['stack'] = await gdb.console('x/8wx $sp');
      out['window'] = await gdb.console(`x/4wx 0x${(WINDOW_VAR - 0x10).toString(16)}`);
      out['code'] = await gdb.console('x/4i $pc');
      return out;
    };
    const ours = await show(armrr.gdb);
    const theirs = await show(qemu.gdb);
    expect(ours['d']).toContain('d0=400921fb54442d18');
    expect(ours).toEqual(theirs);
  });
});

describe('armrr run --machine virt --gdb (live)', () => {
  it('serves gdb on a live virt run: breakpoint, registers, reverse-continue', async () => {
    const elf = v7aElf('gdb-target', 'arm-O0');
    const server = await ReplayServer.startLive(elf, ['--machine', 'virt', '--icount-shift', String(SHIFT)]);
    let gdb: GdbMi | null = null;
    try {
      gdb = await GdbMi.start({ elf, timeoutMs: 30_000 });
      await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
      await gdb.console('break round_step');
      await gdb.run('-exec-continue');
      const first = await snapshot(gdb);
      await gdb.run('-exec-continue');
      expect(await numberOf(gdb, 'i')).toBe(1);
      expect(await value(gdb, '$d0')).toBe('3.1415926535897931');
      expect(await gdb.console(`x/wx 0x${WINDOW_VAR.toString(16)}`)).toMatch(/:\s+0x00000001/);
      await gdb.run('-exec-continue --reverse');
      expect(await snapshot(gdb)).toEqual(first);
    } finally {
      await gdb?.close();
      await server.stop();
    }
  });
});
