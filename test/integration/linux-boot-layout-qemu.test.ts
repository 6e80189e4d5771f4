/**
 * QEMU's 32-bit ARM boot protocol on `virt`, checked against QEMU 7.2 at test time on Debian's
 * real zImage and the guest initramfs: QEMU is started frozen (-S) with its gdbstub on a Unix
 * socket, and its registers and RAM before the first instruction (the boot stub at RAM start, r0-r2,
 * pc, cpsr; the kernel, initrd and DTB bytes where the stub and /chosen say they are) must equal
 * what `bootFirmware` loaded into armrr's machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QEMU, requireQemu } from '../support/qemu.js';
import { RspClient } from '../support/rsp-client.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { bootFirmware } from '../../src/emulator/boot.js';
import { BufferOutputSink, LiveHostPort, NoSerialInput } from '../../src/emulator/io/live-ports.js';
import type { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import type { Machine } from '../../src/emulator/machines/machine.js';

const MiB = 1024 * 1024;
const RAM_BASE = 0x40000000;
const APPEND = 'console=ttyAMA0 rdinit=/init';
let guest: DebianGuest;
let dir = '';
const children: ChildProcess[] = [];

beforeAll(() => {
  requireQemu();
  guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-bootlayout-'));
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startFrozenQemu(memoryMiB: number, withInitrd: boolean): Promise<RspClient> {
  const sock = join(dir, `gdb-${memoryMiB}-${withInitrd}.sock`);
  const args = [
    '-M', 'virt,dtb-randomness=off', '-cpu', 'cortex-a15', '-m', `${memoryMiB}M`, '-nic', 'none',
    '-display', 'none', '-monitor', 'none', '-serial', 'none', '-S',
    '-chardev', `socket,id=gdb0,path=${sock},server=on,wait=off`, '-gdb', 'chardev:gdb0',
    '-kernel', guest.zImage, '-append', APPEND,
    ...(withInitrd ? ['-initrd', guest.initrd] : []),
  ];
  const child = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  for (let i = 0; i < 200 && !existsSync(sock); i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The socket file appears just before QEMU listens on it: retry a refused connection briefly.
  for (let i = 0; ; i++) {
    try {
      const c = await RspClient.unixSocket(sock);
      // QEMU answers register reads ('p') only once the client has read the target description.
      await c.ask('qSupported:xmlRegisters=arm');
      await c.ask('qXfer:features:read:target.xml:0,ffb');
      return c;
    } catch (e) {
      if (i >= 100 || child.exitCode !== null) throw new Error(`cannot connect to QEMU's gdb socket: ${(e as Error).message}; QEMU says: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function qemuReg(c: RspClient, n: number): Promise<number> {
  const hex = await c.ask(`p${n.toString(16)}`);
  if (!/^[0-9a-f]{8}$/.test(hex)) throw new Error(`QEMU answered p${n.toString(16)} with ${JSON.stringify(hex)}; packets ${JSON.stringify(c.packets.slice(-5))}`);
  return Buffer.from(hex, 'hex').readUInt32LE(0);
}

async function qemuMem(c: RspClient, addr: number, len: number): Promise<Uint8Array> {
  const out = new Uint8Array(len);
  for (let o = 0; o < len; o += 0x400) {
    const n = Math.min(0x400, len - o);
    const hex = await c.ask(`m${(addr + o).toString(16)},${n.toString(16)}`);
    expect(hex, `QEMU read at 0x${(addr + o).toString(16)}`).toMatch(/^[0-9a-f]+$/);
    out.set(Buffer.from(hex, 'hex'), o);
  }
  return out;
}

function armrrBoot(memoryMiB: number, withInitrd: boolean): Machine {
  const image = new Uint8Array(readFileSync(guest.zImage));
  return bootFirmware(image, {
    machine: 'virt',
    icountShift: 7,
    serial: new NoSerialInput(),
    host: new LiveHostPort(),
    output: new BufferOutputSink(),
    memoryBytes: memoryMiB * MiB,
    append: APPEND,
    initrd: withInitrd ? new Uint8Array(readFileSync(guest.initrd)) : undefined,
  }).machine;
}

function armrrMem(m: Machine, addr: number, len: number): Uint8Array {
  const b = m.bus.debugRead(addr, len);
  if (b === null) throw new Error(`armrr cannot read 0x${addr.toString(16)}+${len}`);
  return b;
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Slices of a region: its start, its end and a few points in between. */
function slices(start: number, size: number, chunk = 0x800): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const f of [0, 0.25, 0.5, 0.75]) out.push([start + Math.floor((size * f) / 4) * 4, Math.min(chunk, size)]);
  out.push([start + Math.max(0, size - chunk), Math.min(chunk, size)]);
  return out;
}

