#!/bin/sh
# test_install.sh MESON BUILDDIR SRCDIR CC PREFIX LIBDIR INCLUDEDIR DATADIR UNITDIR
#                 SANITIZE
# `meson install` into a DESTDIR; every file meson means to install must be
# there (library, headers, dbot.pc, bots, the unit, the example config).
# Then build and run a tiny bot against the installed tree through
# dbot.pc, with its prefix rewritten to point into the DESTDIR.
set -eu
meson=$1 build=$2 src=$3 cc=$4 prefix=$5 libdir=$6 includedir=$7
datadir=$8 unitdir=$9 sanitize=${10:-none}
# A sanitized libdbot needs a sanitized program (the runtime comes first).
san=
[ "$sanitize" = none ] || san="-fsanitize=$sanitize"

case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir ;; esac

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
"$meson" install -C "$build" --no-rebuild --destdir "$dest" >"$dest.log" 2>&1 || {
    cat "$dest.log" >&2
    rm -f "$dest.log"
    exit 1
}
rm -f "$dest.log"

fail() {
    echo "install: $*" >&2
    exit 1
}

# Everything meson lists as installed is there.
"$meson" introspect --installed "$build" |
    python3 -c 'import json,sys
for dst in json.load(sys.stdin).values(): print(dst)' >"$dest/.list"
n=0
while IFS= read -r f; do
    [ -e "$dest$f" ] || fail "missing $f"
    n=$((n + 1))
done <"$dest/.list"
rm -f "$dest/.list"

# ... and that includes what issue 7 names.
[ -e "$dest$libdir/libdbot.so" ] || fail "no libdbot.so in $libdir"
[ -e "$dest$libdir/libdbot.a" ] || fail "no libdbot.a"
[ -e "$dest$includedir/dbot/dbot.h" ] || fail "no dbot/dbot.h"
[ -e "$dest$includedir/dbot/interaction.h" ] || fail "no dbot/interaction.h"
[ -e "$dest$libdir/pkgconfig/dbot.pc" ] || fail "no dbot.pc"
[ -e "$dest$unitdir/dbot@.service" ] || fail "no dbot@.service in $unitdir"
[ -e "$dest$datadir/dbot/config.example.json" ] || fail "no example config"
grep -q "^ExecStart=$prefix/" "$dest$unitdir/dbot@.service" ||
    fail "the installed unit does not point into $prefix"

# Internals stay internal: no dbot__ symbol is exported.
if nm -D --defined-only "$dest$libdir/libdbot.so" | grep -q ' dbot__'; then
    fail "libdbot.so exports dbot__ internals"
fi

# A bot built against the installed tree, through pkg-config.
pc=$dest/pc
mkdir -p "$pc"
sed -e "s|^prefix=.*|prefix=$dest$prefix|" \
    "$dest$libdir/pkgconfig/dbot.pc" >"$pc/dbot.pc"
export PKG_CONFIG_PATH="$pc"
pkg-config --exists dbot || fail "pkg-config cannot use dbot.pc"
cat >"$dest/tiny.c" <<'C'
#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <stdio.h>

static int
on_ping(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "pong");
}

int
main(void)
{
    dbot *bot;

    if (dbot_new_from_json(&bot, "{\"token\":\"abc.def.ghi\"}") < 0)
        return 1;
    if (dbot_on_command(bot, "ping", on_ping, NULL) < 0)
        return 2;
    dbot_free(bot);
    printf("tiny: %s\n", dbot_strerror(DBOT_ETIMEDOUT));
    return 0;
}
C
# shellcheck disable=SC2046
"$cc" -Wall -Werror $san -o "$dest/tiny" "$dest/tiny.c" \
    $(pkg-config --cflags dbot) $(pkg-config --libs dbot) ||
    fail "cannot build against the installed dbot.pc"
# It must have compiled against the installed headers, not the sources.
pkg-config --cflags dbot | grep -q -- "-I$dest" ||
    fail "cflags do not point into the DESTDIR"
out=$(LD_LIBRARY_PATH="$dest$libdir" "$dest/tiny") || fail "tiny bot failed"
[ "$out" = "tiny: timed out" ] || fail "tiny bot said: $out"
LD_LIBRARY_PATH="$dest$libdir" ldd "$dest/tiny" |
    grep -q "$dest$libdir/libdbot.so" ||
    fail "tiny did not load the installed libdbot"
echo "installed $n files; a bot builds and runs against them"
