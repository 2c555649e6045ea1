/*
 * json_parse.c: a JSON parser that builds cJSON trees in an arena
 * (json_parse.h).
 *
 * WHY. Parsing was most of the gateway thread's CPU (bench_decode: ~2.2 of
 * ~2.4 us per 1.2 KB event over zstd-stream), and much of that was cJSON's
 * own overhead, not the work: every value is first compared against
 * "null", "false" and "true" with strncmp before its first byte is looked
 * at, every number goes through localeconv() and strtod(), and every node
 * and string through the allocation hooks (a call through a pointer and a
 * thread-local lookup). This parser dispatches on the first byte, converts
 * plain integers itself, copies strings without escapes with one memcpy,
 * and takes memory from the arena directly.
 *
 * SAME TREES. It accepts exactly what cJSON 1.7.15's
 * cJSON_ParseWithLengthOpts(text, len, &end, 0) accepts and builds the same
 * tree (types, values, keys, the head's prev pointing at the tail), quirks
 * included: bytes <= 32 are whitespace, a UTF-8 BOM is skipped only in
 * a text of five bytes or more, "\u" followed by non-hex digits decodes
 * as U+0000, a number is whatever strtod makes of the run of [0-9+-.eE],
 * bytes after the value are left to the caller (end), and nesting stops
 * at CJSON_NESTING_LIMIT. tests/unit/test_json_parse.c compares the two
 * node by node on edge cases, random JSON and mutated gateway events.
 */
#include "json_parse.h"

#include <limits.h>
#include <langinfo.h> /* not <locale.h>: src/locale.h shadows it */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const unsigned char *s;
    size_t len, off, depth;
    dbot__json_alloc_fn alloc;
    void *ctx;
};

#define AT(p, i) ((p)->off + (i) < (p)->len) /* can access s[off + i] */

static cJSON *
new_node(struct parser *p)
{
    cJSON *n = p->alloc(p->ctx, sizeof *n);

    if (n)
        memset(n, 0, sizeof *n);
    return n;
}

/* cJSON's buffer_skip_whitespace, including its step back from the end. */
static void
skip_ws(struct parser *p)
{
    if (!AT(p, 0))
        return;
    while (AT(p, 0) && p->s[p->off] <= 32)
        p->off++;
    if (p->off == p->len)
        p->off--;
}

static bool parse_value(struct parser *p, cJSON *item);

/* ---- numbers ------------------------------------------------------------- */

static bool
parse_number(struct parser *p, cJSON *item)
{
    const unsigned char *at = p->s + p->off;
    size_t n = 0, digits = 0, consumed;
    bool plain = true; /* -?[0-9]+ */
    double v;

    /* cJSON (1.7.15, as Debian ships it) takes the whole run of these
     * bytes and lets strtod decide how much of it is the number. */
    while (AT(p, n)) {
        unsigned char c = at[n];

        if (c >= '0' && c <= '9')
            digits++;
        else if (c == '-' && n == 0)
            ;
        else if (c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.')
            plain = false;
        else
            break;
        n++;
    }
    if (plain && digits > 0 && digits <= 15) {
        /* Exact in a double, as strtod would make it. */
        uint64_t u = 0;

        for (size_t i = at[0] == '-'; i < n; i++)
            u = u * 10 + (uint64_t)(at[i] - '0');
        v = at[0] == '-' ? -(double)u : (double)u;
        consumed = n;
    } else {
        /* strtod wants a terminated copy, with the locale's decimal
         * point for '.' (as cJSON hands it). */
        const char *dp = nl_langinfo(RADIXCHAR);
        char small[64], *buf = n < sizeof small ? small : malloc(n + 1);
        char *end;

        if (!buf)
            return false;
        memcpy(buf, at, n);
        buf[n] = '\0';
        if (dp && dp[0] && dp[0] != '.')
            for (size_t i = 0; i < n; i++)
                if (buf[i] == '.')
                    buf[i] = dp[0];
        v = strtod(buf, &end);
        consumed = (size_t)(end - buf);
        if (buf != small)
            free(buf);
        if (consumed == 0)
            return false;
    }
    item->valuedouble = v;
    if (v >= INT_MAX)
        item->valueint = INT_MAX;
    else if (v <= (double)INT_MIN)
        item->valueint = INT_MIN;
    else
        item->valueint = (int)v;
    item->type = cJSON_Number;
    p->off += consumed;
    return true;
}

/* ---- strings ------------------------------------------------------------- */

/* cJSON's parse_hex4: 0 for a non-hex digit anywhere. */
static unsigned
hex4(const unsigned char *in)
{
    unsigned h = 0;

    for (int i = 0; i < 4; i++) {
        unsigned c = in[i], d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'A' && c <= 'F')
            d = 10 + c - 'A';
        else if (c >= 'a' && c <= 'f')
            d = 10 + c - 'a';
        else
            return 0;
        h = (h << 4) | d;
    }
    return h;
}

