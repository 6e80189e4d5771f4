/**
 * Lock-step comparison of armrr against QEMU 7.2: QEMU single-steps the firmware and logs the
 * registers before every instruction (`-singlestep -d exec,cpu,nochain,int`) into a FIFO; armrr
 * steps the same firmware and r0-r15 and xPSR are compared at every instruction boundary,
 * including across interrupts and faults (exception entry consumes no icount in either). On a core
 * with an FPU (mps2-an386) QEMU also logs the FP registers (`-d …,fpu`), and s0-s31 and FPSCR are
 * compared too. On virt (Cortex-A15) the status register is the CPSR and the FP file is d0-d31
 * (s0-s63) and FPSCR. QEMU's trace shows r8-r14 of the current mode only, so each mode's banked
 * registers are compared whenever that mode runs (after every mode change and exception entry);
 * the SPSRs are compared through what they become (the CPSR after an exception return, MRS).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootFirmware } from '../emulator/boot.js';
import { LiveHostPort, NoSerialInput, BufferOutputSink } from '../emulator/io/live-ports.js';
import type { Machine, RunHooks, StopReason } from '../emulator/machines/machine.js';
import { QemuTraceParser, type TraceRecord } from './qemu-trace.js';
import { Disassembly } from './disasm.js';
import { ArmV7aState } from '../emulator/cpu/v7a/state.js';

/** Boards lock-step knows how to run on both sides (the QEMU -M name is the same). */
export const LOCKSTEP_MACHINES = ['mps2-an385', 'mps2-an386', 'virt', 'vexpress-a9'] as const;
export type LockstepMachine = (typeof LOCKSTEP_MACHINES)[number];

export interface LockstepOptions {
  /** Board for both emulators (default mps2-an385). */
  machine?: LockstepMachine;
  icountShift?: number;
  /**
   * Compare the FP registers too (default: when the core has an FPU). QEMU's FP dump is most of
   * its trace (37 of 43 lines per instruction on A-profile), so integer-only runs go faster without.
   */
  fpRegisters?: boolean;
  /** Stop (successfully) after comparing this many instructions. */
  maxInsns?: number;
  /** Instructions of context printed before a divergence. */
  context?: number;
  qemu?: string;
  /**
   * Copy QEMU's reset APSR flags into armrr before the first instruction (the flags are UNKNOWN
   * architecturally). A workaround for exploring past that one difference; off by default.
   */
  syncResetFlags?: boolean;
  /** Called before armrr runs instruction `index` (tests use it to inject a fault into armrr). */
  beforeStep?: (machine: Machine, index: number) => void;
  /**
   * Compare at pseudo-random boundaries 1-97 instructions apart instead of at every instruction,
   * running armrr with `machine.run` in between, so the block JIT (unless ARMRR_JIT=0) executes
   * whole translated blocks and budget tails between comparisons. QEMU records that carry events
   * (exception entries, semihosting) are passed over. Record i is taken to be icount i, so this
   * mode is not for programs with instructions that fault without retiring (QEMU traces them) or
   * that read the host clock; the per-instruction mode handles both.
   */
  chunked?: boolean;
}

export interface RegState {
  regs: Uint32Array;
  /** xPSR (M-profile) or CPSR (A-profile). */
  xpsr: number;
  /** s0-s31 (s0-s63 on A-profile) raw bits and FPSCR; null on a core without FPU. */
  s: Uint32Array | null;
  fpscr: number | null;
}

export interface Divergence {
  /** Index of the QEMU instruction at which the states differ. */
  index: number;
  armrrIcount: number;
  reason: string;
  qemu: RegState | null;
  armrr: RegState | null;
  /** Human-readable report: context, disassembly and a register diff. */
  report: string;
}

export interface LockstepResult {
  ok: boolean;
  compared: number;
  armrrIcount: number;
  divergence: Divergence | null;
  /** Guest output as armrr produced it (UART0 + semihosting console). */
  armrrOutput: Uint8Array;
  exitCode: number | null;
}

export class LockstepSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockstepSetupError';
  }
}

/** Fixed host time: lock-step cannot compare host-clock values anyway. */
class FixedHostPort extends LiveHostPort {
  override hostClockNs(): number {
    return 1_700_000_000_000_000_000;
  }
}

/** Semihosting calls whose r0 result is host time (SYS_CLOCK, SYS_TIME): an input, not a behaviour. */
const HOST_TIME_CALL = /^\.\.\.handling as semihosting call 0x(10|11)$/;

/** QEMU's EXCP_PREFETCH_ABORT (target/arm/cpu.h), as `Taking exception 3 [Prefetch Abort]` shows it. */
const QEMU_EXCP_PREFETCH_ABORT = 3;

