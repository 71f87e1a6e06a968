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
say() { printf '\033[1m%s\033[0m\n' "$*"; }
port=${EB_DEMO_PORT:-8765}

# A run directory from an earlier demo (other bars, other model) is moved aside, not mixed with this one.
demo_version=2
if [ -d "$run" ] && [ "$(cat "$run/demo-version" 2>/dev/null)" != "$demo_version" ]; then
	old="$run.old-$(date +%Y%m%d-%H%M%S)"
	say "an earlier demo's directory is kept as $old (this demo uses other bars)"
	mv "$run" "$old"
fi
mkdir -p "$run"
echo "$demo_version" > "$run/demo-version"

# 1. Bars: generated, deterministic (seed 1): 60,000 five-minute bars, about seven months, in the learnable
# market of `edgebox data synth --trend 0.3` (trending regimes the features can see; core/synth.h). On a
# random walk the trainer rightly finds no edge and the demo would sit still; real markets are harder.
if [ ! -s "$run/bars.csv" ]; then
	say "generating 60,000 synthetic 5-minute bars (edgebox data synth --trend 0.3)"
	"$tool" data synth --bars 60000 --seed 1 --trend 0.3 --out "$run/bars.csv"
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

# 4. The config: paper mode on the sim board, replaying at 3000x (a 5-minute bar every 100 ms), the model's
# own thresholds, the HTTP API on 127.0.0.1 with a control token made here.
if [ ! -s "$run/api-token" ]; then
	(umask 077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$run/api-token")
fi
chmod 600 "$run/api-token"
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
    "killswitch": { "wiring": "normally_open", "debounce_ms": 20, "long_press_ms": 3000, "flatten_on_press": true },
    "http": { "port": $port, "bind": "127.0.0.1", "token_file": "$run/api-token" }
  }
}
EOF
mkdir -p "$run/state/drop"
export EDGEBOX_SIM_DIR="$run/sim"
if [ "$pushed" = 0 ]; then
	"$tool" model push --in "$run/demo-model.ebm.signed" --state-dir "$run/state" | sed 's/^/  /'
fi

say "starting edgeboxd (Ctrl-C stops it; run 'make run' again to resume where it stopped)"
cat <<EOF
  dashboard:          http://127.0.0.1:$port/   (in a browser; for its buttons paste the token from $run/api-token)
  status (JSON):      curl -s http://127.0.0.1:$port/api/v1/status
  metrics:            curl -s http://127.0.0.1:$port/metrics
  the API described:  curl -s http://127.0.0.1:$port/openapi.json
  disarm by API:      curl -s -X POST -H "Authorization: Bearer \$(cat $run/api-token)" http://127.0.0.1:$port/api/v1/disarm
  journal (SQLite):   sqlite3 $run/state/journal.db 'select * from events'
                      sqlite3 $run/state/journal.db 'select * from equity order by time_ms desc limit 5'
  kill switch:        EDGEBOX_SIM_DIR=$run/sim $tool gpio press killswitch      (then: release)
  re-arm:             press again, hold 3 s, release
  LEDs:               EDGEBOX_SIM_DIR=$run/sim $tool gpio get led_alarm   (or cat $run/sim/*)
  a new model:        $tool model push --in M.signed --state-dir $run/state
  the daemon's log:   $run/edgeboxd.log
EOF
log=$run/edgeboxd.log
: >> "$log"
seen=$(wc -l < "$log")
"$daemon" --config "$run/edgebox.json" 2>> "$log" &
pid=$!
# Ctrl-C reaches the daemon from the terminal too; the trap passes it on for a TERM or a signal sent to
# this script alone. The end is told below from the daemon's own exit status, not in the trap: bash does
# not always run a trap for the SIGINT that also ended the `sleep` it was waiting for.
trap 'kill -INT "$pid" 2>/dev/null || true' INT TERM

# Notices and worse from the log, above one status line that is rewritten in place each second.
field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | tr -d '"'; }
reasons() { printf '%s' "$1" | sed -n 's/.*"disarm_reasons":\[\([^]]*\)\].*/\1/p' | tr -d '"'; }
tty=0
[ -t 1 ] && tty=1
# No errexit from here on: a Ctrl-C also kills the `sleep` or `curl` of the moment, and with -e that
# ended this script before the daemon had stopped.
set +e
while kill -0 "$pid" 2>/dev/null; do
	now=$(wc -l < "$log")
	if [ "$now" -gt "$seen" ]; then
		[ $tty = 1 ] && printf '\r\033[K'
		sed -n "$((seen + 1)),${now}p" "$log" | { grep -E '^<[0-5]>' || true; } | sed 's/^<[0-9]>edgeboxd: /  /'
		seen=$now
	fi
	if [ $tty = 1 ] && command -v curl >/dev/null; then
		st=$(curl -s --max-time 1 "http://127.0.0.1:$port/api/v1/status" || true)
		if [ -n "$st" ]; then
			why=$(reasons "$st")
			state="armed"
			[ "$(field "$st" armed)" = true ] || state="disarmed: ${why:-?}"
			eq=$(field "$st" equity)
			printf -v eq '%.2f' "${eq:-0}" 2>/dev/null || eq=?
			printf '\r\033[K  bars %s  equity %s  position %s  %s  kill switch %s' "$(field "$st" bars)" \
				"$eq" "$(field "$st" position_qty)" "$state" "$(field "$st" kill_switch)"
		fi
	fi
	sleep 1
done
wait "$pid"
rc=$?
[ $tty = 1 ] && printf '\r\033[K'
if [ $rc = 0 ]; then
	echo "edgebox demo: stopped cleanly"
else
	echo "edgebox demo: edgeboxd exited with status $rc; its log: $log" >&2
	exit $rc
fi