/* "\uXXXX" (or a surrogate pair) at in, before end, to UTF-8 at *out.
 * Returns the escape's length, 0 when invalid. */
static size_t
utf16_escape(const unsigned char *in, const unsigned char *end,
             unsigned char **out)
{
    unsigned long cp;
    unsigned first, len = 6, n, mark = 0;

    if (end - in < 6)
        return 0;
    first = hex4(in + 2);
    if (first >= 0xDC00 && first <= 0xDFFF)
        return 0;
    if (first >= 0xD800 && first <= 0xDBFF) {
        const unsigned char *second = in + 6;
        unsigned low;

        if (end - second < 6 || second[0] != '\\' || second[1] != 'u')
            return 0;
        low = hex4(second + 2);
        if (low < 0xDC00 || low > 0xDFFF)
            return 0;
        cp = 0x10000 + (((first & 0x3FF) << 10) | (low & 0x3FF));
        len = 12;
    } else {
        cp = first;
    }
    if (cp < 0x80) {
        n = 1;
    } else if (cp < 0x800) {
        n = 2;
        mark = 0xC0;
    } else if (cp < 0x10000) {
        n = 3;
        mark = 0xE0;
    } else {
        n = 4; /* a pair never passes 0x10FFFF */
        mark = 0xF0;
    }
    for (unsigned i = n - 1; i > 0; i--) {
        (*out)[i] = (unsigned char)((cp | 0x80) & 0xBF);
        cp >>= 6;
    }
    (*out)[0] = (unsigned char)(n > 1 ? (cp | mark) & 0xFF : cp & 0x7F);
    *out += n;
    return len;
}

/* The string at s[off] (which is '"') into a new NUL-terminated copy. */
static unsigned char *
parse_string_raw(struct parser *p)
{
    const unsigned char *start = p->s + p->off + 1, *end = start;
    const unsigned char *limit = p->s + p->len;
    size_t skipped = 0;
    unsigned char *out, *o;

    if (!AT(p, 0) || p->s[p->off] != '"')
        return NULL;
    /* Find the closing quote: no escapes means one copy. */
    while (end < limit && *end != '"') {
        if (*end == '\\') {
            if (end + 1 >= limit)
                return NULL;
            skipped++;
            end++;
        }
        end++;
    }
    if (end >= limit)
        return NULL;
    out = p->alloc(p->ctx, (size_t)(end - start) + 1);
    if (!out)
        return NULL;
    if (!skipped) {
        memcpy(out, start, (size_t)(end - start));
        out[end - start] = '\0';
        p->off = (size_t)(end - p->s) + 1;
        return out;
    }
    o = out;
    for (const unsigned char *in = start; in < end;) {
        size_t n = 2;

        if (*in != '\\') {
            *o++ = *in++;
            continue;
        }
        switch (in[1]) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case '"':
        case '\\':
        case '/':
            *o++ = in[1];
            break;
        case 'u':
            n = utf16_escape(in, end, &o);
            if (!n)
                return NULL;
            break;
        default:
            return NULL;
        }
        in += n;
    }
    *o = '\0';
    p->off = (size_t)(end - p->s) + 1;
    return out;
}

