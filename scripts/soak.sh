#!/usr/bin/env bash
# The soak: a bot on 16 shards (SOAK_SHARDS) under 1,000 events/s and 20
# interactions/s through the fake Discord on 127.0.0.1, with reconnects,
# drops, a zombie, op 9, REST 429s and 5xx, and monitoring clients on the HTTP listener. Prints
# resident memory over time and one JSON line of counts; exits non-zero if
# anything was lost. Usage: scripts/soak.sh [seconds]   (default 600)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
dir=${SOAK_BUILD:-build}
if [ ! -d "$dir" ]; then
    meson setup "$dir" -Dwerror=true
fi
ninja -C "$dir" tests/soak/soak >/dev/null
secs=${1:-600}
# The run stops by itself; the timeout only guards against a hang.
timeout --kill-after=30 $((secs + 120)) "$dir/tests/soak/soak" "$secs"
