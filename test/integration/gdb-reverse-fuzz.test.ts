/**
 * Wire fuzzing of `armrr replay --gdb` as a separate process: a raw TCP client sends well over
 * 10^5 random and malformed packets (valid framing around garbage, command-shaped packets with
 * garbage arguments, bad checksums, raw noise with 0x03 bytes, truncated and huge packets). The
 * process must stay alive, and afterwards a real gdb-multiarch must connect and debug normally.
 * The generator is seeded, so a failure can be reproduced from the seed in the test name.
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GdbMi } from '../support/gdb-mi.js';
import { ReplayServer, buildRevFirmware, readIcount, readPc, recordFirmware, seek } from '../support/armrr-process.js';

const SEED = 0x5eed_a7;
const PACKETS = 120_000;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = [
  '?', 'g', 'G', 'p', 'P', 'm', 'M', 'X', 'c', 's', 'C', 'S', 'bs', 'bc', 'Z0,', 'Z1,', 'Z2,', 'Z3,', 'Z4,',
  'z0,', 'z1,', 'z2,', 'z3,', 'z4,', 'H', 'Hg', 'Hc', 'T', 'qRcmd,', 'qXfer:features:read:target.xml:',
  'qXfer:memory-map:read::', 'qXfer:', 'qSupported:', 'vCont;', 'vCont?', 'vCont;r', 'qC', 'qAttached',
  'qfThreadInfo', 'qsThreadInfo', 'qOffsets', 'qTStatus', 'qSymbol::', 'vMustReplyEmpty', 'QStartNoAckMode', '!',
];
const MONITOR = ['icount', 'when', 'seek', 'info replay', 'events', 'snapshots', 'break-icount', 'timers', 'help', 'seek -', 'seek +'];
const ARG_CHARS = '0123456789abcdefABCDEF,:;=-xp.';

class Fuzzer {
  readonly rand: () => number;
  constructor(seed: number) {
    this.rand = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  number(): string {
    switch (this.int(6)) {
      case 0: return '0';
      case 1: return 'ffffffff';
      case 2: return this.int(0x10000).toString(16);
      case 3: return (0x20000000 + this.int(0x400000)).toString(16);
      case 4: return (0x40000000 + this.int(0x10000)).toString(16);
      default: return this.int(2 ** 32).toString(16) + (this.int(4) === 0 ? 'ffffffffff' : '');
    }
  }
  args(): string {
    let s = '';
    const n = this.int(5);
    for (let i = 0; i < n; i++) {
      s += this.int(2) === 0 ? this.number() : '';
      s += this.int(3) === 0 ? '' : this.pick([',', ':', ';', '=']);
    }
    for (let i = this.int(4); i > 0; i--) s += ARG_CHARS[this.int(ARG_CHARS.length)];
    return s;
  }
  /** Payload shaped like a real command with random arguments. */
  command(): Buffer {
    // Kill and detach end the connection: rare, so most packets reach a live session.
    if (this.int(2000) === 0) return Buffer.from(this.pick(['k', 'D', 'vKill;a410']));
    const prefix = this.pick(PREFIXES);
    if (prefix === 'qRcmd,') {
      let cmd = this.pick(MONITOR);
      if (this.int(2) === 0) cmd += ` ${this.int(3) === 0 ? this.bytes(this.int(8)).toString('latin1') : this.int(5000)}`;
      if (this.int(3) === 0) cmd += ' --json';
      return Buffer.from(prefix + (this.int(10) === 0 ? this.args() : Buffer.from(cmd, 'latin1').toString('hex')));
    }
    if (prefix === 'X' || prefix === 'M') {
      return Buffer.concat([Buffer.from(`${prefix}${this.number()},${this.int(64).toString(16)}:`), this.bytes(this.int(64))]);
    }
    return Buffer.from(prefix + this.args(), 'latin1');
  }
  /** `$payload#cs` with escapes, so the framing is valid whatever the payload. */
  frame(payload: Buffer, checksumOk = true): Buffer {
    const out: number[] = [0x24];
    let sum = 0;
    for (const byte of payload) {
      const escaped = byte === 0x23 || byte === 0x24 || byte === 0x7d ? [0x7d, byte ^ 0x20] : [byte];
      for (const e of escaped) {
        out.push(e);
        sum = (sum + e) & 0xff;
      }
    }
    if (!checksumOk) sum = this.int(3) === 0 ? -1 : (sum + 1 + this.int(255)) & 0xff;
    const cs = sum < 0 ? 'zz' : sum.toString(16).padStart(2, '0');
    return Buffer.concat([Buffer.from(out), Buffer.from(`#${cs}`, 'latin1')]);
  }
  next(): Buffer {
    const r = this.int(1000);
    if (r < 400) return this.frame(this.command());
    if (r < 650) return this.frame(this.bytes(this.int(200)));
    if (r < 800) return this.frame(this.int(2) === 0 ? this.command() : this.bytes(this.int(100)), false);
    if (r < 950) return this.bytes(1 + this.int(100));
    if (r < 995) return Buffer.from(`$${this.command().toString('latin1')}`, 'latin1'); // no '#': truncated
    return this.frame(this.bytes(0x4000 + this.int(0x30000))); // larger than PacketSize
  }
}

