/**
 * Streaming parser for QEMU 7.2's `-singlestep -d exec,cpu,nochain,int` log on M-profile, and with
 * `fpu` added (a core with FPv4-SP) the FP registers each dump then ends with: sixteen lines
 * `s00=… s01=… d00=…` and `FPSCR: …`. On A-profile (`profile: 'a'`) the status line is
 * `PSR=<cpsr> …` instead of `XPSR=…`, the FP dump has thirty-two lines (s00-s63, d00-d31), and
 * exception entries are logged as `Taking exception N [Name]` (semihosting is exception 16, an event).
 *
 * Each `Trace` line plus its register dump is the state *before* one instruction. A dump is void
 * when QEMU then abandons that TB without executing it: `cpu_io_recompile: rewound execution of TB`
 * (re-translated for an I/O access; it is logged again) or `Stopped execution of TB chain before`
 * (the icount budget ran out or an interrupt is due). Exception entries between two instructions
 * appear as `...taking pending <bank> exception N`; they are attached to the next record.
 */

export interface TraceRecord {
  /** 0-based ordinal among executed instructions. */
  index: number;
  /** R0..R15 (R13 is the active SP; on A-profile r8-r14 are the current mode's). */
  regs: Uint32Array;
  /** xPSR on M-profile, CPSR on A-profile. */
  xpsr: number;
  /** s0-s31 (s0-s63 on A-profile: d<n> = s<2n+1>:s<2n>) as raw bits; null in a trace without FP registers. */
  s: Uint32Array | null;
  /** FPSCR as QEMU reads it (cumulative flags included); null in a trace without FP registers. */
  fpscr: number | null;
  /** Exception numbers entered just before this instruction, in order. */
  exceptions: number[];
  /** Raw `-d int` lines since the previous executed instruction (for context). */
  events: string[];
  /** 1-based line number of the `Trace` line in the log. */
  line: number;
}

export class TraceFormatError extends Error {
  constructor(message: string, readonly line: number) {
    super(`QEMU trace line ${line}: ${message}`);
    this.name = 'TraceFormatError';
  }
}

