#!/usr/bin/env node
// Build the guest's initramfs (cpio "newc", gzip) without root: the archive is written here, so
// /dev/console can be a device node. Deterministic: fixed inode numbers, mtime 0, sorted entries.
//
//   node scripts/guest/build-initramfs.mjs --busybox PATH --init PATH --demo PATH --out FILE.cpio.gz
//       [--applets a,b,c]   (more busybox applets linked into /bin, for another /init)
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    busybox: { type: 'string' },
    init: { type: 'string' },
    demo: { type: 'string' },
    out: { type: 'string' },
    applets: { type: 'string' },
  },
});
for (const k of ['busybox', 'init', 'demo', 'out']) {
  if (!values[k]) {
    process.stderr.write(`build-initramfs: --${k} is required\n`);
    process.exit(2);
  }
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** The busybox applets /init and a user at the prompt use. */
const APPLETS = ['sh', 'mount', 'umount', 'uname', 'cat', 'head', 'ls', 'echo', 'printf', 'poweroff', 'reboot', 'dmesg', 'ps', 'sleep', 'grep', 'mkdir', 'rm', 'cp', 'mv', 'date', 'true', 'false'];

const entries = [];
const dir = (name) => entries.push({ name, mode: S_IFDIR | 0o755, data: new Uint8Array(0) });
const file = (name, data, perm = 0o755) => entries.push({ name, mode: S_IFREG | perm, data });
const link = (name, target) => entries.push({ name, mode: S_IFLNK | 0o777, data: new TextEncoder().encode(target) });
const chr = (name, major, minor, perm) => entries.push({ name, mode: S_IFCHR | perm, data: new Uint8Array(0), rdev: [major, minor] });

for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'root', 'sbin']) dir(d);
chr('dev/console', 5, 1, 0o600);
chr('dev/null', 1, 3, 0o666);
file('bin/busybox', readFileSync(values.busybox));
const extra = values.applets ? values.applets.split(',').filter((a) => a !== '') : [];
for (const a of new Set([...APPLETS, ...extra])) link(`bin/${a}`, 'busybox');
link('sbin/poweroff', '../bin/busybox');
file('bin/rrdemo', readFileSync(values.demo));
file('init', readFileSync(values.init));
entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const parts = [];
let size = 0;
const push = (b) => {
  parts.push(b);
  size += b.length;
};
const pad4 = () => {
  if (size % 4) push(new Uint8Array(4 - (size % 4)));
};
const hex8 = (n) => n.toString(16).padStart(8, '0');
function record(name, mode, data, ino, rdev = [0, 0], nlink = 1) {
  const nameBytes = new TextEncoder().encode(name + '\0');
  const fields = [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  push(new TextEncoder().encode('070701' + fields.map(hex8).join('')));
  push(nameBytes);
  pad4();
  push(data);
  pad4();
}
entries.forEach((e, i) => record(e.name, e.mode, e.data, i + 1, e.rdev, e.mode & S_IFDIR ? 2 : 1));
record('TRAILER!!!', 0, new Uint8Array(0), 0, [0, 0], 1);

const cpio = new Uint8Array(size);
let o = 0;
for (const p of parts) {
  cpio.set(p, o);
  o += p.length;
}
writeFileSync(values.out, gzipSync(cpio, { level: 9 }));
process.stdout.write(`${values.out}: ${entries.length} entries, ${cpio.length} bytes of cpio\n`);
