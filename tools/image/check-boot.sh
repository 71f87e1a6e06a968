#!/usr/bin/env bash
# The image's boot partition read back as the Pi's firmware reads it: partition 1 is FAT32 (type 0x0c,
# bootable), and each named boot file is there with the same bytes as in the tree it was made from.
# genimage can write a vfat partition whose files read back as holes (zeros): this catches it.
#   tools/image/check-boot.sh IMAGE BOOT_TREE "FILE-OR-GLOB..."
set -euo pipefail
img=${1:?image} tree=${2:?boot tree} files=${3:?files}
line=$(sfdisk -d "$img" | grep -E '^[^ ]*1 : ' || true)
start=$(sed -n 's/.*start= *\([0-9]*\),.*/\1/p' <<<"$line")
type=$(sed -n 's/.*type= *\([0-9a-f]*\).*/\1/p' <<<"$line")
[ -n "$start" ] || { echo "image: $img: no partition 1" >&2; exit 1; }
grep -q bootable <<<"$line" || { echo "image: $img: partition 1 is not marked bootable" >&2; exit 1; }
[ "$type" = c ] || { echo "image: $img: partition 1 has type $type, the Pi firmware wants FAT32 LBA (c)" >&2; exit 1; }
part="$img@@$((start * 512))"
bad=0
for pat in $files; do # a name or a glob, matched in the tree (the kernel and initrd carry the version)
	names=$(cd "$tree" && compgen -G "$pat") || { echo "image: no boot file $pat in $tree" >&2; bad=1; continue; }
	for f in $names; do
		if ! mcopy -n -i "$part" "::$f" - 2>/dev/null | cmp -s - "$tree/$f"; then
			echo "image: $img: boot file $f differs from $tree/$f (missing, or written sparse)" >&2
			bad=1
		fi
	done
done
[ $bad = 0 ] || exit 1
echo "image: boot partition checked: $files"
