#!/usr/bin/env bash
# Scale-out of the walk-forward (issue 16 item 6, docs/validation.md "Sharding"): the shards run through
# GNU parallel, once as local jobs and once through parallel's --sshlogin path (":" is this machine, so no
# SSH is needed to exercise it), are merged, and give results byte-identical to a single run. Skips without
# GNU parallel (Debian's `parallel` package).
set -u
cd "$(dirname "$0")/../.."
build=${EB_BUILD:-build/host}
tool=$PWD/$build/bin/edgebox
passed=0 failed=0
check() { if [ "$2" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1" >&2; fi; }
if ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
	echo "SKIP test_wf_parallel: GNU parallel is not installed (apt-get install parallel)" >&2
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$tool" ]; then
	echo "SKIP test_wf_parallel: $tool is not built" >&2
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
dir=$(mktemp -d /tmp/edgebox-wf-parallel-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$tool" data synth --bars 5832 --interval 1h --seed 11 --vol 0.008 --out bars.csv
check "synthetic bars" $?
# four parameter sets (rsi 7/14 x atr 14/21), three months of training, one of validation
cat > cfg.json <<'JSON'
{"walkforward": {"train_months": 3, "valid_months": 1, "step_months": 1,
 "grid": {"tenkan": {"start": 9, "end": 9, "step": 1}, "kijun": {"start": 26, "end": 26, "step": 2},
  "senkou_b": {"start": 52, "end": 52, "step": 4}, "rsi": {"start": 7, "end": 14, "step": 7},
  "atr": {"start": 14, "end": 21, "step": 7}},
 "search": {"seed": 5, "rounds": {"min": 10, "max": 20}, "max_leaves": {"min": 8, "max": 16}},
 "labels": {"horizon": 24}, "selection": {"min_trades": 1}}}
JSON
wf() { "$tool" walkforward --config cfg.json --in bars.csv --quiet "$@"; }
wf --out single
check "a single run" $?

same_as_single() { # $1: the merged directory
	for f in results.json model.ebm report.html model.summary.json; do
		cmp -s "single/$f" "$1/$f"
		check "$1/$f is byte-identical to the single run's" $?
	done
}

parallel --will-cite -j 2 "$tool" walkforward --config cfg.json --in bars.csv --quiet --out wf-{} --shard {}/2 ::: 1 2
check "two shards as local parallel jobs" $?
wf --merge --out merged-local wf-1 wf-2
check "merge of the two shards" $?
same_as_single merged-local

parallel --will-cite -S 2/: --workdir . "$tool" walkforward --config cfg.json --in bars.csv --quiet \
	--out ssh-{} --shard {}/3 ::: 1 2 3
check "three shards through parallel's --sshlogin path" $?
wf --merge --out merged-ssh ssh-1 ssh-2 ssh-3
check "merge of the three shards" $?
same_as_single merged-ssh

# a shard missing: the merge refuses and says which set is unfinished
out=$(wf --merge --out merged-partial ssh-1 ssh-2 2>&1)
rc=$?
check "a merge with a shard missing fails" $([ $rc != 0 ]; echo $?)
check "and names the unfinished sets ($out)" $(printf '%s' "$out" | grep -q "unfinished"; echo $?)
check "and writes no results" $([ ! -e merged-partial/results.json ]; echo $?)
echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
