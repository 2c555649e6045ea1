/*
 * test_verify.c: Ed25519 interaction signatures (dbot/verify.h). Keys are
 * made and requests signed here with OpenSSL, as Discord would; RFC 8032
 * pins the answer independently of OpenSSL's signer.
 */
#include "../check.h"

#include <dbot/verify.h>

#include <openssl/evp.h>

#include <cjson/cJSON.h>

/* A signing key and its public half as the portal shows it. */
struct signer {
    EVP_PKEY *key;
    char pub_hex[65];
};

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void
signer_new(struct signer *s)
{
    unsigned char pub[32];
    size_t n = sizeof pub;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);

    s->key = NULL;
    ASSERT_TRUE(c);
    ASSERT_EQ(EVP_PKEY_keygen_init(c), 1);
    ASSERT_EQ(EVP_PKEY_keygen(c, &s->key), 1);
    EVP_PKEY_CTX_free(c);
    ASSERT_EQ(EVP_PKEY_get_raw_public_key(s->key, pub, &n), 1);
    ASSERT_EQ(n, 32);
    hex(pub, n, s->pub_hex);
}

/* Sign timestamp || body as Discord does; hex into sig_hex[129]. */
static void
sign(const struct signer *s, const char *ts, const char *body, size_t len,
     char *sig_hex)
{
    unsigned char sig[64], *m;
    size_t tl = strlen(ts), sl = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    m = malloc(tl + len + 1);
    ASSERT_TRUE(m && ctx);
    memcpy(m, ts, tl);
    memcpy(m + tl, body, len);
    ASSERT_EQ(EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->key), 1);
    ASSERT_EQ(EVP_DigestSign(ctx, sig, &sl, m, tl + len), 1);
    ASSERT_EQ(sl, 64);
    EVP_MD_CTX_free(ctx);
    free(m);
    hex(sig, sl, sig_hex);
}

static const char ts[] = "1716500000";
static const char body[] =
    "{\"type\": 2, \"id\": \"1234567890\",\n"
    "  \"application_id\": \"42\", \"data\": {\"name\": \"ping\"}}";

TEST(valid_signature_verifies)
{
    struct signer s;
    char sig[129], upper[129];
    dbot_verifier *v;

    signer_new(&s);
    sign(&s, ts, body, strlen(body), sig);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, strlen(body), sig), 0);
    /* Hex case does not matter. */
    for (size_t i = 0; i < sizeof upper; i++)
        upper[i] =
            (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, strlen(body), upper),
              0);
    ASSERT_EQ(dbot_verifier_new(&v, s.pub_hex), 0);
    ASSERT_EQ(dbot_verifier_check(v, ts, body, strlen(body), sig), 0);
    dbot_verifier_free(v);
    EVP_PKEY_free(s.key);
}

TEST(any_change_fails)
{
    struct signer s, other;
    char sig[129], copy[sizeof body], bad_sig[129];
    dbot_verifier *v;

    signer_new(&s);
    signer_new(&other);
    sign(&s, ts, body, strlen(body), sig);
    ASSERT_EQ(dbot_verifier_new(&v, s.pub_hex), 0);

    memcpy(copy, body, sizeof body);
    copy[10] ^= 1;
    ASSERT_EQ(dbot_verifier_check(v, ts, copy, strlen(copy), sig),
              DBOT_EBADSIG);
    /* One bit of the signature (its last hex digit's lowest bit). */
    memcpy(bad_sig, sig, sizeof sig);
    bad_sig[127] = bad_sig[127] == '0' ? '1' : '0';
    ASSERT_EQ(dbot_verifier_check(v, ts, body, strlen(body), bad_sig),
              DBOT_EBADSIG);
    /* A replayed body under a new timestamp. */
    ASSERT_EQ(dbot_verifier_check(v, "1716500001", body, strlen(body), sig),
              DBOT_EBADSIG);
    /* Truncated body; body alone without the timestamp. */
    ASSERT_EQ(dbot_verifier_check(v, ts, body, strlen(body) - 1, sig),
              DBOT_EBADSIG);
    /* Another application's key. */
    ASSERT_EQ(dbot_verify_signature(other.pub_hex, ts, body, strlen(body), sig),
              DBOT_EBADSIG);
    ASSERT_STREQ(dbot_err_name(DBOT_EBADSIG), "DBOT_EBADSIG");
    dbot_verifier_free(v);
    EVP_PKEY_free(s.key);
    EVP_PKEY_free(other.key);
}

