#!/usr/bin/env bash
# make image BOARD=B: the SD-card image build/B/image/edgebox-B.img.
#   tools/image/build-image.sh BOARD DAEMON OUT_DIR
#   tools/image/build-image.sh --preflight BOARD OUT_DIR   (only step 1: make runs it before building)
# 1. preflight (board recipe, root, tools, arm64 emulation, free space: preflight.sh);
# 2. the Debian bookworm arm64 root by mmdebstrap, cached as OUT_DIR/../image-cache/base-<hash>.tar where
#    the hash covers the suite, the package list and the hooks, so a rebuild skips the download;
# 3. that tree customised with our daemon, the unit and the rest of rootfs/ (customize-rootfs.sh);
# 4. genimage (genimage.cfg) to the MBR image, whose boot partition is then checked (check-boot.sh).
set -euo pipefail
if [ "${1:-}" = --preflight ]; then
	cd "$(dirname "$0")/../.."
	. tools/image/preflight.sh
	preflight "${2:?board}" "${3:?out dir}"
	exit 0
fi
board=${1:?board} daemon=${2:?daemon} out=${3:?out dir}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
. tools/image/preflight.sh
preflight "$board" "$out"
. "tools/image/boards/$board.conf"
[ -x "$daemon" ] || { echo "image: $daemon not built (make BOARD=$board)" >&2; exit 2; }
file -b "$daemon" | grep -q 'ARM aarch64, .*statically linked' ||
	{ echo "image: $daemon is not a static aarch64 executable ($(file -b "$daemon" | cut -d, -f1-4))" >&2; exit 2; }

suite=bookworm
packages="systemd systemd-sysv systemd-timesyncd systemd-resolved udev dbus kmod initramfs-tools
	openssh-server wpasupplicant iproute2 ca-certificates netbase e2fsprogs $IMAGE_PACKAGES"
packages=$(echo $packages | tr ' ' '\n' | sort -u | tr '\n' ',' | sed 's/,$//')
cache=$(dirname "$out")/../image-cache
mkdir -p "$cache"
# The initramfs, built under qemu-user, is most of the build's time (MODULES=most: thousands of emulated
# processes, about 15 minutes on a busy 2-core machine), and dpkg builds it more than once: in the kernel's
# postinst, then again when initramfs-tools' trigger runs. So update-initramfs is diverted to a no-op while the
# packages install and runs once at the end, on the finished tree; its post-update hook (raspi-firmware)
# copies the initrd to /boot/firmware and writes config.txt. ("$1" is the tree, expanded by mmdebstrap's sh.)
# shellcheck disable=SC2016
divert='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && ln -s /bin/true "$1/usr/sbin/update-initramfs"'
# shellcheck disable=SC2016
initramfs='rm "$1/usr/sbin/update-initramfs" && chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs && chroot "$1" update-initramfs -c -k all'
key=$(printf '%s\n' "$suite" "$packages" "$divert" "$initramfs" | sha256sum | cut -c1-16)
base=$cache/base-$key.tar
t0=$(date +%s)
if [ ! -s "$base" ]; then
	echo "image: mmdebstrap $suite arm64 (200 MB of downloads, then the initramfs under emulation: about 20 minutes; cached in $base)"
	mmdebstrap --mode=root --arch=arm64 --variant=essential --components="main non-free-firmware" \
		--include="$packages" --essential-hook="$divert" --customize-hook="$initramfs" "$suite" "$base.part.tar"
	mv "$base.part.tar" "$base"
fi
t1=$(date +%s)

work=$out/work
rm -rf "$work" && mkdir -p "$work/root" "$work/tmp"
tar -C "$work/root" --numeric-owner -xpf "$base"
tools/image/customize-rootfs.sh "$work/root" "$board" "$daemon"
t2=$(date +%s)

img=$out/edgebox-$board.img
rm -f "$img"
genimage --config tools/image/genimage.cfg --rootpath "$work/root" --tmppath "$work/tmp" \
	--inputpath "$work" --outputpath "$work" >"$work/genimage.log" 2>&1 ||
	{ tail -n 30 "$work/genimage.log" >&2; echo "image: genimage failed (log: $work/genimage.log)" >&2; exit 1; }
mv "$work/edgebox.img" "$img"
tools/image/check-boot.sh "$img" "$work/root/boot/firmware" "$IMAGE_BOOT_FILES"
t3=$(date +%s)
rm -rf "$work"
echo "image: $img: $(du -m --apparent-size "$img" | cut -f1) MiB ($(du -m "$img" | cut -f1) MiB on disk);" \
	"mmdebstrap $((t1 - t0)) s, customise $((t2 - t1)) s, genimage $((t3 - t2)) s"
