/**
 * What an instruction emitter writes its JavaScript against, and the shared snippets (register
 * reads, conditions, flag updates, inlined RAM accesses) so every emitter produces the same code
 * shape as the interpreter's semantics.
 *
 * Names visible in generated code (parameters of the block factory in block-compiler.ts):
 *   R  the register file (Int32Array), st  CpuState, clock  VirtualClock, cpu  the Cpu,
 *   PR / PW  the bus's page read / write tables, U8 U16 I32  views of RAM,
 *   H / A  handlers and decoded fields of call-through instructions.
 * Locals: `ic` icount at block entry, `done` instructions retired by earlier passes of a looping
 * block, `k` index of the instruction that may fault and `inHandler` (1 while a call-through
 * handler runs), both read by the block's catch.
 */

/**
 * Markers the block compiler replaces: registers and flags live in JS locals inside a block, so
 * they are written back to R/st before anything outside the block can look at them (exits, handler
 * calls, faults) and reloaded after a handler ran.
 */
export const WRITE_BACK = '/*WB*/';
export const RELOAD = '/*RL*/';
/** The block's instruction count (known only once translation ends): a full pass needs that much budget. */
export const BLOCK_COUNT = '/*N*/';

/** One instruction being translated. */
export interface InsnSite {
  /** Index in the block (0-based). */
  readonly j: number;
  /** Address of the instruction. */
  readonly pc: number;
  /** 2 or 4. */
  readonly size: number;
  /**
   * Inside an IT block only (M-profile blocks translate them): ITSTATE before this instruction
   * (its condition is `itBefore >>> 4`) and after it. The block keeps `st.itstate` 0 while it runs,
   * so an exit after this instruction stores `itAfter` and a fault in it leaves `itBefore`.
   */
  readonly itBefore?: number;
  readonly itAfter?: number;
}

/** The code an emitter produced, or null when the instruction must go through its handler. */
export interface Emitted {
  code: string;
  /** True when the instruction always leaves the straight line (its code ends in returns/continue). */
  terminates: boolean;
  /** True when it accesses memory: a device may then have asked the core to stop (checked after). */
  memory?: boolean;
  /**
   * An unconditional direct branch (B, BL): its target, and for BL the return address written to
   * LR. The block compiler may go on translating at the target instead of leaving (a superblock).
   */
  jump?: number;
  link?: number;
  /**
   * The instruction returns (BX LR, a PC pop) and its code goes on to the next instruction when the
   * address returned to is `returnTo` (EmitContext.expectedReturn), leaving the block otherwise.
   */
  returnTo?: number;
}

const NO_INDEXES: ReadonlySet<number> = new Set();

/** The marker `branchTo` leaves (target, index of the branching instruction), matched globally. */
export const BRANCH_MARKER = /\/\*BR (-?\d+) (\d+)\*\//g;

/** Generated-code helpers for one block. */
export class EmitContext {
  /**
   * The return address of the innermost call the block followed into (0: none), set by the
   * compiler before each instruction: a return to it is checked at run time and the block goes on
   * at it (`Emitted.returnTo`) instead of leaving.
   */
  expectedReturn = 0;

  constructor(
    /** Address of the block's first instruction (a branch there from the last one loops). */
    readonly start: number,
  ) {}

  /** Architectural read of Rn: PC reads as the instruction address + 4. */
  reg(site: InsnSite, n: number): string {
    return n === 15 ? `${(site.pc + 4) | 0}` : `R[${n}]`;
  }

  /** Address after the instruction. */
  next(site: InsnSite): number {
    return (site.pc + site.size) | 0;
  }

  /** Leave the block after instruction `site` with PC = `pcExpr`. */
  exitAfter(site: InsnSite, pcExpr: string): string {
    return `${site.itAfter ? `st.itstate = ${site.itAfter}; ` : ''}${WRITE_BACK} clock.icount = ic + done + ${site.j + 1}; R[15] = ${pcExpr}; return done + ${site.j + 1};`;
  }

  /**
   * Branch after `site` (this path through the block retired `site.j + 1` instructions) to
   * `target`. Where the target lands is known only once the block is translated, so this leaves a
   * marker that `resolveBranches` turns into an exit or a jump inside the block.
   */
  branchTo(site: InsnSite, target: number): string {
    return `/*BR ${target | 0} ${site.j}*/`;
  }