const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

function capture(m: Machine, into: RegState): void {
  const cpu = m.cpu;
  const r = cpu.r;
  for (let i = 0; i < 16; i++) into.regs[i] = r[i]!;
  into.xpsr = (cpu instanceof ArmV7aState ? cpu.getCpsr() : cpu.getXpsr()) >>> 0;
  if (into.s !== null) {
    const s = cpu.s;
    for (let i = 0; i < into.s.length; i++) into.s[i] = s[i]!;
    into.fpscr = cpu.fpscr >>> 0;
  }
}

function sameState(a: RegState, q: TraceRecord): boolean {
  if (a.xpsr !== q.xpsr) return false;
  for (let i = 0; i < 16; i++) if (a.regs[i] !== q.regs[i]) return false;
  if (a.s !== null && q.s !== null) {
    if (a.fpscr !== q.fpscr) return false;
    for (let i = 0; i < a.s.length; i++) if (a.s[i] !== q.s[i]) return false;
  }
  return true;
}

/** `sWords`: single-precision words of the FP file (32, or 64 for VFP D32); 0 = no FPU. */
function newState(sWords: number): RegState {
  return { regs: new Uint32Array(16), xpsr: 0, s: sWords > 0 ? new Uint32Array(sWords) : null, fpscr: sWords > 0 ? 0 : null };
}

function cloneState(s: RegState): RegState {
  return { regs: s.regs.slice(), xpsr: s.xpsr, s: s.s?.slice() ?? null, fpscr: s.fpscr };
}

function stateOf(q: TraceRecord): RegState {
  return { regs: q.regs.slice(), xpsr: q.xpsr, s: q.s?.slice() ?? null, fpscr: q.fpscr };
}

/** Register table of a divergence: every core register, and the FP registers that differ. */
function registerDiff(q: RegState, a: RegState, psrName: string): string[] {
  const lines = ['  reg        qemu      armrr'];
  const row = (name: string, qv: number, av: number): string =>
    `  ${name.padEnd(5)} ${hex(qv)}  ${hex(av)}${qv !== av ? '  <--' : ''}`;
  for (let i = 0; i < 16; i++) lines.push(row(REG_NAMES[i]!, q.regs[i]!, a.regs[i]!));
  lines.push(row(psrName, q.xpsr, a.xpsr));
  if (q.s !== null && a.s !== null) {
    for (let i = 0; i < a.s.length; i++) if (q.s[i] !== a.s[i]) lines.push(row(`s${i}`, q.s[i]!, a.s[i]!));
    lines.push(row('fpscr', q.fpscr ?? 0, a.fpscr ?? 0));
  }
  return lines;
}


/** One past QEMU instruction kept for the context of a divergence report. */
interface Past {
  index: number;
  pc: number;
  events: string[];
}

export function qemuLockstepArgs(
  elf: string,
  shift: number,
  logPath: string,
  machine: LockstepMachine = 'mps2-an385',
  fpu = false,
): string[] {
  // virt and vexpress-a9 as the issues' reference command lines run them (Debian's QEMU needs
  // -nic none there, and an audio backend for vexpress's PL041 to stay quiet).
  const board =
    machine === 'virt'
      ? ['-M', 'virt', '-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none']
      : machine === 'vexpress-a9'
        ? ['-M', 'vexpress-a9', '-cpu', 'cortex-a9', '-m', '128M', '-nic', 'none', '-audiodev', 'none,id=snd0', '-global', 'pl041.audiodev=snd0']
        : ['-M', machine];
  return [
    ...board, '-display', 'none', '-monitor', 'none', '-serial', 'null',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', `shift=${shift},sleep=off`,
    '-singlestep', '-d', fpu ? 'exec,cpu,fpu,nochain,int' : 'exec,cpu,nochain,int', '-D', logPath,
    '-kernel', elf,
  ];
}

