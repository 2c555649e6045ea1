/*
 * fuzz_log.c: log redaction on arbitrary lines. The input's first byte
 * picks how many of its next bytes form a secret to register (none when
 * shorter than 4); the rest is a line redacted into a buffer of every size
 * from tiny to whole. The result must fit its buffer, hold no trace of the
 * registered secret when that is made of token characters (a marker's
 * brackets cannot complete one), and be the same whatever the buffer size
 * up to the cut: redaction comes first, the cut second. Built for
 * libFuzzer, or with replay_main.c for tests.
 */
#include "log.h"

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
token_chars(const char *s)
{
    for (; *s; s++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789-_.",
                    *s))
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char secret[64] = "", *full, *cut;
    size_t slen = 0, n, whole;
    static const size_t caps[] = { 2, 11, 17, 64, 4096 };

    if (size > 0) {
        slen = data[0] % sizeof secret;
        if (slen > size - 1)
            slen = size - 1;
        memcpy(secret, data + 1, slen);
        secret[slen] = '\0';
        if (strlen(secret) != slen || slen < 4)
            secret[0] = '\0';
        data += 1 + slen;
        size -= 1 + slen;
    }
    /* A one-byte token value becomes a 10-byte marker: room for that. */
    full = malloc(size * 11 + 16);
    cut = malloc(size + 4096);
    check(full && cut);
    if (secret[0])
        dbot_log_add_secret(secret);
    memcpy(full, data, size);
    whole = dbot__log_redact(full, size, size * 11 + 16);
    check(whole <= size * 11 + 15 && full[whole] == '\0');
    if (secret[0] && token_chars(secret) && strlen(full) == whole)
        check(strstr(full, secret) == NULL);
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        memcpy(cut, data, size);
        n = dbot__log_redact(cut, size, caps[i]);
        check(n <= caps[i] - 1 && cut[n] == '\0');
        check(n == (whole < caps[i] - 1 ? whole : caps[i] - 1));
        check(memcmp(cut, full, n) == 0);
    }
    dbot__log_clear_secrets();
    free(full);
    free(cut);
    return 0;
}