/** Sends packets over successive connections (k/D may close one) until `count` were written. */
async function fuzzConnection(port: number, fuzzer: Fuzzer, count: number): Promise<{ sent: number; bytes: number; connections: number; received: number }> {
  let sent = 0;
  let bytes = 0;
  let connections = 0;
  let received = 0;
  while (sent < count) {
    const socket = net.connect(port, '127.0.0.1');
    connections++;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.length));
    // `k` (or a garbage packet starting with k) makes the stub end the connection: reconnect.
    for (const event of ['error', 'end', 'close']) socket.on(event, () => (closed = true));
    while (!closed && sent < count) {
      const batch: Buffer[] = [];
      for (let i = 0; i < 500 && sent + batch.length < count; i++) batch.push(fuzzer.next());
      const chunk = Buffer.concat(batch);
      const flushed = socket.write(chunk);
      sent += batch.length;
      bytes += chunk.length;
      // Let replies in (and the stub's socket drain) between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (!flushed && !closed) {
        await new Promise<void>((resolve) => {
          const events = ['drain', 'end', 'close', 'error'];
          const done = (): void => {
            for (const event of events) socket.off(event, done);
            resolve();
          };
          for (const event of events) socket.on(event, done);
        });
      }
    }
    // Half-close and wait for the stub to close its side: it has then read (and handled) every
    // byte we sent. A reset instead would let the kernel drop what the stub had not read yet.
    if (!closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 60_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.end();
      });
    }
    socket.destroy();
  }
  return { sent, bytes, connections, received };
}

let dir: string;
let elf: string;
let server: ReplayServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-fuzz-'));
  elf = await buildRevFirmware('rev-demo', 'O0');
  const log = join(dir, 'rev-demo.log');
  await recordFirmware(elf, log);
  server = await ReplayServer.start(elf, log, { snapshotInterval: 100 });
});
afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`RSP fuzzing of armrr replay --gdb (seed 0x${SEED.toString(16)})`, () => {
  it(`survives ${PACKETS} random and malformed packets`, async () => {
    const stats = await fuzzConnection(server.port, new Fuzzer(SEED), PACKETS);
    expect(stats.sent).toBeGreaterThanOrEqual(100_000);
    expect(stats.received).toBeGreaterThan(0);
    // Packets starting with k end a connection: the fuzzer went through many of them.
    expect(stats.connections).toBeGreaterThan(1);
    // Let the stub work through what is still buffered, then check it is alive and well.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.exitDescription).toBe('running');
    expect(server.stderr).not.toMatch(/internal error|Error:|at .*\.js:\d+/);
  }, 120_000);

  it('then serves a real gdb: stepi, reverse-stepi, info registers', async () => {
    const gdb = await GdbMi.start({ elf, timeoutMs: 30_000 });
    try {
      await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
      // The fuzzer moved the replay around (c, bs, monitor seek...): go to a known place.
      await seek(gdb, 100);
      const before = await gdb.console('info registers');
      const pc0 = await readPc(gdb);
      expect(before).toMatch(/^pc\s+0x[0-9a-f]+/m);
      expect((await gdb.run('-exec-step-instruction'))['reason']).toBe('end-stepping-range');
      expect(await readIcount(gdb)).toBe(101);
      expect((await gdb.run('-exec-step-instruction --reverse'))['reason']).toBe('end-stepping-range');
      expect(await readIcount(gdb)).toBe(100);
      expect(await readPc(gdb)).toBe(pc0);
      expect(await gdb.console('info registers')).toBe(before);
    } finally {
      await gdb.close();
    }
    expect(server.exitDescription).toBe('running');
  });
});
