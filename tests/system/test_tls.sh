#!/usr/bin/env bash
# TLS on a non-loopback operator surface (issue 15 item 1, docs/api.md "TLS"): edgeboxd bound to 0.0.0.0
# (reached here only at 127.0.0.1) makes a key (0600) and a self-signed certificate on first start, logs its
# SHA-256, which equals the served certificate's and /api/v1/status's; /health answers over https and plain
# HTTP to that port gets nothing; a restart reuses the certificate; a client stalled mid-handshake neither
# stops the loop (/health answers, bars go on at the pace of a run without it) nor stays past the request
# timeout; many handshakes leave the arena's high-water where a few put it; `edgebox status` with the right
# --fingerprint works and prints it, with a wrong one it is refused (exit 3), control (halt, rearm) works
# with the token over it, and so does a model push; a loopback box has no TLS.
# curl missing: everything skips; openssl or python3 missing: their checks skip.
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
summary() { echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; }
build=build/host
eb=$build/bin/edgebox
tmp=$(mktemp -d)
pid=''
staller=''
stop_box() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap '[ -n "$staller" ] && kill "$staller" 2>/dev/null; stop_box; rm -rf "$tmp"' EXIT
if [ ! -x "$build/bin/edgeboxd" ] || [ ! -x "$eb" ]; then
	skip "edgeboxd or edgebox not built (make)"
	summary
	exit
fi
if ! command -v curl >/dev/null; then
	skip "curl is not installed (apt-get install curl)"
	summary
	exit
fi
printf 'tls-test-token-0123456789abcdef\n' >"$tmp/token" && chmod 600 "$tmp/token" &&
	"$eb" data synth --bars 60000 --seed 7 --out "$tmp/bars.csv" >/dev/null &&
	"$eb" keygen --out "$tmp/keys" >/dev/null &&
	"$eb" data synth --bars 4000 --seed 8 --out "$tmp/train.csv" >/dev/null &&
	"$eb" train --config configs/walkforward-small.json --in "$tmp/train.csv" --out "$tmp/m.ebm" >"$tmp/train.log" 2>&1 &&
	"$eb" model sign --key "$tmp/keys/model.key" --in "$tmp/m.ebm" --release 1 --model-id tls1 \
		--out "$tmp/tls1.signed" >/dev/null
check "a token file, bars for the replay, a signed model" $?

