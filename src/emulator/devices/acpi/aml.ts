/**
 * An encoder for ACPI Machine Language (ACPI 6.4 §20.2, "AML Grammar Definition") and the small
 * resource descriptors (§6.4) that QEMU's generated DSDTs use. Every function returns the bytes of
 * one term; composite terms take their children's bytes. Encodings are the grammar's: the
 * shortest PkgLength (§20.2.4), the shortest integer form (ZeroOp, OneOp, Byte/Word/DWord/QWord
 * prefixes, as QEMU's aml_int picks), NameSegs padded with '_'.
 *
 * Runs once per machine (the tables are built at board creation), so plain arrays are fine here.
 */
import { ByteWriter } from './byte-writer.js';

export type Aml = Uint8Array;

const ZERO_OP = 0x00;
const ONE_OP = 0x01;
const NAME_OP = 0x08;
const BYTE_PREFIX = 0x0a;
const WORD_PREFIX = 0x0b;
const DWORD_PREFIX = 0x0c;
const STRING_PREFIX = 0x0d;
const QWORD_PREFIX = 0x0e;
const SCOPE_OP = 0x10;
const BUFFER_OP = 0x11;
const PACKAGE_OP = 0x12;
const VAR_PACKAGE_OP = 0x13;
const METHOD_OP = 0x14;
const DUAL_NAME_PREFIX = 0x2e;
const MULTI_NAME_PREFIX = 0x2f;
const EXT_OP_PREFIX = 0x5b;
const DEVICE_OP = 0x82; // after EXT_OP_PREFIX
const ROOT_CHAR = 0x5c;
const PARENT_PREFIX_CHAR = 0x5e;
const LOCAL0_OP = 0x60;
const ARG0_OP = 0x68;
const STORE_OP = 0x70;
const AND_OP = 0x7b;
const OR_OP = 0x7d;
const NOTIFY_OP = 0x86;
const CREATE_DWORD_FIELD_OP = 0x8a;
const LNOT_OP = 0x92;
const LEQUAL_OP = 0x93;
const IF_OP = 0xa0;
const ELSE_OP = 0xa1;
const RETURN_OP = 0xa4;

export function concat(parts: readonly Aml[]): Aml {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** PkgLength (§20.2.4) for a body of `body` bytes: the encoding counts its own bytes. */
export function pkgLength(body: number): Aml {
  // 1 byte holds up to 63, 2 bytes 12 bits, 3 bytes 20 bits, 4 bytes 28 bits.
  const limits = [0x3f, 0xfff, 0xfffff, 0xfffffff];
  const n = limits.findIndex((max, i) => body + i + 1 <= max) + 1;
  if (n === 0) throw new RangeError(`AML package of ${body} bytes does not fit a PkgLength`);
  const total = body + n;
  if (n === 1) return Uint8Array.of(total);
  const out = new Uint8Array(n);
  out[0] = ((n - 1) << 6) | (total & 0xf);
  for (let i = 1; i < n; i++) out[i] = (total >>> (4 + 8 * (i - 1))) & 0xff;
  return out;
}

/** Opcode(s), PkgLength, then the body: the shape of every variable-length term. */
function withPkg(op: readonly number[], body: readonly Aml[]): Aml {
  const b = concat(body);
  return concat([Uint8Array.from(op), pkgLength(b.length), b]);
}

function nameSeg(seg: string): number[] {
  if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(seg)) throw new RangeError(`'${seg}' is not an AML NameSeg`);
  const padded = seg.padEnd(4, '_');
  return Array.from(padded, (c) => c.charCodeAt(0));
}

/** NameString (§20.2.2): optional '\' or '^' prefixes, then one, two (DualNamePrefix) or more segments. */
export function nameString(name: string): Aml {
  let i = 0;
  const prefix: number[] = [];
  if (name[0] === '\\') {
    prefix.push(ROOT_CHAR);
    i = 1;
  }
  while (name[i] === '^') {
    prefix.push(PARENT_PREFIX_CHAR);
    i++;
  }
  const rest = name.slice(i);
  const segs = rest === '' ? [] : rest.split('.');
  const body = segs.flatMap(nameSeg);
  if (segs.length === 0) return Uint8Array.from([...prefix, 0x00]); // NullName
  if (segs.length === 1) return Uint8Array.from([...prefix, ...body]);
  if (segs.length === 2) return Uint8Array.from([...prefix, DUAL_NAME_PREFIX, ...body]);
  return Uint8Array.from([...prefix, MULTI_NAME_PREFIX, segs.length, ...body]);
}

/** A reference to a named object (the name as a term). */
export const name = nameString;

