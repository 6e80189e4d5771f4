/**
 * The device tree armrr gives a Linux kernel on `virt` against QEMU 7.2's, byte for byte: QEMU
 * dumps its tree at test time (`-M virt,dtb-randomness=off,dumpdtb=F`, which exits after writing
 * the tree arm_load_dtb would load, /chosen and /memory included), armrr builds it through the same
 * boot plan `armrr run` uses. QEMU only fills /chosen from -initrd/-append when it boots a Linux
 * kernel image, so every case passes a small raw "kernel" (one A32 instruction) to both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QEMU, requireQemu } from '../support/qemu.js';
import { planLinuxBoot } from '../../src/emulator/boot/arm-linux-boot.js';
import { identifyKernelImage } from '../../src/emulator/boot/kernel-image.js';

const MiB = 1024 * 1024;
const RAM_BASE = 0x40000000;
let dir = '';

beforeAll(() => {
  requireQemu();
  dir = mkdtempSync(join(tmpdir(), 'armrr-dtb-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  name: string;
  memoryMiB: number;
  append?: string;
  initrdBytes?: number;
  /** Use QEMU's own dump of this case as the --dtb file. */
  dtbFrom?: string;
}

/** A raw kernel: `b .` followed by padding (any non-ELF, non-uImage file is a raw image to QEMU). */
function kernelFile(): string {
  const path = join(dir, 'kernel.bin');
  const k = new Uint8Array(0x2345);
  new DataView(k.buffer).setUint32(0, 0xeafffffe, true);
  writeFileSync(path, k);
  return path;
}

function initrdFile(size: number): string {
  const path = join(dir, `initrd-${size}.bin`);
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + 3) & 0xff;
  writeFileSync(path, b);
  return path;
}

function qemuDump(c: Case, out: string): Uint8Array {
  const args = ['-M', `virt,dtb-randomness=off,dumpdtb=${out}`, '-cpu', 'cortex-a15', '-m', `${c.memoryMiB}M`, '-nic', 'none', '-display', 'none', '-monitor', 'none', '-serial', 'none', '-kernel', kernelFile()];
  if (c.append !== undefined) args.push('-append', c.append);
  if (c.initrdBytes !== undefined) args.push('-initrd', initrdFile(c.initrdBytes));
  if (c.dtbFrom !== undefined) args.push('-dtb', join(dir, `${c.dtbFrom}.qemu.dtb`));
  const r = spawnSync(QEMU, args, { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `qemu failed: ${r.stderr}`).toBe(0);
  return new Uint8Array(readFileSync(out));
}

function armrrDtb(c: Case): { dtb: Uint8Array; dtbAddr: number; initrdStart?: number } {
  const kernel = identifyKernelImage(new Uint8Array(readFileSync(kernelFile())));
  if (kernel.format === 'elf') throw new Error('unreachable');
  const plan = planLinuxBoot(
    {
      kernel,
      cmdline: c.append,
      initrd: c.initrdBytes === undefined ? undefined : new Uint8Array(readFileSync(initrdFile(c.initrdBytes))),
      dtb: c.dtbFrom === undefined ? undefined : new Uint8Array(readFileSync(join(dir, `${c.dtbFrom}.qemu.dtb`))),
    },
    { base: RAM_BASE, size: c.memoryMiB * MiB, backed: Math.min(c.memoryMiB * MiB, 0xc0000000) },
  );
  const blob = plan.blobs.find((b) => b.name === 'dtb');
  if (!blob || plan.dtbAddr === undefined) throw new Error('no DTB in the boot plan');
  return { dtb: blob.data, dtbAddr: plan.dtbAddr, initrdStart: plan.initrd?.start };
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at byte 0x${i.toString(16)}: armrr 0x${a[i]!.toString(16)}, QEMU 0x${b[i]!.toString(16)}`;
  return a.length === b.length ? 'identical' : `lengths differ: armrr ${a.length}, QEMU ${b.length}`;
}

const CASES: Case[] = [
  { name: 'm128', memoryMiB: 128 },
  { name: 'm256-append', memoryMiB: 256, append: 'console=ttyAMA0 earlycon loglevel=8' },
  { name: 'm256-initrd-append', memoryMiB: 256, append: 'console=ttyAMA0', initrdBytes: 1_234_567 },
  { name: 'm1024-initrd', memoryMiB: 1024, initrdBytes: 4096 },
  { name: 'm4096-initrd-append', memoryMiB: 4096, append: 'console=ttyAMA0 rdinit=/init', initrdBytes: 777 },
  { name: 'm96-initrd', memoryMiB: 96, initrdBytes: 100_000 },
];

describe('virt device tree vs QEMU 7.2 -dumpdtb', () => {
  for (const c of CASES) {
    it(`${c.name}: byte-identical`, () => {
      const q = qemuDump(c, join(dir, `${c.name}.qemu.dtb`));
      const { dtb } = armrrDtb(c);
      expect(firstDifference(dtb, q)).toBe('identical');
    });
  }

  it('a --dtb file is edited as QEMU edits a -dtb file (memory node replaced, /chosen and /psci rewritten)', () => {
    // QEMU's own dump of another configuration as the input file: it already has /memory, /chosen
    // bootargs and /psci, which both must drop or overwrite in the same way.
    const c: Case = { name: 'from-file', memoryMiB: 512, append: 'console=ttyAMA0 quiet', initrdBytes: 5000, dtbFrom: 'm256-initrd-append' };
    const q = qemuDump(c, join(dir, 'from-file.qemu.dtb'));
    const { dtb } = armrrDtb(c);
    expect(dtb.length).toBe((readFileSync(join(dir, 'm256-initrd-append.qemu.dtb')).length + 10000) * 2);
    expect(firstDifference(dtb, q)).toBe('identical');
  });
});
