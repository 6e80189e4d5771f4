import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { ReplayLogWriteError } from '../../src/replay/errors.js';
import { CHECKPOINTS, CLOCKS, SHUTDOWN_CAUSES, type InputEventPayload, type ReplayEvent } from '../../src/replay/events.js';
import { FLUSH_INTERVAL_MS, FLUSH_THRESHOLD, ReplayLogWriter } from '../../src/replay/log-writer.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';

const FP = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const bytes = fc.uint8Array({ maxLength: 40 });
const u8 = fc.integer({ min: 0, max: 255 });

const input: fc.Arbitrary<InputEventPayload> = fc.oneof(
  fc.record({ type: fc.constant('key' as const), key: fc.record({ type: fc.constant('number' as const), number: u64 }), down: u8 }),
  fc.record({ type: fc.constant('key' as const), key: fc.record({ type: fc.constant('qcode' as const), qcode: u32 }), down: u8 }),
  fc.record({ type: fc.constant('btn' as const), button: u32, down: u8 }),
  fc.record({ type: fc.constantFrom('rel' as const, 'abs' as const), axis: u32, value: u64 }),
  fc.record({ type: fc.constant('mtt' as const), mttType: u32, slot: u64, trackingId: u64, axis: u32, value: u64 }),
);

const event: fc.Arbitrary<ReplayEvent> = fc.oneof(
  fc.constantFrom<ReplayEvent>({ kind: 'INTERRUPT' }, { kind: 'EXCEPTION' }, { kind: 'ASYNC_INPUT_SYNC' }),
  fc.record({ kind: fc.constantFrom('ASYNC_BH' as const, 'ASYNC_BH_ONESHOT' as const, 'ASYNC_BLOCK' as const), id: u64 }),
  fc.record({ kind: fc.constant('ASYNC_INPUT' as const), input }),
  fc.record({ kind: fc.constant('ASYNC_CHAR_READ' as const), device: u8, data: bytes }),
  fc.record({ kind: fc.constant('ASYNC_NET' as const), filter: u8, flags: u32, data: bytes }),
  fc.record({ kind: fc.constant('SHUTDOWN' as const), cause: fc.constantFrom(...SHUTDOWN_CAUSES) }),
  fc.record({ kind: fc.constant('CHAR_WRITE' as const), res: u32, offset: u32 }),
  fc.record({ kind: fc.constant('CHAR_READ_ALL' as const), data: bytes }),
  fc.record({ kind: fc.constant('CHAR_READ_ALL_ERROR' as const), error: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }) }),
  fc.record({ kind: fc.constant('AUDIO_OUT' as const), played: u64 }),
  fc
    .array(fc.tuple(u64, u64), { maxLength: 4 })
    .chain((samples) => fc.record({ kind: fc.constant('AUDIO_IN' as const), recorded: fc.constant(BigInt(samples.length)), wpos: u64, samples: fc.constant(samples) })),
  fc.record({ kind: fc.constant('RANDOM' as const), ret: u32, data: bytes }),
  fc.record({ kind: fc.constant('CLOCK' as const), clock: fc.constantFrom(...CLOCKS), value: i64 }),
  fc.record({ kind: fc.constant('CHECKPOINT' as const), checkpoint: fc.constantFrom(...CHECKPOINTS) }),
);

// Mostly small gaps, some zero, some past 2^32 so INSTRUCTION must split.
const gap = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0xffff_0000, max: 3 * 0xffff_ffff }));

describe('ReplayLogWriter -> ReplayLogReader', () => {
  it('round-trips random event streams with their icounts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(event, gap), { maxLength: 40 }), fc.boolean(), gap, (stream, withEnd, tail) => {
        const writer = ReplayLogWriter.inMemory(FP);
        let icount = 0;
        const expected: Array<{ event: ReplayEvent; icount: number }> = [];
        for (const [e, g] of stream) {
          icount += g;
          writer.write(e, icount);
          expected.push({ event: e, icount });
        }
        if (withEnd) {
          writer.write({ kind: 'END' }, icount);
          expected.push({ event: { kind: 'END' }, icount });
        }
        writer.close(icount + tail);
        const finalIcount = withEnd ? icount : icount + tail;

        const reader = new ReplayLogReader(writer.bytes());
        expect(reader.version).toBe(0xe0200c);
        expect(reader.fingerprint).toEqual(FP);
        expect(reader.layout.label).toBe('QEMU 7.2+');
        const got: Array<{ event: ReplayEvent; icount: number }> = [];
        let index = 0;
        let lastEnd = 12;
        let total = 0;
        for (const entry of reader) {
          expect(entry.index).toBe(index++);
          expect(entry.offset).toBe(lastEnd);
          lastEnd += entry.size;
          if (entry.event.kind === 'INSTRUCTION') {
            expect(entry.event.count).toBeGreaterThan(0);
            expect(entry.event.count).toBeLessThanOrEqual(0xffff_ffff);
            total = entry.icount + entry.event.count;
          } else {
            got.push({ event: entry.event, icount: entry.icount });
            total = entry.icount;
          }
        }
        expect(got).toEqual(expected);
        expect(total).toBe(finalIcount);
        expect(reader.truncated === null).toBe(withEnd);
        if (!withEnd) expect(reader.truncated?.reason).toBe('missing-end');
      }),
      { numRuns: 300 },
    );
  });

  it('seek() back to a saved position re-reads the same events', () => {
    const writer = ReplayLogWriter.inMemory(FP);
    for (let i = 1; i <= 50; i++) writer.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, i * 10);
    writer.write({ kind: 'END' }, 600);
    writer.close();
    const reader = new ReplayLogReader(writer.bytes());
    for (let i = 0; i < 31; i++) reader.next();
    const saved = reader.position();
    const rest = [...reader].map((e) => [e.index, e.offset, e.icount]);
    reader.seek(saved);
    expect(reader.peek()?.index).toBe(saved.index);
    expect([...reader].map((e) => [e.index, e.offset, e.icount])).toEqual(rest);
    reader.seek({ offset: 12, index: 0, icount: 0 });
    const first = reader.nextEvent();
    expect(first?.event.kind).toBe('CHAR_WRITE');
    expect(first?.icount).toBe(10);
    expect(reader.peekEvent()?.icount).toBe(20);
  });
});