  /**
   * The loop body of a translated block from its instructions' code (`parts`, at addresses `pcs`),
   * with the branch markers turned into code. A branch to one of the block's own instructions stays
   * in the function (chaining within the block: loops and if/else inside it never return to the
   * dispatcher); those instructions become `case`s of a switch the loop enters through, whose
   * fall-through runs the straight line. `done` is biased by the target's index so `done + j + 1`
   * still counts the instructions retired at instruction j (exits, syncs and the fault tail stay
   * as they are); a backward jump continues only while the budget allows the rest of the block
   * from there (BLOCK_COUNT from the biased `done`), as a branch back to the start always did; a
   * forward jump retires less than the pass it is in, so it needs no budget test. Neither needs a
   * stop test: branches raise nothing, memory accesses and call-throughs test after themselves.
   * An innermost loop (a backward target with no other target inside the loop) is a `for` nested
   * in its case: its back edge continues it directly rather than through the switch (the loop
   * label `block` names the outer one), which halves the cost of a tight loop such as crc32's.
   * `loopsToStart`: some branch jumps back to the first instruction without passing the
   * dispatcher (so a breakpoint there must keep the block from running, see BlockJit).
   */
  linkBranches(parts: readonly string[], pcs: readonly number[], unlinkable: ReadonlySet<number> = NO_INDEXES): { body: string; loopsToStart: boolean } {
    const marker = BRANCH_MARKER;
    const entries = new Set<number>([0]);
    let loopsToStart = false;
    const backEdges: Array<[number, number]> = [];
    // An instruction inside an IT block is never a jump target: it runs with the ITSTATE its IT set.
    const indexOf = (target: number): number => {
      const at = pcs.indexOf(target);
      return at < 0 || unlinkable.has(at) ? -1 : at;
    };
    parts.forEach((p, j) => {
      for (const m of p.matchAll(marker)) {
        const at = indexOf(Number(m[1]));
        if (at < 0) continue;
        entries.add(at);
        if (at <= j) backEdges.push([at, j]);
      }
    });
    // Innermost loops (no other jump target strictly inside) become a nested `for` of their own:
    // their back edges continue it directly instead of going round the switch. loopEnd[at] = last part.
    const loopEnd = new Map<number, number>();
    for (const [at, j] of backEdges) {
      let inner = true;
      for (const x of entries) if (x > at && x <= j) inner = false;
      if (inner && j > (loopEnd.get(at) ?? -1)) loopEnd.set(at, j);
    }
    const loopOf = (j: number): number => {
      for (const [at, end] of loopEnd) if (j >= at && j <= end) return at;
      return -1;
    };
    const resolve = (_all: string, t: string, jText: string): string => {
      const target = Number(t);
      const j = Number(jText);
      const at = indexOf(target);
      if (at < 0) return this.exitAfter({ j, pc: target, size: 0 }, `${target}`);
      if (at > j) return `done -= ${at - j - 1}; e = ${at}; continue block;`;
      if (at === 0) loopsToStart = true;
      const again = loopOf(j) === at ? 'continue;' : `{ e = ${at}; continue block; }`;
      return (
        `done += ${j + 1 - at}; if (budget - done >= ${BLOCK_COUNT}) ${again} ` +
        `${WRITE_BACK} clock.icount = ic + done + ${at}; R[15] = ${target}; return done + ${at};`
      );
    };
    const sep = '\n            ';
    if (entries.size === 1) {
      const body = parts.join(sep).replace(marker, resolve);
      return { body, loopsToStart };
    }
    const labelled = parts.map((p, j) => {
      let code = entries.has(j) ? `case ${j}: ${loopEnd.has(j) ? 'for (;;) { ' : ''}${p}` : p;
      for (const end of loopEnd.values()) if (end === j) code += ' break; }';
      return code;
    });
    const body = `switch (e) {${sep}${labelled.join(sep).replace(marker, resolve)}${sep}}`;
    return { body, loopsToStart };
  }

  /**
   * A conditional branch: leaves the block for `target` when `test` (a JS boolean expression)
   * holds; otherwise translation goes on with the fall-through (a side exit, so blocks span the
   * short if/else and loop-exit tests RTOS code is full of and the dispatcher runs less often).
   */
  conditionalBranch(site: InsnSite, test: string, target: number): Emitted {
    return { code: `if (${test}) { ${this.branchTo(site, target)} }`, terminates: false };
  }

  /** Before a slow-path call that may read icount, fault or stop the core. */
  private sync(site: InsnSite): string {
    return `k = ${site.j}; clock.icount = ic + done + ${site.j + 1};`;
  }

