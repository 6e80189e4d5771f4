/**
 * What was untested on the real replay target (issue 12), with real gdb-multiarch against
 * `armrr replay --gdb`:
 * - read and access watchpoints (Z3/Z4), forward and reverse, on rev-demo's `g_calls`, which only
 *   g() reads and then writes (`g_calls = g_calls + 1`, 8 calls): the values gdb reports follow
 *   from the C source alone;
 * - memory and register writes are refused (gdb shows our error) and change nothing;
 * - a second connection while the first is attached and running (README "Live Watch"): it reads,
 *   it may not resume or write, and detaching it leaves the first one attached;
 * - the WebSocket transport on `replay --gdb-ws` (raw RSP over ws, with the `ws` package);
 * - `--snapshot-budget`: the store stays within the budget on a long replay with small snapshot
 *   spacing, and reverse execution is still exact.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import {
  buildRevFirmware,
  connectReplay,
  frameOf,
  monitorJson,
  readIcount,
  recordFirmware,
  ReplayServer,
  runWithOutput,
} from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';
import { GdbMi } from '../support/gdb-mi.js';
import type { GdbMi as Gdb, MiTuple } from '../support/gdb-mi.js';
import { RspClient, stopPc } from '../support/rsp-client.js';

/** g() runs twice per f() call, f() four times (firmware/src/rev-demo.c). */
const G_CALLS = 8;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-replay-target-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gCalls(gdb: Gdb): Promise<number> {
  return Number((await gdb.cmd('-data-evaluate-expression g_calls')).results['value']);
}

