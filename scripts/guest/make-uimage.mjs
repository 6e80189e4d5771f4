#!/usr/bin/env node
// Turn Debian's armhf zImage into a uImage of the decompressed kernel (loaded and entered at
// RAM + TEXT_OFFSET 0x208000 on virt, where a raw Image loaded by QEMU at RAM + 0x8000 would hang).
// Booting it skips the ~2e9-instruction XZ decompressor: the fast boot the gdb and console tests
// use (same kernel code, same console). Needs xz (xz-utils).
//   node make-uimage.mjs --zimage Z --load 0x40208000 --out F
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    process.stderr.write(`make-uimage: missing ${name}\n`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const zimage = readFileSync(arg('--zimage'));
const load = Number(arg('--load')) >>> 0;
const out = arg('--out');

// The XZ stream's magic can also occur inside the decompressor's code: try each candidate.
const MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
let image = null;
for (let at = zimage.indexOf(MAGIC); at >= 0 && image === null; at = zimage.indexOf(MAGIC, at + 1)) {
  const r = spawnSync('xz', ['-dc', '--single-stream'], { input: zimage.subarray(at), maxBuffer: 256 << 20 });
  // xz stops reading after the stream (EPIPE on the rest of our input): only a missing xz is fatal.
  if (r.error && r.error.code === 'ENOENT') {
    process.stderr.write(`make-uimage: cannot run xz (${r.error.message}); install xz-utils\n`);
    process.exit(1);
  }
  if (r.status === 0 && r.stdout && r.stdout.length > 0) image = r.stdout;
}
if (image === null) {
  process.stderr.write('make-uimage: no XZ-compressed kernel found in the zImage\n');
  process.exit(1);
}

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Legacy U-Boot header: magic, header CRC, time, size, load, entry, data CRC, OS Linux, ARM,
// kernel, no compression, name.
const header = Buffer.alloc(64);
header.writeUInt32BE(0x27051956, 0);
header.writeUInt32BE(0, 8);
header.writeUInt32BE(image.length, 12);
header.writeUInt32BE(load, 16);
header.writeUInt32BE(load, 20);
header.writeUInt32BE(crc32(image), 24);
header.writeUInt8(5, 28);
header.writeUInt8(2, 29);
header.writeUInt8(2, 30);
header.writeUInt8(0, 31);
header.write('armrr-debian-Image', 32, 'latin1');
header.writeUInt32BE(crc32(header), 4);
writeFileSync(out, Buffer.concat([header, image]));
process.stderr.write(`${out}: uImage of the ${image.length}-byte kernel, load/entry 0x${load.toString(16)}\n`);
