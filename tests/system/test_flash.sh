#!/usr/bin/env bash
# tools/flash: writes and verifies into regular files (raw, xz and gzip images), and every refusal writes
# nothing (the target compared byte for byte): a too-small target, no "yes", a missing, empty or corrupt
# image, a missing device. A read-back that differs (the target changed between the write and the
# read-back, by a sync on PATH that flips a byte, as a failing card would) exits 4 naming the byte.
# As root with loop devices: a loop device is written and verified, refused without --force, refused
# when mounted, when too small, when a partition is given, and when a made-up /sys and mount table say it
# holds / (directly, or under LVM) or is swap. Last, the real disk holding / is refused (without --yes and
# with no answer on stdin, so even a broken check could not write to it).
# shellcheck disable=SC2046 # check NAME $(COND; echo $?): the status is one word
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
skip() { echo "SKIP $*" >&2; skipped=$((skipped + 1)); }
tmp=$(mktemp -d)
loops=()
cleanup() {
	mountpoint -q "$tmp/mnt" 2>/dev/null && umount "$tmp/mnt"
	for l in "${loops[@]+"${loops[@]}"}"; do losetup -d "$l"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
flash=tools/flash

# The image: 3 MiB of data with a run of zeros, as a real image has; the target a 4 MiB file of 0xee.
head -c 1048576 /dev/urandom >"$tmp/img"
head -c 1048576 /dev/zero >>"$tmp/img"
head -c 1048577 /dev/urandom >>"$tmp/img" # an odd length: the read-back must stop exactly at the end
isize=$(stat -c %s "$tmp/img")
fresh_target() { # fresh_target FILE BYTES
	head -c "$2" /dev/zero | tr '\0' '\356' >"$1"
}
sum() { sha256sum <"$1" | cut -c1-64; }
# holds_image TARGET: the target starts with the image, and the rest of it is as before (0xee).
holds_image() {
	cmp -s -n "$isize" "$tmp/img" "$1" &&
		tail -c +"$((isize + 1))" "$1" | tr -d '\356' | cmp -s - /dev/null
}

fresh_target "$tmp/t" 4194304
out=$($flash --image "$tmp/img" --device "$tmp/t" --yes 2>&1); rc=$?
check "file target: exit 0" $([ $rc = 0 ]; echo $?)
check "file target: verified OK, named" $(grep -q "flash: $tmp/t: verified OK: $isize bytes" <<<"$out"; echo $?)
check "file target: holds the image, the rest untouched" $(holds_image "$tmp/t"; echo $?)
check "file target: said to be a regular file" $(grep -q "$tmp/t: a regular file, not a disk" <<<"$out"; echo $?)

fresh_target "$tmp/t" 4194304
out=$(echo yes | $flash --image "$tmp/img" --device "$tmp/t" 2>&1); rc=$?
check "typed yes: asked, written" $([ $rc = 0 ] && grep -q "Type yes to go on" <<<"$out" && holds_image "$tmp/t"; echo $?)

# Every refusal below: the exit status, the reason naming the device, and the target unchanged.
fresh_target "$tmp/t" 4194304
before=$(sum "$tmp/t")
unchanged() { [ "$(sum "$tmp/t")" = "$before" ]; }
out=$(echo no | $flash --image "$tmp/img" --device "$tmp/t" 2>&1); rc=$?
check "answer no: exit 1, nothing written" \
	$([ $rc = 1 ] && grep -q "$tmp/t: not confirmed .*nothing written" <<<"$out" && unchanged; echo $?)
out=$($flash --image "$tmp/img" --device "$tmp/t" </dev/null 2>&1); rc=$?
check "no answer at all: exit 1, nothing written" $([ $rc = 1 ] && unchanged; echo $?)

fresh_target "$tmp/small" 3145728
small_before=$(sum "$tmp/small")
out=$($flash --image "$tmp/img" --device "$tmp/small" --yes 2>&1); rc=$?
check "too small: exit 3, both sizes, nothing written" \
	$([ $rc = 3 ] && grep -q "$tmp/small: too small: it has 3145728 bytes, the image $isize" <<<"$out" &&
	  [ "$(sum "$tmp/small")" = "$small_before" ]; echo $?)

out=$($flash --image "$tmp/nothing.img" --device "$tmp/t" --yes 2>&1); rc=$?
check "missing image: exit 2, named" $([ $rc = 2 ] && grep -q "nothing.img: no such image (for $tmp/t)" <<<"$out" && unchanged; echo $?)
: >"$tmp/empty.img"
out=$($flash --image "$tmp/empty.img" --device "$tmp/t" --yes 2>&1); rc=$?
check "empty image: exit 2" $([ $rc = 2 ] && grep -q "the image is empty; $tmp/t: nothing written" <<<"$out" && unchanged; echo $?)
out=$($flash --image "$tmp" --device "$tmp/t" --yes 2>&1); rc=$?
check "a directory as image: exit 2" $([ $rc = 2 ] && grep -q "not a regular file" <<<"$out" && unchanged; echo $?)
out=$($flash --image "$tmp/img" --device "$tmp/no-such-disk" --yes 2>&1); rc=$?
check "missing device: exit 3, named" $([ $rc = 3 ] && grep -q "$tmp/no-such-disk: no such device" <<<"$out"; echo $?)
out=$($flash --image "$tmp/img" --device "$tmp/img" --yes 2>&1); rc=$?
check "the image as its own target: exit 2" $([ $rc = 2 ] && grep -q "is the image itself" <<<"$out"; echo $?)
out=$($flash --image "$tmp/img" --yes 2>&1); rc=$?
check "no --device: exit 2, usage" $([ $rc = 2 ] && grep -q "^usage: tools/flash" <<<"$out"; echo $?)
out=$($flash --help); rc=$?
check "--help documents the exit codes" $([ $rc = 0 ] && grep -q "^  4  the write failed" <<<"$out"; echo $?)

# A caller who may not write the device (not root): refused before the question.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 0755 "$tmp/pub" && cp "$tmp/img" "$tmp/pub/img" && fresh_target "$tmp/pub/t" 4194304 && chmod 0755 "$tmp" &&
		chmod 0644 "$tmp/pub/img" "$tmp/pub/t"
	pub_before=$(sum "$tmp/pub/t")
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $flash --image "$tmp/pub/img" --device "$tmp/pub/t" --yes 2>&1); rc=$?
	chmod 0700 "$tmp"
	check "not writable by the caller: exit 3, says sudo, nothing written" \
		$([ $rc = 3 ] && grep -q "$tmp/pub/t: you may not write to it (run tools/flash with sudo)" <<<"$out" &&
		  [ "$(sum "$tmp/pub/t")" = "$pub_before" ]; echo $?)
