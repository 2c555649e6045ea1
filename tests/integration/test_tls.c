/*
 * test_tls.c: wss:// and https:// against the fake Discord serving TLS with
 * a certificate from a private test CA (tests/data/tls): verified when the
 * bot trusts that CA through ca_file, refused when it does not.
 *
 * libwebsockets 4.1 leaks the fake *server's* SSL_CTX when its vhost is
 * destroyed; tests/meson.build points LeakSanitizer at a suppression for
 * libcrypto in this binary only, and tests/valgrind.supp names the fake's
 * vhost creation. The bot's own (client) side is checked as everywhere.
 */
#include "harness.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

static struct harness H;

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
}

static void
start_tls_fake(struct harness *h)
{
    struct fakecord_opts o = {
        .tls_cert_file = DBOT_TEST_DATA "/tls/server.pem",
        .tls_key_file = DBOT_TEST_DATA "/tls/server.key",
    };

    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_log_reset();
    h_start_fake(h, &o);
}

/* wss:// and https:// with certificate verification on, trusting the
 * test CA through ca_file: REST (curl) and the gateway (lws) both verify. */
TEST(tls_with_verification)
{
    struct harness *h = &H;
    char json[1024];

    start_tls_fake(h);
    ASSERT_CONTAINS(fakecord_api_url(h->fc), "https://localhost:");
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\","
             "\"ca_file\":\"%s\"}",
             H_TOKEN, fakecord_api_url(h->fc), DBOT_TEST_DATA "/tls/ca.pem");
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    wait_ready(h);
    ASSERT_EQ(h_stats(h).identifies, 1);
    ASSERT_TRUE(!h_log_has("verification is OFF"));
    h_teardown(h);
}

/* Without the CA the certificate is refused: no identify ever leaves, the
 * bot keeps retrying and says why. */
TEST(tls_untrusted_certificate_is_refused)
{
    struct harness *h = &H;
    char json[1024];

    start_tls_fake(h);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
             "\"log_level\":\"debug\",\"reconnect_min_ms\":50,"
             "\"reconnect_max_ms\":100}",
             H_TOKEN, fakecord_api_url(h->fc), fakecord_gateway_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    h_run_bot(h);
    WAIT_UNTIL(h_log_has("(attempt 3)"), 10000);
    ASSERT_TRUE(h_log_has("connection failed"));
    ASSERT_EQ(h_stats(h).identifies, 0);
    h_teardown(h);
}

/* Without ca_file both clients trust the system's CAs, found on demand in
 * the hashed directory $SSL_CERT_DIR (tls_ca.h: the whole bundle is not
 * loaded up front). A directory holding only the test CA, under its
 * subject hash, is enough to verify the fake, whatever $SSL_CERT_FILE
 * says: REST (curl) asks GET /gateway/bot, the gateway (lws) connects. */
TEST(tls_verified_through_the_ca_directory)
{
    struct harness *h = &H;
    char json[1024], dir[] = "/tmp/dbot-test-cadir-XXXXXX", link[128];
    FILE *f = fopen(DBOT_TEST_DATA "/tls/ca.pem", "r");
    X509 *ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    ASSERT_TRUE(ca != NULL);
    fclose(f);
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(link, sizeof link, "%s/%08lx.0", dir, X509_subject_name_hash(ca));
    X509_free(ca);
    ASSERT_EQ(symlink(DBOT_TEST_DATA "/tls/ca.pem", link), 0);
    ASSERT_EQ(setenv("SSL_CERT_DIR", dir, 1), 0);
    ASSERT_EQ(setenv("SSL_CERT_FILE", "/nonexistent/bundle.pem", 1), 0);

    start_tls_fake(h);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\"}",
             H_TOKEN, fakecord_api_url(h->fc));
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
    h_run_bot(h);
    wait_ready(h);
    ASSERT_EQ(h_stats(h).identifies, 1);
    ASSERT_TRUE(!h_log_has("no system CA"));
    h_teardown(h);
    unlink(link);
    rmdir(dir);
}

/* One case per process (argv[1]): libwebsockets 4.1 misbehaves when a
 * TLS server context is torn down while another process-wide context
 * keeps using OpenSSL, so each case gets a fresh process. */
int
main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "";

    if (strcmp(which, "cadir") == 0) {
        RUN(tls_verified_through_the_ca_directory);
        free(h_logs);
        return 0;
    }
    if (strcmp(which, "untrusted") != 0)
        RUN(tls_with_verification);
    if (strcmp(which, "verified") != 0)
        RUN(tls_untrusted_certificate_is_refused);
    free(h_logs);
    return 0;
}
