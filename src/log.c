/*
 * log.c: one line per write(2), from any thread, with secrets redacted.
 *
 * DESIGN. A message is formatted whole (on the stack, or on the heap when
 * it is longer than a line), redacted, and only then cut to the line
 * length, so a secret that crosses the cut cannot leak its first bytes.
 * The line goes to the sink in one call, so lines from different threads
 * never interleave. The level is an atomic so the fast path (a dropped
 * debug line) takes no lock.
 *
 * Two kinds of redaction mark the bytes to hide; each marked run is then
 * printed as one "[REDACTED]":
 *
 *  - by list: the registered secrets (the bot token, whatever the
 *    application adds). The list grows as needed and is reference
 *    counted, so a secret added per request can be removed again and the
 *    list stays as small as what is live. A secret is stored without the
 *    blanks and "Bot " prefix a user may have pasted around it: the bare
 *    token is inside every padded form, so one entry covers them all.
 *
 *  - by structure, for secrets nobody registered: the path segment after
 *    the id in /webhooks/{id}/{token} and /interactions/{id}/{token}, the
 *    value of a JSON "token" member, anything shaped like a bot token
 *    (base64 of a decimal id, '.', 6+ characters, '.', 27+ characters),
 *    and any run of 64 or more base64url characters mixing upper case,
 *    lower case and digits (interaction and webhook tokens; hashes in hex
 *    and snowflakes stay readable). Interaction tokens are therefore not
 *    registered one by one: the shape already covers every place they can
 *    appear, and the list scan stays short however many are live.
 */
#include "log.h"
#include "clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_ 4096
/* Longest message redacted whole: above Discord's longest interaction
 * token (152,133 bytes). A longer one is cut first; see mark_cut_tail. */
#define MSG_MAX    (256 * 1024)
#define MIN_SECRET 4
#define LONG_RUN   64
static const char REDACTED[] = "[REDACTED]";

struct secret {
    char *s;
    size_t len;
    unsigned refs; /* adds not yet matched by a remove */
};

static atomic_int log_level = DBOT_LOG_INFO;
static atomic_int log_format = DBOT__LOG_AUTO;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct secret *secrets; /* guarded by log_mu, as is the sink */
static size_t nsecrets, secrets_cap;
static dbot_log_sink_fn sink_fn;
static void *sink_data;

static const char level_chars[] = "EWIDT";
/* syslog priorities for journald: err, warning, info, debug, debug. */
static const int level_prio[] = { 3, 4, 6, 7, 7 };

void
dbot_log_set_level(int level)
{
    if (level < DBOT_LOG_ERROR)
        level = DBOT_LOG_ERROR;
    if (level > DBOT_LOG_TRACE)
        level = DBOT_LOG_TRACE;
    atomic_store(&log_level, level);
}

int
dbot__log_enabled(int level)
{
    return level <= atomic_load(&log_level);
}

