/**
 * The A-profile throughput workload of bench/run.js (firmware/v7a/bench/v7a-bench.c: MMU on with
 * sections and 4 KiB pages, CRC-32, memcpy, call chains, the generic timer every ~1 ms), in its
 * 2-round build, on qemu-system-arm -M virt -cpu cortex-a15 and on `armrr run --machine virt`, as
 * A32 and T32 at shifts 0 and 7: checksums, timer tick count and exit code must be identical, so the
 * MIPS figures in BENCHMARKS.md compare the same work.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { BUILD_DIR } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';
import { ARMRR_VIRT_ARGS, ensureV7aFirmware, QEMU_VIRT_ARGS } from '../support/v7a-firmware.js';

const cases = ['arm', 'thumb'].flatMap((isa) => [0, 7].map((shift) => ({ isa, shift, elf: join(BUILD_DIR, `v7a-bench-${isa}-short.elf`) })));

describe('A-profile bench workload: armrr vs QEMU (virt, cortex-a15)', () => {
  beforeAll(() => ensureV7aFirmware(cases.map((c) => c.elf)));

  it.concurrent.each(cases)('v7a-bench-$isa-short at shift $shift', async ({ elf, shift }) => {
    const q = await runQemu(elf, { machine: 'virt', extraArgs: QEMU_VIRT_ARGS, icountShift: shift, timeoutMs: 60_000 });
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    const expected = guestStderr(q.stderr);
    // A complete reference: the checksums and a tick count that shows the timer interrupted.
    expect(expected, 'QEMU output').toMatch(/^crc [0-9a-f]{8}\ncalls [0-9a-f]{8}\nticks 0*[1-9a-f][0-9a-f]*\n$/);
    expect(q.exitCode, 'QEMU exit code').toBe(0);
    const a = await runArmrrCli(elf, { machine: 'virt', icountShift: shift, inputFile: '/dev/null', extraArgs: ARMRR_VIRT_ARGS, timeoutMs: 120_000 });
    expect(armrrGuestStderr(a.stderr), 'semihosting console').toBe(expected);
    expect(a.exitCode, 'exit code').toBe(q.exitCode);
  });
});
