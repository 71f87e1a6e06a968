#!/usr/bin/env bash
# tools/image/firstboot.sh against a temporary boot partition and root (EB_FIRSTBOOT_BOOT, _ROOT):
# every file applied where docs/image.md says, with its mode and owner; the secrets (and the network file,
# which holds the Wi-Fi passphrase) gone from the boot partition, the plain files renamed .applied; no
# secret in the output or the log; a static wired network; bad files (host name, network, key, token,
# private key) refused with the reason while the rest is applied; a second run changes nothing; and
# `systemd-analyze verify` of edgebox-firstboot.service. Needs root (files owned by the edgebox user).
# shellcheck disable=SC2046 # check NAME $(COND; echo $?): the status is one word
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; exit; }
if [ "$(id -u)" != 0 ] || ! command -v ssh-keygen >/dev/null; then
	echo "SKIP firstboot needs root (file owners) and ssh-keygen (apt-get install openssh-client)" >&2
	skipped=1; finish
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fb=tools/image/firstboot.sh

# A root as the image has it: the edgebox user (uid 990, group 991), the default config and network.
new_tree() {
	rm -rf "${tmp:?}/boot" "${tmp:?}/root"
	mkdir -p "$tmp/boot" "$tmp/root/etc/edgebox" "$tmp/root/etc/systemd/network" "$tmp/root/data/ssh/authorized_keys"
	echo 'edgebox:x:990:991:edgebox trading daemon:/var/lib/edgebox:/usr/sbin/nologin' >"$tmp/root/etc/passwd"
	echo 'edgebox:x:991:' >"$tmp/root/etc/group"
	echo edgebox >"$tmp/root/etc/hostname"
	cp rootfs/etc/edgebox/edgebox.json "$tmp/root/etc/edgebox/"
	cp rootfs/etc/systemd/network/20-wired.network "$tmp/root/etc/systemd/network/"
}
run() { EB_FIRSTBOOT_BOOT=$tmp/boot EB_FIRSTBOOT_ROOT=$tmp/root $fb 2>&1; }
attrs() { stat -c '%a %u:%g' "$1" 2>/dev/null; }
# snapshot: every path of both trees with mode, owner, size, mtime and content hash.
snapshot() {
	find "$tmp/boot" "$tmp/root" -printf '%p %m %U:%G %s %T@\n' | sort
	find "$tmp/boot" "$tmp/root" -type f -exec sha256sum {} + | sort
}

ssh-keygen -q -t ed25519 -N "" -C tester@laptop -f "$tmp/id" || { echo "FAIL ssh-keygen" >&2; exit 1; }
ssh-keygen -q -t rsa -b 2048 -N "" -C second -f "$tmp/id2" || { echo "FAIL ssh-keygen" >&2; exit 1; }
psk='the wifi passphrase 42'
token=tok-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
secret=sec-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
new_tree
# Written as a Windows editor writes them: a byte-order mark and CRLF line ends, in two of them.
printf '\xef\xbb\xbf# the name\r\nbox-7\r\n' >"$tmp/boot/edgebox-hostname.txt"
{ echo "# keys"; cat "$tmp/id.pub" "$tmp/id2.pub"; } >"$tmp/boot/edgebox-authorized_keys"
printf 'interface = wifi\r\nssid=Home "Net"\r\npsk=%s\r\ncountry=DE\r\n' "$psk" >"$tmp/boot/edgebox-network.txt"
printf '{"strategy": "x"}\n' >"$tmp/boot/edgebox.json"
printf '{"api_key": "k", "api_secret": "%s"}\n' "$secret" >"$tmp/boot/edgebox-secrets.json"
printf '%s\n' "$token" >"$tmp/boot/edgebox-api-token.txt"
printf -- '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAexample\n-----END PUBLIC KEY-----\n' >"$tmp/boot/edgebox-model-key.pem"
out=$(run); rc=$?
r=$tmp/root b=$tmp/boot
check "all applied: exit 0" $([ $rc = 0 ]; echo $?)
check "host name (BOM and CRLF dropped)" $([ "$(cat "$r/etc/hostname")" = box-7 ] && [ "$(attrs "$r/etc/hostname")" = "644 0:0" ]; echo $?)
check "both keys for root, 0600" \
	$(cat "$tmp/id.pub" "$tmp/id2.pub" | cmp -s - "$r/data/ssh/authorized_keys/root" &&
	  [ "$(attrs "$r/data/ssh/authorized_keys/root")" = "600 0:0" ]; echo $?)
