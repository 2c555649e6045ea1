/*
 * config_text.c: how the config module talks about values in its messages.
 *
 * Values are quoted short (40 bytes) and escaped, so a message stays one
 * readable line whatever the user wrote. Truncation is also why redaction
 * cannot be left to the logger alone: a cut-off token no longer matches the
 * logger's secret list or its token shapes. So a value is never shown when
 * it holds the token, nor when it could be a secret at all (a token pasted
 * into the wrong field is not the token yet): then the message gives its
 * length instead, and the field name says where it is. Finished error
 * texts are also scrubbed once more before they are returned.
 */
#include "config_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Does `s` contain the token `cand` (given raw: maybe padded, maybe with a
 * "Bot " prefix)? */
bool
dbot__cfgtext_has_token(const char *s, const char *cand)
{
    size_t n;

    if (!cand)
        return false;
    while (*cand && isspace((unsigned char)*cand))
        cand++;
    if (strncasecmp(cand, "bot ", 4) == 0)
        cand += 4;
    while (*cand && isspace((unsigned char)*cand))
        cand++;
    n = strlen(cand);
    while (n > 0 && isspace((unsigned char)cand[n - 1]))
        n--;
    return n >= 4 && memmem(s, strlen(s), cand, n) != NULL;
}

/* Could `s` be (part of) a secret? Tokens are long runs of base64 and '.'
 * that mix upper case, lower case and digits; the words of names, paths,
 * host names, ids and intent names do not. */
bool
dbot__cfgtext_could_be_secret(const char *s)
{
    bool up = false, lo = false, dig = false;
    size_t n = 0;

    for (;; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '_' || c == '-' || c == '+' || c == '=') {
            n++;
            up |= isupper(c) != 0;
            lo |= islower(c) != 0;
            dig |= isdigit(c) != 0;
            if (n >= 16 && up && lo && dig)
                return true;
        } else if (c == '\0') {
            return false;
        } else {
            /* '/', '.' and the rest end a run: a token's parts are long
             * enough on their own, and paths and host names stay shown. */
            up = lo = dig = false;
            n = 0;
        }
    }
}

/* Quote a user string for an error message: at most 40 bytes, control and
 * non-ASCII bytes as \xNN, so one message stays one readable line. A value
 * that holds the token or could be a secret is not shown at all, only its
 * length: truncation would defeat the logger's redaction. */
void
dbot__cfgtext_quote(char *dst, size_t cap, const char *s,
                    const char *const secrets[], size_t nsecrets)
{
    size_t n = 0;
    size_t i;
    bool hide = false;

    if (cap < 16) {
        if (cap)
            dst[0] = '\0';
        return;
    }
    for (size_t k = 0; k < nsecrets; k++)
        if (dbot__cfgtext_has_token(s, secrets[k]))
            hide = true;
    if (hide) {
        snprintf(dst, cap, "\"[REDACTED]\"");
        return;
    }
    if (dbot__cfgtext_could_be_secret(s)) {
        snprintf(dst, cap, "a %zu-byte value (not shown: it may be a secret)",
                 strlen(s));
        return;
    }
    dst[n++] = '"';
    for (i = 0; s[i] && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (n + 6 >= cap)
            break;
        if (c == '"' || c == '\\') {
            dst[n++] = '\\';
            dst[n++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            n += (size_t)snprintf(dst + n, cap - n, "\\x%02x", c);
        } else {
            dst[n++] = (char)c;
        }
    }
    if (s[i] && n + 5 < cap) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n++] = '"';
    dst[n] = '\0';
}

void
dbot__cfgtext_describe(char *dst, size_t cap, const cJSON *v,
                       const char *const secrets[], size_t nsecrets)
{
    if (cJSON_IsString(v)) {
        dbot__cfgtext_quote(dst, cap, v->valuestring, secrets, nsecrets);
    } else if (cJSON_IsNumber(v)) {
        snprintf(dst, cap, "%.15g", v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        snprintf(dst, cap, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(dst, cap, "null");
    } else if (cJSON_IsArray(v)) {
        snprintf(dst, cap, "an array");
    } else if (cJSON_IsObject(v)) {
        snprintf(dst, cap, "an object");
    } else {
        snprintf(dst, cap, "an invalid value");
    }
}

/* Replace every occurrence of `secret` in err by "[REDACTED]". The search
 * resumes after each marker, so a secret that contains the marker text
 * cannot loop forever. */
void
dbot__cfgtext_scrub(char *err, size_t errlen, const char *secret)
{
    static const char mark[] = "[REDACTED]";
    const size_t mlen = sizeof mark - 1;
    size_t slen;
    char *cur, *p;

    if (!err || errlen == 0 || !secret || (slen = strlen(secret)) < 4)
        return;
    cur = err;
    while ((p = strstr(cur, secret))) {
        size_t off = (size_t)(p - err);
        size_t tail = strlen(p + slen);

        if (off + mlen >= errlen) {
            *p = '\0'; /* no room for the marker: cut the message here */
            return;
        }
        if (off + mlen + tail >= errlen)
            tail = errlen - 1 - off - mlen;
        memmove(p + mlen, p + slen, tail);
        memcpy(p, mark, mlen);
        p[mlen + tail] = '\0';
        cur = p + mlen;
    }
}

/* Edit distance with an early cap, for "did you mean" hints. */
size_t
dbot__cfgtext_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) ==
                                  tolower((unsigned char)b[j - 1])
                              ? 0
                              : 1;
            size_t best = diag + cost;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
