#!/usr/bin/env bash
# First boot of the appliance: the settings the user put on the FAT boot partition applied to the root,
# run as root by edgebox-firstboot.service (which makes / and the boot partition writable around it).
# Files (docs/image.md, "First boot"; examples on the partition as *.example):
#   edgebox-hostname.txt      the host name                 -> /etc/hostname
#   edgebox-authorized_keys   SSH public keys for root      -> /data/ssh/authorized_keys/root
#   edgebox-network.txt       wired or Wi-Fi, DHCP/static   -> /etc/systemd/network, /etc/wpa_supplicant (secret)
#   edgebox.json              the daemon's config           -> /etc/edgebox/edgebox.json
#   edgebox-model-key.pem     the model-signing public key  -> /etc/edgebox/model-public.pem
#   edgebox-secrets.json      exchange credentials (secret) -> /etc/edgebox/secrets.json
#   edgebox-api-token.txt     the API bearer token (secret) -> /etc/edgebox/api-token
# Each file is applied whole or refused whole, on its own: a refused file stays on the partition as it
# was and the others are still applied. An applied secret is overwritten and deleted on the partition
# (the FAT copy is gone); an applied plain file is renamed NAME.applied, so the next boot finds nothing to
# do. This run's messages (never a secret) go to the journal and to edgebox-firstboot.log on the partition,
# where a user without SSH access can read them. A destination already holding the same bytes, mode and
# owner is not rewritten, so a second run with nothing new changes nothing.
# Exit status: 0 all applied (or nothing to do), 1 a file refused, 2 a file could not be installed.
#
# EB_FIRSTBOOT_BOOT (default /boot/firmware) and EB_FIRSTBOOT_ROOT (default /) point it at other trees
# (the test's); only with the real root is the running system's host name changed too.
set -uo pipefail
boot=${EB_FIRSTBOOT_BOOT:-/boot/firmware}
root=${EB_FIRSTBOOT_ROOT:-/}
root=${root%/}
umask 077

status=0 messages=""
log() {
	echo "firstboot: $*" >&2
	messages+="$*"$'\n'
}
refuse() { # refuse FILE REASON
	log "$1: $2: refused, left on the boot partition"
	[ $status = 2 ] || status=1
}
fail() { # fail FILE REASON: an installation step failed; the source stays where it is
	log "$1: $2: not applied, left on the boot partition"
	status=2
}

work=$(mktemp -d) || { echo "firstboot: cannot make a temporary directory" >&2; exit 2; }
trap 'rm -rf "$work"' EXIT

# clean FILE OUT: the file as text without a UTF-8 byte-order mark and CRs (a Windows editor adds both);
# at most 64 KiB. Fails for a larger or unreadable file.
clean() {
	local size
	size=$(stat -c %s -- "$1") || return 1
	[ "$size" -le 65536 ] || return 1
	sed '1s/^\xef\xbb\xbf//; s/\r$//' -- "$1" >"$2"
}

# lines FILE: its lines without comments (# first) and blank lines, leading and trailing blanks trimmed.
lines() {
	sed 's/^[[:space:]]*//; s/[[:space:]]*$//; /^#/d; /^$/d' -- "$1"
}

# install_file SRC DEST MODE OWNER:GROUP: DEST made the bytes of SRC with that mode and owner, through a
# temporary file and a rename, each synced; nothing happens when DEST already is exactly that.
install_file() {
	local src=$1 dest=$2 mode=$3 owner=$4 dir tmp
	dir=$(dirname "$dest")
	[ -f "$dest" ] && [ "$(stat -c '%a %u:%g' -- "$dest")" = "${mode#0} $owner" ] && cmp -s "$src" "$dest" &&
		return 0
	mkdir -p -- "$dir" || return 1
	tmp=$dest.firstboot-tmp
	{ cp -- "$src" "$tmp" && chown -- "$owner" "$tmp" && chmod -- "$mode" "$tmp" && sync -- "$tmp" &&
		mv -f -- "$tmp" "$dest" && sync -- "$dir"; } || { rm -f -- "$tmp"; return 1; }
}

# remove_file DEST: gone (and the directory synced), if it was there.
remove_file() {
	[ -e "$1" ] || return 0
	rm -f -- "$1" && sync -- "$(dirname "$1")"
}

