/**
 * The device tree QEMU 7.2 generates for `-M virt,dtb-randomness=off -cpu cortex-a15` (one CPU,
 * GICv2, no Security or Virtualization Extensions): the calls of hw/arm/virt.c (create_fdt, the
 * timer/cpu/flash/GIC/PMU/UART/RTC/PCIe/GPIO/virtio/fw_cfg nodes, the platform bus) in QEMU's
 * order, replayed on an FdtEditor that edits as libfdt does, so the blob is byte-identical to
 * `-dumpdtb` (checked against QEMU by test/integration/virt-dtb-qemu.test.ts).
 *
 * What changes with the command line is added afterwards by `finishLinuxDeviceTree` (QEMU's
 * arm_load_dtb in hw/arm/boot.c): the memory node, /chosen bootargs and initrd range, /psci.
 */
import { FdtEditor, DeviceTreeError } from './fdt-editor.js';
import {
  ARM_PPI_BASE,
  PCIE_MMCFG_SIZE_MIN,
  VIRT_MEMMAP,
  VIRT_TIMER_HYP_PPI,
  VIRT_TIMER_PHYS_PPI,
  VIRT_TIMER_S_EL1_PPI,
  VIRT_TIMER_VIRT_PPI,
  VIRT_VIRTIO_TRANSPORTS,
} from '../machines/virt-memory-map.js';

/** QEMU's FDT_MAX_SIZE: the generated tree lives in (and is loaded as) a 1 MiB buffer. */
export const VIRT_FDT_SIZE = 0x100000;

const PHANDLE_START = 0x8000;
const GIC_FDT_IRQ_TYPE_SPI = 0;
const GIC_FDT_IRQ_TYPE_PPI = 1;
const IRQ_EDGE_LO_HI = 1;
const IRQ_LEVEL_HI = 4;
/** PPI flags carry a CPU mask in bits 15:8: one CPU. */
const PPI_LEVEL_HI_CPU0 = IRQ_LEVEL_HI | (1 << 8);
const KEY_POWER = 116;
const NUM_VIRTIO_TRANSPORTS = VIRT_VIRTIO_TRANSPORTS;

const MAP = VIRT_MEMMAP;

const FDT_PCI_RANGE_IOPORT = 0x01000000;
const FDT_PCI_RANGE_MMIO = 0x02000000;
const FDT_PCI_RANGE_MMIO_64BIT = 0x03000000;

const hex = (n: number): string => n.toString(16);

/** The tree QEMU's machvirt_init + virt_machine_done build, before arm_load_dtb. */
/**
 * `seeds`: QEMU's default dtb-randomness=on adds /chosen kaslr-seed (8 bytes) and rng-seed (32)
 * here; armrr fills them with the given bytes (QEMU: host random, so no program can rely on them).
 */
