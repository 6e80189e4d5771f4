import { describe, expect, it } from 'vitest';

import { ReplayLogError } from '../../src/replay/errors.js';
import type { ReplayEvent } from '../../src/replay/events.js';
import { layoutCandidates } from '../../src/replay/log-format.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { qemuFixture, RawLog } from './replay-log-fixtures.js';

function summarize(bytes: Uint8Array) {
  const reader = new ReplayLogReader(bytes);
  const entries = [...reader];
  const last = entries.at(-1)!;
  const total = last.event.kind === 'INSTRUCTION' ? last.icount + last.event.count : last.icount;
  return { reader, entries, total };
}

describe('ReplayLogReader on QEMU 7.2 recordings', () => {
  it.each([
    ['echo-shift7.bin', 1864, 929_565],
    ['fw_tiny-shift0.bin', 112, 98_735],
    ['fw_tiny-shift7.bin', 197, 98_816],
  ])('%s: %i events, %i instructions, ends SHUTDOWN_HOST_SIGNAL + END', (name, events, insns) => {
    const { reader, entries, total } = summarize(qemuFixture(name));
    expect(reader.version).toBe(0xe0200c);
    expect(reader.hasFingerprint).toBe(false);
    expect(reader.layout.label).toBe('QEMU 7.2+');
    expect(entries).toHaveLength(events);
    expect(total).toBe(insns);
    expect(reader.truncated).toBeNull();
    expect(entries.slice(-2).map((e) => e.event)).toEqual([{ kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' }, { kind: 'END' }]);
    expect(entries[0]!.event).toMatchObject({ kind: 'CLOCK', clock: 'HOST' });
  });

  it('decodes the UART input of echo-shift7.bin as ASYNC_CHAR_READ on device 0', () => {
    const { entries } = summarize(qemuFixture('echo-shift7.bin'));
    const typed = entries.flatMap((e) => (e.event.kind === 'ASYNC_CHAR_READ' ? [e.event] : []));
    expect(typed.every((e) => e.device === 0)).toBe(true);
    expect(Buffer.concat(typed.map((e) => e.data)).toString()).toBe('hi, rr!\nq');
  });

  it('keeps every whole event of a log cut at any byte, and says where it was cut', () => {
    const full = qemuFixture('fw_tiny-shift0.bin');
    const { entries } = summarize(full);
    for (let cut = 12; cut < full.length; cut++) {
      const reader = new ReplayLogReader(full.subarray(0, cut));
      const got = [...reader];
      const whole = entries.filter((e) => e.offset + e.size <= cut);
      expect(got).toHaveLength(whole.length);
      expect(reader.truncated).not.toBeNull();
      const t = reader.truncated!;
      expect(t.offset).toBe(whole.length === 0 ? 12 : whole.at(-1)!.offset + whole.at(-1)!.size);
      expect(t.index).toBe(whole.length);
      expect(t.reason).toBe(t.offset === cut ? 'missing-end' : 'eof-mid-event');
      expect(t.message).toContain(`byte offset ${t.offset}`);
      expect(t.message).toContain(`event ${t.index + 1}`);
      expect(t.error).toBeInstanceOf(ReplayLogError);
    }
  });

  it('refuses unreadable headers with ReplayLogError', () => {
    expect(() => new ReplayLogReader(new Uint8Array(5))).toThrow(/shorter than its 12-byte header/);
    expect(() => new ReplayLogReader(new RawLog(0).u8(39).build())).toThrow(/version is 0.*killed/);
    expect(() => new ReplayLogReader(new RawLog(0x12345678).u8(39).build())).toThrow(/Unsupported replay log version 0x12345678/);
    expect(() => ReplayLogReader.fromFile('/nonexistent/x.bin')).toThrow(ReplayLogError);
  });

  it('reports unknown ids and absurd array lengths without reading past the data', () => {
    const unknown = new ReplayLogReader(new RawLog(0xe0200c).u8(1, 200).build());
    expect([...unknown].map((e) => e.event.kind)).toEqual(['INTERRUPT']);
    expect(unknown.truncated).toMatchObject({ reason: 'unknown-event', offset: 13, index: 1 });
    const huge = new ReplayLogReader(new RawLog(0xe0200c).u8(7, 0).u32(0xffff_fff0).u8(1, 2, 3).build());
    expect([...huge]).toHaveLength(0);
    expect(huge.truncated?.reason).toBe('eof-mid-event');
    expect(huge.truncated?.message).toMatch(/claim 4294967280 bytes but only 3 are left/);
  });

  it('stops at END and counts the bytes after it', () => {
    const reader = new ReplayLogReader(new RawLog(0xe0200c).u8(39, 1, 1).build());
    expect([...reader].map((e) => e.event.kind)).toEqual(['END']);
    expect(reader.trailingBytes).toBe(2);
    // Nothing may follow END: the bytes after it are damage, reported after END was read.
    expect(reader.truncated).toMatchObject({ reason: 'trailing-bytes', corrupt: true, offset: 13, index: 1 });
  });
});

describe('per-version numbering', () => {
  it('detects QEMU 7.1 numbering of 0xe0200c (CHAR_WRITE 21, END 38) by trial decoding', () => {
    // 7.1 has no SHUTDOWN_SNAPSHOT_LOAD, so everything after SHUTDOWN sits one id lower.
    const log = new RawLog(0xe0200c).u8(27).u64(0x1234n).u8(36, 37, 0).u32(5).u8(21).u32(1).u32(1).u8(14, 38).build();
    const reader = new ReplayLogReader(log);
    expect(reader.layout.label).toBe('QEMU 7.1');
    expect([...reader].map((e) => e.event)).toEqual<ReplayEvent[]>([
      { kind: 'CLOCK', clock: 'HOST', value: 0x1234n },
      { kind: 'CHECKPOINT', checkpoint: 'INIT' },
      { kind: 'CHECKPOINT', checkpoint: 'RESET' },
      { kind: 'INSTRUCTION', count: 5 },
      { kind: 'CHAR_WRITE', res: 1, offset: 1 },
      { kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' },
      { kind: 'END' },
    ]);
  });

  it('an armrr log (non-zero fingerprint) is always read with the 7.2+ numbering', () => {
    const log = new RawLog(0xe0200c, [9, 9, 9, 9, 9, 9, 9, 9]).u8(38).build();
    expect(new ReplayLogReader(log).layout.label).toBe('QEMU 7.2+');
  });

  it('maps old ids to canonical events: 0xe02006, 0xe02007 (2.12 / 4.0), 0xe02008, 0xe0200a, 0xe0200b', () => {
    const kinds = (bytes: Uint8Array) => [...new ReplayLogReader(bytes)].map((e) => e.event);
    // 0xe02006: CHAR_WRITE 5, AUDIO_OUT 8 (u32), CLOCK_HOST 10, CP_INIT 19, END 21
    expect(kinds(new RawLog(0xe02006).u8(5).u32(1).u32(2).u8(8).u32(44).u8(10).u64(7n).u8(19, 21).build())).toEqual([
      { kind: 'CHAR_WRITE', res: 1, offset: 2 },
      { kind: 'AUDIO_OUT', played: 44n },
      { kind: 'CLOCK', clock: 'HOST', value: 7n },
      { kind: 'CHECKPOINT', checkpoint: 'INIT' },
      { kind: 'END' },
    ]);
    // 0xe02007 as 2.12 wrote it: SHUTDOWN 4..12, CHAR_WRITE 13, END 29
    const v212 = new RawLog(0xe02007).u8(13).u32(1).u32(1).u8(7, 29).build();
    expect(new ReplayLogReader(v212).layout.label).toBe('QEMU 2.12');
    expect(kinds(v212)[1]).toEqual({ kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' });
    // 0xe02007 as 4.0 wrote it: SHUTDOWN 4..14, CHAR_WRITE 15, END 31
    const v40 = new RawLog(0xe02007).u8(15).u32(1).u32(1).u8(8, 31).build();
    expect(new ReplayLogReader(v40).layout.label).toBe('QEMU 4.0–4.1');
    expect(kinds(v40)).toEqual([{ kind: 'CHAR_WRITE', res: 1, offset: 1 }, { kind: 'SHUTDOWN', cause: 'HOST_SIGNAL' }, { kind: 'END' }]);
    // 0xe02008: AUDIO_OUT 18 is a u64
    expect(kinds(new RawLog(0xe02008).u8(18).u64(1n << 40n).u8(31).build())[0]).toEqual({ kind: 'AUDIO_OUT', played: 1n << 40n });
    // 0xe0200a: ASYNC 3, u8 checkpoint, u8 kind (4 = CHAR_READ), payload; END 32
    const old = [...new ReplayLogReader(new RawLog(0xe0200a).u8(3, 2, 4, 0).array([0x68]).u8(32).build())];
    expect(old[0]!.event).toEqual({ kind: 'ASYNC_CHAR_READ', device: 0, data: Uint8Array.of(0x68) });
    expect(old[0]!.asyncCheckpoint).toBe(2);
    // 0xe0200b: ASYNC 3, u8 kind, payload (1 = BH_ONESHOT)
    expect(kinds(new RawLog(0xe0200b).u8(3, 1).u64(99n).u8(32).build())[0]).toEqual({ kind: 'ASYNC_BH_ONESHOT', id: 99n });
    // before 0xe02009 async kind 1 is INPUT (no BH_ONESHOT yet)
    expect(kinds(new RawLog(0xe02006).u8(3, 0, 1).u32(1).u32(7).u8(1, 21).build())[0]).toEqual({
      kind: 'ASYNC_INPUT',
      input: { type: 'btn', button: 7, down: 1 },
    });
  });

  it('every layout has ids 0..END contiguous and the 7.2+ table matches QEMU 7.2', () => {
    for (const version of [0xe02002, 0xe02006, 0xe02007, 0xe02008, 0xe02009, 0xe0200a, 0xe0200b, 0xe0200c]) {
      for (const layout of layoutCandidates(version)) expect(layout.slots.at(-1)!.kind).toBe('END');
    }
    const names = layoutCandidates(0xe0200c)[0]!.slots.map((s) => s.name);
    expect(names.indexOf('EVENT_ASYNC_CHAR_READ')).toBe(7);
    expect(names.indexOf('EVENT_SHUTDOWN_HOST_SIGNAL')).toBe(14);
    expect(names.indexOf('EVENT_CHAR_WRITE')).toBe(22);
    expect(names.indexOf('EVENT_RANDOM')).toBe(27);
    expect(names.indexOf('EVENT_CP_CLOCK_VIRTUAL')).toBe(34);
    expect(names.indexOf('EVENT_END')).toBe(39);
  });
});

describe('ReplayLogReader, strict (as armrr writes logs)', () => {
  const FP = [1, 2, 3, 4, 5, 6, 7, 8];
  const armrr = (): RawLog => new RawLog(0xe0200c, FP).u8(37, 38);
  const read = (bytes: Uint8Array, strict: boolean | 'auto' = true) => {
    const r = new ReplayLogReader(bytes, { strict });
    return { kinds: [...r].map((e) => e.event.kind), problem: r.truncated };
  };

  it('a log cut short is truncated, not corrupt', () => {
    expect(read(armrr().u8(0).u32(5).u8(22).u32(1).build()).problem).toMatchObject({ reason: 'eof-mid-event', corrupt: false, offset: 19 });
    expect(read(armrr().u8(0).u32(5).build()).problem).toMatchObject({ reason: 'missing-end', corrupt: false });
  });

  it('events armrr never writes, and payloads it never writes, are corruption where they start', () => {
    expect(read(armrr().u8(27).u32(0).array([1]).u8(39).build()).problem).toMatchObject({ reason: 'unknown-event', corrupt: true, offset: 14 });
    expect(read(armrr().u8(22).u32(2).u32(1).u8(39).build()).problem).toMatchObject({ reason: 'bad-payload', corrupt: true, offset: 14 });
    expect(read(armrr().u8(0).u32(0).u8(39).build()).problem?.message).toMatch(/INSTRUCTION count 0/);
    expect(read(armrr().u8(36).u8(39).build()).problem?.message).toMatch(/EVENT_CP_CLOCK_VIRTUAL_RT \(id 36\) is never written by armrr/);
    // A damaged array length is caught before it can pass for a log cut inside the array.
    expect(read(armrr().u8(7, 0).u32(3).u8(0x41).build()).problem).toMatchObject({ reason: 'bad-payload', corrupt: true, offset: 14 });
  });

  it('only END may follow SHUTDOWN', () => {
    const bad = read(armrr().u8(16, 1, 39).build());
    expect(bad.kinds).toEqual(['CHECKPOINT', 'CHECKPOINT', 'SHUTDOWN']);
    expect(bad.problem).toMatchObject({ reason: 'bad-payload', corrupt: true, offset: 15 });
    expect(read(armrr().u8(16, 39).build()).problem).toBeNull();
  });

  it("'auto' is strict for armrr logs only; the default reads any valid event", () => {
    expect(read(armrr().u8(27).u32(0).array([1]).u8(39).build(), 'auto').problem?.corrupt).toBe(true);
    expect(read(new RawLog(0xe0200c).u8(27).u32(0).array([1]).u8(39).build(), 'auto').problem).toBeNull();
    expect(new ReplayLogReader(armrr().u8(27).u32(0).array([1]).u8(39).build()).strict).toBe(false);
  });
});
