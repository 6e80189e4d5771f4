/**
 * virt's Differentiated System Description Table as QEMU 7.2 builds it (hw/arm/virt-acpi-build.c
 * build_dsdt, hw/pci-host/gpex-acpi.c acpi_dsdt_add_gpex): one \_SB scope with the CPU, the PL011
 * (COM0), fw_cfg, the 32 virtio-mmio transports, the PCIe host (routing table, _CBA, _CRS, _OSC,
 * _DSM, the ECAM reservation), the PL061 with its power-button event and the power button. No
 * flash devices (virt-7.2 does not expose them) and no GED (none without -device acpi-ged...).
 */
import * as aml from './aml.js';
import type { Aml } from './aml.js';
import { ARM_SPI_BASE, PCIE_MMCFG_SIZE_MIN, VIRT_MEMMAP as MAP, VIRT_VIRTIO_TRANSPORTS } from '../../machines/virt-memory-map.js';


function cpus(count: number): Aml[] {
  return Array.from({ length: count }, (_, i) =>
    aml.device(`C${i.toString(16).toUpperCase().padStart(3, '0')}`, [
      aml.nameDecl('_HID', aml.string('ACPI0007')),
      aml.nameDecl('_UID', aml.int(i)),
    ]),
  );
}

/** A memory-mapped device with one SPI: _HID, _UID 0, _CRS, then `more`. */
function mmioDevice(n: string, hid: string, region: { base: number; size: number; irq: number }, more: readonly Aml[] = []): Aml {
  return aml.device(n, [
    aml.nameDecl('_HID', aml.string(hid)),
    aml.nameDecl('_UID', aml.int(0)),
    aml.nameDecl('_CRS', aml.resourceTemplate([
      aml.memory32Fixed(region.base, region.size),
      aml.interrupt([region.irq + ARM_SPI_BASE]),
    ])),
    ...more,
  ]);
}

const uart = (): Aml => mmioDevice('COM0', 'ARMH0011', MAP.uart);

function fwCfg(): Aml {
  return aml.device('FWCF', [
    aml.nameDecl('_HID', aml.string('QEMU0002')),
    aml.nameDecl('_STA', aml.int(0xb)), // present, enabled, functioning, not shown in UI
    aml.nameDecl('_CCA', aml.int(1)),
    aml.nameDecl('_CRS', aml.resourceTemplate([aml.memory32Fixed(MAP.fwCfg.base, MAP.fwCfg.size)])),
  ]);
}

function virtioTransports(): Aml[] {
  return Array.from({ length: VIRT_VIRTIO_TRANSPORTS }, (_, i) =>
    aml.device(`VR${String(i).padStart(2, '0')}`, [
      aml.nameDecl('_HID', aml.string('LNRO0005')),
      aml.nameDecl('_UID', aml.int(i)),
      aml.nameDecl('_CCA', aml.int(1)),
      aml.nameDecl('_CRS', aml.resourceTemplate([
        aml.memory32Fixed(MAP.mmio.base + i * MAP.mmio.size, MAP.mmio.size),
        aml.interrupt([MAP.mmio.irq + ARM_SPI_BASE + i]),
      ])),
    ]),
  );
}

/** _PRT: 32 slots × INTA-D, swizzled over the four link devices GSI0-3, and those devices. */
function pciRouting(irq: number): Aml[] {
  const routes: Aml[] = [];
  for (let slot = 0; slot < 32; slot++) {
    for (let pin = 0; pin < 4; pin++) {
      routes.push(aml.package_([aml.int(slot * 0x10000 + 0xffff), aml.int(pin), aml.name(`GSI${(slot + pin) % 4}`), aml.int(0)]));
    }
  }
  const links = [0, 1, 2, 3].map((i) => {
    const crs = aml.resourceTemplate([aml.interrupt([irq + i])]);
    return aml.device(`GSI${i}`, [
      aml.nameDecl('_HID', aml.string('PNP0C0F')),
      aml.nameDecl('_UID', aml.int(i)),
      aml.nameDecl('_PRS', crs),
      aml.nameDecl('_CRS', crs),
      aml.method('_SRS', 1, []),
    ]);
  });
  return [aml.nameDecl('_PRT', aml.varPackage(routes)), ...links];
}

