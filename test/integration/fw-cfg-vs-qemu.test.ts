/**
 * fw_cfg on `virt` against qemu-system-arm -M virt -cpu cortex-a15 -m 128M: the probe
 * firmware/v7a/probes/fw-cfg.c reads every fixed key, the file directory and each file through the
 * traditional interface, then drives the DMA interface (read, skip, select, past the end, invalid
 * key, writes to read-only items, unassigned target and descriptor, the 64-bit register written by
 * STRD). Output and exit status must be identical at icount shifts 0 and 7, A32 and T32 (QEMU
 * without -nographic, as the reference command: NOGRAPHIC reads 0; -nographic makes it 1),
 * including the hashes of the generated ACPI, SMBIOS and table-loader files (their bytes are
 * compared line by line in fw-cfg-blobs-vs-qemu.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, FIRMWARE_DIR } from '../support/firmware.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { ARMRR_VIRT_ARGS, QEMU_VIRT_ARGS } from '../support/v7a-firmware.js';

const GENERATED = ['etc/acpi/rsdp', 'etc/acpi/tables', 'etc/smbios/smbios-anchor', 'etc/smbios/smbios-tables', 'etc/table-loader'];
const elf = (variant: string) => join(BUILD_DIR, `v7a-probe-fw-cfg-${variant}.elf`);

beforeAll(() => {
  requireQemu();
  execFileSync('bash', [join(FIRMWARE_DIR, 'v7a/probes/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
});

describe('fw_cfg on virt: armrr vs QEMU', () => {
  const cases = ['arm-O2', 'thumb-O2'].flatMap((variant) => [0, 7].map((shift) => ({ variant, shift })));
  it.concurrent.each(cases)('$variant at shift $shift', async ({ variant, shift }) => {
    const [q, a] = await Promise.all([
      runQemu(elf(variant), { machine: 'virt', icountShift: shift, timeoutMs: 60_000, extraArgs: QEMU_VIRT_ARGS }),
      runArmrrCli(elf(variant), { machine: 'virt', icountShift: shift, timeoutMs: 60_000, extraArgs: ARMRR_VIRT_ARGS }),
    ]);
    expect(q.timedOut).toBe(false);
    expect(q.exitCode).toBe(0);
    const ql = guestStderr(q.stderr).split('\n');
    const al = armrrGuestStderr(a.stderr).split('\n');
    expect(ql[0]).toMatch(/^fw-cfg (a32|t32)$/);
    expect(ql).toContain('id-by-dma 00000003'); // the probe ran to its end on QEMU
    expect(al.length).toBe(ql.length);
    for (let i = 0; i < ql.length; i++) expect(al[i], `line ${i + 1}`).toBe(ql[i]);
    // The generated files have content on QEMU (so equal hashes are not two empty files).
    for (const f of GENERATED) expect(ql.find((l) => l.startsWith(`file ${f} `)), f).not.toMatch(/ first=00000000 /);
    expect(a.stdout.toString('latin1')).toBe(q.stdout.toString('latin1'));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
