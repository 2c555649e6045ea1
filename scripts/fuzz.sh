#!/usr/bin/env bash
# Run the libFuzzer drivers. Usage: scripts/fuzz.sh [seconds] [name...]
# (default 60 s each; default names: config zstream gateway_codec; also
# options ratelimit emoji interaction). Needs clang.
# New inputs go to build-fuzz/corpus-<name>; crashes to build-fuzz/crash-*.
# Copy a fixed crasher into tests/fuzz/corpus/<name>/ so the replay test
# keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
names=${*:-config zstream gateway_codec}
dir=build-fuzz
if [ ! -d "$dir" ]; then
    CC=clang meson setup "$dir" --buildtype=debugoptimized >/dev/null
fi
for n in $names; do
    ninja -C "$dir" "tests/fuzz/libfuzzer_$n" >/dev/null
    mkdir -p "$dir/corpus-$n"
    dict=()
    [ "$n" != zstream ] && dict=(-dict=tests/fuzz/json.dict)
    (cd "$dir" && "./tests/fuzz/libfuzzer_$n" -max_total_time="$secs" \
        -rss_limit_mb=2048 -timeout=10 "${dict[@]/#-dict=/-dict=../}" \
        "corpus-$n" "../tests/fuzz/corpus/$n")
done
