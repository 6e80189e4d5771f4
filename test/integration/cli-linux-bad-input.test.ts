/**
 * Bad input for a Linux boot through the real CLI (issue 14, "Bad input"): a file that is no
 * kernel, an initrd or DTB that does not fit in RAM, and a replay whose kernel, initrd, DTB,
 * command line or memory size is not the recording's — refused with exit 3, naming what differs.
 * The kernel is a tiny raw A32 image that checks the DTB in r2 and powers off (PSCI SYSTEM_OFF).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { buildVirtDeviceTree } from '../../src/emulator/boot/virt-device-tree.js';

/** A32: check the DTB magic at [r2], then PSCI SYSTEM_OFF (0x84000008) by HVC. */
const KERNEL_WORDS = [0xe5923000, 0xe59f4010, 0xe1530004, 0x1afffffe, 0xe59f0008, 0xe1400070, 0xeafffffe, 0xedfe0dd0, 0x84000008];

const MiB = 1024 * 1024;
let dir = '';
const path = (name: string): string => join(dir, name);

function words(ws: number[], pad = 0): Uint8Array {
  const b = new Uint8Array(ws.length * 4 + pad);
  ws.forEach((w, i) => new DataView(b.buffer).setUint32(i * 4, w, true));
  return b;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-linuxbad-'));
  writeFileSync(path('kernel.bin'), words(KERNEL_WORDS));
  // Another kernel: the same code and a different tail (what a rebuilt kernel looks like).
  writeFileSync(path('kernel2.bin'), words([...KERNEL_WORDS, 0xe320f000]));
  writeFileSync(path('initrd.bin'), new Uint8Array(3000).fill(1));
  writeFileSync(path('initrd2.bin'), new Uint8Array(3000).fill(2));
  const dtb = buildVirtDeviceTree();
  writeFileSync(path('virt.dtb'), dtb.toBlob());
  dtb.setString('/', 'model', 'armrr test board');
  writeFileSync(path('virt2.dtb'), dtb.toBlob());
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('files that are no kernel', () => {
  it('are refused with exit 4 and a message saying what the file is and what to give instead', async () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['random.bin', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24 | 0x10), /not an ELF, zImage .*uImage .*or raw Image/],
      ['notes.gz', gzipSync(Buffer.from('not a kernel\n')), /is a gzip file, not a kernel image/],
      ['arm64.Image', (() => {
        const b = words([0x14000000], 0x40);
        new DataView(b.buffer).setUint32(0x38, 0x644d5241, true);
        return b;
      })(), /AArch64 kernel Image/],
      ['tiny.bin', new Uint8Array([1, 2]), /2 bytes long: not an ELF, zImage, uImage or Image/],
      ['truncated.uimg', (() => {
        const b = new Uint8Array(64 + 16);
        const dv = new DataView(b.buffer);
        dv.setUint32(0, 0x27051956);
        dv.setUint32(12, 4096); // says 4096 data bytes; the file has 16
        b[28] = 5; b[29] = 2; b[30] = 2;
        return b;
      })(), /uImage header says 4096 data bytes but the file has 16; the file is truncated/],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(path(name), bytes);
      const r = await armrrCli(['run', path(name), '--machine', 'virt', '--max-insns', '1000']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(4);
      expect(r.stderr, name).toMatch(message);
      expect(r.stdout, name).toBe('');
    }
  });
});