int
dbot_log_level_parse(const char *name)
{
    static const char *names[] = { "error", "warn", "info", "debug", "trace" };

    if (!name)
        return DBOT_EINVAL;
    for (int i = 0; i < 5; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return DBOT_EINVAL;
}

void
dbot__log_set_format(int format)
{
    atomic_store(&log_format, format);
}

void
dbot_log_set_sink(dbot_log_sink_fn fn, void *data)
{
    pthread_mutex_lock(&log_mu);
    sink_fn = fn;
    sink_data = data;
    pthread_mutex_unlock(&log_mu);
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* The part of a pasted secret that must never be printed: without the
 * surrounding blanks and a "Bot " prefix, unless that leaves too little. */
static const char *
secret_core(const char *s, size_t *len)
{
    const char *b = s;
    size_t n;

    while (is_blank(*b))
        b++;
    if (strncasecmp(b, "bot ", 4) == 0) {
        b += 4;
        while (is_blank(*b))
            b++;
    }
    n = strlen(b);
    while (n > 0 && is_blank(b[n - 1]))
        n--;
    if (n < MIN_SECRET) {
        b = s;
        n = strlen(s);
    }
    *len = n;
    return b;
}

/* Caller holds log_mu. */
static struct secret *
find_secret_locked(const char *s, size_t n)
{
    for (size_t i = 0; i < nsecrets; i++)
        if (secrets[i].len == n && memcmp(secrets[i].s, s, n) == 0)
            return &secrets[i];
    return NULL;
}

int
dbot_log_add_secret(const char *secret)
{
    struct secret *e;
    const char *s;
    size_t n;
    int rc = 0;

    if (!secret)
        return 0;
    s = secret_core(secret, &n);
    if (n < MIN_SECRET)
        return 0;
    pthread_mutex_lock(&log_mu);
    e = find_secret_locked(s, n);
    if (e) {
        e->refs++;
    } else {
        char *copy = strndup(s, n);

        if (copy && nsecrets == secrets_cap) {
            size_t cap = secrets_cap ? secrets_cap * 2 : 8;
            struct secret *v = realloc(secrets, cap * sizeof *v);

            if (v) {
                secrets = v;
                secrets_cap = cap;
            }
        }
        if (copy && nsecrets < secrets_cap) {
            secrets[nsecrets++] = (struct secret){ copy, n, 1 };
        } else {
            /* Not redacted by list: the caller must not go on to log it
             * (the config loader fails instead). */
            free(copy);
            rc = DBOT_ENOMEM;
        }
    }
    pthread_mutex_unlock(&log_mu);
    return rc;
}

static void
wipe_free(struct secret *e)
{
    explicit_bzero(e->s, e->len);
    free(e->s);
}

void
dbot_log_remove_secret(const char *secret)
{
    struct secret *e;
    const char *s;
    size_t n;

    if (!secret)
        return;
    s = secret_core(secret, &n);
    pthread_mutex_lock(&log_mu);
    e = find_secret_locked(s, n);
    if (e && --e->refs == 0) {
        wipe_free(e);
        *e = secrets[--nsecrets];
    }
    pthread_mutex_unlock(&log_mu);
}

size_t
dbot__log_secret_count(void)
{
    size_t n;

    pthread_mutex_lock(&log_mu);
    n = nsecrets;
    pthread_mutex_unlock(&log_mu);
    return n;
}

void
dbot__log_clear_secrets(void)
{
    pthread_mutex_lock(&log_mu);
    for (size_t i = 0; i < nsecrets; i++)
        wipe_free(&secrets[i]);
    free(secrets);
    secrets = NULL;
    nsecrets = secrets_cap = 0;
    pthread_mutex_unlock(&log_mu);
}

/* ---- redaction by structure ------------------------------------------- */

static bool
is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

/* Is s[0..n) base64 (no padding) of 15 to 21 decimal digits, as a bot
 * token's first part (the bot's user id) is? */
static bool
is_b64_of_id(const char *s, size_t n)
{
    unsigned acc = 0, bits = 0, digits = 0;

    if (n < 20 || n > 28)
        return false;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value((unsigned char)s[i]);

        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            unsigned char c = (unsigned char)(acc >> (bits - 8));

            bits -= 8;
            acc &= (1u << bits) - 1;
            if (c < '0' || c > '9')
                return false;
            digits++;
        }
    }
    return digits >= 15 && digits <= 21;
}

static void
mark(unsigned char *m, size_t from, size_t to)
{
    memset(m + from, 1, to - from);
}

/* A dot inside a token, as written or URL-encoded ("%2E"): the length
 * of the one at s[i], 0 when there is none. */
static size_t
dot_at(const char *s, size_t i, size_t len)
{
    if (s[i] == '.')
        return 1;
    if (s[i] == '%' && i + 2 < len && s[i + 1] == '2' &&
        (s[i + 2] == 'E' || s[i + 2] == 'e'))
        return 3;
    return 0;
}

/* Runs of [A-Za-z0-9_-] and dots: bot tokens, and long mixed runs. */
static void
mark_shapes(const char *s, size_t len, unsigned char *m)
{
    size_t i = 0;

    while (i < len) {
        /* Part k is [from[k], to[k]); dots (1 or 3 bytes) between them. */
        size_t from[64], to[64], np = 0;

        if (!is_b64url((unsigned char)s[i]) && !dot_at(s, i, len)) {
            i++;
            continue;
        }
        from[np] = i;
        while (i < len) {
            size_t dl = dot_at(s, i, len);

            if (dl) {
                if (np < 63) {
                    to[np++] = i;
                    from[np] = i + dl;
                }
                i += dl;
            } else if (is_b64url((unsigned char)s[i])) {
                i++;
            } else {
                break;
            }
        }
        to[np++] = i;
        for (size_t k = 0; k + 2 < np; k++) {
            size_t a = from[k], b = to[k], end = to[k + 2];

            if (to[k + 1] - from[k + 1] < 6 || end - from[k + 2] < 27)
                continue;
            /* The id part may be glued to what precedes it ("x<token>",
             * "Bot%20<token>"): try where it could start, longest first. */
            for (size_t at = b - a > 28 ? b - 28 : a; at + 20 <= b; at++) {
                if (is_b64_of_id(s + at, b - at)) {
                    mark(m, at, end);
                    break;
                }
            }
        }
        /* Long runs without dots, each part on its own. */
        for (size_t k = 0; k < np; k++) {
            size_t a = from[k], end = to[k];
            bool up = false, lo = false, dig = false;

            if (end - a < LONG_RUN)
                continue;
            for (size_t j = a; j < end; j++) {
                up |= s[j] >= 'A' && s[j] <= 'Z';
                lo |= s[j] >= 'a' && s[j] <= 'z';
                dig |= s[j] >= '0' && s[j] <= '9';
            }
            if (up && lo && dig)
                mark(m, a, end);
        }
    }
}

