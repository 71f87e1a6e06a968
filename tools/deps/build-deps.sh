#!/usr/bin/env bash
# edgebox dependency builder.
#
#   tools/deps/build-deps.sh BOARD_DIR SYSROOT TRIPLET
#
# Makes sure the Debian packages the build needs are installed (apt-get, with sudo
# when not root; arm64 multiarch enabled when the board is aarch64), then builds the
# two libraries Debian ships no usable static archive of -- libcurl (HTTP/HTTPS
# only, mbedTLS backend) and cJSON -- from Debian's own source packages, pinned by
# version, into SYSROOT. Sources are fetched through a private sources list so the
# system's apt configuration is never touched.
#
# Incremental: every step leaves a stamp in SYSROOT/.stamps; a step whose stamp
# exists is skipped, so a second run does nothing.
set -euo pipefail

# Pinned versions (the EB_DEPS_* overrides exist for the build system's own error-path tests).
CURL_VERSION=${EB_DEPS_CURL_VERSION:-7.88.1}
CURL_DEBIAN_VERSION=${EB_DEPS_CURL_DEBIAN_VERSION:-7.88.1-10+deb12u15}
CJSON_VERSION=1.7.15
CJSON_DEBIAN_VERSION=1.7.15-1+deb12u4

board=${1:?usage: build-deps.sh BOARD SYSROOT TRIPLET}
sysroot=${2:?usage: build-deps.sh BOARD SYSROOT TRIPLET}
triplet=${3:?usage: build-deps.sh BOARD SYSROOT TRIPLET}
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$sysroot"
sysroot=$(cd "$sysroot" && pwd)
stamps=$sysroot/.stamps
cache=$top/build/deps-cache          # downloaded source packages, shared by boards
mkdir -p "$stamps" "$cache" "$sysroot/lib" "$sysroot/include"

say() { printf 'deps[%s]: %s\n' "$board" "$*" >&2; }
die() {
	printf 'deps[%s]: error: %s\n' "$board" "$1" >&2
	printf 'deps[%s]: retry with: %s\n' "$board" "${2:-make BOARD=$board deps}" >&2
	exit 1
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

host_arch=$(dpkg --print-architecture)
case $triplet in
	aarch64-linux-gnu) deb_arch=arm64 ;;
	x86_64-linux-gnu) deb_arch=amd64 ;;
	*) die "unsupported triplet $triplet" ;;
esac
cross=no
[ "$deb_arch" != "$host_arch" ] && cross=yes
cc=gcc
[ $cross = yes ] && cc=$triplet-gcc

# --- 1. Debian packages ---------------------------------------------------------
need=(make gcc dpkg-dev file valgrind cppcheck libmbedtls-dev libsqlite3-dev libgpiod-dev)
if [ $cross = yes ]; then
	need+=(gcc-$triplet qemu-user-static "libmbedtls-dev:$deb_arch" "libsqlite3-dev:$deb_arch"
		"libgpiod-dev:$deb_arch" "libc6-dev:$deb_arch")
else
	need+=(libxgboost-dev clang libclang-rt-14-dev)
fi
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ $cross = yes ] && ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
		say "enabling $deb_arch multiarch"
		as_root dpkg --add-architecture "$deb_arch"
	fi
	say "installing ${missing[*]}"
	as_root apt-get update -q >&2 || die "apt-get update failed" "sudo apt-get update && make BOARD=$board"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed" "sudo apt-get install ${missing[*]}"
fi

# --- 2. Source packages, through a private sources list ---------------------------
# The private list has the same URIs, suites and Signed-By as the system's, as deb-src.
apt_private=$cache/apt
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_private/parts"
	-o "Dir::State::Lists=$apt_private/lists" -o "Dir::Cache=$apt_private/cache")
