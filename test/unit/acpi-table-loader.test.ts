// The generated ACPI blobs run through their own table-loader script as guest firmware runs it
// (the command semantics of QEMU's hw/acpi/bios-linker-loader.c: ALLOCATE places a
// file, ADD_POINTER adds the pointee file's address to the field, ADD_CHECKSUM makes the range sum
// to 0): afterwards every table must be reachable from the RSDP by address and checksum to 0, as the
// ACPI specification requires. Byte equality with QEMU is test/integration/fw-cfg-blobs-vs-qemu.test.ts.
// Also SMBIOS sizes beyond what that test runs (several 16 GiB DIMMs), checked against DSP0134 rules.
import { describe, expect, it } from 'vitest';
import { buildVirtAcpi } from '../../src/emulator/devices/acpi/virt-acpi.js';
import { buildVirtSmbios } from '../../src/emulator/devices/smbios/virt-smbios.js';

const GiB = 2 ** 30;

/** Runs the loader script: returns the files laid out in one flat memory, and where each went. */
function load(files: Record<string, Uint8Array>, script: Uint8Array): { mem: Uint8Array; at: Record<string, number> } {
  const mem = new Uint8Array(0x40000);
  const at: Record<string, number> = {};
  let next = 0x1000;
  const v = new DataView(script.buffer, script.byteOffset, script.byteLength);
  const name = (o: number) => Buffer.from(script.subarray(o, o + 56)).toString('latin1').replace(/\0.*$/s, '');
  for (let c = 0; c < script.length; c += 128) {
    const cmd = v.getUint32(c, true);
    if (cmd === 1) {
      const f = name(c + 4);
      const align = v.getUint32(c + 60, true);
      next = Math.ceil(next / align) * align;
      at[f] = next;
      mem.set(files[f]!, next);
      next += files[f]!.length;
    } else if (cmd === 2) {
      const dest = at[name(c + 4)]!;
      const src = at[name(c + 60)]!;
      const offset = v.getUint32(c + 116, true);
      const size = script[c + 120]!;
      const mv = new DataView(mem.buffer);
      if (size === 4) mv.setUint32(dest + offset, mv.getUint32(dest + offset, true) + src, true);
      else if (size === 8) mv.setUint32(dest + offset, mv.getUint32(dest + offset, true) + src, true); // high word stays 0 below 4 GiB
      else throw new Error(`pointer size ${size}`);
    } else if (cmd === 3) {
      const file = at[name(c + 4)]!;
      const sumAt = v.getUint32(c + 60, true);
      const start = v.getUint32(c + 64, true);
      const length = v.getUint32(c + 68, true);
      let sum = 0;
      for (let i = 0; i < length; i++) sum += mem[file + start + i]!;
      mem[file + sumAt] = (mem[file + sumAt]! - sum) & 0xff;
    } else {
      throw new Error(`unknown loader command ${cmd}`);
    }
  }
  return { mem, at };
}

describe('generated ACPI blobs through their table loader', () => {
  const acpi = buildVirtAcpi();
  const { mem, at } = load({ 'etc/acpi/tables': acpi.tables, 'etc/acpi/rsdp': acpi.rsdp }, acpi.tableLoader);
  const mv = new DataView(mem.buffer);
  const sig = (a: number) => Buffer.from(mem.subarray(a, a + 4)).toString('latin1');
  const sums = (a: number, n: number) => mem.subarray(a, a + n).reduce((s, b) => (s + b) & 0xff, 0);

  it('allocates the RSDP 16-aligned in the FSEG zone and the tables 64-aligned', () => {
    expect(at['etc/acpi/rsdp']! % 16).toBe(0);
    expect(at['etc/acpi/tables']! % 64).toBe(0);
    expect(acpi.tableLoader[4 + 56 + 4]).toBe(2); // first command: the RSDP, FSEG
  });

  it('RSDP -> XSDT -> every table by address, each checksumming to 0; the FADT points at the DSDT', () => {
    const rsdp = at['etc/acpi/rsdp']!;
    expect(sig(rsdp) + sig(rsdp + 4)).toBe('RSD PTR ');
    expect(sums(rsdp, 20)).toBe(0);
    expect(sums(rsdp, 36)).toBe(0);
    const xsdt = mv.getUint32(rsdp + 24, true);
    expect(sig(xsdt)).toBe('XSDT');
    const xlen = mv.getUint32(xsdt + 4, true);
    expect(sums(xsdt, xlen)).toBe(0);
    const found: string[] = [];
    for (let e = xsdt + 36; e < xsdt + xlen; e += 8) {
      const t = mv.getUint32(e, true);
      found.push(sig(t));
      expect(sums(t, mv.getUint32(t + 4, true)), sig(t)).toBe(0);
      if (sig(t) === 'FACP') {
        const dsdt = mv.getUint32(t + 140, true); // X_DSDT (ACPI 6.4 table 5.9, offset 140)
        expect(sig(dsdt)).toBe('DSDT');
        expect(sums(dsdt, mv.getUint32(dsdt + 4, true))).toBe(0);
      }
    }
    expect(found).toEqual(['FACP', 'APIC', 'PPTT', 'GTDT', 'MCFG', 'SPCR', 'DBG2', 'IORT']);
  });
});

describe('SMBIOS memory structures by RAM size', () => {
  /** The structures: type, formatted bytes, strings. */
  function parse(t: Uint8Array): { type: number; f: DataView; strings: string[] }[] {
    const out = [];
    let o = 0;
    while (o < t.length) {
      const len = t[o + 1]!;
      const strings: string[] = [];
      let e = o + len;
      if (t[e] === 0) e += 2; // no strings: two NULs
      else {
        while (t[e] !== 0) {
          const z = t.indexOf(0, e);
          strings.push(Buffer.from(t.subarray(e, z)).toString('latin1'));
          e = z + 1;
        }
        e += 1;
      }
      out.push({ type: t[o]!, f: new DataView(t.buffer, t.byteOffset + o, len), strings });
      o = e;
    }
    return out;
  }

  it.each([
    [40 * GiB, [16384, 16384, 8192]],
    [16 * GiB, [16384]],
    [16 * GiB + 4096, [16384, 1]],
  ])('%d bytes: one type 17 per 16 GiB, sizes in MB adding up, the count in type 16', (ram, mb) => {
    const s = parse(buildVirtSmbios({ ramBytes: ram, machineType: 'virt-7.2' }).tables);
    expect(s.map((x) => x.type).at(-1)).toBe(127);
    const t16 = s.find((x) => x.type === 16)!;
    expect(t16.f.getUint32(7, true)).toBe(Math.ceil(ram / 1024)); // maximum capacity in KB
    expect(t16.f.getUint16(13, true)).toBe(mb.length); // number of memory devices
    const t17 = s.filter((x) => x.type === 17);
    expect(t17.map((x) => x.f.getUint16(12, true))).toEqual(mb); // size in MB
    expect(t17.map((x) => x.f.getUint16(2, true))).toEqual(mb.map((_, i) => 0x1100 + i)); // handles
    expect(t17.map((x) => x.strings[0])).toEqual(mb.map((_, i) => `DIMM ${i}`));
  });
});
