import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QemuTraceParser, TraceFormatError, parseQemuTrace, type TraceRecord } from '../../src/tools/qemu-trace.js';

// Excerpt of a real QEMU 7.2 `-singlestep -d exec,cpu,nochain,int -icount shift=7` log of
// fw_tiny.elf: reset, two I/O re-translations, an abandoned TB before a SysTick entry, the exit.
const here = dirname(fileURLToPath(import.meta.url));
const log = readFileSync(join(here, '../fixtures/qemu-trace/fw_tiny-shift7-excerpt.log'), 'latin1');

// Excerpt of a real QEMU 7.2 `-M mps2-an386 -singlestep -d exec,cpu,fpu,nochain,int -icount
// shift=7` log of a Cortex-M4F program computing 1.0f / 3.0f: the records before `vdiv.f32 s15,
// s13, s14` (at 0xca) and the two after it (s15 = 0x3eaaaaab, FPSCR.IXC set).
const fpLog = `Trace 0: 0x7f6130002dc0 [00800400/000000ca/00000010/ff020201] main
R00=40400000 R01=00000304 R02=20000008 R03=20000000
R04=00000000 R05=00000000 R06=00000000 R07=00000000
R08=00000000 R09=00000000 R10=00000000 R11=00000000
R12=00000000 R13=2003fff8 R14=00000157 R15=000000ca
XPSR=61000000 -ZC- T priv-thread
s00=00000000 s01=00000000 d00=0000000000000000
s02=00000000 s03=00000000 d01=0000000000000000
s04=00000000 s05=00000000 d02=0000000000000000
s06=00000000 s07=00000000 d03=0000000000000000
s08=00000000 s09=00000000 d04=0000000000000000
s10=00000000 s11=00000000 d05=0000000000000000
s12=00000000 s13=3f800000 d06=3f80000000000000
s14=40400000 s15=00000000 d07=0000000040400000
s16=00000000 s17=00000000 d08=0000000000000000
s18=00000000 s19=00000000 d09=0000000000000000
s20=00000000 s21=00000000 d10=0000000000000000
s22=00000000 s23=00000000 d11=0000000000000000
s24=00000000 s25=00000000 d12=0000000000000000
s26=00000000 s27=00000000 d13=0000000000000000
s28=00000000 s29=00000000 d14=0000000000000000
s30=00000000 s31=00000000 d15=0000000000000000
FPSCR: 00000000
Trace 0: 0x7f6130002f00 [00800400/000000ce/00000010/ff020201] main
R00=40400000 R01=00000304 R02=20000008 R03=20000000
R04=00000000 R05=00000000 R06=00000000 R07=00000000
R08=00000000 R09=00000000 R10=00000000 R11=00000000
R12=00000000 R13=2003fff8 R14=00000157 R15=000000ce
XPSR=61000000 -ZC- T priv-thread
s00=00000000 s01=00000000 d00=0000000000000000
s02=00000000 s03=00000000 d01=0000000000000000
s04=00000000 s05=00000000 d02=0000000000000000
s06=00000000 s07=00000000 d03=0000000000000000
s08=00000000 s09=00000000 d04=0000000000000000
s10=00000000 s11=00000000 d05=0000000000000000
s12=00000000 s13=3f800000 d06=3f80000000000000
s14=40400000 s15=3eaaaaab d07=3eaaaaab40400000
s16=00000000 s17=00000000 d08=0000000000000000
s18=00000000 s19=00000000 d09=0000000000000000
s20=00000000 s21=00000000 d10=0000000000000000
s22=00000000 s23=00000000 d11=0000000000000000
s24=00000000 s25=00000000 d12=0000000000000000
s26=00000000 s27=00000000 d13=0000000000000000
s28=00000000 s29=00000000 d14=0000000000000000
s30=00000000 s31=00000000 d15=0000000000000000
FPSCR: 00000010
Trace 0: 0x7f6130003040 [00800400/000000d0/00000010/ff020201] main
R00=40400000 R01=00000304 R02=20000008 R03=20000000
R04=00000000 R05=00000000 R06=00000000 R07=00000000
R08=00000000 R09=00000000 R10=00000000 R11=00000000
R12=00000000 R13=2003fff0 R14=00000157 R15=000000d0
XPSR=61000000 -ZC- T priv-thread
s00=00000000 s01=00000000 d00=0000000000000000
s02=00000000 s03=00000000 d01=0000000000000000
s04=00000000 s05=00000000 d02=0000000000000000
s06=00000000 s07=00000000 d03=0000000000000000
s08=00000000 s09=00000000 d04=0000000000000000
s10=00000000 s11=00000000 d05=0000000000000000
s12=00000000 s13=3f800000 d06=3f80000000000000
s14=40400000 s15=3eaaaaab d07=3eaaaaab40400000
s16=00000000 s17=00000000 d08=0000000000000000
s18=00000000 s19=00000000 d09=0000000000000000
s20=00000000 s21=00000000 d10=0000000000000000
s22=00000000 s23=00000000 d11=0000000000000000
s24=00000000 s25=00000000 d12=0000000000000000
s26=00000000 s27=00000000 d13=0000000000000000
s28=00000000 s29=00000000 d14=0000000000000000
s30=00000000 s31=00000000 d15=0000000000000000
FPSCR: 00000010
`;

