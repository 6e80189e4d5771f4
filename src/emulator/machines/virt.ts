/**
 * QEMU's `virt` board for 32-bit ARM (hw/arm/virt.c) with a Cortex-A15 as QEMU 7.2 builds it by
 * default (secure=off, virtualization=off: no Security or Virtualization Extensions, PSCI over HVC
 * answered by the emulator). RAM starts at 0x40000000 (`--memory`, QEMU's -m); every address no
 * device claims gives an external abort (DFSR 0x008 / 0x808, IFSR 0x008), as on QEMU's virt.
 *
 * Devices (GIC, generic timer, PL011, PL031, PL061, fw_cfg, flash, virtio-mmio, GICv2m, PCIe
 * windows) come from `createVirtPeripherals` (virt-peripherals.ts).
 */
import { boardA32Jit } from '../cpu/wasm/a32-wasm-tier.js';
import { wasmRegisters } from '../cpu/wasm/wasm-state-layout.js';
import { Bus } from '../memory/bus.js';
import { VirtualClock } from '../clock.js';
import { Semihosting } from '../semihosting.js';
import type { Machine } from './machine.js';
import { V7aBoardControl, assembleV7aMachine } from './v7a-machine-assembly.js';
import type { StatefulComponent } from '../devices/device.js';
import type { BoardOptions } from './mps2.js';
import { ArmV7aState } from '../cpu/v7a/state.js';
import { ArmV7aCpu } from '../cpu/v7a/cpu.js';
import { Psci } from '../cpu/v7a/psci.js';
import { Mmu } from '../memory/mmu.js';
import { defineMmuRegisters } from '../memory/mmu-registers.js';
import { createVirtPeripherals, VIRT_PMU_PPI } from './virt-peripherals.js';
import { VIRT_MAX_BACKED, VIRT_NAME, VIRT_RAM_BASE, virtMemory, virtProfile } from './virt-limits.js';

export { BoardOptionError } from './board-option-error.js';
export {
  VIRT_NAME,
  VIRT_RAM_BASE,
  VIRT_DEFAULT_MEMORY,
  VIRT_MAX_MEMORY,
  VIRT_MAX_BACKED,
  VIRT_CPUS,
  virtProfile,
  virtMemory,
} from './virt-limits.js';

export function createVirt(opts: BoardOptions): Machine {
  const profile = virtProfile(opts.cpu);
  const ramSize = virtMemory(opts.memoryBytes);
  const clock = new VirtualClock(opts.icountShift);
  const bus = new Bus([{ name: 'ram', base: VIRT_RAM_BASE, size: Math.min(ramSize, VIRT_MAX_BACKED) }], { wasm: true });
  const state = new ArmV7aState({ registers: wasmRegisters(bus) });
  const cpu = new ArmV7aCpu(state, bus, clock, profile);
  // The VMSAv7 MMU between the core and the bus; its CP15 registers join the core's file.
  const mmu = new Mmu(bus);
  defineMmuRegisters(cpu.sysregs, mmu);
  cpu.attachMmu(mmu);
  cpu.mmuFsrIsLpae = () => mmu.longDescriptors;
  if (opts.jit !== false) cpu.enableJit(boardA32Jit(opts.wasm));

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
