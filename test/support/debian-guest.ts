/**
 * Debian's armhf Linux guest for the Linux-boot tests: `scripts/guest/build-guest.sh` fetches the
 * kernel and busybox (once; cached in guest/, or ARMRR_GUEST_DIR / ARMRR_GUEST_BUILD) and builds
 * the initramfs. A guest that cannot be fetched or built fails the test loudly with the reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './firmware.js';

export interface DebianGuest {
  zImage: string;
  systemMap: string;
  config: string;
  vexpressDtb: string;
  busybox: string;
  rrdemo: string;
  initrd: string;
  /**
   * The same initramfs with /init's `read` left out (it prints "no input read"): the boot powers off
   * by itself, so QEMU's and armrr's runs end at the same instruction.
   */
  initrdNoInput: string;
  /** The test-only initramfs whose /init runs a busybox workload and powers off (workload-init.sh). */
  workloadInitrd: string;
  /** The decompressed kernel as a uImage loaded at 0x40208000 (virt): boots without the XZ decompressor. */
  virtUImage: string;
  /** The same at 0x60208000 for vexpress-a9. */
  vexpressUImage: string;
  kernelVersion: string;
}

let cached: DebianGuest | undefined;

export function ensureDebianGuest(): DebianGuest {
  if (cached) return cached;
  const r = spawnSync('bash', [join(ROOT, 'scripts/guest/build-guest.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    throw new Error(`cannot fetch/build the Debian guest (scripts/guest/build-guest.sh exit ${r.status}): ${r.stderr.slice(-2000)}\nRun 'bash scripts/setup.sh' (needs root for apt).`);
  }
  const v: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^GUEST_([A-Z_]+)=(.*)$/.exec(line);
    if (m) v[m[1]!] = m[2]!;
  }
  const need = (k: string): string => {
    const x = v[k];
    if (!x) throw new Error(`scripts/guest/build-guest.sh did not print GUEST_${k}`);
    return x;
  };
  cached = {
    zImage: need('ZIMAGE'),
    systemMap: need('SYSTEM_MAP'),
    config: need('CONFIG'),
    vexpressDtb: need('VEXPRESS_DTB'),
    busybox: need('BUSYBOX'),
    rrdemo: need('RRDEMO'),
    initrd: need('INITRD'),
    initrdNoInput: need('INITRD_NO_INPUT'),
    workloadInitrd: need('WORKLOAD_INITRD'),
    virtUImage: need('VIRT_UIMAGE'),
    vexpressUImage: need('VEXPRESS_UIMAGE'),
    kernelVersion: need('KERNEL_VERSION'),
  };
  return cached;
}

