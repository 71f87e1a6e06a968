#!/usr/bin/env bash
# make demo-train: the workstation chain of SPEC section 10 end to end --
#   data -> walk-forward (configs/walkforward-small.json) -> Monte Carlo -> signed blob (verified).
# Uses ../shared/data when present, else generates 8 months of 5-minute bars (seeded, offline).
# The walk-forward sees the bars before $holdout only; the Monte Carlo gate runs on the bars from there
# on, which the final model (trained on the walk-forward's newest months) never saw.
# usage: tools/demo-train.sh [BUILD_DIR]   (default build/host; output in $EB_DEMO_OUT or BUILD_DIR/demo-train)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/host}
tool=$build/bin/edgebox
out=${EB_DEMO_OUT:-$build/demo-train}
config=configs/walkforward-small.json
data=../shared/data/BTCUSDT-5m-2020-12_2021-07.csv
holdout=2021-06-01
[ -x "$tool" ] || { echo "demo-train: $tool not built (run make first)" >&2; exit 1; }
mkdir -p "$out"

if [ -f "$data" ]; then
	echo "== data: $data"
else
	data=$out/bars.csv
	echo "== data: ../shared/data absent; generating $data"
	"$tool" data synth --bars 69120 --interval 5m --start 1606780800000 --seed 7 --out "$data"
fi

[ -f "$out/keys/model.key" ] || "$tool" keygen --out "$out/keys"

echo "== walk-forward ($config, bars before $holdout) -> $out/wf"
"$tool" walkforward --config "$config" --in "$data" --to "$holdout" --out "$out/wf" --jobs 2 \
	--key "$out/keys/model.key" --release 1

echo "== Monte Carlo (1000 runs, seed 42, the held-out bars from $holdout) -> $out/mc"
"$tool" montecarlo --config "$config" --in "$data" --model "$out/wf/model.ebm" --runs 1000 --seed 42 --out "$out/mc"

echo "== signed blob"
"$tool" model verify --pub "$out/keys/model.pub" --in "$out/wf/model.signed"
echo "demo-train: results $out/wf/results.json, report $out/wf/report.html, Monte Carlo $out/mc/montecarlo.html,"
echo "            signed model $out/wf/model.signed"
