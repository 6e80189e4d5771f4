#!/usr/bin/env bash
# Fetch Debian's armhf Linux guest (never committed; see .gitignore): the armmp kernel (the
# linux-image-armmp metapackage and the versioned package it depends on) and busybox-static,
# unpacked with dpkg-deb -x into guest/debian/ (override with ARMRR_GUEST_DIR). Idempotent: when
# the unpacked tree is already there it only prints the paths. Needs root (or sudo) for
# `dpkg --add-architecture armhf` and `apt-get update` the first time.
# Prints the paths as shell assignments (GUEST_ZIMAGE=..., etc.) on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${ARMRR_GUEST_DIR:-$PWD/guest/debian}"
root="$dir/root"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

have_guest() {
  compgen -G "$root/boot/vmlinuz-*" >/dev/null && [ -x "$root/bin/busybox" ]
}

if ! have_guest; then
  if ! dpkg --print-foreign-architectures | grep -qx armhf; then
    echo "fetch-debian-guest: adding the armhf architecture to dpkg" >&2
    $SUDO dpkg --add-architecture armhf
    $SUDO apt-get update -qq
  fi
  mkdir -p "$dir/debs" "$root"
  cd "$dir/debs"
  # The metapackage names the current versioned kernel package (linux-image-6.1.0-N-armmp).
  if ! compgen -G "linux-image-armmp_*_armhf.deb" >/dev/null; then
    apt-get download -q linux-image-armmp:armhf >&2 || { $SUDO apt-get update -qq; apt-get download -q linux-image-armmp:armhf >&2; }
  fi
  meta=$(ls linux-image-armmp_*_armhf.deb | head -n1)
  versioned=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ (]*-armmp\).*/\1/p' | head -n1)
  [ -n "$versioned" ] || { echo "fetch-debian-guest: cannot find the versioned kernel package in $meta's Depends" >&2; exit 1; }
  compgen -G "${versioned}_*_armhf.deb" >/dev/null || apt-get download -q "$versioned:armhf" >&2
  compgen -G "busybox-static_*_armhf.deb" >/dev/null || apt-get download -q busybox-static:armhf >&2
  for deb in "${versioned}"_*_armhf.deb busybox-static_*_armhf.deb; do
    dpkg-deb -x "$deb" "$root"
  done
  cd - >/dev/null
fi

zimage=$(ls "$root"/boot/vmlinuz-* | head -n1)
ver=${zimage##*/vmlinuz-}
echo "GUEST_ROOT=$root"
echo "GUEST_KERNEL_VERSION=$ver"
echo "GUEST_ZIMAGE=$zimage"
echo "GUEST_SYSTEM_MAP=$root/boot/System.map-$ver"
echo "GUEST_CONFIG=$root/boot/config-$ver"
echo "GUEST_VEXPRESS_DTB=$root/usr/lib/linux-image-$ver/vexpress-v2p-ca9.dtb"
echo "GUEST_BUSYBOX=$root/bin/busybox"
