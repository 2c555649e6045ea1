#!/bin/sh
# verify_unit.sh TEMPLATE SYSTEMD_ANALYZE
# Fill the unit template's paths with a temporary prefix that holds a real
# program, then `systemd-analyze verify` an instance of it. verify exits 0
# even for unknown keys and bad values (it only warns), so any output at
# all fails the test. A deliberately broken copy must produce output, so
# this test can fail.
set -eu
template=$1
analyze=$2
if [ -z "$analyze" ] || [ ! -x "$analyze" ]; then
    echo "systemd-analyze not installed: skipping the unit check" >&2
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/etc/dbot"
cp /bin/true "$tmp/bin/dbot-testbot"
sed -e "s|@BINDIR@|$tmp/bin|g" -e "s|@SYSCONFDIR@|$tmp/etc|g" \
    "$template" > "$tmp/dbot@testbot.service"
if grep -n '@[A-Z]*@' "$tmp/dbot@testbot.service"; then
    echo "unfilled placeholder in the unit" >&2
    exit 1
fi

out=$("$analyze" verify --man=no "$tmp/dbot@testbot.service" 2>&1) || {
    echo "$out" >&2
    exit 1
}
if [ -n "$out" ]; then
    echo "systemd-analyze verify complained:" >&2
    echo "$out" >&2
    exit 1
fi

# The settings issue 7 asks for are all there.
for key in 'Type=notify' 'WatchdogSec=' 'Restart=on-failure' \
           'LoadCredential=discord-token:' 'DynamicUser=yes' \
           'ProtectSystem=strict' 'NoNewPrivileges=yes' 'StateDirectory=' \
           'PrivateTmp=yes' 'ProtectHome=yes' 'RestrictAddressFamilies=' \
           'SystemCallFilter=@system-service' 'ExecReload='; do
    grep -q "^$key" "$tmp/dbot@testbot.service" || {
        echo "missing $key" >&2
        exit 1
    }
done

# The sandbox stays tight: systemd's own exposure score at most 2.0 of 10
# (it is 1.4 today; a dropped Protect*= setting shows here).
if ! "$analyze" security --offline=yes --threshold=20 \
        "$tmp/dbot@testbot.service" >"$tmp/security.txt" 2>&1; then
    tail -n 40 "$tmp/security.txt" >&2
    echo "sandbox exposure above 2.0" >&2
    exit 1
fi

# Negative control: a typo must be caught by the checks above.
sed -e 's/^Restart=on-failure/Restartt=on-failure/' \
    "$tmp/dbot@testbot.service" > "$tmp/dbot@broken.service"
cp /bin/true "$tmp/bin/dbot-broken"
out=$("$analyze" verify --man=no "$tmp/dbot@broken.service" 2>&1 || true)
if [ -z "$out" ]; then
    echo "systemd-analyze did not notice a broken unit" >&2
    exit 1
fi
echo "unit verifies"
