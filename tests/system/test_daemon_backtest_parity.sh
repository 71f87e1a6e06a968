#!/usr/bin/env bash
# DESIGN.md, "One engine, three modes": the same bars through `edgebox backtest` and through edgeboxd in
# paper mode must give the same trades, bar for bar. A model is trained on the first bars, both sides use
# it (the daemon through a signed blob pushed into its drop directory), and the thresholds are lowered so
# that there is something to compare. Compared: every closed trade (exit time, reason, R multiple) and the
# final equity.
set -u
cd "$(dirname "$0")/../.."
build=${EB_BUILD:-build/host}
tool=$build/bin/edgebox
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
if ! command -v sqlite3 >/dev/null; then
	echo "SKIP: sqlite3 CLI missing" >&2; echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export EDGEBOX_SIM_DIR=$tmp/sim
"$tool" data synth --bars 30000 --seed 5 --out "$tmp/bars.csv"
head -n 8001 "$tmp/bars.csv" > "$tmp/train.csv"
"$tool" keygen --out "$tmp/keys" >/dev/null
"$tool" train --config configs/walkforward-small.json --in "$tmp/train.csv" --out "$tmp/m.ebm" \
	--key "$tmp/keys/model.key" --release 1 >/dev/null 2>&1
check "trained and signed a model" $([ -s "$tmp/m.ebm.signed" ]; echo $?)
mkdir -p "$tmp/state/drop"
cat > "$tmp/cfg.json" <<CFG
{ "appliance": { "board": "sim", "board_dir": "board", "state_dir": "$tmp/state", "replay_file": "$tmp/bars.csv",
                 "replay_speed": "max", "public_key": "$tmp/keys/model.pub" },
  "signal": { "threshold_buy": 0.31, "threshold_sell": 0.31 }, "limits": { "min_confidence": 0.3 },
  "backtest": { "flatten_at_end": false } }
CFG
"$tool" model push --in "$tmp/m.ebm.signed" --state-dir "$tmp/state" >/dev/null
"$build/bin/edgeboxd" --config "$tmp/cfg.json" --exit-at-end 2>"$tmp/daemon.log"
check "daemon ran to the end" $?
"$tool" backtest --config "$tmp/cfg.json" --model "$tmp/m.ebm" --in "$tmp/bars.csv" --out "$tmp/bt" >/dev/null 2>&1
check "backtest ran" $?
# The backtest's trades: exit time, reason, R multiple (4 decimals), from report.json.
tr -d '\n ' < "$tmp/bt/report.json" | grep -o '"trades":\[{.*}\]' | sed 's/},{/}\n{/g' |
	sed -E 's/.*"exit_time_ms":([0-9]+).*"r_multiple":([-0-9.e]+),"exit_reason":"([a-z_]+)".*/\1 \3 \2/' |
	awk '{printf "%s %s %.4f\n", $1, $2, $3}' > "$tmp/bt.trades"
# The daemon's trades: its "trade" events ("position N closed: REASON, XR, pnl P, SIDE, held S s"), at the exit bar's time.
sqlite3 "$tmp/state/journal.db" "select time_ms, detail from events where kind='trade' order by id" |
	sed -E 's/^([0-9]+)\|position [0-9]+ closed: ([a-z_]+), ([-0-9.]+)R.*/\1 \2 \3/' |
	awk '{printf "%s %s %.4f\n", $1, $2, $3}' > "$tmp/daemon.trades"
n=$(wc -l < "$tmp/bt.trades")
echo "  trades: backtest $n, daemon $(wc -l < "$tmp/daemon.trades")"
check "there are trades to compare" $([ "$n" -ge 5 ]; echo $?)
check "same trades, same exits, same R multiples" $(cmp -s "$tmp/bt.trades" "$tmp/daemon.trades"; echo $?)
bt_eq=$(tr -d '\n ' < "$tmp/bt/report.json" | grep -o '"final_equity":[-0-9.e]*' | cut -d: -f2)
d_eq=$(sqlite3 "$tmp/state/journal.db" "select equity from equity order by time_ms desc limit 1")
echo "  final equity: backtest $bt_eq, daemon $d_eq"
check "same final equity" $(awk -v a="$bt_eq" -v b="$d_eq" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6 * a) }'; echo $?)
echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
