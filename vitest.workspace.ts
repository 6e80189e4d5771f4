import { configDefaults, defineWorkspace } from 'vitest/config';

/**
 * Two runs of the emulator tests: with the block JIT (the default, every test) and interpreter-only
 * (ARMRR_JIT=0, inherited by the armrr processes the tests start) for the invariant, lock-step,
 * firmware-vs-QEMU and reverse-debugging tests, so both execution engines are held to the same
 * results. The JIT-specific tests compare the two engines themselves and run once; so does the
 * instruction-by-instruction lock-step (a budget of one instruction is the interpreter in both).
 */
const common = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
  // The CLI tests run dist/: rebuild it first when any source is newer (no stale-dist results).
  globalSetup: ['test/support/build-dist.ts'],
};

export default defineWorkspace([
  {
    test: {
      ...common,
      name: 'jit',
      include: ['test/**/*.test.ts'],
      exclude: [...configDefaults.exclude, 'test/integration/lockstep.test.ts'],
    },
  },
  {
    test: {
      ...common,
      name: 'no-jit',
      env: { ARMRR_JIT: '0' },
      include: [
        'test/integration/firmware-vs-qemu.test.ts',
        'test/integration/lockstep.test.ts',
        'test/integration/lockstep-chunked.test.ts',
        'test/integration/seek-property.test.ts',
        'test/integration/seek-snapshot-file.test.ts',
        'test/integration/seek-fine-snapshots.test.ts',
        'test/integration/record-replay.test.ts',
        'test/integration/record-replay-live.test.ts',
        'test/integration/cpu-differential.test.ts',
        'test/integration/qemu-quirks.test.ts',
        'test/integration/exceptions-qemu.test.ts',
        'test/integration/board-qemu.test.ts',
        'test/integration/board-fixtures.test.ts',
        'test/integration/gdb-reverse-step.test.ts',
        'test/integration/gdb-reverse-watch.test.ts',
        'test/integration/m4-*.test.ts',
        // virt: the A32 block JIT is on by default, so the interpreter is held to QEMU here.
        'test/integration/v7a-vs-qemu.test.ts',
        'test/integration/virt-devices-vs-qemu.test.ts',
        'test/integration/mmu-qemu.test.ts',
        'test/integration/v7a-irq-fetch-order-vs-qemu.test.ts',
      ],
    },
  },
]);
