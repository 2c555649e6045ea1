/*
 * verify.c: Ed25519 signatures on HTTP interactions (dbot/verify.h), with
 * OpenSSL's EVP interface.
 *
 * DESIGN. The key is an EVP_PKEY made from the raw 32 bytes; each check
 * builds its own EVP_MD_CTX, so one dbot_verifier serves many threads (an
 * EVP_PKEY is safe for concurrent read-only use). Ed25519 is a one-shot
 * signature (no streaming digest), so timestamp and body are joined into
 * one buffer first: on the stack when small, as interaction bodies
 * usually are, else on the heap. Hex is decoded by length, never past the
 * NUL, and the whole string must be exactly the expected length.
 */
#include <dbot/verify.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN 32
#define SIG_LEN 64
/* Joined messages up to this size need no allocation. */
#define STACK_MSG 4096

struct dbot_verifier {
    EVP_PKEY *key;
};

static int
hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode exactly 2*n hex digits of s into out; s must end right there.
 * Stops at the first non-digit, so a short string's NUL ends the read. */
static int
hex_decode(const char *s, unsigned char *out, size_t n)
{
    if (!s)
        return DBOT_EINVAL;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(s[2 * i]), lo;

        if (hi < 0)
            return DBOT_EINVAL;
        lo = hex_val(s[2 * i + 1]);
        if (lo < 0)
            return DBOT_EINVAL;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return s[2 * n] == '\0' ? 0 : DBOT_EINVAL;
}

static int
key_parse(const char *hex, EVP_PKEY **out)
{
    unsigned char raw[KEY_LEN];
    int rc = hex_decode(hex, raw, sizeof raw);

    *out = NULL;
    if (rc < 0)
        return rc;
    *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, sizeof raw);
    if (!*out) {
        ERR_clear_error();
        return DBOT_EIO;
    }
    return 0;
}

/* 1 valid, 0 not, -1 OpenSSL failed. */
static int
ed25519_verify(EVP_PKEY *key, const unsigned char *sig, const unsigned char *m,
               size_t mlen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = -1;

    if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
        ok = EVP_DigestVerify(ctx, sig, SIG_LEN, m, mlen) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error(); /* a bad signature leaves an entry on some versions */
    return ok;
}

static int
check(EVP_PKEY *key, const char *timestamp, const void *body, size_t body_len,
      const char *signature_hex)
{
    unsigned char sig[SIG_LEN], stack[STACK_MSG], *m = stack;
    size_t tlen;
    int rc, ok;

    if (!timestamp || !*timestamp || (!body && body_len))
        return DBOT_EINVAL;
    rc = hex_decode(signature_hex, sig, sizeof sig);
    if (rc < 0)
        return rc;
    tlen = strlen(timestamp);
    if (body_len > SIZE_MAX - tlen)
        return DBOT_EINVAL;
    if (tlen + body_len > sizeof stack && !(m = malloc(tlen + body_len)))
        return DBOT_ENOMEM;
    memcpy(m, timestamp, tlen);
    if (body_len)
        memcpy(m + tlen, body, body_len);
    ok = ed25519_verify(key, sig, m, tlen + body_len);
    if (m != stack)
        free(m);
    return ok < 0 ? DBOT_EIO : ok ? 0 : DBOT_EBADSIG;
}

int
dbot_verify_signature(const char *public_key_hex, const char *timestamp,
                      const void *body, size_t body_len,
                      const char *signature_hex)
{
    EVP_PKEY *key;
    int rc = key_parse(public_key_hex, &key);

    if (rc < 0)
        return rc;
    rc = check(key, timestamp, body, body_len, signature_hex);
    EVP_PKEY_free(key);
    return rc;
}

int
dbot_verifier_new(dbot_verifier **out, const char *public_key_hex)
{
    dbot_verifier *v;
    int rc;

    if (!out)
        return DBOT_EINVAL;
    *out = NULL;
    v = malloc(sizeof *v);
    if (!v)
        return DBOT_ENOMEM;
    rc = key_parse(public_key_hex, &v->key);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    return 0;
}

int
dbot_verifier_check(const dbot_verifier *v, const char *timestamp,
                    const void *body, size_t body_len,
                    const char *signature_hex)
{
    if (!v)
        return DBOT_EINVAL;
    return check(v->key, timestamp, body, body_len, signature_hex);
}

void
dbot_verifier_free(dbot_verifier *v)
{
    if (!v)
        return;
    EVP_PKEY_free(v->key);
    free(v);
}