fetch_one() { # fetch_one PACKAGE PINNED_DEBIAN_VERSION
	local pkg=$1 ver=$2
	ls "$cache/${pkg}_${ver%%-*}"*.dsc >/dev/null 2>&1 && return 0
	local retry="(cd $cache && apt-get ${apt_opts[*]} source --download-only $pkg=$ver)"
	say "fetching source package $pkg=$ver"
	if ! (cd "$cache" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$ver" >&2); then
		# A newer Debian security revision replaces the pinned one in the archive;
		# the upstream release stays pinned, Debian's patches come with the revision.
		say "$pkg=$ver is gone from the archive; trying the current revision of ${ver%%-*}"
		local cur
		cur=$(apt-cache "${apt_opts[@]}" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | grep "^${ver%%-*}-" | head -n 1 || true)
		[ -n "$cur" ] && (cd "$cache" && apt-get "${apt_opts[@]}" source --download-only "$pkg=$cur" >&2) ||
			die "download of source package $pkg=$ver failed" "$retry"
	fi
}
fetch_sources() {
	if [ ! -f "$apt_private/updated" ]; then
		mkdir -p "$apt_private/lists/partial" "$apt_private/parts" "$apt_private/cache/archives/partial"
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$apt_private/parts/edgebox-src.sources"
		else
			grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$apt_private/parts/edgebox-src.list"
		fi
		apt-get "${apt_opts[@]}" update -q >&2 ||
			die "apt-get update of the private deb-src list failed (packages curl, cjson)" "apt-get ${apt_opts[*]} update"
		touch "$apt_private/updated"
	fi
	fetch_one curl "$CURL_DEBIAN_VERSION"
	fetch_one cjson "$CJSON_DEBIAN_VERSION"
}

unpack() { # unpack PACKAGE UPSTREAM_VERSION DEST: Debian's source with Debian's patches applied
	local pkg=$1 ver=$2 dest=$3 dsc
	dsc=$(ls "$cache/${pkg}_${ver}"-*.dsc 2>/dev/null | sort -V | tail -n 1)
	[ -n "$dsc" ] || die "source package $pkg $ver not found in $cache" "rm -rf $cache && make BOARD=$board"
	rm -rf "$dest" && mkdir -p "$(dirname "$dest")"
	dpkg-source --no-check -x "$dsc" "$dest" >/dev/null 2>&1 ||
		die "unpacking source package $pkg failed" "rm -rf $dest && make BOARD=$board"
}

# --- 3. cJSON: one file, compiled into a static archive ---------------------------
build_cjson() {
	[ -f "$stamps/cjson-$CJSON_DEBIAN_VERSION" ] && return 0
	fetch_sources
	local src=$sysroot/src/cjson
	say "building cJSON $CJSON_VERSION"
	unpack cjson "$CJSON_VERSION" "$src"
	(cd "$src" && $cc -std=c89 -O2 -fPIC -c cJSON.c -o cJSON.o && ar rcs libcjson.a cJSON.o) >&2 ||
		die "build of package cjson failed" "rm -rf $src && make BOARD=$board"
	mkdir -p "$sysroot/include/cjson"
	cp "$src/cJSON.h" "$sysroot/include/cjson/cJSON.h"
	cp "$src/libcjson.a" "$sysroot/lib/libcjson.a"
	touch "$stamps/cjson-$CJSON_DEBIAN_VERSION"
}

# --- 4. libcurl: HTTP/HTTPS only, mbedTLS, static -----------------------------------
build_curl() {
	[ -f "$stamps/curl-$CURL_DEBIAN_VERSION" ] && return 0
	fetch_sources
	local src=$sysroot/src/curl           # one tree per target: a tree configures once
	say "building libcurl $CURL_VERSION (HTTP/HTTPS, mbedTLS) -- a few minutes"
	unpack curl "$CURL_VERSION" "$src"
	local host_opt=()
	[ $cross = yes ] && host_opt=(--host="$triplet")
	(cd "$src" && CC=$cc CFLAGS="-O2 -fPIC" ./configure "${host_opt[@]}" --prefix="$sysroot" \
		--disable-shared --enable-static --with-mbedtls --without-openssl --without-gnutls \
		--without-libpsl --without-libidn2 --without-brotli --without-zstd --without-nghttp2 \
		--without-libssh2 --without-librtmp --without-zlib --disable-ldap --disable-ldaps --disable-rtsp \
		--disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb \
		--disable-smtp --disable-gopher --disable-mqtt --disable-ftp --disable-file --disable-manual \
		--disable-ntlm --disable-kerberos-auth --disable-negotiate-auth --disable-cookies \
		--disable-unix-sockets --disable-netrc --enable-threaded-resolver --disable-docs \
		>"$src/edgebox-configure.log" 2>&1) ||
		die "configure of package curl failed (log: $src/edgebox-configure.log)" "rm -rf $src && make BOARD=$board"
	(cd "$src/lib" && make -j"$(nproc)" >"$src/edgebox-make.log" 2>&1 && make install >>"$src/edgebox-make.log" 2>&1) ||
		die "build of package curl failed (log: $src/edgebox-make.log)" "rm -rf $src && make BOARD=$board"
	(cd "$src/include" && make install >>"$src/edgebox-make.log" 2>&1) ||
		die "install of curl headers failed (log: $src/edgebox-make.log)" "rm -rf $src && make BOARD=$board"
	touch "$stamps/curl-$CURL_DEBIAN_VERSION"
}

build_cjson
build_curl
touch "$stamps/all"
