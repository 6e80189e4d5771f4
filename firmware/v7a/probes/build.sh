#!/usr/bin/env bash
# Builds the device probes (firmware/v7a/probes/*.c, on the A-profile runtime in ../common) into
# firmware/build/v7a-probe-<name>-<arm|thumb>-<opt>.elf: A32 and T32 at -O0 and -O2, soft-float.
# Idempotent like firmware/build.sh. The probes need QEMU's -rtc base=...,clock=vm (armrr
# --rtc-base) to print deterministic RTC values, so they stay out of firmware/v7a/src.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
common="$(cd "$here/../common" && pwd)"
out="$(cd "$here/../.." && pwd)/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "firmware/v7a/probes/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2; exit 1; }
mkdir -p "$out"

CFLAGS=(-mcpu=cortex-a15 -mfloat-abi=soft -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -ffreestanding -fno-common
        -I"$common" -Wa,-mfpu=neon-vfpv4 -masm-syntax-unified)
deps=("$common"/* "$here"/*.h "$here/build.sh")

for src in "$here"/*.c; do
  name="$(basename "$src" .c)"
  for isa in arm thumb; do
    for opt in O0 O2; do
      elf="$out/v7a-probe-$name-$isa-$opt.elf"
      newest="$src"
      for d in "${deps[@]}"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
      [[ -f "$elf" && ! "$newest" -nt "$elf" ]] && continue
      "$CC" "-m$isa" "${CFLAGS[@]}" "-$opt" -o "$elf.tmp" "$src" "$common/start.S" "$common/rt.c" \
        -nostdlib -nostartfiles -T "$common/link.ld" -lc -lgcc
      mv "$elf.tmp" "$elf"
      echo "built $(basename "$elf")"
    done
  done
done
