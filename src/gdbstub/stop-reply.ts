/** The one serializer from StopReason to an RSP stop reply (`T…`, `W…`). */

import { REG_CPSR, REG_MSP, REG_PC, REG_PSP, REG_SP } from './register-layout.js';
import { u32LeHex } from './hex.js';
import type { GdbTarget, StopReason } from './target.js';

const SIGINT = 2;
const SIGTRAP = 5;
const SIGKILL = 9;

/** Stop-reason fields gdb announced it understands in qSupported. */
export interface ClientStopFeatures {
  swbreak: boolean;
  hwbreak: boolean;
}

export const THREAD_ID = 1;

export function formatStopReply(stop: StopReason, target: GdbTarget, client: ClientStopFeatures): string {
  switch (stop.kind) {
    case 'signal':
      return stopPacket(stop.signal & 0xff, target, '');
    case 'done-step':
      return stopPacket(SIGTRAP, target, '');
    case 'swbreak':
      // Without the client's swbreak+ the reason is unknown to it: a plain SIGTRAP is equivalent.
      return stopPacket(SIGTRAP, target, client.swbreak ? 'swbreak:;' : '');
    case 'hwbreak':
      return stopPacket(SIGTRAP, target, client.hwbreak ? 'hwbreak:;' : '');
    case 'watch':
      return stopPacket(SIGTRAP, target, `${stop.type}:${(stop.addr >>> 0).toString(16)};`);
    case 'replaylog':
      return stopPacket(SIGTRAP, target, `replaylog:${stop.pos};`);
    case 'exited':
      if (exitReport(target) === 'exit') return `W${hexByte(stop.code)}`;
      // rr's choice: a fatal-signal *stop* keeps the process, so the user can reverse from the end.
      return stopPacket(SIGKILL, target, '');
    default:
      return unreachable(stop);
  }
}

export function exitReport(target: GdbTarget): 'exit' | 'stop' {
  return target.exitReport ?? (target.reverseContinue || target.reverseStep ? 'stop' : 'exit');
}

/** `T` reply for a stop caused by an interrupt (Ctrl-C). */
export const INTERRUPT_STOP: StopReason = { kind: 'signal', signal: SIGINT };

/**
 * Registers every stop reply carries (expedites): pc, sp, r0-r12, lr, cpsr/xpsr (both number 25)
 * and on M-profile msp and psp (26, 27; d0 and d1 on A-profile, which targets do not read as
 * 32-bit registers, so they are left out there): what gdb reads to show the frame after a step, so
 * it sends no `g` then.
 */
const EXPEDITED: readonly number[] = [REG_PC, REG_SP, ...Array.from({ length: 13 }, (_, n) => n), 14, REG_CPSR, REG_MSP, REG_PSP];

/** `nn:` for each of EXPEDITED, spelled once (every stop reply carries them). */
const EXPEDITED_KEYS: readonly string[] = EXPEDITED.map((regnum) => `${hexByte(regnum)}:`);

function stopPacket(signal: number, target: GdbTarget, reason: string): string {
  let packet = `T${hexByte(signal)}thread:${THREAD_ID};`;
  for (let i = 0; i < EXPEDITED.length; i++) {
    const value = safeRead(target, EXPEDITED[i]!);
    if (value !== null) packet += EXPEDITED_KEYS[i]! + u32LeHex(value) + ';';
  }
  return packet + reason;
}

function safeRead(target: GdbTarget, regnum: number): number | null {
  try {
    return target.readRegister(regnum);
  } catch {
    return null;
  }
}

function hexByte(value: number): string {
  return (value & 0xff).toString(16).padStart(2, '0');
}

function unreachable(value: never): never {
  throw new Error(`unhandled stop reason ${JSON.stringify(value)}`);
}
