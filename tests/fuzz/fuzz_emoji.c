/*
 * fuzz_emoji.c: the emoji parser on arbitrary bytes. Whatever it accepts
 * must render to a route segment that fits its buffer, holds only
 * unreserved characters, '%' escapes and (custom emoji) one ':', and
 * decodes back to exactly the emoji: encoded once, never twice. Built for
 * libFuzzer, or with replay_main.c for tests.
 */
#include "emoji.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
    if (!ok)
        abort();
}

static int
hexv(char c)
{
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - '0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256], seg[DBOT__EMOJI_SEG_MAX], dec[DBOT__EMOJI_SEG_MAX];
    struct dbot__emoji e;
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1, k = 0;

    memcpy(s, data, n);
    s[n] = '\0';
    if (dbot__emoji_parse(s, &e) != DBOT__EMOJI_OK)
        return 0;
    memset(seg, 0x55, sizeof seg);
    dbot__emoji_segment(&e, seg);
    check(memchr(seg, '\0', sizeof seg) != NULL);
    for (const char *p = seg; *p; p++) {
        if (*p == '%') {
            check(p[1] && p[2]);
            dec[k++] = (char)(hexv(p[1]) << 4 | hexv(p[2]));
            p += 2;
        } else {
            check(strchr("-._~:", *p) || (*p >= '0' && *p <= '9') ||
                  (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
            check(*p != ':' || e.id);
            dec[k++] = *p;
        }
    }
    dec[k] = '\0';
    if (e.id) {
        check(k == e.name_len + 1 + e.id_len);
        check(!memcmp(dec, e.name, e.name_len) && dec[e.name_len] == ':');
    } else {
        check(k == strlen(s) && !memcmp(dec, s, k));
    }
    return 0;
}
