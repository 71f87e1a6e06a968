#!/usr/bin/env bash
# Inspects a built image (EB_IMAGE, else build/rpi4/image/edgebox-rpi4.img; EB_IMAGE_BOARD names its
# board, else taken from the file name): the MBR partition table (boot FAT32 bootable, rootA, rootB,
# data, disk signature eb0c0de1), the boot files read back non-sparse, cmdline.txt and fstab mounting the
# root read-only, the units enabled, the first-boot unit, script and examples, edgeboxd a static aarch64
# executable, no SSH host keys, key-only SSH, /etc/edgebox and the data partition's state dir (owners, modes).
# Reads the filesystems with mtools and debugfs (no mounting). Skips when no image has been built
# (sudo make image BOARD=rpi4) or debugfs/mtools are missing.
set -u
cd "$(dirname "$0")/../.."
img=${EB_IMAGE:-build/rpi4/image/edgebox-rpi4.img}
board=${EB_IMAGE_BOARD:-$(basename "$img" .img | sed 's/^edgebox-//')}
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; exit; }
skip() { echo "SKIP $*" >&2; skipped=$((skipped + 1)); finish; }
[ -s "$img" ] || skip "no image $img (sudo make image BOARD=rpi4)"
for t in debugfs mcopy sfdisk; do command -v $t >/dev/null || skip "$t missing (apt-get install e2fsprogs mtools fdisk)"; done
[ -f "tools/image/boards/$board.conf" ] || skip "no recipe for board '$board' of $img"
. "tools/image/boards/$board.conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
table=$(sfdisk -d "$img")
part() { sed -n "s/^[^ ]*$1 : start= *\([0-9]*\), size= *\([0-9]*\), type=\([0-9a-f]*\)\(.*\)/\1 \2 \3 \4/p" <<<"$table"; }
check "disk signature eb0c0de1" $(grep -q '^label-id: 0xeb0c0de1' <<<"$table"; echo $?)
check "MBR (dos) table" $(grep -q '^label: dos' <<<"$table"; echo $?)
check "four partitions" $([ "$(grep -c ' : start=' <<<"$table")" = 4 ]; echo $?)
read -r s1 n1 t1 f1 <<<"$(part 1)"
check "boot: FAT32 LBA, bootable, 256 MiB" $([ "$t1" = c ] && [[ "$f1" == *bootable* ]] && [ "$n1" = 524288 ]; echo $?)
for i in 2 3 4; do read -r _ _ t _ <<<"$(part $i)"; check "partition $i is Linux (83)" $([ "$t" = 83 ]; echo $?); done

# The boot partition as the firmware reads it: every boot file whole and non-zero.
boot="$img@@$((s1 * 512))"
names=$(mdir -b -i "$boot" :: 2>/dev/null | sed 's#^::/##')
for pat in $IMAGE_BOOT_FILES; do
	f=$(while read -r n; do [[ $n == $pat ]] && echo "$n"; done <<<"$names" | head -n 1)
	[ -n "$f" ] && mcopy -n -i "$boot" "::$f" "$tmp/$f" 2>/dev/null
	check "boot file $pat present" $([ -n "$f" ] && [ -s "$tmp/$f" ]; echo $?)
	# a file that genimage wrote sparse reads back as zeros
	check "boot file $pat not zeros" $([ -n "$f" ] && [ -n "$(tr -d '\0' <"$tmp/$f" | head -c 1)" ]; echo $?)
done
mcopy -n -i "$boot" ::cmdline.txt "$tmp/cmdline.txt" 2>/dev/null
check "cmdline.txt: root rootA, read-only" $(grep -Eq 'root=PARTUUID=eb0c0de1-02 .*\bro\b' "$tmp/cmdline.txt"; echo $?)

# rootA, read with debugfs from a sparse copy of partition 2.
read -r s2 n2 _ <<<"$(part 2)"
dd if="$img" of="$tmp/rootA" bs=512 skip="$s2" count="$n2" conv=sparse status=none
dfs() { debugfs -R "$1" "$tmp/rootA" 2>/dev/null; }
dfs "dump /usr/bin/edgeboxd $tmp/edgeboxd"
check "edgeboxd static aarch64" $(file -b "$tmp/edgeboxd" | grep -q 'ARM aarch64, .*statically linked'; echo $?)
check "edgeboxd.service installed" $(dfs "cat /etc/systemd/system/edgeboxd.service" | cmp -s - rootfs/etc/systemd/system/edgeboxd.service; echo $?)
check "edgeboxd.service enabled" $(dfs "stat /etc/systemd/system/multi-user.target.wants/edgeboxd.service" | grep -q 'Fast link dest: "/etc/systemd/system/edgeboxd.service"'; echo $?)
for u in systemd-timesyncd ssh systemd-networkd edgebox-firstboot; do
	check "$u enabled" $({ dfs "ls -l /etc/systemd/system/multi-user.target.wants"; dfs "ls -l /etc/systemd/system/sysinit.target.wants"; } | grep -q " $u.service"; echo $?)
