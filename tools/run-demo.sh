#!/usr/bin/env bash
# make run: the appliance on the simulated board, in paper mode, until Ctrl-C.
#   tools/run-demo.sh BUILD_DIR
# Everything it makes lives under BUILD_DIR/run (state, journal, simulated GPIO).
set -euo pipefail
build=${1:-build/host}
run=$build/run
mkdir -p "$run"
daemon=$build/bin/edgeboxd
[ -x "$daemon" ] || { echo "run-demo: $daemon is missing; run make first" >&2; exit 1; }

echo "edgebox demo: starting edgeboxd on the simulated board (state in $run). Ctrl-C stops it."
"$daemon" --version
trap 'kill -INT "$pid" 2>/dev/null; wait "$pid"; echo "edgebox demo: stopped cleanly"; exit 0' INT TERM
"$daemon" --board sim &
pid=$!
wait "$pid"
