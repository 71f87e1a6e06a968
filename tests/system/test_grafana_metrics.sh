#!/usr/bin/env bash
# The Grafana dashboard and the Prometheus scrape example (issue 15 item 7): the dashboard is an
# importable Grafana export (schemaVersion >= 39, the DS_PROMETHEUS input, every panel and query on it),
# and every metric its PromQL names is served by a real edgeboxd's /metrics once bars flow. promtool
# checks the scrape example and the scraped text. Without jq and python3, or promtool, those checks skip.
#   EB_DASHBOARD=FILE checks another dashboard file (e.g. a copy with a made-up metric, which must fail).
set -u
cd "$(dirname "$0")/../.." || exit
build=${EB_BUILD:-build/host}
dash=${EB_DASHBOARD:-docs/grafana/edgebox-dashboard.json}
scrape=docs/grafana/prometheus.yml
passed=0 failed=0 skipped=0
check() { # check NAME COND_EXIT_STATUS
	if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi
}
skip() { echo "SKIP $*" >&2; skipped=$((skipped + 1)); }
summary() { echo "$passed passed, $failed failed, $skipped skipped"; [ $failed = 0 ]; }
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"; rm -rf "$tmp"' EXIT

if command -v promtool >/dev/null; then
	promtool check config "$scrape" >"$tmp/promtool-config" 2>&1
	rc=$?
	check "promtool check config $scrape: $(tail -n 2 "$tmp/promtool-config" | tr '\n' ' ')" $rc
	check "the scrape example has the edgebox job" "$(grep -qE '^ *- job_name: edgebox$' "$scrape"; echo $?)"
else
	skip "promtool missing (Debian package prometheus): the scrape example and /metrics are not linted"
fi

