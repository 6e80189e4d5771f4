/**
 * Record/replay with live input and killed recordings (issue "record/replay", A2 and A3):
 * - uart-echo recorded with bytes typed into a pipe, and into a pty (`script`), with host delays
 *   between them, replays identically with stdin closed;
 * - a recording killed with SIGKILL mid-run leaves a log whose prefix replays with a warning.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARMRR_BIN } from '../support/armrr-process.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess, onStdout?: (all: string) => void): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('latin1').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout);
  });
  child.stderr?.setEncoding('latin1').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function replay(elf: string, log: string, extra: string[] = []): Promise<Finished> {
  // stdin closed: a replay takes no host input.
  const child = spawn(process.execPath, [ARMRR_BIN, 'replay', elf, log, '--state-hash', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

function hashLine(stderr: string): string {
  const m = /^armrr: state hash [0-9a-f]{64} at icount \d+$/m.exec(stderr);
  if (m === null) throw new Error(`no state hash in:\n${stderr}`);
  return m[0];
}

/** Types `text` one byte at a time with host delays, as a person (or a slow script) would. */
async function typeSlowly(write: (b: string) => void, text: string, gapMs: number): Promise<void> {
  for (const ch of text) {
    await sleep(gapMs);
    write(ch);
  }
}

const ECHO = (): string => elfPath('uart-echo', 'O2');
const TYPED = 'typed slowly, 42!\nq';
// uart-echo upper-cases letters, echoes everything before 'q', then prints "bye n=..".
const ECHOED = 'TYPED SLOWLY, 42!\n';

let dir: string;
beforeAll(() => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('interactive input', () => {
  it('bytes typed into a pipe with delays replay identically with stdin closed', async () => {
    const log = join(dir, 'pipe.log');
    const child = spawn(process.execPath, [ARMRR_BIN, 'record', ECHO(), '-o', log, '--input', '-', '--state-hash'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const done = collect(child);
    await typeSlowly((b) => child.stdin!.write(b), TYPED, 25);
    child.stdin!.end();
    const rec = await done;
    expect(rec.stdout).toContain(ECHOED);
    expect(rec.code).toBe(TYPED.length - 1); // exit code = bytes echoed before 'q'
    const rep = await replay(ECHO(), log);
    expect(rep.stdout).toBe(rec.stdout);
    expect(rep.code).toBe(rec.code);
    expect(hashLine(rep.stderr)).toBe(hashLine(rec.stderr));
  });

  it('bytes typed on a terminal (pty via script(1)) replay identically', async () => {
    // script(1) (util-linux, on every Debian) is what gives armrr a real terminal: required, not optional.
    const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`script(1) from util-linux is required for the pty test: ${probe.error ?? probe.stderr}`);
    const log = join(dir, 'pty.log');
    const hashFile = join(dir, 'pty.stderr');
    // script runs armrr on a pty: stdin is a terminal, so armrr goes raw and paces in real time.
    // stderr goes to a file so the hash line does not mix with the terminal's output.
    const cmd = `'${process.execPath}' '${ARMRR_BIN}' record '${ECHO()}' -o '${log}' --state-hash 2>'${hashFile}'`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // armrr puts the terminal in raw mode before the guest runs, so the guest's banner means typed
    // bytes go to the UART rather than to the line discipline's echo.
    let ready!: () => void;
    const readySeen = new Promise<void>((resolve) => (ready = resolve));
    const done = collect(child, (all) => {
      if (all.includes('uart-echo ready')) ready();
    });
    await Promise.race([readySeen, done.then((r) => Promise.reject(new Error(`armrr ended before the guest was ready: ${r.stdout}${r.stderr}`)))]);
    await typeSlowly((b) => child.stdin!.write(b), TYPED.replace('\n', '\r'), 25);
    const rec = await done;
    // The pty's line discipline adds \r to the guest's \n (ONLCR); the guest's bytes are what the
    // log records and the replay writes, so compare without carriage returns.
    const noCr = (s: string): string => s.replace(/\r/g, '');
    expect(noCr(rec.stdout)).toContain('TYPED SLOWLY, 42!');
    expect(rec.code).toBe(TYPED.length - 1);
    const rep = await replay(ECHO(), log);
    expect(rep.code).toBe(rec.code);
    expect(noCr(rep.stdout)).toBe(noCr(rec.stdout));
    expect(hashLine(rep.stderr)).toBe(hashLine(readFileSync(hashFile, 'latin1')));
  });
});

describe('a killed recording', () => {
  it('SIGKILL mid-run leaves a log whose prefix replays up to the last whole event', async () => {
    const log = join(dir, 'killed.log');
    const elf = elfPath('crc32-long', 'O2');
    const child = spawn(process.execPath, [ARMRR_BIN, 'record', elf, '-o', log, '--icount-shift', '7', '--no-realtime'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const done = collect(child);
    // Wait (bounded by progress, not by a wall-clock assertion) until the log has grown past a few
    // 64 KiB flushes, so the kill lands mid-run with real data on disk.
    const size = (): number => (existsSync(log) ? statSync(log).size : 0);
    let polls = 0;
    while (size() < 3 * 65536 && child.exitCode === null && polls++ < 600) await sleep(50);
    expect(child.exitCode).toBeNull(); // still recording (crc32-long runs 1.84e9 instructions)
    const before = size();
    // Still growing (a progress check, not a timing one: poll until the next flush lands).
    for (let i = 0; i < 600 && size() <= before && child.exitCode === null; i++) await sleep(50);
    expect(size()).toBeGreaterThan(before);
    child.kill('SIGKILL');
    const rec = await done;
    expect(rec.signal).toBe('SIGKILL');

    const rep = await replay(elf, log, ['--quiet']);
    expect(rep.stderr).toMatch(/armrr: warning: .*(ends without an END event|cannot be decoded)/);
    expect(rep.stderr).toMatch(/replaying up to the last whole event \(icount (\d+)\)/);
    expect(rep.code).toBe(0);
    const end = Number(/last whole event \(icount (\d+)\)/.exec(rep.stderr)![1]);
    expect(end).toBeGreaterThan(1_000_000);
    expect(hashLine(rep.stderr)).toMatch(new RegExp(`at icount ${end}$`));
    expect(rep.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