describe('ReplayLogWriter files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'armrr-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the header at once and flushes every 64 KiB, so a killed recorder keeps a readable prefix', () => {
    const path = join(dir, 'a.bin');
    const writer = ReplayLogWriter.open(path, FP);
    expect(readFileSync(path)).toEqual(Buffer.from([0x00, 0xe0, 0x20, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8]));
    let icount = 0;
    while (statSync(path).size === 12) writer.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, (icount += 3));
    const flushed = statSync(path).size;
    expect(flushed).toBeGreaterThanOrEqual(FLUSH_THRESHOLD);
    // What is on disk now is what a SIGKILL would leave: whole events, reported as truncated.
    const partial = new ReplayLogReader(new Uint8Array(readFileSync(path)));
    const events = [...partial];
    expect(events.length).toBeGreaterThan(1000);
    expect(partial.truncated?.reason).toBe('missing-end');
    writer.write({ kind: 'END' }, icount);
    writer.flushSync();
    const all = new ReplayLogReader(new Uint8Array(readFileSync(path)));
    expect([...all].at(-1)?.event.kind).toBe('END');
    expect(all.truncated).toBeNull();
    writer.close(icount);
    writer.close(icount);
  });

  it('flushIfDue writes pending events once they have waited FLUSH_INTERVAL_MS of host time', () => {
    const path = join(dir, 'timed.bin');
    const writer = ReplayLogWriter.open(path, FP);
    const size = (): number => statSync(path).size;
    writer.flushIfDue(1000); // nothing pending: nothing to time
    writer.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 10);
    writer.flushIfDue(2000); // first seen pending at 2000
    writer.flushIfDue(2000 + FLUSH_INTERVAL_MS - 1);
    expect(size()).toBe(12);
    writer.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 20);
    writer.flushIfDue(2000 + FLUSH_INTERVAL_MS);
    expect(size()).toBe(12 + 2 * (5 + 9));
    // The clock restarts with the next pending event, not with the last flush.
    writer.flushIfDue(9000);
    writer.write({ kind: 'INTERRUPT' }, 30);
    writer.flushIfDue(9001);
    expect(size()).toBe(12 + 2 * (5 + 9));
    writer.flushIfDue(9001 + FLUSH_INTERVAL_MS);
    expect(size()).toBe(12 + 2 * (5 + 9) + 6);
    writer.close(30);
  });

  it('rejects what the format cannot hold, leaving no partial event', () => {
    expect(() => ReplayLogWriter.inMemory(new Uint8Array(4))).toThrow(ReplayLogWriteError);
    const w = ReplayLogWriter.inMemory(FP);
    w.write({ kind: 'INTERRUPT' }, 5);
    const before = w.bytes();
    expect(() => w.write({ kind: 'INTERRUPT' }, 4)).toThrow(/before the previous event/);
    expect(() => w.write({ kind: 'CHAR_WRITE', res: -1, offset: 0 }, 9)).toThrow(/does not fit/);
    expect(() => w.write({ kind: 'INSTRUCTION', count: 3 }, 9)).toThrow(ReplayLogWriteError);
    expect(w.bytes()).toEqual(before);
    expect(w.icount).toBe(5);
    w.write({ kind: 'END' }, 5);
    expect(() => w.write({ kind: 'INTERRUPT' }, 6)).toThrow(/END has already been written/);
    w.close(99); // nothing may follow END
    expect(w.bytes().length).toBe(before.length + 1);
  });
});

describe('ReplayLogWriter.position', () => {
  it('is where a reader stands after reading everything written, split INSTRUCTION events included', () => {
    const w = ReplayLogWriter.inMemory(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9));
    const checks: Array<{ pos: ReturnType<ReplayLogWriter['position']> }> = [];
    w.write({ kind: 'CHECKPOINT', checkpoint: 'INIT' }, 0);
    checks.push({ pos: w.position() });
    w.write({ kind: 'INTERRUPT' }, 5);
    checks.push({ pos: w.position() });
    w.write({ kind: 'CHAR_WRITE', res: 1, offset: 1 }, 5 + 2 ** 33); // three INSTRUCTION events
    checks.push({ pos: w.position() });
    const bytes = w.bytes();
    const r = new ReplayLogReader(bytes);
    const afterEach: Array<ReturnType<ReplayLogReader['position']>> = [];
    for (let e = r.next(); e !== null; e = r.next()) if (e.event.kind !== 'INSTRUCTION') afterEach.push(r.position());
    expect(checks.map((c) => c.pos)).toEqual(afterEach);
    // INIT, INSTRUCTION +5, INTERRUPT, 3 x INSTRUCTION (2^33 in u32 steps), CHAR_WRITE
    expect(checks[2]!.pos).toEqual({ offset: bytes.length, index: 7, icount: 5 + 2 ** 33 });
    // A reader positioned there reads nothing more.
    const tail = new ReplayLogReader(bytes);
    tail.seek(checks[1]!.pos);
    expect(tail.next()?.event.kind).toBe('INSTRUCTION');
  });
});
