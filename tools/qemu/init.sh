#!/bin/busybox sh
# shellcheck shell=dash
# /init of the QEMU system test's initramfs (tools/qemu/make-initramfs.sh): mounts /proc /sys /dev /run
# and debugfs, loads the modules of /lib/modules/load-order (virtio-mmio NIC, softdog), brings up the
# user-mode network (10.0.2.15, what QEMU's slirp hands out), then runs edgeboxd under eb-supervise with
# the unit's watchdog and restart settings (/etc/eb-supervise.args), and reads commands from the console
# for tests/system/test_qemu_boot.sh. Every line meant for the test starts with "EB-".
#   hang     SIGSTOP to edgeboxd: a hung main loop, for the supervisor's watchdog to catch
#   leds     the alarm LED sampled every 10 ms for 2 s from debugfs by eb-ledwatch (the daemon holds
#            the line, so a gpioget would be refused): "EB-LED alarm SECONDS 0011..."
#   gpio     /sys/kernel/debug/gpio as it is
# PID 1 must not exit (the kernel would panic), so the command loop never ends.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
say() { echo "EB-INIT $*"; }

mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev &&
	mount -t tmpfs -o mode=0755 run /run && mount -t debugfs debugfs /sys/kernel/debug || say "mount failed"
mkdir -p /run/edgebox /tmp || say "mkdir /run/edgebox failed"
while read -r mod params; do
	# word splitting of $params is wanted: it holds the module's parameters
	# shellcheck disable=SC2086
	insmod "/lib/modules/$mod.ko" $params || say "insmod $mod failed"
done </lib/modules/load-order

ip link set lo up && ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up &&
	ip route add default via 10.0.2.2 || say "network setup failed"
[ -c /dev/gpiochip0 ] || say "no /dev/gpiochip0 (PL061 missing)"
[ -c /dev/watchdog ] || say "no /dev/watchdog (softdog not loaded)"

# shellcheck disable=SC2046 # the file holds the supervisor's numeric arguments
eb-supervise $(cat /etc/eb-supervise.args) -- /usr/bin/edgeboxd --config /etc/edgebox/edgebox.json &
say "started eb-supervise $(cat /etc/eb-supervise.args)"

# The alarm LED's line, from the board's pins (one line of JSON).
alarm=$(sed -n 's/.*"led_alarm": *\([0-9]*\).*/\1/p' /usr/share/edgebox/board/qemu-virt/pins.json)
while :; do
	while read -r cmd; do
		case $cmd in
		hang) kill -STOP "$(pidof edgeboxd)" && say "SIGSTOP sent to edgeboxd" ;;
		leds) eb-ledwatch alarm "$alarm" 200 10 ;;
		gpio) sed 's/^/EB-GPIO /' /sys/kernel/debug/gpio ;;
		"") ;;
		*) say "unknown command '$cmd'" ;;
		esac
	done
	sleep 1 # the console closed: wait for it to come back rather than spin
done
