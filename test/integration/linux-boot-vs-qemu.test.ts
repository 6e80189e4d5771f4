/**
 * Issue 14, "must be true" 1: Debian's own armhf kernel (the zImage that scripts/setup.sh fetches)
 * boots on armrr's virt exactly as on QEMU 7.2 — the console bytes up to and including the shell
 * prompt, printk timestamps included — at -m 4096 and 256 and -icount shift 7 and 5, with the RTC
 * on virtual time from a fixed base. QEMU runs at test time beside armrr; QEMU never exits at the
 * prompt, so both are stopped once the prompt is out.
 *
 * A second initramfs (workload-init.sh) runs a broad busybox workload in Thumb-2 user space on the
 * fast boot (the decompressed kernel, crypto self-tests off) and powers off: its whole console
 * must match too. A mismatch prints the first differing line of both sides.
 *
 * The zImage cases are heavy (~4e9 instructions each, minutes on the interpreter): one vitest
 * project only (the JIT one; the workspace lists this file nowhere else).
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureDebianGuest } from '../support/debian-guest.js';
import { QEMU, requireQemu } from '../support/qemu.js';
import { ARMRR_BIN } from '../support/armrr-run.js';

const PROMPT = 'armrr-guest$ ';
const RTC_BASE = '2026-12-01T00:00:00';
const MINUTE = 60_000;

interface Boot {
  kernel: string;
  initrd: string;
  memoryMiB: number;
  shift: number;
  append: string;
  /** Stop at the first prompt (the guest then waits for a line), or run until the guest powers off. */
  untilPrompt: boolean;
}

interface Console {
  bytes: Buffer;
  code: number | null;
  stderr: string;
}

/** Run a command, collect stdout; kill it once `untilPrompt` and the prompt is out, or after `timeoutMs`. */
function runConsole(cmd: string, args: string[], untilPrompt: boolean, timeoutMs: number): Promise<Console> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let seen = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (!untilPrompt) return;
      // Keep only a tail to look for the prompt in (it may straddle two chunks).
      seen = (seen + b.toString('latin1')).slice(-4096);
      if (seen.includes(PROMPT)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(out), code, stderr });
    });
  });
}

function qemuBoot(b: Boot, timeoutMs: number): Promise<Console> {
  return runConsole(
    QEMU,
    [
      '-M', 'virt,dtb-randomness=off', '-cpu', 'cortex-a15', '-m', String(b.memoryMiB),
      '-kernel', b.kernel, '-initrd', b.initrd, '-append', b.append,
      '-rtc', `base=${RTC_BASE},clock=vm`, '-icount', `shift=${b.shift},sleep=off`,
      '-nographic', '-nic', 'none', '-serial', 'stdio', '-monitor', 'none',
    ],
    b.untilPrompt,
    timeoutMs,
  );
}

function armrrBoot(b: Boot, timeoutMs: number): Promise<Console> {
  return runConsole(
    process.execPath,
    [
      ARMRR_BIN, 'run', b.kernel, '--machine', 'virt', '--memory', `${b.memoryMiB}M`,
      '--initrd', b.initrd, '--append', b.append, '--rtc-base', RTC_BASE, '--icount-shift', String(b.shift),
    ],
    b.untilPrompt,
    timeoutMs,
  );
}

/** The console up to and including the first prompt (all of it when there is none). */
function toPrompt(bytes: Buffer): Buffer {
  const at = bytes.indexOf(PROMPT, 0, 'latin1');
  return at < 0 ? bytes : bytes.subarray(0, at + PROMPT.length);
}

/** "line N" and both sides' first differing line, for the failure message. */
function firstDifference(qemu: Buffer, armrr: Buffer): string {
  const q = qemu.toString('latin1').split('\n');
  const a = armrr.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(q.length, a.length); i++) {
    if (q[i] !== a[i]) {
      const show = (s: string | undefined): string => (s === undefined ? '<end of output>' : JSON.stringify(s));
      return `first difference at console line ${i + 1}:\n  qemu:  ${show(q[i])}\n  armrr: ${show(a[i])}`;
    }
  }
  return 'outputs differ';
}

async function bootBoth(b: Boot, timeoutMs: number): Promise<{ qemu: Buffer; armrr: Buffer }> {
  requireQemu();
  const [q, a] = await Promise.all([qemuBoot(b, timeoutMs), armrrBoot(b, timeoutMs)]);
  const cut = b.untilPrompt ? toPrompt : (x: Buffer) => x;
  const qemu = cut(q.bytes);
  const armrr = cut(a.bytes);
  if (b.untilPrompt) {
    expect(qemu.includes(PROMPT, 0, 'latin1'), `QEMU never printed the prompt (exit ${q.code}): ${q.stderr.slice(-2000)}`).toBe(true);
  } else {
    expect(q.code, `QEMU did not power off cleanly: ${q.stderr.slice(-2000)}`).toBe(0);
    expect(a.code, `armrr did not power off cleanly: ${a.stderr.slice(-2000)}`).toBe(0);
  }
  if (!qemu.equals(armrr)) {
    expect.fail(`armrr's console differs from QEMU's (armrr exit ${a.code}, stderr: ${a.stderr.slice(-1000)})\n${firstDifference(qemu, armrr)}`);
  }
  return { qemu, armrr };
}

// The four boots are independent processes: side by side on the machine's cores (CI time).
describe.concurrent("Debian's zImage on virt: console identical to QEMU's up to the shell prompt", () => {
  for (const memoryMiB of [4096, 256]) {
    for (const shift of [7, 5]) {
      it(
        `-m ${memoryMiB}, -icount shift=${shift}`,
        async () => {
          const g = ensureDebianGuest();
          const { armrr } = await bootBoth({ kernel: g.zImage, initrd: g.initrd, memoryMiB, shift, append: 'console=ttyAMA0', untilPrompt: true }, 150 * MINUTE);
          // The boot got through the kernel into user space (and printk timestamps were compared).
          expect(armrr.toString('latin1')).toMatch(/\[ *\d+\.\d{6}\] Run \/init as init process/);
        },
        160 * MINUTE,
      );
    }
  }
});

describe.concurrent('a busybox workload in user space (fast boot): console identical to QEMU\'s to the poweroff', () => {
  it('hashing, gzip, awk/sed/sort/od/dd/expr/find/grep, float printf, shell loops, /proc, date and sleep', async () => {
    const g = ensureDebianGuest();
    const { armrr } = await bootBoth({ kernel: g.virtUImage, initrd: g.workloadInitrd, memoryMiB: 256, shift: 7, append: 'console=ttyAMA0 cryptomgr.notests', untilPrompt: false }, 60 * MINUTE);
    const text = armrr.toString('latin1');
    // The workload ran to its end, and its checks inside the guest held on both sides.
    for (const line of ['=== workload: done ===', 'dd copy ok', 'gzip -1 round trip ok', 'uptime ok']) expect(text).toContain(line);
  }, 70 * MINUTE);
});
