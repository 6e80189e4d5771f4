/**
 * Debian's armhf kernel on vexpress-a9 (issue 17's Linux part): with Debian's
 * vexpress-v2p-ca9.dtb, QEMU 7.2 and armrr put the same device tree into RAM (QEMU's
 * `dumpdtb` of the tree after boot.c's and vexpress.c's edits, byte for byte), and the fast boot
 * (the decompressed kernel as a uImage at 0x60208000, 256 MiB, crypto self-tests off, -icount
 * shift 7, RTC on virtual time) prints the same console bytes up to and including the shell prompt,
 * printk timestamps included, with the A32 JIT; interpreter-only (--no-jit) reaches the same state
 * hash past the prompt. With the workload initramfs (busybox workload in Thumb-2 user space, then
 * `poweroff -f` through the vexpress system registers' SYS_CFG shutdown) the whole console and the
 * exit status (0) match. Must-be-true 2 proper: Debian's zImage (XZ decompressor included) with
 * -m 1024 prints QEMU's console to the prompt at shift 7 and 5; at shift 7 it is recorded with a
 * line typed through a pipe, which /init echoes before powering off (exit 0). QEMU never exits at
 * the prompt, so it is stopped once the prompt is out. The replay of a typed line on this board:
 * gdb-vexpress-linux.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDebianGuest } from '../support/debian-guest.js';
import { QEMU, requireQemu } from '../support/qemu.js';
import { ARMRR_BIN } from '../support/armrr-run.js';
import { bootFirmware } from '../../src/emulator/boot.js';
import { NoSerialInput } from '../../src/emulator/io/live-ports.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { recordTypedLine } from '../support/linux-replay.js';

const PROMPT = 'armrr-guest$ ';
const RTC_BASE = '2026-12-01T00:00:00';
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
/** Issue 17's reference boot: Debian's zImage (XZ decompressor included), 1 GiB, console on UART0. */
const ZIMAGE_APPEND = 'console=ttyAMA0';
const ZIMAGE_MEMORY_MIB = 1024;
const QEMU_BOARD = ['-M', 'vexpress-a9', '-cpu', 'cortex-a9', '-nic', 'none', '-audiodev', 'none,id=snd0', '-global', 'pl041.audiodev=snd0'];

/** Run a command and collect stdout; stop it once the prompt is out, or after `timeoutMs`. */
function untilPrompt(cmd: string, args: string[], timeoutMs: number): Promise<{ bytes: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let tail = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      tail = (tail + b.toString('latin1')).slice(-4096);
      if (tail.includes(PROMPT)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(out), stderr });
    });
  });
}

/** Run a command to its end (or `timeoutMs`): stdout and exit code. */
function toExit(cmd: string, args: string[], timeoutMs: number): Promise<{ bytes: Buffer; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(out), code, stderr });
    });
  });
}

/** The console up to and including the first prompt (what both must agree on). */
function toPrompt(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  const i = s.indexOf(PROMPT);
  return i < 0 ? s : s.slice(0, i + PROMPT.length);
}

/** Line by line first (a readable first difference), then the whole. */
function expectSameLines(got: string, expected: string): void {
  const el = expected.split('\n');
  const gl = got.split('\n');
  for (let i = 0; i < el.length; i++) expect(gl[i], `console line ${i + 1}`).toBe(el[i]);
  expect(got).toBe(expected);
}

/** Past the fast boot's prompt (~3.0e8 instructions): the guest idles at the prompt by then. */
const FAST_BOOT_HASH_AT = 330_000_000;

function stateHashOf(stderr: string): string {
  const m = /state hash ([0-9a-f]+) at icount (\d+)/.exec(stderr);
  if (m === null) throw new Error(`no state hash in armrr's stderr: ${stderr.slice(-1000)}`);
  expect(Number(m[2])).toBe(FAST_BOOT_HASH_AT);
  return m[1]!;
}

