/**
 * `armrr run --gdb`: a live run under real gdb-multiarch. Inputs are recorded in memory as the run
 * goes, so reverse execution works on a live run, and going forward again re-executes recorded
 * history exactly before running live past the furthest point reached. The stops must be the same
 * icounts as a record + `replay --gdb` of the same firmware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GdbMi } from '../support/gdb-mi.js';
import { buildRevFirmware, connectReplay, readIcount, recordFirmware, ReplayServer } from '../support/armrr-process.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-live-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ticks(gdb: GdbMi): Promise<number> {
  const text = await gdb.console('print ticks');
  return Number(/= (\d+)/.exec(text)![1]);
}

describe('armrr run --gdb (live, with reverse execution)', () => {
  it('stops at the same icounts as a replay, goes back, and runs live past the head', async () => {
    const elf = await buildRevFirmware('rev-demo', 'O0');

    // Reference: three SysTick handler hits in a replay of a recording.
    const log = join(dir, 'ref.log');
    await recordFirmware(elf, log);
    const ref = await connectReplay(elf, log);
    const expected: number[] = [];
    try {
      await ref.gdb.cmd('-break-insert SysTick_Handler');
      for (let i = 0; i < 3; i++) {
        await ref.gdb.run('-exec-continue');
        expected.push(await readIcount(ref.gdb));
      }
    } finally {
      await ref.close();
    }
    expect(new Set(expected).size).toBe(3);

    const server = await ReplayServer.startLive(elf);
    const gdb = await GdbMi.start({ elf, timeoutMs: 30_000 });
    try {
      await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
      expect(await readIcount(gdb)).toBe(0);
      await gdb.cmd('-break-insert SysTick_Handler');
      await gdb.run('-exec-continue');
      expect(await readIcount(gdb)).toBe(expected[0]);
      expect(await ticks(gdb)).toBe(0);
      await gdb.run('-exec-continue');
      expect(await readIcount(gdb)).toBe(expected[1]);
      expect(await ticks(gdb)).toBe(1);

      // Back in time on a live run: replayed from the in-memory recording.
      await gdb.run('-exec-continue --reverse');
      expect(await readIcount(gdb)).toBe(expected[0]);
      expect(await ticks(gdb)).toBe(0);

      // Forward again: recorded history first, then live beyond the furthest point reached.
      await gdb.run('-exec-continue');
      expect(await readIcount(gdb)).toBe(expected[1]);
      await gdb.run('-exec-continue');
      expect(await readIcount(gdb)).toBe(expected[2]);
      expect(await ticks(gdb)).toBe(2);
      expect(server.alive).toBe(true);
    } finally {
      await gdb.close();
      await server.stop();
    }
  });
});

describe('armrr run --gdb-ws (browser clients)', () => {
  it('serves the same protocol over WebSocket on 127.0.0.1: a stop reply, then registers', async () => {
    const { WebSocket } = await import('ws');
    const elf = await buildRevFirmware('rev-demo', 'O0');
    const server = await ReplayServer.startLiveWebSocket(elf);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}`);
    try {
      const got: string[] = [];
      const next = (pattern: RegExp): Promise<string> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no reply matching ${pattern}; got ${got.join('')}`)), 5000);
          const check = (): void => {
            const m = pattern.exec(got.join(''));
            if (m) {
              clearTimeout(timer);
              got.length = 0;
              resolve(m[0]);
            }
          };
          ws.on('message', (data: Buffer) => {
            got.push(data.toString('latin1'));
            check();
          });
          check();
        });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.send('$?#3f');
      expect(await next(/\$T05[^#]*#[0-9a-f]{2}/)).toMatch(/thread:/);
      ws.send('$g#67');
      // r0..r15, xpsr, msp, psp: 19 little-endian words; pc (word 15) is the reset vector's target.
      const g = await next(/\$([0-9a-f]{152})#[0-9a-f]{2}/);
      expect(g.length).toBeGreaterThan(152);
    } finally {
      ws.close();
      await server.stop();
    }
  });
});
