/**
 * The devices of `virt` on armrr against qemu-system-arm -M virt -cpu cortex-a15 -m 128M: the probe
 * firmware/v7a/probes/virt-devices.c reads and writes the GIC, generic timer, PL011, PL031 (RTC on
 * virtual time: QEMU's -rtc base=...,clock=vm, armrr's --rtc-base), PL061, GICv2m, fw_cfg,
 * virtio-mmio, flash, the PCIe windows and unassigned addresses, takes interrupts from them, and
 * prints what it saw. Output and exit status must be identical at icount shifts 0 and 7, A32 and
 * T32, -O0 and -O2.
 *
 * Then record/replay on virt through the CLI: UART input is logged (ASYNC_CHAR_READ) and echoed
 * identically by the replay; without --rtc-base the PL031 reads the host clock, which a recording
 * logs as CLOCK_HOST and the replay answers from the log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, FIRMWARE_DIR } from '../support/firmware.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';
import { armrrCli, armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';

const RTC_BASE = '2026-12-01T00:00:00';
const VARIANTS = ['arm-O0', 'arm-O2', 'thumb-O0', 'thumb-O2'] as const;
const elf = (variant: string) => join(BUILD_DIR, `v7a-probe-virt-devices-${variant}.elf`);

let dir = '';
beforeAll(() => {
  requireQemu();
  // No silent skip: a missing toolchain or runtime fails here with the build's message.
  execFileSync('bash', [join(FIRMWARE_DIR, 'v7a/probes/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  dir = mkdtempSync(join(tmpdir(), 'armrr-virt-devices-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('virt devices: armrr vs QEMU', () => {
  for (const variant of VARIANTS) {
    for (const shift of [0, 7]) {
      it(`${variant} at shift ${shift}: identical output and exit status`, async () => {
        const [q, a] = await Promise.all([
          runQemu(elf(variant), { machine: 'virt', icountShift: shift, timeoutMs: 60_000, extraArgs: ['-rtc', `base=${RTC_BASE},clock=vm`] }),
          runArmrrCli(elf(variant), { machine: 'virt', icountShift: shift, timeoutMs: 60_000, extraArgs: ['--rtc-base', RTC_BASE] }),
        ]);
        expect(q.timedOut).toBe(false);
        expect(q.exitCode).toBe(0);
        const qOut = q.stdout.toString('latin1') + guestStderr(q.stderr);
        const aOut = a.stdout.toString('latin1') + armrrGuestStderr(a.stderr);
        // The probe really ran to its end on QEMU: interrupts from every source were taken.
        expect(qOut).toContain('msi irq=00000050');
        expect(qOut).toContain('rtc alarm irq=00000022');
        expect(qOut).toContain('uart tx irqs n=0000000e');
        expect(aOut).toBe(qOut);
        expect(a.exitCode).toBe(q.exitCode);
      });
    }
  }
});

describe('virt record/replay of device inputs', () => {
  it('UART input is logged and the replay echoes it identically', async () => {
    const input = join(dir, 'input.txt');
    writeFileSync(input, 'hi virt\n');
    const log = join(dir, 'uart.rrlog');
    const probe = elf('arm-O2');
    const rec = await armrrCli(['record', probe, '-o', log, '--machine', 'virt', '--icount-shift', '3', '--rtc-base', RTC_BASE, '--input', input]);
    expect(rec.code).toBe(0);
    // The probe prints through the semihosting console (stderr); the PL011 TX goes to stdout.
    expect(rec.stderr).toContain('rx n=00000008');
    expect(rec.stderr).toContain('text=hi virt.');
    const rep = await armrrCli(['replay', probe, log, '--rtc-base', RTC_BASE]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toBe(rec.stdout);
    expect(armrrGuestStderr(rep.stderr)).toBe(armrrGuestStderr(rec.stderr));
    const dump = await armrrCli(['dump', log]);
    expect(dump.stdout.match(/ASYNC_CHAR_READ/g)?.length).toBe(8);
  });

  it('PL031 on the host clock: reads are logged as CLOCK_HOST and replayed from the log', async () => {
    const log = join(dir, 'rtc.rrlog');
    const probe = elf('thumb-O2');
    const rec = await armrrCli(['record', probe, '-o', log, '--machine', 'virt', '--icount-shift', '3']);
    expect(rec.code).toBe(0);
    const dr = /^rtc dr=([0-9a-f]{8})/m.exec(rec.stderr);
    expect(dr).not.toBeNull();
    // Host time now, in seconds (generous bounds: the point is that it is not the --rtc-base clock).
    expect(Math.abs(parseInt(dr![1]!, 16) - Date.now() / 1000)).toBeLessThan(3600);
    const dump = await armrrCli(['dump', log]);
    expect(dump.stdout).toContain('CLOCK_HOST');
    // Replayed later: same output although the host clock moved on.
    await new Promise((r) => setTimeout(r, 1100));
    const rep = await armrrCli(['replay', probe, log]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toBe(rec.stdout);
    expect(armrrGuestStderr(rep.stderr)).toBe(armrrGuestStderr(rec.stderr));
    // A log recorded with --rtc-base does not replay without it (the fingerprint covers it).
    const uartLog = join(dir, 'uart.rrlog');
    const bad = await armrrCli(['replay', elf('arm-O2'), uartLog]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--rtc-base/);
  });
});
