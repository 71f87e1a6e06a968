#!/usr/bin/env bash
# README.md's example of the daemon's usage (issue 12 item 9: --replay stands in for appliance.replay_file),
# run exactly as written there: the lines under "For example" that start with build/host/bin/. They are
# taken from the README itself, so the README cannot drift from what works. With EB_BUILD set to another
# build, build/host/bin/ is replaced by it.
set -u
cd "$(dirname "$0")/../.."
build=${EB_BUILD:-build/host}
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
mapfile -t lines < <(sed -n '/^For example, paper trading/,/^`tests\/system/p' README.md | grep '^    build/host/bin/' | sed 's/^    //')
check "README has the two example lines" $([ "${#lines[@]}" = 2 ]; echo $?)
rm -rf /tmp/eb-bars.csv /tmp/eb-state
for l in "${lines[@]}"; do
	echo "  \$ $l" >&2
	cmd=${l//build\/host\/bin\//$build\/bin\/}
	out=$(bash -c "$cmd" 2>&1); rc=$?
	check "exit 0: $l ($(printf '%s' "$out" | tail -n 2))" $rc
done
check "the journal has the replayed bars" $([ -s /tmp/eb-state/journal.db ]; echo $?)
if command -v sqlite3 >/dev/null && [ -s /tmp/eb-state/journal.db ]; then
	n=$(sqlite3 /tmp/eb-state/journal.db "select count(*) from equity")
	check "equity rows for the replay ($n)" $([ "${n:-0}" -ge 2000 ]; echo $?)
fi
rm -rf /tmp/eb-bars.csv /tmp/eb-state
echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
