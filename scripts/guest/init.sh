#!/bin/sh
# /init of armrr's Debian guest initramfs: a short, deterministic session on the console that
# ends with a poweroff (PSCI SYSTEM_OFF: armrr and QEMU exit with status 0).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "=== armrr Debian guest: Linux $(uname -r) ==="
uname -a
cat /proc/cpuinfo | head -n 5
ls /
/bin/rrdemo
printf 'armrr-guest$ '
read -r line
echo "you typed: $line"
echo "=== powering off ==="
poweroff -f
