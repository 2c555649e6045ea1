#!/usr/bin/env bash
# See a dbot bot answer a slash command, in one command:
#
#   bash scripts/run.sh [bot]        bot: ping (default), offload,
#                                    components, echo, fortune, toolkit,
#                                    moderator, endpoint (HTTP-only)
#
# Installs what is missing (scripts/deps.sh), builds into ./build, then:
#   - with a token configured (DISCORD_TOKEN set, or a config file with
#     "token"/"token_file": $DBOT_CONFIG, else ./config.json) it runs the bot
#     against the real Discord until Ctrl-C;
#   - without one it runs the bot in dbot-sandbox, a local Discord on
#     127.0.0.1, plays bots/scripts/<bot>.txt (for ping: /ping) and prints
#     the conversation. That run stops by itself; the exit status says
#     whether every interaction was answered.
# Idempotent and non-interactive: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

bot=${1:-ping}
# Every example bot (bots/<name>.c) with its sandbox script.
if [[ ! "$bot" =~ ^[a-z_]+$ ]] || [ ! -f "bots/$bot.c" ] ||
    [ ! -f "bots/scripts/$bot.txt" ]; then
    known=$(cd bots && for f in *.c; do
        [ -f "scripts/${f%.c}.txt" ] && printf '%s ' "${f%.c}"; done)
    echo "run.sh: unknown bot '$bot' (${known% })" >&2
    exit 2
fi

# Dependencies: deps.sh installs with apt-get, which needs root.
if [ "$(id -u)" = 0 ]; then
    bash scripts/deps.sh
elif ! bash scripts/deps.sh 2>/dev/null; then
    if command -v sudo >/dev/null; then
        sudo -n bash scripts/deps.sh || {
            echo "run.sh: missing packages; run: sudo bash scripts/deps.sh" >&2
            exit 1; }
    else
        echo "run.sh: missing packages; run as root: bash scripts/deps.sh" >&2
        exit 1
    fi
fi

if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null

config=${DBOT_CONFIG:-}
if [ -z "$config" ] && [ -f config.json ]; then
    config=config.json
fi
has_token=0
if [ -n "${DISCORD_TOKEN:-}" ]; then
    has_token=1
elif [ -n "$config" ] && [ -f "$config" ] &&
     python3 - "$config" <<'PY'
import json, sys
# A token or token_file that is set, not the null of config.example.json.
try:
    c = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(0)  # let the bot say what is wrong with the file
sys.exit(0 if isinstance(c, dict) and (c.get("token") or c.get("token_file"))
         else 1)
PY
then
    has_token=1
fi

if [ "$has_token" = 1 ]; then
    echo "run.sh: token found; running dbot-$bot against Discord (Ctrl-C stops)"
    exec ./build/bots/dbot-"$bot" ${config:+"$config"}
fi

echo "run.sh: no token configured; running dbot-$bot in the local sandbox"
args=(--bot ./build/bots/dbot-"$bot" --script bots/scripts/"$bot".txt)
if [ "$bot" = echo ]; then
    # Reading message text needs the MESSAGE_CONTENT intent.
    args+=(--config bots/config/message_content.json)
fi
if [ "$bot" = endpoint ]; then
    # HTTP-only: the sandbox POSTs signed interactions to it.
    args+=(--http)
fi
exec ./build/sandbox/dbot-sandbox "${args[@]}"
