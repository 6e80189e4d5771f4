#!/usr/bin/env bash
# Builds the demo firmware into firmware/build/: demo.elf (demo.c, the `npm run demo` firmware) and
# demo-timers.elf (timers.c, for the gdb helper tests), both with firmware/common. -O0 keeps every
# source line and variable visible in gdb. An ELF is rebuilt only when one of its sources is newer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fw="$(dirname "$here")"
CC="${ARM_CC:-arm-none-eabi-gcc}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "firmware/demo/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2
  exit 1
fi
mkdir -p "$fw/build"

# build SOURCE OUTPUT
build() {
  local src="$here/$1" out="$fw/build/$2"
  local newest="$src"
  for d in "$fw"/common/* "$here/build.sh"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
  if [[ -f "$out" && ! "$newest" -nt "$out" ]]; then return 0; fi
  "$CC" -mcpu=cortex-m3 -mthumb -g -O0 -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
    -ffreestanding -fno-common -I"$fw/common" \
    -o "$out.$$.tmp" "$src" "$fw/common/startup.c" "$fw/common/uart.c" \
    -nostdlib -T "$fw/common/link.ld" -lc -lgcc
  mv "$out.$$.tmp" "$out"
  echo "built $(basename "$out")"
}

build demo.c demo.elf
build timers.c demo-timers.elf
