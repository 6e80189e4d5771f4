import { describe, expect, it } from 'vitest';
import { GdbStub } from '../../src/gdbstub/stub.js';
import { FakeTarget } from './gdbstub-fake-target.js';
import { Wire } from './gdbstub-wire.js';

const le = (value: number): string => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes.toString('hex');
};

/** The expedited registers after pc and sp in a stop reply: r0-r12, lr, xpsr, msp, psp (25-27), as the target has them. */
const rest = (target: FakeTarget): string =>
  [...Array.from({ length: 13 }, (_, n) => n), 14, 25, 26, 27].map((n) => `${n.toString(16).padStart(2, '0')}:${le(target.readRegister(n)!)};`).join('');

describe('GdbSession handshake', () => {
  it('acks packets in ack mode and switches to no-ack on QStartNoAckMode', () => {
    const wire = Wire.for(new FakeTarget(), { noAck: false });
    wire.session.feed(Buffer.from('$?#3f'));
    expect(Buffer.concat(wire.raw).toString().startsWith('+$T05thread:1;')).toBe(true);
    expect(wire.one('QStartNoAckMode')).toBe('OK');
    wire.raw.length = 0;
    expect(wire.one('qAttached')).toBe('1');
    expect(Buffer.concat(wire.raw).toString()).toBe('$1#31');
  });

  it('naks a bad checksum in ack mode and drops it silently in no-ack mode', () => {
    const ackWire = Wire.for(new FakeTarget(), { noAck: false });
    ackWire.session.feed(Buffer.from('$g#00'));
    expect(Buffer.concat(ackWire.raw).toString()).toBe('-');
    const noAckWire = Wire.for(new FakeTarget());
    noAckWire.raw.length = 0;
    noAckWire.session.feed(Buffer.from('$g#00'));
    expect(noAckWire.raw).toEqual([]);
  });

  it('retransmits the last reply on a nak, a bounded number of times', () => {
    const wire = Wire.for(new FakeTarget(), { noAck: false });
    wire.one('qAttached');
    wire.raw.length = 0;
    wire.session.feed(Buffer.from('----'));
    expect(wire.raw.map(String)).toEqual(['$1#31', '$1#31', '$1#31']);
  });

  it('answers qSupported from the target capabilities', () => {
    const plain = Wire.for(new FakeTarget()).one('qSupported:multiprocess+;swbreak+;hwbreak+');
    expect(plain).toBe(
      'PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;qXfer:memory-map:read+;swbreak+;hwbreak+;vContSupported+',
    );
    const reversible = Wire.for(new FakeTarget({ reversible: true })).one('qSupported');
    expect(reversible.endsWith(';ReverseStep+;ReverseContinue+')).toBe(true);
  });

  it('answers the gdb 13.1 connect sequence', () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    expect(wire.one('vMustReplyEmpty')).toBe('');
    expect(wire.one('Hg0')).toBe('OK');
    expect(wire.one('qTStatus')).toBe('');
    expect(wire.one('?')).toBe(`T05thread:1;0f:${le(0x100)};0d:${le(0x20001000)};${rest(target)}`);
    expect(wire.one('qfThreadInfo')).toBe('m1');
    expect(wire.one('qsThreadInfo')).toBe('l');
    expect(wire.one('qAttached')).toBe('1');
    expect(wire.one('Hc-1')).toBe('OK');
    expect(wire.one('qC')).toBe('QC1');
    expect(wire.one('qOffsets')).toBe('Text=0;Data=0;Bss=0');
    expect(wire.one('qSymbol::')).toBe('OK');
    expect(wire.one('!')).toBe('OK');
    expect(wire.one('T1')).toBe('OK');
    expect(wire.one('Hg7')).toBe('E01');
    expect(wire.one('qSomethingNew')).toBe('');
  });
});

