/**
 * Real gdb-multiarch against the TCP transport. The target is an in-memory fake whose "CPU" knows
 * just enough Thumb (movs, adds, ldr literal, str, b) to move pc and store a counter: this proves
 * the wire protocol, not the emulator.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GdbServer } from '../../src/gdbstub/transports/server.js';
import { listenTcp } from '../../src/gdbstub/transports/tcp.js';
import type { StopReason } from '../../src/gdbstub/target.js';
import { GdbMi } from '../support/gdb-mi.js';
import type { MiTuple } from '../support/gdb-mi.js';
import { FakeTarget } from '../unit/gdbstub-fake-target.js';

const SOURCE = `
  .syntax unified
  .cpu cortex-m3
  .thumb
  .text
  .global _start
_start:
  ldr r0, =counter
  movs r1, #42
  nop
loop:
  adds r1, #1
store:
  str r1, [r0]
  nop
  b loop
  .ltorg

  .data
  .global counter
counter:
  .word 0
`;

const RAM = 0x20000000;
const SCS = 0xe000e000;
const UART0 = 0x40004000;

/** FakeTarget plus the few Thumb instructions the program uses; watches STR before it retires. */
class ThumbTarget extends FakeTarget {
  protected override execute(): StopReason | null {
    const bytes = this.readMemory(this.pc, 2)!;
    const insn = bytes[0]! | (bytes[1]! << 8);
    const reg = (n: number): number => this.registers.get(n)!;
    const set = (n: number, value: number): void => void this.registers.set(n, value >>> 0);
    let nextPc = this.pc + this.instructionSize();
    if (insn >>> 11 === 0b00100) set((insn >> 8) & 7, insn & 0xff);
    else if (insn >>> 11 === 0b00110) set((insn >> 8) & 7, reg((insn >> 8) & 7) + (insn & 0xff));
    else if (insn >>> 11 === 0b01001) {
      const addr = ((this.pc + 4) & ~3) + (insn & 0xff) * 4;
      set((insn >> 8) & 7, Buffer.from(this.readMemory(addr, 4)!).readUInt32LE(0));
    } else if (insn >>> 11 === 0b01100) {
      const addr = (reg((insn >> 3) & 7) + ((insn >> 6) & 0x1f) * 4) >>> 0;
      const hit = this.watchpoints.find((w) => w.type !== 'read' && addr < w.addr + w.length && w.addr < addr + 4);
      if (hit) return { kind: 'watch', type: hit.type === 'write' ? 'watch' : 'awatch', addr: Math.max(addr, hit.addr) };
      const value = Buffer.alloc(4);
      value.writeUInt32LE(reg(insn & 7));
      this.writeMemory(addr, value);
    } else if (insn >>> 11 === 0b11100) {
      nextPc = this.pc + 4 + (((insn & 0x7ff) << 21) >> 20);
    }
    this.pc = nextPc;
    return null;
  }
}

let dir: string;
let elf: string;
let image: Buffer;
let target: ThumbTarget;
let server: GdbServer;
let gdb: GdbMi;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-'));
  writeFileSync(join(dir, 'prog.s'), SOURCE);
  execFileSync('arm-none-eabi-as', ['-o', join(dir, 'prog.o'), join(dir, 'prog.s')]);
  elf = join(dir, 'prog.elf');
  execFileSync('arm-none-eabi-ld', ['-Ttext=0x0', `-Tdata=0x${RAM.toString(16)}`, '-e', '_start', '-o', elf, join(dir, 'prog.o')]);
  execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', elf, join(dir, 'prog.bin')]);
  image = readFileSync(join(dir, 'prog.bin'));

  target = new ThumbTarget({
    continueSteps: Infinity,
    regions: [
      { start: 0, length: 0x1000, name: 'code' },
      { start: RAM, length: 0x1000, name: 'sram' },
      { start: UART0, length: 0x1000, name: 'uart0' },
      { start: SCS, length: 0x1000, name: 'scs' },
    ],
  });
  target.writeMemory(0, image);
  target.writeMemory(SCS + 0x10, Buffer.from([0x04, 0, 0, 0])); // SYST_CSR.CLKSOURCE
  target.writeMemory(UART0 + 0x04, Buffer.from([0x5a, 0, 0, 0]));
  target.pc = 0;
  server = await listenTcp(target, { port: 0 });
  gdb = await GdbMi.start({ elf });
  await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
});

