import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QemuTraceParser, TraceFormatError, parseQemuTrace, type TraceRecord } from '../../src/tools/qemu-trace.js';

// Excerpt of a real QEMU 7.2 `-singlestep -d exec,cpu,nochain,int -icount shift=7` log of
// fw_tiny.elf: reset, two I/O re-translations, an abandoned TB before a SysTick entry, the exit.
const here = dirname(fileURLToPath(import.meta.url));
const log = readFileSync(join(here, '../fixtures/qemu-trace/fw_tiny-shift7-excerpt.log'), 'latin1');

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
});