describe('GdbSession target description and memory map', () => {
  it('serves target.xml in m/l chunks', () => {
    const wire = Wire.for(new FakeTarget());
    let xml = '';
    for (let offset = 0; ; offset += 100) {
      const reply = wire.one(`qXfer:features:read:target.xml:${offset.toString(16)},64`);
      xml += reply.slice(1);
      if (reply[0] === 'l') break;
      expect(reply[0]).toBe('m');
    }
    expect(xml).toContain('<feature name="org.gnu.gdb.arm.m-profile">');
    expect(xml).toContain('<reg name="xpsr" bitsize="32" regnum="25" type="int"/>');
    expect(xml).toContain('<reg name="psp" bitsize="32" type="data_ptr"/>');
    expect(wire.one('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(wire.one('qXfer:features:read:target.xml:ffff,100')).toBe('l');
  });

  it('serves the memory map with every region as ram, merged and sorted', () => {
    const target = new FakeTarget({
      regions: [
        { start: 0xe000e000, length: 0x1000 },
        { start: 0, length: 0x1000 },
        { start: 0x1000, length: 0x1000 },
      ],
    });
    const reply = Wire.for(target).one('qXfer:memory-map:read::0,1000');
    expect(reply[0]).toBe('l');
    expect(reply).toContain('<memory type="ram" start="0x0" length="0x2000"/>');
    expect(reply).toContain('<memory type="ram" start="0xe000e000" length="0x1000"/>');
  });
});

describe('GdbSession registers and memory', () => {
  it('reads and writes all registers in gdb M-profile order', () => {
    const target = new FakeTarget();
    target.registers.set(0, 0x11223344);
    const wire = Wire.for(target);
    const g = wire.one('g');
    expect(g.length).toBe(19 * 8);
    expect(g.slice(0, 8)).toBe('44332211');
    expect(g.slice(64 * 2, 64 * 2 + 8)).toBe(le(0x01000000));
    const changed = le(0xcafef00d) + g.slice(8);
    expect(wire.one(`G${changed}`)).toBe('OK');
    expect(target.registers.get(0)).toBe(0xcafef00d);
    expect(wire.one('G123')).toBe('E01');
  });

  it('reads and writes single registers with p/P', () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    expect(wire.one('p19')).toBe(le(0x01000000));
    expect(wire.one(`P1a=${le(0x20002000)}`)).toBe('OK');
    expect(target.registers.get(26)).toBe(0x20002000);
    expect(wire.one('p10')).toBe('E01');
    expect(wire.one('P1=zz')).toBe('E01');
  });

  it('reads and writes memory with m, M and binary X', () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    expect(wire.one('M20000000,4:deadbeef')).toBe('OK');
    expect(wire.one('m20000000,4')).toBe('deadbeef');
    expect(wire.one(Buffer.from('X20000004,4:#$}*', 'latin1'))).toBe('OK');
    expect(wire.one('m20000004,4')).toBe('2324' + '7d2a');
    expect(wire.one('X20000000,0:')).toBe('OK');
    expect(wire.one('m30000000,4')).toBe('E01');
    expect(wire.one('mzz,4')).toBe('E01');
    expect(wire.one('M20000000,4:dead')).toBe('E01');
  });

  it('passes a refused write back as E.message', () => {
    const target = new FakeTarget();
    target.readOnly = 'replay: memory cannot change in the past';
    expect(Wire.for(target).one('M20000000,1:00')).toBe('E.replay: memory cannot change in the past');
  });

  it('clamps large reads to one packet', () => {
    const wire = Wire.for(new FakeTarget({ regions: [{ start: 0, length: 0x10000 }] }));
    expect(wire.one('m0,10000').length).toBe(0x4000);
  });

  it('turns a throwing target into an error reply', () => {
    const target = new FakeTarget();
    target.readMemory = () => {
      throw new Error('bus fault');
    };
    expect(Wire.for(target).one('m0,4')).toBe('E.bus fault');
  });
});

