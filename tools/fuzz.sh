#!/bin/bash
# tools/fuzz.sh SECONDS: builds every tests/fuzz/fuzz_*.c with clang -fsanitize=fuzzer,address,undefined
# together with the sources named on its "FUZZ_SOURCES:" line (and "FUZZ_LIBS:"), then runs each for
# SECONDS on its corpus (tests/fuzz/corpus/<name>/, read-only seeds; new inputs go to build/fuzz/).
# Exits non-zero when a target crashes; the crashing input is kept in build/fuzz/crashes/ and should
# become a regression input in tests/fuzz/regressions/<name>/ (replayed first, every run).
set -u
SECONDS_EACH=${1:-30}
cd "$(dirname "$0")/.."
OUT=build/fuzz
SYSROOT=${SYSROOT:-build/host/sysroot}
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT/crashes"
if ! command -v "$CC" >/dev/null; then
    echo "fuzz: $CC not found (apt-get install clang)" >&2
    exit 2
fi
fail=0
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    # read -a splits into words without globbing (a "*/" closing the comment stays a word, then dropped)
    read -ra sources <<<"$(sed -n 's/.*FUZZ_SOURCES: *//p' "$src" | head -1 | sed 's#\*/##')"
    read -ra libs <<<"$(sed -n 's/.*FUZZ_LIBS: *//p' "$src" | head -1 | sed 's#\*/##')"
    bin="$OUT/$name"
    echo "== $name: build"
    if ! $CC -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -Ifirmware -I. -I"$SYSROOT/include" -o "$bin" "$src" "${sources[@]}" -L"$SYSROOT/lib" "${libs[@]}" -lm; then
        echo "fuzz: $name does not build" >&2
        fail=1
        continue
    fi
    # Regression inputs (every crash ever found) must pass before fuzzing starts.
    if [ -d "tests/fuzz/regressions/$name" ] && [ -n "$(ls -A "tests/fuzz/regressions/$name")" ]; then
        if ! "$bin" tests/fuzz/regressions/"$name"/* >"$OUT/$name.regress.log" 2>&1; then
            echo "fuzz: $name fails a regression input (see $OUT/$name.regress.log)" >&2
            fail=1
            continue
        fi
    fi
    mkdir -p "$OUT/corpus-$name"
    seeds="tests/fuzz/corpus/$name"
    [ -d "$seeds" ] || seeds=""
    echo "== $name: ${SECONDS_EACH}s"
    if ! "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$OUT/crashes/$name-" "$OUT/corpus-$name" $seeds >"$OUT/$name.log" 2>&1; then
        echo "fuzz: $name CRASHED (see $OUT/$name.log; input in $OUT/crashes/)" >&2
        tail -30 "$OUT/$name.log" >&2
        fail=1
    else
        grep -E 'stat::number_of_executed_units|stat::new_units_added' "$OUT/$name.log" | tr '\n' ' '
        echo
    fi
done
exit $fail