describe('Linux boot protocol on virt vs QEMU 7.2 (Debian zImage, frozen before the first instruction)', () => {
  for (const [memoryMiB, withInitrd] of [
    [256, true],
    [128, true],
    [256, false],
  ] as const) {
    it(`-m ${memoryMiB}${withInitrd ? ' with the initramfs' : ' without initrd'}: registers, boot stub, kernel, initrd and DTB placement`, async () => {
      const q = await startFrozenQemu(memoryMiB, withInitrd);
      const m = armrrBoot(memoryMiB, withInitrd);
      const st = m.cpu as ArmV7aState;
      try {
        // Registers: r0-r15 and cpsr (QEMU's gdb register 25).
        const qRegs: number[] = [];
        for (let i = 0; i < 16; i++) qRegs.push(await qemuReg(q, i));
        const qCpsr = await qemuReg(q, 25);
        const ours = Array.from({ length: 16 }, (_, i) => st.r[i]! >>> 0);
        expect(ours).toEqual(qRegs);
        expect(st.getCpsr() >>> 0).toBe(qCpsr);
        expect(qRegs[15]).toBe(RAM_BASE);

        // The boot stub QEMU wrote at the start of RAM, and what it loads into r1, r2 and pc.
        const qStub = await qemuMem(q, RAM_BASE, 0x40);
        expect(hexOf(armrrMem(m, RAM_BASE, 0x40))).toBe(hexOf(qStub));
        const stubWords = new DataView(qStub.buffer);
        const boardId = stubWords.getUint32(16, true);
        const dtbAddr = stubWords.getUint32(20, true);
        const entry = stubWords.getUint32(24, true);
        expect(boardId).toBe(0xffffffff);
        expect(entry).toBe(RAM_BASE + 0x10000);

        // The kernel image at its load address.
        const kernelSize = readFileSync(guest.zImage).length;
        for (const [a, n] of slices(entry, kernelSize)) expect(hexOf(armrrMem(m, a, n)), `kernel at 0x${a.toString(16)}`).toBe(hexOf(await qemuMem(q, a, n)));

        // The DTB at r2's address: the header, structure and strings blocks.
        const dtbHeader = await qemuMem(q, dtbAddr, 40);
        const hv = new DataView(dtbHeader.buffer);
        expect(hv.getUint32(0)).toBe(0xd00dfeed);
        const used = hv.getUint32(12) + hv.getUint32(32);
        expect(hexOf(armrrMem(m, dtbAddr, used))).toBe(hexOf(await qemuMem(q, dtbAddr, used)));

        if (withInitrd) {
          const initrdSize = readFileSync(guest.initrd).length;
          const initrdStart = RAM_BASE + Math.min((memoryMiB * MiB) / 2, 128 * MiB);
          // QEMU puts the DTB on the next 4 KiB boundary after the initrd.
          expect(dtbAddr).toBe(Math.ceil((initrdStart + initrdSize) / 4096) * 4096);
          for (const [a, n] of slices(initrdStart, initrdSize)) expect(hexOf(armrrMem(m, a, n)), `initrd at 0x${a.toString(16)}`).toBe(hexOf(await qemuMem(q, a, n)));
        } else {
          expect(dtbAddr).toBe(RAM_BASE + Math.min((memoryMiB * MiB) / 2, 128 * MiB));
        }
      } finally {
        q.close();
      }
    });
  }
});
