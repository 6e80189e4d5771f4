/**
 * fw_cfg's generated blobs on virt against qemu-system-arm -M virt -cpu cortex-a15 at several -m
 * sizes: the probe firmware/v7a/probes/fw-cfg-blobs.c reads etc/acpi/rsdp, etc/acpi/tables,
 * etc/smbios/smbios-anchor, etc/smbios/smbios-tables and etc/table-loader by DMA, prints every
 * non-zero 32-byte line in hex, reads each again through the selector and data register and
 * compares, then walks the XSDT (signature, offset, length, revision, byte sum of each table).
 * armrr's output must be identical to QEMU's: the ACPI tables do not depend on the RAM size, the
 * SMBIOS memory array and devices do (17G gives two type 17 devices: 16 GiB and 1 GiB).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, FIRMWARE_DIR } from '../support/firmware.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';

const elf = (variant: string) => join(BUILD_DIR, `v7a-probe-fw-cfg-blobs-${variant}.elf`);
const TABLES = ['FACP', 'APIC', 'PPTT', 'GTDT', 'MCFG', 'SPCR', 'DBG2', 'IORT'];

beforeAll(() => {
  requireQemu();
  execFileSync('bash', [join(FIRMWARE_DIR, 'v7a/probes/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
});

describe('fw_cfg ACPI, SMBIOS and table-loader blobs on virt: armrr vs QEMU', () => {
  const cases = [
    { variant: 'arm-O2', memory: '128M', shift: 0 },
    { variant: 'thumb-O2', memory: '1G', shift: 7 },
    { variant: 'arm-O2', memory: '3G', shift: 7 },
    { variant: 'thumb-O2', memory: '17G', shift: 0 },
  ];
  it.concurrent.each(cases)('$variant -m $memory at shift $shift', async ({ variant, memory, shift }) => {
    const [q, a] = await Promise.all([
      runQemu(elf(variant), { machine: 'virt', memory, icountShift: shift, timeoutMs: 60_000 }),
      runArmrrCli(elf(variant), { machine: 'virt', icountShift: shift, timeoutMs: 90_000, extraArgs: ['--memory', memory] }),
    ]);
    expect(q.timedOut).toBe(false);
    expect(q.exitCode).toBe(0);
    const ql = guestStderr(q.stderr).split('\n');
    // QEMU's side really has the blobs: all five read without DMA errors, both interfaces agree, the tables are there.
    expect(ql.filter((l) => l === 'dma-status 00000000')).toHaveLength(5);
    expect(ql.filter((l) => l.endsWith(' selector-vs-dma-differ=00000000'))).toHaveLength(5);
    expect(ql.filter((l) => l.startsWith('table ')).map((l) => l.slice(6, 10))).toEqual(TABLES);
    expect(ql.filter((l) => l.startsWith('etc/acpi/tables +')).length).toBeGreaterThan(100);
    const al = armrrGuestStderr(a.stderr).split('\n');
    for (let i = 0; i < Math.max(ql.length, al.length); i++) expect(al[i], `line ${i + 1}`).toBe(ql[i]);
    expect(a.stdout.toString('latin1')).toBe(q.stdout.toString('latin1'));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
