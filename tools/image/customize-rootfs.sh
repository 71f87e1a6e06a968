#!/usr/bin/env bash
# The Debian tree made into the appliance's root: our static edgeboxd, its board file, the first-boot
# script, rootfs/ (the units, the udev rule, the edgebox user, fstab, SSH, network, journal, /etc/edgebox),
# the data partition's tree under /data, and the FAT partition's config.txt, cmdline.txt and the
# first-boot files' examples.
#   tools/image/customize-rootfs.sh ROOT BOARD DAEMON
# Runs on the host against ROOT (systemctl --root, systemd-sysusers --root): nothing runs inside it.
set -euo pipefail
root=${1:?root} board=${2:?board} daemon=${3:?daemon}
[ -d "$root/usr/lib/systemd" ] || { echo "image: $root is not a Debian root with systemd" >&2; exit 1; }

install -D -m 0755 "$daemon" "$root/usr/bin/edgeboxd"
install -D -m 0644 "board/$board/pins.json" "$root/usr/share/edgebox/board/$board/pins.json"
install -D -m 0644 README.md "$root/usr/share/doc/edgebox/README.md"
install -D -m 0755 tools/image/firstboot.sh "$root/usr/lib/edgebox/firstboot.sh"
cp -a --no-preserve=ownership rootfs/. "$root/"
chmod 0644 "$root/etc/fstab"

# The edgebox user and group (rootfs/usr/lib/sysusers.d/edgebox.conf), then /etc/edgebox: the config
# readable by the daemon only; secrets, the public key and the API token arrive on first boot.
systemd-sysusers --root="$root" >/dev/null
uid=$(awk -F: '$1 == "edgebox" { print $3 }' "$root/etc/passwd")
gid=$(awk -F: '$1 == "edgebox" { print $3 }' "$root/etc/group")
[ -n "$uid" ] && [ -n "$gid" ] || { echo "image: systemd-sysusers made no edgebox user in $root" >&2; exit 1; }
chown -R "0:$gid" "$root/etc/edgebox"
chmod 0750 "$root/etc/edgebox"
chmod 0640 "$root/etc/edgebox/edgebox.json"

# Read-only root: no host keys in the image (each box makes its own), an empty machine-id (systemd makes
# one per boot until first boot commits it), /etc/resolv.conf from systemd-resolved.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
echo edgebox >"$root/etc/hostname"

# The data partition's tree: the bind-mount sources that fstab names. /var/lib/systemd starts with what
# the packages put there.
mkdir -p "$root/data/edgebox" "$root/data/journal" "$root/data/ssh/authorized_keys" "$root/var/lib/edgebox"
cp -a "$root/var/lib/systemd" "$root/data/systemd"
chown "$uid:$gid" "$root/data/edgebox"
chmod 0700 "$root/data/edgebox" "$root/data/ssh"

# wpa_supplicant@wlan0 starts only once first boot has written its settings (its drop-in's condition).
out=$(systemctl --root="$root" enable edgeboxd.service edgebox-hostkeys.service edgebox-firstboot.service \
	systemd-networkd.service systemd-resolved.service systemd-timesyncd.service ssh.service \
	wpa_supplicant@wlan0.service 2>&1) ||
	{ echo "$out" >&2; echo "image: systemctl --root=$root enable failed" >&2; exit 1; }
# With an empty machine-id every boot of the read-only root counts as a first boot: systemd-firstboot
# would stop the boot to ask for a locale and a root password on the console.
out=$(systemctl --root="$root" mask systemd-firstboot.service 2>&1) ||
	{ echo "$out" >&2; echo "image: systemctl --root=$root mask failed" >&2; exit 1; }
for unit in edgeboxd.service edgebox-firstboot.service; do
	[ -L "$root/etc/systemd/system/multi-user.target.wants/$unit" ] ||
		{ echo "image: $unit not enabled in $root" >&2; exit 1; }
done

# The FAT partition: raspi-firmware's kernel hook wrote config.txt (arm_64bit, the kernel and initrd
# by version); cmdline.txt is ours (root by PARTUUID, read-only).
[ -s "$root/boot/firmware/config.txt" ] || { echo "image: raspi-firmware wrote no config.txt in $root/boot/firmware" >&2; exit 1; }
install -m 0644 tools/image/boot/cmdline.txt "$root/boot/firmware/"
# The first-boot files' examples (firstboot.sh, docs/image.md): the user copies one to its name and edits it.
install -m 0644 tools/image/boot/*.example "$root/boot/firmware/"
install -m 0644 rootfs/etc/edgebox/edgebox.json "$root/boot/firmware/edgebox.json.example"
