#!/usr/bin/env bash
# Runs test binaries (through $EB_RUNNER, e.g. qemu-aarch64-static, for target builds) from the
# repository root, adds up their "N passed, N failed, N skipped" lines and prints the total last.
# A binary that crashes or prints no summary counts as one failure.
set -u
cd "$(dirname "$0")/.."
runner=${EB_RUNNER:-}
passed=0 failed=0 skipped=0 bad=()
logs=${EB_BUILD:-build}/test-logs
mkdir -p "$logs"
for t in "$@"; do
	err=$logs/$(basename "$t").stderr
	case $t in *.sh) run=() ;; *) run=($runner) ;; esac   # scripts run on the host
	out=$("${run[@]}" "$t" 2>"$err"); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1)); bad+=("$t (exit $rc, no summary)")
		sed 's/^/    /' "$err" | tail -n 20
		continue
	fi
	read -r p _ f _ s _ <<<"${line//,/}"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
	if [ "$f" != 0 ] || [ $rc != 0 ]; then
		[ "$f" = 0 ] && failed=$((failed + 1))
		bad+=("$t (exit $rc)")
		sed 's/^/    /' "$err" | tail -n 40
	fi
	grep -h '^SKIP' "$err" | sed "s|^|    $(basename "$t"): |"
	printf '%-60s %s\n' "$(basename "$t")" "$line"
done
for b in "${bad[@]+"${bad[@]}"}"; do echo "FAILED: $b"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
