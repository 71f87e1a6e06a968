#!/usr/bin/env bash
# Boots the image of `make image BOARD=qemu-virt` in qemu-system-aarch64 -M virt (Debian's arm64 kernel
# and initrd from the image's FAT partition, the image as a virtio-mmio disk, user networking on a
# virtio-mmio NIC, the PL061 as /dev/gpiochip0) and sees edgeboxd reach READY under its hardened unit:
# a probe unit ordered after edgeboxd.service (active only once the daemon sent READY=1) prints a marker
# and the daemon's journal on the serial console, then powers off.
# The test's copy of the image gets a replay config (no exchange to reach from here; the kill switch
# normally closed: PL061 line 3 idles low, see test_qemu_boot.sh) and the probe unit.
# Runs from `make image-test` (EB_IMAGE_BOOT=1, about a minute: not part of `make test`); skips when the
# image, root, loop devices or qemu-system-aarch64 (apt-get install --no-install-recommends
# qemu-system-arm) are missing.
set -u
cd "$(dirname "$0")/../.."
img=${EB_BOOT_IMAGE:-build/qemu-virt/image/edgebox-qemu-virt.img}
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; exit; }
skip() { echo "SKIP $*" >&2; skipped=$((skipped + 1)); finish; }
[ "${EB_IMAGE_BOOT:-0}" = 1 ] || skip "the QEMU boot runs in make image-test (EB_IMAGE_BOOT=1)"
[ -s "$img" ] || skip "no image $img (sudo make image BOARD=qemu-virt)"
[ "$(id -u)" = 0 ] || skip "needs root to loop-mount the image's copy"
command -v qemu-system-aarch64 >/dev/null ||
	skip "qemu-system-aarch64 missing (apt-get install --no-install-recommends qemu-system-arm)"

tmp=$(mktemp -d)
mnt=$tmp/mnt
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$tmp"; }
trap cleanup EXIT
cp --sparse=always "$img" "$tmp/disk.img"
part_start() { sfdisk -d "$tmp/disk.img" | sed -n "s/^[^ ]*$1 : start= *\([0-9]*\),.*/\1/p"; }
boot=$(part_start 1) root=$(part_start 2)

# The kernel and the initrd, as the Pi's firmware finds them.
fat="$tmp/disk.img@@$((boot * 512))"
names=$(mdir -b -i "$fat" :: 2>/dev/null | sed 's#^::/##')
kernel=$(grep '^vmlinuz-' <<<"$names" | head -n 1) initrd=$(grep '^initrd.img-' <<<"$names" | head -n 1)
[ -n "$kernel" ] && [ -n "$initrd" ] && mcopy -n -i "$fat" "::$kernel" "$tmp/vmlinuz" &&
	mcopy -n -i "$fat" "::$initrd" "$tmp/initrd.img"
check "kernel and initrd on the boot partition" $?

mkdir "$mnt"
mount -o loop,offset=$((root * 512)) "$tmp/disk.img" "$mnt" || skip "cannot loop-mount (no loop devices?)"
# 600 five-minute bars, a seeded random walk: enough for the features' warm-up.
awk 'BEGIN { srand(7); p = 30000; print "open_time_ms,open,high,low,close,volume";
	for (i = 0; i < 600; i++) { o = p; p = p * (1 + (rand() - 0.5) * 0.004);
		h = (o > p ? o : p) * 1.001; l = (o < p ? o : p) * 0.999;
		printf "%.0f,%.2f,%.2f,%.2f,%.2f,%.3f\n", 1700000000000 + i * 300000, o, h, l, p, 10 + rand() }
	}' >"$mnt/usr/share/edgebox/bars.csv"
cat >"$mnt/etc/edgebox/edgebox.json" <<'CFG'
{ "appliance": { "mode": "paper", "source": "replay", "replay_file": "/usr/share/edgebox/bars.csv",
                 "replay_speed": "max", "killswitch": { "wiring": "normally_closed" } } }
CFG
cat >"$mnt/etc/systemd/system/edgebox-probe.service" <<'UNIT'
[Unit]
Wants=edgeboxd.service
After=edgeboxd.service
[Service]
Type=oneshot
StandardOutput=tty
TTYPath=/dev/ttyAMA0
ExecStart=/bin/sh -c 'echo "EDGEBOX-PROBE active=$(systemctl is-active edgeboxd)"; \
  journalctl -b -u edgeboxd -o cat --no-pager | tail -n 40 | sed "s/^/EDGEBOX-LOG /"; \
  echo "EDGEBOX-GPIO $(stat -c %%G:%%a /dev/gpiochip0)"; echo EDGEBOX-PROBE-END'
ExecStartPost=/bin/systemctl --no-block poweroff
[Install]
WantedBy=multi-user.target
UNIT
ln -s ../edgebox-probe.service "$mnt/etc/systemd/system/multi-user.target.wants/edgebox-probe.service"
umount "$mnt"

# gpio_keys blacklisted: the virt machine's device tree hands PL061 line 3 (the power button) to the
# kernel's gpio-keys driver, and board/qemu-virt/pins.json makes that line the kill switch.
start=$(date +%s)
timeout "${EB_BOOT_TIMEOUT:-300}" qemu-system-aarch64 -M virt -cpu cortex-a72 -m 512 -nographic -no-reboot \
	-kernel "$tmp/vmlinuz" -initrd "$tmp/initrd.img" \
	-append "console=ttyAMA0 root=PARTUUID=eb0c0de1-02 rootfstype=ext4 ro panic=-1 modprobe.blacklist=gpio_keys" \
	-drive "file=$tmp/disk.img,format=raw,if=none,id=d0" -device virtio-blk-device,drive=d0 \
	-netdev user,id=n0 -device virtio-net-device,netdev=n0 </dev/null >"$tmp/console.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
cp "$tmp/console.log" "${EB_BOOT_LOG:-/tmp/edgebox-boot-console.log}" 2>/dev/null
echo "boot to power-off: $secs s (qemu exit $rc; console log ${EB_BOOT_LOG:-/tmp/edgebox-boot-console.log})" >&2
check "qemu powered off before the timeout (exit $rc)" $([ $rc = 0 ]; echo $?)
check "edgeboxd.service active after READY=1" $(grep -q 'EDGEBOX-PROBE active=active' "$tmp/console.log"; echo $?)
check "the daemon logged ready on the qemu-virt board" $(grep -q 'EDGEBOX-LOG .*ready in [0-9]* ms: board qemu-virt' "$tmp/console.log"; echo $?)
check "the GPIO chip belongs to the edgebox group" $(grep -q 'EDGEBOX-GPIO edgebox:660' "$tmp/console.log"; echo $?)
check "the replay was read (no bar-source error)" $(! grep -q "EDGEBOX-LOG .*bar source stopped" "$tmp/console.log"; echo $?)
check "no failed unit on the way" $(! grep -q 'FAILED.*Failed to start' "$tmp/console.log"; echo $?)
grep 'EDGEBOX-\|FAILED' "$tmp/console.log" | head -40 >&2
finish
