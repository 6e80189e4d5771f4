/**
 * Snapshots saved next to a replay log (`armrr replay --save-snapshots` writes LOG.snapshots), so a
 * later replay of the same log can seek far back without replaying from the start first.
 *
 * Layout (big-endian, version 1):
 *   8 bytes  magic "ARMRRSNP"
 *   u32      format version
 *   u32      header length H
 *   H bytes  header, UTF-8 JSON (identity of the log and firmware, and every snapshot's registers,
 *            device state, log position and the page numbers of its delta)
 *   pages    raw 4 KiB pages, in the order the header lists them
 *
 * A file only makes sense for the exact log and firmware it was made from: it records the log's
 * fingerprint, size and SHA-256, and a SHA-256 of (machine, shift, firmware image); `readSnapshotFile`
 * refuses any mismatch with a SnapshotFileError that says what differs and what to do.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PAGE_SIZE } from '../emulator/memory/bus.js';
import type { LogLocation } from '../replay/errors.js';
import type { CoreMachineState } from './machine-state.js';
import type { Snapshot } from './snapshot-store.js';

export const SNAPSHOT_FILE_MAGIC = 'ARMRRSNP';
export const SNAPSHOT_FILE_VERSION = 1;
const PREFIX = 16;

/** What a snapshot file must match to be used. */
export interface SnapshotFileIdentity {
  /** The log header's 8-byte fingerprint, hex. */
  logFingerprint: string;
  /** The log's size in bytes and SHA-256 (hex): a re-recorded log has the same fingerprint. */
  logSize: number;
  logSha256: string;
  /** SHA-256 (hex) over the machine name, icount shift and firmware image bytes. */
  firmwareSha256: string;
}

export function logIdentity(logBytes: Uint8Array, fingerprint: Uint8Array): Pick<SnapshotFileIdentity, 'logFingerprint' | 'logSize' | 'logSha256'> {
  return {
    logFingerprint: Buffer.from(fingerprint).toString('hex'),
    logSize: logBytes.length,
    logSha256: createHash('sha256').update(logBytes).digest('hex'),
  };
}

export function firmwareIdentity(machine: string, icountShift: number, image: Uint8Array): string {
  return createHash('sha256').update(`${machine}\0shift=${icountShift}\0`).update(image).digest('hex');
}

/** The default place: next to the log. */
export function snapshotFilePath(logPath: string): string {
  return `${logPath}.snapshots`;
}

export type SnapshotFileProblem = 'unreadable' | 'not-a-snapshot-file' | 'version' | 'corrupt' | 'firmware' | 'log';

export class SnapshotFileError extends Error {
  override readonly name = 'SnapshotFileError';
  constructor(
    readonly problem: SnapshotFileProblem,
    message: string,
  ) {
    super(message);
  }
}

interface HeaderSnapshot {
  icount: number;
  state: CoreMachineState;
  log: LogLocation | null;
  /** Host page numbers of the delta; contents follow in the page area in this order. */
  pages: number[];
}

interface Header extends SnapshotFileIdentity {
  pageSize: number;
  snapshots: HeaderSnapshot[];
}

// Device and clock state are plain numbers, but disarmed timer deadlines are Infinity, which JSON
// cannot hold: carry non-finite numbers as tagged strings.
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return `#${String(v)}`;
  return v;
}
function reviver(_k: string, v: unknown): unknown {
  if (v === '#Infinity') return Infinity;
  if (v === '#-Infinity') return -Infinity;
  if (v === '#NaN') return NaN;
  return v;
}

/** Encode snapshots (sorted by icount, deltas chained as in SnapshotStore) with their identity. */
export function encodeSnapshotFile(identity: SnapshotFileIdentity, snapshots: readonly Snapshot[]): Uint8Array {
  const pages: Uint8Array[] = [];
  const header: Header = {
    ...identity,
    pageSize: PAGE_SIZE,
    snapshots: snapshots.map((s) => {
      const hps = [...s.delta.keys()].sort((a, b) => a - b);
      for (const hp of hps) pages.push(s.delta.get(hp)!);
      return { icount: s.icount, state: s.state, log: s.log, pages: hps };
    }),
  };
  const json = Buffer.from(JSON.stringify(header, replacer), 'utf8');
  const out = new Uint8Array(PREFIX + json.length + pages.length * PAGE_SIZE);
  out.set(Buffer.from(SNAPSHOT_FILE_MAGIC, 'latin1'), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, SNAPSHOT_FILE_VERSION);
  view.setUint32(12, json.length);
  out.set(json, PREFIX);
  let off = PREFIX + json.length;
  for (const p of pages) {
    out.set(p, off);
    off += PAGE_SIZE;
  }
  return out;
}

/**
 * Decode a snapshot file and check it belongs to `expected`. `where` names the file in messages.
 * Page contents are copies (the file buffer can be dropped).
 */
