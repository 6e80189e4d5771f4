/**
 * The MMU against QEMU 7.2: a bare-metal probe (test/integration/mmu-qemu/probe.S) builds the same
 * translation tables on `qemu-system-arm -M virt -cpu cortex-a15`, makes one access per probe
 * (LDR/STR/LDRH/STRH, LDRT/STRT, an instruction fetch, ATS1C* into PAR) and prints the outcome:
 * status, value or PAR, DFSR/IFSR and DFAR/IFAR as QEMU reports them. The test computes the same
 * lines with armrr's Mmu on a bus holding the same memory image, and runs the same ELF on
 * `armrr run --machine virt` (core, abort handlers and MMU end to end); both must be identical to
 * QEMU's, so every fault status, fault address, permission and PAR value here is QEMU's, not ours.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { ACCESS_READ, ACCESS_WRITE, MMU_FAULT, Mmu } from '../../src/emulator/memory/mmu.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import {
  BX_LR,
  FILL_END,
  FILL_START,
  Probe,
  RAM_BASE,
  RAM_SIZE,
  SCTLR_RESET,
  buildProbe,
  hex,
  lines,
  lpae,
  lpaeSplit,
  shortAfe,
  shortBasic,
  type Scenario,
} from './mmu-qemu/scenarios.js';

const work = mkdtempSync(join(tmpdir(), 'armrr-mmu-qemu-'));

/** What armrr's Mmu answers for the scenario, in the probe's output format. */
function armrrLines(s: Scenario): string[] {
  // virt's flash at 0 reads as zero when empty (QEMU reads a table at 0x1_0000_0000 there).
  const bus = new Bus([
    { name: 'flash', base: 0, size: 0x10000 },
    { name: 'ram', base: RAM_BASE, size: RAM_SIZE },
  ]);
  for (let a = FILL_START; a < FILL_END; a += 4) bus.write32(a, BX_LR | 0);
  for (const [pa, v] of s.words) bus.write32(pa, v | 0);
  const mmu = new Mmu(bus);
  mmu.writeTtbcr(s.ttbcr);
  [mmu.ttbr0Lo, mmu.ttbr0Hi] = s.ttbr0;
  [mmu.ttbr1Lo, mmu.ttbr1Hi] = s.ttbr1;
  mmu.dacr = s.dacr;
  mmu.prrr = s.prrr;
  mmu.nmrr = s.nmrr;
  mmu.translationChanged();
  mmu.setSctlr(SCTLR_RESET | s.sctlrOr);
  const out: string[] = [];
  for (const [kind, va] of s.probes) {
    let status = 0;
    let value = 0;
    let hi = 0;
    let fsr = 0;
    let far = 0;
    mmu.forceUser = kind === Probe.Ldrt || kind === Probe.Strt;
    try {
      switch (kind) {
        case Probe.Ldr:
        case Probe.Ldrt:
          value = mmu.read32(va);
          break;
        case Probe.Str:
        case Probe.Strt:
          mmu.write32(va, BX_LR | 0);
          break;
        case Probe.Ldrh:
          value = mmu.read16(va);
          break;
        case Probe.Strh:
          mmu.write16(va, BX_LR & 0xffff);
          break;
        case Probe.Fetch:
          mmu.fetch32(va);
          break;
        default:
          mmu.addressTranslate(va, kind === Probe.Ats1cpr || kind === Probe.Ats1cur ? ACCESS_READ : ACCESS_WRITE, kind >= Probe.Ats1cur);
      }
    } catch (e) {
      if (e !== MMU_FAULT) throw e;
      status = MMU_FAULT.isFetch ? 2 : 1;
      fsr = MMU_FAULT.fsr;
      far = MMU_FAULT.far;
    }
    mmu.forceUser = false;
    if (kind >= Probe.Ats1cpr && kind <= Probe.Ats1cuw) {
      value = mmu.parLo;
      hi = mmu.parHi;
    }
    out.push([status, value, hi, fsr, far].map(hex).join(' '));
  }
  return out;
}

async function qemuLines(elf: string): Promise<string[]> {
  const res = await runQemu(elf, { machine: 'virt', extraArgs: ['-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none'], timeoutMs: 60_000 });
  expect(res.timedOut).toBe(false);
  expect(res.exitCode).toBe(0);
  return lines(guestStderr(res.stderr));
}

/** The same probe run by armrr (`armrr run --machine virt`, 128 MiB by default): core + MMU end to end. */
async function armrrRunLines(elf: string): Promise<string[]> {
  const res = await runArmrrCli(elf, { machine: 'virt', timeoutMs: 60_000 });
  expect(res.exitCode).toBe(0);
  return lines(armrrGuestStderr(res.stderr));
}

describe('MMU vs QEMU 7.2 (virt, cortex-a15)', () => {
  beforeAll(() => requireQemu());
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const scenarios = [shortBasic, shortAfe, lpae, lpaeSplit];
  scenarios.forEach((s, i) => {
    it(`${s.name}: ${s.probes.length} probes give QEMU's status, value/PAR, FSR and FAR`, async () => {
      const elf = buildProbe(s, i, work);
      const expected = await qemuLines(elf);
      expect(expected.length).toBe(s.probes.length);
      const got = armrrLines(s);
      const rows = s.probes.map(([k, va], j) => `${Probe[k]} ${hex(va)}: ${got[j]}`);
      const want = s.probes.map(([k, va], j) => `${Probe[k]} ${hex(va)}: ${expected[j]}`);
      expect(rows.filter((r, j) => r !== want[j])).toEqual(want.filter((w, j) => w !== rows[j]));
      // The scenarios must exercise faults of every kind, not only successes.
      expect(expected.filter((l) => l.startsWith('00000001')).length).toBeGreaterThan(10);
      expect(expected.filter((l) => l.startsWith('00000002')).length).toBeGreaterThan(3);
      // And the whole program on armrr's virt (A32 core, abort handlers, MCRR/MRRC, LDRT/STRT).
      const run = await armrrRunLines(elf);
      const runRows = s.probes.map(([k, va], j) => `${Probe[k]} ${hex(va)}: ${run[j]}`);
      expect(runRows.filter((r, j) => r !== want[j])).toEqual(want.filter((w, j) => w !== runRows[j]));
    });
  });
});