const TAKING_PENDING = /^\.\.\.taking pending \S+ exception (\d+)/;
/** A-profile entry; 16 is QEMU's EXCP_SEMIHOST (handled in place, no vector taken). */
const TAKING_A = /^Taking exception (\d+) \[/;
const EXCP_SEMIHOST = 16;

export interface TraceOptions {
  /** The log was made with `-d …,fpu` on a core with an FPU: every dump carries the FP registers and FPSCR. */
  fpu?: boolean;
  /** 'm' (default): Cortex-M dumps; 'a': ARMv7-A dumps (PSR line, 64 single-precision words). */
  profile?: 'm' | 'a';
}

/** Lines of one register dump: R00-R15 (4), XPSR/PSR, and with FP the s/d lines and FPSCR. */
const CORE_DUMP_LINES = 5;

export class QemuTraceParser {
  private partial = '';
  private lineNo = 0;
  private emitted = 0;
  /** The record being filled or waiting to learn whether it was executed. */
  private cur: TraceRecord | null = null;
  private regsSeen = 0;
  /** Events after the last record, not yet attached to a record. */
  private events: string[] = [];
  private exceptions: number[] = [];

  private readonly fpu: boolean;
  private readonly aProfile: boolean;
  /** Single-precision words in a dump: 32 (FPv4-SP, VFP D16) or 64 (D32). */
  private readonly sWords: number;
  private readonly dumpLines: number;

  constructor(
    private readonly onRecord: (r: TraceRecord) => void,
    options: TraceOptions = {},
  ) {
    this.fpu = options.fpu ?? false;
    this.aProfile = options.profile === 'a';
    this.sWords = this.aProfile ? 64 : 32;
    this.dumpLines = this.fpu ? CORE_DUMP_LINES + this.sWords / 2 + 1 : CORE_DUMP_LINES;
  }

  get recordsEmitted(): number {
    return this.emitted;
  }

  push(chunk: string): void {
    const text = this.partial + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
  }

  /** Flush the last record (the log ended, e.g. after a semihosting exit). */
  end(): void {
    if (this.partial.length > 0) {
      this.line(this.partial);
      this.partial = '';
    }
    this.flush();
  }

  private flush(): void {
    const r = this.cur;
    if (r === null) return;
    this.cur = null;
    if (this.regsSeen < this.dumpLines) throw new TraceFormatError('register dump cut short', r.line);
    r.index = this.emitted++;
    this.onRecord(r);
  }

  /** The current record was not executed: keep its events for the next one. */
  private voidCurrent(): void {
    const r = this.cur;
    if (r === null) return;
    this.cur = null;
    this.events = r.events.concat(this.events);
    this.exceptions = r.exceptions.concat(this.exceptions);
  }

  private line(l: string): void {
    this.lineNo++;
    const c = l.charCodeAt(0);
    if (c === 0x52 /* R */ && l.charCodeAt(1) >= 0x30 && l.charCodeAt(1) <= 0x39) {
      this.regLine(l);
      return;
    }
    if (c === 0x73 /* s */ && this.fpu && l.charCodeAt(3) === 0x3d /* = */) {
      this.fpLine(l);
      return;
    }
    if (c === 0x46 /* F */ && this.fpu && l.startsWith('FPSCR: ')) {
      if (this.cur === null) throw new TraceFormatError('FPSCR without Trace line', this.lineNo);
      this.cur.fpscr = parseHex32(l, 7, this.lineNo);
      this.regsSeen++;
      return;
    }
    if (c === 0x58 /* X */ && l.startsWith('XPSR=')) {
      if (this.cur === null) throw new TraceFormatError('XPSR without Trace line', this.lineNo);
      this.cur.xpsr = parseInt(l.slice(5, 13), 16) >>> 0;
      this.regsSeen++;
      return;
    }
    if (c === 0x50 /* P */ && this.aProfile && l.startsWith('PSR=')) {
      if (this.cur === null) throw new TraceFormatError('PSR without Trace line', this.lineNo);
      this.cur.xpsr = parseHex32(l, 4, this.lineNo);
      this.regsSeen++;
      return;
    }
    if (l.startsWith('Trace ')) {
      this.flush();
      this.cur = {
        index: -1,
        regs: new Uint32Array(16),
        xpsr: 0,
        s: this.fpu ? new Uint32Array(this.sWords) : null,
        fpscr: this.fpu ? 0 : null,
        exceptions: this.exceptions,
        events: this.events,
        line: this.lineNo,
      };
      this.regsSeen = 0;
      this.events = [];
      this.exceptions = [];
      return;
    }
    if (l.startsWith('cpu_io_recompile') || l.startsWith('Stopped execution of TB chain')) {
      this.voidCurrent();
      return;
    }
    if (l.length === 0) return;
    if (l.startsWith('Loaded reset SP')) return;
    // Anything else comes from -d int (exception entry/exit, semihosting): context for the next record.
    this.flush();
    this.events.push(l);
    const m = (this.aProfile ? TAKING_A : TAKING_PENDING).exec(l);
    if (m && !(this.aProfile && Number(m[1]) === EXCP_SEMIHOST)) this.exceptions.push(Number(m[1]));
  }

  private regLine(l: string): void {
    const r = this.cur;
    if (r === null) throw new TraceFormatError('registers without Trace line', this.lineNo);
    // "R00=00000000 R01=00000000 R02=00000000 R03=00000000": 4 fields of 12 chars + space.
    for (let k = 0; k < 4; k++) {
      const off = k * 13;
      const n = (l.charCodeAt(off + 1) - 48) * 10 + (l.charCodeAt(off + 2) - 48);
      if (n < 0 || n > 15 || l.charCodeAt(off + 3) !== 0x3d) throw new TraceFormatError(`bad register line '${l}'`, this.lineNo);
      r.regs[n] = parseInt(l.slice(off + 4, off + 12), 16);
    }
    this.regsSeen++;
  }

  /** "s00=00000000 s01=3fc00000 d00=3fc0000000000000": s<2n>, s<2n+1> (d<n> is the same bits; s32-s63 exist only in the dump). */
  private fpLine(l: string): void {
    const r = this.cur;
    if (r === null || r.s === null) throw new TraceFormatError('FP registers without Trace line', this.lineNo);
    for (let k = 0; k < 2; k++) {
      const off = k * 13;
      const n = (l.charCodeAt(off + 1) - 48) * 10 + (l.charCodeAt(off + 2) - 48);
      if (l.charCodeAt(off) !== 0x73 || n < 0 || n >= this.sWords || l.charCodeAt(off + 3) !== 0x3d) {
        throw new TraceFormatError(`bad FP register line '${l}'`, this.lineNo);
      }
      r.s[n] = parseHex32(l, off + 4, this.lineNo);
    }
    this.regsSeen++;
  }
}

/** 8 hex digits at `at` in `l` (a value in a register dump). */
function parseHex32(l: string, at: number, lineNo: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = l.charCodeAt(i) | 0x20; // lower case; NaN (past the end) becomes 0x20
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) throw new TraceFormatError(`bad register value in '${l}'`, lineNo);
    v = v * 16 + digit;
  }
  return v >>> 0;
}

/** Parse a whole log held in memory (tests, small traces). */
export function parseQemuTrace(text: string, options: TraceOptions = {}): TraceRecord[] {
  const out: TraceRecord[] = [];
  const p = new QemuTraceParser((r) => out.push(r), options);
  p.push(text);
  p.end();
  return out;
}
