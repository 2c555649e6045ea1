/*
 * rest_request.h: one REST request and its curl transfer, shared by
 * rest.c (queueing, the thread, retries) and rest_request.c (building the
 * easy handle, reading the response, shaping the result). Private to the
 * REST module.
 */
#ifndef DBOT_SRC_REST_REQUEST_H
#define DBOT_SRC_REST_REQUEST_H

#include "ratelimit.h"
#include "rest.h"

#include <curl/curl.h>

#include <stdbool.h>

/* What every transfer needs from the client; immutable after new(). */
struct dbot__rest_conf {
    char *api_url;
    char *auth; /* "Authorization: Bot ..." or NULL; never
                   logged, not sent on token routes */
    char *user_agent;
    long connect_timeout_ms;
    long timeout_ms;
    bool tls_verify;
    char *ca_file;
    char *ca_dir; /* the hashed CA directory, looked up once (tls_ca.h) */
    size_t max_body;
};

struct dbot__rest_file_copy {
    char *filename;
    char *content_type;
    char *data; /* NULL when read from path */
    size_t len;
    char *path;
};

/* A request from submit to completion. Owned by the loop until it is in
 * the inbox, then by the REST thread, then by the delivered completion. */
struct dbot__rest_req {
    struct dbot__rl_req rl;      /* limiter link (first member) */
    struct dbot__rest_req *next; /* inbox / cancel list */
    struct dbot__rest_req *run_next, *run_prev; /* in-flight list */
    char method[8];
    char *path;                   /* may contain a token: never logged */
    char route[DBOT__RL_KEY_MAX]; /* "POST /channels/{id}/messages":
                                     loggable; the limiter's route key */
    char top[DBOT__RL_TOP_MAX];   /* the limiter's top id (may hash a token) */
    unsigned flags;               /* DBOT__RL_* */
    char *body;
    size_t body_len;
    char *reason; /* raw; encoded when the transfer is built */
    struct dbot__rest_file_copy *files;
    size_t nfiles;
    dbot__rest_cb cb;
    void *ud;
    dbot__deliver_fn deliver; /* NULL: the client's */
    void *deliver_ctx;
    int64_t submitted; /* ms, REST thread clock; rl.deadline follows */
    int attempts;      /* transfers started */
    int n429;
    bool idempotent; /* sending it twice has the effect of once: retried
                        after any 5xx or transport error */
    bool unclear;    /* an earlier attempt may have reached Discord */
    bool landed;     /* a retried interaction callback got 40060: the
                        earlier attempt took effect, so this succeeded */
    int sends;       /* times curl sent the current attempt: more than one
                        when it resent it by itself after its reused
                        connection died (then it may have arrived twice) */

    /* The current transfer; reset between attempts. */
    CURL *easy;
    struct curl_slist *hdrs;
    curl_mime *mime;
    char *resp;
    size_t resp_len, resp_cap;
    size_t max_body; /* copy of the client's bound */
    bool too_big;
    bool file_error;
    char h_bucket[64];
    char h_scope[16];
    int h_limit, h_remaining, h_global;
    double h_reset_after, h_retry_after;
    char errbuf[CURL_ERROR_SIZE];
};

/* Copy a call into a new request. Returns it, or NULL with *err set. */
struct dbot__rest_req *dbot__rest_req_new(const struct dbot__rest_call *c,
                                          dbot__rest_cb cb, void *ud, int *err);
void dbot__rest_req_free(struct dbot__rest_req *q);

/* Longest nonce dbot generates (Discord allows 25 characters). */
#define DBOT__REST_NONCE_LEN 16

/* Name: dbot__rest_req_prepare
 * Desc: decide whether q is idempotent, making a channel message so: a
 *       POST /channels/{id}/messages whose JSON body has no "nonce" gets
 *       `nonce` (copied into the body text, nothing else of it changes)
 *       and "enforce_nonce": true, so that Discord answers a resend with
 *       the message the first attempt created. REST thread, once per
 *       request, before its first attempt.
 * Returns: 0, or DBOT_ENOMEM (q unchanged). */
int dbot__rest_req_prepare(struct dbot__rest_req *q, const char *nonce);

/* Did the response in q->resp carry Discord error `code`? */
bool dbot__rest_req_has_code(const struct dbot__rest_req *q, int code);

/* Build q->easy for the next attempt, on `reuse` (an idle handle already
 * curl_easy_reset; taken over) or a new handle. Returns 0, or a DBOT_E*
 * error with q->errbuf explaining it. */
int dbot__rest_req_start(struct dbot__rest_req *q,
                         const struct dbot__rest_conf *conf, CURL *reuse);

/* Drop the current transfer (easy handle already removed from the multi). */
void dbot__rest_req_end_transfer(struct dbot__rest_req *q);

/* The limiter's view of the response; body-derived fields (429
 * retry_after, global) are parsed from q->resp. */
void dbot__rest_req_rl_resp(const struct dbot__rest_req *q, int status,
                            struct dbot__rl_resp *out);

/* A completion ready to hand to the loop: the callback plus its result. */
struct dbot__rest_done;

/* Shape the result of request q (status 0 for a transport error; err 0 to
 * derive it from status and body; msg NULL for the default message) and
 * take the response body from q. */
struct dbot__rest_done *dbot__rest_done_new(struct dbot__rest_req *q,
                                            int status, int err,
                                            const char *msg);
/* Run the callback and free (the deliver task). */
void dbot__rest_done_run(void *arg);
void dbot__rest_done_free(struct dbot__rest_done *d);
/* The error of a completion, and its message for logging. */
int dbot__rest_done_err(const struct dbot__rest_done *d, const char **msg);

#endif
