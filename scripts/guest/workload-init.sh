#!/bin/sh
# /init of the workload initramfs (tests only): a broad busybox user-space workload whose console
# output QEMU and armrr must print identically — hashing, compression, text tools, float
# formatting, shell arithmetic, /proc files, the clock — then a poweroff (PSCI SYSTEM_OFF).
# Every command exercises Thumb-2 user space (IT, TBB/TBH, UADD8/SEL in string functions,
# NEON memcpy, lazily enabled VFP, exclusives) and the kernel's paths under it.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp/w
cd /tmp/w
echo "=== workload: files ==="
head -c 65536 /bin/busybox > bb.head
dd if=/bin/busybox of=bb.dd bs=4096 count=24 skip=3 2>&1
dd if=/dev/zero of=zero.bin bs=1000 count=37 2>&1
dd if=bb.dd of=bb.copy bs=65536 2>&1
cmp bb.dd bb.copy && echo "dd copy ok"
printf 'line %d\n' 5 3 9 1 7 2 8 4 6 10 > nums.txt
sha256sum bb.head bb.dd zero.bin nums.txt /init
md5sum bb.head bb.dd zero.bin nums.txt
echo "=== workload: gzip round trip ==="
gzip -9 -c bb.dd > bb.dd.gz
ls -l bb.dd.gz | awk '{print $5}'
gunzip -c bb.dd.gz | md5sum
gzip -1 -c bb.head | gunzip | cmp - bb.head && echo "gzip -1 round trip ok"
echo "=== workload: text tools ==="
sort -t' ' -k2 -n nums.txt | tr '\n' ' '; echo
sort -r nums.txt | head -n 3
sed -e 's/line/L/' -e '/[02468]$/d' nums.txt | tr '\n' ','; echo
grep -c 'line [1-5]$' nums.txt
grep -n -E '(3|7)$' nums.txt
awk '{ s += $2; p = p * 1 + $2 * $2 } END { printf "sum=%d sq=%d mean=%.4f\n", s, p, s / NR }' nums.txt
awk 'BEGIN { pi = 0; for (k = 0; k < 2000; k++) pi += (k % 2 ? -4 : 4) / (2 * k + 1); printf "%.10f %.6e %g %d\n", pi, 1 / 3e7, 2 / 3, int(-7.9); x = 1; for (i = 0; i < 40; i++) x = x * 1.5 + 0.25; printf "%.17g %s\n", x, 0.1 + 0.2 }'
od -A x -t x1 -N 48 bb.head
od -t d4 -N 16 /init
hexdump -C -n 32 -s 64 bb.dd
echo "=== workload: shell and expr ==="
i=0; acc=1
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do i=$((i + n * n)); acc=$(( (acc * 31 + n) % 1000003 )); done
echo "i=$i acc=$acc"
expr 123456789 \* 7 % 1000 + 5
expr length "armrr-workload" : '.*'
expr "abcdef" : 'ab\(..\)'
printf '%.3f %e %5.1f%% %x %o %s\n' 3.14159265 0.000123 99.44 48879 8 "done"
printf '%08.3f|%-8s|%+d\n' -2.5 ab 42
factor 1234567 600851475143
echo "=== workload: more hashes and codecs ==="
sha1sum bb.dd nums.txt
sha512sum bb.head nums.txt
sha3sum bb.head
crc32 bb.dd
bzip2 -c bb.head > bb.head.bz2
ls -l bb.head.bz2 | awk '{print $5}'
bunzip2 -c bb.head.bz2 | sha1sum
base64 nums.txt | head -n 3
head -c 3000 bb.dd | base64 | base64 -d | md5sum
seq 1 2 40 | paste -s -d+ | tr -d '\n'; echo
shuf -i 1-200 -n 5 | tr '\n' ' '; echo
printf 'gamma\nalpha\nbeta\nalpha\n' | sort | uniq -c
echo "the quick brown fox" | rev | fold -w 7
strings -n 8 bb.head | head -n 4
mkdir -p arch/sub && cp nums.txt arch/sub/n && echo hi > arch/h
tar -cf a.tar arch && tar -tf a.tar | sort
stat -c '%s %a %F' a.tar nums.txt
echo "=== workload: processes and signals ==="
trap 'echo "trapped USR1"' USR1
kill -USR1 $$
( sleep 0; exit 3 ); echo "subshell exit $?"
sh -c 'echo "child sh $((6 * 7))"'
n=0; while [ $n -lt 20 ]; do /bin/true; n=$((n + 1)); done; echo "forked $n"
sleep 2 & bg=$!; kill $bg; wait $bg; echo "killed sleep: $?"
timeout 1 sleep 5; echo "timeout: $?"
usleep 20000 && echo "usleep ok"
echo "pipeline: $(seq 1 1000 | awk '{ s += $1 } END { print s }')"
grep -E '^(Name|State|Threads|SigCgt):' /proc/self/status
echo "=== workload: find ==="
find /bin -name 's*' | sort | head -n 8
find /tmp/w -type f -size +10k | sort
ls /proc/self/ | head -n 4
echo "=== workload: /proc ==="
cat /proc/interrupts
cat /proc/meminfo
cat /proc/self/maps
cat /proc/cpuinfo
echo "=== workload: clock ==="
date
date -u +%s
hwclock -u -r 2>&1 | cut -c1-24
cat /proc/stat | head -n 2
cat /proc/softirqs
dmesg | tail -n 3
sleep 1
date
cat /proc/uptime | cut -d' ' -f1 | sed 's/\..*//' | awk '{print ($1 >= 1) ? "uptime ok" : "uptime short"}'
echo "=== workload: done ==="
poweroff -f
