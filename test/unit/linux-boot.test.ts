/**
 * Kernel image formats (ELF, zImage, uImage, raw Image) and QEMU's 32-bit boot layout: what is
 * accepted, where it goes, and the errors for files and sizes QEMU cannot boot either. The layout
 * itself is compared with QEMU in test/integration/linux-boot-layout-qemu.test.ts; the values
 * here follow hw/arm/boot.c's rules (RAM + 0x10000, initrd at RAM + min(RAM/2, 128M), DTB 4 KiB
 * after the initrd).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { identifyKernelImage, KernelImageError, UIMAGE_MAGIC, ZIMAGE_MAGIC } from '../../src/emulator/boot/kernel-image.js';
import { LinuxBootError, planLinuxBoot, type RamLayout } from '../../src/emulator/boot/arm-linux-boot.js';
import { DeviceTreeError } from '../../src/emulator/boot/fdt-editor.js';
import { bootFirmware, boardOptionsKey, fingerprintOf } from '../../src/emulator/boot.js';
import { BoardOptionError } from '../../src/emulator/machines/virt.js';
import { BufferOutputSink, LiveHostPort, NoSerialInput } from '../../src/emulator/io/live-ports.js';

const MiB = 1024 * 1024;
const BASE = 0x40000000;
const ram = (mib: number): RamLayout => ({ base: BASE, size: mib * MiB, backed: mib * MiB });

/** A raw A32 image: `b .` then filler. */
function rawImage(size = 0x1000): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, 0xeafffffe, true);
  return b;
}

function zImage(size = 0x2000): Uint8Array {
  const b = rawImage(size);
  new DataView(b.buffer).setUint32(0x24, ZIMAGE_MAGIC, true);
  return b;
}

function uImage(payload: Uint8Array, o: { type?: number; comp?: number; os?: number; load?: number; ep?: number; size?: number } = {}): Uint8Array {
  const h = new Uint8Array(64);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, UIMAGE_MAGIC);
  dv.setUint32(12, o.size ?? payload.length);
  dv.setUint32(16, o.load ?? 0x40008000);
  dv.setUint32(20, o.ep ?? 0x40008000);
  h[28] = o.os ?? 5;
  h[29] = 2;
  h[30] = o.type ?? 2;
  h[31] = o.comp ?? 0;
  h.set(new TextEncoder().encode('test kernel'), 32);
  const out = new Uint8Array(64 + payload.length);
  out.set(h);
  out.set(payload, 64);
  return out;
}

function notElf<T extends { format: string }>(k: T): Exclude<T, { format: 'elf' }> {
  if (k.format === 'elf') throw new Error('expected a kernel image');
  return k as Exclude<T, { format: 'elf' }>;
}

