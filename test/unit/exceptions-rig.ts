/**
 * A minimal Cortex-M3 (or, given CORTEX_M4, Cortex-M4F) system for exception-model tests: RAM at
 * 0 (code + vectors) and 0x20000000 (stacks), the real Cpu, Nvic, SysTick, PPB and semihosting,
 * wired like the mps2 board.
 */
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { CpuState } from '../../src/emulator/cpu/state.js';
import { Cpu } from '../../src/emulator/cpu/cpu.js';
import { ArmV7mSystem } from '../../src/emulator/cpu/exceptions.js';
import { Nvic } from '../../src/emulator/devices/nvic.js';
import { Systick } from '../../src/emulator/devices/systick.js';
import { PrivatePeripheralBus, PPB_BASE, PPB_SIZE } from '../../src/emulator/devices/system-control-space.js';
import { Semihosting } from '../../src/emulator/semihosting.js';
import { Machine } from '../../src/emulator/machines/machine.js';
import type { HostPort, OutputSink } from '../../src/emulator/io/input-port.js';
import { CORTEX_M3, type CoreProfile } from '../../src/emulator/cpu/profile.js';

export const T = {
  NOP: 0xbf00,
  B_SELF: 0xe7fe,
  BX_LR: 0x4770,
  SVC0: 0xdf00,
  BKPT0: 0xbe00,
  BKPT_AB: 0xbeab,
  CPSID_I: 0xb672,
  CPSIE_I: 0xb662,
  WFI: 0xbf30,
  UDF: 0xde00,
  ADDS_R0_1: 0x3001,
  ADDS_R1_1: 0x3101,
  ADDS_R2_1: 0x3201,
  movsR0: (imm: number) => 0x2000 | imm,
  movsR1: (imm: number) => 0x2100 | imm,
};

export const STACK_TOP = 0x20001000;
export const RESET_PC = 0x100;
/** Handler for exception n lives at 0x400 + 0x20 * n. */
export const handlerAddr = (n: number) => 0x400 + 0x20 * n;

export class Rig {
  readonly bus = new Bus([
    { name: 'code', base: 0, size: 0x10000 },
    { name: 'sram', base: 0x20000000, size: 0x10000 },
  ]);
  readonly clock = new VirtualClock(0);
  readonly state = new CpuState();
  readonly cpu: Cpu;
  readonly nvic: Nvic;
  readonly systick: Systick;
  readonly output: number[] = [];
  readonly consoleInput: number[] = [];
  hostNs = 1_700_000_000_000_000_000;
  readonly host: HostPort = {
    hostClockNs: () => this.hostNs,
    consoleRead: (max) => {
      if (this.consoleInput.length === 0) return null;
      return Uint8Array.from(this.consoleInput.splice(0, max));
    },
    fileRead: () => null,
  };
  readonly sink: OutputSink = {
    uartWrite: () => {},
    consoleWrite: (data) => {
      for (const b of data) this.output.push(b);
    },
  };
  exitCode: number | null = null;
  readonly semihosting: Semihosting;
  readonly sys: ArmV7mSystem;
  readonly machine: Machine;

  constructor(profile: CoreProfile = CORTEX_M3) {
    this.cpu = new Cpu(this.state, this.bus, this.clock, profile);
    this.nvic = new Nvic(this.state, this.cpu);
    this.systick = new Systick(this.clock, this.state, () => this.nvic.pendSysTick());
    this.semihosting = new Semihosting(this.state, this.bus, this.host, this.sink, (c) => {
      this.exitCode = c;
      this.machine.exitCode = c;
      this.cpu.exitRequest = true;
    });
    this.sys = new ArmV7mSystem(this.state, this.bus, this.clock, this.cpu, this.nvic, this.semihosting);
    this.cpu.sys = this.sys;
    this.bus.mapMmio(PPB_BASE, PPB_SIZE, new PrivatePeripheralBus(this.state, this.nvic, this.systick));
    this.machine = new Machine(
      'rig',
      { icountShift: 0 },
      this.bus,
      this.clock,
      this.cpu,
      this.sys,
      [this.nvic, this.systick],
      () => {},
      () => Infinity,
      () => true,
    );
    // Vector table: SP, reset, then every handler at handlerAddr(n) (Thumb).
    this.w32(0, STACK_TOP);
    this.w32(4, RESET_PC | 1);
    for (let n = 2; n < 48; n++) {
      this.w32(n * 4, handlerAddr(n) | 1);
      this.code(handlerAddr(n), [T.B_SELF]);
    }
  }

  w32(addr: number, v: number): void {
    this.bus.write32(addr, v);
  }
  r32(addr: number): number {
    return this.bus.read32(addr) >>> 0;
  }
  code(addr: number, halfwords: number[]): void {
    halfwords.forEach((h, i) => this.bus.write16(addr + 2 * i, h));
  }
  /** Privileged MMIO write/read through the bus (as firmware would). */
  mmioW(addr: number, v: number): void {
    this.bus.write32(addr, v);
  }
  mmioR(addr: number): number {
    return this.bus.read32(addr) >>> 0;
  }

  boot(program: number[]): void {
    this.code(RESET_PC, program);
    this.machine.reset();
  }

  /** Run until icount reaches `n` more instructions (or something stops the machine). */
  run(n: number) {
    return this.machine.run(this.clock.icount + n);
  }

  get pc(): number {
    return this.state.r[15]! >>> 0;
  }
  get sp(): number {
    return this.state.r[13]! >>> 0;
  }
}
