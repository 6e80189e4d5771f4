/**
 * `armrr run|record|replay KERNEL --machine virt --initrd --append --dtb` end to end on a tiny raw
 * kernel: it checks that r2 points at a device tree (its magic) and powers off through PSCI
 * SYSTEM_OFF over HVC, which ends QEMU and armrr alike with exit status 0 (a wrong r2 spins until
 * --max-insns). A replay refuses another kernel command line, initrd or memory size (exit 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { QEMU, requireQemu } from '../support/qemu.js';

/** A32: check the DTB magic at [r2], then PSCI SYSTEM_OFF (0x84000008) by HVC. */
const KERNEL_WORDS = [
  0xe5923000, // ldr r3, [r2]
  0xe59f4010, // ldr r4, =0xedfe0dd0 (0xd00dfeed read little-endian)
  0xe1530004, // cmp r3, r4
  0x1afffffe, // bne .
  0xe59f0008, // ldr r0, =0x84000008
  0xe1400070, // hvc #0
  0xeafffffe, // b .
  0xedfe0dd0,
  0x84000008,
];

let dir = '';
let kernel = '';
let initrd = '';
let otherInitrd = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-linuxcli-'));
  kernel = join(dir, 'kernel.bin');
  const k = new Uint8Array(KERNEL_WORDS.length * 4);
  KERNEL_WORDS.forEach((w, i) => new DataView(k.buffer).setUint32(i * 4, w, true));
  writeFileSync(kernel, k);
  initrd = join(dir, 'initrd.bin');
  writeFileSync(initrd, new Uint8Array(3000).fill(1));
  otherInitrd = join(dir, 'initrd2.bin');
  writeFileSync(otherInitrd, new Uint8Array(3000).fill(2));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const BOOT = () => ['--machine', 'virt', '--memory', '64M', '--icount-shift', '7', '--initrd', initrd, '--append', 'console=ttyAMA0', '--max-insns', '100000'];

describe('Linux kernel boot options on the command line', () => {
  it('QEMU and armrr both hand the kernel a DTB in r2 and power off with PSCI SYSTEM_OFF (exit 0)', async () => {
    requireQemu();
    const q = spawnSync(QEMU, ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '64M', '-nic', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyAMA0'], {
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect(q.status, q.stderr).toBe(0);
    const r = await armrrCli(['run', kernel, ...BOOT(), '--no-realtime']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('records and replays a kernel boot; a replay with another --append, --initrd or --memory is refused', async () => {
    const log = join(dir, 'boot.rrlog');
    const rec = await armrrCli(['record', kernel, '-o', log, ...BOOT(), '--no-realtime', '--state-hash']);
    expect(rec.code, rec.stderr).toBe(0);
    const replayArgs = ['--memory', '64M', '--initrd', initrd, '--append', 'console=ttyAMA0'];
    const rep = await armrrCli(['replay', kernel, log, ...replayArgs, '--state-hash']);
    expect(rep.code, rep.stderr).toBe(0);
    const hash = (s: string): string | undefined => /state hash ([0-9a-f]+)/.exec(s)?.[1];
    expect(hash(rep.stderr)).toBe(hash(rec.stderr));
    for (const wrong of [
      ['--memory', '64M', '--initrd', initrd, '--append', 'console=ttyAMA0 quiet'],
      ['--memory', '64M', '--initrd', otherInitrd, '--append', 'console=ttyAMA0'],
      ['--memory', '128M', '--initrd', initrd, '--append', 'console=ttyAMA0'],
      ['--memory', '64M', '--append', 'console=ttyAMA0'],
    ]) {
      const r = await armrrCli(['replay', kernel, log, ...wrong]);
      expect(r.code, wrong.join(' ')).toBe(3);
      expect(r.stderr).toMatch(/was recorded with a different Linux boot configuration: the --(append|initrd|memory) .* differs from the recording's/);
    }
  });

  it('refuses a file that is no kernel, and boot options where they do not apply (usage error)', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is a text file, not a kernel\n');
    const r = await armrrCli(['run', text, '--machine', 'virt']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^armrr: kernel is not an ELF, zImage .*uImage .*raw Image/m);
    const m = await armrrCli(['run', kernel, '--append', 'x']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--initrd, --append and --dtb are for Linux kernels on virt/);
    const d = await armrrCli(['run', kernel, '--machine', 'virt', '--dtb', text]);
    expect(d.code).toBe(4);
    expect(d.stderr).toMatch(/--dtb file is not a flattened device tree/);
  });
});
