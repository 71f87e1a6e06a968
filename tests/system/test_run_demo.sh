#!/usr/bin/env bash
# `make run` as a newcomer meets it: tools/run-demo.sh on a terminal (script(1) gives it a pty), then every
# command it prints is run as printed: the dashboard, status, metrics and OpenAPI URLs, the journal queries, the
# API disarm with the token file, the simulated kill switch and LEDs. The demo must trade (an order in the
# journal), show its status line in place, stop cleanly on Ctrl-C (a ^C typed into the pty) and resume
# where it stopped. Only the port differs (EB_DEMO_PORT), and the build directory is a fresh one whose
# bin/ points at this build's binaries, so the demo makes its bars, key and model from nothing.
# Not run: "a new model" (its M.signed is a placeholder) and "re-arm" (prose; test_daemon_killswitch
# covers the long press).
set -u
cd "$(dirname "$0")/../.."
build=${EB_BUILD:-build/host}
passed=0 failed=0 skipped=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; }
for t in script curl sqlite3; do
	if ! command -v $t >/dev/null; then
		echo "SKIP test_run_demo: $t is not installed" >&2
		skipped=1
		finish
		exit
	fi
done

tmp=$(mktemp -d)
cleanup() {
	exec 3>&- 2>/dev/null
	pkill -KILL -f "edgeboxd --config $tmp/" 2>/dev/null
	[ -n "${spid:-}" ] && kill -KILL "$spid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/b/bin"
for b in edgebox edgeboxd; do ln -s "$PWD/$build/bin/$b" "$tmp/b/bin/$b"; done
run=$tmp/b/run
port=$((20000 + RANDOM % 20000))
while curl -s --max-time 1 "http://127.0.0.1:$port/" >/dev/null 2>&1; do port=$((port + 1)); done

# start_demo: tools/run-demo.sh in script(1), its keyboard a FIFO held open on fd 3; output in $tmp/out.N
start_demo() {
	rm -f "$tmp/kbd"
	mkfifo "$tmp/kbd"
	EB_DEMO_PORT=$port script -qfec "tools/run-demo.sh $tmp/b" "$tmp/out.$1" <"$tmp/kbd" >/dev/null 2>&1 &
	spid=$!
	exec 3>"$tmp/kbd"
}
# plain FILE: the output without the terminal's carriage returns and escapes
plain() { tr '\r' '\n' <"$1" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }
# wait_for SECONDS COMMAND...: 0 once the command succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.5; done
	return 1
}
# any answer (a latched kill switch makes /health say 503)
healthy() { [ "$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$port/health")" != 000 ]; }
# printed LABEL: the command after "  LABEL:" in the first run's output, less a trailing "(...)" remark
printed() { plain "$tmp/out.1" | sed -n "s/^  $1: *//p" | head -n 1 | sed 's/   *(.*)$//'; }
status() { curl -s --max-time 2 "http://127.0.0.1:$port/api/v1/status"; }
field() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | tr -d '"'; }

# 1. The first run: bars, key and model made, then the daemon answers (training takes ~20 s, more under load).
start_demo 1
check "first run: the daemon answers /health" "$(wait_for 240 healthy; echo $?)"
out=$(plain "$tmp/out.1")
for step in "generating 60,000 synthetic" "making a development signing key" "training the demo model" \
	"starting edgeboxd"; do
	check "first run says: $step" "$(grep -q "$step" <<<"$out"; echo $?)"
done

# 2. Every printed command, as printed.
cmd=$(printed dashboard)
check "dashboard: $cmd serves the dashboard page" "$(curl -s "$cmd" | grep -q '<title>edgebox</title>'; echo $?)"
cmd=$(printed "status (JSON)")
st=$(bash -c "$cmd")
check "status: \`$cmd\` gives the status JSON, armed" "$(grep -q '"armed":true' <<<"$st"; echo $?)"
cmd=$(printed metrics)
m=$(bash -c "$cmd")
check "metrics: \`$cmd\` serves edgebox_ metrics" "$(grep -q '^edgebox_' <<<"$m"; echo $?)"
if command -v promtool >/dev/null; then
	check "metrics: promtool check metrics reports nothing" "$(p=$(promtool check metrics <<<"$m" 2>&1) && [ -z "$p" ]; echo $?)"
fi
cmd=$(printed "the API described")
check "openapi: \`$cmd\` gives OpenAPI 3.1" "$(bash -c "$cmd" | grep -q '"openapi":"3.1'; echo $?)"

