import { describe, expect, it } from 'vitest';
import { ConsoleMux, MUX_ESCAPE } from '../../src/cli/console-mux.js';

function rig(): { mux: ConsoleMux; quits: number[]; told: string[] } {
  const quits: number[] = [];
  const told: string[] = [];
  const mux = new ConsoleMux({ quit: () => quits.push(1), tell: (t) => told.push(t) });
  return { mux, quits, told };
}

const bytes = (...xs: (number | string)[]): Uint8Array =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'number' ? [x] : [...Buffer.from(x, 'latin1')])));

describe('ConsoleMux (QEMU -serial mon:stdio escapes)', () => {
  it('passes ordinary bytes and Ctrl-C to the guest', () => {
    const { mux, quits } = rig();
    expect([...mux.filter(bytes('ls', 0x03, '\r'))]).toEqual([...bytes('ls', 0x03, '\r')]);
    expect(quits).toEqual([]);
  });

  it('Ctrl-A Ctrl-A sends one Ctrl-A, also split across chunks', () => {
    const { mux } = rig();
    expect([...mux.filter(bytes('a', MUX_ESCAPE, MUX_ESCAPE, 'b'))]).toEqual([...bytes('a', MUX_ESCAPE, 'b')]);
    expect([...mux.filter(bytes(MUX_ESCAPE))]).toEqual([]);
    expect([...mux.filter(bytes(MUX_ESCAPE, 'z'))]).toEqual([...bytes(MUX_ESCAPE, 'z')]);
  });

  it('Ctrl-A x quits and is not sent; Ctrl-A X (upper case) is dropped as QEMU does', () => {
    const { mux, quits, told } = rig();
    expect([...mux.filter(bytes('q', MUX_ESCAPE, 'X', MUX_ESCAPE, 'x'))]).toEqual([...bytes('q')]);
    expect(quits.length).toBe(1);
    expect(told.join('')).toMatch(/terminated/);
  });

  it('Ctrl-A h prints help and Ctrl-A c says there is no monitor; neither reaches the guest', () => {
    const { mux, quits, told } = rig();
    expect([...mux.filter(bytes(MUX_ESCAPE, 'h', MUX_ESCAPE, 'c', 'k'))]).toEqual([...bytes('k')]);
    expect(told[0]).toMatch(/C-a x/);
    expect(told[1]).toMatch(/no monitor/);
    expect(quits).toEqual([]);
  });
});
