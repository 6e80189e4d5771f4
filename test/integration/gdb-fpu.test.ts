/**
 * The FPU registers under gdb on mps2-an386 (Cortex-M4F), real gdb-multiarch against both
 * `armrr replay --gdb` and QEMU 7.2's own gdbstub on the same ELF:
 * - from the first FP instruction of fpu-workout's arith() (23 FP instructions in a row: loads,
 *   every arithmetic operation, fused and chained multiply-adds, a store multiple), stepi over the
 *   FP code in both: at every step gdb shows the same `info float` (d0-d15, fpscr, s0-s31),
 *   `p $s0`, `p $d1` and `info registers fpscr` for armrr as for QEMU;
 * - reverse-stepi back over those instructions in armrr restores each earlier view exactly, and FP
 *   register writes are refused;
 * - fpu-irq: in a SysTick handler that preempted FP code, before and after the handler's FP code
 *   (lazy preservation), `bt` through the extended frame and the registers in both frames are as
 *   QEMU shows them, and the frame holds the interrupted s0-s15 and FPSCR;
 * - an mps2-an385 (Cortex-M3) replay still has no FP registers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReplay, readIcount, readPc, recordFirmware, type ReplaySession } from '../support/armrr-process.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { GdbMi } from '../support/gdb-mi.js';
import { QEMU } from '../support/qemu.js';

const execFileAsync = promisify(execFile);

const ELF = elfPath('m4-fpu-workout', 'O0');
const FUNCTION = 'arith';
const SHIFT = 5;
const STEPS = 24;

/** What gdb shows of the FP state (and where it is). */
interface FpView {
  shown: { pc: number; infoFloat: string; s0: string; d1: string; fpscr: string };
  /** Raw bits by register name, parsed from `info float`. */
  raw: Map<string, bigint>;
}

/** Register name -> raw bits, from what `info float` printed. */
function rawBits(infoFloat: string): Map<string, bigint> {
  const raw = new Map<string, bigint>();
  for (const line of infoFloat.split('\n')) {
    const m = /^(fpscr)\s+(0x[0-9a-f]+)/.exec(line) ?? /^(\w+)\s.*\(raw (0x[0-9a-f]+)\)\s*$/.exec(line);
    if (m) raw.set(m[1]!, BigInt(m[2]!));
  }
  return raw;
}

async function fpView(gdb: GdbMi): Promise<FpView> {
  const infoFloat = await gdb.console('info float');
  const value = async (expr: string): Promise<string> => String((await gdb.cmd(`-data-evaluate-expression ${expr}`)).results['value']);
  const shown = {
    pc: await readPc(gdb),
    infoFloat,
    s0: await value('$s0'),
    d1: await value('$d1'),
    fpscr: await gdb.console('info registers fpscr'),
  };
  return { shown, raw: rawBits(infoFloat) };
}

/** Address of the first instruction of a function whose text matches, from the ELF's disassembly. */
async function findInstruction(elf: string, fn: string, mnemonic: RegExp, which: 'first' | 'last' = 'first'): Promise<number> {
  const { stdout } = await execFileAsync('arm-none-eabi-objdump', ['-d', `--disassemble=${fn}`, elf], { maxBuffer: 16 << 20 });
  const found: number[] = [];
  for (const m of stdout.matchAll(/^\s*([0-9a-f]+):\s+(?:[0-9a-f]{4} ?){1,2}\s+(.*)$/gm)) {
    if (mnemonic.test(m[2]!)) found.push(parseInt(m[1]!, 16));
  }
  if (found.length === 0) throw new Error(`no ${mnemonic} in ${fn} of ${elf}`);
  return which === 'first' ? found[0]! : found[found.length - 1]!;
}

/** Address of the first FP (`v…`) instruction of a function. */
function firstFpInstruction(elf: string, fn: string): Promise<number> {
  return findInstruction(elf, fn, /^v[a-z]/);
}


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
    '-M', 'mps2-an386', '-display', 'none', '-monitor', 'none', '-serial', 'null',
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