# wipe NAME: a secret on the boot partition overwritten (random, then zeros), synced, deleted, and the
# directory synced. The card's flash controller may still hold old blocks: docs/image.md says so.
wipe() {
	{ shred --iterations=1 --zero --remove=wipesync -- "$boot/$1" && sync -- "$boot"; } ||
		{ log "$1: applied, but wiping it from the boot partition failed: delete it by hand"; status=2; }
}

# applied NAME: a plain file renamed NAME.applied, so that the next boot has nothing to do.
applied() {
	{ mv -f -- "$boot/$1" "$boot/$1.applied" && sync -- "$boot"; } ||
		{ log "$1: applied, but renaming it to $1.applied failed"; status=2; }
}

ids() { # ids: "UID:GID" of the image's edgebox user and group, for the files the daemon reads
	local u g
	u=$(awk -F: '$1 == "edgebox" { print $3 }' "$root/etc/passwd" 2>/dev/null)
	g=$(awk -F: '$1 == "edgebox" { print $3 }' "$root/etc/group" 2>/dev/null)
	[ -n "$u" ] && [ -n "$g" ] && echo "$u:$g"
}

# --- the files -----------------------------------------------------------------------------------------

hostname_file() {
	local f=edgebox-hostname.txt name
	clean "$boot/$f" "$work/h" || { refuse $f "unreadable or over 64 KiB"; return; }
	name=$(lines "$work/h")
	if ! [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$ ]]; then
		refuse $f "'$(printf '%s' "$name" | head -c 80 | tr -c '[:print:]' '?')' is not a host name (one line:\
 letters, digits and '-', 1 to 63 of them, not starting or ending with '-')"
		return
	fi
	printf '%s\n' "$name" >"$work/hostname"
	install_file "$work/hostname" "$root/etc/hostname" 0644 0:0 || { fail $f "cannot write $root/etc/hostname"; return; }
	if [ -z "$root" ]; then
		echo "$name" >/proc/sys/kernel/hostname || { fail $f "cannot set the running host name"; return; }
	fi
	log "$f: host name $name"
	applied $f
}

keys_file() {
	local f=edgebox-authorized_keys n=0 line
	clean "$boot/$f" "$work/k" || { refuse $f "unreadable or over 64 KiB"; return; }
	if grep -q 'PRIVATE KEY' "$work/k"; then
		# A private key must not stay on a partition anyone with the card can read.
		shred --iterations=1 --zero --remove=wipesync -- "$boot/$f" && sync -- "$boot"
		refuse $f "holds a PRIVATE key (put the .pub file here): wiped from the boot partition, nothing installed"
		return
	fi
	command -v ssh-keygen >/dev/null || { fail $f "ssh-keygen not found: cannot check the keys"; return; }
	: >"$work/keys"
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s\n' "$line" >"$work/one"
		if ! ssh-keygen -l -f "$work/one" >/dev/null 2>&1; then
			refuse $f "key $n is not an SSH public key (one 'ssh-ed25519 AAAA... comment' line per key)"
			return
		fi
		printf '%s\n' "$line" >>"$work/keys"
	done < <(lines "$work/k")
	[ $n -gt 0 ] || { refuse $f "holds no key"; return; }
	install_file "$work/keys" "$root/data/ssh/authorized_keys/root" 0600 0:0 ||
		{ fail $f "cannot write $root/data/ssh/authorized_keys/root"; return; }
	log "$f: $n key(s) for root"
	applied $f
}

