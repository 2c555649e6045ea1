#!/usr/bin/env bash
# Install what dbot needs on Debian 12, as root. Idempotent and
# non-interactive: does nothing when everything is already there.
# Usage: scripts/deps.sh [fuzz]   (fuzz: clang and libFuzzer as well)
set -euo pipefail
pkgs=(build-essential meson ninja-build pkg-config libwebsockets-dev
      libcurl4-openssl-dev libcjson-dev libssl-dev zlib1g-dev libzstd-dev valgrind
      systemd python3 openssl clang-format redis-server libhiredis-dev)
for group in "$@"; do
    case $group in
    fuzz) pkgs+=(clang libclang-rt-14-dev) ;;
    *) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
