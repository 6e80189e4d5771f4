#!/usr/bin/env bash
# Builds the demo firmware (firmware/demo/demo.c + firmware/common) into firmware/build/demo.elf.
# -O0 keeps every source line and variable visible in gdb. Rebuilds only when a source is newer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fw="$(dirname "$here")"
out="$fw/build/demo.elf"
CC="${ARM_CC:-arm-none-eabi-gcc}"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "firmware/demo/build.sh: $CC not found; install gcc-arm-none-eabi and libnewlib-arm-none-eabi" >&2
  exit 1
fi
mkdir -p "$fw/build"

newest="$here/demo.c"
for d in "$fw"/common/* "$here/build.sh"; do [[ "$d" -nt "$newest" ]] && newest="$d"; done
if [[ -f "$out" && ! "$newest" -nt "$out" ]]; then exit 0; fi

"$CC" -mcpu=cortex-m3 -mthumb -g -O0 -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
  -ffreestanding -fno-common -I"$fw/common" \
  -o "$out.tmp" "$here/demo.c" "$fw/common/startup.c" "$fw/common/uart.c" \
  -nostdlib -T "$fw/common/link.ld" -lc -lgcc
mv "$out.tmp" "$out"
echo "built demo.elf"
