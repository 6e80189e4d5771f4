/**
 * What QEMU 7.2's vexpress board adds to a `-dtb` tree (hw/arm/vexpress.c vexpress_modify_dtb,
 * called after boot.c's memory/chosen edits): a /virtio_mmio@ADDR node for each of the four
 * transports at 0x10013000 (0x200 apart), SPI 40-43 rising edge, interrupt parent the
 * "arm,cortex-a9-gic" node, added in reverse so they end up first among the root's children in
 * address order. Without that GIC node QEMU adds nothing (it only warns).
 */
import type { FdtEditor } from './fdt-editor.js';

const VIRTIO_BASE = 0x10013000;
const VIRTIO_SIZE = 0x200;
const VIRTIO_COUNT = 4;
const VIRTIO_FIRST_SPI = 40;

export function addVexpressVirtioNodes(fdt: FdtEditor): void {
  const acells = fdt.getCell('/', '#address-cells') ?? 1;
  const scells = fdt.getCell('/', '#size-cells') ?? 1;
  const gic = fdt.findByCompatible('arm,cortex-a9-gic');
  const intc = gic === undefined ? undefined : fdt.getCell(gic, 'phandle');
  if (intc === undefined || intc === 0) return;
  for (let i = VIRTIO_COUNT - 1; i >= 0; i--) {
    const addr = VIRTIO_BASE + VIRTIO_SIZE * i;
    const node = `/virtio_mmio@${addr.toString(16)}`;
    fdt.addSubnode(node);
    fdt.setString(node, 'compatible', 'virtio,mmio');
    fdt.setSizedCells(node, 'reg', [acells, addr], [scells, VIRTIO_SIZE]);
    fdt.setCells(node, 'interrupt-parent', intc);
    fdt.setCells(node, 'interrupts', 0, VIRTIO_FIRST_SPI + i, 1);
    fdt.setEmpty(node, 'dma-coherent');
  }
}
