/**
 * Record/replay through the real CLI (issue "record/replay", acceptance A1 and A4):
 * - every firmware program at every opt level: `run`, `record` and two `replay`s give identical
 *   stdout, stderr (minus `armrr:` lines), exit code and final state hash (invariants I1, I4);
 * - bad logs are refused with exit 3 and a message, never a stack trace: another firmware's log, a
 *   QEMU log (which `dump` accepts), logs whose bytes were edited (divergence names icount, event,
 *   byte offset, expected and actual); `diff` shows where two recordings part.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { armrrCli } from '../support/armrr-run.js';
import { OPT_LEVELS, PROGRAMS, PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';

/** Guest-visible stderr (semihosting console): everything but armrr's own messages. */
function guestStderr(s: string): string {
  return s
    .split('\n')
    .filter((l) => !l.startsWith('armrr:'))
    .join('\n');
}

function stateHash(stderr: string): { hash: string; icount: number } {
  const m = /^armrr: state hash ([0-9a-f]{64}) at icount (\d+)$/m.exec(stderr);
  if (m === null) throw new Error(`no state hash line in stderr:\n${stderr}`);
  return { hash: m[1]!, icount: Number(m[2]) };
}

function noStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toContain('internal error');
}

let dir: string;
beforeAll(() => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-rr-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAMS_UNDER_TEST: { elf: string; input: string }[] = [
  ...PROGRAMS.flatMap((p) => OPT_LEVELS.map((o) => ({ elf: elfPath(p, o), input: PROGRAM_INPUT[p] }))),
  { elf: elfPath('crc32', 'O2'), input: '' },
];

describe('record then replay reproduces run (I1, I4)', () => {
  for (const { elf, input } of PROGRAMS_UNDER_TEST) {
    const name = basename(elf, '.elf');
    it(name, async () => {
      const common = ['--no-realtime', '--state-hash', '--icount-shift', '5'];
      if (input !== '') {
        const f = join(dir, `${name}.in`);
        writeFileSync(f, input);
        common.push('--input', f);
      } else {
        common.push('--input', '/dev/null');
      }
      const log = join(dir, `${name}.log`);
      const [run, rec] = await Promise.all([armrrCli(['run', elf, ...common]), armrrCli(['record', elf, '-o', log, ...common])]);
      const rep1 = await armrrCli(['replay', elf, log, '--state-hash']);
      const rep2 = await armrrCli(['replay', elf, log, '--state-hash']);
      expect(run.stdout.length).toBeGreaterThan(0);
      for (const other of [rec, rep1, rep2]) {
        expect(other.stdout).toBe(run.stdout);
        expect(guestStderr(other.stderr)).toBe(guestStderr(run.stderr));
        expect(other.code).toBe(run.code);
      }
      // Replays reproduce the recording exactly (I1).
      expect(stateHash(rep1.stderr)).toEqual(stateHash(rec.stderr));
      expect(stateHash(rep2.stderr)).toEqual(stateHash(rec.stderr));
      // Recording is transparent (I4): same state as a plain run given the same inputs. A program
      // that reads the host clock (semihosting SYS_CLOCK/SYS_TIME: newlib-demo) gets different
      // inputs in two processes, so only the icount (its output is clock-independent) must agree.
      const readsHostClock = jsonEvents(readFileSync(log)).some((e) => e.kind === 'CLOCK');
      expect(readsHostClock).toBe(name.startsWith('newlib-demo'));
      if (readsHostClock) expect(stateHash(rec.stderr).icount).toBe(stateHash(run.stderr).icount);
      else expect(stateHash(rec.stderr)).toEqual(stateHash(run.stderr));
      // A semihosting exit is the normal end of every test program (exit code = the guest's).
      expect(run.code).not.toBe(3);
      expect(run.code).not.toBe(4);
    });
  }
});

describe('bad logs are refused clearly (exit 3)', () => {
  const echo = elfPath('uart-echo', 'O2');
  let echoLog: string;
  beforeAll(async () => {
    const inp = join(dir, 'echo-a.in');
    writeFileSync(inp, 'abc xyz\nq');
    echoLog = join(dir, 'echo-a.log');
    const r = await armrrCli(['record', echo, '-o', echoLog, '--input', inp, '--no-realtime']);
    expect(r.code).toBe(8); // uart-echo exits with the number of bytes it echoed before 'q'
  });

  it('a log replayed with another firmware', async () => {
    const r = await armrrCli(['replay', elfPath('uart-echo', 'Os'), echoLog]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/recorded with a different firmware or machine/);
    expect(r.stdout).toBe('');
    noStackTrace(r.stderr);
  });

  it('a QEMU log: replay needs QEMU\'s --icount-shift, dump reads it', async () => {
    const fx = new URL('../fixtures/qemu-7.2-mps2/', import.meta.url).pathname;
    const r = await armrrCli(['replay', join(fx, 'echo.elf'), join(fx, 'echo-shift7.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/recorded by QEMU/);
    noStackTrace(r.stderr);
    const d = await armrrCli(['dump', join(fx, 'echo-shift7.bin')]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^HEADER: version 0xe0200c/m);
    expect(d.stdout).toMatch(/ASYNC_CHAR_READ/);
  });

  it('diff: two recordings with different input part where the input differs; a log with itself is equal', async () => {
    const inp = join(dir, 'echo-b.in');
    writeFileSync(inp, 'abc Xyz\nq'); // the 5th byte differs
    const other = join(dir, 'echo-b.log');
    await armrrCli(['record', echo, '-o', other, '--input', inp, '--no-realtime']);
    const same = await armrrCli(['diff', echoLog, echoLog]);
    expect(same.code).toBe(0);
    const d = await armrrCli(['diff', echoLog, other]);
    expect(d.code).toBe(1);
    // Where they part: the 5th ASYNC_CHAR_READ, at the icount where both logs took that byte.
    const events = jsonEvents(readFileSync(echoLog));
    const fifth = events.filter((e) => e.kind === 'ASYNC_CHAR_READ')[4]!;
    const m = /first at event (\d+) \(icount (\d+)\)/.exec(d.stdout);
    expect(m, d.stdout).not.toBeNull();
    expect(Number(m![2])).toBe(fifth.icount);
    expect(Number(m![1])).toBeLessThanOrEqual(fifth.event);
    expect(Number(m![1])).toBeGreaterThan(events.filter((e) => e.kind === 'ASYNC_CHAR_READ')[3]!.event);
  });

  it('an edited ASYNC_CHAR_READ byte: divergence with icount, event, byte offset, expected/actual', async () => {
    const bytes = new Uint8Array(readFileSync(echoLog));
    const events = jsonEvents(bytes);
    const reads = events.filter((e) => e.kind === 'ASYNC_CHAR_READ');
    // 'a' (lowercase, uppercased by the guest) -> '1' (not a letter): the guest takes another path.
    const k = events.indexOf(reads[0]!);
    const dataAt = events[k + 1]!.offset - 1;
    expect(bytes[dataAt]).toBe('a'.charCodeAt(0));
    bytes[dataAt] = '1'.charCodeAt(0);
    const bad = join(dir, 'echo-edited-byte.log');
    writeFileSync(bad, bytes);
    const r = await armrrCli(['replay', echo, bad]);
    expect(r.code).toBe(3);
    expectDivergenceMessage(r.stderr);
  });

  it('a moved event (one more instruction before it): divergence, never a stack trace', async () => {
    const bytes = new Uint8Array(readFileSync(echoLog));
    const events = jsonEvents(bytes);
    // The INSTRUCTION event just before the first CHAR_WRITE: +1 moves that write and all later events.
    const w = events.findIndex((e) => e.kind === 'CHAR_WRITE');
    const insn = events[w - 1]!;
    expect(insn.kind).toBe('INSTRUCTION');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(insn.offset + 1, view.getUint32(insn.offset + 1) + 1);
    const bad = join(dir, 'echo-moved.log');
    writeFileSync(bad, bytes);
    const r = await armrrCli(['replay', echo, bad]);
    expect(r.code).toBe(3);
    expectDivergenceMessage(r.stderr);
    expect(r.stderr).toMatch(/CHAR_WRITE/);
  });

  it('a log cut in the middle of an event replays up to the last whole event with a warning', async () => {
    const bytes = readFileSync(echoLog);
    const cut = join(dir, 'echo-cut.log');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2) + 1));
    const r = await armrrCli(['replay', echo, cut, '--state-hash']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*(ends|cannot be decoded)/);
    expect(r.stderr).toMatch(/replaying up to the last whole event/);
    noStackTrace(r.stderr);
  });
});

function expectDivergenceMessage(stderr: string): void {
  expect(stderr).toMatch(/replay diverged at icount \d+: the log expects .+ at icount \d+ \(byte offset \d+, event \d+, icount \d+\), but the machine .+/);
  noStackTrace(stderr);
}

interface JsonEvent {
  event: number;
  offset: number;
  icount: number;
  kind: string;
}

/** The log's events, numbered as `armrr dump` numbers them (event = index + 1). */
function jsonEvents(bytes: Uint8Array): JsonEvent[] {
  const out: JsonEvent[] = [];
  for (const e of new ReplayLogReader(bytes)) out.push({ event: e.index + 1, offset: e.offset, icount: e.icount, kind: e.event.kind });
  return out;
}