# The dashboard as lines "kind<TAB>panel title<TAB>value": the schema version, the DS_PROMETHEUS input,
# each panel's and each query's datasource uid, each PromQL expression (panels inside collapsed rows and
# query variables included). Row panels carry no query.
flatten_jq() {
	jq -r '
		def row(k; t; v): "\(k)\t\(t)\t\(v | tostring | gsub("[\t\n]"; " "))";
		row("schema"; "-"; .schemaVersion // 0),
		(.__inputs[]? | select(.name == "DS_PROMETHEUS" and .type == "datasource" and .pluginId == "prometheus")
			| row("input"; "-"; .name)),
		(.panels[]? | ., .panels[]? | select(.type != "row") | . as $p
			| row("panel_ds"; $p.title; $p.datasource.uid // ""),
			  row("queries"; $p.title; [$p.targets[]?] | length),
			  ($p.targets[]? | row("query_ds"; $p.title; .datasource.uid // ""), row("expr"; $p.title; .expr // ""))),
		(.templating.list[]? | select(.type == "query") | . as $v
			| row("panel_ds"; "variable \($v.name)"; $v.datasource.uid // ""),
			  row("expr"; "variable \($v.name)"; $v.query.query? // $v.query))' "$1"
}
flatten_py() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def row(k, t, v): print("%s\t%s\t%s" % (k, t, str(v).replace("\t", " ").replace("\n", " ")))
row("schema", "-", d.get("schemaVersion", 0))
for i in d.get("__inputs", []):
    if i.get("name") == "DS_PROMETHEUS" and i.get("type") == "datasource" and i.get("pluginId") == "prometheus":
        row("input", "-", i["name"])
for top in d.get("panels", []):
    for p in [top] + top.get("panels", []):
        if p.get("type") == "row":
            continue
        row("panel_ds", p.get("title"), (p.get("datasource") or {}).get("uid", ""))
        row("queries", p.get("title"), len(p.get("targets", [])))
        for t in p.get("targets", []):
            row("query_ds", p.get("title"), (t.get("datasource") or {}).get("uid", ""))
            row("expr", p.get("title"), t.get("expr", ""))
for v in d.get("templating", {}).get("list", []):
    if v.get("type") == "query":
        row("panel_ds", "variable " + v["name"], (v.get("datasource") or {}).get("uid", ""))
        q = v.get("query")
        row("expr", "variable " + v["name"], q.get("query", "") if isinstance(q, dict) else q)
PY
}
if command -v jq >/dev/null; then
	flatten=flatten_jq
elif command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null; then
	flatten=flatten_py
else
	skip "neither jq nor python3: the dashboard is not checked"
	summary
	exit
fi
$flatten "$dash" >"$tmp/dash.tsv" 2>"$tmp/dash.err"
rc=$?
check "$dash is valid JSON ($flatten: $(tail -n 1 "$tmp/dash.err" | cut -c 1-200))" $rc
field() { awk -F'\t' -v k="$1" '$1 == k' "$tmp/dash.tsv"; }
schema=$(field schema | cut -f3)
check "schemaVersion $schema >= 39" "$([ "${schema:-0}" -ge 39 ] 2>/dev/null; echo $?)"
check "__inputs has DS_PROMETHEUS (type datasource, pluginId prometheus)" "$([ -n "$(field input)" ]; echo $?)"
# shellcheck disable=SC2016 # the literal ${DS_PROMETHEUS}, which Grafana replaces at import
ds='${DS_PROMETHEUS}'
bad=$(field panel_ds | awk -F'\t' -v ds="$ds" '$3 != ds { print $2 }' | sort -u | paste -sd, -)
check "every panel's datasource is $ds (not: ${bad:-none})" "$([ -z "$bad" ]; echo $?)"
bad=$(field query_ds | awk -F'\t' -v ds="$ds" '$3 != ds { print $2 }' | sort -u | paste -sd, -)
check "every query's datasource is $ds (not: ${bad:-none})" "$([ -z "$bad" ]; echo $?)"
bad=$(field queries | awk -F'\t' '$3 == 0 { print $2 }' | paste -sd, -)
check "every panel has a query (not: ${bad:-none})" "$([ -z "$bad" ]; echo $?)"
bad=$(field expr | awk -F'\t' '$3 == "" { print $2 }' | paste -sd, -)
check "every query has an expression (not: ${bad:-none})" "$([ -z "$bad" ]; echo $?)"

# Every metric name in the PromQL, as "name<TAB>panel title", and its family (a histogram's _bucket,
# _sum and _count belong to the histogram).
field expr | while IFS=$'\t' read -r _ title expr; do
	grep -oE '\b(edgebox|process)_[A-Za-z0-9_:]+' <<<"$expr" | awk -v t="$title" '{ print $0 "\t" t }'
done | sort -u >"$tmp/names.tsv"
n=$(cut -f1 "$tmp/names.tsv" | sort -u | wc -l)
check "the dashboard names metrics ($n)" "$([ "$n" -ge 10 ]; echo $?)"
family() { case $1 in *_bucket) echo "${1%_bucket}" ;; *_sum) echo "${1%_sum}" ;; *_count) echo "${1%_count}" ;; *) echo "$1" ;; esac; }

# A real edgeboxd on a free loopback port, replaying synthetic bars at 30,000x (a bar every 10 ms).
if [ ! -x "$build/bin/edgeboxd" ] || [ ! -x "$build/bin/edgebox" ] || ! command -v curl >/dev/null; then
	check "edgeboxd, edgebox (make) and curl are there" 1
	summary
	exit
fi
"$build/bin/edgebox" data synth --bars 4000 --seed 15 --out "$tmp/bars.csv" >/dev/null
check "synthetic bars" $?
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_daemon() { # start_daemon PORT: 0 once it serves there
	cat >"$tmp/cfg.json" <<-CFG || return 1
		{ "appliance": { "board": "sim", "board_dir": "$PWD/board", "state_dir": "$tmp/state$1",
		                 "replay_file": "$tmp/bars.csv", "replay_speed": 30000,
		                 "http": { "port": $1, "bind": "127.0.0.1" } } }
	CFG
	EDGEBOX_SIM_DIR=$tmp/sim$1 "$build/bin/edgeboxd" --config "$tmp/cfg.json" 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 100); do
		grep -q "operator surface on http://127.0.0.1:$1 " "$tmp/log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	return 1
}
port=
for _ in 1 2 3 4 5; do # another process may take the port between the probe and the bind
	p=$((20000 + RANDOM % 40000))
	port_free $p && start_daemon $p && { port=$p; break; }
done
check "edgeboxd serves on a free port ($(grep -v '^<[67]>' "$tmp/log" | tail -n 3 | tr '\n' ' '))" \
	"$([ -n "$port" ]; echo $?)"
if [ -z "$port" ]; then summary; exit; fi
scrape_bars() {
	curl -sf --max-time 2 "http://127.0.0.1:$port/metrics" >"$tmp/metrics" || return 1
	awk '$1 == "edgebox_bars_total" { print $2 }' "$tmp/metrics"
}
# Bars have flowed: the counter has moved between two scrapes (so the histogram has observations too).
first=$(scrape_bars) now=$first
for _ in $(seq 100); do
	sleep 0.1
	now=$(scrape_bars) || break
	[ -n "$first" ] && [ -n "$now" ] && [ "$now" -gt "$first" ] && break
done
check "bars flow (edgebox_bars_total ${first:-none} then ${now:-none})" \
	"$([ -n "$first" ] && [ -n "$now" ] && [ "$now" -gt "$first" ]; echo $?)"

while IFS=$'\t' read -r name title; do
	fam=$(family "$name")
	type=$(awk -v f="$fam" '$1 == "#" && $2 == "TYPE" && $3 == f { print $4 }' "$tmp/metrics")
	served=$([ -n "$type" ]; echo $?)
	# a _bucket/_sum/_count name is served only as part of a histogram
	[ "$fam" != "$name" ] && [ "$type" != histogram ] && served=1
	check "$name (panel '$title') is served by /metrics" "$served"
done <"$tmp/names.tsv"

if command -v promtool >/dev/null; then
	# Each panel's PromQL parses: Grafana's variables replaced by values, each expression a recording rule
	# (the variable's label_values() is Grafana's, not PromQL).
	# shellcheck disable=SC2016 # Grafana's variables, literally
	grafana_vars='s/\$__rate_interval/1m/g; s/\$__range/1h/g; s/\$instance/.*/g'
	{
		echo "groups:"
		echo "  - name: dashboard"
		echo "    rules:"
		field expr | awk -F'\t' '$2 !~ /^variable / { print $3 }' |
			sed -e "$grafana_vars" -e "s/'/''/g" |
			awk '{ printf "      - record: dashboard:expr%d\n        expr: '\''%s'\''\n", NR, $0 }'
	} >"$tmp/rules.yml"
	parse=$(promtool check rules "$tmp/rules.yml" 2>&1)
	rc=$?
	check "promtool parses every panel's PromQL: $(grep -o 'could not parse.*' <<<"$parse" | head -n 3)" $rc
	lint=$(promtool check metrics <"$tmp/metrics" 2>&1)
	check "promtool check metrics on the scraped /metrics: ${lint:-nothing reported}" "$([ -z "$lint" ]; echo $?)"
fi
summary
