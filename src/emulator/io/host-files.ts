/**
 * The host's file system as QEMU 7.2's semihosting with `target=native` uses it
 * (semihosting/syscalls.c host_open/read/write/lseek/flen/close/remove/rename, arm-compat-semi.c
 * TMPNAM): any host path the guest names, relative ones from armrr's working directory. Results are
 * QEMU's: a count or 0, or -errno. Only `armrr run` and `record` use this; replay answers from the
 * log and never touches the host.
 */
import { closeSync, constants, fstatSync, openSync, readSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { HostFileMode } from './input-port.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC } = constants;
const { EBADF, EIO } = osConstants.errno;

/**
 * open(2) flags per fopen mode as QEMU's host_open builds them from gdb_open_modeflags: it drops
 * GDB_O_APPEND, so "a"/"a+" create without truncating and write from offset 0.
 */
const OPEN_FLAGS: Readonly<Record<HostFileMode, number>> = {
  r: O_RDONLY,
  'r+': O_RDWR,
  w: O_WRONLY | O_CREAT | O_TRUNC,
  'w+': O_RDWR | O_CREAT | O_TRUNC,
  a: O_WRONLY | O_CREAT,
  'a+': O_RDWR | O_CREAT,
};

/** -errno of a failed Node fs call (Node gives POSIX errnos negated), EIO when it has none. */
function negErrno(e: unknown): number {
  const n = (e as { errno?: unknown }).errno;
  return typeof n === 'number' && n < 0 ? n : -EIO;
}

/** An open host file: its OS descriptor and position (Node has no lseek: accesses are positioned). */
interface OpenFile {
  fd: number;
  pos: number;
}

/**
 * Handles are small numbers of this table (lowest free first), not OS descriptors, so a run and a
 * recording of it (which holds the log open) give the guest state the same values.
 */
export class HostFileSystem {
  private readonly files: (OpenFile | null)[] = [];

  open(path: string, mode: HostFileMode): number {
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS[mode], 0o644);
    } catch (e) {
      return negErrno(e);
    }
    let handle = this.files.indexOf(null);
    if (handle < 0) handle = this.files.length;
    this.files[handle] = { fd, pos: 0 };
    return handle;
  }

  read(handle: number, max: number): Uint8Array | null {
    const f = this.files[handle];
    if (!f) return null;
    try {
      const buf = new Uint8Array(max);
      const n = readSync(f.fd, buf, 0, max, f.pos);
      f.pos += n;
      return buf.subarray(0, n);
    } catch {
      return null;
    }
  }

  write(handle: number, data: Uint8Array): number {
    const f = this.files[handle];
    if (!f) return -EBADF;
    try {
      const n = writeSync(f.fd, data, 0, data.length, f.pos);
      f.pos += n;
      return n;
    } catch (e) {
      return negErrno(e);
    }
  }

  /** lseek(fd, pos, SEEK_SET): any position, also past the end. */
  seek(handle: number, pos: number): number {
    const f = this.files[handle];
    if (!f) return -EBADF;
    f.pos = pos;
    return 0;
  }

  length(handle: number): number {
    const f = this.files[handle];
    if (!f) return -EBADF;
    try {
      return fstatSync(f.fd).size;
    } catch (e) {
      return negErrno(e);
    }
  }

  close(handle: number): number {
    const f = this.files[handle];
    if (!f) return -EBADF;
    this.files[handle] = null;
    try {
      closeSync(f.fd);
      return 0;
    } catch (e) {
      return negErrno(e);
    }
  }

  /** C remove(): unlink, or rmdir for a directory. */
  remove(path: string): number {
    try {
      unlinkSync(path);
      return 0;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'EISDIR' && code !== 'EPERM') return negErrno(e);
      try {
        rmdirSync(path);
        return 0;
      } catch (e2) {
        return negErrno(e2);
      }
    }
  }

  rename(from: string, to: string): number {
    try {
      renameSync(from, to);
      return 0;
    } catch (e) {
      return negErrno(e);
    }
  }

  /** SYS_TMPNAM's name: QEMU's "%s/qemu-%x%02x" from g_get_tmp_dir(), its pid and the guest's id. */
  tempName(id: number): string {
    let dir = process.env.TMPDIR ?? '';
    if (dir === '') dir = '/tmp';
    if (dir.length > 1 && dir.endsWith('/')) dir = dir.slice(0, -1);
    return `${dir}/qemu-${process.pid.toString(16)}${(id & 0xff).toString(16).padStart(2, '0')}`;
  }
}
