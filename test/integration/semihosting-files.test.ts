/**
 * Semihosting host files as QEMU 7.2's `-semihosting-config enable=on,target=native`
 * (firmware/src/semihost-files.c: open in every mode class, write, read back, seek, "a" without
 * O_APPEND, rename, remove, errors with their errno, TMPNAM). Each run has an empty working
 * directory; the program removes its own files, so each directory is empty again at the end. A
 * recording replays in another empty directory, where the files never existed: same output, and
 * replay writes no file. QEMU's own recording holds no host file calls: its replay stops at the
 * first one with a message saying so.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirmware, elfPath } from '../support/firmware.js';
import { armrrCli, runArmrrCli } from '../support/armrr-run.js';
import { QEMU, requireQemu, runQemu } from '../support/qemu.js';

const ELF = elfPath('semihost-files', 'O2');
const dirs: string[] = [];
const emptyDir = (what: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `armrr-sh-${what}-`));
  dirs.push(dir);
  return dir;
};

requireQemu();

describe('semihosting host files: armrr vs QEMU (target=native), and replay without the files', () => {
  let qemuOut = '';
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(async () => {
    ensureFirmware();
    const dir = emptyDir('qemu');
    const q = await runQemu(ELF, { cwd: dir });
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    expect(q.exitCode).toBe(0);
    qemuOut = q.stdout.toString('latin1');
    // The reference did use the host's files (not an ENOSYS/EPERM path).
    expect(qemuOut).toContain('read 11 left 0: [semihosting]');
    expect(qemuOut).toContain('remove = 0');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('armrr run prints what QEMU prints and leaves no file behind', async () => {
    const dir = emptyDir('run');
    const a = await runArmrrCli(ELF, { cwd: dir });
    expect(a.stdout.toString('latin1'), `armrr stderr: ${a.stderr.slice(0, 400)}`).toBe(qemuOut);
    expect(a.exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('record, then replay where the files never existed: the same output, and replay writes nothing', async () => {
    const recDir = emptyDir('record');
    const log = join(emptyDir('log'), 'files.log');
    const rec = await armrrCli(['record', ELF, '-o', log, '--icount-shift', '0'], { cwd: recDir });
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stdout).toBe(qemuOut);
    const replayDir = emptyDir('replay');
    const rep = await armrrCli(['replay', ELF, log], { cwd: replayDir });
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toBe(qemuOut);
    expect(readdirSync(replayDir)).toEqual([]);
  });

  it("a QEMU recording stops at its first host file call, saying QEMU logs none", async () => {
    const dir = emptyDir('qemu-rec');
    const log = join(dir, 'qemu.bin');
    // stdout to a file, as runQemu does (QEMU's stdio chardev on a pipe can lose the last bytes).
    const outFd = openSync(join(dir, 'qemu.out'), 'w');
    const q = spawnSync(QEMU, ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
      '-semihosting-config', 'enable=on,target=native', '-icount', `shift=0,rr=record,rrfile=${log}`, '-kernel', ELF],
      { cwd: dir, encoding: 'latin1', timeout: 60_000, stdio: ['ignore', outFd, 'pipe'] });
    closeSync(outFd);
    expect(q.status, q.stderr).toBe(0);
    expect(readFileSync(join(dir, 'qemu.out'), 'latin1')).toBe(qemuOut);
    const rep = await armrrCli(['replay', ELF, log, '--icount-shift', '0'], { cwd: emptyDir('qemu-replay') });
    expect(rep.code).toBe(3);
    expect(rep.stderr).toMatch(/opens a host file\. QEMU's recordings hold no semihosting host file calls/);
    expect(qemuOut.startsWith(rep.stdout)).toBe(true);
  });
});
