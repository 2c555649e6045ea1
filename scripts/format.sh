#!/usr/bin/env bash
# Formatting: every tracked C file as the repo's .clang-format wants it
# (clang-format 14, Debian 12). Usage: scripts/format.sh [--check]
#   --check  change nothing; list the files that differ and exit 1
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null ||
    find src include tests bots sandbox bench -name '*.[ch]')
if [ "${1:-}" = --check ]; then
    bad=0
    for f in "${files[@]}"; do
        if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
            echo "format: $f differs (run scripts/format.sh)"
            bad=1
        fi
    done
    exit $bad
fi
clang-format -i "${files[@]}"
