/**
 * QEMU's `virt` board for 32-bit ARM (hw/arm/virt.c) with a Cortex-A15 as QEMU 7.2 builds it by
 * default (secure=off, virtualization=off: no Security or Virtualization Extensions, PSCI over HVC
 * answered by the emulator). RAM starts at 0x40000000 (`--memory`, QEMU's -m); every address no
 * device claims gives an external abort (DFSR 0x008 / 0x808, IFSR 0x008), as on QEMU's virt.
 *
 * Devices (GIC, generic timer, PL011, PL031, PL061, fw_cfg, flash, virtio-mmio, GICv2m, PCIe
 * windows) come from `createVirtPeripherals` (virt-peripherals.ts).
 */
import { Bus } from '../memory/bus.js';
import { VirtualClock } from '../clock.js';
import { Semihosting } from '../semihosting.js';
import type { Machine } from './machine.js';
import { V7aBoardControl, assembleV7aMachine } from './v7a-machine-assembly.js';
import type { StatefulComponent } from '../devices/device.js';
import type { BoardOptions } from './mps2.js';
import { CORTEX_A15, CORE_PROFILES, type CoreProfile } from '../cpu/profile.js';
import { ArmV7aState } from '../cpu/v7a/state.js';
import { ArmV7aCpu } from '../cpu/v7a/cpu.js';
import { Psci } from '../cpu/v7a/psci.js';
import { Mmu } from '../memory/mmu.js';
import { defineMmuRegisters } from '../memory/mmu-registers.js';
import { createVirtPeripherals, VIRT_PMU_PPI } from './virt-peripherals.js';

export const VIRT_NAME = 'virt';
export const VIRT_RAM_BASE = 0x40000000;
const MiB = 1024 * 1024;
export const VIRT_DEFAULT_MEMORY = 128 * MiB;
/** QEMU's virt accepts up to 255 GiB (highmem); a 32-bit core without LPAE reaches the first 3 GiB. */
export const VIRT_MAX_MEMORY = 255 * 1024 * MiB;
/** RAM the 32-bit physical address space holds from 0x40000000 (the rest is above 4 GiB). */
export const VIRT_MAX_BACKED = 0x100000000 - VIRT_RAM_BASE;
/** CPUs QEMU's virt takes for 32-bit guests that armrr models. */
export const VIRT_CPUS: readonly string[] = ['cortex-a15'];

export class BoardOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardOptionError';
  }
}

/** The core a `--cpu` name selects on virt (a usage error lists what fits). */
export function virtProfile(cpu: string | undefined): CoreProfile {
  if (cpu === undefined) return CORTEX_A15;
  const p = CORE_PROFILES[cpu];
  if (p === undefined || !VIRT_CPUS.includes(cpu)) {
    throw new BoardOptionError(`--cpu ${cpu} does not fit machine 'virt'; CPUs for virt: ${VIRT_CPUS.join(', ')}`);
  }
  return p;
}

/** RAM size from `--memory`, checked against what QEMU's virt accepts. */
export function virtMemory(bytes: number | undefined): number {
  const size = bytes ?? VIRT_DEFAULT_MEMORY;
  if (size < MiB || size > VIRT_MAX_MEMORY || size % (4096) !== 0) {
    throw new BoardOptionError(`--memory for virt must be 1M..255G in whole pages (as QEMU's -m), got ${size} bytes`);
  }
  return size;
}

export function createVirt(opts: BoardOptions): Machine {
  const profile = virtProfile(opts.cpu);
  const ramSize = virtMemory(opts.memoryBytes);
  const clock = new VirtualClock(opts.icountShift);
  const bus = new Bus([{ name: 'ram', base: VIRT_RAM_BASE, size: Math.min(ramSize, VIRT_MAX_BACKED) }]);
  const state = new ArmV7aState();
  const cpu = new ArmV7aCpu(state, bus, clock, profile);
  // The VMSAv7 MMU between the core and the bus; its CP15 registers join the core's file.
  const mmu = new Mmu(bus);
  defineMmuRegisters(cpu.sysregs, mmu);
  cpu.attachMmu(mmu);
  cpu.mmuFsrIsLpae = () => mmu.longDescriptors;
  if (opts.jit !== false) cpu.enableJit();

  const control = new V7aBoardControl(cpu);
  const exit = control.exit;
  const semihosting = new Semihosting(state, cpu.guestMemory, opts.host, opts.output, exit, {
    heapBase: VIRT_RAM_BASE,
    heapLimit: (VIRT_RAM_BASE + Math.min(ramSize, VIRT_MAX_BACKED)) >>> 0,
  });
  cpu.exceptions.semihosting = semihosting;
  cpu.psci = new Psci(state, {
    systemOff: () => exit(0),
    systemReset: control.reset,
  });

  const peripherals = createVirtPeripherals({
    bus,
    clock,
    core: cpu,
    sysregs: cpu.sysregs,
    serial: opts.serial,
    host: opts.host,
    output: opts.output,
    rtc: opts.rtcBase === undefined ? { kind: 'host' } : { kind: 'virtual', baseSeconds: opts.rtcBase },
    endBlock: () => {
      cpu.exitRequest = true;
    },
    ramBytes: ramSize,
  });

  cpu.pmu.irq = peripherals.gic.ppi(VIRT_PMU_PPI);

  // Fixed order: snapshots and state hashes depend on it.
  // The MMU after the core's registers: it keeps its own copy of SCTLR and of the privilege.
  const devices: StatefulComponent[] = [
    cpu.coreRegs,
    mmu,
    cpu.exceptions,
    cpu.pmu,
    cpu.debugRegs,
    ...peripherals.devices,
    semihosting,
  ] as StatefulComponent[];

  return assembleV7aMachine(VIRT_NAME, opts.icountShift, { bus, clock, cpu, control, devices, inputs: peripherals });
}