  /** After a memory instruction: a device may have asked the core to stop (IRQ, timer, watchpoint). */
  stopCheck(site: InsnSite): string {
    return `if (cpu.exitRequest) { ${this.exitAfter(site, `${this.next(site)}`)} }`;
  }

  /**
   * Load into `dest` (an assignable expression) from the address held in local `a`. `size` as
   * Cpu.loadSized: 4, 2, -2, 1, -1. RAM pages that are not watched are read inline; the
   * instruction's emitter marks itself `memory` so the block checks for a stop request after it.
   */
  load(site: InsnSite, dest: string, size: number): string {
    const sync = this.sync(site);
    switch (size) {
      case 4:
        return `{ const h = PR[a >>> 12]; if (h >= 0 && (a & 3) === 0) ${dest} = I32[(h + (a & 4095)) >> 2]; else { ${sync} ${dest} = cpu.load32(a); } }`;
      case 2:
        return `{ const h = PR[a >>> 12]; if (h >= 0 && (a & 1) === 0) ${dest} = U16[(h + (a & 4095)) >> 1]; else { ${sync} ${dest} = cpu.load16(a); } }`;
      case -2:
        return `{ const h = PR[a >>> 12]; if (h >= 0 && (a & 1) === 0) ${dest} = (U16[(h + (a & 4095)) >> 1] << 16) >> 16; else { ${sync} ${dest} = (cpu.load16(a) << 16) >> 16; } }`;
      case 1:
        return `{ const h = PR[a >>> 12]; if (h >= 0) ${dest} = U8[h + (a & 4095)]; else { ${sync} ${dest} = cpu.load8(a); } }`;
      default:
        return `{ const h = PR[a >>> 12]; if (h >= 0) ${dest} = (U8[h + (a & 4095)] << 24) >> 24; else { ${sync} ${dest} = (cpu.load8(a) << 24) >> 24; } }`;
    }
  }

  /** Store expression `v` (evaluated once, before the call) to the address in local `a`. */
  store(site: InsnSite, v: string, size: number): string {
    const sync = this.sync(site);
    switch (size) {
      case 4:
        return `{ const v = ${v}; const h = PW[a >>> 12]; if (h >= 0 && (a & 3) === 0) I32[(h + (a & 4095)) >> 2] = v; else { ${sync} cpu.store32(a, v); } }`;
      case 2:
        return `{ const v = ${v}; const h = PW[a >>> 12]; if (h >= 0 && (a & 1) === 0) U16[(h + (a & 4095)) >> 1] = v; else { ${sync} cpu.store16(a, v); } }`;
      default:
        return `{ const v = ${v}; const h = PW[a >>> 12]; if (h >= 0) U8[h + (a & 4095)] = v; else { ${sync} cpu.store8(a, v); } }`;
    }
  }

  /**
   * LDM/STM/PUSH/POP of `list` (bit i = R[i]) at R[rn] as plain RAM words when the whole transfer
   * lies in one unwatched RAM page and is word-aligned (the interpreter's memops.loadMultiple /
   * storeMultiple order: all words loaded before any register changes; stored values read before
   * writeback; a loaded Rn wins over writeback). A PC load exits like BX (its value must be a
   * plain Thumb address). Anything else — a device, a page edge, misalignment, an EXC_RETURN or a
   * fault — runs `callThrough` (the handler's exact path) from the start, as nothing changed yet.
   */
  transferMultiple(site: InsnSite, rn: number, list: number, isLoad: boolean, wback: boolean, decrementBefore: boolean, callThrough: () => string): Emitted {
    const regs: number[] = [];
    for (let i = 0; i < 16; i++) if ((list & (1 << i)) !== 0) regs.push(i);
    const bytes = 4 * regs.length;
    const start = decrementBefore ? `(R[${rn}] - ${bytes}) | 0` : `R[${rn}]`;
    let check = `if (h >= 0 && (a & 3) === 0 && (a & 4095) <= ${4096 - bytes}) w = (h + (a & 4095)) >> 2;`;
    const moves: string[] = [];
    regs.forEach((i, n) => {
      if (i === 15) return;
      moves.push(isLoad ? `R[${i}] = I32[w + ${n}];` : `I32[w + ${n}] = R[${i}];`);
    });
    const writesBack = wback && !(isLoad && (list & (1 << rn)) !== 0);
    if (writesBack) moves.push(`R[${rn}] = ${decrementBefore ? 'a' : `(a + ${bytes}) | 0`};`);
    const pcLoad = isLoad && (list & 0x8000) !== 0;
    const ret = pcLoad ? this.expectedReturn : 0;
    if (pcLoad) {
      check += ` if (w >= 0) { t = I32[w + ${regs.length - 1}]; if ((t & 1) === 0 || (t >>> 28) === 15) w = -1; }`;
      const exit = this.exitAfter(site, 't & ~1');
      // A return to the call the block followed goes on in the block (the handler path still leaves).
      moves.push(ret !== 0 ? `if (t !== ${ret | 1}) { ${exit} }` : exit);
    }
    // Past a return the block goes on at the return address: the handler's path must always leave.
    const handler = ret !== 0 ? `${callThrough()} ${this.exitAfter(site, `${this.next(site)}`)}` : callThrough();
    const code =
      `{ a = ${start}; const h = ${isLoad ? 'PR' : 'PW'}[a >>> 12]; let w = -1, t = 0; ${check} ` +
      `if (w >= 0) { ${moves.join(' ')} } else { ${handler} } }`;
    return ret !== 0 ? { code, terminates: true, returnTo: ret } : { code, terminates: pcLoad };
  }

