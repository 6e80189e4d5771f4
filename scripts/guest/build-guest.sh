#!/usr/bin/env bash
# Fetch Debian's armhf guest (fetch-debian-guest.sh), build the demo program /bin/rrdemo with
# arm-linux-gnueabihf-gcc and the initramfs (build-initramfs.mjs) into guest/build/. Idempotent;
# prints the paths (GUEST_*=...) on stdout. Nothing here is committed (guest/ is .gitignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
eval "$(bash "$here/fetch-debian-guest.sh")"
out="${ARMRR_GUEST_BUILD:-$PWD/guest/build}"
mkdir -p "$out"
command -v arm-linux-gnueabihf-gcc >/dev/null || { echo "build-guest: arm-linux-gnueabihf-gcc missing: run scripts/setup.sh (package gcc-arm-linux-gnueabihf)" >&2; exit 1; }
if [ ! -f "$out/rrdemo" ] || [ "$here/rrdemo.c" -nt "$out/rrdemo" ] || [ "$here/build-guest.sh" -nt "$out/rrdemo" ]; then
  # -O0 keeps the out-of-bounds store as written (an optimiser may use the UB to drop it).
  # -ffile-prefix-map: the debug info names the source relative to the checkout, so the binary (and
  # every initramfs holding it, hence the guest's timing) is the same byte for byte in any clone.
  arm-linux-gnueabihf-gcc -static -O0 -g -ffile-prefix-map="$PWD"=. -o "$out/rrdemo" scripts/guest/rrdemo.c
fi
initrd="$out/initramfs.cpio.gz"
if [ ! -f "$initrd" ] || [ "$here/init.sh" -nt "$initrd" ] || [ "$out/rrdemo" -nt "$initrd" ] || [ "$here/build-initramfs.mjs" -nt "$initrd" ]; then
  node "$here/build-initramfs.mjs" --busybox "$GUEST_BUSYBOX" --init "$here/init.sh" --demo "$out/rrdemo" --out "$initrd" >&2
fi
# The same initramfs with /init's `read` left out ("no input read" instead): the boot powers off by
# itself, so QEMU's and armrr's runs end at the same instruction (log comparisons, benchmarks).
noinput="$out/initramfs-no-input.cpio.gz"
if [ ! -f "$noinput" ] || [ "$here/init.sh" -nt "$noinput" ] || [ "$out/rrdemo" -nt "$noinput" ] || [ "$here/build-initramfs.mjs" -nt "$noinput" ]; then
  sed -e '/^read -r line/d' -e 's/^echo "you typed: .*$/echo "no input read"/' "$here/init.sh" >"$out/init-no-input.sh"
  node "$here/build-initramfs.mjs" --busybox "$GUEST_BUSYBOX" --init "$out/init-no-input.sh" --demo "$out/rrdemo" --out "$noinput.tmp" >&2
  mv "$noinput.tmp" "$noinput"
fi
# The workload initramfs (tests only): the same builder with a busybox workload as /init.
workload="$out/workload.cpio.gz"
if [ ! -f "$workload" ] || [ "$here/workload-init.sh" -nt "$workload" ] || [ "$out/rrdemo" -nt "$workload" ] || [ "$here/build-initramfs.mjs" -nt "$workload" ]; then
  node "$here/build-initramfs.mjs" --busybox "$GUEST_BUSYBOX" --init "$here/workload-init.sh" --demo "$out/rrdemo" --out "$workload" \
    --applets sha256sum,md5sum,gzip,gunzip,awk,sed,sort,od,dd,expr,find,wc,tr,cut,cmp,hexdump,factor,tail,sha1sum,sha512sum,sha3sum,crc32,bzip2,bunzip2,base64,seq,paste,shuf,uniq,rev,fold,strings,tar,stat,kill,timeout,usleep,hwclock >&2
fi
# The decompressed kernel as a uImage for virt (RAM 0x40000000 + TEXT_OFFSET 0x208000): the fast boot.
uimage="$out/Image-virt.uimg"
if [ ! -f "$uimage" ] || [ "$GUEST_ZIMAGE" -nt "$uimage" ] || [ "$here/make-uimage.mjs" -nt "$uimage" ]; then
  node "$here/make-uimage.mjs" --zimage "$GUEST_ZIMAGE" --load 0x40208000 --out "$uimage" >&2
fi
# The same for vexpress-a9 (RAM 0x60000000 + TEXT_OFFSET).
vx_uimage="$out/Image-vexpress.uimg"
if [ ! -f "$vx_uimage" ] || [ "$GUEST_ZIMAGE" -nt "$vx_uimage" ] || [ "$here/make-uimage.mjs" -nt "$vx_uimage" ]; then
  node "$here/make-uimage.mjs" --zimage "$GUEST_ZIMAGE" --load 0x60208000 --out "$vx_uimage" >&2
fi
echo "GUEST_ROOT=$GUEST_ROOT"
echo "GUEST_KERNEL_VERSION=$GUEST_KERNEL_VERSION"
echo "GUEST_ZIMAGE=$GUEST_ZIMAGE"
echo "GUEST_SYSTEM_MAP=$GUEST_SYSTEM_MAP"
echo "GUEST_CONFIG=$GUEST_CONFIG"
echo "GUEST_VEXPRESS_DTB=$GUEST_VEXPRESS_DTB"
echo "GUEST_BUSYBOX=$GUEST_BUSYBOX"
echo "GUEST_RRDEMO=$out/rrdemo"
echo "GUEST_INITRD=$initrd"
echo "GUEST_INITRD_NO_INPUT=$noinput"
echo "GUEST_VIRT_UIMAGE=$uimage"
echo "GUEST_VEXPRESS_UIMAGE=$vx_uimage"
echo "GUEST_WORKLOAD_INITRD=$workload"
