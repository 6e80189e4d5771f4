// CPU interpreter micro-benchmark: boots firmware/build/crc32-long-O2.elf (CRC loop + SysTick and
// TIMER0 interrupts) on mps2-an385 in-process and runs it at icount shift 0, printing MIPS without
// process start-up. Plain JS over dist/ (run `npx tsc -p .` first).
//   node bench/cpu-loop.js [insns=1e8] [repeats=3]
// ARMRR_DIST=<dir> benchmarks another build of src (e.g. `npx tsc -p . --outDir /tmp/d`).
// Also prints r0..r15 and the icount so a change in behaviour shows up as a different line.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.ARMRR_DIST ?? join(ROOT, 'dist');
const dist = (p) => import(join(DIST, p));
const { bootFirmware } = await dist('emulator/boot.js');
const { NoSerialInput, LiveHostPort, BufferOutputSink } = await dist('emulator/io/live-ports.js');

const INSNS = Number(process.argv[2] ?? 1e8);
const REPEATS = Number(process.argv[3] ?? 3);
const elf = process.argv[4] ?? join(ROOT, 'firmware/build/crc32-long-O2.elf');
const image = readFileSync(elf);

const results = [];
for (let i = 0; i < REPEATS; i++) {
  const { machine } = bootFirmware(image, {
    machine: 'mps2-an385',
    icountShift: 0,
    serial: new NoSerialInput(),
    host: new LiveHostPort(),
    output: new BufferOutputSink(),
  });
  const t0 = process.hrtime.bigint();
  const stop = machine.run(INSNS);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  results.push(machine.icount / secs / 1e6);
  if (i === 0) {
    const regs = Array.from(machine.cpu.r, (v) => (v >>> 0).toString(16)).join(' ');
    console.log(`stop=${stop.kind} icount=${machine.icount} regs=${regs} hash=${machine.stateHash().slice(0, 16)}`);
  }
}
results.sort((a, b) => a - b);
console.log(`cpu-loop: ${results.map((m) => m.toFixed(1)).join(' ')} MIPS, median ${results[results.length >> 1].toFixed(1)} MIPS`);