static bool
ends_segment(char c)
{
    return c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' ||
           c == '&' || c == '<' || c == '>' || c == '\\' || is_blank(c);
}

/* memmem, ignoring ASCII case (paths and JSON keys may come in any). */
static const char *
memcasemem(const char *h, size_t hl, const char *n, size_t nl)
{
    for (size_t i = 0; nl <= hl && i <= hl - nl; i++)
        if (strncasecmp(h + i, n, nl) == 0)
            return h + i;
    return NULL;
}

/* A path separator as written, JSON-escaped ("\\/") or URL-encoded
 * ("%2F"): the length of the one at s[i], 0 when there is none. */
static size_t
slash_at(const char *s, size_t i, size_t len)
{
    if (s[i] == '/')
        return 1;
    if (s[i] == '\\' && i + 1 < len && s[i + 1] == '/')
        return 2;
    if (s[i] == '%' && i + 2 < len && s[i + 1] == '2' &&
        (s[i + 2] == 'F' || s[i + 2] == 'f'))
        return 3;
    return 0;
}

static size_t
segment_end(const char *s, size_t i, size_t len)
{
    while (i < len && !ends_segment(s[i]) && !slash_at(s, i, len))
        i++;
    return i;
}

/* "/webhooks/{id}/{token}" and "/interactions/{id}/{token}", whatever the
 * case and however the slashes are written: the segment after the id,
 * unless it is a route template's "{token}". */
static void
mark_url_tokens(const char *s, size_t len, unsigned char *m)
{
    static const char *const keys[] = { "webhooks", "interactions" };

    for (size_t k = 0; k < 2; k++) {
        size_t kl = strlen(keys[k]);
        const char *p = s;

        while ((p = memcasemem(p, len - (size_t)(p - s), keys[k], kl))) {
            size_t at = (size_t)(p - s), i = at + kl, sl, from;

            p += kl;
            /* Preceded by a separator: "/", "\/" or "%2F". */
            if (!(at >= 1 && s[at - 1] == '/') &&
                !(at >= 3 && slash_at(s, at - 3, len) == 3))
                continue;
            if (i >= len || !(sl = slash_at(s, i, len)))
                continue;
            i = segment_end(s, i + sl, len); /* the id */
            if (i >= len || !(sl = slash_at(s, i, len)))
                continue;
            from = i + sl;
            i = segment_end(s, from, len);
            if (i > from && s[from] != '{')
                mark(m, from, i);
        }
    }
}

/* The string value of a JSON "token" member, as a handler that logs an
 * interaction payload prints it. */
static void
mark_json_tokens(const char *s, size_t len, unsigned char *m)
{
    static const char key[] = "\"token\"";
    const char *p = s;

    while ((p = memcasemem(p, len - (size_t)(p - s), key, sizeof key - 1))) {
        size_t i = (size_t)(p - s) + sizeof key - 1, from;

        p += sizeof key - 1;
        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len || s[i] != ':')
            continue;
        i++;
        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len || s[i] != '"')
            continue;
        from = ++i;
        while (i < len && s[i] != '"')
            i += s[i] == '\\' && i + 1 < len ? 2 : 1;
        if (i > len)
            i = len;
        mark(m, from, i);
    }
}

/* Caller holds log_mu. Registered secrets, and (cut) the end of the text
 * if it is the start of one. */
static void
mark_secrets_locked(const char *s, size_t len, bool cut, unsigned char *m)
{
    for (size_t k = 0; k < nsecrets; k++) {
        const struct secret *e = &secrets[k];
        const char *p = s;

        while (e->len <= len - (size_t)(p - s) &&
               (p = memmem(p, len - (size_t)(p - s), e->s, e->len))) {
            mark(m, (size_t)(p - s), (size_t)(p - s) + e->len);
            p++;
        }
        for (size_t n = e->len - 1; cut && n >= MIN_SECRET; n--)
            if (n <= len && memcmp(s + len - n, e->s, n) == 0) {
                mark(m, len - n, len);
                break;
            }
    }
}

/* A text cut before redaction may end inside a token whose shape no
 * longer shows: hide the word it ends in. */
static void
mark_cut_tail(const char *s, size_t len, unsigned char *m)
{
    size_t i = len;

    while (i > 0 && (is_b64url((unsigned char)s[i - 1]) || s[i - 1] == '.'))
        i--;
    mark(m, i, len);
}

