#!/usr/bin/env bash
# The QEMU system test (issue 16 item 5): qemu-system-aarch64 -M virt boots Debian bookworm's arm64
# kernel with an initramfs of our static qemu-virt edgeboxd (tools/qemu/make-initramfs.sh) under
# eb-supervise, which does what the unit's Type=notify, WatchdogSec and Restart=on-failure do. From the
# host it checks: the daemon reaches READY (the supervisor's console line) and answers /health through a
# forwarded port; a kill-switch edge from QMP system_powerdown (PL061 line 3) disarms it within 1 s,
# the latch shows in /api/v1/status, and the alarm LED line (sampled inside the VM from debugfs) blinks
# the kill switch's 5 Hz, which it did not before; a SIGSTOPped daemon (a hung main loop) is caught by
# the watchdog, killed and restarted: /health goes away and comes back with a new uptime, latch kept.
# Prints the boot-to-READY time and the kill-switch latency. Runs from `make system-test` (and from
# `make test` with EB_SYSTEM_TEST=1); it builds what it needs (make BOARD=qemu-virt, the host tool).
# Skips without qemu-system-aarch64 (apt-get install --no-install-recommends qemu-system-arm), cpio,
# curl or python3 (the QMP client).
set -u
cd "$(dirname "$0")/../.." || exit
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; exit; }
skip() { echo "SKIP $*" >&2; skipped=$((skipped + 1)); finish; }
[ "${EB_SYSTEM_TEST:-0}" = 1 ] || skip "the QEMU system test runs in make system-test (or make test with EB_SYSTEM_TEST=1)"
command -v qemu-system-aarch64 >/dev/null ||
	skip "qemu-system-aarch64 missing (apt-get install --no-install-recommends qemu-system-arm)"
for t in cpio curl python3 aarch64-linux-gnu-gcc; do
	command -v $t >/dev/null || skip "$t missing (apt-get install $t)"
done

bin=build/qemu-virt/bin
out=build/qemu-virt/system-test
# The cross libraries do not depend on the board (the same triplet and flags): after the rpi4 build
# (CI), its sysroot saves building libcurl a second time.
sysroot=build/qemu-virt/sysroot
[ ! -f $sysroot/.stamps/all ] && [ -f build/rpi4/sysroot/.stamps/all ] && sysroot=build/rpi4/sysroot
jobs=${EB_MAKE_JOBS:-$(nproc)}
make --no-print-directory -j"$jobs" BOARD=sim build/host/bin/edgebox >&2 &&
	make --no-print-directory -j"$jobs" BOARD=qemu-virt SYSROOT=$sysroot $bin/edgeboxd $bin/eb-supervise $bin/eb-ledwatch >&2
check "the qemu-virt daemon, supervisor and LED sampler build" $?
tools/qemu/make-initramfs.sh "$out" "$bin" build/host/bin/edgebox >&2
check "the kernel and the initramfs are made" $?
[ -s "$out/initrd.cpio.gz" ] && [ -s "$out/vmlinuz" ] || finish

tmp=$(mktemp -d)
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
log=$tmp/console.log
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# QMP: the greeting, qmp_capabilities, then each command named; exit 1 on an error answer.
qmp() {
	python3 - "$tmp/qmp.sock" "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1]); f = s.makefile("rw")
def answer():
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m
json.loads(f.readline())
for cmd in ["qmp_capabilities"] + sys.argv[2:]:
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    if "error" in answer():
        sys.exit(1)
PY
}
# wait_console PATTERN SECONDS [NTH]: until the NTH (default 1) console line matching PATTERN shows.
wait_console() {
	local until=$(($(date +%s) + $2))
	while [ "$(grep -ac -- "$1" "$log")" -lt "${3:-1}" ]; do
		[ "$(date +%s)" -lt $until ] || return 1
		sleep 0.1
	done
}
status() { curl -s -m 2 "$url/api/v1/status"; }
field() { sed -n "s/.*\"$1\":\\([^,}]*\\).*/\\1/p"; }
# The alarm LED, sampled inside the VM: the number of rising edges per second of the sampled time.
led_rate() {
	local n
	n=$(grep -ac '^EB-LED alarm' "$log")
	echo leds >&3
	wait_console '^EB-LED alarm' 30 $((n + 1)) || return 1
	grep -a '^EB-LED alarm' "$log" | tail -n 1 | tr -d '\r' |
		awk '{ n = gsub(/01/, "", $4); printf "%.1f", n / $3 }'
}

# The console is a FIFO held open here, so the init's command loop reads what the test writes.
mkfifo "$tmp/console.in" && exec 3<>"$tmp/console.in"
t_boot=$(now)
qemu-system-aarch64 -M virt -cpu cortex-a72 -m 512 -nographic -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.cpio.gz" -append "console=ttyAMA0 panic=-1 quiet" \
	-netdev "user,id=n,hostfwd=tcp:127.0.0.1:$port-:8765" -device virtio-net-device,netdev=n \
	-qmp "unix:$tmp/qmp.sock,server,nowait" <&3 >"$log" 2>&1 &
qemu_pid=$!

