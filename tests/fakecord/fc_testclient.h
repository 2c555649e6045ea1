/*
 * fc_testclient.h: what the fake's own tests use to talk to it: a minimal
 * websocket client (no dbot code, so the fake is checked on its own) and a
 * libcurl helper. Single-threaded: WSC_WAIT services the client's lws
 * context until a condition holds. Failures abort the test (check.h).
 */
#ifndef DBOT_TESTS_FC_TESTCLIENT_H
#define DBOT_TESTS_FC_TESTCLIENT_H

#include "fakecord.h"
#include "../check.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <zlib.h>
#include <zstd.h>

#define MAX_MSGS 256

/* Transport compression of a test connection (`compressed`). */
#define WSC_ZLIB 1 /* compress=zlib-stream */
#define WSC_ZSTD 2 /* compress=zstd-stream */

/* A gateway connection; every received gateway message is parsed into
 * msgs[] (decompressed per `compressed`: 0, WSC_ZLIB or WSC_ZSTD). */
struct wsc {
    struct lws_context *ctx;
    struct lws *wsi;
    lws_sorted_usec_list_t tick;
    int established, closed, failed;
    int peer_close_code;
    int compressed, zinit;
    z_stream zs;
    ZSTD_DStream *zds;
    unsigned char *zbuf; /* compressed bytes awaiting 00 00 ff ff */
    size_t zlen;
    unsigned char *frag; /* websocket message being reassembled */
    size_t flen;
    int ws_messages, binary_messages, text_messages;
    cJSON *msgs[MAX_MSGS];
    int n;
    char *tx[16];
    int ntx;
    int close_code; /* client close to send once tx is empty */
};

#define WSC_WAIT(w, cond, ms)                                     \
    do {                                                          \
        long long dlw_ = check_now_ms_() + check_timeout_ms_(ms); \
        while (!(cond)) {                                         \
            if (check_now_ms_() > dlw_)                           \
                CHECK_FAIL_("WSC_WAIT(%s) timed out", #cond);     \
            lws_service((w)->ctx, 0);                             \
        }                                                         \
    } while (0)

#define IDENTIFY(tok, intents)                                     \
    "{\"op\":2,\"d\":{\"token\":\"" tok "\",\"intents\":" #intents \
    ",\"properties\":{\"os\":\"linux\",\"browser\":\"t\",\"device\":\"t\"}}}"

/* Connect to 127.0.0.1:port/path (query included) and wait until open;
 * `compressed` (0, WSC_ZLIB, WSC_ZSTD) must match the query. */
void wsc_open(struct wsc *w, int port, const char *path, int compressed);
void wsc_free(struct wsc *w);
/* Queue a text message (sent from the writable callback). */
void wsc_send(struct wsc *w, const char *text);
/* Close with `code` and wait until closed. */
void wsc_close(struct wsc *w, int code);
/* Fields of received message i. */
int msg_op(const struct wsc *w, int i);
const char *msg_t(const struct wsc *w, int i);
int64_t msg_s(const struct wsc *w, int i);
const cJSON *msg_d(const struct wsc *w, int i);
/* Connect (compressed: 0, WSC_ZLIB or WSC_ZSTD), check Hello (45000 ms),
 * Identify, wait for READY and one GUILD_CREATE. Returns the session id
 * (caller frees). */
char *connect_identify(struct wsc *w, fakecord *fc, int compressed);
/* A fake with heartbeat_interval 45000 and other defaults. */
fakecord *fc_start_default(void);

/* One HTTP answer. */
struct resp {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
};

/* curl write callback filling a struct resp. */
size_t resp_on_body(char *p, size_t sz, size_t n, void *arg);
/* method path (after /api/v10) with Authorization `auth` (NULL: none) and
 * JSON `body` (NULL: none; "raw-no-type": "{}" without Content-Type).
 * Returns 0, or -1 on a transport error (r->status still set). */
int rest_call(fakecord *fc, const char *method, const char *path,
              const char *auth, const char *body, struct resp *r);

void fc_test_init(void);
void fc_test_cleanup(void);

#endif
