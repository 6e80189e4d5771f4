/**
 * The packet table: one handler per RSP command, each parsing its arguments and turning them into
 * target calls. Handlers are synchronous; commands that take time (resume, monitor) return an
 * outcome the session carries out. Malformed arguments give `E01`, never an exception.
 */

import {
  M_PROFILE_REGISTERS,
  REG_PC,
  decodeRegisters,
  encodeRegister,
  encodeRegisters,
  findRegister,
  type RegisterLayout,
} from './register-layout.js';
import { parseHexBytes, parseHexU32, parseU32LeHex, toHex } from './hex.js';
import { memoryMapXml } from './memory-map.js';
import { THREAD_ID } from './stop-reply.js';
import { targetXml } from './target-xml.js';
import type { BreakpointType, GdbTarget, ResumeAction, StopReason, WatchpointType } from './target.js';

export type CommandOutcome =
  | { kind: 'reply'; payload: string | Buffer }
  /** Acknowledge nothing and send nothing (`k`). */
  | { kind: 'silent' }
  | { kind: 'resume'; run: () => Promise<StopReason> }
  | { kind: 'monitor'; command: string }
  /** Reply, then switch the connection to no-ack mode. */
  | { kind: 'no-ack'; payload: string };

/** What a handler may see of its connection. */
export interface CommandContext {
  readonly target: GdbTarget;
  readonly maxPacketSize: number;
  lastStopReply(): string;
  /** Records the features gdb offered in qSupported and returns our feature list. */
  negotiate(clientFeatures: readonly string[]): string;
  insertPoint(key: string, add: () => boolean, remove: () => boolean): boolean;
  releasePoint(key: string): boolean;
  onDetach(): void;
}

type Handler = (ctx: CommandContext, args: string, raw: Buffer) => CommandOutcome;

const reply = (payload: string | Buffer): CommandOutcome => ({ kind: 'reply', payload });
const ERROR = reply('E01');
const OK = reply('OK');
const EMPTY = reply('');

/** Longest prefix first where prefixes overlap (qsThreadInfo vs qSymbol, vCont? vs vCont). */
const HANDLERS: readonly (readonly [string, Handler])[] = [
  ['qSupported', (ctx, args) => reply(ctx.negotiate(args.startsWith(':') ? args.slice(1).split(';') : []))],
  ['QStartNoAckMode', () => ({ kind: 'no-ack', payload: 'OK' })],
  ['vMustReplyEmpty', () => EMPTY],
  ['vCont?', () => reply('vCont;c;C;s;S')],
  ['vCont;', (ctx, args) => vCont(ctx, args)],
  ['vKill', (ctx) => kill(ctx, OK)],
  ['qXfer:', (ctx, args) => qXfer(ctx, args)],
  ['qRcmd,', (ctx, args) => qRcmd(ctx, args)],
  ['qAttached', () => reply('1')],
  ['qC', (_ctx, args) => (args === '' ? reply(`QC${THREAD_ID}`) : EMPTY)],
  ['qfThreadInfo', () => reply(`m${THREAD_ID}`)],
  ['qsThreadInfo', () => reply('l')],
  ['qOffsets', () => reply('Text=0;Data=0;Bss=0')],
  ['qTStatus', () => EMPTY],
  ['qSymbol', () => OK],
  ['?', (ctx, args) => (args === '' ? reply(ctx.lastStopReply()) : EMPTY)],
  ['g', (ctx, args) => (args === '' ? readAllRegisters(ctx) : ERROR)],
  ['G', (ctx, args) => writeAllRegisters(ctx, args)],
  ['p', (ctx, args) => readOneRegister(ctx, args)],
  ['P', (ctx, args) => writeOneRegister(ctx, args)],
  ['m', (ctx, args) => readMemory(ctx, args)],
  ['M', (ctx, args) => writeMemoryHex(ctx, args)],
  ['X', (ctx, args, raw) => writeMemoryBinary(ctx, args, raw)],
  ['c', (ctx, args) => resume(ctx, 'continue', args)],
  ['s', (ctx, args) => resume(ctx, 'step', args)],
  ['C', (ctx, args) => resume(ctx, 'continue', afterSignal(args))],
  ['S', (ctx, args) => resume(ctx, 'step', afterSignal(args))],
  ['bs', (ctx, args) => reverse(ctx, args, ctx.target.reverseStep?.bind(ctx.target))],
  ['bc', (ctx, args) => reverse(ctx, args, ctx.target.reverseContinue?.bind(ctx.target))],
  ['Z', (ctx, args) => point(ctx, args, true)],
  ['z', (ctx, args) => point(ctx, args, false)],
  ['H', (_ctx, args) => (/^[gc]/.test(args) && isOurThread(args.slice(1)) ? OK : ERROR)],
  ['T', (_ctx, args) => (isOurThread(args) && args !== '-1' && args !== '0' ? OK : ERROR)],
  // One-letter packets with side effects must match exactly: a garbage packet that merely starts
  // with `k` or `D` must not kill or detach the session.
  ['D', (ctx, args) => {
    if (args !== '' && !/^;[0-9a-fA-F]+$/.test(args)) return EMPTY;
    ctx.onDetach();
    return OK;
  }],
  ['k', (ctx, args) => (args === '' ? kill(ctx, { kind: 'silent' }) : EMPTY)],
  ['!', (_ctx, args) => (args === '' ? OK : EMPTY)],
];