# start_box BIND LOG: edgeboxd on a random port (a few tries: another process may hold one), $port set
start_box() {
	local bind=$1 log=$2 scheme=https p
	[ "$bind" = 127.0.0.1 ] && scheme=http
	port=
	for _ in 1 2 3 4 5; do
		p=$((20000 + RANDOM % 40000))
		cat >"$tmp/cfg.json" <<-CFG || return 1
			{ "appliance": { "board": "sim", "board_dir": "$PWD/board", "state_dir": "$tmp/state-$bind",
			                 "replay_file": "$tmp/bars.csv", "replay_speed": 3000, "max_model_kib": 1024,
			                 "public_key": "$tmp/keys/model.pub",
			                 "http": { "port": $p, "bind": "$bind", "token_file": "$tmp/token" } } }
		CFG
		EDGEBOX_SIM_DIR=$tmp/sim "$build/bin/edgeboxd" --config "$tmp/cfg.json" 2>"$log" &
		pid=$!
		for _ in $(seq 50); do
			grep -q "operator surface on $scheme://$bind:$p " "$log" && { port=$p; return 0; }
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_box
	done
	return 1
}
fp_of_log() { sed -n 's/.*TLS certificate sha256 fingerprint \([0-9A-F:]*\) .*/\1/p' "$1" | tail -n 1; }
bars() { curl -sk --max-time 2 "https://127.0.0.1:$port/api/v1/status" | sed -n 's/.*"bars":\([0-9]*\).*/\1/p'; }
metric() { curl -sk --max-time 2 "https://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }

start_box 0.0.0.0 "$tmp/log1"
check "edgeboxd starts on 0.0.0.0 with TLS ($(grep -v '^<[67]>' "$tmp/log1" | tail -n 3 | tr '\n' ' '))" \
	"$([ -n "$port" ]; echo $?)"
if [ -z "$port" ]; then summary; exit; fi
url=https://127.0.0.1:$port
fp=$(fp_of_log "$tmp/log1")
check "the fingerprint is logged, for a new certificate" \
	"$([ ${#fp} = 95 ] && grep -q "fingerprint $fp (new" "$tmp/log1"; echo $?)"
check "the key is mode 0600, the certificate is there" \
	"$([ "$(stat -c %a "$tmp/state-0.0.0.0/tls_key.pem")" = 600 ] && [ -s "$tmp/state-0.0.0.0/tls_cert.pem" ]; echo $?)"
out=$(curl -sk --max-time 5 "$url/health")
check "GET /health over https: $out" "$(grep -q '"status":"ok"' <<<"$out"; echo $?)"
out=$(curl -s --max-time 3 "http://127.0.0.1:$port/health")
check "plain HTTP to the TLS port gets no answer: $out" "$([ -z "$out" ]; echo $?)"
check "/api/v1/status carries the fingerprint" \
	"$(curl -sk --max-time 5 "$url/api/v1/status" | grep -q "\"tls_fingerprint\":\"$fp\""; echo $?)"
if command -v openssl >/dev/null; then
	served=$(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')
	check "the served certificate's SHA-256 is the logged one ($served)" "$([ "$served" = "$fp" ]; echo $?)"
	check "the certificate is valid for 10 years" "$(openssl x509 -in "$tmp/state-0.0.0.0/tls_cert.pem" -noout \
		-checkend $((9 * 366 * 86400)) >/dev/null && ! openssl x509 -in "$tmp/state-0.0.0.0/tls_cert.pem" \
		-noout -checkend $((11 * 366 * 86400)) >/dev/null; echo $?)"
else
	skip "the served certificate against the log: openssl is not installed"
fi

run() { # run NAME WANT_EXIT ARGS...: the tool's output in $out
	local name=$1 want=$2
	shift 2
	out=$("$eb" "$@" 2>&1)
	local rc=$?
	check "$name: exit $rc (want $want): $(head -c 300 <<<"$out")" "$([ "$rc" = "$want" ]; echo $?)"
}
run "edgebox status with the right --fingerprint" 0 status --host "$url" --fingerprint "$fp"
check "status prints the pinned fingerprint" "$(grep -q "^tls: *certificate sha256 $fp" <<<"$out"; echo $?)"
wrong=00${fp#??}
[ "$wrong" = "$fp" ] && wrong=11${fp#??}
run "edgebox status with a wrong --fingerprint" 3 status --host "$url" --fingerprint "$wrong"
check "the wrong certificate is named" "$(grep -q 'not the one of --fingerprint' <<<"$out"; echo $?)"
run "edgebox status over https without --fingerprint" 2 status --host "$url"
run "edgebox halt over https with the token" 0 halt --host "$url" --fingerprint "$fp" --token-file "$tmp/token"
check "the halt took: status shows the master switch" \
	"$("$eb" status --host "$url" --fingerprint "$fp" | grep -q master_switch; echo $?)"
run "edgebox rearm over https" 0 rearm --host "$url" --fingerprint "$fp" --token-file "$tmp/token"
# the streamed upload (Expect: 100-continue, a body of many TLS records)
run "edgebox model push over https" 0 model push --host "$url" --fingerprint "$fp" --token-file "$tmp/token" \
	--in "$tmp/tls1.signed"
check "model push: received" "$(grep -q '202 received' <<<"$out"; echo $?)"
for _ in $(seq 100); do
	"$eb" status --host "$url" --fingerprint "$fp" 2>/dev/null | grep -q 'model: *tls1' && break
	sleep 0.1
done
check "the pushed model is in use" "$("$eb" status --host "$url" --fingerprint "$fp" | grep -q 'model: *tls1'; echo $?)"
check "the token is not in the daemon's log" "$(grep -q tls-test-token "$tmp/log1"; [ $? = 1 ]; echo $?)"

# Many handshakes: each session's memory comes back to the arena, so its high-water stays where the
# first few put it.
for _ in 1 2 3 4 5; do curl -sk --max-time 5 -o /dev/null "$url/health"; done
hw1=$(metric edgebox_arena_high_water_bytes)
for _ in $(seq 100); do curl -sk --max-time 5 -o /dev/null "$url/health" || break; done
hw2=$(metric edgebox_arena_high_water_bytes)
check "arena high-water after 100 more handshakes: $hw1 -> $hw2 B" \
	"$([ -n "$hw1" ] && [ -n "$hw2" ] && [ $((hw2 - hw1)) -le 65536 ]; echo $?)"

# A client that sends a TLS record header and then nothing: the loop goes on around it.
if command -v python3 >/dev/null; then
	b0=$(bars); sleep 3; b1=$(bars)
	python3 -c 'import socket,sys,time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"\x16\x03\x01\x02\x00\x01")  # a ClientHello of 512 bytes begins, and stops after one
print("stalling", flush=True)
s.settimeout(30)
try:
    gone = s.recv(1) == b""
except OSError:
    gone = True
print("closed by the box" if gone else "data", flush=True)' "$port" >"$tmp/staller" &
	staller=$!
	for _ in $(seq 50); do grep -q stalling "$tmp/staller" && break; sleep 0.1; done
	t0=$(date +%s%N)
	out=$(curl -sk --max-time 2 "$url/health")
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "GET /health while a handshake stalls: ${ms} ms" \
		"$(grep -q '"status":"ok"' <<<"$out" && [ $ms -lt 1000 ]; echo $?)"
	b2=$(bars); sleep 3; b3=$(bars)
	check "bars while a handshake stalls: $((b3 - b2)) in 3 s, $((b1 - b0)) without it" \
		"$([ -n "$b0" ] && [ -n "$b3" ] && [ $((b1 - b0)) -gt 0 ] && [ $(((b3 - b2) * 10)) -ge $(((b1 - b0) * 7)) ]; echo $?)"
	for _ in $(seq 120); do grep -q "closed by the box" "$tmp/staller" && break; sleep 0.1; done
	check "the stalled handshake is closed by the box (its time limits), within 15 s" \
		"$(grep -q 'closed by the box' "$tmp/staller"; echo $?)"
	kill "$staller" 2>/dev/null
	wait "$staller" 2>/dev/null
	staller=
else
	skip "the stalled handshake: python3 is not installed"
fi

stop_box
start_box 0.0.0.0 "$tmp/log2"
check "restart: the certificate is reused" \
	"$([ -n "$port" ] && [ "$(fp_of_log "$tmp/log2")" = "$fp" ] &&
		grep -q "fingerprint $fp (from the state" "$tmp/log2"; echo $?)"
stop_box

start_box 127.0.0.1 "$tmp/log3"
check "a loopback box: plain HTTP, tls_fingerprint null, no certificate" \
	"$([ -n "$port" ] && curl -s --max-time 5 "http://127.0.0.1:$port/api/v1/status" | grep -q '"tls_fingerprint":null' &&
		[ ! -e "$tmp/state-127.0.0.1/tls_cert.pem" ]; echo $?)"
stop_box
summary
