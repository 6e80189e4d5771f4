import { describe, expect, it } from 'vitest';
import { boardOptionsKey, fingerprintOf } from '../../src/emulator/boot.js';
import { BoardOptionError } from '../../src/emulator/machines/virt.js';
import { parseRtcBaseOption } from '../../src/cli/machine-options.js';
import { CliError } from '../../src/cli/errors.js';

describe('--rtc-base (virt PL031 on virtual time)', () => {
  it('is part of the virt fingerprint only when given', () => {
    const image = new Uint8Array([1, 2, 3]);
    const plain = fingerprintOf('virt', 7, image, {});
    expect(fingerprintOf('virt', 7, image, { rtcBase: undefined })).toEqual(plain);
    const a = fingerprintOf('virt', 7, image, { rtcBase: 1_796_083_200 });
    const b = fingerprintOf('virt', 7, image, { rtcBase: 1_796_083_201 });
    expect(a).not.toEqual(plain);
    expect(a).not.toEqual(b);
    expect(boardOptionsKey('virt', { rtcBase: 5 })).toContain('rtc-base=5');
  });

  it('is refused on boards without an RTC, and malformed values are usage errors', () => {
    expect(() => boardOptionsKey('mps2-an385', { rtcBase: 0 })).toThrow(BoardOptionError);
    expect(() => boardOptionsKey('mps2-an385', { rtcBase: 0 })).toThrow(/--rtc-base is for virt/);
    expect(parseRtcBaseOption(undefined)).toBeUndefined();
    expect(parseRtcBaseOption('2026-12-01T00:00:00')).toBe(1_796_083_200);
    expect(() => parseRtcBaseOption('2026-13-01')).toThrow(CliError);
  });
});
