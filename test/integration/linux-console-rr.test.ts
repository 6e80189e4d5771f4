/**
 * Typed console input on Linux, recorded and replayed (issue 14, must-be-true 2; Bad input's
 * Ctrl-C line). The fast boot of Debian's kernel (decompressed uImage, cryptomgr.notests, 256M,
 * shift 7) reaches /init's `armrr-guest$ ` prompt; a line typed there from a pipe, from a pty
 * (script(1)) and through `--console mux` (QEMU's -serial mon:stdio escapes) is recorded as
 * ASYNC_CHAR_READ, the guest echoes it and powers off (exit 0), and `armrr replay` prints exactly
 * the recording's console bytes and exits 0. Runs cut short (Ctrl-C on a terminal, Ctrl-A X in mux
 * mode) keep a log that replays to that point.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARMRR_BIN } from '../support/armrr-process.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';

const PROMPT = 'armrr-guest$ ';
// A fast boot takes ~0.27e9 instructions: minutes on a loaded machine, so generous bounds.
const TIMEOUT = 30 * 60_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let guest: DebianGuest;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-linux-console-'));
  // script(1) (util-linux) is what gives armrr a real terminal: required, not optional.
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`script(1) from util-linux is required for the pty tests: ${probe.error ?? probe.stderr}`);
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The fast boot's board and boot options (the same for record and replay). */
function bootArgs(): string[] {
  return [
    '--machine', 'virt', '--memory', '256M', '--initrd', guest.initrd,
    '--append', 'console=ttyAMA0 cryptomgr.notests', '--rtc-base', '2026-12-01T00:00:00', '--icount-shift', '7',
  ];
}

