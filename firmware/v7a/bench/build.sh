#!/usr/bin/env bash
# Builds the A-profile throughput workload (bench/run.js) as A32 and T32:
# firmware/build/v7a-bench-<arm|thumb>-O2.elf. Reuses firmware/v7a/common (start-up, runtime, GIC).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
common="$here/../common"
out="$(cd "$here/../.." && pwd)/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "firmware/v7a/bench/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2; exit 1; }
mkdir -p "$out"

for isa in arm thumb; do
  elf="$out/v7a-bench-$isa-O2.elf"
  newest="$here/v7a-bench.c"
  for d in "$common"/* "$here/build.sh"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  [[ -f "$elf" && ! "$newest" -nt "$elf" ]] && continue
  "$CC" -m$isa -mcpu=cortex-a15 -mfloat-abi=soft -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
    -ffreestanding -fno-common -I"$common" -masm-syntax-unified -O2 \
    -o "$elf.tmp" "$here/v7a-bench.c" "$common/start.S" "$common/rt.c" "$common/mmu.c" \
    -nostdlib -nostartfiles -T "$common/link.ld" -lc -lgcc
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
done
