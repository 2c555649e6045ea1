/*
 * emoji.c: parse an emoji as users write it, render it for Discord.
 *
 * Why strict: a reaction whose emoji Discord cannot read fails with 10014
 * after a round trip, and a wrong encoding of "#️⃣" or a twice-encoded
 * "%25F0..." fails the same way (checklist item 13). Refusing locally what
 * cannot be an emoji turns those into an immediate DBOT_EINVAL with a
 * reason. Unicode emoji are not checked against the emoji tables (they
 * change every year); the rule is only "no ASCII but keycap bases, and at
 * least one non-ASCII code point", which every emoji meets and names like
 * ":thumbsup:" or percent-encoded text do not.
 */
#include "emoji.h"

#include "utf8.h"

#include <string.h>

#define NAME_MAX_CHARS 32
#define ID_MAX_DIGITS  20

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_name_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '_';
}

/* "name:id" in s[0..n), the whole of it. */
static enum dbot__emoji_err
parse_custom(const char *s, size_t n, struct dbot__emoji *e)
{
    const char *colon = memchr(s, ':', n);
    size_t nl, il;

    if (!colon)
        return DBOT__EMOJI_FORM;
    nl = (size_t)(colon - s);
    il = n - nl - 1;
    if (nl == 0 || il == 0 || il > ID_MAX_DIGITS)
        return DBOT__EMOJI_FORM;
    for (size_t i = 0; i < nl; i++)
        if (!is_name_char(s[i]))
            return DBOT__EMOJI_FORM;
    for (size_t i = 0; i < il; i++)
        if (!is_digit(colon[1 + i]))
            return DBOT__EMOJI_FORM;
    if (nl > NAME_MAX_CHARS)
        return DBOT__EMOJI_LONG;
    e->name = s;
    e->name_len = nl;
    e->id = colon + 1;
    e->id_len = il;
    return DBOT__EMOJI_OK;
}

/* Keycaps (0-9, # or * followed by U+FE0F U+20E3) are the only emoji
 * with ASCII in them. */
static enum dbot__emoji_err
parse_unicode(const char *s, size_t n, struct dbot__emoji *e)
{
    int wide = 0;

    if (n > DBOT__EMOJI_MAX)
        return DBOT__EMOJI_LONG;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80)
            wide = 1;
        else if (!is_digit((char)c) && c != '#' && c != '*')
            return DBOT__EMOJI_FORM;
    }
    if (!wide)
        return DBOT__EMOJI_FORM;
    e->name = s;
    e->name_len = n;
    return DBOT__EMOJI_OK;
}

enum dbot__emoji_err
dbot__emoji_parse(const char *s, struct dbot__emoji *e)
{
    size_t n;

    memset(e, 0, sizeof *e);
    if (!s || !*s)
        return DBOT__EMOJI_EMPTY;
    if (dbot__utf8_len(s) < 0)
        return DBOT__EMOJI_UTF8;
    n = strlen(s);
    if (s[0] == '<') {
        /* <:name:id> or <a:name:id>, as Discord renders a custom emoji. */
        size_t skip = n > 2 && s[1] == 'a' ? 2 : 1;

        if (n < skip + 2 || s[n - 1] != '>' || s[skip] != ':')
            return DBOT__EMOJI_FORM;
        e->animated = skip == 2;
        return parse_custom(s + skip + 1, n - skip - 2, e);
    }
    if (memchr(s, ':', n))
        return parse_custom(s, n, e);
    return parse_unicode(s, n, e);
}

const char *
dbot__emoji_why(enum dbot__emoji_err err)
{
    switch (err) {
    case DBOT__EMOJI_OK:
        return "ok";
    case DBOT__EMOJI_EMPTY:
        return "empty";
    case DBOT__EMOJI_UTF8:
        return "not valid UTF-8";
    case DBOT__EMOJI_LONG:
        return "too long";
    case DBOT__EMOJI_FORM:
        break;
    }
    return "is neither a Unicode emoji nor <:name:id>";
}

void
dbot__emoji_segment(const struct dbot__emoji *e, char *buf)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = buf;

    if (e->id) {
        /* Custom names are [A-Za-z0-9_] and ids digits: nothing to encode,
         * and Discord wants the colon as it is. */
        memcpy(o, e->name, e->name_len);
        o += e->name_len;
        *o++ = ':';
        memcpy(o, e->id, e->id_len);
        o += e->id_len;
    } else {
        for (size_t i = 0; i < e->name_len; i++) {
            unsigned char c = (unsigned char)e->name[i];

            if (is_name_char((char)c) || c == '-' || c == '.' || c == '~') {
                *o++ = (char)c;
            } else {
                *o++ = '%';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
        }
    }
    *o = '\0';
}