function collect(child: ChildProcess, onStdout?: (all: string) => void): Promise<Finished> {
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('latin1').on('data', (d: string) => {
    stdout += d;
    onStdout?.(stdout);
  });
  child.stderr?.setEncoding('latin1').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** Resolves when the output so far contains `text`; rejects if the process ends first. */
function waitFor(text: string, done: Promise<Finished>): { seen: Promise<void>; onStdout: (all: string) => void } {
  let resolveSeen!: () => void;
  const seen = new Promise<void>((r) => (resolveSeen = r));
  return {
    seen: Promise.race([
      seen,
      done.then((r) => Promise.reject(new Error(`armrr ended (code ${r.code}) before printing '${text}':\n${r.stdout.slice(-2000)}\n${r.stderr}`))),
    ]),
    onStdout: (all) => {
      if (all.includes(text)) resolveSeen();
    },
  };
}

/** Record under script(1): stdin is a terminal. stderr goes to a file so it does not mix in. */
function recordOnPty(log: string, extra: string[]): { child: ChildProcess; stderrFile: string } {
  const stderrFile = `${log}.stderr`;
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, ARMRR_BIN, 'record', guest.virtUImage, '-o', log, ...bootArgs(), ...extra].map(q).join(' ') + ` 2>${q(stderrFile)}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, stderrFile };
}

async function typeSlowly(child: ChildProcess, text: string): Promise<void> {
  for (const ch of text) {
    await sleep(30);
    child.stdin!.write(ch, 'latin1');
  }
}

function replay(log: string): Promise<Finished> {
  // stdin closed: a replay takes no host input.
  const child = spawn(process.execPath, [ARMRR_BIN, 'replay', guest.virtUImage, log, ...bootArgs()], { stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

/** The pty's line discipline adds \r to the guest's \n (ONLCR): compare the guest's bytes. */
const noCr = (s: string): string => s.replace(/\r/g, '');

/** The kinds of the log's events, in order (INSTRUCTION left out). */
function eventNames(log: string): string[] {
  const r = ReplayLogReader.fromFile(log);
  const names: string[] = [];
  for (const e of r) {
    if (e.event.kind === 'INSTRUCTION') continue;
    names.push(e.event.kind === 'SHUTDOWN' ? `SHUTDOWN_${e.event.cause}` : e.event.kind);
  }
  return names;
}

function charReads(log: string): string {
  const r = ReplayLogReader.fromFile(log);
  let s = '';
  for (const e of r) if (e.event.kind === 'ASYNC_CHAR_READ') s += Buffer.from(e.event.data).toString('latin1');
  return s;
}

// Each test records and replays its own boot in its own processes (a pty recording is paced by host
// time): they run side by side instead of one after another (CI time).
describe.concurrent('a line typed at the Linux prompt is recorded and replayed', () => {
  it('from a pipe', { timeout: TIMEOUT }, async () => {
    const log = join(dir, 'pipe.rrlog');
    const child = spawn(process.execPath, [ARMRR_BIN, 'record', guest.virtUImage, '-o', log, ...bootArgs()], { stdio: ['pipe', 'pipe', 'pipe'] });
    let onStdout: (all: string) => void = () => {};
    const done = collect(child, (all) => onStdout(all));
    const w = waitFor(PROMPT, done);
    onStdout = w.onStdout;
    await w.seen;
    await typeSlowly(child, 'hello from a pipe\n');
    const rec = await done;
    // The guest's tty writes \r\n (ONLCR): compare lines without carriage returns.
    expect(noCr(rec.stdout)).toContain('you typed: hello from a pipe\n');
    expect(rec.stdout).toContain('reboot: Power down');
    expect(rec.code, rec.stderr).toBe(0);
    expect(charReads(log)).toBe('hello from a pipe\n');
    expect(eventNames(log).slice(-2)).toEqual(['SHUTDOWN_GUEST_SHUTDOWN', 'END']);
    const rep = await replay(log);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toBe(rec.stdout);
  });

  it('from a terminal (pty via script(1))', { timeout: TIMEOUT }, async () => {
    const log = join(dir, 'pty.rrlog');
    const { child, stderrFile } = recordOnPty(log, []);
    let onStdout: (all: string) => void = () => {};
    const done = collect(child, (all) => onStdout(all));
    const w = waitFor(PROMPT, done);
    onStdout = w.onStdout;
    await w.seen;
    await typeSlowly(child, 'typed on a pty\r');
    const rec = await done;
    expect(rec.code, readFileSync(stderrFile, 'latin1')).toBe(0);
    expect(noCr(rec.stdout)).toContain('you typed: typed on a pty\n');
    expect(charReads(log)).toBe('typed on a pty\r');
    const rep = await replay(log);
    expect(rep.code, rep.stderr).toBe(0);
    expect(noCr(rep.stdout)).toBe(noCr(rec.stdout));
  });

  it('through --console mux on a pty: Ctrl-A Ctrl-A reaches the guest as one Ctrl-A, and is recorded', { timeout: TIMEOUT }, async () => {
    const log = join(dir, 'mux.rrlog');
    const { child, stderrFile } = recordOnPty(log, ['--console', 'mux']);
    let onStdout: (all: string) => void = () => {};
    const done = collect(child, (all) => onStdout(all));
    const w = waitFor(PROMPT, done);
    onStdout = w.onStdout;
    await w.seen;
    await typeSlowly(child, 'mux \x01\x01 line\r');
    const rec = await done;
    expect(rec.code, readFileSync(stderrFile, 'latin1')).toBe(0);
    expect(charReads(log)).toBe('mux \x01 line\r');
    expect(noCr(rec.stdout)).toContain('you typed: mux \x01 line\n');
    const rep = await replay(log);
    expect(rep.code, rep.stderr).toBe(0);
    expect(noCr(rep.stdout)).toBe(noCr(rec.stdout));
  });
});

describe.concurrent('a boot cut short keeps a log that replays to that point', () => {
  it('Ctrl-C on a terminal stops the recording (exit 130); the replay prints the same bytes and exits 0', { timeout: TIMEOUT }, async () => {
    const log = join(dir, 'ctrl-c.rrlog');
    const { child, stderrFile } = recordOnPty(log, []);
    let onStdout: (all: string) => void = () => {};
    const done = collect(child, (all) => onStdout(all));
    const w = waitFor('Booting Linux', done);
    onStdout = w.onStdout;
    await w.seen;
    child.stdin!.write('\x03');
    const rec = await done;
    expect(readFileSync(stderrFile, 'latin1')).toMatch(/stopped \(interrupted\) at icount \d+/);
    expect(rec.code).toBe(130);
    expect(eventNames(log).slice(-2)).toEqual(['SHUTDOWN_HOST_SIGNAL', 'END']);
    const rep = await replay(log);
    expect(rep.code, rep.stderr).toBe(0);
    expect(noCr(rep.stdout)).toBe(noCr(rec.stdout));
  });

  it('Ctrl-A x in --console mux quits (exit 0, SHUTDOWN_HOST_QMP_QUIT as QEMU); the replay prints the same bytes', { timeout: TIMEOUT }, async () => {
    const log = join(dir, 'mux-quit.rrlog');
    const { child, stderrFile } = recordOnPty(log, ['--console', 'mux']);
    let onStdout: (all: string) => void = () => {};
    const done = collect(child, (all) => onStdout(all));
    const w = waitFor('Booting Linux', done);
    onStdout = w.onStdout;
    await w.seen;
    child.stdin!.write('\x01x');
    const rec = await done;
    const stderr = readFileSync(stderrFile, 'latin1');
    expect(stderr).toMatch(/terminated \(C-a x\)/);
    expect(rec.code, stderr).toBe(0);
    expect(eventNames(log).slice(-2)).toEqual(['SHUTDOWN_HOST_QMP_QUIT', 'END']);
    const rep = await replay(log);
    expect(rep.code, rep.stderr).toBe(0);
    expect(noCr(rep.stdout)).toBe(noCr(rec.stdout));
  });
});