describe('an initrd or DTB that does not fit in RAM', () => {
  it('is refused with exit 4 before the guest runs, naming the sizes and what to change', async () => {
    // 16M of RAM: the initrd goes at RAM + 8M, so 9 MiB overflow it.
    writeFileSync(path('big-initrd.bin'), new Uint8Array(9 * MiB));
    const i = await armrrCli(['run', path('kernel.bin'), '--machine', 'virt', '--memory', '16M', '--initrd', path('big-initrd.bin')]);
    expect(i.code, i.stderr).toBe(4);
    expect(i.stderr).toMatch(/the initrd \(9437184 bytes at 0x40800000\) is too big to fit into RAM after the kernel \(RAM ends at 0x41000000\): give more --memory or a smaller initrd/);
    // An initrd that fits, leaving no room for the DTB after it (QEMU loads the whole 1 MiB buffer).
    writeFileSync(path('tight-initrd.bin'), new Uint8Array(8 * MiB - 64 * 1024));
    const d = await armrrCli(['run', path('kernel.bin'), '--machine', 'virt', '--memory', '16M', '--initrd', path('tight-initrd.bin')]);
    expect(d.code, d.stderr).toBe(4);
    expect(d.stderr).toMatch(/the DTB \(1048576 bytes at 0x40ff0000\) does not fit in RAM \(it ends at 0x41000000\)/);
    // A --dtb file: QEMU sizes its buffer (file + 10000) x 2, and that must fit as well.
    const f = await armrrCli(['run', path('kernel.bin'), '--machine', 'virt', '--memory', '16M', '--initrd', path('tight-initrd.bin'), '--dtb', path('virt.dtb')]);
    expect(f.code, f.stderr).toBe(4);
    expect(f.stderr).toMatch(/the DTB \(\d+ bytes at 0x40ff0000\) does not fit in RAM/);
    // The same files boot with more RAM (the refusal is about the size, not the files).
    const ok = await armrrCli(['run', path('kernel.bin'), '--machine', 'virt', '--memory', '32M', '--initrd', path('tight-initrd.bin'), '--dtb', path('virt.dtb'), '--no-realtime', '--max-insns', '100000']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('a replay with another kernel, initrd, DTB, command line or memory size', () => {
  it('is refused with exit 3 and names each input that differs from the recording', async () => {
    const log = path('boot.rrlog');
    const recorded = { kernel: path('kernel.bin'), initrd: path('initrd.bin'), dtb: path('virt.dtb'), append: 'console=ttyAMA0', memory: '64M' };
    const args = (c: typeof recorded): string[] => [c.kernel, '--memory', c.memory, '--initrd', c.initrd, '--dtb', c.dtb, '--append', c.append];
    const [kernel, ...opts] = args(recorded);
    const rec = await armrrCli(['record', kernel!, '-o', log, '--machine', 'virt', '--icount-shift', '7', ...opts, '--no-realtime', '--max-insns', '100000']);
    expect(rec.code, rec.stderr).toBe(0);
    const same = await armrrCli(['replay', kernel!, log, ...opts]);
    expect(same.code, same.stderr).toBe(0);

    const cases: Array<[Partial<typeof recorded>, string[]]> = [
      [{ kernel: path('kernel2.bin') }, ['the kernel image']],
      [{ initrd: path('initrd2.bin') }, ['the --initrd file']],
      [{ dtb: path('virt2.dtb') }, ['the --dtb file']],
      [{ append: 'console=ttyAMA0 quiet' }, ['the --append command line']],
      [{ memory: '128M' }, ['the --memory size']],
      [{ initrd: path('initrd2.bin'), append: 'quiet' }, ['the --initrd file', 'the --append command line']],
    ];
    for (const [change, named] of cases) {
      const [k, ...o] = args({ ...recorded, ...change });
      const r = await armrrCli(['replay', k!, log, ...o]);
      const what = JSON.stringify(change);
      expect(r.code, `${what}: ${r.stderr}`).toBe(3);
      expect(r.stderr, what).toMatch(/was recorded with a different Linux boot configuration: /);
      const said = /configuration: (.*) differs? from the recording's/.exec(r.stderr)?.[1];
      expect(said, what).toBe(named.join(', '));
    }
    // Leaving out an input the recording had is a difference too.
    const noInitrd = await armrrCli(['replay', kernel!, log, '--memory', '64M', '--dtb', recorded.dtb, '--append', recorded.append]);
    expect(noInitrd.code).toBe(3);
    expect(noInitrd.stderr).toMatch(/configuration: the --initrd file differs from the recording's/);
  });
});
