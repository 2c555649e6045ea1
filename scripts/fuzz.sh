#!/usr/bin/env bash
# Run the libFuzzer drivers (tests/fuzz/fuzz_<name>.c), each for a fixed
# time. Usage: scripts/fuzz.sh [seconds] [name...]   (default: 60 s each,
# every driver). Installs clang and libFuzzer when missing.
#
# Inputs that reach new coverage go to build-fuzz/corpus-<name>; with
# FUZZ_MERGE=1 they are minimized into tests/fuzz/corpus/<name>/ so the
# committed corpus grows (commit it). A crash stops the run with its input
# in build-fuzz/crash-*: fix it, then copy the input into
# tests/fuzz/corpus/<name>/ so the replay test (suite 'fuzz') keeps it
# fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh fuzz
secs=${1:-60}
shift || true
if (($#)); then
    names=("$@")
else
    names=()
    for f in tests/fuzz/fuzz_*.c; do
        n=${f#tests/fuzz/fuzz_}
        names+=("${n%.c}")
    done
fi
dir=build-fuzz
if [ ! -d "$dir" ]; then
    CC=clang meson setup "$dir" --buildtype=debugoptimized >/dev/null
fi
for n in "${names[@]}"; do
    if ! out=$(ninja -C "$dir" "tests/fuzz/libfuzzer_$n" 2>&1); then
        printf '%s\n' "$out" | tail -20 >&2
        echo "fuzz: the $n driver does not build" >&2
        exit 1
    fi
    mkdir -p "$dir/corpus-$n" "tests/fuzz/corpus/$n"
    dict=()
    [ -f "tests/fuzz/$n.dict" ] && dict=("-dict=../tests/fuzz/$n.dict")
    [ ${#dict[@]} -eq 0 ] && [ "$n" != zstream ] &&
        dict=(-dict=../tests/fuzz/json.dict)
    echo "== fuzz $n for $secs s"
    rc=0
    (cd "$dir" && "./tests/fuzz/libfuzzer_$n" -max_total_time="$secs" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "${dict[@]}" \
        "corpus-$n" "../tests/fuzz/corpus/$n") >"$dir/fuzz-$n.log" 2>&1 || rc=$?
    grep -E "^(stat::number_of_executed_units|stat::new_units_added)" \
        "$dir/fuzz-$n.log" || true
    if [ "$rc" -ne 0 ]; then
        tail -60 "$dir/fuzz-$n.log"
        echo "fuzz: $n failed (exit $rc); the input is in $dir/crash-*" >&2
        exit 1
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        (cd "$dir" && "./tests/fuzz/libfuzzer_$n" -merge=1 \
            "../tests/fuzz/corpus/$n" "corpus-$n" >/dev/null 2>&1)
    fi
done
echo "fuzz: ${#names[@]} drivers, $secs s each, no crash"
