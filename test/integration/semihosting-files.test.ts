/**
 * Semihosting host files as QEMU 7.2's `-semihosting-config enable=on,target=native`
 * (firmware/src/semihost-files.c: open in every mode class, write, read back, seek, "a" without
 * O_APPEND, rename, remove, errors with their errno, TMPNAM). Each run has an empty working
 * directory; the program removes its own files, so each directory is empty again at the end. A
 * recording replays in another empty directory, where the files never existed: same output, and
 * replay writes no file.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirmware, elfPath } from '../support/firmware.js';
import { armrrCli, runArmrrCli } from '../support/armrr-run.js';
import { requireQemu, runQemu } from '../support/qemu.js';

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
});