export function buildVirtDeviceTree(seeds?: { kaslr: Uint8Array; rng: Uint8Array }): FdtEditor {
  const fdt = FdtEditor.empty(VIRT_FDT_SIZE);
  let nextPhandle = PHANDLE_START;
  const allocPhandle = (): number => nextPhandle++;

  // create_fdt
  fdt.setString('/', 'compatible', 'linux,dummy-virt');
  fdt.setCells('/', '#address-cells', 2);
  fdt.setCells('/', '#size-cells', 2);
  fdt.setString('/', 'model', 'linux,dummy-virt');
  fdt.addSubnode('/chosen');
  if (seeds !== undefined) {
    fdt.setProp('/chosen', 'kaslr-seed', seeds.kaslr);
    fdt.setProp('/chosen', 'rng-seed', seeds.rng);
  }
  const clock = allocPhandle();
  fdt.addSubnode('/apb-pclk');
  fdt.setString('/apb-pclk', 'compatible', 'fixed-clock');
  fdt.setCells('/apb-pclk', '#clock-cells', 0);
  fdt.setCells('/apb-pclk', 'clock-frequency', 24000000);
  fdt.setString('/apb-pclk', 'clock-output-names', 'clk24mhz');
  fdt.setCells('/apb-pclk', 'phandle', clock);

  // fdt_add_timer_nodes: secure, non-secure, virtual and hyp PPIs (the FDT numbers PPIs from 0)
  fdt.addSubnode('/timer');
  fdt.setString('/timer', 'compatible', 'arm,armv7-timer');
  fdt.setEmpty('/timer', 'always-on');
  const ppi = (id: number): number[] => [GIC_FDT_IRQ_TYPE_PPI, id - ARM_PPI_BASE, PPI_LEVEL_HI_CPU0];
  fdt.setCells('/timer', 'interrupts', ...ppi(VIRT_TIMER_S_EL1_PPI), ...ppi(VIRT_TIMER_PHYS_PPI), ...ppi(VIRT_TIMER_VIRT_PPI), ...ppi(VIRT_TIMER_HYP_PPI));

  // fdt_add_cpu_nodes (one CPU, MPIDR affinity 0, with the cpu-map topology)
  fdt.addSubnode('/cpus');
  fdt.setCells('/cpus', '#address-cells', 1);
  fdt.setCells('/cpus', '#size-cells', 0);
  fdt.addSubnode('/cpus/cpu@0');
  fdt.setString('/cpus/cpu@0', 'device_type', 'cpu');
  fdt.setString('/cpus/cpu@0', 'compatible', 'arm,cortex-a15');
  fdt.setCells('/cpus/cpu@0', 'reg', 0);
  fdt.setCells('/cpus/cpu@0', 'phandle', allocPhandle());
  fdt.addSubnode('/cpus/cpu-map');
  fdt.addPath('/cpus/cpu-map/socket0/cluster0/core0');
  fdt.setPhandle('/cpus/cpu-map/socket0/cluster0/core0', 'cpu', '/cpus/cpu@0');

  // virt_flash_fdt: both banks in one node
  const flashBank = MAP.flash.size / 2;
  fdt.addSubnode(`/flash@${hex(MAP.flash.base)}`);
  fdt.setString(`/flash@${hex(MAP.flash.base)}`, 'compatible', 'cfi-flash');
  fdt.setSizedCells(`/flash@${hex(MAP.flash.base)}`, 'reg', [2, MAP.flash.base], [2, flashBank], [2, MAP.flash.base + flashBank], [2, flashBank]);
  fdt.setCells(`/flash@${hex(MAP.flash.base)}`, 'bank-width', 4);

  // create_gic -> fdt_add_gic_node, then create_v2m -> fdt_add_v2m_gic_node
  const gic = allocPhandle();
  fdt.setCells('/', 'interrupt-parent', gic);
  const intc = `/intc@${hex(MAP.gicDist.base)}`;
  fdt.addSubnode(intc);
  fdt.setCells(intc, '#interrupt-cells', 3);
  fdt.setEmpty(intc, 'interrupt-controller');
  fdt.setCells(intc, '#address-cells', 2);
  fdt.setCells(intc, '#size-cells', 2);
  fdt.setEmpty(intc, 'ranges');
  fdt.setString(intc, 'compatible', 'arm,cortex-a15-gic');
  fdt.setSizedCells(intc, 'reg', [2, MAP.gicDist.base], [2, MAP.gicDist.size], [2, MAP.gicCpu.base], [2, MAP.gicCpu.size]);
  fdt.setCells(intc, 'phandle', gic);
  const v2m = `/intc/v2m@${hex(MAP.gicV2m.base)}`;
  const msi = allocPhandle();
  fdt.addSubnode(v2m);
  fdt.setString(v2m, 'compatible', 'arm,gic-v2m-frame');
  fdt.setEmpty(v2m, 'msi-controller');
  fdt.setSizedCells(v2m, 'reg', [2, MAP.gicV2m.base], [2, MAP.gicV2m.size]);
  fdt.setCells(v2m, 'phandle', msi);

  // fdt_add_pmu_nodes: the Cortex-A15 has a PMU; an ARMv7 one gets an empty node
  fdt.addSubnode('/pmu');

  // create_uart
  const uart = `/pl011@${hex(MAP.uart.base)}`;
  fdt.addSubnode(uart);
  fdt.setString(uart, 'compatible', 'arm,pl011\0arm,primecell');
  fdt.setSizedCells(uart, 'reg', [2, MAP.uart.base], [2, MAP.uart.size]);
  fdt.setCells(uart, 'interrupts', GIC_FDT_IRQ_TYPE_SPI, MAP.uart.irq, IRQ_LEVEL_HI);
  fdt.setCells(uart, 'clocks', clock, clock);
  fdt.setString(uart, 'clock-names', 'uartclk\0apb_pclk');
  fdt.setString('/chosen', 'stdout-path', uart);

  // create_rtc
  const rtc = `/pl031@${hex(MAP.rtc.base)}`;
  fdt.addSubnode(rtc);
  fdt.setString(rtc, 'compatible', 'arm,pl031\0arm,primecell');
  fdt.setSizedCells(rtc, 'reg', [2, MAP.rtc.base], [2, MAP.rtc.size]);
  fdt.setCells(rtc, 'interrupts', GIC_FDT_IRQ_TYPE_SPI, MAP.rtc.irq, IRQ_LEVEL_HI);
  fdt.setCells(rtc, 'clocks', clock);
  fdt.setString(rtc, 'clock-names', 'apb_pclk');

  // create_pcie (high ECAM and high MMIO window: -kernel boots load no firmware)
  const pcie = `/pcie@${hex(MAP.pcieMmio.base)}`;
  fdt.addSubnode(pcie);
  fdt.setString(pcie, 'compatible', 'pci-host-ecam-generic');
  fdt.setString(pcie, 'device_type', 'pci');
  fdt.setCells(pcie, '#address-cells', 3);
  fdt.setCells(pcie, '#size-cells', 2);
  fdt.setCells(pcie, 'linux,pci-domain', 0);
  fdt.setCells(pcie, 'bus-range', 0, MAP.highPcieEcam.size / PCIE_MMCFG_SIZE_MIN - 1);
  fdt.setEmpty(pcie, 'dma-coherent');
  fdt.setCells(pcie, 'msi-map', 0, msi, 0, 0x10000);
  fdt.setSizedCells(pcie, 'reg', [2, MAP.highPcieEcam.base], [2, MAP.highPcieEcam.size]);
  fdt.setSizedCells(
    pcie,
    'ranges',
    [1, FDT_PCI_RANGE_IOPORT], [2, 0], [2, MAP.pciePio.base], [2, MAP.pciePio.size],
    [1, FDT_PCI_RANGE_MMIO], [2, MAP.pcieMmio.base], [2, MAP.pcieMmio.base], [2, MAP.pcieMmio.size],
    [1, FDT_PCI_RANGE_MMIO_64BIT], [2, MAP.highPcieMmio.base], [2, MAP.highPcieMmio.base], [2, MAP.highPcieMmio.size],
  );
  fdt.setCells(pcie, '#interrupt-cells', 1);
  const irqMap: number[] = [];
  for (let devfn = 0; devfn <= 0x18; devfn += 8) {
    for (let pin = 0; pin < 4; pin++) {
      const irq = MAP.pcieIrq + ((pin + (devfn >> 3)) % 4);
      irqMap.push(devfn << 8, 0, 0, pin + 1, gic, 0, 0, GIC_FDT_IRQ_TYPE_SPI, irq, IRQ_LEVEL_HI);
    }
  }
  fdt.setCells(pcie, 'interrupt-map', ...irqMap);
  // QEMU passes cpu_to_be16(PCI_DEVFN(3, 0)) as a cell: 0x18 byte-swapped on a little-endian host.
  fdt.setCells(pcie, 'interrupt-map-mask', 0x1800, 0, 0, 7);

  // create_gpio_devices + create_gpio_keys
  const gpioPhandle = allocPhandle();
  const gpio = `/pl061@${hex(MAP.gpio.base)}`;
  fdt.addSubnode(gpio);
  fdt.setSizedCells(gpio, 'reg', [2, MAP.gpio.base], [2, MAP.gpio.size]);
  fdt.setString(gpio, 'compatible', 'arm,pl061\0arm,primecell');
  fdt.setCells(gpio, '#gpio-cells', 2);
  fdt.setEmpty(gpio, 'gpio-controller');
  fdt.setCells(gpio, 'interrupts', GIC_FDT_IRQ_TYPE_SPI, MAP.gpio.irq, IRQ_LEVEL_HI);
  fdt.setCells(gpio, 'clocks', clock);
  fdt.setString(gpio, 'clock-names', 'apb_pclk');
  fdt.setCells(gpio, 'phandle', gpioPhandle);
  fdt.addSubnode('/gpio-keys');
  fdt.setString('/gpio-keys', 'compatible', 'gpio-keys');
  fdt.addSubnode('/gpio-keys/poweroff');
  fdt.setString('/gpio-keys/poweroff', 'label', 'GPIO Key Poweroff');
  fdt.setCells('/gpio-keys/poweroff', 'linux,code', KEY_POWER);
  fdt.setCells('/gpio-keys/poweroff', 'gpios', gpioPhandle, 3, 0);

  // create_virtio_devices: nodes added from the highest address down
  for (let i = NUM_VIRTIO_TRANSPORTS - 1; i >= 0; i--) {
    const base = MAP.mmio.base + i * MAP.mmio.size;
    const node = `/virtio_mmio@${hex(base)}`;
    fdt.addSubnode(node);
    fdt.setString(node, 'compatible', 'virtio,mmio');
    fdt.setSizedCells(node, 'reg', [2, base], [2, MAP.mmio.size]);
    fdt.setCells(node, 'interrupts', GIC_FDT_IRQ_TYPE_SPI, MAP.mmio.irq + i, IRQ_EDGE_LO_HI);
    fdt.setEmpty(node, 'dma-coherent');
  }

  // create_fw_cfg
  const fwCfg = `/fw-cfg@${hex(MAP.fwCfg.base)}`;
  fdt.addSubnode(fwCfg);
  fdt.setString(fwCfg, 'compatible', 'qemu,fw-cfg-mmio');
  fdt.setSizedCells(fwCfg, 'reg', [2, MAP.fwCfg.base], [2, MAP.fwCfg.size]);
  fdt.setEmpty(fwCfg, 'dma-coherent');

  // virt_machine_done -> platform_bus_add_all_fdt_nodes (no dynamic sysbus devices)
  const pbus = `/platform-bus@${hex(MAP.platformBus.base)}`;
  fdt.addSubnode(pbus);
  fdt.setString(pbus, 'compatible', 'qemu,platform\0simple-bus');
  fdt.setCells(pbus, '#size-cells', 1);
  fdt.setCells(pbus, '#address-cells', 1);
  fdt.setCells(pbus, 'ranges', 0, 0, MAP.platformBus.base, MAP.platformBus.size);
  fdt.setPhandle(pbus, 'interrupt-parent', '/intc');
  return fdt;
}

