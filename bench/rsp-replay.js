// Raw RSP for the gdb benches: a minimal no-ack client and an `armrr replay --gdb` child on an
// ephemeral port (what gdb sends, without gdb's own per-command costs).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin/armrr.js');

function packet(payload) {
  let sum = 0;
  for (const c of Buffer.from(payload, 'latin1')) sum = (sum + c) & 0xff;
  return `$${payload}#${sum.toString(16).padStart(2, '0')}`;
}

/** A minimal no-ack RSP client: `ask` sends a packet and resolves with the next reply. */
export async function connect(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = '';
  const replies = [];
  let wake = null;
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    for (;;) {
      buffer = buffer.replace(/^\+/, '');
      const m = /^\$([^#]*)#[0-9a-f]{2}/.exec(buffer);
      if (!m) break;
      buffer = buffer.slice(m[0].length);
      if (!/^O[0-9a-f]+$/.test(m[1])) replies.push(m[1]);
    }
    if (replies.length > 0 && wake) wake();
  });
  const next = () =>
    replies.length > 0 ? Promise.resolve(replies.shift()) : new Promise((resolve) => (wake = () => ((wake = null), resolve(replies.shift()))));
  const ask = (payload) => {
    socket.write(packet(payload));
    return next();
  };
  if ((await ask('QStartNoAckMode')) !== 'OK') throw new Error('QStartNoAckMode refused');
  return { ask, close: () => socket.destroy() };
}

export function startReplay(elf, logPath, extra = []) {
  const child = spawn(process.execPath, [BIN, 'replay', elf, logPath, '--gdb', '127.0.0.1:0', '--quiet', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s) => {
      stderr += s;
      const m = /waiting for gdb on [^\s]+:(\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`armrr replay exited (${code}): ${stderr}`)));
  });
}

