import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { diffLogs } from '../../src/replay/diff.js';
import { dumpLog } from '../../src/replay/dump.js';
import { ReplayLogError } from '../../src/replay/errors.js';
import { SUPPORTED_VERSIONS } from '../../src/replay/log-format.js';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { qemuFixture } from './replay-log-fixtures.js';

const FIXTURES = ['fw_tiny-shift0.bin', 'fw_tiny-shift7.bin', 'echo-shift7.bin'].map(qemuFixture);

/** Reads everything; the only acceptable failure is a ReplayLogError from the header. */
function readAll(bytes: Uint8Array): void {
  let reader: ReplayLogReader;
  try {
    reader = new ReplayLogReader(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(ReplayLogError);
    return;
  }
  let expectedOffset = 12;
  let count = 0;
  let last: string | null = null;
  for (const entry of reader) {
    expect(entry.offset).toBe(expectedOffset);
    expect(entry.index).toBe(count++);
    expect(entry.size).toBeGreaterThan(0);
    expectedOffset += entry.size;
    last = entry.event.kind;
  }
  expect(expectedOffset).toBeLessThanOrEqual(bytes.length);
  expect(reader.next()).toBeNull();
  if (reader.truncated === null) expect(last).toBe('END');
  else expect(reader.truncated.offset).toBe(expectedOffset);
}

function dumpIsConsistent(bytes: Uint8Array): void {
  const out = dumpLog(bytes, { strict: 'auto' });
  expect(out.ok).toBe(out.problem === null);
  // What is wrong is a diagnostic (stderr in the CLI), never a line of the dump itself.
  expect(out.diagnostics.length).toBe(out.ok ? 0 : 1);
  if (!out.ok) expect(out.diagnostics[0]).toMatch(out.corrupt ? /^error: / : /^warning: /);
  expect(out.lines.some((l) => /^(error|warning): /.test(l))).toBe(false);
}

const header = fc.oneof(
  fc.constantFrom(...SUPPORTED_VERSIONS, 0, 0xdeadbeef).map((v) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff, 0, 0, 0, 0, 0, 0, 0, 0)),
  fc.uint8Array({ minLength: 0, maxLength: 12 }),
);
// Bytes below 40 are all valid ids somewhere; bias towards them so decoding goes deep.
const body = fc.array(fc.oneof(fc.integer({ min: 0, max: 39 }), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }).map((a) => Uint8Array.from(a));

describe('log reader fuzzing (never crashes, never hangs)', () => {
  it('random headers + bytes: 4000 cases', () => {
    fc.assert(
      fc.property(header, body, (h, b) => {
        const bytes = new Uint8Array(h.length + b.length);
        bytes.set(h);
        bytes.set(b, h.length);
        readAll(bytes);
        dumpIsConsistent(bytes);
      }),
      { numRuns: 4000 },
    );
  }, 20_000);

  it('truncations of the QEMU fixtures: 3000 cases', () => {
    fc.assert(
      fc.property(fc.nat(FIXTURES.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (which, frac) => {
        const full = FIXTURES[which]!;
        readAll(full.subarray(0, Math.floor(full.length * frac)));
      }),
      { numRuns: 3000 },
    );
  }, 20_000);

  it('bit flips of the QEMU fixtures: 4000 cases, some diffed against the original', () => {
    fc.assert(
      fc.property(
        fc.nat(FIXTURES.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.nat(7)), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (which, flips, diffToo) => {
          const bytes = FIXTURES[which]!.slice();
          for (const [pos, bit] of flips) bytes[Math.floor(pos * bytes.length)]! ^= 1 << bit;
          readAll(bytes);
          if (which !== 2 || diffToo) dumpIsConsistent(bytes);
          if (diffToo && which !== 2) {
            try {
              diffLogs(FIXTURES[which]!, bytes);
            } catch (err) {
              expect(err).toBeInstanceOf(ReplayLogError);
            }
          }
        },
      ),
      { numRuns: 4000 },
    );
  }, 20_000);
});
