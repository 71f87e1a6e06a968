#!/usr/bin/env bash
# The host tool as a client of a real edgeboxd's API (issue 15 item 6, issue 16 item 4): `edgebox status`
# (readable, and --json), `trades`, `halt`, `rearm`, `flatten`, `consent`, and `model push --host`, which
# uploads a signed model that the box installs and runs; and the failures, each with its documented exit
# status: no token file (2), a token file others can read (2), a wrong token (5), a model over the box's
# limit (6, the model unchanged), nothing listening (3), a box that does not answer (4). The token is never
# printed.
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
summary() { echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; }
build=build/host
eb=$build/bin/edgebox
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$pid" ] && wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
if [ ! -x "$build/bin/edgeboxd" ] || [ ! -x "$eb" ]; then
	echo "SKIP edgeboxd or edgebox not built (make)"
	skipped=$((skipped + 1))
	summary
	exit
fi
token=remote-token-0123456789abcdef
printf '%s\n' "$token" >"$tmp/token" && chmod 600 "$tmp/token"
"$eb" keygen --out "$tmp/keys" >/dev/null &&
	"$eb" data synth --bars 1500 --seed 7 --out "$tmp/bars.csv" >/dev/null &&
	"$eb" data synth --bars 4000 --seed 8 --out "$tmp/train.csv" >/dev/null &&
	"$eb" train --config configs/walkforward-small.json --in "$tmp/train.csv" --out "$tmp/m.ebm" >"$tmp/train.log" 2>&1
check "keys, bars and a trained model" $?
for r in 1 2; do
	"$eb" model sign --key "$tmp/keys/model.key" --in "$tmp/m.ebm" --release $r --model-id rm$r \
		--out "$tmp/rm$r.signed" >/dev/null || check "sign rm$r" 1
done

wait_for() { # wait_for HOST PATTERN: edgebox status shows it within 10 s
	for _ in $(seq 100); do
		"$eb" status --host "$1" 2>/dev/null | grep -q "$2" && return 0
		sleep 0.1
	done
	return 1
}
# The box on a random port, with the model rm1 in its drop directory; another process may take the port
# first, so a few tries, each told by `edgebox status` itself.
port=
for _ in 1 2 3 4 5; do
	p=$((20000 + RANDOM % 40000))
	if ! { rm -rf "$tmp/state" && mkdir -p "$tmp/state/drop" && cp "$tmp/rm1.signed" "$tmp/state/drop/"; }; then
		break
	fi
	cat >"$tmp/cfg.json" <<-CFG || break
		{ "appliance": { "board": "sim", "board_dir": "$PWD/board", "state_dir": "$tmp/state",
		                 "replay_file": "$tmp/bars.csv", "replay_speed": 600, "max_model_kib": 1024,
		                 "public_key": "$tmp/keys/model.pub",
		                 "http": { "port": $p, "bind": "127.0.0.1", "token_file": "$tmp/token" } } }
	CFG
	EDGEBOX_SIM_DIR=$tmp/sim "$build/bin/edgeboxd" --config "$tmp/cfg.json" 2>"$tmp/log" &
	pid=$!
	# ours, not another box that had the port: its log names it
	wait_for "127.0.0.1:$p" '^armed:' && grep -q "http://127.0.0.1:$p " "$tmp/log" && { port=$p; break; }
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
done
check "edgeboxd answers edgebox status ($(grep -v '^<[67]>' "$tmp/log" | tail -n 3 | tr '\n' ' '))" \
	"$([ -n "$port" ]; echo $?)"
if [ -z "$port" ]; then summary; exit; fi
host=127.0.0.1:$port
all=$tmp/all-output # everything the tool printed, searched for the token at the end
run() { # run NAME WANT_EXIT ARGS...: the tool's output in $out
	local name=$1 want=$2
	shift 2
	out=$("$eb" "$@" 2>&1)
	local rc=$?
	printf '%s\n' "$out" >>"$all"
	check "$name: exit $rc (want $want): $(head -c 300 <<<"$out")" "$([ "$rc" = "$want" ]; echo $?)"
}
check "the dropped model rm1 is in use" "$(wait_for "$host" 'model: *rm1'; echo $?)"

run "status" 0 status --host "$host"
check "status is readable" "$(grep -q '^armed: ' <<<"$out" && grep -q '^kill switch: ' <<<"$out" &&
	grep -q "^box: *http://$host" <<<"$out"; echo $?)"