afterAll(async () => {
  await gdb?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const frameAddr = (stopped: MiTuple): number => Number((stopped['frame'] as MiTuple)['addr']);

describe('real gdb-multiarch over TCP', () => {
  it('connects in M-profile mode and shows the registers', async () => {
    const registers = await gdb.console('info registers');
    expect(registers).toMatch(/^r0\s+0x0\s+0/m);
    expect(registers).toMatch(/^sp\s+0x20001000\s/m);
    expect(registers).toMatch(/^pc\s+0x0\s+0x0 <_start>/m);
    expect(registers).toMatch(/^xpsr\s+0x1000000\s/m);
    expect(registers).toMatch(/^msp\s+0x20001000\s/m);
  });

  it('reads memory with x/4xw, including peripherals and the SCS', async () => {
    const words = await gdb.console('x/4xw 0');
    const expected = [0, 4, 8, 12].map((offset) => `0x${image.readUInt32LE(offset).toString(16).padStart(8, '0')}`);
    expect(words.trim().split(/\s+/).filter((word) => /^0x[0-9a-f]{8}$/.test(word))).toEqual(expected);
    expect(await gdb.console(`x/1xw 0x${(SCS + 0x10).toString(16)}`)).toMatch(/:\s+0x00000004/);
    expect(await gdb.console(`x/1xw 0x${(UART0 + 4).toString(16)}`)).toMatch(/:\s+0x0000005a/);
  });

  it('stops at a breakpoint on continue', async () => {
    await gdb.cmd('-break-insert loop');
    const stopped = await gdb.run('-exec-continue');
    expect(stopped['reason']).toBe('breakpoint-hit');
    expect((stopped['frame'] as MiTuple)['func']).toBe('loop');
    expect(target.registers.get(1)).toBe(42);
    expect(target.breakpoints.size).toBe(0); // gdb removes breakpoints while stopped
  });

  it('steps one instruction', async () => {
    const stopped = await gdb.run('-exec-step-instruction');
    expect(stopped['reason']).toBe('end-stepping-range');
    expect(frameAddr(stopped)).toBe(Number((await gdb.cmd('-data-evaluate-expression &store')).results['value']!.toString().split(' ')[0]));
    expect(await gdb.console('print $r1')).toMatch(/= 43/);
  });

  it('relays monitor command output', async () => {
    expect(await gdb.console('monitor info replay')).toBe('echo: info replay\n');
  });

  it('reports a write watchpoint with old and new values', async () => {
    await gdb.cmd('-break-delete');
    await gdb.cmd('-break-watch "*(int *)&counter"');
    const stopped = await gdb.run('-exec-continue');
    expect(stopped['reason']).toBe('watchpoint-trigger');
    expect(stopped['value']).toEqual({ old: '0', new: '43' });
    expect(target.calls).toContain(`addWatchpoint write ${RAM.toString(16)} 4`);
  });

  it('writes memory and registers', async () => {
    await gdb.console('set var *(int *)&counter = 7');
    expect(Buffer.from(target.readMemory(RAM, 4)!).readUInt32LE(0)).toBe(7);
    await gdb.console('set var $r2 = 0x1234');
    expect(target.registers.get(2)).toBe(0x1234);
  });

  it('interrupts a running target with Ctrl-C (-exec-interrupt)', async () => {
    await gdb.cmd('-break-delete');
    const stop = gdb.run('-exec-continue');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await gdb.cmd('-exec-interrupt');
    const stopped = await stop;
    expect(stopped['reason']).toBe('signal-received');
    expect(stopped['signal-name']).toBe('SIGINT');
    expect(target.calls).toContain('interrupt');
  });

  it('serves a second gdb (Live Watch style) while the first one runs', async () => {
    const stop = gdb.run('-exec-continue');
    const watcher = await GdbMi.start({ elf });
    try {
      await watcher.cmd(`-target-select extended-remote 127.0.0.1:${server.port}`);
      expect(await watcher.console('x/1xw 0x20000000')).toMatch(/^0x20000000.*:\s+0x[0-9a-f]{8}\n$/);
      // Run control stays with the first connection: gdb warns with our message and stays stopped.
      expect((await watcher.run('-exec-continue'))['signal-name']).toBe('0');
      expect(watcher.transcript.join('\n')).toContain('E.the target is running under another gdb connection');
      await watcher.cmd('-target-detach');
      expect(target.calls).not.toContain('detach');
    } finally {
      await watcher.close();
    }
    await gdb.cmd('-exec-interrupt');
    expect((await stop)['signal-name']).toBe('SIGINT');
  });

  it('detaches', async () => {
    await gdb.cmd('-target-detach');
    expect(target.calls).toContain('detach');
    expect(target.watchpoints).toEqual([]);
  });
});
