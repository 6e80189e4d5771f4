/**
 * reverse-next, reverse-step and reverse-finish over C calls (rev-demo: main -> f -> g, interrupts
 * off in that phase), built at -O0 and -O2, with real gdb-multiarch against `armrr replay --gdb`.
 *
 * At every reverse stop we record the icount and what gdb shows (bt, info registers, x/8xw $sp,
 * globals, locals and arguments). A second replay + gdb session then runs *forward* from icount 0
 * to each of those icounts (`monitor break-icount N` + continue) and must show exactly the same:
 * reverse execution has to land on states the forward run really passes through.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR } from '../support/firmware.js';
import { buildRevFirmware, connectReplay, frameOf, readIcount, recordFirmware } from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';
import type { GdbMi } from '../support/gdb-mi.js';

const SOURCE = join(FIRMWARE_DIR, 'src', 'rev-demo.c');

function lineOf(text: string): number {
  const lines = readFileSync(SOURCE, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' not found in ${SOURCE}`);
  return i + 1;
}

interface Stop {
  command: string;
  icount: number;
  func: string;
  line: number;
  view: Record<string, string>;
}

/** Everything the test compares between the reverse stop and the forward run to the same icount. */
async function capture(gdb: GdbMi): Promise<Record<string, string>> {
  const view: Record<string, string> = {};
  for (const command of ['bt', 'info registers', 'x/8xw $sp', 'info locals', 'info args', 'x/i $pc']) {
    view[command] = await gdb.console(command);
  }
  // -data-evaluate-expression, unlike print, has no $N history number that differs per session.
  for (const expr of ['g_calls', 'g_last', 'chain_total', 'ticks', '$sp', '$lr']) {
    view[`print ${expr}`] = String((await gdb.cmd(`-data-evaluate-expression ${expr}`)).results['value']);
  }
  return view;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-step-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['O0', 'O2'] as const)('reverse-next / reverse-step / reverse-finish (rev-demo-%s)', (opt) => {
  let elf: string;
  let log: string;
  let session: ReplaySession | null = null;
  const stops: Stop[] = [];

  beforeAll(async () => {
    elf = await buildRevFirmware('rev-demo', opt);
    log = join(dir, `rev-demo-${opt}.log`);
    expect(await recordFirmware(elf, log)).toContain('chain=421');
    // Dense snapshots, so reverse execution restores snapshots inside the region it walks through.
    session = await connectReplay(elf, log, { snapshotInterval: 97 });
  });
  afterAll(async () => {
    await session?.close();
  });

  async function reverse(command: string): Promise<Stop> {
    const gdb = session!.gdb;
    const stopped = await gdb.run(command);
    expect(stopped['reason']).toBe('end-stepping-range');
    const frame = frameOf(stopped);
    const stop: Stop = {
      command,
      icount: await readIcount(gdb),
      func: String(frame['func']),
      line: Number(frame['line']),
      view: await capture(gdb),
    };
    const previous = stops[stops.length - 1];
    if (previous) expect(stop.icount).toBeLessThan(previous.icount);
    stops.push(stop);
    return stop;
  }

  it('walks back from after the call loop into f and g, and finishes back out of them', async () => {
    const gdb = session!.gdb;
    const after = lineOf('uart_puts("chain=");');
    await gdb.cmd(`-break-insert rev-demo.c:${after}`);
    const hit = await gdb.run('-exec-continue');
    expect(hit['reason']).toBe('breakpoint-hit');
    expect(Number(frameOf(hit)['line'])).toBe(after);
    await gdb.cmd('-break-delete');
    const start = await readIcount(gdb);
    expect((await gdb.cmd('-data-evaluate-expression chain_total')).results['value']).toBe('421');

    // reverse-next stays in main, stepping back over whole calls of f.
    for (let i = 0; i < 3; i++) {
      const stop = await reverse('-exec-next --reverse');
      expect(stop.func).toBe('main');
    }
    expect(stops[2]!.line).toBe(lineOf('acc += f(i);'));
    // The last f call (i = 3) is behind us: g ran 8 times, chain_total already has only 3 terms.
    expect(stops[2]!.view['print g_calls']).toBe('6');
    expect(start - stops[2]!.icount).toBeGreaterThan(20);

    // reverse-step goes into the previous iteration's call of f, at its closing brace (epilogue).
    let stop = await reverse('-exec-step --reverse');
    for (let i = 0; i < 3 && stop.func !== 'f'; i++) stop = await reverse('-exec-step --reverse');
    expect(stop.func).toBe('f');
    expect(stop.line).toBe(lineOf('return r + local;') + 1);
    // ... and from there, line by line, into the second call of g.
    for (let i = 0; i < 4 && stop.func !== 'g'; i++) stop = await reverse('-exec-step --reverse');
    expect(stop.func).toBe('g');
    expect(stop.view['bt']).toMatch(/#0 .*g \(x=[^)]*\).*\n#1 .* f \(a=(a@entry=)?2\).*\n#2 .* main \(\)/);

    // reverse-finish: back to the call instruction in the caller, twice.
    stop = await reverse('-exec-finish --reverse');
    expect(stop.func).toBe('f');
    expect(stop.view['x/i $pc']).toMatch(/\sbl\s+0x[0-9a-f]+ <g>/);
    stop = await reverse('-exec-finish --reverse');
    expect(stop.func).toBe('main');
    expect(stop.view['x/i $pc']).toMatch(/\sbl\s+0x[0-9a-f]+ <f>/);
    expect(stop.view['print g_calls']).toBe('4');
    stop = await reverse('-exec-next --reverse');
    expect(stop.func).toBe('main');
  });

  it('every stop equals a forward run to the same icount (second replay session)', async () => {
    expect(stops.length).toBeGreaterThanOrEqual(8);
    await session!.close();
    session = null;
    const forward = await connectReplay(elf, log);
    try {
      const gdb = forward.gdb;
      for (const stop of [...stops].reverse()) {
        await gdb.console(`monitor break-icount ${stop.icount}`);
        const stopped = await gdb.run('-exec-continue');
        expect(stopped['signal-name']).toBe('SIGTRAP');
        expect(await readIcount(gdb)).toBe(stop.icount);
        const view = await capture(gdb);
        for (const [command, text] of Object.entries(stop.view)) {
          expect({ at: `${stop.command} -> icount ${stop.icount}`, command, text: view[command] }).toEqual({
            at: `${stop.command} -> icount ${stop.icount}`,
            command,
            text,
          });
        }
      }
    } finally {
      await forward.close();
    }
  });
});
