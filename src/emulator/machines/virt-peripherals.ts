/**
 * The peripherals of QEMU 7.2's `virt` board (hw/arm/virt.c, base_memmap and a15irqmap) for one
 * Cortex-A15 without Security or Virtualization Extensions, wired to a core's interrupt inputs and
 * system-register file. The board file (virt.ts) creates the core, RAM and loader and calls this.
 *
 * Address map (everything else below RAM is an external abort, as measured on QEMU):
 *   0x00000000 flash bank 0, 0x04000000 flash bank 1 (64 MiB each)
 *   0x08000000 GIC distributor (0x1000), 0x08010000 GIC CPU interface (0x2000), 0x08020000 GICv2m
 *   0x09000000 PL011 (SPI 1), 0x09010000 PL031 (SPI 2), 0x09020000 fw_cfg, 0x09030000 PL061 (SPI 7)
 *   0x0a000000 32 virtio-mmio transports (SPI 16..47), 0x10000000 PCIe MMIO, 0x3eff0000 PCIe PIO
 * Generic timer PPIs: physical (non-secure EL1) ID 30, virtual ID 27; the hypervisor (26) and
 * secure physical (29) timers do not exist without EL2/EL3.
 */
import type { Bus } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { StatefulComponent } from '../devices/device.js';
import type { CoreInterruptInputs, SysRegFile } from '../cpu/v7a/sysreg-registry.js';
import type { HostPort, OutputSink, SerialInput } from '../io/input-port.js';
import { GicV2, GIC_CPU_SIZE, GIC_DIST_SIZE } from '../devices/gicv2.js';
import { GicV2m, GICV2M_BASE_SPI, GICV2M_NUM_SPIS, GICV2M_SIZE } from '../devices/gicv2m.js';
import { GenericTimer, defineGenericTimerRegisters } from '../devices/generic-timer.js';
import { Pl011 } from '../devices/pl011.js';
import { Pl031, type RtcClockSource } from '../devices/pl031.js';
import { Pl061 } from '../devices/pl061.js';
import { FwCfg, FW_CFG_SIZE } from '../devices/fw-cfg.js';
import { virtFwCfgFiles } from './virt-fw-cfg-files.js';
import { VirtioMmioTransports, VIRTIO_MMIO_COUNT, VIRTIO_MMIO_STRIDE } from '../devices/virtio-mmio.js';
import { CfiFlash, FLASH_BANK_SIZE } from '../devices/cfi-flash.js';
import { VIRT_TIMER_PHYS_PPI, VIRT_TIMER_VIRT_PPI } from './virt-memory-map.js';
import {
  PcieHostWindow,
  VIRT_PCIE_MMIO_BASE,
  VIRT_PCIE_MMIO_SIZE,
  VIRT_PCIE_PIO_BASE,
  VIRT_PCIE_PIO_SIZE,
} from '../devices/pcie-host-window.js';

export const VIRT_GIC_DIST = 0x08000000;
export const VIRT_GIC_CPU = 0x08010000;
export const VIRT_GIC_V2M = 0x08020000;
export const VIRT_UART = 0x09000000;
export const VIRT_RTC = 0x09010000;
export const VIRT_FW_CFG = 0x09020000;
export const VIRT_GPIO = 0x09030000;
export const VIRT_MMIO = 0x0a000000;

/** SPI numbers (interrupt ID - 32) as virt's a15irqmap. */
export const VIRT_UART_SPI = 1;
export const VIRT_RTC_SPI = 2;
export const VIRT_GPIO_SPI = 7;
export const VIRT_MMIO_SPI = 16;
/** Generic timer and PMU PPIs (interrupt IDs; defined with virt's memory map). */
export { VIRT_PMU_PPI, VIRT_TIMER_PHYS_PPI, VIRT_TIMER_VIRT_PPI } from './virt-memory-map.js';

/** The UART index of the console PL011 for SerialInput/OutputSink (QEMU's serial0). */
export const VIRT_CONSOLE_UART = 0;

export interface VirtPeripheralOptions {
  bus: Bus;
  clock: VirtualClock;
  /** The core's IRQ/FIQ inputs, driven by the GIC CPU interface. */
  core: CoreInterruptInputs;
  /** The core's CP15 file: the generic timer defines its registers there. */
  sysregs: SysRegFile;
  serial: SerialInput;
  host: HostPort;
  output: OutputSink;
  /** PL031 clock: host wall clock (default) or `--rtc-base` on virtual time. */
  rtc: RtcClockSource;
  /** Ends the current execution budget (an input may be deliverable at the next boundary). */
  endBlock: () => void;
  /** RAM size (`--memory`): fw_cfg's SMBIOS tables describe it. */
  ramBytes: number;
}

