/**
 * Where QEMU 7.2's virt puts its generated device tree for a bare-metal ELF `-kernel`
 * (hw/arm/boot.c arm_setup_direct_kernel_boot + arm_load_dtb, hw/arm/virt.c machvirt_machine_done):
 * an ELF that lies wholly above the start of RAM gets the tree at the start of RAM, if the 1 MiB
 * tree buffer fits below the ELF's lowest address (otherwise no tree at all); an ELF that covers
 * the start of RAM leaves dtb_start at 0, so the tree goes to address 0: the start of flash bank 0.
 * The tree is the generated one with arm_load_dtb's edits (memory node, /chosen, /psci), written
 * again at every reset as QEMU's ROM blobs are. QEMU runs bare-metal ELFs with its default
 * dtb-randomness=on, so the tree has /chosen kaslr-seed and rng-seed: same layout here, zero seeds
 * (QEMU's are host random; Linux boots are compared with dtb-randomness=off and have none).
 */
import type { ElfSegment } from '../loader/elf.js';
import { buildVirtDeviceTree, finishLinuxDeviceTree } from './virt-device-tree.js';

export type ElfDeviceTreePlace = { where: 'ram'; addr: number; data: Uint8Array } | { where: 'flash'; data: Uint8Array } | { where: 'none' };

export function planElfDeviceTree(segments: readonly ElfSegment[], ramBase: number, ramSize: number): ElfDeviceTreePlace {
  let low = Infinity;
  let high = 0;
  for (const s of segments) {
    if (s.memSize === 0) continue;
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memSize);
  }
  const fdt = buildVirtDeviceTree({ kaslr: new Uint8Array(8), rng: new Uint8Array(32) });
  finishLinuxDeviceTree(fdt, { ramBase, ramSize });
  const data = fdt.toBlob();
  if (low === Infinity || low > ramBase || high < ramBase) {
    // QEMU passes the ELF's lowest address as the limit only when it lies above the RAM base.
    const limit = low !== Infinity && low >= ramBase ? low : 0;
    if (limit > ramBase && data.length > limit - ramBase) return { where: 'none' };
    return { where: 'ram', addr: ramBase, data };
  }
  return { where: 'flash', data };
}
