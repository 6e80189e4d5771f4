import { describe, expect, it } from 'vitest';
import { Rig, T } from './exceptions-rig.js';
import { ADP_STOPPED_APPLICATION_EXIT, largestGapBetween } from '../../src/emulator/semihosting.js';

const BLOCK = 0x20000100;
const STR = 0x20000200;
const BUF = 0x20000300;

function setup() {
  const r = new Rig();
  r.boot([T.B_SELF]);
  return r;
}
function putString(r: Rig, addr: number, s: string) {
  const b = new TextEncoder().encode(s + '\0');
  b.forEach((x, i) => r.bus.write8(addr + i, x));
}
function call(r: Rig, op: number, arg: number, ...block: number[]): number {
  block.forEach((v, i) => r.w32(arg + 4 * i, v));
  r.state.r[0] = op;
  r.state.r[1] = arg;
  r.semihosting.call();
  return r.state.r[0]! | 0;
}
const text = (r: Rig) => String.fromCharCode(...r.output);

describe('semihosting', () => {
  it('writes to the console and opens :tt as stdin/stdout/stderr', () => {
    const r = setup();
    putString(r, STR, 'hi\n');
    expect(call(r, 0x04, STR) >>> 0).toBe(0xdeadbeef); // WRITE0 leaves QEMU's marker in r0
    r.bus.write8(BUF, 0x41);
    call(r, 0x03, BUF);
    putString(r, STR, ':tt');
    const out = call(r, 0x01, BLOCK, STR, 4, 3);
    const inp = call(r, 0x01, BLOCK, STR, 0, 3);
    expect(out).toBe(1); // handles start at 1, lowest free first
    expect(inp).toBe(2);
    putString(r, BUF, 'xyz');
    expect(call(r, 0x05, BLOCK, out, BUF, 3)).toBe(0); // WRITE: bytes not written
    expect(text(r)).toBe('hi\nAxyz');
    r.consoleInput.push(0x61, 0x62);
    expect(call(r, 0x06, BLOCK, inp, BUF, 8)).toBe(6); // READ: 2 of 8 bytes
    expect(r.bus.read8(BUF)).toBe(0x61);
    expect(call(r, 0x06, BLOCK, inp, BUF, 8)).toBe(8); // EOF
    expect(call(r, 0x09, BLOCK, out)).toBe(0); // ISTTY: not a terminal here
    expect(call(r, 0x02, BLOCK, out)).toBe(0);
    expect(call(r, 0x02, BLOCK, out)).toBe(-1); // closed twice
    expect(call(r, 0x13, 0)).toBe(9); // ERRNO = EBADF
    expect(call(r, 0x08, BLOCK, -1)).toBe(1); // ISERROR
  });

  it('reads the features file and refuses host commands and unknown paths without a host port', () => {
    const r = setup();
    putString(r, STR, ':semihosting-features');
    const fd = call(r, 0x01, BLOCK, STR, 0, 21);
    expect(call(r, 0x0c, BLOCK, fd)).toBe(5); // FLEN
    expect(call(r, 0x06, BLOCK, fd, BUF, 8)).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => r.bus.read8(BUF + i))).toEqual([0x53, 0x48, 0x46, 0x42, 3]);
    putString(r, STR, 'some/host/file');
    expect(call(r, 0x01, BLOCK, STR, 0, 14)).toBe(-1);
    expect(call(r, 0x12, BLOCK, STR, 3)).toBe(-1); // SYSTEM refused
  });

  it("takes host paths as QEMU's validate_strlen does, before asking the host port (ENOSYS without file services)", () => {
    const r = setup();
    putString(r, STR, 'old.txt');
    putString(r, BUF, 'new.txt');
    expect(call(r, 0x0e, BLOCK, STR, 6)).toBe(-1); // REMOVE: the length must end at the NUL
    expect(call(r, 0x13, 0)).toBe(22); // EINVAL
    expect(call(r, 0x0e, BLOCK, STR, 7)).toBe(-1);
    expect(call(r, 0x13, 0)).toBe(38); // ENOSYS: this port has no host files
    expect(call(r, 0x0f, BLOCK, STR, 7, BUF, 5)).toBe(-1); // RENAME: no NUL after the new name's 5 bytes
    expect(call(r, 0x13, 0)).toBe(22);
    expect(call(r, 0x01, BLOCK, STR, 0, 0xffffffff)).toBe(-1); // OPEN, length "up to the NUL"
    expect(call(r, 0x13, 0)).toBe(38);
    expect(call(r, 0x0d, BLOCK, BUF, 7, 64)).toBe(-1); // TMPNAM: no name from the port, errno kept
    expect(call(r, 0x13, 0)).toBe(38);
  });

  it('reports HEAPINFO, CMDLINE, TIME, CLOCK and ELAPSED from the ports', () => {
    const r = setup();
    expect(call(r, 0x16, BLOCK, BUF)).toBe(0);
    expect([0, 4, 8, 12].map((o) => r.r32(BUF + o))).toEqual([0x21000000, 0x22000000, 0x22000000, 0x21000000]);
    r.semihosting.cmdline = 'fw.elf a b';
    expect(call(r, 0x15, BLOCK, BUF, 64)).toBe(0);
    expect(r.r32(BLOCK + 4)).toBe(10);
    expect(call(r, 0x15, BLOCK, BUF, 5)).toBe(-1); // too small: E2BIG
    r.hostNs = 1_700_000_123_456_000;
    expect(call(r, 0x11, 0)).toBe(1_700_000);
    expect(call(r, 0x10, 0)).toBe(0); // CLOCK counts from its first use
    r.hostNs += 250_000_000;
    expect(call(r, 0x10, 0)).toBe(25);
    expect(call(r, 0x30, BLOCK)).toBe(0);
    expect(r.r32(BLOCK)).toBe(250_000_000);
    expect(call(r, 0x31, 0)).toBe(1_000_000_000);
  });

  it('exits with the status QEMU gives', () => {
    const a = setup();
    call(a, 0x18, ADP_STOPPED_APPLICATION_EXIT);
    expect(a.exitCode).toBe(0);
    const b = setup();
    call(b, 0x18, 0x20023);
    expect(b.exitCode).toBe(1);
    const c = setup();
    call(c, 0x20, BLOCK, ADP_STOPPED_APPLICATION_EXIT, 7);
    expect(c.exitCode).toBe(7);
  });

  it('runs BKPT 0xAB from firmware and continues after it', () => {
    const r = new Rig();
    putString(r, STR, 'ok');
    // movs r0,#4 ; ldr r1,[pc,#4] ; bkpt 0xab ; b . ; (pad) ; .word STR
    r.code(0x100, [T.movsR0(4), 0x4901, T.BKPT_AB, T.B_SELF]);
    r.w32(0x108, STR);
    r.machine.reset();
    r.run(3);
    expect(text(r)).toBe('ok');
    expect(r.pc).toBe(0x106);
    expect(r.state.ipsr).toBe(0);
  });
});