ssid_hex=$(printf 'Home "Net"' | od -An -tx1 | tr -d ' \n')
wpa=$r/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
check "Wi-Fi: wpa_supplicant conf 0600 root, ssid in hex, passphrase quoted, country" \
	$([ "$(attrs "$wpa")" = "600 0:0" ] && grep -qx "	ssid=$ssid_hex" "$wpa" && grep -qx "	psk=\"$psk\"" "$wpa" &&
	  grep -qx country=DE "$wpa"; echo $?)
check "Wi-Fi: wl* by DHCP, wired stays DHCP" \
	$(grep -qx 'Name=wl\*' "$r/etc/systemd/network/25-wireless.network" &&
	  grep -qx DHCP=yes "$r/etc/systemd/network/25-wireless.network" && grep -qx DHCP=yes "$r/etc/systemd/network/20-wired.network"; echo $?)
check "config: root:edgebox 0640" $(cmp -s "$r/etc/edgebox/edgebox.json" - <<<'{"strategy": "x"}' &&
	[ "$(attrs "$r/etc/edgebox/edgebox.json")" = "640 0:991" ]; echo $?)
check "model key: root:edgebox 0640" $([ "$(attrs "$r/etc/edgebox/model-public.pem")" = "640 0:991" ]; echo $?)
check "secrets: moved to /etc/edgebox, edgebox:edgebox 0600" \
	$(grep -q "$secret" "$r/etc/edgebox/secrets.json" && [ "$(attrs "$r/etc/edgebox/secrets.json")" = "600 990:991" ]; echo $?)
check "API token: edgebox:edgebox 0600, one line" \
	$([ "$(cat "$r/etc/edgebox/api-token")" = "$token" ] && [ "$(attrs "$r/etc/edgebox/api-token")" = "600 990:991" ]; echo $?)
check "the secrets and the network file gone from the boot partition" \
	$([ ! -e "$b/edgebox-secrets.json" ] && [ ! -e "$b/edgebox-api-token.txt" ] && [ ! -e "$b/edgebox-network.txt" ] &&
	  ! grep -rqF -e "$secret" -e "$token" -e "$psk" "$b"; echo $?)
check "the plain files renamed .applied" \
	$(for f in edgebox-hostname.txt edgebox-authorized_keys edgebox.json edgebox-model-key.pem; do
		[ ! -e "$b/$f" ] && [ -e "$b/$f.applied" ] || exit 1; done; echo $?)
check "no secret in the output or the log on the partition" \
	$(! grep -qF -e "$secret" -e "$token" -e "$psk" <<<"$out" && grep -q "host name box-7" "$b/edgebox-firstboot.log"; echo $?)
check "no temporary file left" $([ -z "$(find "$r" "$b" -name '*firstboot-tmp*')" ]; echo $?)

# A second boot: nothing new, nothing changes (not even a timestamp).
before=$(snapshot)
out=$(run); rc=$?
check "second run: exit 0, nothing changed" $([ $rc = 0 ] && [ "$(snapshot)" = "$before" ]; echo $?)
# The same host name given again: applied, /etc/hostname not rewritten.
mtime=$(stat -c %y "$r/etc/hostname")
printf 'box-7\n' >"$b/edgebox-hostname.txt"
out=$(run); rc=$?
check "the same host name again: /etc/hostname untouched" \
	$([ $rc = 0 ] && [ "$(stat -c %y "$r/etc/hostname")" = "$mtime" ]; echo $?)

# Wired, static: the Wi-Fi settings of before removed.
printf 'interface=wired\naddress=192.168.7.50/24\ngateway=192.168.7.1\ndns=192.168.7.1 9.9.9.9\n' >"$b/edgebox-network.txt"
out=$(run); rc=$?
w=$r/etc/systemd/network/20-wired.network
check "static wired: address, gateway, two DNS" \
	$([ $rc = 0 ] && grep -qx Address=192.168.7.50/24 "$w" && grep -qx Gateway=192.168.7.1 "$w" &&
	  [ "$(grep -c '^DNS=' "$w")" = 2 ] && ! grep -q DHCP "$w"; echo $?)
check "static wired: the Wi-Fi files removed" \
	$([ ! -e "$wpa" ] && [ ! -e "$r/etc/systemd/network/25-wireless.network" ]; echo $?)

