/**
 * The stub always obeys (issue 12), on the real CLI: while `armrr replay --gdb` or `armrr run --gdb`
 * runs a guest that never stops (firmware/src/spin-forever.c, no interrupts, no exit), gdb's
 * Ctrl-C is answered, a second connection is served (qC, memory reads), and SIGINT and SIGTERM
 * end the process with exit code 0. Real gdb-multiarch and raw RSP sockets. The 10 s guards only
 * detect a hang; nothing here measures speed. (A replay that makes no progress at all — a log
 * whose next event never comes — is covered in process by test/unit/gdbstub-responsive.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { ReplayServer, recordFirmware } from '../support/armrr-process.js';
import { GdbMi } from '../support/gdb-mi.js';
import { GUARD_MS, RspClient } from '../support/rsp-client.js';

/** Long enough that a continue is still running when the test interrupts it (milliseconds later). */
const LOG_INSNS = 2_000_000_000;

let dir: string;
let elf: string;
let log: string;

beforeAll(async () => {
  ensureFirmware();
  elf = elfPath('spin-forever', 'O2');
  dir = mkdtempSync(join(tmpdir(), 'armrr-responsive-'));
  log = join(dir, 'spin.log');
  // --max-insns ends the recording (exit 4): the log is whole.
  await recordFirmware(elf, log, { maxInsns: LOG_INSNS, expectExit: 4 });
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Waits for the process to end (10 s guard) and returns how. */
function exitOf(server: ReplayServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = server.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`armrr did not exit within ${GUARD_MS} ms of the signal; stderr:\n${server.stderr}`));
    }, GUARD_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Waits until the other connection's continue is under way: the icount moves (10 s guard). */
async function untilRunning(observer: RspClient): Promise<void> {
  const icount = async (): Promise<number> => (JSON.parse((await observer.monitor('icount --json')).text) as { icount: number }).icount;
  const first = await icount();
  for (let i = 0; i < 500; i++) {
    if ((await icount()) !== first) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the continue did not start');
}

const servers = {
  replay: () => ReplayServer.start(elf, log),
  live: () => ReplayServer.startLive(elf),
};

describe.each(Object.keys(servers) as (keyof typeof servers)[])('%s --gdb with a guest that never stops', (kind) => {
  it('answers Ctrl-C and a second connection while it runs (raw RSP)', async () => {
    const server = await servers[kind]();
    const a = await RspClient.tcp(server.port);
    const b = await RspClient.tcp(server.port);
    try {
      a.send('vCont;c');
      await untilRunning(b);
      expect(await b.ask('qC')).toBe('QC1');
      const during = await b.monitor('icount --json');
      expect(during.reply).toBe('OK');
      expect(JSON.parse(during.text).icount).toBeGreaterThanOrEqual(0);
      a.interrupt();
      const stop = await a.nextReply();
      expect(stop).toMatch(/^T02/);
      const { icount } = JSON.parse((await a.monitor('icount --json')).text) as { icount: number };
      expect(icount).toBeGreaterThan(0);
      if (kind === 'replay') expect(icount).toBeLessThan(LOG_INSNS);
    } finally {
      a.close();
      b.close();
      await server.stop();
    }
  });

  it('real gdb: -exec-interrupt stops a continue while a second connection reads memory', async () => {
    const server = await servers[kind]();
    const gdb = await GdbMi.start({ elf, timeoutMs: GUARD_MS });
    const watcher = await RspClient.tcp(server.port);
    try {
      await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
      const running = gdb.run('-exec-continue');
      // `spins` changes under the second connection's eyes while the first one's continue runs.
      const address = Number(/0x[0-9a-f]+/.exec(await gdb.console('print &spins'))![0]);
      const read = async (): Promise<number> => Buffer.from(await watcher.ask(`m${address.toString(16)},4`), 'hex').readUInt32LE(0);
      const first = await read();
      let later = first;
      for (let i = 0; i < 500 && later === first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        later = await read();
      }
      expect(later).not.toBe(first);
      await gdb.cmd('-exec-interrupt');
      const stopped = await running;
      expect(stopped['reason']).toBe('signal-received');
      expect(stopped['signal-name']).toBe('SIGINT');
      expect((stopped['frame'] as { func?: string })['func']).toBe('main');
    } finally {
      watcher.close();
      await gdb.close();
      await server.stop();
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends the process while a continue runs`, async () => {
      const server = await servers[kind]();
      const a = await RspClient.tcp(server.port);
      const b = await RspClient.tcp(server.port);
      try {
        a.send('vCont;c');
        await untilRunning(b);
        server.child.kill(signal);
        expect(await exitOf(server)).toEqual({ code: 0, signal: null });
      } finally {
        a.close();
        b.close();
        await server.stop();
      }
    });
  }
});