export function dispatch(ctx: CommandContext, packet: Buffer): CommandOutcome {
  // Every argument is ASCII except X's binary tail, which handlers take from `raw`.
  const text = packet.toString('latin1');
  for (const [prefix, handler] of HANDLERS) {
    if (text.startsWith(prefix)) return handler(ctx, text.slice(prefix.length), packet);
  }
  return EMPTY;
}

function layoutOf(target: GdbTarget): RegisterLayout {
  return target.registerLayout ?? M_PROFILE_REGISTERS;
}

function readAllRegisters(ctx: CommandContext): CommandOutcome {
  return reply(encodeRegisters(ctx.target, layoutOf(ctx.target)));
}

function writeAllRegisters(ctx: CommandContext, args: string): CommandOutcome {
  const fields = decodeRegisters(args, layoutOf(ctx.target));
  if (fields === null) return ERROR;
  for (const { reg, value } of fields) {
    if (value === null) continue;
    // No target writes 64-bit (FP) registers.
    if (typeof value !== 'number') return ERROR;
    if (!ctx.target.writeRegister(reg.regnum, value)) return registerWriteRefused(ctx);
  }
  return OK;
}

function readOneRegister(ctx: CommandContext, args: string): CommandOutcome {
  const regnum = parseHexU32(args);
  const reg = regnum === null ? undefined : findRegister(layoutOf(ctx.target), regnum);
  if (reg === undefined) return ERROR;
  return reply(encodeRegister(ctx.target, reg));
}

function writeOneRegister(ctx: CommandContext, args: string): CommandOutcome {
  const [regText = '', valueText = ''] = args.split('=');
  const regnum = parseHexU32(regText);
  const value = parseU32LeHex(valueText);
  const reg = regnum === null ? undefined : findRegister(layoutOf(ctx.target), regnum);
  if (reg === undefined || reg.bitsize !== 32 || value === null) return ERROR;
  return ctx.target.writeRegister(reg.regnum, value) ? OK : registerWriteRefused(ctx);
}

/** `E.why` when the target says why it refuses register writes (gdb shows it), else E01. */
function registerWriteRefused(ctx: CommandContext): CommandOutcome {
  const why = ctx.target.registerWriteRefusal;
  return why === undefined ? ERROR : reply(`E.${why}`);
}

