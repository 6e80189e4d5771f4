/**
 * `armrr replay --save-snapshots` through the CLI: writes LOG.snapshots at the end of a replay,
 * loads it at the start of the next replay of the same log (same result), and refuses — with a
 * clear warning, replacing it afterwards — a file made for another firmware or another log.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARMRR_BIN } from '../support/armrr-process.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';

function armrr(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ARMRR_BIN, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : Number((err as { code?: number }).code ?? -1);
      resolve({ code, stdout, stderr });
    }).stdin?.end();
  });
}

const hash = (s: string): string => /armrr: state hash \S+ at icount \d+/.exec(s)?.[0] ?? `no hash in ${s}`;

let dir: string;
const O2 = (): string => elfPath('irq-timers', 'O2');
const OS = (): string => elfPath('irq-timers', 'Os');
beforeAll(async () => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-snapfile-'));
  await Promise.all([
    armrr(['record', O2(), '-o', join(dir, 'a.log'), '--no-realtime', '--input', '/dev/null']),
    armrr(['record', OS(), '-o', join(dir, 'os.log'), '--no-realtime', '--input', '/dev/null']),
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--save-snapshots', () => {
  it('saves at the end of a replay and loads them in the next one', async () => {
    const log = join(dir, 'a.log');
    const first = await armrr(['replay', O2(), log, '--save-snapshots', '--snapshot-interval', '50000', '--state-hash', '--quiet']);
    expect(first.code).toBe(0);
    const saved = /saved (\d+) snapshots/.exec(first.stderr);
    expect(saved, first.stderr).not.toBeNull();
    expect(Number(saved![1])).toBeGreaterThan(3);
    expect(existsSync(`${log}.snapshots`)).toBe(true);
    const second = await armrr(['replay', O2(), log, '--save-snapshots', '--snapshot-interval', '50000', '--state-hash', '--quiet']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`loaded ${saved![1]} snapshots from '${log}.snapshots'`);
    expect(hash(second.stderr)).toBe(hash(first.stderr));
    expect(second.stderr).not.toMatch(/warning/);
  });

  it('refuses a file made for another firmware, then replaces it', async () => {
    const log = join(dir, 'os.log');
    copyFileSync(join(dir, 'a.log.snapshots'), `${log}.snapshots`);
    const r = await armrr(['replay', OS(), log, '--save-snapshots', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: not loading snapshots: snapshot file '.*os\.log\.snapshots' was saved for another firmware/);
    expect(r.stderr).toMatch(/saved \d+ snapshots/);
    const again = await armrr(['replay', OS(), log, '--save-snapshots', '--quiet']);
    expect(again.stderr).toMatch(/loaded \d+ snapshots/);
    expect(again.stderr).not.toMatch(/warning/);
  });

  it('refuses a file made for another log of the same firmware', async () => {
    // A copy of a.log with its snapshots, then a shorter re-recording over the log: same firmware
    // fingerprint, other bytes (recordings are deterministic, so it must differ in length).
    const c = join(dir, 'c.log');
    copyFileSync(join(dir, 'a.log'), c);
    copyFileSync(join(dir, 'a.log.snapshots'), `${c}.snapshots`);
    await armrr(['record', O2(), '-o', c, '--no-realtime', '--input', '/dev/null', '--max-insns', '30000']);
    const r = await armrr(['replay', O2(), c, '--save-snapshots', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: not loading snapshots: .*saved for another replay log .*re-recorded or edited/);
  });
});
