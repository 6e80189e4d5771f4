#!/usr/bin/env node
/**
 * `node dist/tools/lockstep.js ELF [--machine NAME] [--icount-shift N] [--max N] [--context N]`
 * (npm run lockstep):
 * compare armrr with QEMU instruction by instruction. Exit 0 when no mismatch, 1 on divergence,
 * 2 on usage or setup errors.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { LOCKSTEP_MACHINES, lockstep, type LockstepMachine } from './lockstep-core.js';

function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

async function main(): Promise<number> {
  const program = new Command()
    .name('lockstep')
    .description('compare armrr with qemu-system-arm register by register at every instruction (FP registers too on mps2-an386 and virt; CPSR and the banked registers of the running mode on virt)')
    .argument('<elf>', 'firmware ELF')
    .addOption(new Option('--machine <name>', 'board for both emulators').choices(LOCKSTEP_MACHINES).default('mps2-an385'))
    .option('--icount-shift <n>', 'icount shift for both emulators', intArg, 0)
    .option('--max <n>', 'stop after comparing N instructions', intArg)
    .option('--context <n>', 'instructions of context shown at a divergence', intArg, 10)
    .option('--sync-reset-flags', "start armrr with QEMU's reset APSR flags (workaround)")
    .option('--no-fp', 'leave the FP registers out (integer programs run faster)')
    .option('--chunked', 'compare every 1-97 instructions, letting the block JIT run in between (ARMRR_JIT=0: the interpreter)')
    .exitOverride();
  try {
    program.parse();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const [elf] = program.args as [string];
  const o = program.opts<{
    machine: LockstepMachine;
    icountShift: number;
    max?: number;
    context: number;
    syncResetFlags?: boolean;
    chunked?: boolean;
    fp: boolean;
  }>();
  const t0 = Date.now();
  const res = await lockstep(elf, {
    machine: o.machine,
    icountShift: o.icountShift,
    maxInsns: o.max,
    context: o.context,
    syncResetFlags: o.syncResetFlags,
    chunked: o.chunked,
    fpRegisters: o.fp,
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (res.divergence) {
    process.stdout.write(res.divergence.report + '\n');
    process.stdout.write(`${res.compared} instructions compared, 1 mismatch (${secs} s)\n`);
    return 1;
  }
  const what = o.chunked ? 'chunk boundaries' : 'instructions';
  process.stdout.write(`${res.compared} ${what} compared, 0 mismatches (${secs} s)\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lockstep: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
