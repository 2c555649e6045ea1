/*
 * utf8.c: a strict UTF-8 decoder (RFC 3629). Strict because Discord rejects
 * invalid text, and because a validator that accepts overlong forms would
 * let "\xC0\xAF" sneak past the command-name charset check.
 */
#include "utf8.h"

int32_t
dbot__utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    int32_t cp;
    int n, i;

    if (s[0] < 0x80) {
        *p += 1;
        return s[0];
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        cp = s[0] & 0x1F;
        n = 1;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        cp = s[0] & 0x0F;
        n = 2;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        cp = s[0] & 0x07;
        n = 3;
    } else {
        return -1;
    }
    for (i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *p += n + 1;
    return cp;
}

long
dbot__utf8_len(const char *s)
{
    long n = 0;

    if (!s)
        return 0;
    while (*s) {
        if (dbot__utf8_next(&s) < 0)
            return -1;
        n++;
    }
    return n;
}