describe('kernel image formats', () => {
  it('tells ELF, zImage, uImage and raw Image apart', () => {
    expect(identifyKernelImage(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1])).format).toBe('elf');
    expect(identifyKernelImage(zImage()).format).toBe('zimage');
    expect(identifyKernelImage(rawImage()).format).toBe('image');
    const u = identifyKernelImage(uImage(rawImage(0x100)));
    expect(u).toMatchObject({ format: 'uimage', loadAddr: 0x40008000, entryOffset: 0x40008000, isLinux: true, name: 'test kernel' });
  });

  it('gunzips a gzip uImage payload and refuses other compressions', () => {
    const payload = rawImage(0x3000);
    const u = notElf(identifyKernelImage(uImage(new Uint8Array(gzipSync(payload)), { comp: 1 })));
    expect(Array.from(u.data)).toEqual(Array.from(payload));
    expect(() => identifyKernelImage(uImage(payload, { comp: 2 }))).toThrow(/compression type 2 is not supported/);
    expect(() => identifyKernelImage(uImage(payload, { comp: 1 }))).toThrow(/cannot decompress/);
  });

  it('refuses truncated uImages and uImages that are not kernels', () => {
    expect(() => identifyKernelImage(uImage(rawImage(0x100), { size: 0x1000 }))).toThrow(/truncated/);
    expect(() => identifyKernelImage(uImage(rawImage(0x100), { type: 3 }))).toThrow(/type 3, not a kernel.*--initrd/);
  });

  it('refuses what cannot be a 32-bit ARM kernel, saying what it is', () => {
    const err = (b: Uint8Array): string => {
      try {
        identifyKernelImage(b);
      } catch (e) {
        expect(e).toBeInstanceOf(KernelImageError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(err(new TextEncoder().encode('#!/bin/sh\necho this is a script, not a kernel\n'))).toMatch(/not an ELF, zImage .* uImage .* or raw Image/);
    expect(err(new Uint8Array(gzipSync(rawImage())))).toMatch(/gzip file/);
    const arm64 = rawImage(0x100);
    new DataView(arm64.buffer).setUint32(0x38, 0x644d5241, true);
    expect(err(arm64)).toMatch(/AArch64/);
    expect(err(new Uint8Array(2))).toMatch(/2 bytes long/);
  });
});

describe('QEMU boot layout (hw/arm/boot.c)', () => {
  it('raw kernel at RAM + 0x10000, initrd at RAM + min(RAM/2, 128M), DTB 4K-aligned after it, stub at RAM start', () => {
    const initrd = new Uint8Array(5000).fill(0x5a);
    const plan = planLinuxBoot({ kernel: notElf(identifyKernelImage(zImage())), initrd, cmdline: 'console=ttyAMA0' }, ram(512));
    expect(plan.startPc).toBe(BASE);
    expect(plan.kernelAddr).toBe(BASE + 0x10000);
    expect(plan.initrd).toEqual({ start: BASE + 128 * MiB, size: 5000 });
    expect(plan.dtbAddr).toBe(BASE + 128 * MiB + 8192);
    const stub = plan.blobs.find((b) => b.name === 'bootloader')!;
    const words = Array.from({ length: 7 }, (_, i) => new DataView(stub.data.buffer).getUint32(i * 4, true));
    expect(words).toEqual([0xe3a00000, 0xe59f1004, 0xe59f2004, 0xe59ff004, 0xffffffff, plan.dtbAddr, BASE + 0x10000]);
    const small = planLinuxBoot({ kernel: notElf(identifyKernelImage(zImage())), initrd }, ram(64));
    expect(small.initrd!.start).toBe(BASE + 32 * MiB);
  });

  it('puts the initrd past a kernel that reaches beyond the default address', () => {
    const big = zImage(40 * MiB);
    const plan = planLinuxBoot({ kernel: notElf(identifyKernelImage(big)), initrd: new Uint8Array(10) }, ram(64));
    expect(plan.initrd!.start).toBe(BASE + 0x10000 + 40 * MiB);
  });

  it('loads a uImage at its load address, a kernel_noload one at RAM + 32M + 64, a uImage ramdisk without its header', () => {
    const k = notElf(identifyKernelImage(uImage(rawImage(0x800), { load: 0x40100000, ep: 0x40100040 })));
    const p = planLinuxBoot({ kernel: k, initrd: uImage(new Uint8Array([1, 2, 3, 4]), { type: 3 }) }, ram(256));
    expect([p.kernelAddr, p.kernelEntry]).toEqual([0x40100000, 0x40100040]);
    expect(p.initrd).toEqual({ start: BASE + 128 * MiB, size: 4 });
    const n = notElf(identifyKernelImage(uImage(rawImage(0x800), { type: 14, ep: 0x20 })));
    const pn = planLinuxBoot({ kernel: n }, ram(256));
    expect([pn.kernelAddr, pn.kernelEntry]).toEqual([BASE + 0x02000040, BASE + 0x02000060]);
  });

  it('starts a non-Linux uImage at its entry, and refuses Linux boot options for it', () => {
    const k = notElf(identifyKernelImage(uImage(rawImage(0x800), { os: 17, load: 0x40000000, ep: 0x40000000 })));
    const p = planLinuxBoot({ kernel: k }, ram(128));
    expect(p.isLinux).toBe(false);
    expect(p.startPc).toBe(0x40000000);
    expect(p.blobs.map((b) => b.name)).toEqual(['kernel']);
    expect(() => planLinuxBoot({ kernel: k, cmdline: 'x' }, ram(128))).toThrow(LinuxBootError);
  });

  it('refuses an initrd or DTB that does not fit in RAM, saying what to do', () => {
    const kernel = notElf(identifyKernelImage(zImage()));
    expect(() => planLinuxBoot({ kernel, initrd: new Uint8Array(40 * MiB) }, ram(64))).toThrow(/initrd .* too big to fit into RAM.*--memory/);
    // The initrd fits, the 1 MiB DTB after it does not.
    expect(() => planLinuxBoot({ kernel, initrd: new Uint8Array(32 * MiB - 0x80000) }, ram(64))).toThrow(/DTB .* does not fit in RAM/);
    expect(() => planLinuxBoot({ kernel: notElf(identifyKernelImage(zImage(70 * MiB))) }, ram(64))).toThrow(/kernel .* (RAM|--memory)/);
    // A uImage loaded below RAM; a DTB that lands past the RAM the 32-bit address space backs
    // (4 GiB on virt backs 3 GiB: a kernel at its top pushes the initrd and DTB above 4 GiB).
    expect(() => planLinuxBoot({ kernel: notElf(identifyKernelImage(uImage(rawImage(0x800), { load: 0x30000000, ep: 0x30000000 }))) }, ram(128))).toThrow(
      /kernel .* below RAM/,
    );
    expect(() =>
      planLinuxBoot({ kernel: notElf(identifyKernelImage(uImage(rawImage(0x800), { load: 0xfffff000, ep: 0xfffff000 }))) }, { base: BASE, size: 4096 * MiB, backed: 3072 * MiB }),
    ).toThrow(/DTB .* past the RAM armrr backs/);
  });

  it('refuses a --dtb that is not a device tree', () => {
    const kernel = notElf(identifyKernelImage(zImage()));
    expect(() => planLinuxBoot({ kernel, dtb: new TextEncoder().encode('not a dtb at all, just some text here....') }, ram(128))).toThrow(DeviceTreeError);
    expect(() => planLinuxBoot({ kernel, dtb: new TextEncoder().encode('not a dtb at all, just some text here....') }, ram(128))).toThrow(/not a flattened device tree/);
  });
});

describe('--initrd / --append / --dtb on the command line side', () => {
  it('are part of the virt fingerprint only when given, and refused on the M-profile boards', () => {
    const image = zImage();
    const plain = fingerprintOf('virt', 7, image, {});
    expect(fingerprintOf('virt', 7, image, { append: undefined, initrd: undefined })).toEqual(plain);
    const a = fingerprintOf('virt', 7, image, { append: 'console=ttyAMA0' });
    const b = fingerprintOf('virt', 7, image, { append: 'console=ttyAMA0 quiet' });
    const i1 = fingerprintOf('virt', 7, image, { initrd: new Uint8Array([1]) });
    const i2 = fingerprintOf('virt', 7, image, { initrd: new Uint8Array([2]) });
    const d = fingerprintOf('virt', 7, image, { dtb: new Uint8Array([1]) });
    const all = [plain, a, b, i1, i2, d].map((f) => Buffer.from(f).toString('hex'));
    expect(new Set(all).size).toBe(all.length);
    expect(() => boardOptionsKey('mps2-an385', { append: 'x' })).toThrow(BoardOptionError);
  });

  it('key the same lines on virt and vexpress-a9, in the format recorded logs were fingerprinted with', () => {
    // Recordings made before carry these bytes in their fingerprint: the key text must not move.
    const initrd = new Uint8Array([1, 2, 3]);
    const dtb = new Uint8Array([4, 5]);
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    const inputs = { memoryBytes: 256 * MiB, rtcBase: 1_796_083_200, initrd, append: 'console=ttyAMA0 quiet', dtb };
    const tail = `rtc-base=1796083200\0initrd=${sha(initrd)}\0append=console=ttyAMA0 quiet\0dtb=${sha(dtb)}\0`;
    expect(boardOptionsKey('virt', inputs)).toBe(`cpu=cortex-a15\0memory=${256 * MiB}\0${tail}`);
    expect(boardOptionsKey('vexpress-a9', inputs)).toBe(`cpu=cortex-a9\0memory=${256 * MiB}\0${tail}`);
    // Each line only when given (ELF runs and host-clock recordings keep their older fingerprints).
    expect(boardOptionsKey('vexpress-a9', { memoryBytes: 128 * MiB, append: '' })).toBe(`cpu=cortex-a9\0memory=${128 * MiB}\0append=\0`);
    expect(boardOptionsKey('virt', { memoryBytes: 128 * MiB, dtb })).toBe(`cpu=cortex-a15\0memory=${128 * MiB}\0dtb=${sha(dtb)}\0`);
  });

  it('boots a kernel image into the stub, and a reset writes QEMU\'s ROM blobs again', () => {
    const { machine, linux } = bootFirmware(zImage(), {
      machine: 'virt',
      icountShift: 7,
      serial: new NoSerialInput(),
      host: new LiveHostPort(),
      output: new BufferOutputSink(),
      memoryBytes: 128 * MiB,
      append: 'console=ttyAMA0',
      initrd: new Uint8Array(100).fill(7),
    });
    expect(machine.cpu.r[15]! >>> 0).toBe(BASE);
    expect(linux!.dtbAddr).toBe(BASE + 64 * MiB + 4096);
    const stub = machine.bus.debugRead(BASE, 28)!;
    machine.bus.debugWrite(BASE, new Uint8Array(28));
    machine.bus.debugWrite(BASE + 64 * MiB, new Uint8Array(100));
    machine.reset();
    expect(Array.from(machine.bus.debugRead(BASE, 28)!)).toEqual(Array.from(stub));
    expect(machine.bus.debugRead(BASE + 64 * MiB, 100)!.every((b) => b === 7)).toBe(true);
  });

  it('refuses --initrd/--append/--dtb with an ELF', () => {
    const elfHeader = new Uint8Array(64);
    elfHeader.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(() =>
      bootFirmware(elfHeader, { machine: 'virt', icountShift: 7, serial: new NoSerialInput(), host: new LiveHostPort(), output: new BufferOutputSink(), append: 'x' }),
    ).toThrow(/for Linux kernel images/);
  });
});
