import { describe, expect, it } from 'vitest';

import { dumpLog, dumpLogLines, pythonBytes } from '../../src/replay/dump.js';
import { ReplayLogWriter } from '../../src/replay/log-writer.js';
import { qemuFixture, RawLog } from './replay-log-fixtures.js';

describe('dumpLog text (replay-dump.py layout)', () => {
  it('prints every event of echo-shift7.bin, numbered 1..1864, ending at 929565 instructions', () => {
    const bytes = qemuFixture('echo-shift7.bin');
    const out = dumpLog(bytes);
    expect(out.ok).toBe(true);
    expect(out.events).toBe(1864);
    expect(out.finalIcount).toBe(929_565);
    expect(out.lines[0]).toBe('HEADER: version 0xe0200c');
    const events = out.lines.slice(1, -1);
    expect(events).toHaveLength(1864);
    events.forEach((line, i) => expect(line.startsWith(`${i + 1}:`)).toBe(true));
    expect(out.lines.slice(1, 9)).toEqual([
      '1:EVENT_CLOCK_HOST(28) 0x18eb1cb29c02c410',
      '2:EVENT_CP_INIT(37)',
      '3:EVENT_CP_RESET(38) no additional data',
      '4:EVENT_CP_CLOCK_WARP_ACCOUNT(31) no additional data',
      '5:EVENT_CLOCK_VIRTUAL_RT(29) 0x52473',
      '6:EVENT_CP_CLOCK_WARP_ACCOUNT(31) no additional data',
      '7:EVENT_INSTRUCTION(0) + 825 -> 825',
      '8:EVENT_CHAR_WRITE(22) 1 -> 1',
    ]);
    expect(out.lines).toContain('614:EVENT_ASYNC_CHAR_READ(7) device:0 chars:b\'h\'');
    expect(out.lines).toContain("1634:EVENT_ASYNC_CHAR_READ(7) device:0 chars:b'\\n'");
    expect(out.lines.slice(-4)).toEqual([
      '1862:EVENT_EXCEPTION(2)',
      '1863:EVENT_SHUTDOWN_HOST_SIGNAL(14)',
      '1864:EVENT_END(39)',
      `Reached ${bytes.length} of ${bytes.length} bytes`,
    ]);
  });

  it.each([
    ['fw_tiny-shift0.bin', 112, 98_735],
    ['fw_tiny-shift7.bin', 197, 98_816],
  ])('%s: %i events, final total %i', (name, events, total) => {
    const out = dumpLog(qemuFixture(name));
    expect(out).toMatchObject({ ok: true, events, finalIcount: total });
    const lastInsn = out.lines.filter((l) => l.includes('EVENT_INSTRUCTION')).at(-1)!;
    expect(lastInsn.endsWith(`-> ${total}`)).toBe(true);
  });

  it('prints whole events of a truncated log and a warning (an unreadable header is an error)', () => {
    const full = qemuFixture('fw_tiny-shift0.bin');
    // 300 is an event boundary: cut one byte later, inside the next event.
    const out = dumpLog(full.subarray(0, 301));
    expect(out).toMatchObject({ ok: false, corrupt: false });
    expect(out.lines.at(-1)).toBe('Reached 300 of 301 bytes');
    expect(out.diagnostics).toEqual([expect.stringMatching(/^warning: .*ends inside.*\(byte offset 300, event \d+, icount \d+\)/)]);
    expect(dumpLog(full.subarray(0, 300)).diagnostics).toEqual([expect.stringMatching(/^warning: The replay log ends without an END event/)]);
    const unreadable = dumpLog(new RawLog(0).build());
    expect(unreadable.lines).toEqual(['HEADER: version 0x0']);
    expect(unreadable).toMatchObject({ corrupt: true, diagnostics: [expect.stringMatching(/^error: Replay log version is 0/)] });
  });

  it('shows the fingerprint of armrr logs and decodes what replay-dump.py cannot', () => {
    const w = ReplayLogWriter.inMemory(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3));
    w.write({ kind: 'ASYNC_INPUT', input: { type: 'key', key: { type: 'qcode', qcode: 33 }, down: 1 } }, 0);
    w.write({ kind: 'ASYNC_INPUT_SYNC' }, 0);
    w.write({ kind: 'CHAR_READ_ALL', data: Buffer.from("it's") }, 4);
    w.write({ kind: 'AUDIO_OUT', played: 1n << 33n }, 4);
    w.write({ kind: 'CLOCK', clock: 'HOST', value: -1n }, 4);
    w.write({ kind: 'RANDOM', ret: 1, data: new Uint8Array(3) }, 4);
    w.write({ kind: 'CHECKPOINT', checkpoint: 'CLOCK_VIRTUAL' }, 4);
    w.write({ kind: 'ASYNC_BH', id: 4n }, 4);
    w.write({ kind: 'END' }, 4);
    expect(dumpLog(w.bytes()).lines).toEqual([
      'HEADER: version 0xe0200c',
      'FINGERPRINT: deadbeef00010203',
      '1:EVENT_ASYNC_INPUT(5) key qcode:33 down:1',
      '2:EVENT_ASYNC_INPUT_SYNC(6)',
      '3:EVENT_INSTRUCTION(0) + 4 -> 4',
      '4:EVENT_CHAR_READ_ALL(23) chars:b"it\'s"',
      '5:EVENT_AUDIO_OUT(25) 8589934592',
      '6:EVENT_CLOCK_HOST(28) 0xffffffffffffffff',
      '7:EVENT_RANDOM(27) 3 bytes (getrandom failed)',
      '8:EVENT_CP_CLOCK_VIRTUAL(34) more data follows',
      '9:EVENT_ASYNC_BH(3)',
      '10:EVENT_END(39)',
      `Reached ${w.bytes().length} of ${w.bytes().length} bytes`,
    ]);
  });

  it('names old-version events by that version\'s table', () => {
    const v6 = new RawLog(0xe02006).u8(3, 0, 3, 0).array([0x41]).u8(8).u32(7).u8(4, 21).build();
    expect(dumpLog(v6).lines.slice(1, 5)).toEqual([
      "1:EVENT_ASYNC(3) ASYNC_CHAR_READ checkpoint:0 device:0 chars:b'A'",
      '2:EVENT_AUDIO_OUT(8) 7',
      '3:EVENT_SHUTDOWN(4)',
      '4:EVENT_END(21)',
    ]);
    const v212 = new RawLog(0xe02007).u8(6, 29).build();
    expect(dumpLog(v212).lines[1]).toBe('1:EVENT_SHUTDOWN_HOST_QMP(6)');
  });
});

