import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bus } from '../../src/emulator/memory/bus.js';
import { ElfError, loadElf, parseElf } from '../../src/emulator/loader/elf.js';
import { AN385_RAM } from '../../src/emulator/machines/mps2.js';

const FIXTURE = new URL('../fixtures/qemu-7.2-mps2/echo.elf', import.meta.url).pathname;
const image = new Uint8Array(readFileSync(FIXTURE));

function newBus(): Bus {
  return new Bus(AN385_RAM.map((r) => ({ ...r, aliases: r.aliases ? [...r.aliases] : undefined })));
}

function patched(edit: (dv: DataView, b: Uint8Array) => void): Uint8Array {
  const b = image.slice();
  edit(new DataView(b.buffer), b);
  return b;
}

function elfError(bytes: Uint8Array): string {
  try {
    loadElf(newBus(), bytes, 'mps2-an385');
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return (e as Error).message;
  }
  throw new Error('expected an ElfError');
}

describe('ELF loader', () => {
  it('loads PT_LOAD segments at their physical addresses, matching objcopy -O binary', () => {
    const bus = newBus();
    const elf = loadElf(bus, image);
    // readelf and the loader must agree on the entry point.
    const header = execFileSync('arm-none-eabi-readelf', ['-h', FIXTURE], { encoding: 'utf8' });
    expect(elf.entry).toBe(parseInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(header)![1]!, 16));
    // objcopy gives the file-backed bytes starting at the lowest load address (0 here).
    const out = join(mkdtempSync(join(tmpdir(), 'armrr-elf-')), 'fw.bin');
    execFileSync('arm-none-eabi-objcopy', ['-O', 'binary', FIXTURE, out]);
    const bin = new Uint8Array(readFileSync(out));
    const first = elf.segments[0]!;
    const got = bus.debugRead(first.paddr, first.fileSize)!;
    expect(Buffer.from(got).equals(Buffer.from(bin.subarray(0, first.fileSize)))).toBe(true);
  });

  it('exposes the symbol table as arm-none-eabi-readelf sees it', () => {
    const elf = parseElf(image);
    const table = execFileSync('arm-none-eabi-readelf', ['-sW', FIXTURE], { encoding: 'utf8' });
    let checked = 0;
    for (const line of table.split('\n')) {
      // "  Num:    Value  Size Type    Bind   Vis      Ndx Name"
      const m = /^\s*\d+: ([0-9a-f]{8})\s+(\d+) (\w+)\s+GLOBAL\s+\w+\s+\S+ (\S+)$/.exec(line);
      if (!m) continue;
      const sym = elf.symbols.get(m[4]!);
      expect(sym, m[4]).toBeDefined();
      expect(sym!.value).toBe(parseInt(m[1]!, 16));
      expect(sym!.size).toBe(parseInt(m[2]!, 10));
      expect(sym!.type).toBe(m[3]!.toLowerCase());
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('zero-fills p_memsz beyond p_filesz', () => {
    const bus = newBus();
    // Pre-dirty RAM where .bss goes, then check the loader cleared it.
    const elf = parseElf(image);
    const bss = elf.segments.find((s) => s.memSize > s.fileSize)!;
    expect(bss).toBeDefined();
    bus.debugWrite(bss.paddr + bss.fileSize, new Uint8Array(bss.memSize - bss.fileSize).fill(0xaa));
    loadElf(bus, image);
    expect(bus.debugRead(bss.paddr + bss.fileSize, bss.memSize - bss.fileSize)!.every((b) => b === 0)).toBe(true);
  });

  it('rejects garbage with a clear message', () => {
    expect(elfError(new TextEncoder().encode('hello world, not an elf'))).toMatch(/not an ELF file \(bad magic/);
    expect(elfError(new Uint8Array(0))).toMatch(/not an ELF file/);
  });

  it('rejects truncated files', () => {
    expect(elfError(image.slice(0, 20))).toMatch(/truncated ELF header/);
    expect(elfError(image.slice(0, 60))).toMatch(/truncated or corrupt ELF: program headers/);
    const phoff = new DataView(image.buffer, image.byteOffset).getUint32(28, true);
    expect(elfError(image.slice(0, phoff + 32 * 3))).toMatch(/truncated or corrupt ELF: segment 0 needs file bytes/);
  });

  it('rejects 64-bit, big-endian and non-ARM files', () => {
    expect(elfError(patched((_, b) => (b[4] = 2)))).toMatch(/not a 32-bit ELF \(EI_CLASS=2, 64-bit\)/);
    expect(elfError(patched((_, b) => (b[5] = 2)))).toMatch(/not a little-endian ELF/);
    expect(elfError(patched((dv) => dv.setUint16(18, 62, true)))).toMatch(/not an ARM ELF \(e_machine=62, expected 40\)/);
  });

  it('rejects segments outside the machine memory', () => {
    const msg = elfError(
      patched((dv) => {
        const phoff = dv.getUint32(28, true);
        dv.setUint32(phoff + 12, 0x60000000, true); // p_paddr of the first program header
      }),
    );
    expect(msg).toMatch(/segment at 0x60000000 \(\d+ bytes\) is outside this machine's memory; is this firmware for mps2-an385\?/);
  });
});
