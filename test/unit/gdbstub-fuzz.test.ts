import { expect, it } from 'vitest';
import { encodePacket } from '../../src/gdbstub/packet-codec.js';
import { M_PROFILE_REGISTERS } from '../../src/gdbstub/register-layout.js';
import { FakeTarget } from './gdbstub-fake-target.js';
import { Wire } from './gdbstub-wire.js';

/** xorshift32: a seeded generator so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

const PREFIXES = [
  'g', 'G', 'p', 'P', 'm', 'M', 'X', 'c', 's', 'C', 'S', 'vCont;', 'vCont?', 'Z', 'z', 'H', 'T',
  'qXfer:features:read:target.xml:', 'qXfer:memory-map:read::', 'qXfer:', 'qRcmd,', 'qSupported:',
  'bs', 'bc', '?', 'D', '!', 'vKill;', 'qC', 'qAttached', 'qfThreadInfo', 'qOffsets', 'q', 'v', '',
];
const ALPHABET = [...'0123456789abcdefABCDEF,:;=-xp.+}*#$ \x03\xff'];

it('survives 10^5 random and malformed packets and still answers ? and g', async () => {
  const next = random(0xa5a5_1234);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const target = new FakeTarget({ reversible: true, continueSteps: 3 });
  const wire = Wire.for(target);
  let framed = 0;

  for (let n = 0; n < 100_000; n++) {
    const roll = next();
    if (roll < 0.1) {
      // Raw garbage, possibly with half a packet and bare interrupts; "#00" then forces the decoder
      // back between packets whatever state the garbage left it in.
      const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256)));
      wire.session.feed(Buffer.concat([bytes, Buffer.from('#00')]));
      continue;
    }
    let payload = pick(PREFIXES);
    const tailLength = Math.floor(next() * 24);
    for (let i = 0; i < tailLength; i++) payload += pick(ALPHABET);
    if (roll < 0.15) payload = payload.replace(/[0-9a-f]/g, 'f'.repeat(1 + Math.floor(next() * 12)));
    if (payload === 'k' || payload.startsWith('k')) continue;
    const before = wire.replies.length;
    wire.session.feed(encodePacket(Buffer.from(payload, 'latin1')));
    framed++;
    if (wire.session.isBusy) await wire.waitForReplies(before + 1);
    // Every framed packet gets an answer (O packets before OK for qRcmd, nothing for k).
    expect(wire.replies.length, `no reply to ${JSON.stringify(payload)}`).toBeGreaterThan(before);
    expect(wire.session.isBusy).toBe(false);
  }
  expect(framed).toBeGreaterThan(80_000);

  const expected = M_PROFILE_REGISTERS.map((reg) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(target.registers.get(reg.regnum)!);
    return bytes.toString('hex');
  }).join('');
  expect(wire.one('g')).toBe(expected);
  expect(wire.one('?')).toMatch(/^(T[0-9a-f]{2}thread:1;0f:[0-9a-f]{8};0d:[0-9a-f]{8};(?:[0-9a-f]{2}:[0-9a-f]{8};)*|W00)/);
}, 60_000);

it('survives bursts of packets arriving while the target runs', async () => {
  const next = random(0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const target = new FakeTarget({ continueSteps: 200 });
  const wire = Wire.for(target);
  for (let burst = 0; burst < 200; burst++) {
    const frames: Buffer[] = [];
    for (let n = 0; n < 100; n++) {
      let payload = pick([...PREFIXES, 'c', 'vCont;c', 's']);
      for (let i = Math.floor(next() * 12); i > 0; i--) payload += pick(ALPHABET);
      if (payload.startsWith('k')) continue;
      frames.push(encodePacket(Buffer.from(payload, 'latin1')));
      if (next() < 0.05) frames.push(Buffer.from([0x03]));
    }
    wire.session.feed(Buffer.concat(frames));
    for (let i = 0; i < 10_000 && wire.session.isBusy; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(wire.session.isBusy).toBe(false);
  }
  expect(wire.one('p0')).toBe(Buffer.from(Uint32Array.of(target.registers.get(0)!).buffer).toString('hex'));
  expect(wire.one('qAttached')).toBe('1');
}, 60_000);
