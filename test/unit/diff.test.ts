import { describe, expect, it } from 'vitest';

import { align, diffLogs } from '../../src/replay/diff.js';
import type { ReplayEvent } from '../../src/replay/events.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { ReplayLogWriter } from '../../src/replay/log-writer.js';
import { qemuFixture, RawLog } from './replay-log-fixtures.js';

const FP = Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1);

/** A log of these events at these icounts (INSTRUCTION events written between them as the writer does). */
function writeLog(events: Array<[ReplayEvent, number]>): Uint8Array {
  const w = ReplayLogWriter.inMemory(FP);
  for (const [e, icount] of events) w.write(e, icount);
  w.close();
  return w.bytes();
}

/** Re-encodes a log's events through the armrr writer, optionally editing the (event, icount) list. */
function reencode(bytes: Uint8Array, edit: (events: Array<[ReplayEvent, number]>) => void = () => {}): Uint8Array {
  const events: Array<[ReplayEvent, number]> = [];
  for (const e of new ReplayLogReader(bytes)) if (e.event.kind !== 'INSTRUCTION') events.push([e.event, e.icount]);
  edit(events);
  const w = ReplayLogWriter.inMemory(FP);
  for (const [e, icount] of events) w.write(e, icount);
  w.close();
  return w.bytes();
}

