/**
 * armrr command line: run, record, replay, dump, diff. Each command lives in cli/commands/; this
 * file only declares options and maps errors to exit codes (DESIGN §6). A command's modules are
 * imported when it runs (start-up time: `--help` or `dump` load no emulator).
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { CliError, EXIT_EMULATION, EXIT_USAGE } from './errors.js';
import { BoardOptionError } from '../emulator/machines/board-option-error.js';
import { DEFAULT_SNAPSHOT_BUDGET_MIB, DEFAULT_SNAPSHOT_INTERVAL } from '../snapshots/snapshot-defaults.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export const DEFAULT_MACHINE = 'mps2-an385';

function machineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--machine <name>', MACHINE_HELP).default(DEFAULT_MACHINE))
    .option('--cpu <name>', CPU_HELP)
    .option('--memory <size>', "RAM size for virt and vexpress-a9 (at most 1G there), as QEMU's -m (128M default, e.g. 512M, 1G)")
    .option('--rtc-base <datetime>', RTC_HELP)
    .option('--initrd <file>', INITRD_HELP)
    .option('--append <cmdline>', APPEND_HELP)
    .option('--dtb <file>', DTB_HELP)
    .addOption(
      new Option('--icount-shift <n>', 'virtual time per instruction is 2^n ns (QEMU -icount shift=N)').default('5'),
    )
    .option('--max-insns <n>', 'stop after this many instructions (runaway guard)')
    .option('--input <file|->', "bytes for UART0 RX: a file, or '-' for stdin")
    .option('--console <mode>', CONSOLE_HELP)
    .option('--input-gap <n>', 'min instructions between two input bytes (default: one byte time at 115200 baud)')
    .option('--realtime', 'keep virtual time from running ahead of host time (default when stdin is a terminal)')
    .option('--no-realtime', 'run as fast as possible')
    .option('--state-hash', 'print the final machine state hash on stderr (for determinism checks)')
    .option('--no-jit', JIT_HELP)
    .option('--no-wasm', WASM_HELP);
}

const MACHINE_HELP =
  'board to emulate: mps2-an385 (Cortex-M3), mps2-an386 (Cortex-M4F), virt (QEMU virt, Cortex-A15), ' +
  'vexpress-a9 (Versatile Express, Cortex-A9)';
const CPU_HELP =
  'core (as QEMU -cpu): cortex-m3 on mps2-an385, cortex-m4 on mps2-an386, cortex-a15 on virt, cortex-a9 on vexpress-a9 (the defaults)';
const RTC_HELP =
  "virt's and vexpress-a9's RTC starts at DATETIME (UTC, YYYY-MM-DDTHH:MM:SS) and follows virtual time, as QEMU's -rtc base=DATETIME,clock=vm " +
  '(default: it reads the host clock, which a recording logs)';
const INITRD_HELP = "virt, Linux kernel: initial ramdisk loaded as QEMU's -initrd does (after the kernel, at RAM + min(RAM/2, 128M))";
const APPEND_HELP = "virt, Linux kernel: kernel command line (/chosen bootargs), as QEMU's -append";
const DTB_HELP = "virt, Linux kernel: use this device tree blob instead of the generated one, as QEMU's -dtb";
const CONSOLE_HELP =
  "how a terminal or pipe on stdin reaches UART0: 'terminal' (default; Ctrl-C stops armrr, a recording is kept) or " +
  "'mux', as QEMU's -serial mon:stdio: Ctrl-A X quits (exit 0, a recording is kept), Ctrl-A H help, Ctrl-A Ctrl-A sends Ctrl-A, " +
  'Ctrl-C goes to the guest; Ctrl-A C is not a monitor here. Typed input is recorded in both modes (QEMU 7.2 loses it with mon:stdio)';
const JIT_HELP = 'interpreter only: no block translation (same results, slower; ARMRR_JIT=0 does the same)';
const WASM_HELP =
  'A-profile JIT without its WebAssembly tier: hot A32 blocks stay threaded or become JavaScript functions (same results; ARMRR_WASM=0 does the same)';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('armrr')
    .description(
      'ARM emulator with deterministic record/replay and reverse debugging.\n' +
        'Record a firmware run, replay it bit-exactly, and debug it backwards with gdb.',
    )
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();

  machineOptions(
    program
      .command('run')
      .description(
        'run a firmware ELF or a Linux kernel; UART0 goes to stdout, semihosting console to stderr. ' +
          "Semihosting host files are QEMU's target=native: the guest may open, write, remove or rename any host path " +
          '(relative ones from the working directory) with armrr\'s permissions',
      )
      .argument('<elf>', 'firmware ELF (ARM, 32-bit), or on virt a Linux zImage, uImage or Image (as QEMU -kernel)')
      .option('--gdb <[host:]port>', 'wait for gdb on this port at icount 0 (127.0.0.1 by default); reverse execution works')
      .option('--gdb-ws <port>', 'also serve the GDB protocol over WebSocket on 127.0.0.1:PORT')
      .option('--jit-stats', 'print on stderr at the end: blocks translated, instructions in blocks vs interpreted, why execution returned to the machine loop')
      .option('--jit-call-throughs', 'count the instructions compiled A32 blocks run through their table handlers, by row, and print the histogram on stderr at the end (slows the run)'),
  ).action(async (elf: string, opts) => (await import('./commands/run.js')).runCommand(elf, opts));

  machineOptions(
    program
      .command('record')
      .description(
        'run a firmware ELF or Linux kernel and record every non-deterministic input into a replay log. ' +
          'Semihosting host files work as in run (any host path); what the guest reads from them and every host file ' +
          'call result are logged, so replay needs no files and writes none',
      )
      .argument('<elf>', 'firmware ELF, or on virt a Linux zImage, uImage or Image')
      .requiredOption('-o, --output <log>', 'replay log to write'),
  ).action(async (elf: string, opts) => (await import('./commands/record.js')).recordCommand(elf, opts));

  program
    .command('replay')
    .description('replay a log bit-exactly (no host input), optionally serving gdb with reverse execution')
    .argument('<elf>', 'the firmware ELF or kernel image the log was recorded with')
    .argument('<log>', 'replay log written by armrr record, or by QEMU (-icount shift=N,rr=record,rrfile=LOG)')
    .option('--machine <name>', "a QEMU recording's board, as QEMU's -M: mps2-an385 (default) or mps2-an386 (armrr's logs name theirs)")
    .option(
      '--icount-shift <n>',
      "a QEMU recording's -icount shift=N: required for QEMU's logs, which record neither the shift nor the board " +
        "(sleep=on/off is read from the log; armrr's logs name their own options)",
    )
    .option('--gdb <[host:]port>', 'serve the GDB remote protocol here and wait for gdb at icount 0')
    .option('--gdb-ws <port>', 'also serve the GDB protocol over WebSocket on 127.0.0.1:PORT')
    .option('--cpu <name>', 'the --cpu the log was recorded with (virt)')
    .option('--memory <size>', 'the --memory the log was recorded with (virt, vexpress-a9)')
    .option('--rtc-base <datetime>', 'the --rtc-base the log was recorded with (virt)')
    .option('--initrd <file>', 'the --initrd the log was recorded with (virt)')
    .option('--append <cmdline>', 'the --append the log was recorded with (virt)')
    .option('--dtb <file>', 'the --dtb the log was recorded with (virt)')
    .option('--snapshot-interval <n>', `instructions between periodic snapshots (default ${DEFAULT_SNAPSHOT_INTERVAL})`)
    .option('--snapshot-budget <MiB>', `memory budget for snapshots; older ones are thinned past it (default ${DEFAULT_SNAPSHOT_BUDGET_MIB})`)
    .option('--save-snapshots', 'save snapshots next to the log (LOG.snapshots) and reuse them next time')
    .option('--quiet', 'do not print guest output')
    .option('--state-hash', 'print the final machine state hash on stderr (for determinism checks)')
    .option('--no-jit', JIT_HELP)
    .option('--no-wasm', WASM_HELP)
    .action(async (elf: string, log: string, opts) => (await import('./commands/replay.js')).replayCommand(elf, log, opts));

  program
    .command('dump')
    .description("print a replay log's events (armrr's or QEMU's, versions 0xe02002..0xe0200c)")
    .argument('<log>', 'replay log')
    .option('--json', 'one JSON object per event, with icount and byte offset')
    .action(async (log: string, opts) => (await import('./commands/dump.js')).dumpCommand(log, opts));

  program
    .command('diff')
    .description('align two replay logs and show where their events differ (exit 1 when they do)')
    .argument('<logA>')
    .argument('<logB>')
    .option('--context <n>', 'identical events shown around each difference', '3')
    .option(
      '--ignore <names...>',
      'leave these events out (kinds or canonical names, comma or space separated), e.g. ' +
        'CHECKPOINT_CLOCK_WARP_START,CHECKPOINT_CLOCK_WARP_ACCOUNT,CLOCK_VIRTUAL_RT to compare a QEMU log with an armrr one',
    )
    .option(
      '--ignore-qemu-only',
      "leave out what QEMU logs for itself, never for the guest: idle-warp checkpoints and CLOCK_VIRTUAL_RT, the host clock read " +
        "while parsing -rtc (a CLOCK_HOST before CHECKPOINT_INIT) and the SHUTDOWN_HOST_SIGNAL QEMU appends at exit after the run's shutdown; " +
        "the final SHUTDOWN compares at the icount its log ends at (QEMU writes it with the previous event's icount)",
    )
    .action(async (a: string, b: string, opts) => (await import('./commands/diff.js')).diffCommand(a, b, opts));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with code 0; parse errors are usage errors.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`armrr: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof BoardOptionError) {
      // A board option or ELF that does not fit the machine (wrong profile, unknown CPU).
      process.stderr.write(`armrr: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const err = e as Error;
    if (err && typeof err.message === 'string' && err.name !== 'Error' && err.name !== 'TypeError' && err.name !== 'RangeError') {
      // Typed library errors (ElfError, ReplayLogError...) carry user-facing messages.
      process.stderr.write(`armrr: ${err.message}\n`);
      return EXIT_EMULATION;
    }
    process.stderr.write(`armrr: internal error: ${err?.stack ?? String(e)}\nPlease report this with the command line.\n`);
    return EXIT_EMULATION;
  }
}

// A closed stdout (`armrr run fw.elf | head`) stops the run as Ctrl-C does (a log being recorded
// is kept), and further output is dropped instead of crashing on EPIPE.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  if (!stdoutClosed) {
    stdoutClosed = true;
    process.emit('SIGINT');
  }
});

const code = await main(process.argv);
process.exitCode = code;