describe('largestGapBetween (SYS_HEAPINFO on A-profile boards, QEMU 7.2 rom_find_largest_gap_between)', () => {
  it('takes the largest gap between images inside the region, the first of equal ones', () => {
    // An ELF at the start of RAM: the rest of RAM after its bss.
    expect(largestGapBetween(0x40000000, 0x48000000, [{ addr: 0x40000000, size: 0x9be0 }, { addr: 0x40009be0, size: 0xbf0 }]))
      .toEqual({ base: 0x4000a7d0, limit: 0x48000000 });
    // A 1 MiB device tree at the start and an ELF high up: the gap between them.
    expect(largestGapBetween(0x40000000, 0x48000000, [{ addr: 0x40000000, size: 0x100000 }, { addr: 0x47000000, size: 0x9000 }]))
      .toEqual({ base: 0x40100000, limit: 0x47000000 });
    // Two gaps of 0x400: the lower one; images outside the region do not count.
    expect(largestGapBetween(0x1000, 0x2000, [{ addr: 0x1400, size: 0x800 }, { addr: 0x3000, size: 0x100 }]))
      .toEqual({ base: 0x1000, limit: 0x1400 });
    // Overlapping images make one.
    expect(largestGapBetween(0, 0x1000, [{ addr: 0x100, size: 0x300 }, { addr: 0x200, size: 0x500 }]))
      .toEqual({ base: 0x700, limit: 0x1000 });
  });
});
