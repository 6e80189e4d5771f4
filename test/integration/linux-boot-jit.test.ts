/**
 * The A-profile block JIT on Debian's Linux (fast boot: the decompressed kernel as a uImage,
 * cryptomgr.notests, 256M, shift 7): with the JIT (its WebAssembly tier on, the default) the
 * console up to the shell prompt is byte-identical to QEMU 7.2's, and the machine state at 3e8
 * instructions (past the prompt) hashes the same as interpreter-only (`--no-jit`) and as the JS
 * tiers alone (`--no-wasm`). Runs once (the `jit` project): it compares the engines itself.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runArmrrCli } from '../support/armrr-run.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { QEMU, requireQemu } from '../support/qemu.js';

const PROMPT = 'armrr-guest$ ';
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
const RTC = '2026-12-01T00:00:00';
const INSNS = 300_000_000;

let guest: DebianGuest;
beforeAll(() => {
  guest = ensureDebianGuest();
});

/** QEMU's console from reset up to (and including) the first shell prompt. */
function qemuConsoleToPrompt(): Promise<string> {
  const args = ['-M', 'virt,dtb-randomness=off', '-cpu', 'cortex-a15', '-m', '256', '-kernel', guest.virtUImage, '-initrd', guest.initrd];
  args.push('-append', APPEND, '-rtc', `base=${RTC},clock=vm`, '-icount', 'shift=7,sleep=off', '-nographic', '-nic', 'none');
  args.push('-serial', 'stdio', '-monitor', 'none');
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`QEMU did not reach the prompt in 300 s; stderr: ${err.slice(-500)}; console tail: ${out.slice(-500)}`));
    }, 300_000);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (s: string) => {
      out += s;
      const at = out.indexOf(PROMPT);
      if (at >= 0) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(out.slice(0, at + PROMPT.length));
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
  });
}

/** The engine: interpreter only, the JS tiers only, or the JIT with its wasm tier (then with --jit-stats). */
type Engine = '--no-jit' | '--no-wasm' | 'wasm';

function armrrBoot(engine: Engine): ReturnType<typeof runArmrrCli> {
  const extra = ['--memory', '256M', '--initrd', guest.initrd, '--append', APPEND, '--rtc-base', RTC, '--max-insns', String(INSNS), '--state-hash'];
  extra.push(engine === 'wasm' ? '--jit-stats' : engine);
  return runArmrrCli(guest.virtUImage, { machine: 'virt', icountShift: 7, extraArgs: extra, timeoutMs: 900_000 });
}

const hashOf = (stderr: string): string => {
  const m = /state hash ([0-9a-f]+) at icount (\d+)/.exec(stderr);
  if (m === null) throw new Error(`no state hash in armrr's stderr: ${stderr.slice(-1000)}`);
  expect(Number(m[2])).toBe(INSNS);
  return m[1]!;
};

describe('A32 block JIT on the Linux fast boot', () => {
  it('console identical to QEMU up to the prompt; state hash at 3e8 equal with the wasm tier, the JS tiers alone and without the JIT', async () => {
    requireQemu();
    // Independent processes: run side by side (the machine's cores, not one after another).
    const [want, withJit, jsTiers, interpreted] = await Promise.all([qemuConsoleToPrompt(), armrrBoot('wasm'), armrrBoot('--no-wasm'), armrrBoot('--no-jit')]);
    const wasm = /wasm blocks (\d+) in (\d+) batches .*entered (\d+)/.exec(withJit.stderr);
    expect(wasm, `--jit-stats shows the wasm tier: ${withJit.stderr.slice(-1500)}`).not.toBeNull();
    expect(Number(wasm![3]), 'wasm block entries').toBeGreaterThan(1_000_000);
    const console = withJit.stdout.toString('latin1');
    const at = console.indexOf(PROMPT);
    expect(at, `armrr (JIT) reached the prompt within ${INSNS} instructions`).toBeGreaterThan(0);
    expect(console.slice(0, at + PROMPT.length)).toBe(want);
    expect(hashOf(withJit.stderr), 'state hash at 3e8, JIT vs --no-jit').toBe(hashOf(interpreted.stderr));
    expect(hashOf(jsTiers.stderr), 'state hash at 3e8, --no-wasm vs --no-jit').toBe(hashOf(interpreted.stderr));
    expect(console).toBe(interpreted.stdout.toString('latin1'));
    expect(jsTiers.stdout.toString('latin1')).toBe(console);
  }, 1_800_000);
});
