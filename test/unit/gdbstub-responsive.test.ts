/**
 * The replay stub always obeys: while the target runs — a guest in an endless loop, or a replay
 * whose log wants an event the machine never produces so `Machine.run` makes no progress at all
 * (zero budgets forever, the hang of issue 12) — Ctrl-C is answered with a stop, other connections
 * are served, and closing the stub ends the run. Plus `monitor break-icount` per connection, and
 * what a `continue` prepares for the reverse steps after it (the undo ring, at a breakpoint hit).
 *
 * In process, over the real TCP transport with raw RSP sockets. Waits have a 10 s guard that only
 * detects a hang; nothing here measures speed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from '../../src/emulator/machines/index.js';
import type { BoardOptions } from '../../src/emulator/machines/index.js';
import type { Machine, RunHooks } from '../../src/emulator/machines/machine.js';
import { ReplayTimeline } from '../../src/snapshots/timeline.js';
import { ReplayGdbTarget } from '../../src/gdbstub/replay-target.js';
import { createReplayMonitor } from '../../src/gdbstub/replay-monitor.js';
import { GdbStub, listenTcp } from '../../src/gdbstub/index.js';
import type { GdbServer } from '../../src/gdbstub/index.js';
import { RspClient } from '../support/rsp-client.js';

const QUIET: BoardOptions = {
  icountShift: 0,
  serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
  host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
  output: { uartWrite: () => {}, consoleWrite: () => {} },
};
const CODE = 0x1000;
/** Never executed: a breakpoint here is never hit. */
const UNUSED = 0x3000;

function le(v: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (v >>> (8 * i)) & 0xff;
  return out;
}

/** loop: adds r0,#1; str r0,[r1]; b loop — counts forever into RAM at r1 (no interrupts). */
function endlessGuest(jit: boolean): Machine {
  const m = createMachine('mps2-an385', { ...QUIET, jit });
  m.bus.debugWrite(0, le(0x20010000, 4));
  m.bus.debugWrite(4, le(CODE | 1, 4));
  m.bus.debugWrite(CODE, new Uint8Array([0x01, 0x30, 0x08, 0x60, 0xfc, 0xe7]));
  m.reset();
  m.cpu.r[1] = 0x20000000;
  return m;
}

interface Rig {
  target: ReplayGdbTarget;
  stub: GdbStub;
  machine: Machine;
  port: number;
  /** From this icount on, the "log" wants an event now that never comes: zero budgets forever. */
  spinAt: number;
}

const servers: GdbServer[] = [];
const clients: RspClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function rig(jit = true, prepareAfterMs?: number): Promise<Rig> {
  const machine = endlessGuest(jit);
  const r = { spinAt: Infinity } as Rig;
  const hooks: RunHooks = { nextHookIcount: (icount) => (icount >= r.spinAt ? icount : r.spinAt) };
  const timeline = new ReplayTimeline(machine, hooks, () => null, () => {}, {
    interval: 10_000,
    budgetBytes: 64 << 20,
    endIcount: 1e15,
  });
  const target = new ReplayGdbTarget(timeline, {
    regions: [{ start: 0, length: 0x400000 }, { start: 0x20000000, length: 0x400000 }],
    prepareAfterMs,
    monitor: createReplayMonitor({
      logPath: '(test)',
      openLog: () => {
        throw new Error('no log in this test');
      },
    }),
  });
  const stub = new GdbStub(target);
  const server = await listenTcp(stub, { port: 0 });
  servers.push(server);
  return Object.assign(r, { target, stub, machine, port: server.port });
}

async function connect(r: Rig): Promise<RspClient> {
  const c = await RspClient.tcp(r.port);
  clients.push(c);
  return c;
}

