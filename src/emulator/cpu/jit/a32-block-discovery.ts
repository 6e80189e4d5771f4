/**
 * Which instructions make up an A32 block, for every tier that translates whole blocks (the
 * JavaScript compiler, a32-block-compiler.ts, and the WebAssembly one, wasm/a32-wasm-compiler.ts):
 * straight-line code from `start` up to and including the first instruction that always leaves it
 * (an unconditional branch, a write to the PC, an exception-raising or state-changing instruction,
 * a conditional branch back to the start), the end of its 4 KiB page, MAX_A32_BLOCK_INSNS, or
 * before the first encoding UNDEFINED on the core. One definition, so both tiers' blocks cover the
 * same instructions and count the same.
 */
import type { Bus } from '../../memory/bus.js';
import { NO_RAM, PAGE_SHIFT, PAGE_SIZE } from '../../memory/bus.js';
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';

export const MAX_A32_BLOCK_INSNS = 64;

/** Rows after which the block always leaves: they raise exceptions, return from them or change state a block assumes. */
export const EXIT_AFTER: ReadonlySet<string> = new Set([
  'SVC',
  'HVC',
  'SMC',
  'BKPT',
  'UDF',
  'ERET',
  'SETEND',
  'CPS',
  'MSR_reg',
  'MSR_imm',
  'MSR_banked',
  'SRS',
  'RFE',
  'BX',
  'BXJ',
  'BLX_reg',
  'BLX_imm',
]);
const TEST_OPS = new Set(['TST', 'TEQ', 'CMP', 'CMN']);

/** What discovery needs of the core: its A32 decode table. */
export interface A32RowSource {
  /** The decode-table row of an A32 instruction on this core, null when UNDEFINED here. */
  a32Row(insn: number): Encoding<Handler> | null;
}

/** The fields of `insn` as its row extracts them (every field present, so all share one shape). */
export function decodedFields(row: Encoding<Handler>, insn: number): Fields {
  // A copy of the row's all-zero scratch object keeps the row's one field shape.
  const fields: Fields = { ...row.args };
  row.extract(insn, fields);
  return fields;
}

/**
 * The instruction word at virtual `pc` of a block whose page is at host offset `host` (host offsets
 * past 2 GiB wrap negative: indexes are taken unsigned).
 */
export function codeWord(words: Int32Array, host: number, pc: number): number {
  return words[((host + (pc & (PAGE_SIZE - 1))) >>> 0) >>> 2]!;
}

/** True when the instruction may write the PC whatever its operands do (an exit after it is needed). */
export function mayWritePc(row: Encoding<Handler>, a: Fields): boolean {
  const name = row.name;
  if (EXIT_AFTER.has(name) || name.startsWith('SUBS_pc') || name.startsWith('MOVS_pc')) return true;
  if (name === 'LDM_STM') return a.l === 1 && (a.list! & 0x8000) !== 0;
  if (name === 'MCR_MRC' || name === 'MCRR_MRRC') return false;
  const us = name.lastIndexOf('_');
  if (TEST_OPS.has(us > 0 ? name.slice(0, us) : name)) return false;
  return a.rd === 15 || (a.l === 1 && a.rt === 15);
}

/** Target of the B/BL at `pc` (imm24, PC reads as the instruction + 8). */
export function a32BranchTarget(pc: number, a: Fields): number {
  return (pc + 8 + ((a.imm! << 8) >> 6)) | 0;
}

/**
 * True when the straight line ends with this instruction: it always leaves the block when it
 * runs (unconditional and may write the PC, or an unconditional B/BL), or it is a conditional
 * branch back to the block's start (the loop's exit ends the block: the code after a loop is a
 * block of its own, see emit-a32.ts).
 */
export function endsA32Block(row: Encoding<Handler>, a: Fields, insn: number, pc: number, start: number): boolean {
  const cond = insn >>> 28;
  const name = row.name;
  if (name === 'B' || name === 'BL') return cond >= 14 || (name === 'B' && a32BranchTarget(pc, a) === (start | 0));
  return cond >= 14 && mayWritePc(row, a);
}

/** The instructions of one block, by index. */
export interface A32BlockCode {
  readonly start: number;
  /** Virtual address just after the last instruction. */
  readonly end: number;
  readonly ppage: number;
  /** Host RAM offset of the code's page. */
  readonly host: number;
  readonly pcs: number[];
  readonly insns: number[];
  readonly rows: Encoding<Handler>[];
  readonly fields: Fields[];
  /** The last instruction always leaves (else the block falls through to `end`). */
  readonly terminated: boolean;
}

/**
 * The block at virtual `start` whose code is on physical page `ppage` (read from RAM through
 * `bus`), or null when the page is not RAM or the first instruction is UNDEFINED.
 */
export function discoverA32Block(core: A32RowSource, bus: Bus, start: number, ppage: number): A32BlockCode | null {
  const host = bus.pageHost[ppage]!;
  if (host === NO_RAM) return null;
  const pageEnd = ((start >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
  const pcs: number[] = [];
  const insns: number[] = [];
  const rows: Encoding<Handler>[] = [];
  const fields: Fields[] = [];
  const words = bus.i32;
  let pc = start;
  let terminated = false;
  while (pcs.length < MAX_A32_BLOCK_INSNS && (pc >>> 0) + 4 <= pageEnd) {
    const insn = codeWord(words, host, pc);
    const row = core.a32Row(insn);
    // UNDEFINED encodings stay with the interpreter (the block ends before them).
    if (row === null) break;
    const a = decodedFields(row, insn);
    pcs.push(pc);
    insns.push(insn);
    rows.push(row);
    fields.push(a);
    terminated = endsA32Block(row, a, insn, pc, start);
    pc = (pc + 4) | 0;
    if (terminated) break;
  }
  if (pcs.length === 0) return null;
  return { start, end: pc, ppage, host, pcs, insns, rows, fields, terminated };
}
