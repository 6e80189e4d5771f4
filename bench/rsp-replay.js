// Raw RSP for the gdb benches: a minimal no-ack client and an `armrr replay --gdb` child on an
// ephemeral port (what gdb sends, without gdb's own per-command costs).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin/armrr.js');

const DOLLAR = 0x24;
const HASH = 0x23;
const PLUS = 0x2b;

/** `$payload#cs` (no escapes needed: the benches send only plain commands). */
function packet(payload) {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
  return Buffer.from(`$${payload}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
}

/**
 * A minimal no-ack RSP client over a socket: `ask` sends a packet and resolves with the next reply's
 * payload (latin1; `O` console packets are skipped). It scans bytes for `$`/`#` instead of running
 * regular expressions over an accumulated string, and frames each command once: the benches time
 * the stub, so the client's own CPU per round trip (on the critical path) is kept small.
 */
class RspClient {
  constructor(socket) {
    this.socket = socket;
    this.pending = null;
    this.replies = [];
    this.wake = null;
    this.framed = new Map();
    socket.on('data', (chunk) => this.feed(chunk));
  }

  feed(chunk) {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (at < buf.length) {
      const byte = buf[at];
      if (byte === PLUS) {
        at++;
        continue;
      }
      if (byte !== DOLLAR) throw new Error(`unexpected byte 0x${byte.toString(16)} from the stub`);
      const hash = buf.indexOf(HASH, at + 1);
      if (hash < 0 || hash + 2 >= buf.length) break;
      const payload = buf.latin1Slice(at + 1, hash);
      at = hash + 3;
      if (payload.charCodeAt(0) !== 0x4f /* O */ || !/^O[0-9a-f]+$/.test(payload)) this.replies.push(payload);
    }
    this.pending = at < buf.length ? buf.subarray(at) : null;
    if (this.replies.length > 0 && this.wake !== null) {
      const wake = this.wake;
      this.wake = null;
      wake(this.replies.shift());
    }
  }

  ask(payload) {
    let bytes = this.framed.get(payload);
    if (bytes === undefined) {
      bytes = packet(payload);
      if (this.framed.size < 64) this.framed.set(payload, bytes);
    }
    this.socket.write(bytes);
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    return new Promise((resolve) => (this.wake = resolve));
  }

  close() {
    this.socket.destroy();
  }
}

async function open(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return new RspClient(socket);
}

/**
 * Runs the client's code `rounds` times against a canned responder in this process first, so V8's
 * warm-up of the client (tens of µs per round trip over the first thousands) is not counted as the
 * stub's: gdb, the client these benches stand in for, is native code.
 */
async function warmClient(rounds) {
  const canned = packet('T05thread:1;');
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', () => s.write(canned));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = await open(server.address().port);
  for (let i = 0; i < rounds; i++) await client.ask(i % 2 === 0 ? 'bs' : 'g');
  client.close();
  await new Promise((resolve) => server.close(resolve));
}

/** Connects the client to the stub on `port` and negotiates no-ack mode (as gdb does). */
export async function connect(port, { warmRounds = 5000 } = {}) {
  if (warmRounds > 0) await warmClient(warmRounds);
  const client = await open(port);
  if ((await client.ask('QStartNoAckMode')) !== 'OK') throw new Error('QStartNoAckMode refused');
  return client;
}

/**
 * A bare Node TCP server in its own process answering every packet with a canned reply (`OK` to
 * QStartNoAckMode, 42 bytes of zeros in hex to `g`, a stop reply to anything else): the floor of a
 * round trip with this client on this host (the reads, writes and wake-ups, no emulator).
 */
const FLOOR_SERVER = `
import net from 'node:net';
const frame = (p) => { let s = 0; for (let i = 0; i < p.length; i++) s = (s + p.charCodeAt(i)) & 0xff; return Buffer.from('$' + p + '#' + s.toString(16).padStart(2, '0'), 'latin1'); };
const ok = frame('OK'), regs = frame('00'.repeat(42)), stop = frame('T05thread:1;');
const server = net.createServer((s) => {
  s.setNoDelay(true);
  s.on('data', (c) => s.write(c[1] === 0x51 ? ok : c[1] === 0x67 ? regs : stop));
});
server.listen(0, '127.0.0.1', () => process.stderr.write('waiting for gdb on 127.0.0.1:' + server.address().port + '\\n'));
`;

export function startFloorServer() {
  return listening(spawn(process.execPath, ['--input-type=module', '-e', FLOOR_SERVER], { stdio: ['ignore', 'ignore', 'pipe'] }));
}

export function startReplay(elf, logPath, extra = []) {
  return listening(spawn(process.execPath, [BIN, 'replay', elf, logPath, '--gdb', '127.0.0.1:0', '--quiet', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] }));
}

/** Resolves with the child and its port once it prints where it listens. */
function listening(child) {
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      stderr += s;
      const m = /waiting for gdb on [^\s]+:(\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.slice(1, 3).join(' ')} exited (${code}): ${stderr}`)));
  });
}