let dir: string;
beforeAll(() => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-fpu-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('FP registers in gdb on mps2-an386', () => {
  let armrr: ReplaySession;
  let qemu: { gdb: GdbMi; qemu: ChildProcess };
  const forward: FpView[] = [];
  let startIcount = 0;

  beforeAll(async () => {
    const log = join(dir, 'm4.rrlog');
    expect(await recordFirmware(ELF, log, { machine: 'mps2-an386', icountShift: SHIFT })).toMatch(/^fpu-workout\r?\n/);
    armrr = await connectReplay(ELF, log);
    qemu = await connectQemu(ELF);
  }, 60_000);
  afterAll(async () => {
    await armrr?.close();
    await qemu?.gdb.close();
    qemu?.qemu.kill('SIGKILL');
  });

  it('shows the FPU registers as QEMU does at every stepi over FP code', async () => {
    const start = await firstFpInstruction(ELF, FUNCTION);
    for (const gdb of [armrr.gdb, qemu.gdb]) {
      await gdb.cmd(`-break-insert *0x${start.toString(16)}`);
      const stopped = await gdb.run('-exec-continue', 30_000);
      expect(stopped['reason']).toBe('breakpoint-hit');
      await gdb.cmd('-break-delete');
    }
    startIcount = await readIcount(armrr.gdb);
    for (let i = 0; i <= STEPS; i++) {
      const [ours, theirs] = [await fpView(armrr.gdb), await fpView(qemu.gdb)];
      expect({ step: i, ...ours.shown }).toEqual({ step: i, ...theirs.shown });
      forward.push(ours);
      if (i < STEPS) for (const gdb of [armrr.gdb, qemu.gdb]) await gdb.run('-exec-step-instruction');
    }
    // What gdb shows: d0-d15, fpscr and s0-s31 (derived from d0-d15), and FP code really ran.
    const last = forward[STEPS]!;
    expect([...last.raw.keys()].sort()).toEqual(
      ['fpscr', ...Array.from({ length: 16 }, (_, n) => `d${n}`), ...Array.from({ length: 32 }, (_, n) => `s${n}`)].sort(),
    );
    expect(last.shown.fpscr).toMatch(/^fpscr\s+0x[0-9a-f]+\s+-?\d+/);
    // Nearly every step wrote an FP register, and FPSCR's cumulative flags changed on the way.
    const changed = forward.filter((v, i) => i > 0 && v.shown.infoFloat !== forward[i - 1]!.shown.infoFloat).length;
    expect(changed).toBeGreaterThanOrEqual(STEPS - 4);
    expect(new Set(forward.map((v) => v.raw.get('fpscr'))).size).toBeGreaterThan(1);
    // d<n> is s<2n+1>:s<2n>.
    for (let n = 0; n < 16; n++) {
      expect(last.raw.get(`d${n}`)).toBe((last.raw.get(`s${2 * n + 1}`)! << 32n) | last.raw.get(`s${2 * n}`)!);
    }
  }, 120_000);

  it('reverse-stepi over the FP instructions restores every earlier FP state', async () => {
    expect(forward).toHaveLength(STEPS + 1);
    for (let i = STEPS - 1; i >= 0; i--) {
      const stopped = await armrr.gdb.run('-exec-step-instruction --reverse');
      expect(stopped['reason']).toBe('end-stepping-range');
      expect(await readIcount(armrr.gdb)).toBe(startIcount + i);
      const view = await fpView(armrr.gdb);
      expect({ step: i, ...view.shown }).toEqual({ step: i, ...forward[i]!.shown });
    }
  }, 120_000);

  it('refuses to write an FP register in a replay', async () => {
    // gdb writes s0 as its d0 (`P` of 64 bits); the replay refuses it as any register write. (gdb
    // sends nothing when the value does not change, hence values that differ from the current.)
    expect(forward[0]!.raw.get('s0')).not.toBe(0xc49a5000n);
    await expect(armrr.gdb.console('set var $s0 = -1234.5')).rejects.toThrow(/Could not write register "d0"/);
    await expect(armrr.gdb.console('set var $fpscr = $fpscr ^ 1')).rejects.toThrow(/Could not write register "fpscr"/);
    expect((await fpView(armrr.gdb)).shown).toEqual(forward[0]!.shown);
  });
});

describe('an FP handler preempting FP code (fpu-irq), as QEMU shows it', () => {
  const IRQ_ELF = elfPath('m4-fpu-irq', 'O2');
  let armrr: ReplaySession;
  let qemu: { gdb: GdbMi; qemu: ChildProcess };

  beforeAll(async () => {
    const log = join(dir, 'irq.rrlog');
    expect(await recordFirmware(IRQ_ELF, log, { machine: 'mps2-an386', icountShift: SHIFT })).toMatch(/^fpu-irq\r?\n/);
    armrr = await connectReplay(IRQ_ELF, log);
    qemu = await connectQemu(IRQ_ELF);
  }, 60_000);
  afterAll(async () => {
    await armrr?.close();
    await qemu?.gdb.close();
    qemu?.qemu.kill('SIGKILL');
  });

  /** What gdb shows in the handler (frame 0) and in the interrupted FP code (frame 2, unwound through the extended frame). */
  async function handlerView(gdb: GdbMi): Promise<Record<string, string>> {
    const view: Record<string, string> = { bt: await gdb.console('bt'), 'info float': await gdb.console('info float') };
    view['frame 0: $sp'] = await gdb.console('output/x $sp');
    await gdb.console('frame 2');
    for (const reg of ['$sp', '$pc', '$fpscr', ...Array.from({ length: 16 }, (_, n) => `$s${n}`)]) {
      view[`frame 2: ${reg}`] = await gdb.console(`output/x ${reg}`);
    }
    await gdb.console('frame 0');
    return view;
  }

  it('shows the handler, the interrupted FP code and its s0-s15 through lazy preservation', async () => {
    const clobberReturn = await findInstruction(IRQ_ELF, 'clobber_fp', /^bx\s+lr/, 'last');
    const views: Record<string, string>[][] = [];
    for (const gdb of [armrr.gdb, qemu.gdb]) {
      const seen: Record<string, string>[] = [];
      // The first SysTick preempts fp_spin, whose live state is in S0-S15 and FPSCR: at entry the
      // extended frame is only reserved (lazy), the registers still hold the interrupted values.
      await gdb.cmd('-break-insert SysTick_Handler');
      expect((await gdb.run('-exec-continue', 60_000))['reason']).toBe('breakpoint-hit');
      await gdb.cmd('-break-delete');
      seen.push(await handlerView(gdb));
      // The handler goes on to clobber_fp, whose first FP instruction preserves that state into the
      // frame; stop at its return, S0-S15 overwritten, still in the handler.
      await gdb.cmd(`-break-insert -t *0x${clobberReturn.toString(16)}`);
      expect((await gdb.run('-exec-continue', 60_000))['reason']).toBe('breakpoint-hit');
      seen.push(await handlerView(gdb));
      views.push(seen);
    }
    const [ours, theirs] = views as [Record<string, string>[], Record<string, string>[]];
    expect(ours).toEqual(theirs);
    const [entry, after] = ours as [Record<string, string>, Record<string, string>];
    for (const view of [entry, after]) expect(view.bt).toMatch(/\n#1 +<signal handler called>\n#2 .* in fp_spin /);
    // The extended frame (EXC_RETURN bit 4 clear) is 0x68 bytes: gdb unwinds past it.
    const frameBase = Number(entry['frame 0: $sp']);
    expect(Number(entry['frame 2: $sp'])).toBe(frameBase + 0x68);
    // Lazy preservation wrote the interrupted s0-s15 and FPSCR (the registers at entry) into the
    // frame at +0x20, although the handler has overwritten the registers since. (gdb 13 shows
    // outer frames' FP registers as the live ones, QEMU's gdbstub alike, so read the frame.)
    const bits = (view: Record<string, string>, name: string): number => Number(rawBits(view['info float']!).get(name));
    const sNames = Array.from({ length: 16 }, (_, n) => `s${n}`);
    expect(sNames.filter((r) => bits(after, r) !== bits(entry, r)).length).toBeGreaterThan(8);
    const dump = await armrr.gdb.console(`x/17xw ${frameBase + 0x20}`);
    const stacked = dump.split('\n').flatMap((line) => line.replace(/^[^:]*:/, '').match(/0x[0-9a-f]+/g) ?? []).map(Number);
    expect(stacked).toEqual([...sNames, 'fpscr'].map((r) => bits(entry, r)));
  }, 120_000);
});

describe('no FP registers on mps2-an385', () => {
  it('has no fpscr or s0 in gdb', async () => {
    const elf = elfPath('rev-demo', 'O2');
    const log = join(dir, 'm3.rrlog');
    await recordFirmware(elf, log, { maxInsns: 2000 }); // rev-demo exits (0) well before the cap
    const session = await connectReplay(elf, log);
    try {
      await expect(session.gdb.console('info registers fpscr')).rejects.toThrow(/Invalid register/);
      await expect(session.gdb.cmd('-data-evaluate-expression $s0')).resolves.toMatchObject({ results: { value: 'void' } });
      expect(await session.gdb.console('info registers xpsr')).toMatch(/^xpsr\s+0x/);
    } finally {
      await session.close();
    }
  }, 60_000);
});
