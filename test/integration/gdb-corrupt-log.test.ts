/**
 * `armrr replay --gdb` on corrupt logs (issue 12): one bit flipped in an INSTRUCTION count of a
 * recorded irq-timers-O2 log, at ten places. Whatever the replay does with such a log — replay on,
 * stop with a divergence error, or (before the replay side detects it) spin forever at an event
 * that never comes — the stub answers a second connection's qC while the first one's continue is
 * pending, answers Ctrl-C on the first (or has already answered the continue), keeps serving it,
 * and exits with code 0 on SIGTERM. A log the replay refuses up front exits 3 without listening.
 * Guards (10 s) only detect a hang.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayLogReader } from '../../src/replay/log-reader.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { recordFirmware, ReplayServer } from '../support/armrr-process.js';
import { GUARD_MS, RspClient } from '../support/rsp-client.js';

let dir: string;
let elf: string;
let original: Buffer;
/** Byte offsets of the INSTRUCTION events (id byte; the count is the 4 bytes after it, big-endian). */
let instructionOffsets: number[];

beforeAll(async () => {
  ensureFirmware();
  elf = elfPath('irq-timers', 'O2');
  dir = mkdtempSync(join(tmpdir(), 'armrr-corrupt-'));
  const log = join(dir, 'irq-timers.log');
  await recordFirmware(elf, log);
  original = readFileSync(log);
  instructionOffsets = [];
  for (const e of new ReplayLogReader(new Uint8Array(original))) if (e.event.kind === 'INSTRUCTION') instructionOffsets.push(e.offset);
  expect(instructionOffsets.length).toBeGreaterThan(100);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function exitOf(server: ReplayServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = server.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit within ${GUARD_MS} ms of SIGTERM; stderr:\n${server.stderr}`)), GUARD_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('replay --gdb on logs with a flipped bit in an instruction count', () => {
  // Every 10th INSTRUCTION event from the 4th; bit 2 of the count's low byte (the issue's `^= 4`).
  for (let k = 0; k < 10; k++) {
    const index = 3 + 10 * k;
    it(`INSTRUCTION event ${index + 1}: qC, Ctrl-C and SIGTERM are answered`, async () => {
      const mutated = Buffer.from(original);
      mutated[instructionOffsets[index]! + 4]! ^= 4;
      const log = join(dir, `mutated-${index}.log`);
      writeFileSync(log, mutated);
      let server: ReplayServer;
      try {
        server = await ReplayServer.start(elf, log);
      } catch (e) {
        // Refused before serving: a bad log, exit 3 (never a hang or a crash).
        expect(String(e)).toMatch(/exited \(code 3,/);
        return;
      }
      const a = await RspClient.tcp(server.port);
      const b = await RspClient.tcp(server.port);
      try {
        a.send('vCont;c');
        expect(await b.ask('qC')).toBe('QC1');
        a.interrupt();
        // A stop (T02 when it was still running or spinning, T05 at the end) or a divergence error.
        expect(await a.nextReply()).toMatch(/^(T[0-9a-f]{2}|E\.)/);
        expect(await a.ask('qC')).toBe('QC1');
        expect(await b.ask('g')).toMatch(/^[0-9a-fx]+$/);
        server.child.kill('SIGTERM');
        expect(await exitOf(server)).toEqual({ code: 0, signal: null });
      } finally {
        a.close();
        b.close();
        await server.stop();
      }
    });
  }
});
