#!/usr/bin/env bash
# Builds the bare-metal programs for QEMU's vexpress-a9 (Cortex-A9) into
# firmware/build/vexpress-<name>-<arm|thumb>-<O0|O2>.elf: this directory's src/*.c (the board's
# devices, Security Extensions, interrupts, MMU) and the core programs of firmware/v7a/src that
# run on any ARMv7-A board (ALU, loads/stores, modes, short-descriptor MMU; mul-media tests SDIV/UDIV, which the A9 lacks), all compiled for the
# Cortex-A9 (no integer divide, VFPv3) on the v7a runtime with RAM at 0x60000000.
# Idempotent like firmware/build.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
v7a="$(cd "$here/../v7a" && pwd)"
out="$(cd "$here/.." && pwd)/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "firmware/vexpress/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2; exit 1; }
mkdir -p "$out"

CFLAGS=(-mcpu=cortex-a9 -mfloat-abi=soft -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -ffreestanding -fno-common
        -I"$v7a/common" -I"$here" -masm-syntax-unified)
COMMON=("$v7a/common/start.S" "$v7a/common/rt.c" "$v7a/common/mmu.c")
LIBS=(-nostdlib -nostartfiles -T "$here/link.ld" -lc -lgcc)
deps=("$v7a"/common/* "$here"/*.h "$here/link.ld" "$here/build.sh")

# build SRC ISA OPT [extra flags...]
build() {
  local src="$1" isa="$2" opt="$3"
  shift 3
  local elf="$out/vexpress-$(basename "$src" .c)-$isa-$opt.elf"
  local newest="$src"
  for d in "${deps[@]}"; do [[ -e "$d" && "$d" -nt "$newest" ]] && newest="$d"; done
  if [[ -f "$elf" && ! "$newest" -nt "$elf" ]]; then return 0; fi
  "$CC" "-m$isa" "${CFLAGS[@]}" "-$opt" "$@" -o "$elf.tmp" "$src" "${COMMON[@]}" "${LIBS[@]}"
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
}

jobs_running() { jobs -rp | wc -l; }
status=0
# mmu-short with vexpress's RAM and device sections (0x10000000-0x1fffffff), executing from UART0.
VEXPRESS_MMU=(-DRAM_BASE=0x60000000u -DDEVICE_MB_FIRST=0x100u -DDEVICE_MB_END=0x200u -DDEVICE_EXEC=0x10009000u)
for src in "$here"/src/*.c "$v7a"/src/{alu,ldst,modes,mmu-short,vfp-vectors}.c; do
  extra=(); [[ $(basename "$src") == mmu-short.c ]] && extra=("${VEXPRESS_MMU[@]}")
  for isa in arm thumb; do
    for opt in O0 O2; do
      while (( $(jobs_running) >= 2 )); do wait -n || status=1; done
      build "$src" "$isa" "$opt" "${extra[@]}" &
    done
  done
done
while (( $(jobs_running) > 0 )); do wait -n || status=1; done
if [[ $status -ne 0 ]]; then echo "firmware/vexpress/build.sh: build failed" >&2; exit 1; fi