# Bad files: each refused with its reason and left as it was; the good ones of the same run applied;
# exit 1. Nothing of a refused file reaches the root.
new_tree
printf -- '-bad_name\n' >"$b/edgebox-hostname.txt"
printf 'interface=wifi\nssid=x\npsk=short\ncountry=DE\n' >"$b/edgebox-network.txt"
printf 'ssh-ed25519 not-base64-at-all me\n' >"$b/edgebox-authorized_keys"
printf 'abc def\n' >"$b/edgebox-api-token.txt"
printf '{"api_key": "k", "api_secret": "%s"}\n' "$secret" >"$b/edgebox-secrets.json"
snap_root=$(cd "$r" && find . -printf '%p %m %s\n' | sort; find . -type f -exec sha256sum {} + | sort)
bad_before=$(cd "$b" && sha256sum edgebox-hostname.txt edgebox-network.txt edgebox-authorized_keys edgebox-api-token.txt)
out=$(run); rc=$?
check "bad files: exit 1" $([ $rc = 1 ]; echo $?)
check "bad host name: refused with the rule" \
	$(grep -q "edgebox-hostname.txt: '-bad_name' is not a host name .*refused, left on the boot partition" <<<"$out"; echo $?)
check "bad network: refused, the passphrase not shown" \
	$(grep -q "edgebox-network.txt: wifi needs psk= the passphrase (8 to 63 .*refused" <<<"$out" && ! grep -q short <<<"$out"; echo $?)
check "not an SSH key: refused, which one named" \
	$(grep -q "edgebox-authorized_keys: key 1 is not an SSH public key.*refused" <<<"$out"; echo $?)
check "bad token: refused, not shown" \
	$(grep -q "edgebox-api-token.txt: the token must be one line of 16 to 127 .*refused" <<<"$out" && ! grep -q 'abc def' <<<"$out"; echo $?)
check "bad files left on the partition as they were" \
	$([ "$(cd "$b" && sha256sum edgebox-hostname.txt edgebox-network.txt edgebox-authorized_keys edgebox-api-token.txt)" = "$bad_before" ]; echo $?)
check "the good file of the same run applied" \
	$(grep -q "$secret" "$r/etc/edgebox/secrets.json" && [ ! -e "$b/edgebox-secrets.json" ]; echo $?)
check "the refusals in the log on the partition" $([ "$(grep -c 'refused, left on the boot partition' "$b/edgebox-firstboot.log")" = 4 ]; echo $?)
rm -f "$r/etc/edgebox/secrets.json"
check "nothing of the refused files in the root" \
	$([ "$(cd "$r" && find . -printf '%p %m %s\n' | sort; find . -type f -exec sha256sum {} + | sort)" = "$snap_root" ]; echo $?)

# More malformed network files, each refused.
for bad in 'interface=wired\naddress=300.1.2.3/24\ngateway=1.2.3.4' 'interface=wired\naddress=10.0.0.2/24' \
	'mode=wifi' 'interface=wired\ninterface=wifi' 'just words' 'interface=wifi\nssid=x\npsk=12345678\ncountry=de' \
	'interface=wired\ndns=1.1.1.1'; do
	new_tree
	printf '%b\n' "$bad" >"$b/edgebox-network.txt"
	out=$(run); rc=$?
	check "network '${bad//\\n/ }': refused" \
		$([ $rc = 1 ] && grep -q "edgebox-network.txt: .*refused" <<<"$out" && [ -e "$b/edgebox-network.txt" ] &&
		  cmp -s rootfs/etc/systemd/network/20-wired.network "$r/etc/systemd/network/20-wired.network"; echo $?)
done
# A private key where the public one belongs: wiped from the partition, nothing installed.
new_tree
cp "$tmp/id" "$b/edgebox-authorized_keys"
out=$(run); rc=$?
check "a private key: refused and wiped, nothing installed" \
	$([ $rc = 1 ] && grep -q "holds a PRIVATE key" <<<"$out" && [ ! -e "$b/edgebox-authorized_keys" ] &&
	  [ ! -e "$r/data/ssh/authorized_keys/root" ]; echo $?)

