#!/usr/bin/env bash
# The image build's own checks, fast and without a Debian root: the preflight stops with the reason and
# writes nothing (a board without a recipe, a missing tool, too little space, no root), genimage.cfg lays
# out the MBR image as documented, and check-boot.sh accepts a good boot partition and refuses one whose
# file data reads back as zeros (what a sparse vfat write gives) or that lacks a boot file.
# genimage and mtools missing: those checks skip (apt-get install genimage mtools dosfstools e2fsprogs).
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build=tools/image/build-image.sh

out=$($build --preflight sim "$tmp/o1" 2>&1); rc=$?
check "board without a recipe: exit 2" $([ $rc = 2 ]; echo $?)
check "board without a recipe: named, with the boards that have one" \
	$(grep -q "board 'sim' has no image recipe (tools/image/boards/sim.conf); boards with one: qemu-virt rpi4" <<<"$out"; echo $?)
check "board without a recipe: nothing written" $([ ! -e "$tmp/o1" ]; echo $?)
out=$($build --preflight rpi5 "$tmp/o1" 2>&1)
check "rpi5: says what it needs" $(grep -q "rpi5 needs a kernel with bcm2712 DTBs" <<<"$out"; echo $?)

if [ "$(id -u)" = 0 ]; then
	# A PATH without genimage (the rest of the tools linked in, the two checked before it stubbed where
	# this machine lacks them): the package to install is named.
	mkdir "$tmp/bin"
	for t in bash dirname mmdebstrap arch-test id awk df ls sed tr mkdir; do
		p=$(command -v $t) && ln -s "$p" "$tmp/bin/$t"
	done
	for t in mmdebstrap arch-test; do
		[ -e "$tmp/bin/$t" ] || printf '#!/bin/sh\nexit 0\n' > "$tmp/bin/$t"
		chmod +x "$tmp/bin/$t"
	done
	out=$(PATH=$tmp/bin $build --preflight rpi4 "$tmp/o2" 2>&1); rc=$?
	check "missing tool: exit 3" $([ $rc = 3 ]; echo $?)
	check "missing tool: says what to install" \
		$(grep -q "'genimage' not found: install it with: apt-get install --no-install-recommends genimage" <<<"$out"; echo $?)
	if command -v genimage >/dev/null && arch-test arm64 >/dev/null 2>&1; then
		out=$(EB_IMAGE_NEED_MIB=999999999 $build --preflight rpi4 "$tmp/o3" 2>&1); rc=$?
		check "no space: exit 2" $([ $rc = 2 ]; echo $?)
		check "no space: says how much is free and needed" \
			$(grep -q "MiB free; the build needs 999999999 MiB" <<<"$out"; echo $?)
	else
		echo "SKIP the free-space refusal needs the image tools and arm64 emulation" >&2; skipped=$((skipped + 1))
	fi
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $build --preflight rpi4 "$tmp/o4" 2>&1); rc=$?
	check "not root: exit 3, says to use sudo" $([ $rc = 3 ] && grep -q "needs root .*sudo make image BOARD=rpi4" <<<"$out"; echo $?)
else
	out=$($build --preflight rpi4 "$tmp/o4" 2>&1); rc=$?
	check "not root: exit 3, says to use sudo" $([ $rc = 3 ] && grep -q "needs root .*sudo make image BOARD=rpi4" <<<"$out"; echo $?)
	echo "SKIP the missing-tool and free-space refusals are checked as root" >&2; skipped=$((skipped + 1))
fi

if ! command -v genimage >/dev/null || ! command -v mcopy >/dev/null || ! command -v mkfs.vfat >/dev/null; then
	echo "SKIP genimage/mtools/dosfstools missing: layout and boot check not run" >&2
	echo "$passed passed, $failed failed, $((skipped + 1)) skipped"; [ $failed = 0 ]; exit
fi
# A small tree through the real genimage.cfg.
r=$tmp/root
mkdir -p "$r/boot/firmware" "$r/data" "$r/etc"
head -c 3000000 /dev/urandom >"$r/boot/firmware/vmlinuz-6.1.0-test-arm64"
echo "arm_64bit=1" >"$r/boot/firmware/config.txt"
echo data >"$r/data/x" && echo root >"$r/etc/x"
mkdir "$tmp/gi"
genimage --config tools/image/genimage.cfg --rootpath "$r" --tmppath "$tmp/gi" --inputpath "$tmp" \
	--outputpath "$tmp" >"$tmp/genimage.log" 2>&1
check "genimage builds the layout" $?
img=$tmp/edgebox.img
table=$(sfdisk -d "$img" 2>/dev/null)
check "disk signature eb0c0de1" $(grep -q '^label-id: 0xeb0c0de1' <<<"$table"; echo $?)
check "boot at 4 MiB, 256 MiB, FAT32 LBA, bootable" \
	$(grep -Eq '1 : start= *8192, size= *524288, type=c, bootable' <<<"$table"; echo $?)
check "rootA, rootB 1 GiB, data 256 MiB, 4 MiB aligned" \
	$(grep -Eq '2 : start= *532480, size= *2097152, type=83' <<<"$table" &&
	  grep -Eq '3 : start= *2629632, size= *2097152, type=83' <<<"$table" &&
	  grep -Eq '4 : start= *4726784, size= *524288, type=83' <<<"$table"; echo $?)
out=$(tools/image/check-boot.sh "$img" "$r/boot/firmware" "config.txt vmlinuz-*" 2>&1)
check "check-boot accepts the good image" $?
out=$(tools/image/check-boot.sh "$img" "$r/boot/firmware" "config.txt start4.elf" 2>&1)
check "check-boot refuses a missing boot file, naming it" $([ $? != 0 ] && grep -q "no boot file start4.elf" <<<"$out"; echo $?)
# The boot partition's data area (past its FAT tables) read back as zeros, as a sparse write gives.
fallocate --punch-hole --offset $(((8192 + 8192) * 512)) --length $((200 * 1024 * 1024)) "$img"
out=$(tools/image/check-boot.sh "$img" "$r/boot/firmware" "config.txt vmlinuz-*" 2>&1)
check "check-boot refuses zeros where the kernel was" \
	$([ $? != 0 ] && grep -q "boot file .* differs from .* (missing, or written sparse)" <<<"$out"; echo $?)
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