# 1. READY and /health.
wait_console 'eb-supervise: .* READY=1 from pid' "${EB_QEMU_BOOT_TIMEOUT:-120}"
check "the daemon reaches READY (eb-supervise saw READY=1)" $?
t_ready=$(now)
echo "boot to READY: $(elapsed "$t_boot" "$t_ready") s (qemu start to the supervisor's READY=1 line)"
check "the daemon logged ready on the qemu-virt board" $(grep -aq 'edgeboxd: ready in [0-9]* ms: board qemu-virt' "$log"; echo $?)
check "/health answers through the forwarded port" \
	$(curl -s -m 5 --retry 5 --retry-connrefused --retry-delay 1 "$url/health" | grep -q '"status":"ok"'; echo $?)
check "/dev/gpiochip0 and /dev/watchdog exist, the modules loaded" $(! grep -aq 'EB-INIT .*\(no /dev\|failed\)' "$log"; echo $?)
check "the supervisor feeds /dev/watchdog (softdog)" $(grep -aq 'eb-supervise: .* feeding /dev/watchdog' "$log"; echo $?)

# 2. The kill switch: armed and a quiet alarm LED before, disarmed within 1 s of the edge, latched,
# the alarm LED at 5 Hz. (No model is installed: no_model is a disarm reason throughout, shown on the
# alarm LED as its blink code, 6 flashes then 1.5 s dark: at most 2 rising edges a second.)
s=$(status)
check "before: kill switch armed, reason kill_switch absent" \
	$(grep -q '"kill_switch":"armed"' <<<"$s" && ! grep -q '"disarm_reasons":\[[^]]*"kill_switch"' <<<"$s"; echo $?)
rate=$(led_rate)
check "before: the alarm LED is not blinking at 5 Hz ($rate rising edges/s)" $(awk -v r="$rate" 'BEGIN { exit !(r != "" && r <= 2.5) }'; echo $?)
t_press=$(now)
qmp system_powerdown
check "QMP system_powerdown accepted" $?
latched=1
while [ "$(elapsed "$t_press" "$(now)" | cut -d. -f1)" -lt 5 ]; do
	if status | grep -q '"disarm_reasons":\[[^]]*"kill_switch"'; then latched=0; break; fi
	sleep 0.02
done
latency=$(elapsed "$t_press" "$(now)")
echo "kill-switch latency: $latency s (QMP system_powerdown to kill_switch in /api/v1/status, polled every 20 ms)"
check "kill switch disarms within 1 s (took $latency s)" \
	$([ $latched = 0 ] && awk -v l="$latency" 'BEGIN { exit !(l < 1.0) }'; echo $?)
sleep 0.5 # the pulse is over (about 100 ms): released, still latched
s=$(status)
check "the latch holds after the release (kill_switch latched, armed false)" \
	$(grep -q '"kill_switch":"latched"' <<<"$s" && grep -q '"armed":false' <<<"$s"; echo $?)
rate=$(led_rate)
check "the alarm LED blinks at the kill switch's 5 Hz ($rate rising edges/s)" $(awk -v r="$rate" 'BEGIN { exit !(r >= 3.5 && r <= 6.5) }'; echo $?)

# 3. A hung main loop: SIGSTOP from the init; the supervisor sees no WATCHDOG=1 for WatchdogSec, kills
# and restarts the daemon; /health goes away and comes back with a new uptime.
wd=$(sed -n 's/^WatchdogSec=//p' rootfs/etc/systemd/system/edgeboxd.service)
up1=$(status | field uptime_seconds)
t_hang=$(now)
echo hang >&3
wait_console 'EB-INIT SIGSTOP sent to edgeboxd' 10
check "the init stopped edgeboxd (SIGSTOP)" $?
check "/health stops answering while the main loop hangs" $(! curl -s -m 2 "$url/health" >/dev/null; echo $?)
wait_console 'eb-supervise: .* watchdog timeout: no WATCHDOG=1' $((wd + 10))
check "the supervisor's watchdog fired (WatchdogSec=$wd)" $?
t_fired=$(now)
wait_console 'eb-supervise: .* READY=1 from pid' 60 2
check "the daemon was restarted and reached READY again" $?
echo "hang to READY again: $(elapsed "$t_hang" "$(now)") s (watchdog fired after $(elapsed "$t_hang" "$t_fired") s; WatchdogSec=$wd)"
# The daemon sends WATCHDOG=1 every WatchdogSec/2, so the last one came 0 to WatchdogSec/2 before the stop.
check "the watchdog fired WatchdogSec after the last WATCHDOG=1 (between $((wd / 2)) and $wd s after the stop, 1 s slack)" \
	$(awk -v d="$(elapsed "$t_hang" "$t_fired")" -v w="$wd" 'BEGIN { exit !(d >= w / 2 - 1 && d <= w + 1) }'; echo $?)
s=$(curl -s -m 5 --retry 5 --retry-connrefused --retry-delay 1 "$url/api/v1/status")
up2=$(field uptime_seconds <<<"$s")
since=$(elapsed "$t_hang" "$(now)")
check "/health answers again" $(curl -s -m 5 "$url/health" >/dev/null; echo $?)
check "a new process: uptime $up2 s < $since s since the hang (was $up1 s)" \
	$(awk -v u="$up2" -v s="$since" 'BEGIN { exit !(u != "" && u < s) }'; echo $?)
check "the kill-switch latch survived the restart (journal)" $(grep -q '"kill_switch":"latched"' <<<"$s"; echo $?)

qmp quit
wait "$qemu_pid" 2>/dev/null
qemu_pid=
cp "$log" "${EB_QEMU_LOG:-/tmp/edgebox-qemu-console.log}" 2>/dev/null &&
	echo "console log: ${EB_QEMU_LOG:-/tmp/edgebox-qemu-console.log}" >&2
finish