/** Parses `ADDR,LEN` (both hex); null when malformed or the range leaves the 32-bit space. */
function parseRange(text: string): { addr: number; length: number } | null {
  const comma = text.indexOf(',');
  if (comma < 0) return null;
  const addr = parseHexU32(text.slice(0, comma));
  const length = parseHexU32(text.slice(comma + 1));
  if (addr === null || length === null || addr + length > 2 ** 32) return null;
  return { addr, length };
}

function readMemory(ctx: CommandContext, args: string): CommandOutcome {
  const range = parseRange(args);
  if (!range || range.length === 0) return ERROR;
  // A reply must fit in one packet; gdb accepts a short read and asks for the rest.
  const length = Math.min(range.length, Math.floor(ctx.maxPacketSize / 2));
  const bytes = ctx.target.readMemory(range.addr, length);
  return bytes === null ? ERROR : reply(toHex(bytes));
}

function writeMemoryHex(ctx: CommandContext, args: string): CommandOutcome {
  const colon = args.indexOf(':');
  const range = colon < 0 ? null : parseRange(args.slice(0, colon));
  const data = colon < 0 ? null : parseHexBytes(args.slice(colon + 1));
  if (!range || !data || data.length !== range.length) return ERROR;
  return writeMemory(ctx, range.addr, data);
}

function writeMemoryBinary(ctx: CommandContext, args: string, raw: Buffer): CommandOutcome {
  const colon = args.indexOf(':');
  const range = colon < 0 ? null : parseRange(args.slice(0, colon));
  // +1 for the 'X' itself, +1 to skip the colon.
  const data = raw.subarray(colon + 2);
  if (!range || data.length !== range.length) return ERROR;
  // gdb probes X support with a zero-length write.
  if (range.length === 0) return OK;
  return writeMemory(ctx, range.addr, data);
}

function writeMemory(ctx: CommandContext, addr: number, data: Buffer): CommandOutcome {
  const result = ctx.target.writeMemory(addr, new Uint8Array(data));
  return result === true ? OK : reply(`E.${result}`);
}

/** `C sig;addr` and `S sig;addr` -> the optional `addr` part. */
function afterSignal(args: string): string | null {
  const semicolon = args.indexOf(';');
  const signal = semicolon < 0 ? args : args.slice(0, semicolon);
  if (parseHexU32(signal) === null) return null;
  return semicolon < 0 ? '' : args.slice(semicolon + 1);
}

function resume(ctx: CommandContext, action: ResumeAction, addrText: string | null): CommandOutcome {
  if (addrText === null) return ERROR;
  if (addrText !== '') {
    const addr = parseHexU32(addrText);
    if (addr === null || !ctx.target.writeRegister(REG_PC, addr)) return ERROR;
  }
  return { kind: 'resume', run: () => ctx.target.resume(action) };
}

function reverse(
  _ctx: CommandContext,
  args: string,
  run: (() => Promise<StopReason>) | undefined,
): CommandOutcome {
  if (!run) return EMPTY;
  return args === '' ? { kind: 'resume', run } : ERROR;
}

/** `vCont;ACTION[:TID];…`: all-stop with one thread, so the first action that applies to it wins. */
function vCont(ctx: CommandContext, args: string): CommandOutcome {
  for (const item of args.split(';')) {
    const colon = item.indexOf(':');
    const action = colon < 0 ? item : item.slice(0, colon);
    if (colon >= 0 && !isOurThread(item.slice(colon + 1))) continue;
    switch (action[0]) {
      case 'c':
        return action === 'c' ? resume(ctx, 'continue', '') : ERROR;
      case 's':
        return action === 's' ? resume(ctx, 'step', '') : ERROR;
      case 'C':
        return parseHexU32(action.slice(1)) === null ? ERROR : resume(ctx, 'continue', '');
      case 'S':
        return parseHexU32(action.slice(1)) === null ? ERROR : resume(ctx, 'step', '');
      case 'r':
        // Range stepping is not advertised; a single step is a valid (if slow) answer.
        return resume(ctx, 'step', '');
      default:
        return ERROR;
    }
  }
  return ERROR;
}