/** _OSC for a PCIe host bridge: grants the OS the controls it asks for among the five QEMU offers. */
function pciOsc(): Aml[] {
  const cdw1 = aml.name('CDW1');
  const cdw3 = aml.name('CDW3');
  const ctrl = aml.name('CTRL');
  const arg3 = aml.arg(3);
  return [
    aml.nameDecl('SUPP', aml.int(0)),
    aml.nameDecl('CTRL', aml.int(0)),
    aml.method('_OSC', 4, [
      aml.createDWordField(arg3, aml.int(0), 'CDW1'),
      aml.if_(aml.lequal(aml.arg(0), aml.uuid('33DB4D5B-1FF7-401C-9657-7441C03DD766')), [
        aml.createDWordField(arg3, aml.int(4), 'CDW2'),
        aml.createDWordField(arg3, aml.int(8), 'CDW3'),
        aml.store(aml.name('CDW2'), aml.name('SUPP')),
        aml.store(cdw3, ctrl),
        // PCIe native hot plug, SHPC hot plug, PME, AER, capability structure control.
        aml.and(ctrl, aml.int(0x1f), ctrl),
        aml.if_(aml.lnot(aml.lequal(aml.arg(1), aml.int(1))), [aml.or(cdw1, aml.int(0x08), cdw1)]), // unknown revision
        aml.if_(aml.lnot(aml.lequal(cdw3, ctrl)), [aml.or(cdw1, aml.int(0x10), cdw1)]), // capabilities masked
        aml.store(ctrl, cdw3),
        aml.ret(arg3),
      ]),
      aml.else_([aml.or(cdw1, aml.int(0x04), cdw1), aml.ret(arg3)]), // unrecognized UUID
    ]),
  ];
}

/** _DSM: the PCI firmware spec's device-labeling function set, where QEMU supports only query. */
function pciDsm(): Aml {
  return aml.method('_DSM', 4, [
    aml.if_(aml.lequal(aml.arg(0), aml.uuid('E5C937D0-3553-4D7A-9117-EA4D19C3434D')), [
      aml.if_(aml.lequal(aml.arg(2), aml.int(0)), [aml.ret(aml.buffer(Uint8Array.of(0x01)))]),
    ]),
    aml.ret(aml.buffer(Uint8Array.of(0x00))),
  ]);
}

function pcieHost(): Aml {
  const ecam = MAP.highPcieEcam;
  const buses = ecam.size / PCIE_MMCFG_SIZE_MIN;
  const range = (base: number, size: number, translation = 0) => ({
    granularity: 0, min: base, max: base + size - 1, translation, length: size,
  });
  return aml.device('PCI0', [
    aml.nameDecl('_HID', aml.string('PNP0A08')),
    aml.nameDecl('_CID', aml.string('PNP0A03')),
    aml.nameDecl('_SEG', aml.int(0)),
    aml.nameDecl('_BBN', aml.int(0)),
    aml.nameDecl('_UID', aml.int(0)),
    aml.nameDecl('_STR', aml.unicode('PCIe 0 Device')),
    aml.nameDecl('_CCA', aml.int(1)),
    ...pciRouting(MAP.pcieIrq + ARM_SPI_BASE),
    aml.method('_CBA', 0, [aml.ret(aml.int(ecam.base))]),
    aml.nameDecl('_CRS', aml.resourceTemplate([
      aml.wordBusNumber(range(0, buses)),
      aml.dwordMemory(range(MAP.pcieMmio.base, MAP.pcieMmio.size)),
      aml.dwordIo(range(0, MAP.pciePio.size, MAP.pciePio.base)),
      aml.qwordMemory(range(MAP.highPcieMmio.base, MAP.highPcieMmio.size)),
    ])),
    ...pciOsc(),
    pciDsm(),
    aml.device('RES0', [
      aml.nameDecl('_HID', aml.string('PNP0C02')),
      aml.nameDecl('_CRS', aml.resourceTemplate([aml.qwordMemory(range(ecam.base, ecam.size))])),
    ]),
  ]);
}

/** The PL061 with pin 3 as the power button's edge event (_AEI + _E03 notifying PWRB). */
function gpio(): Aml {
  return mmioDevice('GPO0', 'ARMH0061', MAP.gpio, [
    aml.nameDecl('_AEI', aml.resourceTemplate([aml.gpioIntEdgeHighPullUp([3], 'GPO0')])),
    aml.method('_E03', 0, [aml.notify(aml.name('PWRB'), aml.int(0x80))]),
  ]);
}

function powerButton(): Aml {
  return aml.device('PWRB', [aml.nameDecl('_HID', aml.string('PNP0C0C')), aml.nameDecl('_UID', aml.int(0))]);
}

/** The DSDT's AML (the table body after its header). */
export function virtDsdtAml(cpuCount: number): Aml {
  return aml.scope('\\_SB', [...cpus(cpuCount), uart(), fwCfg(), ...virtioTransports(), pcieHost(), gpio(), powerButton()]);
}

