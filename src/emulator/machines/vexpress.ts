/**
 * QEMU 7.2's `vexpress-a9` board (hw/arm/vexpress.c) with its Cortex-A9 (target/arm/cpu_tcg.c
 * cortex_a9_initfn): Security Extensions present, so a bare-metal ELF starts in Secure SVC (SCR = 0,
 * MMU off, A/I/F masked) at its entry, as QEMU's boot.c does for a non-Linux -kernel image. RAM at
 * 0x60000000 (`--memory`, at most 1 GiB, default 128M as QEMU's -m), plus the board's SRAM and video
 * RAM; data accesses to unassigned addresses read 0 and drop writes (no external abort on this board,
 * as measured on QEMU). Linux (zImage, uImage, raw Image) boots as QEMU's boot.c starts it
 * (src/emulator/boot/arm-linux-boot.ts, vexpress-device-tree.ts).
 *
 * Devices come from `createVexpressPeripherals` (vexpress-peripherals.ts).
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
import { Mmu } from '../memory/mmu.js';
import { defineMmuRegisters } from '../memory/mmu-registers.js';
import { VEXPRESS_A9_NAME, VEXPRESS_RAM_BASE, vexpressMemory, vexpressProfile } from './vexpress-limits.js';
import { createVexpressPeripherals, VEXPRESS_SRAM, VEXPRESS_SRAM_SIZE, VEXPRESS_VRAM, VEXPRESS_VRAM_SIZE } from './vexpress-peripherals.js';

export {
  VEXPRESS_A9_NAME,
  VEXPRESS_RAM_BASE,
  VEXPRESS_BOARD_ID,
  VEXPRESS_DEFAULT_MEMORY,
  VEXPRESS_MAX_MEMORY,
  VEXPRESS_CPUS,
  vexpressProfile,
  vexpressMemory,
} from './vexpress-limits.js';

export function createVexpressA9(opts: BoardOptions): Machine {
  const profile = vexpressProfile(opts.cpu);
  const ramSize = vexpressMemory(opts.memoryBytes);
  const clock = new VirtualClock(opts.icountShift);
  const bus = new Bus([
    { name: 'ram', base: VEXPRESS_RAM_BASE, size: ramSize },
    { name: 'sram', base: VEXPRESS_SRAM, size: VEXPRESS_SRAM_SIZE },
    { name: 'vram', base: VEXPRESS_VRAM, size: VEXPRESS_VRAM_SIZE },
  ], { wasm: true });
  bus.ignoreUnassigned = true;
  const state = new ArmV7aState({ securityExtensions: true, registers: wasmRegisters(bus) });
  const cpu = new ArmV7aCpu(state, bus, clock, profile);
  const mmu = new Mmu(bus, { securityExtensions: true, lpae: false, pxn: false });
  defineMmuRegisters(cpu.sysregs, mmu);
  cpu.attachMmu(mmu);
  cpu.mmuFsrIsLpae = () => mmu.longDescriptors;
  // The A32 block JIT holds with the Security Extensions: SMC, CPS/MSR and exception entries end a
  // block (banked registers switch at the boundary), and every MCR (SCR.NS, SCTLR, TTBRs) does too.
  if (opts.jit !== false) cpu.enableJit(boardA32Jit(opts.wasm));

  const control = new V7aBoardControl(cpu);
  const exit = control.exit;
  // SYS_HEAPINFO searches QEMU's largest RAM region, the first of equal ones by address: the 32 MiB
  // SRAM (below the RAM) unless --memory is larger than that.
  const heapRegion = ramSize > VEXPRESS_SRAM_SIZE ? { base: VEXPRESS_RAM_BASE, size: ramSize } : { base: VEXPRESS_SRAM, size: VEXPRESS_SRAM_SIZE };
  const semihosting = new Semihosting(state, cpu.guestMemory, opts.host, opts.output, exit, {
    heapBase: heapRegion.base,
    heapLimit: (heapRegion.base + heapRegion.size) >>> 0,
  });
  cpu.exceptions.semihosting = semihosting;

  const peripherals = createVexpressPeripherals({
    bus,
    clock,
    core: cpu,
    serial: opts.serial,
    host: opts.host,
    output: opts.output,
    rtc: opts.rtcBase === undefined ? { kind: 'host' } : { kind: 'virtual', baseSeconds: opts.rtcBase },
    // SYS_CFG shutdown: QEMU exits with status 0; reboot: a system reset at the next boundary.
    power: {
      powerOff: () => exit(0),
      reboot: control.reset,
    },
    endBlock: () => {
      cpu.exitRequest = true;
    },
  });

  // Fixed order: snapshots and state hashes depend on it.
  const devices: StatefulComponent[] = [
    cpu.coreRegs,
    cpu.security!,
    mmu,
    cpu.exceptions,
    cpu.pmu,
    cpu.debugRegs,
    ...peripherals.devices,
    semihosting,
  ] as StatefulComponent[];

  return assembleV7aMachine(VEXPRESS_A9_NAME, opts.icountShift, { bus, clock, cpu, control, devices, inputs: peripherals });
}
