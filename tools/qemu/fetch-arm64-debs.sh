#!/usr/bin/env bash
# Fetches Debian bookworm's arm64 kernel (what linux-image-arm64 depends on) and busybox-static into
# build/deps-cache/arm64-debs, through a private arm64 apt configuration (build/deps-cache/apt-arm64:
# its own sources, lists and cache), so the system's apt setup and dpkg state are never touched.
# A second run with the debs in place does nothing. Prints the two .deb paths (kernel, busybox).
#
#   tools/qemu/fetch-arm64-debs.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/deps-cache
apt_dir=$cache/apt-arm64
debs=$cache/arm64-debs
die() { echo "fetch-arm64-debs: error: $*" >&2; exit 1; }

# find_deb GLOB: the newest deb whose package name matches GLOB (unquoted: it is a pattern)
# shellcheck disable=SC2086
find_deb() { ls "$debs"/$1_*_arm64.deb 2>/dev/null | sort -V | tail -n 1 || true; }
kernel=$(find_deb 'linux-image-[0-9]*-arm64') busybox=$(find_deb busybox-static)
if [ -n "$kernel" ] && [ -n "$busybox" ]; then
	printf '%s\n%s\n' "$kernel" "$busybox"
	exit 0
fi

apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/parts"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Dir::State::status=/dev/null"
	-o "APT::Architecture=arm64" -o "APT::Architectures::=arm64")
if [ ! -f "$apt_dir/updated" ]; then
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/cache/archives/partial"
	# The system's mirrors and keys, binary packages for arm64 only.
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types:.*/Types: deb\nArchitectures: arm64/' /etc/apt/sources.list.d/debian.sources \
			>"$apt_dir/parts/edgebox-arm64.sources"
	else
		grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb [arch=arm64] /' >"$apt_dir/parts/edgebox-arm64.list"
	fi
	grep -q '^URIs:\|^deb ' "$apt_dir"/parts/edgebox-arm64.* || die "no Debian sources found in /etc/apt to copy"
	echo "fetch-arm64-debs: apt-get update of the private arm64 lists ($apt_dir)" >&2
	apt-get "${apt_opts[@]}" update -q >&2 || die "apt-get update of $apt_dir failed"
	touch "$apt_dir/updated"
fi

# linux-image-arm64 is a metapackage: its first dependency names the versioned kernel package.
image=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\)$/\1/p' | head -n 1)
[ -n "$image" ] || die "linux-image-arm64 names no kernel package in $apt_dir"
mkdir -p "$debs"
echo "fetch-arm64-debs: downloading $image and busybox-static (arm64) into $debs" >&2
(cd "$debs" && apt-get "${apt_opts[@]}" download "$image:arm64" busybox-static:arm64 >&2) ||
	die "apt-get download $image busybox-static failed (old lists? rm -rf $apt_dir and run it again)"
kernel=$(find_deb 'linux-image-[0-9]*-arm64') busybox=$(find_deb busybox-static)
[ -n "$kernel" ] && [ -n "$busybox" ] || die "the downloaded debs are not in $debs"
printf '%s\n%s\n' "$kernel" "$busybox"