# ipv4 ADDR: four numbers 0..255.
ipv4() {
	local IFS=. a
	[[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
	for a in $1; do [ $((10#$a)) -le 255 ] || return 1; done
}

network_file() {
	local f=edgebox-network.txt line key value a n=0 seen=" " iface=wired address=dhcp gateway="" dns="" ssid="" psk="" country=""
	clean "$boot/$f" "$work/n" || { refuse $f "unreadable or over 64 KiB"; return; }
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line == *=* ]] || { refuse $f "line $n is not key=value"; return; }
		key=${line%%=*} key=${key%"${key##*[![:space:]]}"} value=${line#*=} value=${value#"${value%%[![:space:]]*}"}
		case $seen in *" $key "*) refuse $f "line $n: '$key' given twice"; return ;; esac
		seen+="$key "
		case $key in
		interface) iface=$value ;;
		address) address=$value ;;
		gateway) gateway=$value ;;
		dns) dns=$value ;;
		ssid) ssid=$value ;;
		psk) psk=$value ;;
		country) country=$value ;;
		*) refuse $f "line $n: unknown key '$(printf '%s' "$key" | head -c 40 | tr -c '[:print:]' '?')' (interface, address, gateway, dns, ssid, psk, country)"; return ;;
		esac
	done < <(lines "$work/n")
	case $iface in wired | wifi) ;; *) refuse $f "interface must be wired or wifi"; return ;; esac
	local net="DHCP=yes"
	if [ "$address" != dhcp ]; then
		{ [[ $address == */* ]] && ipv4 "${address%/*}" && [[ ${address#*/} =~ ^[0-9]{1,2}$ ]] &&
			[ $((10#${address#*/})) -ge 1 ] && [ $((10#${address#*/})) -le 32 ]; } ||
			{ refuse $f "address '$address' is neither dhcp nor an IPv4 address with a prefix (192.168.1.50/24)"; return; }
		ipv4 "$gateway" || { refuse $f "a static address needs gateway= an IPv4 address"; return; }
		net="Address=$address"$'\n'"Gateway=$gateway"
		for a in $dns; do
			ipv4 "$a" || { refuse $f "dns '$a' is not an IPv4 address"; return; }
			net+=$'\n'"DNS=$a"
		done
	elif [ -n "$gateway$dns" ]; then
		refuse $f "gateway and dns go with a static address, not with dhcp"; return
	fi
	if [ "$iface" = wifi ]; then
		{ [ -n "$ssid" ] && [ ${#ssid} -le 32 ]; } || { refuse $f "wifi needs ssid= the network name (1 to 32 bytes)"; return; }
		[[ $psk =~ ^[[:print:]]{8,63}$ || $psk =~ ^[0-9a-fA-F]{64}$ ]] ||
			{ refuse $f "wifi needs psk= the passphrase (8 to 63 printable characters, or 64 hex digits)"; return; }
		[[ $country =~ ^[A-Z]{2}$ ]] || { refuse $f "wifi needs country= the two-letter country code (DE, US, GB...)"; return; }
	elif [ -n "$ssid$psk$country" ]; then
		refuse $f "ssid, psk and country go with interface=wifi"; return
	fi

	local nd=$root/etc/systemd/network wpa=$root/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
	printf '# Written on first boot from %s.\n[Match]\nName=eth* en*\n\n[Network]\n%s\n' "$f" \
		"$(if [ "$iface" = wired ]; then echo "$net"; else echo DHCP=yes; fi)" >"$work/wired"
	install_file "$work/wired" "$nd/20-wired.network" 0644 0:0 || { fail $f "cannot write $nd/20-wired.network"; return; }
	if [ "$iface" = wifi ]; then
		printf '# Written on first boot from %s.\n[Match]\nName=wl*\n\n[Network]\n%s\n' "$f" "$net" >"$work/wireless"
		# The SSID in hex: any bytes, no quoting. A passphrase is quoted, a 64-digit PSK is not.
		{
			echo "# Written on first boot from $f (edgebox-firstboot)."
			echo "country=$country"
			echo "network={"
			echo "	ssid=$(printf '%s' "$ssid" | od -An -tx1 | tr -d ' \n')"
			if [[ $psk =~ ^[0-9a-fA-F]{64}$ ]]; then echo "	psk=$psk"; else echo "	psk=\"$psk\""; fi
			echo "}"
		} >"$work/wpa"
		{ install_file "$work/wireless" "$nd/25-wireless.network" 0644 0:0 &&
			install_file "$work/wpa" "$wpa" 0600 0:0; } || { fail $f "cannot write the Wi-Fi settings"; return; }
	else
		{ remove_file "$nd/25-wireless.network" && remove_file "$wpa"; } || { fail $f "cannot remove the Wi-Fi settings"; return; }
	fi
	log "$f: $iface, $([ "$address" = dhcp ] && echo DHCP || echo "static $address")"
	wipe $f # it may hold the Wi-Fi passphrase
}

# json_file NAME DEST MODE OWNER SECRET: a JSON object (checked for its braces only: the daemon reads it
# strictly at start-up and names any error) installed; a secret is wiped from the partition after.
json_file() {
	local f=$1 dest=$2 mode=$3 owner=$4 secret=$5
	clean "$boot/$f" "$work/j" || { refuse "$f" "unreadable or over 64 KiB"; return; }
	if [ "$(tr -d '[:space:]' <"$work/j" | head -c 1)" != "{" ] || [ "$(tr -d '[:space:]' <"$work/j" | tail -c 1)" != "}" ]; then
		refuse "$f" "is not a JSON object ({ ... })"
		return
	fi
	install_file "$work/j" "$dest" "$mode" "$owner" || { fail "$f" "cannot write $dest"; return; }
	log "$f: installed as $dest"
	if [ "$secret" = yes ]; then wipe "$f"; else applied "$f"; fi
}

token_file() {
	local f=edgebox-api-token.txt owner=$1 token
	clean "$boot/$f" "$work/t" || { refuse $f "unreadable or over 64 KiB"; return; }
	token=$(lines "$work/t")
	[[ $token =~ ^[[:graph:]]{16,127}$ ]] ||
		{ refuse $f "the token must be one line of 16 to 127 characters without spaces"; return; }
	printf '%s\n' "$token" >"$work/token"
	install_file "$work/token" "$root/etc/edgebox/api-token" 0600 "$owner" ||
		{ fail $f "cannot write $root/etc/edgebox/api-token"; return; }
	log "$f: installed as $root/etc/edgebox/api-token"
	wipe $f
}

model_key_file() {
	local f=edgebox-model-key.pem
	clean "$boot/$f" "$work/m" || { refuse $f "unreadable or over 64 KiB"; return; }
	if ! grep -q '^-----BEGIN PUBLIC KEY-----$' "$work/m" || ! grep -q '^-----END PUBLIC KEY-----$' "$work/m" ||
		grep -q PRIVATE "$work/m"; then
		refuse $f "is not a PEM public key (-----BEGIN PUBLIC KEY-----)"
		return
	fi
	install_file "$work/m" "$root/etc/edgebox/model-public.pem" 0640 "0:${1#*:}" ||
		{ fail $f "cannot write $root/etc/edgebox/model-public.pem"; return; }
	log "$f: installed as $root/etc/edgebox/model-public.pem"
	applied $f
}

# --- main ----------------------------------------------------------------------------------------------

[ -d "$boot" ] || { echo "firstboot: no boot partition at $boot" >&2; exit 2; }
# The files, as edgebox-firstboot.service's conditions name them.
files="edgebox-hostname.txt edgebox-authorized_keys edgebox-network.txt edgebox.json edgebox-model-key.pem edgebox-secrets.json edgebox-api-token.txt"
any=0
for f in $files; do
	[ -e "$boot/$f" ] && any=1
done
[ $any = 1 ] || exit 0

owner=$(ids) || { log "no edgebox user and group in $root/etc/passwd and group: /etc/edgebox files not applied"; owner=""; status=2; }
[ -e "$boot/edgebox-hostname.txt" ] && hostname_file
[ -e "$boot/edgebox-authorized_keys" ] && keys_file
[ -e "$boot/edgebox-network.txt" ] && network_file
if [ -n "$owner" ]; then
	[ -e "$boot/edgebox.json" ] && json_file edgebox.json "$root/etc/edgebox/edgebox.json" 0640 "0:${owner#*:}" no
	[ -e "$boot/edgebox-model-key.pem" ] && model_key_file "$owner"
	[ -e "$boot/edgebox-secrets.json" ] && json_file edgebox-secrets.json "$root/etc/edgebox/secrets.json" 0600 "$owner" yes
	[ -e "$boot/edgebox-api-token.txt" ] && token_file "$owner"
fi

{ printf '%s' "$messages" >"$boot/edgebox-firstboot.log" && sync -- "$boot/edgebox-firstboot.log"; } ||
	{ echo "firstboot: cannot write $boot/edgebox-firstboot.log" >&2; status=2; }
exit $status