else
	skip "not root: the not-writable refusal is checked as root (setpriv to nobody)"
fi

# Compressed images: decompressed on the fly; a truncated one refused before writing; zstd refused.
if command -v xz >/dev/null && command -v gzip >/dev/null; then
	xz -1 -T1 -c "$tmp/img" >"$tmp/img.xz" && gzip -1 -c "$tmp/img" >"$tmp/img.gz"
	for z in xz gz; do
		fresh_target "$tmp/t" 4194304
		out=$($flash --image "$tmp/img.$z" --device "$tmp/t" --yes 2>&1); rc=$?
		check "$z image: written and verified" $([ $rc = 0 ] && grep -q "verified OK: $isize bytes" <<<"$out" && holds_image "$tmp/t"; echo $?)
	done
	fresh_target "$tmp/t" 4194304
	before=$(sum "$tmp/t")
	head -c 200000 "$tmp/img.xz" >"$tmp/cut.img.xz"
	out=$($flash --image "$tmp/cut.img.xz" --device "$tmp/t" --yes 2>&1); rc=$?
	check "truncated xz: exit 2, nothing written" $([ $rc = 2 ] && grep -q "cannot be read as xz" <<<"$out" && unchanged; echo $?)
else
	skip "xz or gzip missing: compressed images not checked"
fi
printf '\x28\xb5\x2f\xfd rest' >"$tmp/z.img.zst"
out=$($flash --image "$tmp/z.img.zst" --device "$tmp/t" --yes 2>&1); rc=$?
check "zstd image: refused, exit 2" $([ $rc = 2 ] && grep -q "is zstd-compressed: decompress it first" <<<"$out" && unchanged; echo $?)

# A read-back that differs: a sync on PATH (tools/flash syncs between the write and the read-back) that
# flips one byte of the target first, the way a card that does not keep what it was given reads back.
mkdir "$tmp/bin"
cat >"$tmp/bin/sync" <<'EOF'
#!/usr/bin/env bash
set -eu
b=$(od -An -tu1 -j100 -N1 "$EB_TEST_FLIP")
printf "\\$(printf %03o $((b ^ 255)))" | dd of="$EB_TEST_FLIP" bs=1 seek=100 conv=notrunc status=none
exec /bin/sync "$@"
EOF
chmod +x "$tmp/bin/sync"
fresh_target "$tmp/t" 4194304
out=$(EB_TEST_FLIP=$tmp/t PATH=$tmp/bin:$PATH $flash --image "$tmp/img" --device "$tmp/t" --yes 2>&1); rc=$?
check "read-back differs: exit 4, verify FAILED, the byte named" \
	$([ $rc = 4 ] && grep -q "$tmp/t: verify FAILED: the image's sha256 is .* differ: byte 101" <<<"$out"; echo $?)

