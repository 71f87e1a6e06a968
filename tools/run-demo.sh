#!/usr/bin/env bash
# make run: the appliance on the simulated board, in paper mode, until Ctrl-C.
#   tools/run-demo.sh BUILD_DIR
# Everything lives under BUILD_DIR/run: generated bars, a development signing key (made on the first
# run), a demo model trained by `edgebox train` and signed with that key, the config, the daemon's state
# (journal, model slots, drop directory) and the simulated GPIO lines. A second run resumes the first.
set -euo pipefail
build=${1:-build/host}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
run=$build/run
tool=$build/bin/edgebox
daemon=$build/bin/edgeboxd
[ -x "$daemon" ] && [ -x "$tool" ] || { echo "run-demo: build first (make)" >&2; exit 1; }
mkdir -p "$run"
say() { printf '\033[1m%s\033[0m\n' "$*"; }

# 1. Bars: generated, deterministic (seed 1): 60,000 five-minute bars, about seven months.
if [ ! -s "$run/bars.csv" ]; then
	say "generating 60,000 synthetic 5-minute bars (edgebox data synth)"
	"$tool" data synth --bars 60000 --seed 1 --out "$run/bars.csv"
fi

# 2. A development key, made once. A real box gets its public key from the offline signing machine.
if [ ! -s "$run/keys/model.pub" ]; then
	say "making a development signing key (edgebox keygen)"
	"$tool" keygen --out "$run/keys" >/dev/null
fi

# 3. A demo model: trained on the first 40,000 bars, so the replay's last third is out of sample.
if [ ! -s "$run/demo-model.ebm.signed" ]; then
	say "training the demo model on the first 40,000 bars (edgebox train, XGBoost) -- about 20 s"
	to=$(sed -n '40002p' "$run/bars.csv" | cut -d, -f1)
	"$tool" train --config configs/walkforward-small.json --in "$run/bars.csv" --to "$to" \
		--out "$run/demo-model.ebm" --key "$run/keys/model.key" --release 1 --model-id demo |
		sed 's/^/  /'
	pushed=0
else
	pushed=1
fi

# 4. The config: paper mode on the sim board, replaying at 3000x (a 5-minute bar every 100 ms). On random-walk
# bars the trainer rightly finds no edge and sets thresholds no signal reaches; the demo lowers them so that
# trades, stops and the journal have something to show. Never do this with money.
cat > "$run/edgebox.json" <<EOF
{
  "appliance": {
    "mode": "paper",
    "board": "sim",
    "board_dir": "$top/board",
    "state_dir": "$run/state",
    "replay_file": "$run/bars.csv",
    "replay_speed": 3000,
    "public_key": "$run/keys/model.pub",
    "killswitch": { "wiring": "normally_open", "debounce_ms": 20, "long_press_ms": 3000, "flatten_on_press": true }
  },
  "signal": { "threshold_buy": 0.31, "threshold_sell": 0.99 },
  "limits": { "min_confidence": 0.30 }
}
EOF
mkdir -p "$run/state/drop"
export EDGEBOX_SIM_DIR="$run/sim"
if [ "$pushed" = 0 ]; then
	"$tool" model push --in "$run/demo-model.ebm.signed" --state-dir "$run/state" | sed 's/^/  /'
fi

say "starting edgeboxd (Ctrl-C stops it; run 'make run' again to resume where it stopped)"
cat <<EOF
  journal (SQLite):   sqlite3 $run/state/journal.db 'select * from events'
                      sqlite3 $run/state/journal.db 'select * from equity order by time_ms desc limit 5'
  kill switch:        EDGEBOX_SIM_DIR=$run/sim $tool gpio press killswitch      (then: release)
  re-arm:             press again, hold 3 s, release
  LEDs:               EDGEBOX_SIM_DIR=$run/sim $tool gpio get led_alarm   (or cat $run/sim/*)
  a new model:        $tool model push --in M.signed --state-dir $run/state
EOF
trap 'kill -INT "$pid" 2>/dev/null; wait "$pid" || true; echo "edgebox demo: stopped cleanly"; exit 0' INT TERM
"$daemon" --config "$run/edgebox.json" &
pid=$!
wait "$pid"