export interface VirtPeripherals {
  gic: GicV2;
  timer: GenericTimer;
  uart: Pl011;
  rtc: Pl031;
  gpio: Pl061;
  /** Every stateful peripheral in a fixed order (snapshots and state hashes walk it). */
  devices: StatefulComponent[];
  /** Delivers a due UART RX byte at an instruction boundary (`idle`: see SerialInput.poll); true if it did. */
  pollInputs(idle?: boolean): boolean;
  /** Icount at which the next UART input is due, or Infinity. */
  nextInputIcount(): number;
  inputsExhausted(): boolean;
}

export function createVirtPeripherals(o: VirtPeripheralOptions): VirtPeripherals {
  const { bus, clock } = o;
  const gic = new GicV2(o.core);
  bus.mapMmio(VIRT_GIC_DIST, GIC_DIST_SIZE, gic);
  bus.mapMmio(VIRT_GIC_CPU, GIC_CPU_SIZE, gic.cpuInterface);
  const v2mLines = Array.from({ length: GICV2M_NUM_SPIS }, (_, i) => gic.spi(GICV2M_BASE_SPI + i));
  const gicv2m = new GicV2m(v2mLines);
  bus.mapMmio(VIRT_GIC_V2M, GICV2M_SIZE, gicv2m);

  const timer = new GenericTimer(clock, [gic.ppi(VIRT_TIMER_PHYS_PPI), gic.ppi(VIRT_TIMER_VIRT_PPI)]);
  defineGenericTimerRegisters(o.sysregs, timer);

  const uart = new Pl011(VIRT_CONSOLE_UART, o.output, gic.spi(VIRT_UART_SPI), o.endBlock);
  bus.mapMmio(VIRT_UART, 0x1000, uart);
  const rtc = new Pl031(clock, o.host, o.rtc, gic.spi(VIRT_RTC_SPI), () => bus.debugMmioRead);
  bus.mapMmio(VIRT_RTC, 0x1000, rtc);
  const fwCfg = new FwCfg(VIRT_FW_CFG, bus, virtFwCfgFiles(o.ramBytes));
  bus.mapMmio(VIRT_FW_CFG, FW_CFG_SIZE, fwCfg);
  const gpio = new Pl061(gic.spi(VIRT_GPIO_SPI));
  bus.mapMmio(VIRT_GPIO, 0x1000, gpio);
  // Transports have no backend, so their interrupt lines (SPI 16..47) never rise.
  const virtio = new VirtioMmioTransports();
  bus.mapMmio(VIRT_MMIO, VIRTIO_MMIO_COUNT * VIRTIO_MMIO_STRIDE, virtio);

  const flash = [new CfiFlash('flash0'), new CfiFlash('flash1')];
  flash.forEach((f, i) => bus.mapMmio(i * FLASH_BANK_SIZE, FLASH_BANK_SIZE, f));
  bus.mapMmio(VIRT_PCIE_MMIO_BASE, VIRT_PCIE_MMIO_SIZE, new PcieHostWindow('pcie-mmio'));
  bus.mapMmio(VIRT_PCIE_PIO_BASE, VIRT_PCIE_PIO_SIZE, new PcieHostWindow('pcie-pio'));

  const devices: StatefulComponent[] = [gic, timer, uart, rtc, gpio, fwCfg, ...flash];

  return {
    gic,
    timer,
    uart,
    rtc,
    gpio,
    devices,
    pollInputs(idle = false) {
      if (!uart.canReceive()) return false;
      const byte = o.serial.poll(VIRT_CONSOLE_UART, clock.icount, idle);
      if (byte < 0) return false;
      uart.receive(byte);
      return true;
    },
    nextInputIcount() {
      // A full FIFO ends the block when it drains (onReceiveReady).
      return uart.canReceive() ? o.serial.nextDueIcount(VIRT_CONSOLE_UART, clock.icount) : Infinity;
    },
    inputsExhausted() {
      return o.serial.exhausted(VIRT_CONSOLE_UART);
    },
  };
}
