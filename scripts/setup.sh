#!/usr/bin/env bash
# Install everything armrr needs on Debian 12 (run as root, or with sudo available):
# the ARM toolchain + newlib, gdb-multiarch, qemu-system-arm, the armhf Linux cross compiler, then
# npm packages, build, firmware, and Debian's armhf Linux guest (scripts/guest/build-guest.sh:
# kernel + busybox fetched with apt into guest/, initramfs built; never committed) and QEMU's
# scripts/replay-dump.py (scripts/tools/fetch-replay-dump.sh, into guest/tools/; never committed).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc-arm-none-eabi libnewlib-arm-none-eabi gdb-multiarch qemu-system-arm qemu-utils gcc-arm-linux-gnueabihf libc6-dev-armhf-cross cpio xz-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "setup: building firmware"
bash firmware/build.sh
echo "setup: Debian armhf guest (kernel, busybox, initramfs)"
bash scripts/guest/build-guest.sh >/dev/null
echo "setup: QEMU's replay-dump.py (from Debian's qemu source package, into guest/tools/)"
bash scripts/tools/fetch-replay-dump.sh >/dev/null
echo "setup: done"