static bool
parse_string(struct parser *p, cJSON *item)
{
    unsigned char *s = parse_string_raw(p);

    if (!s)
        return false;
    item->type = cJSON_String;
    item->valuestring = (char *)s;
    return true;
}

/* ---- containers ---------------------------------------------------------- */

/* Arrays and objects: '[' or '{' at off, members until close. */
static bool
parse_members(struct parser *p, cJSON *item, int object)
{
    const unsigned char close = object ? '}' : ']';
    cJSON *head = NULL, *cur = NULL;

    if (p->depth >= CJSON_NESTING_LIMIT)
        return false;
    p->depth++;
    p->off++;
    skip_ws(p);
    if (AT(p, 0) && p->s[p->off] == close)
        goto done;
    if (!AT(p, 0)) {
        p->off--;
        return false;
    }
    p->off--; /* the loop steps over the separator first */
    do {
        cJSON *n = new_node(p);

        if (!n)
            return false;
        if (!head) {
            head = cur = n;
        } else {
            cur->next = n;
            n->prev = cur;
            cur = n;
        }
        p->off++;
        skip_ws(p);
        if (object) {
            if (!parse_string(p, cur))
                return false;
            skip_ws(p);
            cur->string = cur->valuestring;
            cur->valuestring = NULL;
            if (!AT(p, 0) || p->s[p->off] != ':')
                return false;
            p->off++;
            skip_ws(p);
        }
        if (!parse_value(p, cur))
            return false;
        skip_ws(p);
    } while (AT(p, 0) && p->s[p->off] == ',');
    if (!AT(p, 0) || p->s[p->off] != close)
        return false;
done:
    p->depth--;
    if (head)
        head->prev = cur;
    item->type = object ? cJSON_Object : cJSON_Array;
    item->child = head;
    p->off++;
    return true;
}

/* null, false or true at off. */
static bool
literal(struct parser *p, cJSON *item, const char *word, size_t n, int type)
{
    if (p->len - p->off < n || memcmp(p->s + p->off, word, n) != 0)
        return false;
    item->type = type;
    item->valueint = type == cJSON_True;
    p->off += n;
    return true;
}

/* One value at off. cJSON tries the literals first, then looks at the
 * byte; the first byte decides the same way. */
static bool
parse_value(struct parser *p, cJSON *item)
{
    const unsigned char *at = p->s + p->off;

    if (!AT(p, 0))
        return false;
    switch (*at) {
    case 'n':
        return literal(p, item, "null", 4, cJSON_NULL);
    case 'f':
        return literal(p, item, "false", 5, cJSON_False);
    case 't':
        return literal(p, item, "true", 4, cJSON_True);
    case '"':
        return parse_string(p, item);
    case '[':
        return parse_members(p, item, 0);
    case '{':
        return parse_members(p, item, 1);
    default:
        if (*at == '-' || (*at >= '0' && *at <= '9'))
            return parse_number(p, item);
        return false;
    }
}

cJSON *
dbot__json_parse(const char *text, size_t len, const char **end,
                 dbot__json_alloc_fn alloc, void *ctx)
{
    struct parser p = { (const unsigned char *)text, len, 0, 0, alloc, ctx };
    cJSON *root;

    if (!text || len == 0) {
        if (end)
            *end = text;
        return NULL;
    }
    root = new_node(&p);
    /* The BOM is skipped only with five bytes or more (cJSON's check). */
    if (len > 4 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.off = 3;
    skip_ws(&p);
    if (!root || !parse_value(&p, root)) {
        if (end)
            *end = text + (p.off < len ? p.off : len - 1);
        return NULL;
    }
    if (end)
        *end = text + p.off;
    return root;
}
