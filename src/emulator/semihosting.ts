/**
 * ARM semihosting (BKPT 0xAB on M-profile) as QEMU 7.2 implements it (semihosting/arm-compat-semi.c)
 * for 32-bit guests such as newlib's rdimon: r0 = operation, r1 = argument (block), result in r0.
 *
 * Everything non-deterministic goes through the HostPort (console input, host files, host time)
 * and all output through the OutputSink, so record/replay can log and answer it. Host files are
 * QEMU's `target=native`: any host path the guest names (SYS_OPEN, REMOVE, RENAME), through the
 * HostPort's file services (ENOSYS without them); SYS_SYSTEM (a host command) is refused.
 */
import type { CpuBus } from './memory/bus.js';
import { SP, type CpuState } from './cpu/state.js';
import type { HostFileMode, HostPort, OutputSink } from './io/input-port.js';

export const enum SemihostingOp {
  OPEN = 0x01,
  CLOSE = 0x02,
  WRITEC = 0x03,
  WRITE0 = 0x04,
  WRITE = 0x05,
  READ = 0x06,
  READC = 0x07,
  ISERROR = 0x08,
  ISTTY = 0x09,
  SEEK = 0x0a,
  FLEN = 0x0c,
  TMPNAM = 0x0d,
  REMOVE = 0x0e,
  RENAME = 0x0f,
  CLOCK = 0x10,
  TIME = 0x11,
  SYSTEM = 0x12,
  ERRNO = 0x13,
  GET_CMDLINE = 0x15,
  HEAPINFO = 0x16,
  EXIT = 0x18,
  EXIT_EXTENDED = 0x20,
  ELAPSED = 0x30,
  TICKFREQ = 0x31,
}

/** Reason code of a normal application exit (ADP_Stopped_ApplicationExit). */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

// Host errno values as QEMU on Linux reports them.
const EPERM = 1;
const E2BIG = 7;
const EBADF = 9;
const EACCES = 13;
const EFAULT = 14;
const EINVAL = 22;
const ENOTTY = 25;
const ESPIPE = 29;
const ENAMETOOLONG = 36;
const ENOSYS = 38;

/** Handle kinds in the guest handle table. */
const FD_UNUSED = 0;
const FD_STDIN = 1;
const FD_STDOUT = 2;
const FD_STDERR = 3;
const FD_HOST = 4;
const FD_FEATURES = 5;

/** The ":semihosting-features" file: magic "SHFB", EXIT_EXTENDED and STDOUT_STDERR supported. */
const FEATURES = Uint8Array.of(0x53, 0x48, 0x46, 0x42, 0x03);
/** SYS_OPEN mode numbers 0..11 as fopen modes (pairs: text, binary). */
const OPEN_MODES: readonly HostFileMode[] = ['r', 'r', 'r+', 'r+', 'w', 'w', 'w+', 'w+', 'a', 'a', 'a+', 'a+'];
/** Result QEMU leaves in r0 after WRITEC/WRITE0. */
const WRITE_CONSOLE_RESULT = 0xdeadbeef | 0;
const MAX_STRING = 1 << 16;
/** Larger transfers cannot be valid guest buffers on these boards; treated as faulting (so replay logs never hold more). */
export const MAX_TRANSFER = 1 << 26;

/** A semihosting call QEMU does not implement either (QEMU aborts the whole emulator on these). */
export class UnsupportedSemihostingCall extends Error {
  constructor(readonly op: number, readonly pc: number) {
    super(
      `unsupported semihosting call 0x${op.toString(16)} at pc 0x${(pc >>> 0).toString(16)}; ` +
        'the firmware uses a semihosting operation neither QEMU nor armrr implements',
    );
    this.name = 'UnsupportedSemihostingCall';
  }
}

export interface SemihostingOptions {
  /** Command line returned by SYS_GET_CMDLINE (QEMU: the -kernel path, then -append words). */
  cmdline?: string;
  /** SYS_HEAPINFO: QEMU reports the largest RAM region's largest gap between loaded images. */
  heapBase?: number;
  heapLimit?: number;
}

/** mps2-an385: the largest RAM is the 16 MiB PSRAM at 0x21000000, left empty by typical images. */
export const MPS2_HEAP_BASE = 0x21000000;
export const MPS2_HEAP_LIMIT = 0x22000000;

/** Where a loaded image lies in physical memory (an ELF segment with its bss, a device tree). */
export interface LoadedExtent {
  addr: number;
  size: number;
}

