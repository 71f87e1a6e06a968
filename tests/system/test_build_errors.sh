#!/usr/bin/env bash
# The build's bad-input paths: an unknown BOARD lists the boards; a failed source download names the
# package and the command to retry, and leaves the sysroot without a stamp (nothing half-installed).
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}

out=$(make BOARD=nosuchboard 2>&1); rc=$?
check "unknown board fails" $([ $rc != 0 ]; echo $?)
check "unknown board names it" $(grep -q "unknown BOARD 'nosuchboard'" <<<"$out"; echo $?)
check "unknown board lists boards" $(grep -q "known boards: qemu-virt rpi4 rpi5 sim" <<<"$out"; echo $?)

tmp=$(mktemp -d)
out=$(EB_DEPS_CURL_VERSION=0.0.1 EB_DEPS_CURL_DEBIAN_VERSION=0.0.1-1 \
	tools/deps/build-deps.sh sim "$tmp/sysroot" "$(gcc -dumpmachine)" 2>&1); rc=$?
check "failed download fails" $([ $rc != 0 ]; echo $?)
check "failed download names the package" $(grep -q "download of source package curl=0.0.1-1 failed" <<<"$out"; echo $?)
check "failed download gives the retry command" $(grep -q "retry with: .*apt-get .*source --download-only curl=0.0.1-1" <<<"$out"; echo $?)
check "no stamp after a failure" $([ ! -e "$tmp/sysroot/.stamps/all" ]; echo $?)
rm -rf "$tmp"

echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