done
check "first-boot unit installed" $(dfs "cat /etc/systemd/system/edgebox-firstboot.service" | cmp -s - rootfs/etc/systemd/system/edgebox-firstboot.service; echo $?)
check "first-boot script installed" $(dfs "cat /usr/lib/edgebox/firstboot.sh" | cmp -s - tools/image/firstboot.sh; echo $?)
for ex in tools/image/boot/*.example edgebox.json.example; do
	check "first-boot example $(basename "$ex") on the boot partition" $(grep -qx "$(basename "$ex")" <<<"$names"; echo $?)
done
fstab=$(dfs "cat /etc/fstab")
check "fstab: no writable root entry" $(! grep -Eq '^[^#]*[[:space:]]/[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]*\brw\b' <<<"$fstab"; echo $?)
check "fstab: data partition on /data" $(grep -Eq '^PARTUUID=eb0c0de1-04[[:space:]]+/data[[:space:]]+ext4' <<<"$fstab"; echo $?)
check "fstab: state dir bound from data" $(grep -Eq '^/data/edgebox[[:space:]]+/var/lib/edgebox[[:space:]]+none[[:space:]]+bind' <<<"$fstab"; echo $?)
check "edgebox user" $(dfs "cat /etc/passwd" | grep -q '^edgebox:'; echo $?)
check "udev rule for the gpiochip" $(dfs "cat /etc/udev/rules.d/99-edgebox-gpio.rules" | grep -q 'GROUP="edgebox"'; echo $?)
check "no SSH host keys in the image" $(! dfs "ls /etc/ssh" | grep -q 'ssh_host_'; echo $?)
sshd=$(dfs "cat /etc/ssh/sshd_config.d/edgebox.conf")
check "SSH: no password login" $(grep -q '^PasswordAuthentication no' <<<"$sshd"; echo $?)
check "SSH: no keyboard-interactive login" $(grep -q '^KbdInteractiveAuthentication no' <<<"$sshd"; echo $?)
check "SSH: sshd reads sshd_config.d" $(dfs "cat /etc/ssh/sshd_config" | grep -q '^Include /etc/ssh/sshd_config.d/\*\.conf'; echo $?)
# /etc/edgebox as docs/image.md lays it out: root-owned, the daemon's group may read, nobody else.
gid=$(dfs "cat /etc/group" | awk -F: '$1 == "edgebox" { print $3 }')
uid=$(dfs "cat /etc/passwd" | awk -F: '$1 == "edgebox" { print $3 }')
owner_mode() { debugfs -R "stat $2" "$1" 2>/dev/null | awk '/Mode:/ { for (i = 1; i < NF; i++) if ($i == "Mode:") m = $(i + 1) } /^User:/ { u = $2; g = $4 } END { print u ":" g " " m }'; }
check "/etc/edgebox root:edgebox 0750" $([ -n "$gid" ] && [ "$(owner_mode "$tmp/rootA" /etc/edgebox)" = "0:$gid 0750" ]; echo $?)
check "config root:edgebox 0640" $([ -n "$gid" ] && [ "$(owner_mode "$tmp/rootA" /etc/edgebox/edgebox.json)" = "0:$gid 0640" ]; echo $?)

# The data partition: the daemon's state dir (journal, model slots) is the edgebox user's, nobody else's.
read -r s4 n4 _ <<<"$(part 4)"
dd if="$img" of="$tmp/data" bs=512 skip="$s4" count="$n4" conv=sparse status=none
check "data: /edgebox edgebox:edgebox 0700" $([ -n "$uid" ] && [ "$(owner_mode "$tmp/data" /edgebox)" = "$uid:$gid 0700" ]; echo $?)
check "data: journal and SSH dirs" $(debugfs -R "ls /" "$tmp/data" 2>/dev/null | grep -q journal && debugfs -R "ls /ssh" "$tmp/data" 2>/dev/null | grep -q authorized_keys; echo $?)
check "board pins installed" $(dfs "cat /usr/share/edgebox/board/$board/pins.json" | cmp -s - "board/$board/pins.json"; echo $?)
check "Debian bookworm" $(dfs "cat /etc/debian_version" | grep -q '^12\.'; echo $?)
finish
