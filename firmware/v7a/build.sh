#!/usr/bin/env bash
# Builds the bare-metal ARMv7-A programs (QEMU virt, Cortex-A15) into
# firmware/build/v7a-<name>-<arm|thumb>-<opt>[-hf].elf: every program in src/ as A32 and T32 at
# -O0/-O2/-Os with the soft-float ABI (VFP/NEON only in inline asm), and at -O2 with the hard-float
# ABI (-mfpu=neon-vfpv4, so the compiler itself emits VFP/NEON). Idempotent like firmware/build.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(cd "$here/.." && pwd)/build"
CC="${ARM_CC:-arm-none-eabi-gcc}"
command -v "$CC" >/dev/null 2>&1 || { echo "firmware/v7a/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2; exit 1; }
mkdir -p "$out"

CFLAGS=(-mcpu=cortex-a15 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -ffreestanding -fno-common
        -I"$here/common" -masm-syntax-unified)
SOFT=(-mfloat-abi=soft)
HARD=(-mfloat-abi=hard -mfpu=neon-vfpv4)
COMMON=("$here/common/start.S" "$here/common/rt.c" "$here/common/mmu.c")
LIBS=(-nostdlib -nostartfiles -T "$here/common/link.ld" -lc -lgcc)
deps=("$here"/common/* "$here/build.sh")

# build SRC ISA OPT FLOAT [NAME [extra flags...]]
build() {
  local src="$1" isa="$2" opt="$3" float="$4"
  local name="${5:-$(basename "$src" .c)}"
  shift 4; shift $(( $# > 0 ? 1 : 0 ))
  local elf="$out/v7a-$name-$isa-$opt$([[ $float == hard ]] && echo -hf).elf"
  local newest="$src"
  for d in "${deps[@]}"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  if [[ -f "$elf" && ! "$newest" -nt "$elf" ]]; then return 0; fi
  local fl=("${SOFT[@]}"); [[ $float == hard ]] && fl=("${HARD[@]}")
  "$CC" "-m$isa" "${fl[@]}" "${CFLAGS[@]}" "-$opt" "$@" -o "$elf.tmp" "$src" "${COMMON[@]}" "${LIBS[@]}"
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
}

# At most two compilers at a time (the machine is shared).
jobs_running() { jobs -rp | wc -l; }
status=0
for src in "$here"/src/*.c; do
  for isa in arm thumb; do
    for v in O0:soft O2:soft Os:soft O2:hard; do
      while (( $(jobs_running) >= 2 )); do wait -n || status=1; done
      build "$src" "$isa" "${v%%:*}" "${v##*:}" &
    done
  done
done
# ~1.2e7 instructions (lock-step's long run)
build "$here/src/compute.c" arm O2 soft compute-long -DITERS=60u &
build "$here/src/compute.c" thumb O2 hard compute-long -DITERS=60u &
# Programs in the style of outside code (foreign/): newlib's own rdimon crt0 and printf over
# semihosting, their own VBAR vectors (foreign/vectors.S), linked with newlib's default script at
# the board's RAM: v7a-foreign-<virt|vexpress>-<arm|thumb>-<opt>.elf.
foreign() {
  local board="$1" cpu="$2" ram="$3" isa="$4" opt="$5"
  local src="$here/foreign/$board-foreign.c" elf="$out/v7a-foreign-$board-$isa-$opt.elf"
  local newest="$src"
  for d in "$here"/foreign/vectors.S "$here"/foreign/heapinfo.h "$here/build.sh"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  if [[ -f "$elf" && ! "$newest" -nt "$elf" ]]; then return 0; fi
  "$CC" "-mcpu=$cpu" "-m$isa" -mfloat-abi=soft -g -std=gnu11 -Wall -Wextra -Wno-format "-$opt" --specs=rdimon.specs \
    "-Wl,-Ttext-segment=$ram" -o "$elf.tmp" "$src" "$here/foreign/vectors.S"
  mv "$elf.tmp" "$elf"
  echo "built $(basename "$elf")"
}
for v in arm:O2 thumb:Os arm:O0 thumb:O2; do
  while (( $(jobs_running) >= 2 )); do wait -n || status=1; done
  foreign virt cortex-a15 0x40000000 "${v%%:*}" "${v##*:}" &
  while (( $(jobs_running) >= 2 )); do wait -n || status=1; done
  foreign vexpress cortex-a9 0x60000000 "${v%%:*}" "${v##*:}" &
done
while (( $(jobs_running) > 0 )); do wait -n || status=1; done
if [[ $status -ne 0 ]]; then echo "firmware/v7a/build.sh: build failed" >&2; exit 1; fi