/* Checklist item 14: the same JSON printed again is other bytes. */
TEST(reserialized_json_fails)
{
    struct signer s;
    char sig[129], *again;
    cJSON *j;

    signer_new(&s);
    sign(&s, ts, body, strlen(body), sig);
    j = cJSON_Parse(body);
    ASSERT_TRUE(j);
    again = cJSON_PrintUnformatted(j);
    ASSERT_TRUE(strcmp(again, body) != 0);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, again, strlen(again), sig),
              DBOT_EBADSIG);
    cJSON_free(again);
    /* Formatted printing, and the keys in another order. */
    again = cJSON_Print(j);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, again, strlen(again), sig),
              DBOT_EBADSIG);
    cJSON_free(again);
    cJSON_DeleteItemFromObject(j, "type");
    cJSON_AddNumberToObject(j, "type", 2);
    again = cJSON_PrintUnformatted(j);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, again, strlen(again), sig),
              DBOT_EBADSIG);
    cJSON_free(again);
    cJSON_Delete(j);
    /* The raw bytes still verify. */
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, strlen(body), sig), 0);
    EVP_PKEY_free(s.key);
}

/* RFC 8032 section 7.1, TEST 2: the one-byte message 0x72 ("r"), here
 * split as timestamp "r" and an empty body. */
TEST(rfc8032_known_answer)
{
    static const char pub[] =
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    static const char sig[] =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    ASSERT_EQ(dbot_verify_signature(pub, "r", NULL, 0, sig), 0);
    ASSERT_EQ(dbot_verify_signature(pub, "r", "", 0, sig), 0);
    ASSERT_EQ(dbot_verify_signature(pub, "s", NULL, 0, sig), DBOT_EBADSIG);
    ASSERT_EQ(dbot_verify_signature(pub, "r", "x", 1, sig), DBOT_EBADSIG);
}

/* RFC 8032 section 7.1, TEST 3: the two-byte message af 82, split as
 * timestamp "\xaf" and the one-byte body "\x82", through a verifier as
 * the endpoint uses it. */
TEST(rfc8032_known_answer_two_bytes)
{
    static const char pub[] =
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";
    static const char sig[] =
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a";
    dbot_verifier *v;

    ASSERT_EQ(dbot_verifier_new(&v, pub), 0);
    ASSERT_EQ(dbot_verifier_check(v, "\xaf", "\x82", 1, sig), 0);
    ASSERT_EQ(dbot_verifier_check(v, "\xaf\x82", NULL, 0, sig), 0);
    ASSERT_EQ(dbot_verifier_check(v, "\xaf", "\x83", 1, sig), DBOT_EBADSIG);
    dbot_verifier_free(v);
}

TEST(bad_input_is_einval)
{
    struct signer s;
    char sig[129], longer[131], key_bad[65];
    dbot_verifier *v = (dbot_verifier *)&s; /* must be reset to NULL */

    signer_new(&s);
    sign(&s, ts, body, strlen(body), sig);
    snprintf(longer, sizeof longer, "%s00", sig);
    memcpy(key_bad, s.pub_hex, sizeof key_bad);
    key_bad[5] = 'g';

    ASSERT_EQ(dbot_verify_signature(NULL, ts, body, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature("", ts, body, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(key_bad, ts, body, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature("abcd", ts, body, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, NULL, body, 3, sig),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, "", body, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, NULL, 3, sig), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, 3, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, 3, ""), DBOT_EINVAL);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, 3, longer),
              DBOT_EINVAL);
    longer[127] = '\0'; /* 127 digits: odd, one short */
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, 3, longer),
              DBOT_EINVAL);
    longer[0] = 'x';
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, body, 3, longer),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_verifier_new(&v, "zz"), DBOT_EINVAL);
    ASSERT_TRUE(v == NULL);
    ASSERT_EQ(dbot_verifier_new(NULL, s.pub_hex), DBOT_EINVAL);
    ASSERT_EQ(dbot_verifier_check(NULL, ts, body, 3, sig), DBOT_EINVAL);
    dbot_verifier_free(NULL);
    EVP_PKEY_free(s.key);
}

/* Above the stack buffer the message is joined on the heap. */
TEST(large_body_verifies)
{
    struct signer s;
    static char big[10000];
    char sig[129];

    signer_new(&s);
    memset(big, 'a', sizeof big);
    sign(&s, ts, big, sizeof big, sig);
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, big, sizeof big, sig), 0);
    big[sizeof big - 1] = 'b';
    ASSERT_EQ(dbot_verify_signature(s.pub_hex, ts, big, sizeof big, sig),
              DBOT_EBADSIG);
    EVP_PKEY_free(s.key);
}

int
main(void)
{
    RUN(valid_signature_verifies);
    RUN(any_change_fails);
    RUN(reserialized_json_fails);
    RUN(rfc8032_known_answer);
    RUN(rfc8032_known_answer_two_bytes);
    RUN(bad_input_is_einval);
    RUN(large_body_verifies);
    return 0;
}