/** Integer constant in its shortest form (QEMU's aml_int never uses OnesOp). */
export function int(value: number): Aml {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`AML integer ${value} out of range`);
  if (value === 0) return Uint8Array.of(ZERO_OP);
  if (value === 1) return Uint8Array.of(ONE_OP);
  const w = new ByteWriter();
  if (value <= 0xff) w.u8(BYTE_PREFIX).u8(value);
  else if (value <= 0xffff) w.u8(WORD_PREFIX).u16(value);
  else if (value <= 0xffffffff) w.u8(DWORD_PREFIX).u32(value);
  else w.u8(QWORD_PREFIX).u64(value);
  return w.bytes();
}

/** String constant: ASCII, NUL-terminated. */
export function string(s: string): Aml {
  return Uint8Array.from([STRING_PREFIX, ...Array.from(s, (c) => c.charCodeAt(0) & 0x7f), 0]);
}

/** Buffer of the given bytes; its size is an integer term. */
export function buffer(data: Uint8Array): Aml {
  return withPkg([BUFFER_OP], [int(data.length), data]);
}

/** A UTF-16LE string in a buffer, NUL-terminated (ASL's Unicode()). */
export function unicode(s: string): Aml {
  const w = new ByteWriter();
  for (const c of s) w.u16(c.charCodeAt(0));
  w.u16(0);
  return buffer(w.bytes());
}

/** ASL's ToUUID: a 16-byte buffer, the first three fields little-endian (§19.6.142). */
export function uuid(text: string): Aml {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`'${text}' is not a UUID`);
  const b = Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return buffer(Uint8Array.from(order, (i) => b[i]!));
}

export function package_(elements: readonly Aml[]): Aml {
  if (elements.length > 0xff) throw new RangeError('AML Package holds at most 255 elements: use varPackage');
  return withPkg([PACKAGE_OP], [Uint8Array.of(elements.length), ...elements]);
}

/** VarPackage: the element count is an integer term. */
export function varPackage(elements: readonly Aml[]): Aml {
  return withPkg([VAR_PACKAGE_OP], [int(elements.length), ...elements]);
}

export function nameDecl(n: string, value: Aml): Aml {
  return concat([Uint8Array.of(NAME_OP), nameString(n), value]);
}

export function scope(n: string, body: readonly Aml[]): Aml {
  return withPkg([SCOPE_OP], [nameString(n), ...body]);
}

export function device(n: string, body: readonly Aml[]): Aml {
  return withPkg([EXT_OP_PREFIX, DEVICE_OP], [nameString(n), ...body]);
}

/** Method with `args` arguments, NotSerialized, SyncLevel 0. */
export function method(n: string, args: number, body: readonly Aml[]): Aml {
  if (args < 0 || args > 7) throw new RangeError(`AML method ${n}: ${args} arguments (0..7)`);
  return withPkg([METHOD_OP], [nameString(n), Uint8Array.of(args), ...body]);
}

export const arg = (i: number): Aml => Uint8Array.of(ARG0_OP + i);
export const local = (i: number): Aml => Uint8Array.of(LOCAL0_OP + i);
/** No target (NullName). */
const NO_TARGET = Uint8Array.of(0x00);

export const ret = (value: Aml): Aml => concat([Uint8Array.of(RETURN_OP), value]);
export const store = (source: Aml, target: Aml): Aml => concat([Uint8Array.of(STORE_OP), source, target]);
export const and = (a: Aml, b: Aml, target: Aml = NO_TARGET): Aml => concat([Uint8Array.of(AND_OP), a, b, target]);
export const or = (a: Aml, b: Aml, target: Aml = NO_TARGET): Aml => concat([Uint8Array.of(OR_OP), a, b, target]);
export const lequal = (a: Aml, b: Aml): Aml => concat([Uint8Array.of(LEQUAL_OP), a, b]);
export const lnot = (a: Aml): Aml => concat([Uint8Array.of(LNOT_OP), a]);
export const notify = (object: Aml, value: Aml): Aml => concat([Uint8Array.of(NOTIFY_OP), object, value]);
export const createDWordField = (source: Aml, index: Aml, field: string): Aml =>
  concat([Uint8Array.of(CREATE_DWORD_FIELD_OP), source, index, nameString(field)]);
export const if_ = (predicate: Aml, body: readonly Aml[]): Aml => withPkg([IF_OP], [predicate, ...body]);
export const else_ = (body: readonly Aml[]): Aml => withPkg([ELSE_OP], body);

// ---- Resource descriptors (§6.4) ----

const END_TAG = Uint8Array.of(0x79, 0x00); // checksum 0: "treat as checksummed"

