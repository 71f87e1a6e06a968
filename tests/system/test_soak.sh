#!/usr/bin/env bash
# Soak (issue 7): edgeboxd replays 1,000,000 bars (SOAK_BARS) at full speed on the simulated board while
# this script pushes new signed models (each one swapped in at a bar boundary and run on trial) and
# presses the kill switch (latch, flatten, long-press re-arm). The daemon logs its memory figures every
# 100,000 bars; after READY the program break and the anonymous mappings must not move, the arena must
# never fail an allocation, and the journal must show the swaps and the presses.
set -u
cd "$(dirname "$0")/../.."
build=${EB_BUILD:-build/host}
bars=${SOAK_BARS:-1000000}
tool=$build/bin/edgebox daemon=$build/bin/edgeboxd
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
ok() { "$@" >/dev/null 2>&1; echo $?; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export EDGEBOX_SIM_DIR=$tmp/sim
"$tool" data synth --bars "$bars" --seed 11 --out "$tmp/bars.csv"
"$tool" data synth --bars 6000 --seed 12 --out "$tmp/train.csv"
"$tool" keygen --out "$tmp/keys" >/dev/null
"$tool" train --config configs/walkforward-small.json --in "$tmp/train.csv" --out "$tmp/m.ebm" >/dev/null 2>&1 ||
	echo "FAIL training the soak model" >&2
for r in 1 2 3 4 5 6; do
	"$tool" model sign --key "$tmp/keys/model.key" --in "$tmp/m.ebm" --release $r --model-id soak$r \
		--out "$tmp/m$r.signed" >/dev/null
done
mkdir -p "$tmp/state/drop"
cat > "$tmp/cfg.json" <<CFG
{ "appliance": { "board": "sim", "board_dir": "board", "state_dir": "$tmp/state", "replay_file": "$tmp/bars.csv",
                 "replay_speed": "max", "public_key": "$tmp/keys/model.pub", "trial_bars": 50,
                 "killswitch": { "debounce_ms": 10, "long_press_ms": 600 } },
  "signal": { "threshold_buy": 0.34, "threshold_sell": 0.34 }, "limits": { "min_confidence": 0.3 } }
CFG
"$tool" model push --in "$tmp/m1.signed" --state-dir "$tmp/state" >/dev/null
start=$(date +%s)
"$daemon" --config "$tmp/cfg.json" --exit-at-end --report-every-bars 100000 2>"$tmp/log" &
pid=$!
# While it runs: a model every ~2 s, a kill-switch press (latch, then long-press re-arm) every ~3 s.
r=2
while kill -0 "$pid" 2>/dev/null; do
	sleep 1
	[ $r -le 6 ] && "$tool" model push --in "$tmp/m$r.signed" --state-dir "$tmp/state" >/dev/null && r=$((r + 1))
	"$tool" gpio press killswitch >/dev/null; sleep 0.1; "$tool" gpio release killswitch >/dev/null; sleep 0.2
	"$tool" gpio press killswitch >/dev/null; sleep 0.8; "$tool" gpio release killswitch >/dev/null
done
wait "$pid"; rc=$?
secs=$(($(date +%s) - start))
check "daemon exit status $rc" $([ $rc = 0 ]; echo $?)
grep 'memory' "$tmp/log" | sed 's/^<6>edgeboxd: /  /'
reports=$(grep -c 'memory periodic' "$tmp/log")
check "a memory report every 100,000 bars" $([ "$reports" -ge $((bars / 100000 - 1)) ]; echo $?)
# brk and anonymous mappings: every report equals the READY figures
drift=$(grep 'memory' "$tmp/log" | sed -E 's/.*brk=([0-9]+) \(ready ([0-9]+)\); anon=([0-9]+) in ([0-9]+) mappings \(ready ([0-9]+) in ([0-9]+)\).*/\1 \2 \3 \5 \4 \6/' |
	awk '$1 != $2 || $3 != $4 || $5 != $6' | wc -l)
check "no brk or anonymous-mapping growth after READY" $([ "$drift" = 0 ]; echo $?)
check "no arena allocation failed" $(grep 'memory at stop' "$tmp/log" | grep -q 'failures=0;'; echo $?)
check "all bars traded" $(grep -q "replay finished after $bars bars" "$tmp/log"; echo $?)
db=$tmp/state/journal.db
q() { "$build/bin/edgebox" version >/dev/null; sqlite3 "$db" "$1" 2>/dev/null || echo 0; }
if command -v sqlite3 >/dev/null; then
	installs=$(q "select count(*) from events where kind='model' and detail like 'installed%'")
	presses=$(q "select count(*) from events where kind='kill_switch' and detail like 'latched%'")
	rearms=$(q "select count(*) from events where kind='kill_switch' and detail like 're-armed%'")
	echo "  $bars bars in ${secs} s; models installed: $installs; kill-switch latches: $presses, re-arms: $rearms"
	check "models were swapped during the soak" $([ "$installs" -ge 3 ]; echo $?)
	check "the kill switch latched during the soak" $([ "$presses" -ge 2 ]; echo $?)
	check "and was re-armed by long presses" $([ "$rearms" -ge 1 ]; echo $?)
fi
echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
