#!/usr/bin/env bash
# Builds the A-profile throughput workload (bench/run.js) as A32 and T32:
# firmware/build/v7a-bench-<arm|thumb>-<O2|short>.elf. Reuses firmware/v7a/common (start-up, runtime, GIC).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
common="$here/../common"
out="$(cd "$here/../.." && pwd)/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "firmware/v7a/bench/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2; exit 1; }
mkdir -p "$out"

# v7a-bench-<isa>-O2: the full workload (~2e8 instructions); -short: 2 rounds (~2e6, the test against QEMU).
for v in arm:O2: thumb:O2: arm:short:-DROUNDS=2u thumb:short:-DROUNDS=2u; do
  IFS=: read -r isa suffix define <<<"$v"
  elf="$out/v7a-bench-$isa-$suffix.elf"
  newest="$here/v7a-bench.c"
  for d in "$common"/* "$here/build.sh"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  [[ -f "$elf" && ! "$newest" -nt "$elf" ]] && continue
  "$CC" -m$isa -mcpu=cortex-a15 -mfloat-abi=soft -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
    -ffreestanding -fno-common -I"$common" -masm-syntax-unified -O2 ${define:+"$define"} \
    -o "$elf.tmp" "$here/v7a-bench.c" "$common/start.S" "$common/rt.c" "$common/mmu.c" \
    -nostdlib -nostartfiles -T "$common/link.ld" -lc -lgcc
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
done