describe('QEMU trace parser', () => {
  it('keeps executed instructions and drops re-translated and abandoned TBs', () => {
    const recs = parseQemuTrace(log);
    expect(recs.map((r) => r.regs[15]!.toString(16))).toEqual(['d4', '1ec', '1ee', '1f0', '344', '1b4', '1b6', '1b8', '2ea']);
    expect(recs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('parses every register and xPSR', () => {
    const [reset, , afterIo] = parseQemuTrace(log) as [TraceRecord, TraceRecord, TraceRecord];
    expect(reset.regs[13]).toBe(0x20010000);
    expect(reset.regs[14]).toBe(0xffffffff);
    expect(reset.xpsr).toBe(0x41000000);
    expect(afterIo.regs[0]).toBe(0x358);
    expect(afterIo.regs[3]).toBe(0x40004000);
    expect(afterIo.xpsr).toBe(0x21000000);
  });

  it('attaches exception entries to the first instruction of the handler', () => {
    const recs = parseQemuTrace(log);
    const handler = recs[5]!;
    expect(handler.exceptions).toEqual([15]);
    expect(handler.events[0]).toBe('Taking exception 5 [IRQ] on CPU 0');
    expect(handler.xpsr & 0x1ff).toBe(15);
    expect(handler.regs[14]).toBe(0xfffffff9);
    expect(recs[6]!.exceptions).toEqual([]);
    expect(recs[4]!.exceptions).toEqual([]);
  });

  it('gives the same records whatever the chunking', () => {
    const whole = parseQemuTrace(log);
    for (const size of [1, 7, 64, 1000]) {
      const got: TraceRecord[] = [];
      const p = new QemuTraceParser((r) => got.push(r));
      for (let i = 0; i < log.length; i += size) p.push(log.slice(i, i + size));
      p.end();
      expect(got).toEqual(whole);
    }
  });

  it('rejects a register dump cut short and registers with no Trace line', () => {
    const cut = log.split('\n').slice(0, 5).join('\n') + '\n';
    expect(() => parseQemuTrace(cut)).toThrow(TraceFormatError);
    expect(() => parseQemuTrace('R00=00000000 R01=00000000 R02=00000000 R03=00000000\n')).toThrow(/without Trace/);
  });

  it('reads s0-s31 and FPSCR from a trace made with -d fpu', () => {
    const recs = parseQemuTrace(fpLog, { fpu: true });
    expect(recs.map((r) => r.regs[15]!.toString(16))).toEqual(['ca', 'ce', 'd0']);
    const [before, after] = recs as [TraceRecord, TraceRecord];
    expect(before.s![13]).toBe(0x3f800000);
    expect(before.s![14]).toBe(0x40400000);
    expect(before.s![15]).toBe(0);
    expect(before.fpscr).toBe(0);
    // 1/3 rounded to nearest, and the inexact flag (IXC, bit 4) it raises.
    expect(after.s![15]).toBe(new Uint32Array(Float32Array.of(1 / 3).buffer)[0]);
    expect(after.fpscr).toBe(0x10);
    expect(after.s!.filter((v, i) => v !== 0 && ![13, 14, 15].includes(i))).toEqual(new Uint32Array(0));
    expect(after.regs[13]).toBe(0x2003fff8);
    expect(recs[2]!.regs[13]).toBe(0x2003fff0);
  });

  it('has no FP registers in a core-only trace, and rejects an FP dump cut short', () => {
    expect(parseQemuTrace(log).every((r) => r.s === null && r.fpscr === null)).toBe(true);
    const withoutFpscr = fpLog.split('\n').filter((l) => !l.startsWith('FPSCR')).join('\n');
    expect(() => parseQemuTrace(withoutFpscr, { fpu: true })).toThrow(/cut short/);
    // A core-only log read as an FP one is cut short at every record.
    expect(() => parseQemuTrace(log, { fpu: true })).toThrow(TraceFormatError);
    expect(() => parseQemuTrace(fpLog.replace('s14=40400000', 's14=4040zz00'), { fpu: true })).toThrow(/bad register value/);
  });

  it('gives the same FP records whatever the chunking', () => {
    const whole = parseQemuTrace(fpLog, { fpu: true });
    for (const size of [1, 13, 100]) {
      const got: TraceRecord[] = [];
      const p = new QemuTraceParser((r) => got.push(r), { fpu: true });
      for (let i = 0; i < fpLog.length; i += size) p.push(fpLog.slice(i, i + size));
      p.end();
      expect(got).toEqual(whole);
    }
  });
});

// Excerpt of a real QEMU 7.2 `-M virt -cpu cortex-a15 -singlestep -d exec,cpu,fpu,nochain,int
// -icount shift=7` log of v7a-exceptions-arm-O2.elf: a load from an unassigned address (0x0b000004)
// re-translated for I/O, its data abort, the vector and the handler's first instruction.
const virtLog = readFileSync(join(here, '../fixtures/qemu-trace/virt-dabt-shift7-excerpt.log'), 'latin1');

describe('QemuTraceParser on A-profile (virt)', () => {
  it('reads CPSR, s0-s63 and FPSCR and attaches the abort to the vector record', () => {
    const recs = parseQemuTrace(virtLog, { fpu: true, profile: 'a' });
    // the first dump of the faulting load is void (re-translated), its second one is kept
    expect(recs.map((r) => r.regs[15]!.toString(16))).toEqual(['400002cc', '40000010', '40000604']);
    const [load, vector] = recs as [TraceRecord, TraceRecord];
    expect(load.xpsr).toBe(0x200001df);
    expect(load.exceptions).toEqual([]);
    expect(vector.exceptions).toEqual([4]);
    expect(vector.xpsr).toBe(0x200001d7);
    expect(vector.regs[14]).toBe(0x400002d4);
    expect(vector.events.some((e) => e.startsWith('...with DFSR 0x8 DFAR 0xb000004'))).toBe(true);
    expect(load.s).toHaveLength(64);
    expect(load.fpscr).toBe(0);
  });

  it('rejects an A-profile dump read as M-profile (no XPSR line: cut short)', () => {
    expect(() => parseQemuTrace(virtLog, { fpu: true })).toThrow(TraceFormatError);
  });
});
