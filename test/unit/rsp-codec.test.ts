import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PacketDecoder, checksum, encodePacket, unescapePayload } from '../../src/gdbstub/packet-codec.js';

const frame = (data: string): Buffer => {
  const bytes = Buffer.from(data, 'latin1');
  return Buffer.concat([Buffer.from('$'), bytes, Buffer.from(`#${checksum(bytes).toString(16).padStart(2, '0')}`)]);
};

const packets = (decoder: PacketDecoder, input: Buffer | string) =>
  decoder.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);

describe('PacketDecoder', () => {
  it('decodes a packet with a correct checksum', () => {
    expect(packets(new PacketDecoder(), '$g#67')).toEqual([{ type: 'packet', data: Buffer.from('g') }]);
    expect(packets(new PacketDecoder(), '$qSupported#37')).toEqual([{ type: 'packet', data: Buffer.from('qSupported') }]);
  });

  it('accepts upper-case checksum digits', () => {
    expect(packets(new PacketDecoder(), '$m0,4#FD')[0]).toEqual({ type: 'packet', data: Buffer.from('m0,4') });
  });

  it('reports a wrong or non-hex checksum', () => {
    expect(packets(new PacketDecoder(), '$g#68')).toEqual([{ type: 'bad-checksum' }]);
    expect(packets(new PacketDecoder(), '$g#zz')).toEqual([{ type: 'bad-checksum' }]);
  });

  it('reports acks, naks and interrupts between packets and ignores noise', () => {
    expect(packets(new PacketDecoder(), '+xx-\x03 \r\n$?#3f')).toEqual([
      { type: 'ack' },
      { type: 'nak' },
      { type: 'interrupt' },
      { type: 'packet', data: Buffer.from('?') },
    ]);
  });

  it('treats 0x03 inside a packet as data', () => {
    const bytes = frame('X0,1:\x03');
    expect(packets(new PacketDecoder(), bytes)).toEqual([{ type: 'packet', data: Buffer.from('X0,1:\x03', 'latin1') }]);
  });

  it('handles packets and interrupts split across chunks, byte by byte', () => {
    const decoder = new PacketDecoder();
    const input = Buffer.concat([Buffer.from('\x03'), frame('vCont;c'), Buffer.from('+\x03')]);
    const events = [...input].flatMap((byte) => decoder.feed(Buffer.from([byte])));
    expect(events).toEqual([
      { type: 'interrupt' },
      { type: 'packet', data: Buffer.from('vCont;c') },
      { type: 'ack' },
      { type: 'interrupt' },
    ]);
  });

  it('undoes } escapes (checksum over the escaped bytes)', () => {
    // X payload bytes # $ } * escaped as }\x03 }\x04 }] }\x0a
    const decoder = new PacketDecoder();
    const [event] = packets(decoder, frame('X0,4:}\x03}\x04}]}\x0a'));
    expect(event).toEqual({ type: 'packet', data: Buffer.from('X0,4:#$}*', 'latin1') });
  });

  it('expands run-length encoding', () => {
    // '0* ' = '0' plus 3 more; ' ' is 32, 32 - 29 = 3.
    expect(unescapePayload(Buffer.from('0* 1'))).toEqual(Buffer.from('00001'));
    const [event] = packets(new PacketDecoder(), frame('x*"'));
    expect(event).toEqual({ type: 'packet', data: Buffer.from('xxxxxx') });
    // '*' with nothing before it stays literal.
    expect(unescapePayload(Buffer.from('*"'))).toEqual(Buffer.from('*"'));
  });

  it('restarts on a $ inside a packet (the earlier one was truncated)', () => {
    expect(packets(new PacketDecoder(), '$g$?#3f')).toEqual([{ type: 'packet', data: Buffer.from('?') }]);
  });

  it('drops packets over the maximum size and recovers', () => {
    const decoder = new PacketDecoder(16);
    expect(packets(decoder, frame('m'.repeat(40)))).toEqual([{ type: 'overflow' }]);
    expect(packets(decoder, frame('g'))).toEqual([{ type: 'packet', data: Buffer.from('g') }]);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 16 }), (chunks) => {
        const decoder = new PacketDecoder(32);
        for (const chunk of chunks) decoder.feed(chunk);
        // Whatever state garbage left, the second of two clean packets decodes.
        const events = decoder.feed(Buffer.concat([frame('g'), frame('g')]));
        expect(events.at(-1)).toEqual({ type: 'packet', data: Buffer.from('g') });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodePacket', () => {
  it('frames with a two-digit checksum', () => {
    expect(encodePacket('OK').toString()).toBe('$OK#9a');
    expect(encodePacket('').toString()).toBe('$#00');
  });

  it('escapes # $ } * and round-trips through the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (payload) => {
        const encoded = encodePacket(payload);
        const events = new PacketDecoder().feed(encoded);
        expect(events).toEqual([{ type: 'packet', data: Buffer.from(payload) }]);
      }),
    );
    expect(encodePacket(Buffer.from('a*b')).toString('latin1')).toBe('$a}\x0ab#' + checksum(Buffer.from('a}\x0ab', 'latin1')).toString(16).padStart(2, '0'));
  });

  it('frames a text payload as its latin1 bytes, with or without bytes to escape', () => {
    // Text replies take their own path (no intermediate Buffer when nothing needs escaping).
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.stringOf(fc.constantFrom('a', '0', '#', '$', '}', '*', '\xff', ';', ':'), { maxLength: 60 }));
    fc.assert(
      fc.property(text, (payload) => {
        expect(encodePacket(payload)).toEqual(encodePacket(Buffer.from(payload, 'latin1')));
      }),
    );
    expect(encodePacket('T05thread:1;0f:00800000;').toString('latin1')).toBe(frame('T05thread:1;0f:00800000;').toString('latin1'));
  });
});