/** The address of a symbol, from the ELF's symbol table (not from armrr). */
function symbol(elf: string, name: string): number {
  const line = execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${elf}`);
  return parseInt(line.split(' ')[0]!, 16) & ~1;
}

const valueOf = (stopped: MiTuple): MiTuple => stopped['value'] as MiTuple;

describe.each(['O0', 'O2'] as const)('read and access watchpoints on the replay (rev-demo-%s)', (opt) => {
  let session: ReplaySession;
  let endOfCalls = 0;

  beforeAll(async () => {
    const elf = await buildRevFirmware('rev-demo', opt);
    const log = join(dir, `rev-demo-${opt}.log`);
    await recordFirmware(elf, log);
    session = await connectReplay(elf, log, { snapshotInterval: 97 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('rwatch (Z3) forward: every read of g_calls, before g writes it', async () => {
    const { gdb } = session;
    await gdb.cmd('-break-watch -r g_calls');
    for (let n = 0; n < G_CALLS; n++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('read-watchpoint-trigger');
      expect(frameOf(stopped)['func']).toBe('g');
      // Read by call n+1: n calls have completed, and this one has not written yet.
      expect(Number(valueOf(stopped)['value'])).toBe(n);
      expect(await gCalls(gdb)).toBe(n);
    }
    await gdb.cmd('-break-delete');
    await gdb.cmd('-break-insert ticks_done');
    expect((await gdb.run('-exec-continue'))['reason']).toBe('breakpoint-hit');
    expect(await gCalls(gdb)).toBe(G_CALLS);
    endOfCalls = await readIcount(gdb);
    await gdb.cmd('-break-delete');
  });

  it('rwatch reverse: reverse-continue stops at the reads, latest first; continue goes forward to the next', async () => {
    const { gdb } = session;
    expect(await readIcount(gdb)).toBe(endOfCalls);
    await gdb.cmd('-break-watch -r g_calls');
    const icounts: number[] = [];
    for (let n = G_CALLS - 1; n >= G_CALLS - 3; n--) {
      const { stopped } = await runWithOutput(gdb, '-exec-continue --reverse');
      expect(stopped['reason']).toBe('read-watchpoint-trigger');
      expect(frameOf(stopped)['func']).toBe('g');
      // The read of call n+1 is the latest access; its write is un-executed: n calls are complete.
      expect(await gCalls(gdb)).toBe(n);
      icounts.push(await readIcount(gdb));
    }
    expect(icounts[1]).toBeLessThan(icounts[0]!);
    expect(icounts[2]).toBeLessThan(icounts[1]!);
    // gdb stepped back over the read after each reverse stop: forward again, the first access is
    // that same read (call 6's, 5 calls complete), then call 7's.
    for (const n of [G_CALLS - 3, G_CALLS - 2]) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('read-watchpoint-trigger');
      expect(Number(valueOf(stopped)['value'])).toBe(n);
    }
    await gdb.cmd('-break-delete');
  });

  it('awatch (Z4) forward and reverse: reads and writes alternate', async () => {
    const { gdb } = session;
    // From main: before it, the startup code's bss clearing writes g_calls too.
    await gdb.console('monitor seek 0');
    await gdb.console('maintenance flush register-cache');
    await gdb.cmd('-break-insert main');
    expect(frameOf(await gdb.run('-exec-continue'))['func']).toBe('main');
    await gdb.cmd('-break-delete');
    await gdb.cmd('-break-watch -a g_calls');
    const forward: string[] = [];
    for (let i = 0; i < 4; i++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('access-watchpoint-trigger');
      expect(frameOf(stopped)['func']).toBe('g');
      const v = valueOf(stopped);
      // MI: a read carries only the value (as `new`), a write `old` and `new`.
      forward.push(v['old'] !== undefined ? `write ${v['old']}->${v['new']}` : `read ${v['new'] ?? v['value']}`);
    }
    expect(forward).toEqual(['read 0', 'write 0->1', 'read 1', 'write 1->2']);

    // From after the calls, backwards: call 8's write (un-executed: 7 again), its read, call 7's write.
    await gdb.console(`monitor seek ${endOfCalls}`);
    await gdb.console('maintenance flush register-cache');
    const backward: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { stopped } = await runWithOutput(gdb, '-exec-continue --reverse');
      expect(stopped['reason']).toBe('access-watchpoint-trigger');
      expect(frameOf(stopped)['func']).toBe('g');
      backward.push(await gCalls(gdb));
    }
    expect(backward).toEqual([G_CALLS - 1, G_CALLS - 1, G_CALLS - 2]);
    await gdb.cmd('-break-delete');
  });

  it('refuses memory and register writes with our message, and changes nothing', async () => {
    const { gdb } = session;
    const icount = await readIcount(gdb);
    const before = await gCalls(gdb);
    const r0 = (await gdb.cmd('-data-evaluate-expression $r0')).results['value'];
    // gdb reports a refused memory write as an access error (it does not show the stub's text).
    await expect(gdb.console('set var g_calls = 1234')).rejects.toThrow(/Cannot access memory at address 0x2/);
    expect(await gCalls(gdb)).toBe(before);
    await expect(gdb.console('set var $r0 = 0x1234')).rejects.toThrow(
      /Could not write register "r0"; remote failure reply 'E\.armrr replay: writing registers would make the replay diverge/,
    );
    await gdb.console('maintenance flush register-cache');
    expect((await gdb.cmd('-data-evaluate-expression $r0')).results['value']).toBe(r0);
    expect(await readIcount(gdb)).toBe(icount);
    // The replay goes on exactly as recorded.
    await gdb.cmd('-break-insert ticks_done');
    expect((await gdb.run('-exec-continue'))['reason']).toBe('breakpoint-hit');
    expect(await readIcount(gdb)).toBe(endOfCalls);
    expect(await gCalls(gdb)).toBe(G_CALLS);
    await gdb.cmd('-break-delete');
  });
});

describe('a second connection while the first is attached (replay of spin-forever)', () => {
  let elf: string;
  let log: string;
  beforeAll(async () => {
    ensureFirmware();
    elf = elfPath('spin-forever', 'O2');
    log = join(dir, 'spin.log');
    await recordFirmware(elf, log, { maxInsns: 1_000_000_000, expectExit: 4 });
  });

  it('reads while the first runs, may not resume or write, and detaches without ending the first', async () => {
    const server = await ReplayServer.start(elf, log);
    const first = await GdbMi.start({ elf });
    try {
      await first.cmd(`-target-select remote 127.0.0.1:${server.port}`);
      const running = first.run('-exec-continue');
      running.catch(() => {}); // awaited below; a failure before that must not go unhandled
      const watcher = await GdbMi.start({ elf });
      try {
        await watcher.console('set remote interrupt-on-connect off');
        await watcher.cmd(`-target-select extended-remote 127.0.0.1:${server.port}`);
        // Reads are served while the first one's continue runs: `spins` keeps changing.
        const read = async (): Promise<number> => Number((await watcher.cmd('-data-evaluate-expression spins')).results['value']);
        const a = await read();
        let b = a;
        for (let i = 0; i < 500 && b === a; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          b = await read();
        }
        expect(b).not.toBe(a);
        await expect(watcher.console('set var spins = 0')).rejects.toThrow(/Cannot access memory at address 0x2/);
        // Run control stays with the first connection.
        expect((await watcher.run('-exec-continue'))['signal-name']).toBe('0');
        expect(watcher.transcript.join('\n')).toContain('the target is running under another gdb connection');
        await watcher.cmd('-target-detach');
      } finally {
        await watcher.close();
      }
      await first.cmd('-exec-interrupt');
      const stopped = await running;
      expect(stopped['signal-name']).toBe('SIGINT');
      expect(frameOf(stopped)['func']).toBe('main');
      // Still attached and in control.
      const step = await first.run('-exec-step-instruction');
      expect(step['reason']).toBe('end-stepping-range');
    } finally {
      await first.close();
      await server.stop();
    }
  });
});

describe('replay --gdb-ws: raw RSP over WebSocket', () => {
  it('breakpoint, continue, reverse-step, step and monitor over ws', async () => {
    const elf = await buildRevFirmware('rev-demo', 'O2');
    const log = join(dir, 'rev-demo-ws.log');
    await recordFirmware(elf, log);
    const server = await ReplayServer.startWebSocket(elf, log);
    const ws = await RspClient.webSocket(server.port);
    try {
      expect(await ws.ask('qSupported:swbreak+;hwbreak+')).toMatch(/ReverseContinue\+/);
      const ticksDone = symbol(elf, 'ticks_done');
      expect(await ws.ask(`Z0,${ticksDone.toString(16)},2`)).toBe('OK');
      const hit = await ws.ask('vCont;c');
      expect(hit).toMatch(/^T05/);
      expect(stopPc(hit)).toBe(ticksDone);
      const { text } = await ws.monitor('icount --json');
      const icount = (JSON.parse(text) as { icount: number }).icount;
      expect(await ws.ask(`z0,${ticksDone.toString(16)},2`)).toBe('OK');
      const back = await ws.ask('bs');
      expect(back).toMatch(/^T05/);
      expect(stopPc(back)).not.toBe(ticksDone);
      expect(JSON.parse((await ws.monitor('icount --json')).text)).toEqual({ icount: icount - 1 });
      const again = await ws.ask('vCont;s:1');
      expect(stopPc(again)).toBe(ticksDone);
      expect(await ws.ask('M20000000,4:01020304')).toMatch(/^E/);
    } finally {
      ws.close();
      await server.stop();
    }
  });
});

describe('--snapshot-budget on a long replay', () => {
  const BUDGET_MIB = 1;
  let session: ReplaySession;
  const hits: number[] = [];

  beforeAll(async () => {
    ensureFirmware();
    // crc32-bench-O2 calls milestone() every ~1e8 instructions; 3e8 holds two calls.
    const elf = elfPath('crc32-bench', 'O2');
    const log = join(dir, 'crc32-bench.log');
    await recordFirmware(elf, log, { maxInsns: 300_000_000, expectExit: 4 });
    session = await connectReplay(elf, log, { snapshotInterval: 20_000, snapshotBudgetMiB: BUDGET_MIB });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });

  it('stays within the budget and reverse-continue still lands on the forward hits', async () => {
    const { gdb } = session;
    await gdb.cmd('-break-insert milestone');
    for (;;) {
      const stop = await runWithOutput(gdb, '-exec-continue', 120_000);
      if (stop.stopped['reason'] !== 'breakpoint-hit') break;
      hits.push(await readIcount(gdb));
    }
    expect(hits.length).toBe(2);
    const snapshots = await monitorJson<{ snapshots: { icount: number }[]; bytes: number }>(gdb, 'snapshots');
    // 3e8 / 2e4 = 15,000 snapshots taken; thinning kept the store within the budget.
    expect(snapshots.bytes).toBeLessThanOrEqual(BUDGET_MIB * 1048576);
    expect(snapshots.snapshots.length).toBeGreaterThan(1);
    expect(snapshots.snapshots.length).toBeLessThan(15_000);
    for (const expected of [...hits].reverse()) {
      const { stopped } = await runWithOutput(gdb, '-exec-continue --reverse', 120_000);
      expect(stopped['reason']).toBe('breakpoint-hit');
      expect(frameOf(stopped)['func']).toBe('milestone');
      expect(await readIcount(gdb)).toBe(expected);
    }
    const after = await monitorJson<{ bytes: number }>(gdb, 'snapshots');
    expect(after.bytes).toBeLessThanOrEqual(BUDGET_MIB * 1048576);
  });
});