# Loop devices (root only).
loop() { # loop FILE [losetup options]: attach, remember for the cleanup; the device in $dev
	dev=$(losetup -f --show "$@" 2>/dev/null) || return 1
	loops+=("$dev")
}
if [ "$(id -u)" != 0 ] || ! { fresh_target "$tmp/l1" 4194304 && loop "$tmp/l1" && l1=$dev; }; then
	skip "no loop devices here (needs root and losetup): loop-device checks not run"
else
	n1=$(basename "$l1")
	before=$(sum "$tmp/l1")
	out=$($flash --image "$tmp/img" --device "$l1" --yes 2>&1); rc=$?
	check "loop without --force: exit 3, not removable, nothing written" \
		$([ $rc = 3 ] && grep -q "$l1: is not a removable disk" <<<"$out" && [ "$(sum "$tmp/l1")" = "$before" ]; echo $?)
	out=$($flash --image "$tmp/img" --device "$l1" --force </dev/null 2>&1); rc=$?
	check "loop: size shown before asking" $([ $rc = 1 ] && grep -q "$l1: .*4 MB (4194304 bytes)" <<<"$out"; echo $?)
	out=$($flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
	check "loop: written and verified" $([ $rc = 0 ] && grep -q "$l1: verified OK" <<<"$out"; echo $?)
	check "loop: the backing file holds the image" $(holds_image "$tmp/l1"; echo $?)

	fresh_target "$tmp/l1" 4194304
	before=$(sum "$tmp/l1")
	out=$(EB_TEST_FLIP=$tmp/l1 PATH=$tmp/bin:$PATH $flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
	check "loop: a medium changed under the write fails the verify" \
		$([ $rc = 4 ] && grep -q "$l1: verify FAILED" <<<"$out"; echo $?)

	fresh_target "$tmp/ls" 2097152
	if loop "$tmp/ls"; then
		ls=$dev
		before=$(sum "$tmp/ls")
		out=$($flash --image "$tmp/img" --device "$ls" --yes --force 2>&1); rc=$?
		check "small loop: exit 3, both sizes, nothing written" \
			$([ $rc = 3 ] && grep -q "$ls: too small: it has 2097152 bytes, the image $isize" <<<"$out" &&
			  [ "$(sum "$tmp/ls")" = "$before" ]; echo $?)
	else
		skip "a second loop device could not be set up"
	fi

	# A made-up system whose / is on this loop device, directly or through LVM, or whose swap it is.
	fake=$tmp/sys
	num=$(cat "/sys/block/$n1/dev")
	mkdir -p "$fake/dev/block" "$fake/devices/virtual/block/$n1/holders" "$fake/devices/virtual/block/dm-9/slaves"
	cp "/sys/block/$n1/dev" "/sys/block/$n1/size" "/sys/block/$n1/removable" "/sys/block/$n1/ro" "$fake/devices/virtual/block/$n1/"
	ln -s "../../devices/virtual/block/$n1" "$fake/dev/block/$num"
	echo 253:9 >"$fake/devices/virtual/block/dm-9/dev"
	ln -s "../../devices/virtual/block/dm-9" "$fake/dev/block/253:9"
	ln -s "../../$n1" "$fake/devices/virtual/block/dm-9/slaves/$n1"
	printf '1 0 %s / / rw - ext4 /dev/root rw\n' "$num" >"$tmp/mi-root"
	printf '1 0 253:9 / / rw - ext4 /dev/mapper/vg-root rw\n' >"$tmp/mi-lvm"
	printf '1 0 0:5 / / rw - tmpfs tmpfs rw\n' >"$tmp/mi-none"
	printf 'Filename Type Size Used Priority\n%s partition 4096 0 -2\n' "$l1" >"$tmp/swaps"
	fresh_target "$tmp/l1" 4194304
	before=$(sum "$tmp/l1")
	for case in root lvm; do
		out=$(EB_FLASH_SYSFS=$fake EB_FLASH_MOUNTINFO=$tmp/mi-$case EB_FLASH_SWAPS=/dev/null \
			$flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
		check "/ on the device ($case): exit 3, refused, nothing written" \
			$([ $rc = 3 ] && grep -q "$l1: is the disk ($n1) holding the running system" <<<"$out" &&
			  [ "$(sum "$tmp/l1")" = "$before" ]; echo $?)
	done
	out=$(EB_FLASH_SYSFS=$fake EB_FLASH_MOUNTINFO=$tmp/mi-none EB_FLASH_SWAPS=$tmp/swaps \
		$flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
	check "swap on the device: exit 3, nothing written" \
		$([ $rc = 3 ] && grep -q "$l1: is the disk ($n1) holding the running system" <<<"$out" &&
		  [ "$(sum "$tmp/l1")" = "$before" ]; echo $?)
	ln -s ../../dm-9 "$fake/devices/virtual/block/$n1/holders/dm-9"
	out=$(EB_FLASH_SYSFS=$fake EB_FLASH_MOUNTINFO=$tmp/mi-none EB_FLASH_SWAPS=/dev/null \
		$flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
	check "held by a dm device: exit 3, nothing written" \
		$([ $rc = 3 ] && grep -q "$l1: in use, refused: $n1 is held by dm-9" <<<"$out" &&
		  [ "$(sum "$tmp/l1")" = "$before" ]; echo $?)

	# A made-up /sys where this device number is partition 1 of a disk sdz (where losetup -P cannot make one).
	mkdir -p "$tmp/sys2/dev/block" "$tmp/sys2/devices/block/sdz/sdz1"
	echo 1 >"$tmp/sys2/devices/block/sdz/sdz1/partition"
	ln -s ../../devices/block/sdz/sdz1 "$tmp/sys2/dev/block/$num"
	out=$(EB_FLASH_SYSFS=$tmp/sys2 EB_FLASH_MOUNTINFO=$tmp/mi-none EB_FLASH_SWAPS=/dev/null \
		$flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
	check "a partition (made-up /sys): exit 3, the disk named, nothing written" \
		$([ $rc = 3 ] && grep -q "$l1: is partition 1 of sdz: give the whole disk" <<<"$out" &&
		  [ "$(sum "$tmp/l1")" = "$before" ]; echo $?)

	# Mounted: an ext4 on the loop device, mounted; then a partition of a partitioned loop device.
	if command -v mkfs.ext4 >/dev/null && mkfs.ext4 -q -F "$l1" >/dev/null 2>&1 && mkdir "$tmp/mnt" &&
		mount "$l1" "$tmp/mnt" 2>/dev/null; then
		out=$($flash --image "$tmp/img" --device "$l1" --yes --force 2>&1); rc=$?
		umount "$tmp/mnt"
		# The mounted filesystem writes to its device itself: "nothing written" is the image absent and the
		# filesystem still clean.
		check "mounted loop: exit 3, where named, nothing written" \
			$([ $rc = 3 ] && grep -q "$l1: in use, refused: $n1 is mounted on $tmp/mnt" <<<"$out" &&
			  ! cmp -s -n 1048576 "$tmp/img" "$tmp/l1" && e2fsck -fn "$tmp/l1" >/dev/null 2>&1; echo $?)
	else
		skip "mkfs.ext4 or mount not allowed here: the mounted-device refusal not checked"
	fi
	# An MBR with one Linux partition from sector 2048 to the end (6144 sectors), written by hand.
	fresh_target "$tmp/lp" 4194304
	printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x18\x00\x00' |
		dd of="$tmp/lp" bs=1 seek=446 conv=notrunc status=none
	printf '\x55\xaa' | dd of="$tmp/lp" bs=1 seek=510 conv=notrunc status=none
	if loop -P "$tmp/lp" && lp=$dev && [ -b "${lp}p1" ]; then
		out=$($flash --image "$tmp/img" --device "${lp}p1" --yes --force 2>&1); rc=$?
		check "a partition given: exit 3, the disk named" \
			$([ $rc = 3 ] && grep -q "${lp}p1: is partition 1 of $(basename "$lp"): give the whole disk" <<<"$out"; echo $?)
	else
		skip "no partitioned loop device here (losetup -P made no p1): the real partition refusal not checked, the made-up one is"
	fi
fi

# The real disk holding /: from the mount table's device number through /sys to the disk's node.
# No --yes and nothing on stdin: a broken check would still stop at the question.
rootnum=$(awk '$5 == "/" { n = $3 } END { print n }' /proc/self/mountinfo)
rootdir=$(readlink -f "/sys/dev/block/$rootnum" 2>/dev/null)
[ -n "$rootdir" ] && [ -e "$rootdir/partition" ] && rootdir=$(dirname "$rootdir")
rootdev=/dev/${rootdir##*/}
if [ -n "$rootdir" ] && [ -b "$rootdev" ]; then
	out=$($flash --image "$tmp/img" --device "$rootdev" --force </dev/null 2>&1); rc=$?
	check "the real root disk $rootdev: exit 3, refused" \
		$([ $rc = 3 ] && grep -q "$rootdev: is the disk (${rootdir##*/}) holding the running system" <<<"$out"; echo $?)
else
	skip "/ is not on a block device with a node in /dev here: the real root-disk refusal not checked"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