export interface LinuxDeviceTreeParams {
  ramBase: number;
  ramSize: number;
  /** Kernel command line; empty or undefined: no bootargs. */
  cmdline?: string;
  /** Where the initrd was loaded and its size (no /chosen initrd range when undefined or 0 bytes). */
  initrd?: { start: number; size: number };
  /** Add QEMU's /psci node (virt's HVC conduit; default true). Boards without PSCI (vexpress-a9) get none. */
  psci?: boolean;
}

/** PSCI 0.2 function IDs QEMU puts in /psci for a 32-bit CPU. */
const PSCI_FN_CPU_SUSPEND = 0x84000001;
const PSCI_FN_CPU_OFF = 0x84000002;
const PSCI_FN_CPU_ON = 0x84000003;
const PSCI_FN_MIGRATE = 0x84000005;

/**
 * QEMU's arm_load_dtb edits, in its order: drop root /memory nodes, add /memory@BASE, make sure
 * /chosen exists, bootargs, linux,initrd-start/end, and a fresh /psci (conduit HVC, PSCI 1.1).
 * Applies to the generated tree and to a `--dtb` file alike (as QEMU does with -dtb).
 */
export function finishLinuxDeviceTree(fdt: FdtEditor, p: LinuxDeviceTreeParams): void {
  const acells = fdt.getCell('/', '#address-cells');
  const scells = fdt.getCell('/', '#size-cells');
  if (acells === undefined || scells === undefined || acells === 0 || scells === 0) {
    throw new DeviceTreeError('the device tree has no usable #address-cells/#size-cells in its root node (QEMU refuses it too)');
  }
  if (scells < 2 && p.ramSize >= 2 ** 32) {
    throw new DeviceTreeError('the device tree has #size-cells = 1, which cannot describe 4 GiB or more of RAM: use less --memory or a DTB with #size-cells = 2');
  }
  for (const path of fdt.rootNodesNamed('memory')) fdt.nopNode(path);
  const memory = `/memory@${hex(p.ramBase)}`;
  fdt.addSubnode(memory);
  fdt.setString(memory, 'device_type', 'memory');
  fdt.setSizedCells(memory, 'reg', [acells, p.ramBase], [scells, p.ramSize]);
  if (fdt.find('/chosen') === undefined) fdt.addSubnode('/chosen');
  if (p.cmdline) fdt.setString('/chosen', 'bootargs', p.cmdline);
  if (p.initrd && p.initrd.size > 0) {
    fdt.setCells('/chosen', 'linux,initrd-start', p.initrd.start);
    fdt.setCells('/chosen', 'linux,initrd-end', p.initrd.start + p.initrd.size);
  }
  if (p.psci === false) return;
  if (fdt.find('/psci') !== undefined) fdt.nopNode('/psci');
  fdt.addSubnode('/psci');
  fdt.setString('/psci', 'compatible', 'arm,psci-1.0\0arm,psci-0.2\0arm,psci');
  fdt.setString('/psci', 'method', 'hvc');
  fdt.setCells('/psci', 'cpu_suspend', PSCI_FN_CPU_SUSPEND);
  fdt.setCells('/psci', 'cpu_off', PSCI_FN_CPU_OFF);
  fdt.setCells('/psci', 'cpu_on', PSCI_FN_CPU_ON);
  fdt.setCells('/psci', 'migrate', PSCI_FN_MIGRATE);
}