export async function lockstep(elfPath: string, opts: LockstepOptions = {}): Promise<LockstepResult> {
  const shift = opts.icountShift ?? 0;
  const maxInsns = opts.maxInsns ?? Infinity;
  const ctxN = opts.context ?? 10;
  const image = readFileSync(elfPath);
  const output = new BufferOutputSink();
  const machineName = opts.machine ?? 'mps2-an385';
  const { machine } = bootFirmware(image, {
    machine: machineName,
    icountShift: shift,
    serial: new NoSerialInput(),
    host: new FixedHostPort(),
    output,
  });

  const dir = mkdtempSync(join(tmpdir(), 'armrr-lockstep-'));
  const fifo = join(dir, 'trace.fifo');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new LockstepSetupError(`mkfifo failed: ${(e as Error).message}`);
  }
  const fpu = machine.core.profile.fpu && (opts.fpRegisters ?? true);
  const aProfile = machine.core.profile.arch === 'v7a';
  const sWords = fpu ? machine.cpu.s.length : 0;
  const qemuArgs = qemuLockstepArgs(elfPath, shift, fifo, machineName, fpu);
  const qemu: ChildProcess = spawn(opts.qemu ?? process.env.ARMRR_QEMU ?? 'qemu-system-arm', qemuArgs, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let qemuStderr = '';
  qemu.stderr?.on('data', (b: Buffer) => (qemuStderr += b.toString()));
  const qemuExit = new Promise<number | null>((resolve) => {
    qemu.on('error', (e) => {
      qemuStderr += String(e);
      resolve(null);
    });
    qemu.on('close', (code) => resolve(code));
  });

  // armrr side. A machine.step() retires one instruction; exception entries happen at the
  // boundaries around it (the hook sees them). Entries at the step's starting icount came before
  // that instruction ran (WFI wake-up) or after it faulted without retiring; later entries are
  // already part of the state the step ends in, which is the next instruction's "before" state.
  const start = newState(sWords);
  const entryStates: RegState[] = [];
  let entryCount = 0;
  let stepStartIcount = 0;
  let armrrExceptions: number[] = [];
  const hooks: RunHooks = {
    onInterruptTaken: (exc: number, icount: number): void => {
      armrrExceptions.push(exc);
      if (icount !== stepStartIcount) return;
      if (entryStates.length <= entryCount) entryStates.push(newState(sWords));
      capture(machine, entryStates[entryCount++]!);
    },
  };
  // A-profile: an abort is taken inside the instruction that raised it (which does not retire),
  // so a step would go on into the vector; stop at the entry instead, where QEMU's next record is.
  let faultEntered = false;
  if (aProfile) {
    machine.exceptions.onExceptionEvent = (kind) => {
      if (kind === 'fault' || kind === 'bkpt') faultEntered = true;
    };
    hooks.shouldHalt = () => faultEntered;
  }
  let armrrStop: StopReason | null = null;
  /** Entry state armrr reached inside the previous step after a faulting instruction retired nothing. */
  let leftover: RegState | null = null;

  const history: Past[] = [];
  const disasm = new Disassembly(elfPath);
  let compared = 0;
  let divergence: Divergence | null = null;
  let stopEarly = false;

  const diverge = (q: TraceRecord | null, a: RegState | null, reason: string): void => {
    const lines: string[] = [];
    lines.push(`divergence at instruction ${q?.index ?? compared} (armrr icount ${machine.icount}): ${reason}`);
    lines.push(`last ${history.length} instructions (QEMU):`);
    for (const h of history) {
      for (const e of h.events) lines.push(`        | ${e}`);
      lines.push(`  #${String(h.index).padStart(8)}  ${disasm.at(h.pc)}`);
    }
    if (q) {
      for (const e of q.events) lines.push(`        | ${e}`);
      lines.push(`> #${String(q.index).padStart(8)}  ${disasm.at(q.regs[15]!)}   <- state before this instruction`);
    }
    if (q && a) lines.push(...registerDiff(stateOf(q), a, aProfile ? 'cpsr' : 'xpsr'));
    if (armrrExceptions.length) lines.push(`  armrr entered exception(s) ${armrrExceptions.join(',')} in its last step`);
    if (q?.exceptions.length) lines.push(`  QEMU entered exception(s) ${q.exceptions.join(',')} before this instruction`);
    divergence = {
      index: q?.index ?? compared,
      armrrIcount: machine.icount,
      reason,
      qemu: q ? stateOf(q) : null,
      armrr: a ? cloneState(a) : null,
      report: lines.join('\n'),
    };
  };

  const check = (q: TraceRecord, a: RegState, why: string): boolean => {
    if (sameState(a, q)) {
      history.push({ index: q.index, pc: q.regs[15]!, events: q.events });
      if (history.length > ctxN) history.shift();
      compared++;
      if (compared >= maxInsns) stopEarly = true;
      return true;
    }
    diverge(q, cloneState(a), why);
    return false;
  };

  // Chunked mode: the next QEMU record to compare at, from a fixed pseudo-random sequence.
  let nextCheck = 0;
  let chunkSeed = 1;
  const onChunkRecord = (q: TraceRecord): void => {
    if (q.index === 0 && opts.syncResetFlags) machine.cpu.setApsr(q.xpsr);
    if (q.index < nextCheck) return;
    if (q.exceptions.length > 0 || q.events.length > 0) {
      nextCheck = q.index + 1;
      return;
    }
    armrrStop = machine.run(q.index);
    if (machine.icount !== q.index) {
      diverge(q, null, `armrr stopped at icount ${machine.icount} (${JSON.stringify(armrrStop)}) before QEMU's instruction ${q.index}`);
      return;
    }
    capture(machine, start);
    if (!check(q, start, 'register mismatch at a chunk boundary')) return;
    chunkSeed = (Math.imul(chunkSeed, 1103515245) + 12345) >>> 0;
    nextCheck = q.index + 1 + ((chunkSeed >>> 16) % 97);
  };

  const onRecord = (q: TraceRecord): void => {
    if (divergence || stopEarly) return;
    if (opts.chunked) {
      onChunkRecord(q);
      return;
    }
    if (leftover !== null) {
      // armrr already executed this instruction in its previous step (after entering a fault).
      const a = leftover;
      leftover = null;
      check(q, a, 'register mismatch at exception entry');
      return;
    }
    if (armrrStop !== null && armrrStop.kind === 'exit') {
      diverge(q, null, `armrr exited (code ${armrrStop.code}) but QEMU executes more`);
      return;
    }
    if (q.index === 0 && opts.syncResetFlags) machine.cpu.setApsr(q.xpsr);
    opts.beforeStep?.(machine, q.index);
    // Host time differs between the two runs: adopt QEMU's answer, as a replay would.
    if (q.events.length > 0 && q.events.some((e) => HOST_TIME_CALL.test(e))) machine.cpu.r[0] = q.regs[0]!;
    capture(machine, start);
    if (aProfile && q.exceptions[q.exceptions.length - 1] === QEMU_EXCP_PREFETCH_ABORT && !sameState(start, q)) {
      // A prefetch abort: QEMU logs the entry before the vector's record without a record for the
      // address that failed to fetch; armrr takes it when it tries to run that address.
      faultEntered = false;
      const at = machine.icount;
      armrrStop = machine.step(hooks);
      if (!faultEntered || machine.icount !== at) {
        diverge(q, start, 'register mismatch (QEMU took an exception armrr did not)');
        return;
      }
      capture(machine, start);
    }
    entryCount = 0;
    armrrExceptions = [];
    const before = machine.icount;
    stepStartIcount = before;
    faultEntered = false;
    armrrStop = machine.step(hooks);
    const stopped = machine.icount === before && armrrStop.kind !== 'exit' && !faultEntered;
    let pre: RegState = start;
    if (entryCount > 0) {
      if (q.exceptions.length > 0) pre = entryStates[entryCount - 1]!;
      // QEMU shows no entry before q: q's instruction (at `start`) faulted without retiring, and
      // armrr then entered the fault and ran the handler's first instruction in the same step.
      else if (!stopped) leftover = cloneState(entryStates[entryCount - 1]!);
    }
    const why = stopped ? `armrr stopped (${JSON.stringify(armrrStop)}) while QEMU continues` : 'register mismatch';
    check(q, pre, why);
  };

  const parser = new QemuTraceParser(onRecord, { fpu, profile: aProfile ? 'a' : 'm' });
  const stream = createReadStream(fifo, { encoding: 'latin1', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      parser.push(chunk as string);
      if (divergence || stopEarly) break;
    }
    if (!divergence && !stopEarly) parser.end();
  } finally {
    stream.destroy();
    if (divergence || stopEarly) qemu.kill('SIGKILL');
  }
  const qemuCode = await qemuExit;
  rmSync(dir, { recursive: true, force: true });

  if (opts.chunked && !divergence && !stopEarly && parser.recordsEmitted > 0) {
    // Run armrr past QEMU's last instruction: it must exit there too.
    armrrStop = machine.run(parser.recordsEmitted + 16);
  }
  if (!divergence && !stopEarly) {
    if (parser.recordsEmitted === 0) {
      throw new LockstepSetupError(`QEMU produced no trace (exit ${qemuCode}): ${qemuStderr.trim()}`);
    }
    const stop = armrrStop as StopReason | null;
    if (!stop || stop.kind !== 'exit') {
      diverge(null, null, `QEMU's trace ended (exit ${qemuCode}) but armrr did not exit after the last instruction (stop: ${JSON.stringify(stop)})`);
    } else if (qemuCode !== null && stop.code !== qemuCode) {
      diverge(null, null, `exit codes differ: QEMU ${qemuCode}, armrr ${stop.code}`);
    }
  }
  const stop = armrrStop as StopReason | null;
  return {
    ok: divergence === null,
    compared,
    armrrIcount: machine.icount,
    divergence,
    armrrOutput: output.bytes,
    exitCode: stop && stop.kind === 'exit' ? stop.code : null,
  };
}