// The tests are independent processes (QEMU and armrr, a boot each): they run side by side on the
// machine's cores instead of one after another (CI time).
describe.concurrent('Linux on vexpress-a9', () => {
  it("armrr puts QEMU's device tree into RAM (QEMU's dumpdtb, byte for byte)", () => {
    requireQemu();
    const g = ensureDebianGuest();
    const dir = mkdtempSync(join(tmpdir(), 'armrr-vexpress-dtb-'));
    try {
      const dump = join(dir, 'qemu.dtb');
      const q = spawnSyncQemu([
        '-M', `vexpress-a9,dumpdtb=${dump}`, ...QEMU_BOARD.slice(2),
        '-m', '256', '-dtb', g.vexpressDtb, '-kernel', g.vexpressUImage, '-initrd', g.initrd, '-append', APPEND,
        '-display', 'none', '-serial', 'none', '-monitor', 'none',
      ]);
      expect(q, 'QEMU dumpdtb').toBe(0);
      const booted = bootFirmware(new Uint8Array(readFileSync(g.vexpressUImage)), {
        machine: 'vexpress-a9',
        icountShift: 7,
        serial: new NoSerialInput(),
        host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
        output: { uartWrite: () => {}, consoleWrite: () => {} },
        memoryBytes: 256 << 20,
        dtb: new Uint8Array(readFileSync(g.vexpressDtb)),
        initrd: new Uint8Array(readFileSync(g.initrd)),
        append: APPEND,
      });
      const dtb = booted.linux!.blobs.find((b) => b.name === 'dtb')!;
      expect(Buffer.from(dtb.data).equals(readFileSync(dump))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the fast boot prints the console of QEMU up to the prompt (timestamps included), shift 7; the state at 3.3e8 hashes the same with and without the JIT', async () => {
    requireQemu();
    const g = ensureDebianGuest();
    const armrr = (jit: boolean): Promise<{ bytes: Buffer; code: number | null; stderr: string }> =>
      toExit(process.execPath, [
        ARMRR_BIN, 'run', g.vexpressUImage, '--machine', 'vexpress-a9', '--memory', '256M', '--dtb', g.vexpressDtb,
        '--initrd', g.initrd, '--append', APPEND, '--rtc-base', RTC_BASE, '--icount-shift', '7', '--no-realtime',
        '--max-insns', String(FAST_BOOT_HASH_AT), '--state-hash', ...(jit ? [] : ['--no-jit']),
      ], 20 * 60_000);
    const [q, withJit] = await Promise.all([
      untilPrompt(QEMU, [
        ...QEMU_BOARD, '-m', '256', '-dtb', g.vexpressDtb, '-kernel', g.vexpressUImage, '-initrd', g.initrd, '-append', APPEND,
        '-rtc', `base=${RTC_BASE},clock=vm`, '-icount', 'shift=7,sleep=off', '-nographic', '-serial', 'stdio', '-monitor', 'none',
      ], 5 * 60_000),
      armrr(true),
    ]);
    const expected = toPrompt(q.bytes);
    expect(expected.endsWith(PROMPT), `QEMU did not reach the prompt: ${expected.slice(-400)}`).toBe(true);
    expectSameLines(toPrompt(withJit.bytes), expected);
    // The A32 block JIT (on by default) against the interpreter: same console, same machine state.
    const interpreted = await armrr(false);
    expect(stateHashOf(withJit.stderr), 'state hash at 3.3e8, JIT vs --no-jit').toBe(stateHashOf(interpreted.stderr));
    expect(withJit.bytes.toString('latin1')).toBe(interpreted.bytes.toString('latin1'));
  }, 40 * 60_000);

  it('the busybox workload runs and powers off through SYS_CFG: whole console and exit status as QEMU', async () => {
    requireQemu();
    const g = ensureDebianGuest();
    const [q, a] = await Promise.all([
      toExit(QEMU, [
        ...QEMU_BOARD, '-m', '256', '-dtb', g.vexpressDtb, '-kernel', g.vexpressUImage, '-initrd', g.workloadInitrd, '-append', APPEND,
        '-rtc', `base=${RTC_BASE},clock=vm`, '-icount', 'shift=7,sleep=off', '-nographic', '-serial', 'stdio', '-monitor', 'none',
      ], 5 * 60_000),
      toExit(process.execPath, [
        ARMRR_BIN, 'run', g.vexpressUImage, '--machine', 'vexpress-a9', '--memory', '256M', '--dtb', g.vexpressDtb,
        '--initrd', g.workloadInitrd, '--append', APPEND, '--rtc-base', RTC_BASE, '--icount-shift', '7', '--no-realtime',
      ], 25 * 60_000),
    ]);
    const expected = q.bytes.toString('latin1');
    expect(expected, "QEMU's workload did not finish").toMatch(/=== workload: done ===[\s\S]*reboot: Power down/);
    expect(q.code).toBe(0);
    expectSameLines(a.bytes.toString('latin1'), expected);
    expect(a.code, a.stderr).toBe(0);
  }, 30 * 60_000);

  /** QEMU's zImage boot at `shift`, stopped once the prompt is out: the console to the prompt. */
  async function qemuZImageToPrompt(shift: number): Promise<string> {
    const g = ensureDebianGuest();
    const q = await untilPrompt(QEMU, [
      ...QEMU_BOARD, '-m', String(ZIMAGE_MEMORY_MIB), '-dtb', g.vexpressDtb, '-kernel', g.zImage, '-initrd', g.initrd, '-append', ZIMAGE_APPEND,
      '-rtc', `base=${RTC_BASE},clock=vm`, '-icount', `shift=${shift},sleep=off`, '-nographic', '-serial', 'stdio', '-monitor', 'none',
    ], 10 * 60_000);
    const expected = toPrompt(q.bytes);
    expect(expected.endsWith(PROMPT), `QEMU did not reach the prompt (stderr ${q.stderr}): ${expected.slice(-400)}`).toBe(true);
    return expected;
  }

  function armrrZImageArgs(shift: number): string[] {
    const g = ensureDebianGuest();
    return [
      '--machine', 'vexpress-a9', '--memory', `${ZIMAGE_MEMORY_MIB}M`, '--dtb', g.vexpressDtb, '--initrd', g.initrd,
      '--append', ZIMAGE_APPEND, '--rtc-base', RTC_BASE, '--icount-shift', String(shift),
    ];
  }

  it("Debian's zImage, 1024M, shift 7: recorded with a line typed at the prompt; console to the prompt = QEMU's; power-off exit 0", async () => {
    requireQemu();
    const g = ensureDebianGuest();
    const dir = mkdtempSync(join(tmpdir(), 'armrr-vexpress-zimage-'));
    try {
      const log = join(dir, 'zimage.rrlog');
      const [expected, recorded] = await Promise.all([
        qemuZImageToPrompt(7),
        recordTypedLine(g.zImage, armrrZImageArgs(7), log, 'typed on vexpress', 40 * 60_000),
      ]);
      expectSameLines(toPrompt(Buffer.from(recorded, 'latin1')), expected);
      // After the prompt: /init echoes the line and powers off through SYS_CFG (record exited 0).
      expect(recorded.replace(/\r/g, '')).toContain('you typed: typed on vexpress\n');
      expect(recorded).toContain('reboot: Power down');
      let typed = '';
      let last = '';
      for (const e of ReplayLogReader.fromFile(log)) {
        if (e.event.kind === 'ASYNC_CHAR_READ') typed += Buffer.from(e.event.data).toString('latin1');
        if (e.event.kind === 'SHUTDOWN') last = `SHUTDOWN_${e.event.cause}`;
      }
      expect(typed, 'the typed line is in the log as ASYNC_CHAR_READ').toBe('typed on vexpress\n');
      expect(last).toBe('SHUTDOWN_GUEST_SHUTDOWN');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45 * 60_000);

  it("Debian's zImage, 1024M, shift 5: console to the prompt = QEMU's", async () => {
    requireQemu();
    const g = ensureDebianGuest();
    const [expected, a] = await Promise.all([
      qemuZImageToPrompt(5),
      untilPrompt(process.execPath, [ARMRR_BIN, 'run', g.zImage, ...armrrZImageArgs(5), '--no-realtime'], 40 * 60_000),
    ]);
    expectSameLines(toPrompt(a.bytes), expected);
  }, 45 * 60_000);
});

function spawnSyncQemu(args: string[]): number | null {
  return spawnSync(QEMU, args, { stdio: 'ignore', timeout: 60_000 }).status;
}
