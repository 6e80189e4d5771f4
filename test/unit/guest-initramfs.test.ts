/**
 * scripts/guest/build-initramfs.mjs writes the guest's initramfs (cpio newc, gzip) without root:
 * GNU cpio must read it back with the right types, modes, device numbers and contents, and two
 * builds must give the same bytes (a recording's fingerprint covers the initrd).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/firmware.js';

const dir = mkdtempSync(join(tmpdir(), 'armrr-initramfs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(out: string): void {
  writeFileSync(join(dir, 'busybox'), 'BUSYBOX-BYTES');
  writeFileSync(join(dir, 'rrdemo'), 'DEMO');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/guest/build-initramfs.mjs'), '--busybox', join(dir, 'busybox'), '--init', join(ROOT, 'scripts/guest/init.sh'), '--demo', join(dir, 'rrdemo'), '--out', out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe('guest initramfs builder', () => {
  it('writes a newc archive GNU cpio lists with device nodes, symlinks and files, reproducibly', () => {
    const a = join(dir, 'a.cpio.gz');
    const b = join(dir, 'b.cpio.gz');
    build(a);
    build(b);
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    const cpio = join(dir, 'a.cpio');
    writeFileSync(cpio, gunzipSync(readFileSync(a)));
    const list = spawnSync('cpio', ['-itv', '--quiet', '-F', cpio], { encoding: 'utf8' });
    if (list.error) throw new Error(`GNU cpio is needed for this test (bash scripts/setup.sh installs it): ${list.error.message}`);
    expect(list.status, list.stderr).toBe(0);
    const lines = list.stdout.split('\n');
    const line = (name: string): string => lines.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `)) ?? `missing ${name}`;
    expect(line('dev/console')).toMatch(/^crw------- .* 5,\s+1 /);
    expect(line('init')).toMatch(/^-rwxr-xr-x /);
    expect(line('bin/sh')).toMatch(/^lrwxrwxrwx .* bin\/sh -> busybox$/);
    expect(line('bin/rrdemo')).toMatch(/^-rwxr-xr-x .* 4 /);
    const init = spawnSync('cpio', ['-i', '--quiet', '--to-stdout', '-F', cpio, 'init'], { encoding: 'utf8' });
    expect(init.stdout).toBe(readFileSync(join(ROOT, 'scripts/guest/init.sh'), 'utf8'));
  });
});
