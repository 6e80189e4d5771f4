/**
 * ELF32 little-endian ARM executables: PT_LOAD segments are copied to their physical addresses
 * (what QEMU's -kernel does on M-profile boards), BSS-style tails are zero-filled, and the symbol
 * table is kept for debuggers and tests.
 */
import type { Bus } from '../memory/bus.js';
import type { Machine } from '../machines/machine.js';

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
}

export interface ElfSegment {
  /** Physical (load) address. */
  paddr: number;
  vaddr: number;
  fileSize: number;
  memSize: number;
  flags: number;
  /** Where the segment's bytes start in the file. */
  fileOffset: number;
}

export interface LoadedElf {
  entry: number;
  /** Tag_CPU_arch_profile from .ARM.attributes ('A', 'R', 'M', 'S'), when the ELF has one. */
  armProfile?: string;
  segments: ElfSegment[];
  /** Symbols by name (the first definition wins when a name repeats, e.g. local statics). */
  symbols: Map<string, ElfSymbol>;
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SHT_ARM_ATTRIBUTES = 0x70000003;
const EM_ARM = 40;
const ET_EXEC = 2;
const ET_DYN = 3;
const SYMBOL_TYPES: ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file'];

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Parse an ELF image without loading it. Throws ElfError with a specific reason. */
export function parseElf(bytes: Uint8Array): LoadedElf & { readonly image: Uint8Array } {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic; expected 7f 45 4c 46 "\\x7fELF"); armrr loads ELF executables');
  }
  if (bytes.length < 52) throw new ElfError(`truncated ELF header: file is ${bytes.length} bytes, header needs 52`);
  if (bytes[4] !== 1) {
    throw new ElfError(`not a 32-bit ELF (EI_CLASS=${bytes[4]}${bytes[4] === 2 ? ', 64-bit' : ''}); build for ARMv7-M (arm-none-eabi)`);
  }
  if (bytes[5] !== 1) throw new ElfError(`not a little-endian ELF (EI_DATA=${bytes[5]}); build with -mlittle-endian`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_ARM) throw new ElfError(`not an ARM ELF (e_machine=${machine}, expected ${EM_ARM}); build with arm-none-eabi-gcc`);
  if (type !== ET_EXEC && type !== ET_DYN) {
    throw new ElfError(`not an executable ELF (e_type=${type}${type === 1 ? ', a relocatable object: link it first' : ''})`);
  }
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  if (phnum === 0) throw new ElfError('ELF has no program headers, so nothing to load');
  if (phentsize < 32) throw new ElfError(`corrupt ELF: program header size ${phentsize} < 32`);
  if (phoff + phnum * phentsize > bytes.length) {
    throw new ElfError(`truncated or corrupt ELF: program headers at ${phoff} (${phnum} x ${phentsize} bytes) run past the end of the ${bytes.length}-byte file`);
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (u32(o) !== PT_LOAD) continue;
    const offset = u32(o + 4);
    const seg: ElfSegment = {
      fileOffset: offset,
      vaddr: u32(o + 8),
      paddr: u32(o + 12),
      fileSize: u32(o + 16),
      memSize: u32(o + 20),
      flags: u32(o + 24),
    };
    if (offset + seg.fileSize > bytes.length) {
      throw new ElfError(`truncated or corrupt ELF: segment ${i} needs file bytes ${offset}..${offset + seg.fileSize} but the file has ${bytes.length}`);
    }
    if (seg.memSize < seg.fileSize) throw new ElfError(`corrupt ELF: segment ${i} has p_memsz ${seg.memSize} < p_filesz ${seg.fileSize}`);
    segments.push(seg);
  }
  const symbols = new Map<string, ElfSymbol>();
  let armProfile: string | undefined;
  if (shoff !== 0 && shnum !== 0) {
    if (shentsize < 40 || shoff + shnum * shentsize > bytes.length) {
      throw new ElfError(`truncated or corrupt ELF: section headers at ${shoff} (${shnum} x ${shentsize} bytes) run past the end of the ${bytes.length}-byte file`);
    }
    readSymbols(bytes, dv, shoff, shnum, shentsize, symbols);
    armProfile = readArmProfile(bytes, dv, shoff, shnum, shentsize);
  }
  return { entry, segments, symbols, armProfile, image: bytes };
}

