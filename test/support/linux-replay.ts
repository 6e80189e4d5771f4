/**
 * The Linux fast boot (common facts: the decompressed Debian kernel as a uImage, 256M,
 * cryptomgr.notests, shift 7; on virt or vexpress-a9) recorded with a line typed at the guest's prompt through a pipe, and
 * replayed under real gdb-multiarch with armrr.py, the kernel's symbols (from the image's kallsyms)
 * and rrdemo's symbols loaded.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARMRR_BIN, ReplayServer } from './armrr-process.js';
import type { DebianGuest } from './debian-guest.js';
import { ROOT } from './firmware.js';
import { GdbMi } from './gdb-mi.js';

export const GUEST_PROMPT = 'armrr-guest$ ';

/** The boards the fast boot runs on (vexpress-a9 with Debian's vexpress-v2p-ca9.dtb). */
export type LinuxBoard = 'virt' | 'vexpress-a9';

/** The fast boot's kernel image (the decompressed kernel as a uImage at the board's RAM + 0x208000). */
export function fastBootImage(guest: DebianGuest, board: LinuxBoard = 'virt'): string {
  return board === 'virt' ? guest.virtUImage : guest.vexpressUImage;
}

/** The machine options of the fast boot, for record and replay alike. */
export function fastBootArgs(guest: DebianGuest, board: LinuxBoard = 'virt'): string[] {
  return [
    '--machine',
    board,
    ...(board === 'vexpress-a9' ? ['--dtb', guest.vexpressDtb] : []),
    '--memory',
    '256M',
    '--initrd',
    guest.initrd,
    '--append',
    'console=ttyAMA0 cryptomgr.notests',
    '--rtc-base',
    '2026-12-01T00:00:00',
    '--icount-shift',
    '7',
  ];
}

/**
 * `armrr record` of the fast boot into `log`, typing `line` + newline once the prompt shows (the
 * guest then powers off: exit 0). Resolves with the console output; rejects with the exit status
 * and stderr otherwise.
 */
export function recordFastBoot(guest: DebianGuest, log: string, line: string, timeoutMs = 900_000, board: LinuxBoard = 'virt'): Promise<string> {
  return recordTypedLine(fastBootImage(guest, board), fastBootArgs(guest, board), log, line, timeoutMs);
}

/**
 * `armrr record IMAGE -o log ARGS --input -`, typing `line` + newline through the pipe once the
 * guest's prompt shows (/init then echoes it and powers off: exit 0). Resolves with the console
 * output; rejects with the exit status, stderr and the console's tail otherwise.
 */
export function recordTypedLine(image: string, args: string[], log: string, line: string, timeoutMs: number): Promise<string> {
  const argv = [ARMRR_BIN, 'record', image, '-o', log, ...args, '--input', '-', '--no-realtime'];
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let typed = false;
  child.stdout.setEncoding('latin1');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    if (!typed && out.includes(GUEST_PROMPT)) {
      typed = true;
      child.stdin.write(`${line}\n`);
    }
  });
  child.stderr.on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`armrr record of ${image} did not finish in ${timeoutMs} ms; output tail:\n${out.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      if (code === 0 && existsSync(log)) resolve(out);
      else reject(new Error(`armrr record of ${image} ended with code ${code}, signal ${signal}: ${err}\noutput tail:\n${out.slice(-2000)}`));
    });
  });
}

export interface LinuxGdbSession {
  gdb: GdbMi;
  server: ReplayServer;
  close(): Promise<void>;
}

/**
 * `armrr replay --gdb` of `log` and a gdb-multiarch connected to it, with scripts/gdb/armrr.py
 * sourced, the kernel symbols loaded from the boot image (`armrr load-symbols`) and rrdemo's
 * (`add-symbol-file`).
 */
export async function connectLinuxReplay(guest: DebianGuest, log: string, board: LinuxBoard = 'virt'): Promise<LinuxGdbSession> {
  const image = fastBootImage(guest, board);
  const server = await ReplayServer.start(image, log, { extraArgs: fastBootArgs(guest, board), startTimeoutMs: 120_000 });
  let gdb: GdbMi | null = null;
  try {
    gdb = await GdbMi.start({ timeoutMs: 600_000 });
    // `armrr process` runs `continue` from Python, which returns at once in mi-async mode.
    await gdb.cmd('-gdb-set mi-async off');
    await gdb.console(`source ${join(ROOT, 'scripts/gdb/armrr.py')}`);
    await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
    await gdb.console(`armrr load-symbols ${image}`, 300_000);
    await gdb.console(`add-symbol-file ${guest.rrdemo}`);
  } catch (e) {
    await gdb?.close();
    await server.stop();
    throw e;
  }
  const g = gdb;
  return {
    gdb: g,
    server,
    close: async () => {
      await g.close();
      await server.stop();
    },
  };
}