# 3. The demo trades: an order is journalled within the first minutes (entries come from bar ~800 on).
orders() { [ "$(sqlite3 "$run/state/journal.db" 'select count(*) from orders' 2>/dev/null)" -gt 0 ] 2>/dev/null; }
check "the demo trades: an order in the journal within 4 minutes" "$(wait_for 240 orders; echo $?)"
# The journal's printed queries, once it holds trades and equity rows.
for n in 1 2; do
	cmd=$(plain "$tmp/out.1" | grep -E "^  (journal \(SQLite\): +| +)sqlite3 " | sed -n "${n}p" | sed 's/^.*\(sqlite3 \)/\1/')
	res=$(bash -c "$cmd" 2>&1)
	check "journal: \`$cmd\` reads the running journal" "$([ $? = 0 ] && [ -n "$res" ] && ! grep -q locked <<<"$res"; echo $?)"
done
check "the status line shows bars, equity, position and arming" \
	"$(plain "$tmp/out.1" | grep -qE '^  bars [0-9]+  equity [0-9]+\.[0-9]{2}  position [0-9.e+-]+  armed  kill switch '; echo $?)"

# 4. Disarm by the API with the token file, then the kill switch and the alarm LED.
cmd=$(printed "disarm by API")
check "disarm by API: \`$cmd\` is accepted" "$(bash -c "$cmd" | grep -qv '"error"'; echo $?)"
check "disarm by API: the status says disarmed" "$(wait_for 3 bash -c "curl -s http://127.0.0.1:$port/api/v1/status | grep -q '\"armed\":false'"; echo $?)"
check "disarm by API without the token: refused" \
	"$(code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/disarm"); [ "$code" = 401 ]; echo $?)"
cmd=$(printed "kill switch")
check "kill switch: \`$cmd\` works" "$(bash -c "$cmd" >/dev/null 2>&1; echo $?)"
ks() { [ "$(field "$(status)" kill_switch)" != armed ] && status | grep -q kill_switch; }
check "kill switch: the status shows it within 2 s" "$(wait_for 2 ks; echo $?)"
cmd=$(printed LEDs)
leds=$(for _ in 1 2 3 4 5 6 7 8 9 10; do bash -c "$cmd" 2>&1; sleep 0.1; done)
check "LEDs: \`$cmd\` shows the alarm LED blinking (latched kill switch: 5 Hz)" \
	"$(grep -q 'led_alarm 1' <<<"$leds" && grep -q 'led_alarm 0' <<<"$leds"; echo $?)"
check "kill switch: the release works" "$(bash -c "$(printed "kill switch" | sed 's/ press / release /')" >/dev/null 2>&1; echo $?)"
bars_before=$(field "$(status)" bars)

# 5. Ctrl-C typed on the terminal stops it with status 0 and leaves no daemon. (script(1) does not log
# what the pty says after the ^C, so the goodbye line is checked on the second run, below.)
printf '\003' >&3
check "Ctrl-C: the demo ends" "$(wait_for 15 bash -c "! kill -0 $spid 2>/dev/null"; echo $?)"
check "Ctrl-C: exit status 0" "$(grep -q 'COMMAND_EXIT_CODE="0"' "$tmp/out.1"; echo $?)"
check "Ctrl-C: no daemon is left" "$(! pgrep -f "edgeboxd --config $tmp/" >/dev/null; echo $?)"
exec 3>&-

# 6. A second run resumes where the first stopped; this time in a session of its own with its output in
# a file, and stopped the way a terminal's Ctrl-C does it: SIGINT to its whole process group.
EB_DEMO_PORT=$port setsid tools/run-demo.sh "$tmp/b" >"$tmp/out.2" 2>&1 &
spid=$!
check "second run: the daemon answers /health" "$(wait_for 60 healthy; echo $?)"
check "second run: no new bars, key or model" "$(! grep -qE 'generating|making a development|training' "$tmp/out.2"; echo $?)"
b2=$(field "$(status)" bars)
check "second run: resumes at bar ${bars_before:-?} or later (at $b2)" "$([ "${b2:-0}" -ge "${bars_before:-1}" ] 2>/dev/null; echo $?)"
check "second run: the kill switch's latch survived" "$(status | grep -q '"armed":false'; echo $?)"
kill -INT -- -"$spid"
check "second run: SIGINT to its group ends it" "$(wait_for 15 bash -c "! kill -0 $spid 2>/dev/null"; echo $?)"
check "second run: it says it stopped cleanly" "$(grep -q '^edgebox demo: stopped cleanly' "$tmp/out.2"; echo $?)"
check "second run: no daemon is left" "$(! pgrep -f "edgeboxd --config $tmp/" >/dev/null; echo $?)"
finish