/**
 * The largest gap between `images` inside [base, limit), as QEMU 7.2's SYS_HEAPINFO finds its heap
 * (hw/core/loader.c rom_find_largest_gap_between over the largest RAM region): the first of equal
 * gaps; images that only touch the region count from where they overlap it.
 */
export function largestGapBetween(base: number, limit: number, images: readonly LoadedExtent[]): { base: number; limit: number } {
  // Sorted edges: +1 where an image (or the region's end, the sentinel) starts, -1 where an image ends.
  const edges: { at: number; step: number }[] = [];
  for (const im of images) {
    const end = im.addr + im.size;
    if (im.size === 0 || end <= base || im.addr >= limit) continue;
    edges.push({ at: Math.max(im.addr, base), step: 1 });
    if (end < limit) edges.push({ at: end, step: -1 });
  }
  edges.push({ at: limit, step: 1 });
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let best = { base: 0, limit: 0 };
  let gapStart = base;
  let depth = 0;
  for (const e of edges) {
    if (depth === 0 && e.step === 1) {
      if (e.at - gapStart > best.limit - best.base) best = { base: gapStart, limit: e.at };
    } else if (depth === 1 && e.step === -1) gapStart = e.at;
    depth += e.step;
  }
  return best;
}

/** Mutable semihosting state (saved with snapshots). */
export interface SemihostingState extends Record<string, number | number[]> {
  errno: number;
  /** Host ns of the first CLOCK/ELAPSED call (their zero), or -1. */
  clockBaseNs: number;
  /** Per guest handle: kind and argument (host handle or static-file offset). */
  fdKind: number[];
  fdArg: number[];
}

class GuestFault {}
const GUEST_FAULT = new GuestFault();

export class Semihosting {
  /** Snapshots save this component's state alongside the devices' (see StatefulComponent). */
  readonly name = 'semihosting';
  s: SemihostingState = { errno: 0, clockBaseNs: -1, fdKind: [FD_UNUSED], fdArg: [0] };
  cmdline: string;
  heapBase: number;
  heapLimit: number;

  constructor(
    private readonly state: CpuState,
    private readonly bus: CpuBus,
    private readonly host: HostPort,
    private readonly out: OutputSink,
    private readonly onExit: (code: number) => void,
    options: SemihostingOptions = {},
  ) {
    this.cmdline = options.cmdline ?? '';
    this.heapBase = options.heapBase ?? MPS2_HEAP_BASE;
    this.heapLimit = options.heapLimit ?? MPS2_HEAP_LIMIT;
  }

  /**
   * SYS_HEAPINFO's heap and stack as QEMU answers for a loaded program: the largest gap between the
   * loaded images inside the board's RAM (the heapBase..heapLimit the board was built with).
   */
  placeHeapAround(images: readonly LoadedExtent[]): void {
    const gap = largestGapBetween(this.heapBase, this.heapLimit, images);
    this.heapBase = gap.base >>> 0;
    this.heapLimit = gap.limit >>> 0;
  }

  reset(): void {
    this.s = { errno: 0, clockBaseNs: -1, fdKind: [FD_UNUSED], fdArg: [0] };
  }

  save(): SemihostingState {
    return { ...this.s, fdKind: this.s.fdKind.slice(), fdArg: this.s.fdArg.slice() };
  }

  load(st: SemihostingState): void {
    this.s = { ...st, fdKind: st.fdKind.slice(), fdArg: st.fdArg.slice() };
  }

  /** Perform the call described by r0/r1; the result goes to r0. */
  call(): void {
    const r = this.state.r;
    const op = r[0]! >>> 0;
    const args = r[1]! >>> 0;
    let ret: number;
    try {
      ret = this.dispatch(op, args);
    } catch (e) {
      if (e !== GUEST_FAULT) throw e;
      ret = this.fail(EFAULT);
    }
    r[0] = ret | 0;
  }

  private fail(errno: number): number {
    this.s.errno = errno;
    return -1;
  }

