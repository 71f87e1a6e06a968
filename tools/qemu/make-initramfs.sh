#!/usr/bin/env bash
# Builds the QEMU system test's kernel and initramfs from Debian bookworm's arm64 kernel and busybox-static
# (tools/qemu/fetch-arm64-debs.sh, cached in build/deps-cache) and our static aarch64 binaries:
#
#   tools/qemu/make-initramfs.sh OUT_DIR BIN_DIR EDGEBOX
#
# OUT_DIR/vmlinuz and OUT_DIR/initrd.cpio.gz, holding: /init (tools/qemu/init.sh), busybox, from BIN_DIR
# (build/qemu-virt/bin) edgeboxd, eb-ledwatch (the LED sampler) and eb-supervise with the watchdog,
# restart and start-limit settings read from the appliance's unit (rootfs/etc/systemd/system/
# edgeboxd.service, so the test runs what the unit says), the qemu-virt pins, the config
# (tools/qemu/edgebox.json: replay, state on the /run tmpfs, HTTP on 0.0.0.0:8765), 600 seeded bars to
# replay (the host tool EDGEBOX's data synth), and the modules the virt machine needs (virtio-mmio and
# virtio-net for the NIC, softdog for /dev/watchdog; the PL061 GPIO driver is built into Debian's
# kernel). No model: the daemon runs disarmed with reason no_model, which the kill switch's latch comes
# on top of.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: make-initramfs.sh OUT_DIR BIN_DIR EDGEBOX}
bin=${2:?usage: make-initramfs.sh OUT_DIR BIN_DIR EDGEBOX}
tool=${3:?usage: make-initramfs.sh OUT_DIR BIN_DIR EDGEBOX}
unit=$top/rootfs/etc/systemd/system/edgeboxd.service
die() { echo "make-initramfs: error: $*" >&2; exit 1; }
command -v cpio >/dev/null || die "cpio not found: apt-get install cpio"
for f in "$bin"/{edgeboxd,eb-supervise,eb-ledwatch}; do
	[ -f "$f" ] || die "$f missing (make BOARD=qemu-virt $f)"
	file -b "$f" | grep -q 'ARM aarch64, .*statically linked' || die "$f is not a static aarch64 binary"
done

debs=$("$top/tools/qemu/fetch-arm64-debs.sh") || die "fetching the arm64 kernel and busybox failed"
kernel_deb=$(sed -n 1p <<<"$debs") busybox_deb=$(sed -n 2p <<<"$debs")
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$kernel_deb" "$tmp/kernel" && dpkg-deb -x "$busybox_deb" "$tmp/busybox" ||
	die "unpacking $kernel_deb or $busybox_deb failed"
vmlinuz=$(ls "$tmp"/kernel/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
[ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kernel_deb"
modules=$(ls -d "$tmp"/kernel/lib/modules/* | head -n 1)

r=$tmp/root
mkdir -p "$r"/{bin,dev,proc,sys,run,tmp,etc/edgebox,lib/modules,usr/bin,usr/share/edgebox/board/qemu-virt}
install -m 0755 "$tmp/busybox/bin/busybox" "$r/bin/busybox"
install -m 0755 "$top/tools/qemu/init.sh" "$r/init"
for f in edgeboxd eb-supervise eb-ledwatch; do install -m 0755 "$bin/$f" "$r/usr/bin/$f"; done
install -m 0644 "$top/board/qemu-virt/pins.json" "$r/usr/share/edgebox/board/qemu-virt/pins.json"
install -m 0640 "$top/tools/qemu/edgebox.json" "$r/etc/edgebox/edgebox.json"

# The unit's settings, in eb-supervise's argument order; a missing one is an error, not a default.
unit_value() {
	local v
	v=$(sed -n "s/^$1=\([0-9][0-9]*\)\$/\1/p" "$unit" | tail -n 1)
	[ -n "$v" ] || die "$unit has no numeric $1="
	echo "$v"
}
echo "$(unit_value WatchdogSec) $(unit_value RestartSec) $(unit_value TimeoutStartSec)" \
	"$(unit_value StartLimitBurst) $(unit_value StartLimitIntervalSec)" >"$r/etc/eb-supervise.args"

# Modules with what they depend on first (modinfo's depends= field, read from the .ko itself, so no
# depmod or kmod is needed on the host). softdog's margin matches the unit's watchdog.
load_order=()
add_module() { # add_module NAME: its dependencies, then itself, once
	local name=${1//-/_} ko dep
	for m in "${load_order[@]}"; do [ "$m" = "$name" ] && return 0; done
	ko=$(find "$modules/kernel" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n 1)
	[ -n "$ko" ] || die "module $name not in $kernel_deb"
	for dep in $(grep -a -o 'depends=[^[:cntrl:]]*' "$ko" | head -n 1 | sed 's/^depends=//; s/,/ /g'); do
		add_module "$dep"
	done
	cp "$ko" "$r/lib/modules/$name.ko"
	load_order+=("$name")
}
for m in virtio_mmio virtio_net softdog; do add_module "$m"; done
for m in "${load_order[@]}"; do
	if [ "$m" = softdog ]; then echo "softdog soft_margin=$(unit_value WatchdogSec)"; else echo "$m"; fi
done >"$r/lib/modules/load-order"

# 600 five-minute bars, seeded (enough for the features' warm-up; 10 minutes at 300x).
"$tool" data synth --bars 600 --seed 7 --out "$r/usr/share/edgebox/bars.csv" >/dev/null ||
	die "$tool data synth failed"

(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$tmp/initrd.cpio.gz" ||
	die "writing the cpio archive failed"
mv "$tmp/initrd.cpio.gz" "$out/initrd.cpio.gz" && cp "$vmlinuz" "$out/vmlinuz" || die "writing to $out failed"
echo "make-initramfs: $out/vmlinuz ($(basename "$vmlinuz")), $out/initrd.cpio.gz ($(stat -c %s "$out/initrd.cpio.gz") bytes)" >&2
