// The AML encoder against encodings worked out by hand from the ACPI 6.4 specification (§20.2
// grammar and opcode table, §6.4 resource descriptors, §19.6.142 ToUUID byte order): each
// expected byte sequence below was derived from the spec text, not from the encoder's output.
import { describe, expect, it } from 'vitest';
import * as aml from '../../src/emulator/devices/acpi/aml.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const seg = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

describe('AML encoder', () => {
  it('PkgLength: one byte up to 63 in all, then 2, 3 bytes with the low nibble first', () => {
    expect(hex(aml.pkgLength(0))).toBe('01');
    expect(hex(aml.pkgLength(62))).toBe('3f'); // 62 + its own byte = 63
    // 63 + 2 = 65 = 0x41: lead byte 01_00_0001 (one more byte), then 0x41 >> 4 = 0x04
    expect(hex(aml.pkgLength(63))).toBe('4104');
    expect(hex(aml.pkgLength(4093))).toBe('4fff'); // 4095 = 0xfff
    // 4094 + 3 = 4097 = 0x1001: lead 10_00_0001, then 0x00, 0x01
    expect(hex(aml.pkgLength(4094))).toBe('810001');
  });

  it('integers take the shortest form: ZeroOp, OneOp, Byte/Word/DWord/QWord prefixes', () => {
    expect(hex(aml.int(0))).toBe('00');
    expect(hex(aml.int(1))).toBe('01');
    expect(hex(aml.int(2))).toBe('0a02');
    expect(hex(aml.int(0xff))).toBe('0aff');
    expect(hex(aml.int(0x100))).toBe('0b0001');
    expect(hex(aml.int(0x10000))).toBe('0c00000100');
    expect(hex(aml.int(0x40_10000000))).toBe('0e0000001040000000');
  });

  it('name strings: root and parent prefixes, NameSegs padded with _, dual and multi name prefixes', () => {
    expect(hex(aml.nameString('\\_SB'))).toBe('5c' + seg('_SB_'));
    expect(hex(aml.nameString('^FOO'))).toBe('5e' + seg('FOO_'));
    expect(hex(aml.nameString('_SB.PCI0'))).toBe('2e' + seg('_SB_PCI0'));
    expect(hex(aml.nameString('\\A.B.C'))).toBe('5c2f03' + seg('A___B___C___'));
    expect(() => aml.nameString('lower')).toThrow(RangeError);
  });

  it('data objects: String, Name, Buffer, Unicode, Package, VarPackage', () => {
    expect(hex(aml.string('ABC'))).toBe('0d41424300');
    expect(hex(aml.nameDecl('_UID', aml.int(0)))).toBe('08' + seg('_UID') + '00');
    // BufferOp PkgLength BufferSize(ByteConst 3) bytes: body 2 + 3 = 5, PkgLength 6
    expect(hex(aml.buffer(Uint8Array.of(1, 2, 3)))).toBe('11060a03010203');
    // Unicode("AB"): UTF-16LE with a NUL, 6 bytes
    expect(hex(aml.unicode('AB'))).toBe('11090a06410042000000');
    // PackageOp PkgLength NumElements(1) One
    expect(hex(aml.package_([aml.int(1)]))).toBe('12030101');
    // VarPackageOp PkgLength VarNumElements(OneOp) One
    expect(hex(aml.varPackage([aml.int(1)]))).toBe('13030101');
  });

  it('ToUUID: the first three fields little-endian, the rest in text order', () => {
    expect(hex(aml.uuid('33DB4D5B-1FF7-401C-9657-7441C03DD766'))).toBe('11130a10' + '5b4ddb33f71f1c4096577441c03dd766');
  });

  it('named objects: Scope, Device, Method with their PkgLength and flags', () => {
    // DeviceOp (ExtOpPrefix 0x82) PkgLength NameSeg Name(_UID, One): body 4 + 6 = 10, PkgLength 11
    expect(hex(aml.device('FOO', [aml.nameDecl('_UID', aml.int(1))]))).toBe('5b820b' + seg('FOO_') + '08' + seg('_UID') + '01');
    // MethodOp PkgLength NameSeg MethodFlags(0 args) Notify(PWRB, 0x80): body 4 + 1 + 7 = 12
    expect(hex(aml.method('_E03', 0, [aml.notify(aml.name('PWRB'), aml.int(0x80))]))).toBe(
      '140d' + seg('_E03') + '00' + '86' + seg('PWRB') + '0a80',
    );
    expect(hex(aml.method('_SRS', 1, []))).toBe('1406' + seg('_SRS') + '01');
    expect(hex(aml.scope('\\_SB', []))).toBe('1006' + '5c' + seg('_SB_'));
  });

  it('statements and expressions: If/Else, Return, LEqual, LNot, And/Or with targets, Store, CreateDWordField', () => {
    // If (LEqual(Arg0, One)) { Return (Zero) } Else { Return (One) }
    expect(hex(aml.if_(aml.lequal(aml.arg(0), aml.int(1)), [aml.ret(aml.int(0))]))).toBe('a0069368' + '01a400');
    expect(hex(aml.else_([aml.ret(aml.int(1))]))).toBe('a103a401');
    expect(hex(aml.lnot(aml.lequal(aml.local(0), aml.arg(1))))).toBe('92936069');
    expect(hex(aml.and(aml.local(0), aml.int(0x1f), aml.local(0)))).toBe('7b600a1f60');
    expect(hex(aml.or(aml.arg(3), aml.int(4)))).toBe('7d6b0a0400'); // no target: NullName
    expect(hex(aml.store(aml.arg(0), aml.local(1)))).toBe('706861');
    expect(hex(aml.createDWordField(aml.arg(3), aml.int(4), 'CDW2'))).toBe('8a6b0a04' + seg('CDW2'));
  });

  it('resource descriptors: Memory32Fixed, Extended Interrupt, address spaces, End Tag', () => {
    // Memory32Fixed(ReadWrite, 0x09000000, 0x1000) + EndTag in a 14-byte buffer
    expect(hex(aml.resourceTemplate([aml.memory32Fixed(0x09000000, 0x1000)]))).toBe(
      '11110a0e' + '860900' + '01' + '00000009' + '00100000' + '7900',
    );
    // Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) {33}: flags bit 0 = consumer
    expect(hex(aml.interrupt([33]))).toBe('890600' + '01' + '01' + '21000000');
    // WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xff, 0, 0x100)
    expect(hex(aml.wordBusNumber({ granularity: 0, min: 0, max: 0xff, translation: 0, length: 0x100 }))).toBe(
      '880d00' + '02' + '0c' + '00' + '0000' + '0000' + 'ff00' + '0000' + '0001',
    );
    // DWordIO(..., EntireRange, 0, 0, 0xffff, 0x3eff0000, 0x10000): type 1, ISA ranges 3
    expect(hex(aml.dwordIo({ granularity: 0, min: 0, max: 0xffff, translation: 0x3eff0000, length: 0x10000 }))).toBe(
      '871700' + '01' + '0c' + '03' + '00000000' + '00000000' + 'ffff0000' + '0000ff3e' + '00000100',
    );
    // QWordMemory: 43-byte body, 8-byte fields
    const q = aml.qwordMemory({ granularity: 0, min: 2 ** 39, max: 2 ** 40 - 1, translation: 0, length: 2 ** 39 });
    expect(hex(q.subarray(0, 6))).toBe('8a2b00000c01');
    expect(hex(q.subarray(14, 22))).toBe('0000000080000000');
    expect(q.length).toBe(46);
  });

  it('GpioInt: connection descriptor with its pin table and resource source offsets', () => {
    // GpioInt(Edge, ActiveHigh, Exclusive, PullUp, 0, "GPO0") {3}: 23 fixed bytes, 2 pin bytes, 5 name bytes
    expect(hex(aml.gpioIntEdgeHighPullUp([3], 'GPO0'))).toBe(
      '8c1b00' + '01' + '00' + '0100' + '0100' + '01' + '0000' + '0000' + '1700' + '00' + '1900' + '1e00' + '0000' + '0300' + seg('GPO0') + '00',
    );
  });
});