  private dispatch(op: number, args: number): number {
    switch (op) {
      case SemihostingOp.OPEN:
        return this.open(this.arg(args, 0), this.arg(args, 1), this.arg(args, 2));
      case SemihostingOp.CLOSE:
        return this.close(this.arg(args, 0));
      // QEMU writes WRITEC/WRITE0 to its semihosting console, which is stderr without a chardev.
      case SemihostingOp.WRITEC:
        this.out.consoleWrite(Uint8Array.of(this.readByte(args)), 'stderr');
        return WRITE_CONSOLE_RESULT;
      case SemihostingOp.WRITE0: {
        const bytes = this.readString(args, Infinity);
        if (bytes !== null && bytes.length > 0) this.out.consoleWrite(bytes, 'stderr');
        return WRITE_CONSOLE_RESULT;
      }
      case SemihostingOp.WRITE:
        return this.write(this.arg(args, 0), this.arg(args, 1), this.arg(args, 2));
      case SemihostingOp.READ:
        return this.read(this.arg(args, 0), this.arg(args, 1), this.arg(args, 2));
      case SemihostingOp.READC:
        return this.readc();
      case SemihostingOp.ISERROR:
        return (this.arg(args, 0) | 0) < 0 ? 1 : 0;
      case SemihostingOp.ISTTY:
        return this.istty(this.arg(args, 0));
      case SemihostingOp.SEEK:
        return this.seek(this.arg(args, 0), this.arg(args, 1));
      case SemihostingOp.FLEN:
        return this.flen(this.arg(args, 0));
      case SemihostingOp.TMPNAM:
        return this.tmpnam(this.arg(args, 0), this.arg(args, 1), this.arg(args, 2));
      case SemihostingOp.REMOVE:
        return this.remove(this.arg(args, 0), this.arg(args, 1));
      case SemihostingOp.RENAME:
        return this.rename(this.arg(args, 0), this.arg(args, 1), this.arg(args, 2), this.arg(args, 3));
      case SemihostingOp.SYSTEM:
        // Running host commands is never done for a guest (QEMU would run it).
        return this.fail(EPERM);
      case SemihostingOp.CLOCK:
        return Math.floor(this.elapsedNs() / 10_000_000);
      case SemihostingOp.TIME:
        return Math.floor(this.host.hostClockNs() / 1e9);
      case SemihostingOp.ERRNO:
        return this.s.errno;
      case SemihostingOp.GET_CMDLINE:
        return this.getCmdline(args);
      case SemihostingOp.HEAPINFO: {
        const block = this.arg(args, 0);
        this.writeWord(block, this.heapBase);
        this.writeWord(block + 4, this.heapLimit);
        this.writeWord(block + 8, this.heapLimit);
        this.writeWord(block + 12, this.heapBase);
        return 0;
      }
      case SemihostingOp.EXIT:
        // A32/T32 SYS_EXIT passes the reason itself in r1 and no status code.
        this.onExit(args === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
        return 0;
      case SemihostingOp.EXIT_EXTENDED: {
        const reason = this.arg(args, 0);
        const code = this.arg(args, 1);
        this.onExit(reason === ADP_STOPPED_APPLICATION_EXIT ? code | 0 : 1);
        return 0;
      }
      case SemihostingOp.ELAPSED: {
        const ns = this.elapsedNs();
        this.writeWord(args, ns % 0x100000000);
        this.writeWord(args + 4, Math.floor(ns / 0x100000000));
        return 0;
      }
      case SemihostingOp.TICKFREQ:
        return 1_000_000_000;
      default:
        throw new UnsupportedSemihostingCall(op, this.state.r[15]!);
    }
  }

  // ---- handles ----------------------------------------------------------------------------

  private allocFd(kind: number, arg: number): number {
    const { fdKind, fdArg } = this.s;
    let fd = 1;
    while (fd < fdKind.length && fdKind[fd] !== FD_UNUSED) fd++;
    fdKind[fd] = kind;
    fdArg[fd] = arg;
    return fd;
  }

  private kindOf(fd: number): number {
    return fd > 0 && fd < this.s.fdKind.length ? this.s.fdKind[fd]! : FD_UNUSED;
  }

  private open(namePtr: number, mode: number, nameLen: number): number {
    const nameBytes = this.readString(namePtr, MAX_STRING);
    if (nameBytes === null) return this.fail(EFAULT);
    if (mode >= 12) return this.fail(EINVAL);
    const name = new TextDecoder().decode(nameBytes);
    if (name === ':tt') {
      // Read = stdin, write = stdout, append = stderr (SH_EXT_STDOUT_STDERR).
      return this.allocFd(mode < 4 ? FD_STDIN : mode < 8 ? FD_STDOUT : FD_STDERR, 0);
    }
    if (name === ':semihosting-features') {
      if (mode > 1) return this.fail(EACCES);
      return this.allocFd(FD_FEATURES, 0);
    }
    const path = this.hostPath(namePtr, nameLen);
    if (path === null) return -1;
    const h = this.host.fileOpen?.(path, OPEN_MODES[mode]!) ?? -ENOSYS;
    if (h < 0) return this.fail(-h);
    return this.allocFd(FD_HOST, h);
  }

  /**
   * A host path argument as QEMU's validate_strlen takes it: `len` bytes and a NUL after them (len
   * 0xffffffff: up to the NUL). Null (errno set) when it is not so.
   */
  private hostPath(ptr: number, len: number): string | null {
    const withNul = (len + 1) >>> 0;
    if (withNul > 0x7fffffff) {
      this.fail(ENAMETOOLONG);
      return null;
    }
    if (withNul !== 0 && this.readByte(ptr + len) !== 0) {
      this.fail(EINVAL);
      return null;
    }
    const bytes = this.readString(ptr, withNul === 0 ? MAX_STRING : withNul);
    if (bytes === null) {
      this.fail(EFAULT);
      return null;
    }
    return new TextDecoder().decode(bytes);
  }

  private remove(namePtr: number, nameLen: number): number {
    const path = this.hostPath(namePtr, nameLen);
    if (path === null) return -1;
    const r = this.host.fileRemove?.(path) ?? -ENOSYS;
    return r < 0 ? this.fail(-r) : 0;
  }

  private rename(fromPtr: number, fromLen: number, toPtr: number, toLen: number): number {
    const from = this.hostPath(fromPtr, fromLen);
    if (from === null) return -1;
    const to = this.hostPath(toPtr, toLen);
    if (to === null) return -1;
    const r = this.host.fileRename?.(from, to) ?? -ENOSYS;
    return r < 0 ? this.fail(-r) : 0;
  }

  /** SYS_TMPNAM: the host's name for `id` into the buffer; -1 without errno when it does not fit. */
  private tmpnam(buf: number, id: number, size: number): number {
    const name = this.host.tempName?.(id) ?? null;
    if (name === null) return -1;
    const bytes = new TextEncoder().encode(name);
    if (bytes.length + 1 > size) return -1;
    const withNul = new Uint8Array(bytes.length + 1);
    withNul.set(bytes);
    if (!this.writeBytes(buf, withNul)) throw GUEST_FAULT;
    return 0;
  }

  private close(fd: number): number {
    const kind = this.kindOf(fd);
    if (kind === FD_UNUSED) return this.fail(EBADF);
    let ret = 0;
    if (kind === FD_HOST) {
      const r = this.host.fileClose?.(this.s.fdArg[fd]!) ?? 0;
      if (r < 0) ret = this.fail(-r);
    }
    this.s.fdKind[fd] = FD_UNUSED;
    this.s.fdArg[fd] = 0;
    return ret;
  }

  /** SYS_WRITE returns the number of bytes *not* written. */
  private write(fd: number, buf: number, len: number): number {
    const kind = this.kindOf(fd);
    if (kind !== FD_STDOUT && kind !== FD_STDERR && kind !== FD_HOST) return len;
    const data = this.readBytes(buf, len);
    if (data === null) return len;
    if (kind === FD_HOST) {
      const n = this.host.fileWrite?.(this.s.fdArg[fd]!, data) ?? -ENOSYS;
      return n < 0 ? len : len - n;
    }
    if (data.length > 0) this.out.consoleWrite(data, kind === FD_STDERR ? 'stderr' : 'stdout');
    return 0;
  }

  /** SYS_READ returns the number of bytes *not* read (len at end of file). */
  private read(fd: number, buf: number, len: number): number {
    const kind = this.kindOf(fd);
    let data: Uint8Array | null;
    if (len > MAX_TRANSFER) return len;
    if (kind === FD_STDIN) {
      data = this.host.consoleRead(len) ?? new Uint8Array(0);
    } else if (kind === FD_HOST) {
      data = this.host.fileRead(this.s.fdArg[fd]!, len);
      if (data === null) return len;
    } else if (kind === FD_FEATURES) {
      const off = this.s.fdArg[fd]!;
      data = FEATURES.subarray(off, Math.min(FEATURES.length, off + len));
      this.s.fdArg[fd] = off + data.length;
    } else {
      return len;
    }
    const n = Math.min(data.length, len);
    if (!this.writeBytes(buf, data.subarray(0, n))) return len;
    return len - n;
  }

  private readc(): number {
    const data = this.host.consoleRead(1);
    if (data === null || data.length === 0) return -1;
    const ch = data[0]!;
    // QEMU passes the byte through the guest memory just below SP; keep that side effect.
    const at = (this.state.r[SP]! - 1) >>> 0;
    if (!this.writeBytes(at, data.subarray(0, 1))) return this.fail(EFAULT);
    return ch;
  }

  private istty(fd: number): number {
    const kind = this.kindOf(fd);
    if (kind === FD_UNUSED) return this.fail(EBADF);
    if (kind === FD_STDIN || kind === FD_STDOUT || kind === FD_STDERR) {
      const stream = kind === FD_STDIN ? 'stdin' : kind === FD_STDOUT ? 'stdout' : 'stderr';
      if (this.host.consoleIsTty?.(stream)) return 1;
    }
    this.s.errno = ENOTTY;
    return 0;
  }

  private seek(fd: number, pos: number): number {
    const kind = this.kindOf(fd);
    if (kind === FD_UNUSED) return this.fail(EBADF);
    if (kind === FD_FEATURES) {
      if ((pos | 0) < 0 || pos > FEATURES.length) return this.fail(EINVAL);
      this.s.fdArg[fd] = pos;
      return 0;
    }
    if (kind !== FD_HOST) return this.fail(ESPIPE);
    const r = this.host.fileSeek?.(this.s.fdArg[fd]!, pos) ?? -ENOSYS;
    return r < 0 ? this.fail(-r) : 0;
  }

  private flen(fd: number): number {
    const kind = this.kindOf(fd);
    if (kind === FD_UNUSED) return this.fail(EBADF);
    if (kind === FD_FEATURES) return FEATURES.length;
    if (kind !== FD_HOST) return 0;
    const r = this.host.fileLength?.(this.s.fdArg[fd]!) ?? -ENOSYS;
    return r < 0 ? this.fail(-r) : r;
  }

  private getCmdline(args: number): number {
    const buf = this.arg(args, 0);
    const size = this.arg(args, 1);
    const bytes = new TextEncoder().encode(this.cmdline);
    if (bytes.length + 1 > size) return this.fail(E2BIG);
    this.writeWord(args + 4, bytes.length);
    const withNul = new Uint8Array(bytes.length + 1);
    withNul.set(bytes);
    if (!this.writeBytes(buf, withNul)) throw GUEST_FAULT;
    return 0;
  }

  private elapsedNs(): number {
    const now = this.host.hostClockNs();
    if (this.s.clockBaseNs < 0) this.s.clockBaseNs = now;
    return Math.max(0, now - this.s.clockBaseNs);
  }

  // ---- guest memory -------------------------------------------------------------------------

  private arg(block: number, n: number): number {
    try {
      return this.bus.read32(block + 4 * n) >>> 0;
    } catch {
      throw GUEST_FAULT;
    }
  }

  private writeWord(addr: number, value: number): void {
    try {
      this.bus.write32(addr >>> 0, value | 0);
    } catch {
      throw GUEST_FAULT;
    }
  }

  private readByte(addr: number): number {
    try {
      return this.bus.read8(addr);
    } catch {
      throw GUEST_FAULT;
    }
  }

  /** NUL-terminated string at `addr` (without the NUL), or null if unreadable or too long. */
  private readString(addr: number, max: number): Uint8Array | null {
    const out: number[] = [];
    try {
      for (let a = addr >>> 0; out.length < max; a = (a + 1) >>> 0) {
        const b = this.bus.read8(a);
        if (b === 0) return Uint8Array.from(out);
        out.push(b);
      }
    } catch {
      return null;
    }
    return null;
  }

  private readBytes(addr: number, len: number): Uint8Array | null {
    if (len > MAX_TRANSFER) return null;
    const out = new Uint8Array(len);
    try {
      for (let i = 0; i < len; i++) out[i] = this.bus.read8((addr + i) >>> 0);
    } catch {
      return null;
    }
    return out;
  }

  private writeBytes(addr: number, data: Uint8Array): boolean {
    try {
      for (let i = 0; i < data.length; i++) this.bus.write8((addr + i) >>> 0, data[i]!);
    } catch {
      return false;
    }
    return true;
  }
}
