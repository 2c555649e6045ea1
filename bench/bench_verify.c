/*
 * bench_verify.c: cost of checking an interaction's signature. The floor
 * is OpenSSL's own Ed25519 verify with the key parsed once and the
 * message joined once; against it, dbot_verifier_check (key kept, hex
 * and join per call) and dbot_verify_signature (key parsed from hex per
 * call). Prints one JSON line.
 */
#include <dbot/verify.h>

#include <openssl/evp.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"

#define ROUNDS 3000

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int
main(void)
{
    static const char ts[] = "1716500000";
    static char body[1024], msg[sizeof ts + sizeof body];
    unsigned char pub[32], sig[64];
    char pub_hex[65], sig_hex[129];
    size_t pl = sizeof pub, sl = sizeof sig, ml, bl;
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *key = NULL, *pk;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    dbot_verifier *v;
    double t0, t1, t2, t3;
    int bad = 0;

    /* An interaction body of typical size. */
    bl = (size_t)snprintf(body, sizeof body,
                          "{\"type\":2,\"id\":\"1234567890123456789\","
                          "\"application_id\":\"42\",\"token\":\"%0600d\","
                          "\"data\":{\"name\":\"ping\"}}",
                          0);
    ml = (size_t)snprintf(msg, sizeof msg, "%s%s", ts, body);
    if (EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &key) != 1 ||
        EVP_PKEY_get_raw_public_key(key, pub, &pl) != 1 ||
        EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(ctx, sig, &sl, (unsigned char *)msg, ml) != 1)
        return 1;
    EVP_MD_CTX_free(ctx);
    hex(pub, pl, pub_hex);
    hex(sig, sl, sig_hex);
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, pl);
    if (!pk || dbot_verifier_new(&v, pub_hex) < 0)
        return 1;

    t0 = now_s();
    for (int i = 0; i < ROUNDS; i++) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();

        bad += EVP_DigestVerifyInit(c, NULL, NULL, NULL, pk) != 1 ||
               EVP_DigestVerify(c, sig, sl, (unsigned char *)msg, ml) != 1;
        EVP_MD_CTX_free(c);
    }
    t1 = now_s();
    for (int i = 0; i < ROUNDS; i++)
        bad += dbot_verifier_check(v, ts, body, bl, sig_hex) != 0;
    t2 = now_s();
    for (int i = 0; i < ROUNDS; i++)
        bad += dbot_verify_signature(pub_hex, ts, body, bl, sig_hex) != 0;
    t3 = now_s();
    if (bad) {
        fprintf(stderr, "bench_verify: %d verifications failed\n", bad);
        return 1;
    }
    printf(
        "{\"bench\":\"verify\",\"rounds\":%d,\"body_bytes\":%zu,"
        "\"floor_us\":%.2f,\"verifier_us\":%.2f,\"verify_signature_us\":%.2f,"
        "\"verifier_vs_floor\":%.3f,\"verify_signature_vs_floor\":%.3f}\n",
        ROUNDS, bl, (t1 - t0) * 1e6 / ROUNDS, (t2 - t1) * 1e6 / ROUNDS,
        (t3 - t2) * 1e6 / ROUNDS, (t2 - t1) / (t1 - t0), (t3 - t2) / (t1 - t0));
    dbot_verifier_free(v);
    EVP_PKEY_free(pk);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(kc);
    return 0;
}
