/**
 * Processor Properties Topology Table (ACPI 6.4 §5.2.29) as QEMU's build_pptt for a machine with
 * clusters and one thread per core: per socket a physical-package node, per cluster a node under
 * it, per CPU a leaf with a valid ACPI processor ID. Parents are offsets within the table.
 */
import { beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const PHYSICAL_PACKAGE = 1 << 0;
const ID_VALID = 1 << 1;
const LEAF = 1 << 3;

export interface PpttCpu {
  socket: number;
  cluster: number;
}

export function buildPptt(w: ByteWriter, linker: BiosLinker, cpus: readonly PpttCpu[]): void {
  const start = beginTable(w, 'PPTT', 2);
  const node = (flags: number, parent: number, id: number): number => {
    const at = w.length - start;
    w.u8(0).u8(20).u16(0).u32(flags).u32(parent).u32(id).u32(0); // processor hierarchy node, no private resources
    return at;
  };
  let socket = -1;
  let cluster = -1;
  let socketNode = 0;
  let clusterNode = 0;
  cpus.forEach((cpu, n) => {
    if (cpu.socket !== socket) {
      socket = cpu.socket;
      cluster = -1;
      socketNode = node(PHYSICAL_PACKAGE, 0, socket);
    }
    if (cpu.cluster !== cluster) {
      cluster = cpu.cluster;
      clusterNode = node(0, socketNode, cluster);
    }
    node(ID_VALID | LEAF, clusterNode, n);
  });
  endTable(w, linker, start);
}