describe('diffLogs', () => {
  it('a log against itself is identical', () => {
    const echo = qemuFixture('echo-shift7.bin');
    const r = diffLogs(echo, echo);
    expect(r.identical).toBe(true);
    expect(r.summary).toBe('identical: 1864 events');
    expect(r.firstDifference).toBeUndefined();
    expect(r.lines).toEqual(['  HEADER: version 0xe0200c | HEADER: version 0xe0200c', expect.stringMatching(/^ {2}\.\.\. \d+ identical events \.\.\.$/)]);
  });

  it('the armrr writer reproduces a QEMU log byte for byte (apart from the fingerprint)', () => {
    const echo = qemuFixture('echo-shift7.bin');
    const again = reencode(echo);
    expect(again.subarray(12)).toEqual(echo.subarray(12));
    expect(diffLogs(echo, again).identical).toBe(true);
  });

  it('shows where two recordings part: fw_tiny at shift 0 vs shift 7', () => {
    const r = diffLogs(qemuFixture('fw_tiny-shift0.bin'), qemuFixture('fw_tiny-shift7.bin'));
    expect(r.identical).toBe(false);
    expect(r.firstDifference).toEqual({ indexA: 23, indexB: 23, icount: 6020 });
    expect(r.summary).toBe('1 run differs; first at event 24 (icount 6020); 112 vs 197 events');
    expect(r.lines).toContain('> 24:CHECKPOINT_CLOCK_WARP_ACCOUNT @6059 | 24:CHECKPOINT_CLOCK_WARP_ACCOUNT @6020');
    expect(r.lines).toContain('note: the logs end at icount 98735 vs 98816');
  });

  it('marks two swapped checkpoints as two runs, with context around them', () => {
    const echo = qemuFixture('echo-shift7.bin');
    const swapped = reencode(echo, (events) => {
      // events 25 and 26 (CP_CLOCK_VIRTUAL, CP_CLOCK_WARP_ACCOUNT at icount 899) trade places
      const i = events.findIndex(([e]) => e.kind === 'CHECKPOINT' && e.checkpoint === 'CLOCK_VIRTUAL');
      [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
    });
    const r = diffLogs(echo, swapped, { context: 1 });
    expect(r.summary).toBe('2 runs differ; first at event 25 (icount 899); 1864 vs 1864 events');
    expect(r.firstDifference).toEqual({ indexA: 24, indexB: 24, icount: 899 });
    const marked = r.lines.filter((l) => l.startsWith('>'));
    expect(marked).toEqual([
      expect.stringMatching(/^> 25:CHECKPOINT_CLOCK_VIRTUAL @899 +\|$/),
      expect.stringMatching(/^> +\| 26:CHECKPOINT_CLOCK_VIRTUAL @899$/),
    ]);
    expect(r.lines[1]).toMatch(/^ {2}FINGERPRINT: 0000000000000000 +\| FINGERPRINT: 0101010101010101$/);
    expect(r.lines).toContain('  ... 1561 identical events ...');
  });

  it('--ignore leaves named events out: extra warp checkpoints differ, and stop differing when ignored', () => {
    const echo = qemuFixture('echo-shift7.bin');
    const extra = reencode(echo, (events) => {
      const i = events.findIndex(([e]) => e.kind === 'INTERRUPT');
      events.splice(i, 0, [{ kind: 'CHECKPOINT', checkpoint: 'CLOCK_WARP_START' }, events[i]![1]]);
    });
    expect(diffLogs(echo, extra).identical).toBe(false);
    expect(diffLogs(echo, extra, { ignore: ['CHECKPOINT_CLOCK_WARP_START'] }).identical).toBe(true);
    // A kind covers all its canonical names.
    expect(diffLogs(echo, extra, { ignore: ['CHECKPOINT'] }).identical).toBe(true);
    // Ignoring something else does not hide the difference.
    expect(diffLogs(echo, extra, { ignore: ['CLOCK_HOST'] }).identical).toBe(false);
  });

  it('--ignore-qemu-only: configure_rtc\'s CLOCK_HOST before INIT, warps and the exit trailer are left out, nothing else', () => {
    const guest: Array<[ReplayEvent, number]> = [
      [{ kind: 'CHECKPOINT', checkpoint: 'INIT' }, 0],
      [{ kind: 'CHECKPOINT', checkpoint: 'RESET' }, 0],
      [{ kind: 'CLOCK', clock: 'HOST', value: 5n }, 100],
      [{ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 200],
      [{ kind: 'SHUTDOWN', cause: 'GUEST_SHUTDOWN' }, 300],
    ];
    const armrr = writeLog([...guest, [{ kind: 'END' }, 300]]);
    const qemu = writeLog([
      [{ kind: 'CLOCK', clock: 'HOST', value: 7n }, 0],
      ...guest.slice(0, 3),
      [{ kind: 'CHECKPOINT', checkpoint: 'CLOCK_WARP_START' }, 150],
      [{ kind: 'CLOCK', clock: 'VIRTUAL_RT', value: 9n }, 150],
      ...guest.slice(3),
      [{ kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' }, 300],
      [{ kind: 'END' }, 300],
    ]);
    const plain = diffLogs(qemu, armrr);
    expect(plain.identical).toBe(false);
    expect(plain.firstDifference?.icount).toBe(0);
    expect(diffLogs(qemu, armrr, { ignoreQemuOnly: true }).identical).toBe(true);
    // A guest-visible host clock read after INIT still counts, and so does a HOST_SIGNAL that ends the run.
    const noRtcRead = writeLog([...guest.slice(0, 2), ...guest.slice(3), [{ kind: 'END' }, 300]]);
    const r = diffLogs(qemu, noRtcRead, { ignoreQemuOnly: true });
    expect(r.identical).toBe(false);
    expect(r.firstDifference?.icount).toBe(100);
    const interrupted = writeLog([...guest.slice(0, 4), [{ kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' }, 300], [{ kind: 'END' }, 300]]);
    expect(diffLogs(interrupted, armrr, { ignoreQemuOnly: true }).identical).toBe(false);
  });

  it('--ignore-qemu-only: QEMU\'s final SHUTDOWN at the previous event\'s icount compares at the end of its log', () => {
    const start: Array<[ReplayEvent, number]> = [
      [{ kind: 'CHECKPOINT', checkpoint: 'INIT' }, 0],
      [{ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 200],
    ];
    const armrr = writeLog([...start, [{ kind: 'SHUTDOWN', cause: 'GUEST_SHUTDOWN' }, 350], [{ kind: 'END' }, 350]]);
    // QEMU: SHUTDOWN with no INSTRUCTION before it, then replay_finish's INSTRUCTION(150), HOST_SIGNAL, END.
    const qemu = writeLog([
      ...start,
      [{ kind: 'SHUTDOWN', cause: 'GUEST_SHUTDOWN' }, 200],
      [{ kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' }, 350],
      [{ kind: 'END' }, 350],
    ]);
    expect(diffLogs(qemu, armrr).identical).toBe(false);
    expect(diffLogs(qemu, armrr, { ignoreQemuOnly: true }).identical).toBe(true);
    // Ending elsewhere is still a difference, and so is a SHUTDOWN that is not the last guest event.
    const later = writeLog([...start, [{ kind: 'SHUTDOWN', cause: 'GUEST_SHUTDOWN' }, 351], [{ kind: 'END' }, 351]]);
    expect(diffLogs(qemu, later, { ignoreQemuOnly: true }).firstDifference?.icount).toBe(200);
    const reset = writeLog([
      ...start,
      [{ kind: 'SHUTDOWN', cause: 'GUEST_RESET' }, 200],
      [{ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 300],
      [{ kind: 'END' }, 350],
    ]);
    const resetLater = writeLog([
      ...start,
      [{ kind: 'SHUTDOWN', cause: 'GUEST_RESET' }, 250],
      [{ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 300],
      [{ kind: 'END' }, 350],
    ]);
    expect(diffLogs(reset, resetLater, { ignoreQemuOnly: true }).identical).toBe(false);
  });

  it('compares across versions by canonical event: 0xe02006 vs 0xe0200c', () => {
    const old = new RawLog(0xe02006).u8(10).u64(5n).u8(19, 0).u32(100).u8(5).u32(1).u32(1).u8(1, 0).u32(3).u8(2, 4, 21).build();
    const w = ReplayLogWriter.inMemory(new Uint8Array(8));
    w.write({ kind: 'CLOCK', clock: 'HOST', value: 77n }, 0); // host time differs: ignored by default
    w.write({ kind: 'CHECKPOINT', checkpoint: 'INIT' }, 0);
    w.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 100);
    w.write({ kind: 'INTERRUPT' }, 100);
    w.write({ kind: 'EXCEPTION' }, 103);
    w.write({ kind: 'SHUTDOWN', cause: 'NONE' }, 103);
    w.write({ kind: 'END' }, 103);
    const current = w.bytes();
    expect(diffLogs(old, current)).toMatchObject({ identical: true, summary: 'identical: 9 events' });
    expect(diffLogs(old, current, { compareClockValues: true }).summary).toMatch(/^1 run differs; first at event 1 \(icount 0\)/);
  });

  it('notes a truncated side and still aligns what it has', () => {
    const full = qemuFixture('fw_tiny-shift0.bin');
    const r = diffLogs(full, full.subarray(0, 301));
    expect(r.identical).toBe(false);
    expect(r.lines.some((l) => l.startsWith('note: log B is damaged or truncated'))).toBe(true);
  });

  it('aligns 10^5-event logs with a few differences', () => {
    const build = (changeAt: number[]) => {
      const w = ReplayLogWriter.inMemory(FP);
      for (let i = 0; i < 100_000; i++) {
        const e: ReplayEvent = changeAt.includes(i) ? { kind: 'EXCEPTION' } : { kind: 'CHAR_WRITE', res: 1, offset: 1 };
        w.write(e, i * 7);
      }
      w.write({ kind: 'END' }, 700_000);
      w.close();
      return w.bytes();
    };
    // Its speed is measured in bench/, not asserted here.
    const r = diffLogs(build([10, 50_000]), build([20, 50_000, 99_990]));
    expect(r.runs).toBe(3);
    expect(r.firstDifference?.icount).toBe(70);
  });
});

describe('align (Myers)', () => {
  const lcs = (a: string[], b: string[]): number => {
    const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    }
    return dp[a.length]![b.length]!;
  };

  it('aligns logs whose differing middle has hundreds of thousands of events (no call-stack overflow)', () => {
    const a = Array.from({ length: 400_000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 400_000 }, (_, i) => `b${i}`);
    const { ops, gaveUp } = align(['same', ...a, 'end'], ['same', ...b, 'end'], 10);
    expect(gaveUp).toBe(true);
    expect(ops.length).toBe(800_002);
    expect(ops[0]).toEqual({ type: 'equal', a: 0, b: 0 });
    expect(ops[ops.length - 1]).toEqual({ type: 'equal', a: 400_001, b: 400_001 });
  });

  it('yields a complete, minimal edit script', () => {
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) % n);
    for (let t = 0; t < 2000; t++) {
      const a = Array.from({ length: rand(12) }, () => 'abc'[rand(3)]!);
      const b = Array.from({ length: rand(12) }, () => 'abc'[rand(3)]!);
      const { ops, gaveUp } = align(a, b, 1000);
      expect(gaveUp).toBe(false);
      let i = 0;
      let j = 0;
      let equal = 0;
      for (const op of ops) {
        if (op.type === 'equal') {
          expect([op.a, op.b, a[op.a]]).toEqual([i++, j++, b[op.b]]);
          equal++;
        } else if (op.type === 'del') expect(op.a).toBe(i++);
        else expect(op.b).toBe(j++);
      }
      expect([i, j, equal]).toEqual([a.length, b.length, lcs(a, b)]);
    }
  });

  it('gives up beyond the edit bound and reports the rest as one run', () => {
    const a = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const { ops, gaveUp } = align(a, b, 10);
    expect(gaveUp).toBe(true);
    expect(ops.filter((o) => o.type === 'del')).toHaveLength(50);
  });
});