/** Thread ids that name our single thread: `1`, `0` (any), `-1` (all), and `pPID.TID` forms. */
function isOurThread(tid: string): boolean {
  if (tid === '-1' || tid === '0' || tid === String(THREAD_ID)) return true;
  const match = /^p(-1|[0-9a-fA-F]+)(?:\.(-1|[0-9a-fA-F]+))?$/.exec(tid);
  return match !== null && (match[2] === undefined || match[2] === '-1' || match[2] === '0' || parseInt(match[2], 16) === THREAD_ID);
}

const POINT_TYPES: readonly (
  | { kind: 'break'; type: BreakpointType }
  | { kind: 'watch'; type: WatchpointType }
)[] = [
  { kind: 'break', type: 'sw' },
  { kind: 'break', type: 'hw' },
  { kind: 'watch', type: 'write' },
  { kind: 'watch', type: 'read' },
  { kind: 'watch', type: 'access' },
];

/** `Z|z TYPE,ADDR,KIND[;cond…]`. */
function point(ctx: CommandContext, args: string, insert: boolean): CommandOutcome {
  const fields = args.split(';')[0]!.split(',');
  if (fields.length !== 3) return ERROR;
  const pointType = POINT_TYPES[Number(fields[0])];
  const addr = parseHexU32(fields[1]!);
  const size = parseHexU32(fields[2]!);
  if (!pointType || !/^[0-4]$/.test(fields[0]!) || addr === null || size === null) return ERROR;
  const key = `${pointType.type}:${addr}:${size}`;
  if (!insert) return ctx.releasePoint(key) ? OK : ERROR;
  const { target } = ctx;
  const added =
    pointType.kind === 'break'
      ? ctx.insertPoint(
          key,
          () => target.addBreakpoint(pointType.type, addr, size),
          () => target.removeBreakpoint(pointType.type, addr, size),
        )
      : ctx.insertPoint(
          key,
          () => target.addWatchpoint(pointType.type, addr, size),
          () => target.removeWatchpoint(pointType.type, addr, size),
        );
  return added ? OK : ERROR;
}

/** `qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH` -> `m`/`l` + a slice of the document. */
function qXfer(ctx: CommandContext, args: string): CommandOutcome {
  const parts = args.split(':');
  if (parts.length !== 4 || parts[1] !== 'read') return EMPTY;
  const [object, , annex, rangeText] = parts as [string, string, string, string];
  let document: string;
  if (object === 'features') {
    if (annex !== 'target.xml') return reply('E00');
    document = targetXml(layoutOf(ctx.target));
  } else if (object === 'memory-map') {
    if (annex !== '') return reply('E00');
    document = memoryMapXml(ctx.target.memoryRegions());
  } else {
    return EMPTY;
  }
  const range = parseRange(rangeText);
  if (!range) return ERROR;
  const bytes = Buffer.from(document, 'utf8');
  // Escaping may double the size; keep the reply inside one packet.
  const length = Math.min(range.length, Math.floor(ctx.maxPacketSize / 2) - 1);
  const chunk = bytes.subarray(range.addr, range.addr + length);
  const last = range.addr + length >= bytes.length;
  return reply(Buffer.concat([Buffer.from(last ? 'l' : 'm'), chunk]));
}

function qRcmd(ctx: CommandContext, args: string): CommandOutcome {
  if (!ctx.target.monitor) return EMPTY;
  const command = parseHexBytes(args);
  if (!command) return ERROR;
  return { kind: 'monitor', command: command.toString('utf8') };
}

function kill(ctx: CommandContext, outcome: CommandOutcome): CommandOutcome {
  ctx.target.kill?.();
  return outcome;
}
