#!/usr/bin/env bash
# Builds the test firmware into firmware/build/<name>-<opt>.elf. Idempotent: an ELF is rebuilt only
# when a source, the common code, the linker script or this script is newer than it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "firmware/build.sh: $CC not found; install the Arm GNU toolchain (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2
  exit 1
fi
mkdir -p "$out"

M3_FLAGS=(-mcpu=cortex-m3)
M4_FLAGS=(-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16)
CFLAGS=(-mthumb -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter
        -ffreestanding -fno-common -I"$here/common")
COMMON=("$here/common/startup.c" "$here/common/uart.c")
BARE_LIBS=(-nostdlib -T "$here/common/link.ld" -lc -lgcc)
NEWLIB_LIBS=(--specs=rdimon.specs -nostartfiles -T "$here/common/link.ld")
deps=("$here"/common/* "$here/build.sh")

# build NAME OPT OUTFILE SRC [extra flags...]
build() {
  local name="$1" opt="$2" elf="$3" src="$4"
  shift 4
  local newest="$src"
  for d in "${deps[@]}"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  if [[ -f "$elf" && ! "$newest" -nt "$elf" ]]; then return 0; fi
  local libs=("${BARE_LIBS[@]}")
  [[ "$name" == newlib-demo ]] && libs=("${NEWLIB_LIBS[@]}")
  local cpu=("${M3_FLAGS[@]}")
  [[ "$name" == m4-* ]] && cpu=("${M4_FLAGS[@]}")
  "$CC" "${cpu[@]}" "${CFLAGS[@]}" "-$opt" "$@" -o "$elf.tmp" "$src" "${COMMON[@]}" "${libs[@]}"
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
}

pids=()
# Every program in src/ at three optimisation levels (crc32 is a benchmark: -O2 variants below).
for src in "$here"/src/*.c; do
  name="$(basename "$src" .c)"
  [[ "$name" == crc32 ]] && continue
  for opt in O0 O2 Os; do
    build "$name" "$opt" "$out/$name-$opt.elf" "$here/src/$name.c" & pids+=($!)
  done
done
# Cortex-M4F programs (mps2-an386): firmware/m4/NAME.c -> build/m4-NAME-OPT.elf, hard-float ABI.
for src in "$here"/m4/*.c; do
  [[ -e "$src" ]] || continue
  name="m4-$(basename "$src" .c)"
  for opt in O0 O2 Os; do
    build "$name" "$opt" "$out/$name-$opt.elf" "$src" & pids+=($!)
  done
done
build crc32 O2 "$out/crc32-O2.elf" "$here/src/crc32.c" -DITERS=2u & pids+=($!)
build crc32 O2 "$out/crc32-long-O2.elf" "$here/src/crc32.c" -DITERS=40000u & pids+=($!)
# Benchmark programs (bench/run.js): interrupt-heavy and steady-UART-input throughput.
for b in irq-storm uart-stream; do
  build "$b" O2 "$out/$b-O2.elf" "$here/bench/$b.c" -DITERS=2000u & pids+=($!)
done
# RTOS-shaped workload (scheduler, PendSV, queues, BASEPRI, WFI idle): rtos-O2 ends after ROUNDS
# consumer rounds; rtos-forever-O2 runs until --max-insns or the end of a QEMU recording.
build rtos O2 "$out/rtos-O2.elf" "$here/bench/rtos.c" & pids+=($!)
build rtos O2 "$out/rtos-forever-O2.elf" "$here/bench/rtos.c" -DROUNDS=0u & pids+=($!)
# The same with BUSY=1: the idle task spins (no WFI) and compute tasks run at idle priority, as in
# FreeRTOS's full demo, so QEMU's replay runs at the speed it has on FreeRTOS (bench/run.js); rtos-busy-O2
# (fewer rounds: its idle-priority compute makes each round long at shift 0) is what the QEMU comparison test runs.
build rtos-busy O2 "$out/rtos-busy-O2.elf" "$here/bench/rtos.c" -DBUSY=1 -DROUNDS=4000u & pids+=($!)
build rtos-busy O2 "$out/rtos-busy-forever-O2.elf" "$here/bench/rtos.c" -DBUSY=1 -DROUNDS=0u & pids+=($!)
# ~1e9 instructions with a milestone() call every ~1e8 (bench/run.js reverse-debugging figures).
build crc32 O2 "$out/crc32-bench-O2.elf" "$here/src/crc32.c" -DITERS=21700u -DMILESTONE_EVERY=2170u & pids+=($!)

status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
if [[ $status -ne 0 ]]; then echo "firmware/build.sh: build failed" >&2; exit 1; fi
# The demo (the README's main job) has its own build.
bash "$here/demo/build.sh"
# ARMv7-A programs for QEMU's virt board (firmware/v7a/build.sh: A32/T32, -O0/-O2/-Os, soft/hard float).
bash "$here/v7a/build.sh"
# A-profile throughput workload (bench/run.js): firmware/v7a/bench/build.sh.
bash "$here/v7a/bench/build.sh"
# Bare-metal programs for QEMU's vexpress-a9 (firmware/vexpress/build.sh: Cortex-A9, A32/T32, -O0/-O2).
bash "$here/vexpress/build.sh"
