/**
 * User errors reach the user as one clear `armrr:` line and a documented exit code, never a stack
 * trace: bad firmware files, bad options, runaway guests, bad logs, busy ports.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfPath, ensureFirmware, ROOT } from '../support/firmware.js';

const BIN = join(ROOT, 'bin', 'armrr.js');
let dir: string;

function armrr(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One user-facing error: an `armrr:` message, no JavaScript stack frames. */
function expectCleanError(stderr: string, message: RegExp): void {
  expect(stderr).toMatch(message);
  expect(stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  expect(stderr).not.toMatch(/internal error/);
}

beforeAll(() => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad firmware files', () => {
  it('refuses random bytes as "not an ELF"', () => {
    const f = join(dir, 'garbage.elf');
    writeFileSync(f, Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) & 0xff)));
    const r = armrr('run', f);
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, /^armrr: not an ELF file/m);
  });
  it('refuses a 64-bit host executable', () => {
    const r = armrr('run', process.execPath);
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, /^armrr: not a 32-bit ELF/m);
  });
  it('refuses a truncated ELF', () => {
    const elf = spawnSync('head', ['-c', '200', elfPath('crc32', 'O2')]).stdout;
    const f = join(dir, 'short.elf');
    writeFileSync(f, elf);
    const r = armrr('run', f);
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, /^armrr: .*(truncated|outside|corrupt|ends)/im);
  });
  it('names a missing file', () => {
    const r = armrr('run', join(dir, 'nope.elf'));
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, /cannot read firmware .*no such file/);
  });
});

describe('replay of bad firmware says what is wrong with the ELF, before any fingerprint comparison', () => {
  let log: string;
  beforeAll(() => {
    log = join(dir, 'crc32.rrlog');
    const r = armrr('record', elfPath('crc32', 'O2'), '-o', log, '--no-realtime', '--input', '/dev/null');
    expect(r.code).toBe(0);
  });
  const variant = (name: string, edit: (elf: Buffer) => Buffer): string => {
    const f = join(dir, name);
    writeFileSync(f, edit(readFileSync(elfPath('crc32', 'O2'))));
    return f;
  };
  it.each([
    ['random bytes', () => variant('garbage.elf', () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) & 0xff))), /not an ELF file/],
    // e_machine (offset 18) = EM_386: a 32-bit little-endian ELF for another machine.
    ['an ELF for x86', () => variant('x86.elf', (b) => (b.writeUInt16LE(3, 18), b)), /not an ARM ELF \(e_machine=3/],
    ['a truncated ELF', () => variant('short.elf', (b) => b.subarray(0, 200)), /(truncated|corrupt)/i],
    ['a 64-bit host executable', () => process.execPath, /not a 32-bit ELF/],
  ])('%s: exit 4', (_what, file, message) => {
    const r = armrr('replay', file(), log);
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, new RegExp(`^armrr: '.*' is not firmware armrr can load: .*${message.source}`, 'm'));
    expect(r.stderr).not.toMatch(/fingerprint/);
  });
});

describe('bad options', () => {
  it.each([
    [['run', 'x.elf', '--icount-shift', '11'], /--icount-shift must be 0\.\.10/],
    [['run', 'x.elf', '--icount-shift', 'two'], /--icount-shift must be a non-negative integer/],
    [['run', 'x.elf', '--machine', 'stm32'], /unknown machine 'stm32'; available: mps2-an385/],
    [['run', 'x.elf', '--max-insns', '-5'], /--max-insns must be a non-negative integer/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['replay', 'x.elf'], /missing required argument 'log'/],
    [['diff', 'a.rrlog', 'b.rrlog', '--ignore', 'NOT_AN_EVENT'], /--ignore: unknown event 'NOT_AN_EVENT'/],
  ])('%j exits 2 with a clear message', (args, message) => {
    const r = armrr(...(args as string[]));
    expect(r.code).toBe(2);
    expectCleanError(r.stderr, message as RegExp);
  });
});

describe('runaway guests and logs', () => {
  it('--max-insns stops a runaway guest with exit code 4', () => {
    const r = armrr('run', elfPath('crc32-long', 'O2'), '--max-insns', '100000', '--icount-shift', '0');
    expect(r.code).toBe(4);
    expectCleanError(r.stderr, /stopped after 100000 instructions \(--max-insns 100000\)/);
  });
  it('a file that is no replay log is refused with exit code 3', () => {
    const f = join(dir, 'not-a-log');
    writeFileSync(f, 'hello, this is not a replay log at all\n');
    const r = armrr('replay', elfPath('crc32', 'O2'), f);
    expect(r.code).toBe(3);
    expectCleanError(r.stderr, /^armrr: Unsupported replay log version/m);
    const d = armrr('dump', f);
    expect(d.code).toBe(3);
  });
  it('an empty log is refused with exit code 3', () => {
    const f = join(dir, 'empty.rrlog');
    writeFileSync(f, '');
    const r = armrr('replay', elfPath('crc32', 'O2'), f);
    expect(r.code).toBe(3);
    expectCleanError(r.stderr, /shorter than its 12-byte header/);
  });
});

describe('gdb ports', () => {
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => busy.close());

  it('a port in use is a usage error, for run --gdb and replay --gdb', () => {
    const log = join(dir, 'crc.rrlog');
    expect(armrr('record', elfPath('crc32', 'O2'), '-o', log).code).toBe(0);
    for (const args of [
      ['replay', elfPath('crc32', 'O2'), log, '--gdb', String(port)],
      ['run', elfPath('crc32', 'O2'), '--gdb', `127.0.0.1:${port}`],
    ]) {
      const r = armrr(...args);
      expect(r.code).toBe(2);
      expectCleanError(r.stderr, new RegExp(`port ${port} is in use; pick another with --gdb PORT`));
    }
  });
  it('a malformed --gdb address is a usage error', () => {
    const r = armrr('run', elfPath('crc32', 'O2'), '--gdb', 'localhost:http');
    expect(r.code).toBe(2);
    expectCleanError(r.stderr, /is not \[HOST:\]PORT/);
  });
});