/* Caller holds log_mu. Write `in` to out[cap] with every marked run as one
 * marker, cut to cap - 1 bytes, NUL-terminated. Returns the length. */
static size_t
redact_into_locked(char *out, size_t cap, const char *in, size_t len, bool cut,
                   unsigned char *m)
{
    size_t n = 0;

    memset(m, 0, len);
    mark_secrets_locked(in, len, cut, m);
    mark_url_tokens(in, len, m);
    mark_json_tokens(in, len, m);
    mark_shapes(in, len, m);
    if (cut)
        mark_cut_tail(in, len, m);
    for (size_t i = 0; i < len && n < cap - 1;) {
        if (!m[i]) {
            out[n++] = in[i++];
            continue;
        }
        for (size_t j = 0; j < sizeof REDACTED - 1 && n < cap - 1; j++)
            out[n++] = REDACTED[j];
        while (i < len && m[i])
            i++;
    }
    out[n] = '\0';
    return n;
}

size_t
dbot__log_redact(char *buf, size_t len, size_t cap)
{
    char *in = malloc(len + 1);
    unsigned char *m = malloc(len + 1);

    if (!in || !m) {
        /* Nothing can be shown safely. */
        free(in);
        free(m);
        buf[0] = '\0';
        return 0;
    }
    memcpy(in, buf, len);
    pthread_mutex_lock(&log_mu);
    len = redact_into_locked(buf, cap, in, len, false, m);
    pthread_mutex_unlock(&log_mu);
    free(in);
    free(m);
    return len;
}

static int
use_journal_format(void)
{
    int f = atomic_load(&log_format);

    if (f == DBOT__LOG_AUTO) {
        /* systemd sets JOURNAL_STREAM to "dev:inode" of the journal socket
         * when it connects stderr to it; that is the documented test. */
        const char *js = getenv("JOURNAL_STREAM");
        f = (js && *js) ? DBOT__LOG_JOURNAL : DBOT__LOG_TEXT;
        atomic_store(&log_format, f);
    }
    return f == DBOT__LOG_JOURNAL;
}

void
dbot_logv(int level, const char *comp, const char *fmt, va_list ap)
{
    char small[LINE_MAX_], line[LINE_MAX_];
    unsigned char small_mask[LINE_MAX_], *m = small_mask;
    char *msg = small;
    size_t n, len;
    bool cut = false;
    va_list again;
    int k;

    if (level > atomic_load(&log_level))
        return;
    if (level < 0)
        level = 0;
    if (level > DBOT_LOG_TRACE)
        level = DBOT_LOG_TRACE;
    if (use_journal_format()) {
        k = snprintf(small, sizeof small, "<%d>%s: ", level_prio[level],
                     comp ? comp : "dbot");
    } else {
        int64_t ms = dbot__clock_ms();

        k = snprintf(
            small, sizeof small, "%6lld.%03ld %c %s: ", (long long)(ms / 1000),
            (long)(ms % 1000), level_chars[level], comp ? comp : "dbot");
    }
    n = k > 0 && (size_t)k < sizeof small ? (size_t)k : 0;
    va_copy(again, ap);
    k = vsnprintf(small + n, sizeof small - n, fmt, ap);
    len = n + (k > 0 ? (size_t)k : 0);
    if (len >= sizeof small) {
        /* Too long for a line: format it whole so that redaction sees every
         * secret complete; the line is cut afterwards. */
        size_t want = len + 1 > MSG_MAX ? MSG_MAX : len + 1;
        char *big = malloc(want);
        unsigned char *bm = malloc(want);

        if (big && bm) {
            memcpy(big, small, n);
            vsnprintf(big + n, want - n, fmt, again);
            msg = big;
            m = bm;
            cut = len + 1 > want;
            len = want - 1;
        } else {
            free(big);
            free(bm);
            cut = true;
            len = sizeof small - 1;
        }
    }
    va_end(again);
    /* A message must stay one line for the journal and for log parsers. */
    for (size_t i = 0; i < len; i++)
        if (msg[i] == '\n' || msg[i] == '\r')
            msg[i] = ' ';

    pthread_mutex_lock(&log_mu);
    n = redact_into_locked(line, sizeof line - 1, msg, len, cut, m);
    line[n++] = '\n';
    line[n] = '\0';
    if (sink_fn) {
        sink_fn(line, n, sink_data);
    } else {
        ssize_t w;
        do
            w = write(STDERR_FILENO, line, n);
        while (w < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&log_mu);
    if (msg != small) {
        free(msg);
        free(m);
    }
}

void
dbot_log(int level, const char *comp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dbot_logv(level, comp, fmt, ap);
    va_end(ap);
}