function readSymbols(
  bytes: Uint8Array,
  dv: DataView,
  shoff: number,
  shnum: number,
  shentsize: number,
  out: Map<string, ElfSymbol>,
): void {
  const u32 = (o: number): number => dv.getUint32(o, true);
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (u32(sh + 4) !== SHT_SYMTAB) continue;
    const off = u32(sh + 16);
    const size = u32(sh + 20);
    const link = u32(sh + 24);
    const entsize = u32(sh + 36) || 16;
    if (link >= shnum) throw new ElfError(`corrupt ELF: symbol table links to missing string table ${link}`);
    const strSh = shoff + link * shentsize;
    const strOff = u32(strSh + 16);
    const strSize = u32(strSh + 20);
    if (off + size > bytes.length || strOff + strSize > bytes.length) {
      throw new ElfError('truncated or corrupt ELF: symbol or string table runs past the end of the file');
    }
    for (let e = off + entsize; e + 16 <= off + size; e += entsize) {
      const nameOff = u32(e);
      if (nameOff === 0 || nameOff >= strSize) continue;
      let end = strOff + nameOff;
      while (end < strOff + strSize && bytes[end] !== 0) end++;
      const name = decoder.decode(bytes.subarray(strOff + nameOff, end));
      const info = bytes[e + 12]!;
      const sym: ElfSymbol = { name, value: u32(e + 4), size: u32(e + 8), type: SYMBOL_TYPES[info & 0xf] ?? 'other' };
      // Prefer global definitions over earlier local ones with the same name.
      if (!out.has(name) || info >> 4 === 1) out.set(name, sym);
    }
  }
}

/**
 * Tag_CPU_arch_profile (tag 7) of the "aeabi" subsection of .ARM.attributes, or undefined. The
 * section is a list of ULEB128 tags; tags 4, 5, 65 and 67 (and odd tags above 32) carry strings,
 * tag 32 a number and a string, the rest numbers.
 */
function readArmProfile(bytes: Uint8Array, dv: DataView, shoff: number, shnum: number, shentsize: number): string | undefined {
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (dv.getUint32(sh + 4, true) !== SHT_ARM_ATTRIBUTES) continue;
    const off = dv.getUint32(sh + 16, true);
    const end = Math.min(off + dv.getUint32(sh + 20, true), bytes.length);
    if (off >= end || bytes[off] !== 0x41) return undefined;
    let p = off + 1;
    const uleb = (): number => {
      let v = 0;
      let shift = 0;
      while (p < end) {
        const b = bytes[p++]!;
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      return v;
    };
    const skipString = (): void => {
      while (p < end && bytes[p] !== 0) p++;
      p++;
    };
    while (p + 4 <= end) {
      const subStart = p;
      const subLen = dv.getUint32(p, true);
      p += 4;
      const vendorStart = p;
      skipString();
      const vendor = new TextDecoder().decode(bytes.subarray(vendorStart, p - 1));
      const subEnd = Math.min(subStart + subLen, end);
      if (vendor === 'aeabi') {
        while (p < subEnd) {
          const tag = uleb();
          const size = p + 4 <= subEnd ? dv.getUint32(p, true) : 0;
          const tagEnd = Math.min(p - 1 + size, subEnd);
          p += 4;
          if (tag !== 1) {
            p = tagEnd; // section/symbol-scoped attributes: not needed
            continue;
          }
          while (p < tagEnd) {
            const t = uleb();
            if (t === 7) return String.fromCharCode(uleb());
            if (t === 4 || t === 5 || t === 67 || t === 65 || (t > 32 && (t & 1) === 1)) skipString();
            else if (t === 32) {
              uleb();
              skipString();
            } else uleb();
          }
        }
      }
      if (subLen === 0) break;
      p = subEnd;
    }
  }
  return undefined;
}

/** Copy the PT_LOAD segments into RAM through `bus.debugWrite` (copy-on-write safe). */
export function loadElf(bus: Bus, bytes: Uint8Array, machineName = 'this machine'): LoadedElf {
  const elf = parseElf(bytes);
  for (const seg of elf.segments) {
    if (seg.memSize === 0) continue;
    const offset = seg.fileOffset;
    const last = seg.paddr + seg.memSize - 1;
    let inside = last <= 0xffffffff;
    for (let a = seg.paddr; inside && a <= last; a += 0x1000) if (!bus.isRam(a)) inside = false;
    if (inside && !bus.isRam(last)) inside = false;
    if (!inside) {
      throw new ElfError(
        `segment at ${hex(seg.paddr)} (${seg.memSize} bytes) is outside this machine's memory; is this firmware for ${machineName}?`,
      );
    }
    const data = new Uint8Array(seg.memSize);
    data.set(bytes.subarray(offset, offset + seg.fileSize));
    bus.debugWrite(seg.paddr, data);
  }
  return { entry: elf.entry, segments: elf.segments, symbols: elf.symbols };
}

/** Load firmware into a machine and reset it (reset reads SP and PC from the vector table). */
export function loadFirmware(machine: Machine, bytes: Uint8Array): LoadedElf {
  const elf = loadElf(machine.bus, bytes, machine.name);
  machine.exceptions.setBootEntry?.(elf.entry);
  machine.reset();
  return elf;
}
