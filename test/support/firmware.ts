/** The test firmware built by firmware/build.sh, and a build-once helper for test files. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIRMWARE_DIR = join(ROOT, 'firmware');
export const BUILD_DIR = join(FIRMWARE_DIR, 'build');

export const PROGRAMS = ['insn-workout', 'irq-timers', 'faults', 'newlib-demo', 'uart-echo', 'rev-demo', 'smc'] as const;
export type Program = (typeof PROGRAMS)[number];
export const OPT_LEVELS = ['O0', 'O2', 'Os'] as const;
export type OptLevel = (typeof OPT_LEVELS)[number];

/** Input each program needs on UART0 (only uart-echo reads any). */
export const PROGRAM_INPUT: Record<Program, string> = {
  'insn-workout': '',
  'irq-timers': '',
  faults: '',
  'newlib-demo': '',
  'uart-echo': 'Hello, armrr! 0123 xyz\nq',
  'rev-demo': '',
  smc: '',
};

export function elfPath(name: string, opt: string): string {
  return join(BUILD_DIR, `${name}-${opt}.elf`);
}

export function allElfs(): string[] {
  const list: string[] = [];
  for (const p of PROGRAMS) for (const o of OPT_LEVELS) list.push(elfPath(p, o));
  list.push(elfPath('crc32', 'O2'), elfPath('crc32-long', 'O2'), elfPath('rtos', 'O2'), elfPath('rtos-busy', 'O2'));
  return list;
}

let built = false;
/** Runs firmware/build.sh once per process (it skips up-to-date ELFs); throws with its stderr on failure. */
export function ensureFirmware(): void {
  if (built) return;
  try {
    execFileSync('bash', [join(FIRMWARE_DIR, 'build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
    throw new Error(`firmware build failed: ${stderr}`);
  }
  for (const f of allElfs()) if (!existsSync(f)) throw new Error(`firmware build did not produce ${f}`);
  built = true;
}

/** Cortex-M4F programs (firmware/m4/NAME.c, built as m4-NAME-OPT.elf for mps2-an386). */
export const M4_FPU_PROGRAMS = ['m4-fpu-workout', 'm4-fpu-vectors'] as const;

/** ensureFirmware, then checks that every -O level of the given programs was built. */
export function ensureM4Firmware(programs: readonly string[]): void {
  ensureFirmware();
  for (const p of programs) {
    for (const o of OPT_LEVELS) {
      const f = elfPath(p, o);
      if (!existsSync(f)) throw new Error(`firmware build did not produce ${f}`);
    }
  }
}