# The image build's customisation against a made-up Debian root (stub units for the packages' ones):
# the script installed, the unit and Wi-Fi enabled, the examples on the boot partition; then the shipped
# examples, copied to their names, go through the installed script.
if command -v systemctl >/dev/null && command -v systemd-sysusers >/dev/null; then
	d=$tmp/debian
	mkdir -p "$d/usr/lib/systemd/system" "$d/var/lib/systemd" "$d/boot/firmware"
	echo arm_64bit=1 >"$d/boot/firmware/config.txt"
	for u in systemd-networkd systemd-resolved systemd-timesyncd ssh wpa_supplicant@ systemd-firstboot; do
		printf '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n' >"$d/usr/lib/systemd/system/$u.service"
	done
	printf '#!/bin/sh\n' >"$tmp/edgeboxd" && chmod +x "$tmp/edgeboxd"
	out=$(tools/image/customize-rootfs.sh "$d" rpi4 "$tmp/edgeboxd" 2>&1); rc=$?
	wants=$d/etc/systemd/system/multi-user.target.wants
	check "customize-rootfs: runs" $rc
	check "customize-rootfs: firstboot.sh installed 0755" \
		$(cmp -s $fb "$d/usr/lib/edgebox/firstboot.sh" && [ "$(attrs "$d/usr/lib/edgebox/firstboot.sh")" = "755 0:0" ]; echo $?)
	check "customize-rootfs: the unit and wpa_supplicant@wlan0 enabled" \
		$([ -L "$wants/edgebox-firstboot.service" ] && [ -L "$wants/wpa_supplicant@wlan0.service" ]; echo $?)
	check "customize-rootfs: the examples on the boot partition" \
		$(for f in edgebox-hostname.txt edgebox-authorized_keys edgebox-network.txt edgebox.json edgebox-secrets.json \
			edgebox-api-token.txt; do [ -f "$d/boot/firmware/$f.example" ] || exit 1; done; echo $?)
	for f in edgebox-hostname.txt edgebox-network.txt edgebox.json edgebox-secrets.json; do
		cp "$d/boot/firmware/$f.example" "$d/boot/firmware/$f"
	done
	out=$(EB_FIRSTBOOT_BOOT=$d/boot/firmware EB_FIRSTBOOT_ROOT=$d "$d/usr/lib/edgebox/firstboot.sh" 2>&1); rc=$?
	check "the examples as shipped are accepted" \
		$([ $rc = 0 ] && [ "$(cat "$d/etc/hostname")" = edgebox-1 ] && [ -s "$d/etc/wpa_supplicant/wpa_supplicant-wlan0.conf" ] &&
		  [ -s "$d/etc/edgebox/secrets.json" ]; echo $?)
	[ $rc = 0 ] || printf '%s\n' "$out" >&2
else
	echo "SKIP systemctl or systemd-sysusers missing: the image customisation not run" >&2; skipped=$((skipped + 1))
fi

# The unit: systemd-analyze verify, with the script and mount at stand-in paths (verify wants them).
unit=rootfs/etc/systemd/system/edgebox-firstboot.service
if command -v systemd-analyze >/dev/null; then
	printf '#!/bin/sh\n' >"$tmp/stand-in" && chmod +x "$tmp/stand-in"
	sed "s#=/usr/lib/edgebox/firstboot.sh#=$tmp/stand-in#" "$unit" >"$tmp/edgebox-firstboot.service"
	out=$(systemd-analyze verify --man=no "$tmp/edgebox-firstboot.service" 2>&1); rc=$?
	check "systemd-analyze verify: passes, prints nothing" $([ $rc = 0 ] && [ -z "$out" ]; echo $?)
	[ -n "$out" ] && printf '%s\n' "$out" >&2
	sed 's/^ExecStart=/ExecStrt=/' "$tmp/edgebox-firstboot.service" >"$tmp/bad-firstboot.service"
	out=$(systemd-analyze verify --man=no "$tmp/bad-firstboot.service" 2>&1)
	check "systemd-analyze verify: catches a misspelt key" $(grep -q "Unknown key 'ExecStrt'" <<<"$out"; echo $?)
else
	echo "SKIP systemd-analyze not installed: the unit not verified" >&2; skipped=$((skipped + 1))
fi
files=$(sed -n 's/^files="\(.*\)"$/\1/p' $fb)
check "the unit's conditions are firstboot.sh's files, all of them" \
	$([ -n "$files" ] && [ "$(tr ' ' '\n' <<<"$files" | sort)" = "$(sed -n 's#^ConditionPathExists=|/boot/firmware/##p' "$unit" | sort)" ]; echo $?)
finish