  /**
   * Call the instruction's table handler with the per-instruction fields set up, then leave the
   * block if it branched, stopped the core or changed state the block assumed (IT, Thumb bit).
   */
  callThrough(site: InsnSite, insn: number, handlerIndex: number): string {
    const next = this.next(site);
    // Inside an IT block the handler sees what the interpreter gives it: ITSTATE already advanced,
    // `inIt` set (16-bit forms do not set flags), its ITSTATE before for a fault to restore.
    const itAfter = site.itAfter ?? 0;
    const inIt = site.itBefore !== undefined;
    const prepare = inIt
      ? `st.itstate = ${itAfter}; cpu.prepareHandler(${site.pc | 0}, ${insn | 0}, ${site.size}, ${site.itBefore});`
      : `cpu.prepareHandler(${site.pc | 0}, ${insn | 0}, ${site.size});`;
    return (
      `${this.sync(site)} ${WRITE_BACK} ${prepare} inHandler = 1; H[${handlerIndex}](cpu, A[${handlerIndex}]); inHandler = 0; ${RELOAD} ` +
      `if (cpu.nextPc !== ${next} || cpu.exitRequest || st.sleep !== 0 || st.itstate !== ${itAfter} || st.thumb === 0) { R[15] = cpu.nextPc; return done + ${site.j + 1}; }` +
      (itAfter !== 0 ? ' st.itstate = 0;' : '')
    );
  }
}

/** ConditionPassed(cond) over CpuState's cached flags, as a JS boolean expression. */
export function conditionExpr(cond: number): string {
  let e: string;
  switch (cond >>> 1) {
    case 0:
      e = 'st.ZF === 0';
      break;
    case 1:
      e = 'st.CF !== 0';
      break;
    case 2:
      e = 'st.NF < 0';
      break;
    case 3:
      e = 'st.VF < 0';
      break;
    case 4:
      e = '(st.CF !== 0 && st.ZF !== 0)';
      break;
    case 5:
      e = '(st.NF ^ st.VF) >= 0';
      break;
    case 6:
      e = '(st.ZF !== 0 && (st.NF ^ st.VF) >= 0)';
      break;
    default:
      return 'true';
  }
  return (cond & 1) === 0 ? `(${e})` : `!(${e})`;
}

/**
 * AddWithCarry with flags, exactly as alu.ts addWithCarryFlags computes them (same cached flag
 * values, so state hashes do not depend on JIT or interpreter). `x`, `y`, `c` are expressions;
 * the result lands in local `res`. With a constant carry in (ADD, SUB, CMP...) the carry out is an
 * unsigned compare of the result with `x` (the sum wrapped), which stays in 32-bit integers
 * instead of a float add.
 */
export function addWithFlags(x: string, y: string, c: string): string {
  const carry =
    c === '0'
      ? '(res >>> 0) < (x >>> 0) ? 1 : 0'
      : c === '1'
        ? '(res >>> 0) <= (x >>> 0) ? 1 : 0'
        : '(x >>> 0) + (y >>> 0) + c > 0xffffffff ? 1 : 0';
  return `{ const x = ${x}, y = ${y}, c = ${c}; res = (x + y + c) | 0; st.CF = ${carry}; st.VF = (x ^ res) & ~(x ^ y); st.NF = res; st.ZF = res; }`;
}
