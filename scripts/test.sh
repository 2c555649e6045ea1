#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with -Werror, runs
# every test. Usage: scripts/test.sh [builddir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
dir=${1:-build}
if [ ! -d "$dir" ]; then
    meson setup "$dir" -Dwerror=true
fi
ninja -C "$dir"
meson test -C "$dir" --print-errorlogs --num-processes 2