/** Waits (10 s guard) for a condition the stub's event loop makes true. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

async function icountOf(c: RspClient): Promise<number> {
  const { text, reply } = await c.monitor('icount --json');
  expect(reply).toBe('OK');
  return (JSON.parse(text) as { icount: number }).icount;
}

describe('the replay stub answers while the target runs', () => {
  for (const jit of [true, false]) {
    it(`a guest in an endless loop: qC and reads on a second connection, Ctrl-C stops it (${jit ? 'JIT' : 'interpreter'})`, async () => {
      const r = await rig(jit);
      const a = await connect(r);
      const b = await connect(r);
      a.send('vCont;c');
      // The second connection is served while the first one's continue runs.
      expect(await b.ask('qC')).toBe('QC1');
      expect(await b.ask('m20000000,4')).toMatch(/^[0-9a-f]{8}$/);
      // It may not take over run control meanwhile.
      expect(await b.ask('vCont;c')).toMatch(/^E\.the target is running under another gdb connection/);
      expect(await b.monitor('seek 5')).toMatchObject({ reply: 'E01' });
      a.interrupt();
      expect(await a.nextReply()).toMatch(/^T02/);
      const stoppedAt = await icountOf(a);
      expect(stoppedAt).toBeGreaterThan(0);
      // The guest stores its counter every 3 instructions (adds, str, b), the first at icount 2.
      const counter = Buffer.from(await a.ask('m20000000,4'), 'hex').readUInt32LE(0);
      expect(counter).toBe(Math.floor((stoppedAt + 1) / 3));
    });
  }

  it('a replay that makes no progress (an event due now that never comes): Ctrl-C, qC, close', async () => {
    const r = await rig();
    r.spinAt = 25_000;
    const a = await connect(r);
    const b = await connect(r);
    a.send('vCont;c');
    expect(await b.ask('qC')).toBe('QC1');
    expect(await b.ask('g')).toMatch(/^[0-9a-f]+$/);
    a.interrupt();
    expect(await a.nextReply()).toMatch(/^T02/);
    expect(await icountOf(a)).toBe(25_000);

    // Again, and this time the stub closes (the process got SIGTERM): the run ends by itself.
    a.send('vCont;c');
    expect(await b.ask('qC')).toBe('QC1');
    r.target.close();
    expect(await a.nextReply()).toMatch(/^T02/);
  });

  it('reverse-continue and reverse-step over a stretch that makes no progress: Ctrl-C answered', async () => {
    const r = await rig();
    const a = await connect(r);
    const b = await connect(r);
    expect(await a.monitor('seek 40000')).toMatchObject({ reply: 'OK' });
    r.spinAt = 15_000; // the history behind us now "spins" when replayed
    expect(await a.ask(`Z0,${UNUSED.toString(16)},2`)).toBe('OK');
    a.send('bc');
    expect(await b.ask('qC')).toBe('QC1');
    a.interrupt();
    expect(await a.nextReply()).toMatch(/^T02/);
    expect(await icountOf(a)).toBeLessThanOrEqual(40_000);

    // A seek through the spinning stretch stops on Ctrl-C as well.
    a.send(`qRcmd,${Buffer.from('seek 25000').toString('hex')}`);
    expect(await b.ask('qC')).toBe('QC1');
    a.interrupt();
    let text = '';
    for (let p = await a.next(); p !== 'OK'; p = await a.next()) text += Buffer.from(p.slice(1), 'hex').toString();
    expect(text).toMatch(/^seek interrupted at icount \d+/);
  });
});

describe('monitor break-icount is per connection, listed and deletable', () => {
  it('stops at its icount, lists, deletes, and goes away with its connection', async () => {
    const r = await rig();
    const a = await connect(r);
    expect((await a.monitor('break-icount')).text).toBe('no icount breakpoints\n');
    expect((await a.monitor('break-icount 3000')).text).toBe('will stop at icount 3000\n');
    await a.monitor('break-icount 9000');
    await a.monitor('break-icount 6000');
    expect(JSON.parse((await a.monitor('break-icount --json')).text)).toEqual({ breakIcounts: [3000, 6000, 9000] });
    expect(await a.ask('vCont;c')).toMatch(/^T05/);
    expect(await icountOf(a)).toBe(3000);
    expect((await a.monitor('delete-icount 6000')).text).toBe('deleted the icount breakpoint at 6000\n');
    expect((await a.monitor('delete-icount 6000')).text).toMatch(/^no icount breakpoint at 6000/);
    expect(await a.ask('vCont;c')).toMatch(/^T05/);
    expect(await icountOf(a)).toBe(9000);
    // A hit one is spent (like a temporary breakpoint); the list shows what is left.
    await a.monitor('break-icount 12000');
    await a.monitor('break-icount 15000');
    expect((await a.monitor('break-icount')).text).toBe('icount breakpoint at 12000\nicount breakpoint at 15000\n');
    expect((await a.monitor('delete-icount all')).text).toBe('deleted 2 icount breakpoints\n');
    expect((await a.monitor('break-icount')).text).toBe('no icount breakpoints\n');

    // Another connection's icount breakpoints do not show here, and go away when it detaches.
    const b = await connect(r);
    await b.monitor('break-icount 20000');
    expect((await a.monitor('break-icount')).text).toBe('no icount breakpoints\n');
    expect(await b.ask('D')).toBe('OK');
    b.close();
    await a.monitor('break-icount 30000');
    expect(await a.ask('vCont;c')).toMatch(/^T05/);
    expect(await icountOf(a)).toBe(30_000);

    // Dropped with a connection that just disconnects, too.
    const c = await connect(r);
    await c.monitor('break-icount 35000');
    c.close();
    await until(() => r.stub.sessions.size === 1);
    await a.monitor('break-icount 40000');
    expect(await a.ask('vCont;c')).toMatch(/^T05/);
    expect(await icountOf(a)).toBe(40_000);
  });

  it('documents them in monitor help', async () => {
    const r = await rig();
    const a = await connect(r);
    const { text } = await a.monitor('help');
    expect(text).toContain('break-icount ICOUNT');
    expect(text).toContain('delete-icount ICOUNT|all');
    expect(text).toMatch(/dropped when it\s+detaches/);
  });
});

describe('a continue prepares the reverse steps that follow (ReplayGdbTarget.prepareAfterMs)', () => {
  for (const prepareAfterMs of [0, undefined]) {
    it(`a breakpoint hit answers the same stop; ${prepareAfterMs === 0 ? 'the undo ring is ready and bs restores nothing' : 'a short continue prepares nothing (default threshold)'}`, async () => {
      const r = await rig(true, prepareAfterMs);
      const a = await connect(r);
      expect(await a.monitor('seek 3000')).toMatchObject({ reply: 'OK' });
      // The str of the loop (adds, str, b from CODE): hit with the counter already incremented.
      expect(await a.ask(`Z0,${(CODE + 2).toString(16)},2`)).toBe('OK');
      expect(await a.ask('vCont;c')).toMatch(new RegExp(`^T05.*0f:${Buffer.from(le(CODE + 2, 4)).toString('hex')};`));
      const hit = await icountOf(a);
      expect(hit % 3).toBe(1);
      const r0 = Buffer.from((await a.ask('g')).slice(0, 8), 'hex').readUInt32LE(0);
      expect(r0).toBe((hit + 2) / 3);
      const tl = r.target.timeline;
      expect(tl.steps.covers(hit, hit - 1)).toBe(prepareAfterMs === 0);
      expect(await a.ask(`z0,${(CODE + 2).toString(16)},2`)).toBe('OK');
      let restores = 0;
      const store = tl.store;
      const restoreFine = store.restoreFine.bind(store);
      store.restoreFine = (f) => (restores++, restoreFine(f));
      const restore = store.restore.bind(store);
      store.restore = (s) => (restores++, restore(s));
      expect(await a.ask('bs')).toMatch(new RegExp(`^T05.*0f:${Buffer.from(le(CODE, 4)).toString('hex')};`));
      expect(await icountOf(a)).toBe(hit - 1);
      expect(restores).toBe(prepareAfterMs === 0 ? 0 : 1);
    });
  }
});