describe('GdbSession execution', () => {
  it('steps and continues to a breakpoint, replying only at the stop', async () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    wire.one('qSupported:swbreak+;hwbreak+');
    expect(wire.one('vCont?')).toBe('vCont;c;C;s;S');
    expect(await wire.later('vCont;s:1')).toEqual([`T05thread:1;0f:${le(0x102)};0d:${le(0x20001000)};${rest(target)}`]);
    expect(wire.one('Z0,108,2')).toBe('OK');
    expect(wire.one('Z0,108,2')).toBe('OK');
    expect(target.calls.filter((call) => call.startsWith('addBreakpoint'))).toHaveLength(1);
    const before = wire.replies.length;
    expect(wire.ask('vCont;c')).toEqual([]);
    await wire.waitForReplies(before + 1);
    expect(wire.replies[before]).toBe(`T05thread:1;0f:${le(0x108)};0d:${le(0x20001000)};${rest(target)}swbreak:;`);
    expect(wire.one('z0,108,2')).toBe('OK');
    expect(wire.one('z0,108,2')).toBe('OK');
    expect(target.breakpoints.size).toBe(0);
  });

  it('leaves out swbreak when gdb did not offer it', async () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    wire.one('Z0,104,2');
    expect(await wire.later('c')).toEqual([`T05thread:1;0f:${le(0x104)};0d:${le(0x20001000)};${rest(target)}`]);
  });

  it('resumes at an address with c ADDR and s ADDR, ignoring C/S signals', async () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    expect((await wire.later('s200'))[0]).toContain(`0f:${le(0x202)}`);
    expect((await wire.later('S05;300'))[0]).toContain(`0f:${le(0x302)}`);
    expect((await wire.later('vCont;S05:1;c'))[0]).toContain(`0f:${le(0x304)}`);
    expect(wire.one('vCont;x')).toBe('E01');
    expect(wire.one('vCont;s:2')).toBe('E01');
    expect(wire.one('szz')).toBe('E01');
  });

  it('acts on the first vCont action that applies to our thread', async () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    await wire.later('vCont;s:2;s:p1.1;c');
    expect(target.calls).toEqual(['step']);
  });

  it('interrupts a running target on 0x03 and answers queued packets after the stop', async () => {
    const target = new FakeTarget({ continueSteps: Infinity });
    const wire = Wire.for(target);
    expect(wire.ask('vCont;c')).toEqual([]);
    expect(wire.ask('g')).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    wire.session.feed(Buffer.from([0x03]));
    await wire.waitForReplies(2);
    expect(wire.replies[0]).toMatch(/^T02thread:1;/);
    expect(wire.replies[1]).toHaveLength(19 * 8);
    expect(target.calls).toContain('interrupt');
  });

  it('reports watchpoints, replaylog, and exits per the target policy', async () => {
    const target = new FakeTarget({ continueSteps: 1 });
    const wire = Wire.for(target);
    expect(wire.one('Z2,20000000,4')).toBe('OK');
    expect(target.watchpoints).toEqual([{ type: 'write', addr: 0x20000000, length: 4 }]);
    expect(await wire.later('c')).toEqual(['W00']);
    target.resume = async () => ({ kind: 'watch', type: 'awatch', addr: 0x20000002 });
    expect((await wire.later('c'))[0]).toMatch(/;awatch:20000002;$/);
    target.resume = async () => ({ kind: 'replaylog', pos: 'end' });
    expect((await wire.later('c'))[0]).toMatch(/^T05.*;replaylog:end;$/);
    target.resume = async () => {
      throw new Error('emulator crashed');
    };
    expect(await wire.later('c')).toEqual(['E.emulator crashed']);
    expect(wire.one('?')).toMatch(/^T05.*replaylog:end;$/);
  });

  it('reports an exit as a SIGKILL stop on a reversible target', async () => {
    const target = new FakeTarget({ continueSteps: 1, reversible: true });
    expect((await Wire.for(target).later('c'))[0]).toMatch(/^T09thread:1;/);
  });

  it('serves bs and bc only when the target can reverse', async () => {
    expect(Wire.for(new FakeTarget()).one('bs')).toBe('');
    const target = new FakeTarget({ reversible: true });
    const wire = Wire.for(target);
    expect((await wire.later('bs'))[0]).toContain(`0f:${le(0xfe)}`);
    expect(await wire.later('bc')).toEqual([`T05thread:1;0f:${le(0xfe)};0d:${le(0x20001000)};${rest(target)}replaylog:begin;`]);
  });
});

