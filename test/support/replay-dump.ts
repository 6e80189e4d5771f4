/**
 * QEMU's scripts/replay-dump.py for the log tests: `scripts/tools/fetch-replay-dump.sh` puts it in
 * guest/tools/ at setup (from Debian's qemu source package; never committed). A script that
 * cannot be fetched fails the test loudly with the reason.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './firmware.js';

let cached: string | undefined;

export function ensureReplayDump(): string {
  if (cached !== undefined) return cached;
  const r = spawnSync('bash', [join(ROOT, 'scripts/tools/fetch-replay-dump.sh')], { encoding: 'utf8', timeout: 600_000 });
  const m = /^REPLAY_DUMP=(.+)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || m === null) {
    throw new Error(
      `QEMU's replay-dump.py is missing and scripts/tools/fetch-replay-dump.sh could not fetch it (exit ${r.status}): ${(r.stderr ?? '').slice(-2000)}\n` +
        "Run 'bash scripts/setup.sh' (needs apt and deb.debian.org).",
    );
  }
  cached = m[1]!;
  return cached;
}

export interface ReplayDumpResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** python3 replay-dump.py -f LOG. */
export function runReplayDump(log: string): ReplayDumpResult {
  const r = spawnSync('python3', [ensureReplayDump(), '-f', log], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`cannot run python3 for replay-dump.py: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
