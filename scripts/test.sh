#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds with -Werror, runs
# every test. Usage: scripts/test.sh [builddir]   (default: build)
# TEST_BUILD_ONLY=1 stops after the build (CI builds first, then runs the
# suite beside other stages).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
dir=${1:-build}
if [ ! -d "$dir" ]; then
    meson setup "$dir" -Dwerror=true
fi
ninja -C "$dir"
[ "${TEST_BUILD_ONLY:-0}" = 1 ] && exit 0
meson test -C "$dir" --print-errorlogs --num-processes 2