describe('GdbSession monitor, detach and kill', () => {
  it('sends monitor output as O packets, then OK', async () => {
    const wire = Wire.for(new FakeTarget());
    const hex = Buffer.from('info replay').toString('hex');
    expect(await wire.later(`qRcmd,${hex}`, 2)).toEqual([`O${Buffer.from('echo: info replay\n').toString('hex')}`, 'OK']);
    const failing = await wire.later(`qRcmd,${Buffer.from('fail').toString('hex')}`, 2);
    expect(failing).toEqual([`O${Buffer.from('monitor failed on purpose\n').toString('hex')}`, 'E01']);
    expect(wire.one('qRcmd,zz')).toBe('E01');
  });

  it('detaches (removing its breakpoints) and kills', () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    wire.one('Z1,100,2');
    expect(wire.one('D')).toBe('OK');
    expect(target.calls).toContain('detach');
    expect(target.breakpoints.size).toBe(0);
    expect(wire.one('vKill;a410')).toBe('OK');
    expect(wire.ask('k')).toEqual([]);
    expect(wire.closed).toBe(true);
    expect(target.calls.filter((call) => call === 'kill')).toHaveLength(2);
  });

  it('does not kill or detach on garbage that merely starts with k or D', () => {
    const target = new FakeTarget();
    const wire = Wire.for(target);
    for (const junk of ['kill-me', 'k-K', 'Dxyz', 'D;zz', '!x', '?junk']) expect(wire.one(junk)).toBe('');
    expect(wire.closed).toBe(false);
    expect(target.calls).not.toContain('kill');
    expect(target.calls).not.toContain('detach');
    expect(wire.one('D;1')).toBe('OK');
  });
});

describe('several connections on one target', () => {
  it('serves reads on a second connection while the first runs, refuses its run control', async () => {
    const target = new FakeTarget({ continueSteps: Infinity });
    const stub = new GdbStub(target);
    const first = new Wire(stub);
    const second = new Wire(stub);
    first.send('vCont;c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.one('m20000000,4')).toBe('00000000');
    expect(second.one('vCont;c')).toMatch(/^E\.the target is running under another gdb connection/);
    first.session.feed(Buffer.from([0x03]));
    await first.waitForReplies(1);
    expect(first.replies[0]).toMatch(/^T02/);
    target.resume = async () => ({ kind: 'done-step' });
    expect(await second.later('s')).toHaveLength(1);
  });

  it('reference-counts breakpoints and drops a closed connection’s points', () => {
    const target = new FakeTarget();
    const stub = new GdbStub(target);
    const first = new Wire(stub);
    const second = new Wire(stub);
    first.one('Z0,100,2');
    second.one('Z0,100,2');
    first.one('z0,100,2');
    expect(target.breakpoints.has(0x100)).toBe(true);
    second.session.close();
    expect(target.breakpoints.has(0x100)).toBe(false);
    expect(stub.sessions.size).toBe(1);
  });

  it('interrupts the run of a connection that drops', async () => {
    const target = new FakeTarget({ continueSteps: Infinity });
    const stub = new GdbStub(target);
    const first = new Wire(stub);
    first.send('c');
    first.session.close();
    for (let i = 0; i < 100 && target.calls.length < 2; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(target.calls).toContain('interrupt');
    expect(new Wire(stub).ask('s')).toEqual([]);
  });
});