run "status --json" 0 status --host "$host" --json
check "status --json is the API's JSON" "$(grep -q '^{"version":' <<<"$out"; echo $?)"
run "trades" 0 trades --host "$host" --limit 5
check "trades has its header" "$(grep -q '^time (UTC) ' <<<"$out"; echo $?)"

run "halt without --token-file" 2 halt --host "$host"
check "halt without a token names --token-file" "$(grep -q -- '--token-file F is required' <<<"$out"; echo $?)"
cp "$tmp/token" "$tmp/token-open" && chmod 644 "$tmp/token-open"
run "halt with a token file others can read" 2 halt --host "$host" --token-file "$tmp/token-open"
check "the open token file is refused naming chmod 600" "$(grep -q 'chmod 600' <<<"$out"; echo $?)"
printf 'wrong-token-0123456789abcdef\n' >"$tmp/token-wrong" && chmod 600 "$tmp/token-wrong"
run "halt with a wrong token" 5 halt --host "$host" --token-file "$tmp/token-wrong"
check "a wrong token leaves the box armed as it was" "$("$eb" status --host "$host" | grep -q 'master_switch'; [ $? = 1 ]; echo $?)"

run "halt" 0 halt --host "$host" --token-file "$tmp/token"
check "halt: master switch off" "$(grep -q '200 master switch off' <<<"$out"; echo $?)"
check "status shows the halt" "$("$eb" status --host "$host" | grep -q 'master_switch'; echo $?)"
"$eb" flatten --host "$host" --token-file "$tmp/token" >"$tmp/flatten" 2>&1
rc=$?
cat "$tmp/flatten" >>"$all"
check "flatten: closed (0) or nothing open (1, 409): $(cat "$tmp/flatten")" \
	"$({ [ $rc = 0 ] && grep -q 'positions closed' "$tmp/flatten"; } || { [ $rc = 1 ] && grep -q '409 nothing is open' "$tmp/flatten"; }; echo $?)"
run "rearm" 0 rearm --host "$host" --token-file "$tmp/token"
check "rearm: master switch on" "$(grep -q 'master switch on' <<<"$out"; echo $?)"
run "consent for another model" 1 consent --host "$host" --token-file "$tmp/token" --model-id nope
check "consent names the running model" "$(grep -q 'is not the running model (rm1)' <<<"$out"; echo $?)"
run "consent" 0 consent --host "$host" --token-file "$tmp/token" --model-id rm1

head -c $((1024 * 1024 + 1)) /dev/zero >"$tmp/big.signed"
run "model push of a file over max_model_kib" 6 model push --host "$host" --token-file "$tmp/token" --in "$tmp/big.signed"
check "the big file left the model alone" "$("$eb" status --host "$host" | grep -q 'model: *rm1'; echo $?)"
run "model push --host" 0 model push --host "$host" --token-file "$tmp/token" --in "$tmp/rm2.signed"
check "model push: received" "$(grep -q '202 received' <<<"$out"; echo $?)"
check "the pushed model rm2 is installed and in use" "$(wait_for "$host" 'model: *rm2'; echo $?)"
mkdir -p "$tmp/local" && run "model push --drop-dir (local) still works" 0 model push --in "$tmp/rm2.signed" --drop-dir "$tmp/local"
check "the local push copied the file" "$(cmp -s "$tmp/rm2.signed" "$tmp/local/rm2.signed"; echo $?)"

kill "$pid" && wait "$pid" 2>/dev/null
pid=
run "status with nothing listening" 3 status --host "$host"
check "connection refused is named" "$(grep -qi 'connect' <<<"$out"; echo $?)"
if command -v python3 >/dev/null; then # a listener that accepts and never answers
	python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); c=s.accept(); time.sleep(30)' >"$tmp/mute-port" &
	mute=$!
	for _ in $(seq 50); do [ -s "$tmp/mute-port" ] && break; sleep 0.1; done
	run "status against a box that does not answer" 4 status --host "127.0.0.1:$(cat "$tmp/mute-port")" --timeout 1
	kill "$mute" 2>/dev/null
	wait "$mute" 2>/dev/null
else
	echo "SKIP the timeout case: python3 is not installed"
	skipped=$((skipped + 1))
fi
run "halt --help lists the exit statuses" 0 halt --help
check "--help documents exit 6" "$(grep -q '6 too large (413)' <<<"$out"; echo $?)"
check "the token was never printed" "$(grep -q "$token" "$all"; [ $? = 1 ]; echo $?)"
check "the token is not in the daemon's log" "$(grep -q "$token" "$tmp/log"; [ $? = 1 ]; echo $?)"
summary