/** ResourceTemplate: the descriptors and an End Tag, in a buffer. */
export function resourceTemplate(descriptors: readonly Aml[]): Aml {
  return buffer(concat([...descriptors, END_TAG]));
}

/** Memory32Fixed (§6.4.3.4), read-write. */
export function memory32Fixed(base: number, length: number): Aml {
  return new ByteWriter().u8(0x86).u16(9).u8(1).u32(base).u32(length).bytes();
}

/** Extended Interrupt (§6.4.3.6): ResourceConsumer, Level, ActiveHigh, Exclusive. */
export function interrupt(irqs: readonly number[]): Aml {
  const w = new ByteWriter().u8(0x89).u16(2 + 4 * irqs.length).u8(0x01).u8(irqs.length);
  for (const i of irqs) w.u32(i);
  return w.bytes();
}

/** General flags of an address space descriptor: ResourceProducer, PosDecode, MinFixed, MaxFixed. */
const ADDRESS_PRODUCER_FIXED = 0x0c;
const RESOURCE_MEMORY = 0;
const RESOURCE_IO = 1;
const RESOURCE_BUS = 2;
/** Memory type-specific flags: ReadWrite, NonCacheable, AddressRangeMemory, TypeStatic. */
const MEMORY_RW_NONCACHEABLE = 0x01;
/** I/O type-specific flags: EntireRange, TypeStatic, DenseTranslation. */
const IO_ENTIRE_RANGE = 0x03;

export interface AddressRange {
  granularity: number;
  min: number;
  max: number;
  translation: number;
  length: number;
}

/** WordBusNumber (Word Address Space Descriptor, §6.4.3.5.3). */
export function wordBusNumber(r: AddressRange): Aml {
  const w = new ByteWriter().u8(0x88).u16(13).u8(RESOURCE_BUS).u8(ADDRESS_PRODUCER_FIXED).u8(0);
  w.u16(r.granularity).u16(r.min).u16(r.max).u16(r.translation).u16(r.length);
  return w.bytes();
}

function dword(type: number, typeFlags: number, r: AddressRange): Aml {
  const w = new ByteWriter().u8(0x87).u16(23).u8(type).u8(ADDRESS_PRODUCER_FIXED).u8(typeFlags);
  w.u32(r.granularity).u32(r.min).u32(r.max).u32(r.translation).u32(r.length);
  return w.bytes();
}

/** DWordMemory (§6.4.3.5.2): non-cacheable read-write memory. */
export const dwordMemory = (r: AddressRange): Aml => dword(RESOURCE_MEMORY, MEMORY_RW_NONCACHEABLE, r);
/** DWordIO (§6.4.3.5.2): the entire I/O range. */
export const dwordIo = (r: AddressRange): Aml => dword(RESOURCE_IO, IO_ENTIRE_RANGE, r);

/** QWordMemory (QWord Address Space Descriptor, §6.4.3.5.1): non-cacheable read-write memory. */
export function qwordMemory(r: AddressRange): Aml {
  const w = new ByteWriter().u8(0x8a).u16(43).u8(RESOURCE_MEMORY).u8(ADDRESS_PRODUCER_FIXED).u8(MEMORY_RW_NONCACHEABLE);
  w.u64(r.granularity).u64(r.min).u64(r.max).u64(r.translation).u64(r.length);
  return w.bytes();
}

/**
 * GpioInt (GPIO Connection Descriptor, §6.4.3.8.1): ResourceConsumer, Edge, ActiveHigh,
 * Exclusive, PullUp, no debounce, the pins of the named controller, no vendor data.
 */
export function gpioIntEdgeHighPullUp(pins: readonly number[], controller: string): Aml {
  const fixed = 23; // bytes from the descriptor's start to the pin table
  const source = Uint8Array.from([...Array.from(controller, (c) => c.charCodeAt(0)), 0]);
  const sourceOffset = fixed + 2 * pins.length;
  const vendorOffset = sourceOffset + source.length;
  const w = new ByteWriter().u8(0x8c).u16(vendorOffset - 3);
  w.u8(1); // revision
  w.u8(0); // connection type: interrupt
  w.u16(0x0001); // general flags: consumer
  w.u16(0x0001); // interrupt flags: edge, active high, exclusive
  w.u8(0x01); // pin configuration: pull-up
  w.u16(0).u16(0); // output drive strength, debounce timeout
  w.u16(fixed).u8(0).u16(sourceOffset).u16(vendorOffset).u16(0);
  for (const p of pins) w.u16(p);
  w.raw(source);
  return w.bytes();
}