export function decodeSnapshotFile(bytes: Uint8Array, expected: SnapshotFileIdentity, where: string): Snapshot[] {
  const what = `snapshot file '${where}'`;
  const replace = `delete it (or run \`armrr replay --save-snapshots\` again to replace it)`;
  if (bytes.length < PREFIX || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== SNAPSHOT_FILE_MAGIC) {
    throw new SnapshotFileError('not-a-snapshot-file', `${what} is not an armrr snapshot file (bad magic); ${replace}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8);
  if (version !== SNAPSHOT_FILE_VERSION) {
    throw new SnapshotFileError('version', `${what} has format version ${version}; this armrr reads version ${SNAPSHOT_FILE_VERSION}; ${replace}`);
  }
  const hlen = view.getUint32(12);
  if (PREFIX + hlen > bytes.length) throw new SnapshotFileError('corrupt', `${what} is cut short (header runs past the end); ${replace}`);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(PREFIX, PREFIX + hlen)).toString('utf8'), reviver) as Header;
  } catch (e) {
    throw new SnapshotFileError('corrupt', `${what} has a corrupt header (${(e as Error).message}); ${replace}`);
  }
  if (header.firmwareSha256 !== expected.firmwareSha256) {
    throw new SnapshotFileError(
      'firmware',
      `${what} was saved for another firmware or machine options (firmware SHA-256 ${short(header.firmwareSha256)}, ` +
        `this replay ${short(expected.firmwareSha256)}); ${replace}`,
    );
  }
  if (header.logFingerprint !== expected.logFingerprint || header.logSize !== expected.logSize || header.logSha256 !== expected.logSha256) {
    throw new SnapshotFileError(
      'log',
      `${what} was saved for another replay log (${header.logSize} bytes, SHA-256 ${short(header.logSha256)}; ` +
        `this log: ${expected.logSize} bytes, SHA-256 ${short(expected.logSha256)}): the log was re-recorded or edited; ${replace}`,
    );
  }
  if (header.pageSize !== PAGE_SIZE || !Array.isArray(header.snapshots)) {
    throw new SnapshotFileError('corrupt', `${what} has page size ${header.pageSize}, expected ${PAGE_SIZE}; ${replace}`);
  }
  const total = header.snapshots.reduce((n, s) => n + s.pages.length, 0);
  if (PREFIX + hlen + total * PAGE_SIZE !== bytes.length) {
    throw new SnapshotFileError('corrupt', `${what} is ${bytes.length} bytes but its header lists ${total} pages; ${replace}`);
  }
  let off = PREFIX + hlen;
  let last = -1;
  return header.snapshots.map((s) => {
    if (!(s.icount > last)) throw new SnapshotFileError('corrupt', `${what} lists snapshots out of icount order; ${replace}`);
    last = s.icount;
    const delta = new Map<number, Uint8Array>();
    for (const hp of s.pages) {
      delta.set(hp, bytes.slice(off, off + PAGE_SIZE));
      off += PAGE_SIZE;
    }
    return { icount: s.icount, state: s.state, log: s.log, delta };
  });
}

export function writeSnapshotFile(path: string, identity: SnapshotFileIdentity, snapshots: readonly Snapshot[]): number {
  const bytes = encodeSnapshotFile(identity, snapshots);
  // Write then rename: a crash mid-write never leaves a half file that a later replay would refuse.
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return bytes.length;
}

/** Read `path`; null when it does not exist. Throws SnapshotFileError for any other problem. */
export function readSnapshotFile(path: string, expected: SnapshotFileIdentity): Snapshot[] | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SnapshotFileError('unreadable', `cannot read snapshot file '${path}': ${(e as Error).message}`);
  }
  return decodeSnapshotFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), expected, path);
}

function short(hex: string): string {
  return typeof hex === 'string' ? hex.slice(0, 16) : String(hex);
}

/** Where and for what a replay saves its snapshots. */
export interface SnapshotFileTarget {
  path: string;
  identity: SnapshotFileIdentity;
}

/**
 * Load LOG.snapshots into a fresh timeline's store if it exists and belongs to this replay.
 * A file for another log or firmware is refused (not loaded) with `warn`, and will be replaced
 * by `saveTimelineSnapshots`. Returns how many snapshots were loaded.
 */
export function loadTimelineSnapshots(
  store: { adopt(loaded: Snapshot[]): boolean },
  file: SnapshotFileTarget,
  warn: (message: string) => void,
): number {
  let loaded: Snapshot[] | null;
  try {
    loaded = readSnapshotFile(file.path, file.identity);
  } catch (e) {
    if (!(e instanceof SnapshotFileError)) throw e;
    warn(`not loading snapshots: ${e.message}`);
    return 0;
  }
  if (loaded === null) return 0;
  if (!store.adopt(loaded)) {
    warn(
      `not loading snapshots: snapshot file '${file.path}' does not start from this machine's reset state ` +
        '(saved by another armrr version?); it will be replaced when this replay ends',
    );
    return 0;
  }
  return loaded.length;
}

/** Save the store's snapshots to the file; returns the bytes written. */
export function saveTimelineSnapshots(store: { snapshots: readonly Snapshot[] }, file: SnapshotFileTarget): number {
  return writeSnapshotFile(file.path, file.identity, store.snapshots);
}
