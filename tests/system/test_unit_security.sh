#!/usr/bin/env bash
# The appliance unit (rootfs/etc/systemd/system/edgeboxd.service): `systemd-analyze verify` passes with
# no warning, `systemd-analyze security --offline=yes` rates it at most EB_UNIT_EXPOSURE_MAX (1.5, the
# issue's bound; measured 1.3 on systemd 252), and the hardening keeps what the daemon needs (state dir,
# GPIO chip, network, mlockall, SCHED_FIFO). Also shows that the checks fail on a bad unit: a misspelt
# key is reported, and the unit without its hardening is rated above the bound.
# Skips (one skipped check) when systemd-analyze is not installed (apt-get install systemd).
set -u
cd "$(dirname "$0")/../.."
unit=rootfs/etc/systemd/system/edgeboxd.service
max=${EB_UNIT_EXPOSURE_MAX:-1.5}
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; exit; }

# The unit's text: what systemd needs to run the daemon right.
key() { grep -Eq "^$1\$" "$unit"; echo $?; }
unit_section=$(sed -n '/^\[Unit\]/,/^\[/p' "$unit")
check "Type=notify" "$(key 'Type=notify')"
check "WatchdogSec set" "$(key 'WatchdogSec=[1-9][0-9]*')"
check "Restart=on-failure" "$(key 'Restart=on-failure')"
check "StartLimitIntervalSec in [Unit]" $(grep -Eq '^StartLimitIntervalSec=[1-9]' <<<"$unit_section"; echo $?)
check "StartLimitBurst in [Unit]" $(grep -Eq '^StartLimitBurst=[1-9]' <<<"$unit_section"; echo $?)
check "state dir kept" "$(key 'StateDirectory=edgebox')"
check "gpio chip allowed" "$(key 'DeviceAllow=/dev/gpiochip0 rw')"
check "gpio chip bound into the private /dev" "$(key 'BindPaths=-/dev/gpiochip0')"
check "network families kept" "$(key 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6')"
check "memory lock limit covers the arena" "$(key 'LimitMEMLOCK=48M')"
check "real time granted" "$(key 'LimitRTPRIO=[1-9][0-9]*')"
check "real time not restricted" "$(key 'RestrictRealtime=no')"
check "sched_setscheduler allowed" "$(key 'SystemCallFilter=sched_setscheduler')"
check "no capabilities" "$(key 'CapabilityBoundingSet=')"

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP systemd-analyze not installed (apt-get install systemd): verify and security not run" >&2
	skipped=$((skipped + 1)); finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify checks that ExecStart= exists, so a copy of the unit points at a stand-in executable.
printf '#!/bin/sh\n' >"$tmp/edgeboxd" && chmod +x "$tmp/edgeboxd"
verify() { # verify UNITFILE -> output (empty when clean), status in $?
	sed "s#^ExecStart=/usr/bin/edgeboxd#ExecStart=$tmp/edgeboxd#" "$1" >"$tmp/edgeboxd.service"
	systemd-analyze verify --man=no "$tmp/edgeboxd.service" 2>&1
}
out=$(verify "$unit"); rc=$?
check "verify passes" $rc
check "verify prints nothing" $([ -z "$out" ]; echo $?)
[ -n "$out" ] && printf '%s\n' "$out" >&2

sed 's/^UMask=/UMsk=/' "$unit" >"$tmp/bad.service"
out=$(verify "$tmp/bad.service")
check "verify names a misspelt key and its line" $(grep -q "edgeboxd.service:[0-9]*: Unknown key 'UMsk'" <<<"$out"; echo $?)

exposure() { # exposure UNITFILE -> the overall exposure, e.g. 1.3
	systemd-analyze security --offline=yes "$1" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
cp "$unit" "$tmp/edgeboxd.service"
e=$(exposure "$tmp/edgeboxd.service")
echo "exposure $e (bound $max)" >&2
check "security rates the unit" $([ -n "$e" ]; echo $?)
check "exposure $e <= $max" $(awk -v e="${e:-99}" -v m="$max" 'BEGIN { exit !(e <= m) }'; echo $?)

# The same unit without its hardening lines: the bound must be able to fail.
sed -n '1,/^# Files:/p' "$unit" >"$tmp/edgeboxd.service"
printf 'WatchdogSec=10\n[Install]\nWantedBy=multi-user.target\n' >>"$tmp/edgeboxd.service"
e=$(exposure "$tmp/edgeboxd.service")
check "an unhardened unit is rated above the bound ($e)" $(awk -v e="${e:-0}" -v m="$max" 'BEGIN { exit !(e > m) }'; echo $?)
finish