describe('dumpLog --json', () => {
  it('gives a header, one object per event with icount and offset, and a summary', () => {
    const bytes = qemuFixture('echo-shift7.bin');
    const objects = dumpLog(bytes, { json: true }).lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects[0]).toEqual({ header: { version: '0xe0200c', fingerprint: '0000000000000000', numbering: 'QEMU 7.2+', bytes: bytes.length } });
    expect(objects[1]).toEqual({ index: 0, event: 1, offset: 12, icount: 0, id: 28, name: 'EVENT_CLOCK_HOST', kind: 'CLOCK', clock: 'HOST', value: '1795560429884458000' });
    expect(objects.find((o) => o['kind'] === 'ASYNC_CHAR_READ')).toMatchObject({ event: 614, device: 0, data: '68' });
    expect(objects.at(-1)).toEqual({ summary: { ok: true, events: 1864, icount: 929_565, bytesRead: bytes.length, bytes: bytes.length, trailingBytes: 0 } });
  });

  it('streams lines and returns the outcome from the generator', () => {
    const gen = dumpLogLines(qemuFixture('fw_tiny-shift0.bin').subarray(0, 100));
    let step = gen.next();
    let lines = 0;
    while (step.done !== true) {
      lines++;
      step = gen.next();
    }
    expect(lines).toBeGreaterThan(3);
    expect(step.value.ok).toBe(false);
    expect(step.value.problem).not.toBeNull();
  });
});

describe('pythonBytes', () => {
  it('matches Python repr() of bytes', () => {
    expect(pythonBytes(Buffer.from('hi'))).toBe("b'hi'");
    expect(pythonBytes(Uint8Array.of(0, 9, 10, 13, 0x5c, 0x7f, 0xff))).toBe("b'\\x00\\t\\n\\r\\\\\\x7f\\xff'");
    expect(pythonBytes(Buffer.from(`'`))).toBe(`b"'"`);
    expect(pythonBytes(Buffer.from(`'"`))).toBe(`b'\\'"'`);
  });
});
