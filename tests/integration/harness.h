/*
 * harness.h: run a bot on its own thread against an in-process fakecord.
 *
 * The test thread drives the fake and waits on conditions; the bot thread
 * runs dbot_run(). Whatever the bot's handlers see is recorded under a
 * mutex so the test thread can assert on it. Every log line is captured too,
 * and the token must never appear in them.
 */
#ifndef DBOT_TESTS_HARNESS_H
#define DBOT_TESTS_HARNESS_H

#include "../check.h"
#include "../fakecord/fakecord.h"

#include <dbot/dbot.h>

#include <pthread.h>
#include <stdatomic.h>

#define H_TOKEN      "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.secret-token-for-tests"
#define H_MAX_EVENTS 4096

struct h_event {
    char name[48];
    int64_t seq;
    int shard;
    int i; /* d.i when present, else -1 */
};

struct harness {
    fakecord *fc;
    dbot *bot;
    pthread_t th;
    atomic_int running;
    int rc;

    pthread_mutex_t mu;
    struct h_event ev[H_MAX_EVENTS];
    int nev;
};

/* Every log line of the whole test binary. */
static pthread_mutex_t h_log_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t h_log_cv = PTHREAD_COND_INITIALIZER; /* a line came */
static char *h_logs;
static size_t h_logs_len, h_logs_cap;

static inline void
h_log_sink(const char *line, size_t len, void *data)
{
    (void)data;
    if (getenv("H_VERBOSE"))
        fwrite(line, 1, len, stderr);
    pthread_mutex_lock(&h_log_mu);
    if (h_logs_len + len + 1 > h_logs_cap) {
        size_t cap = h_logs_cap ? h_logs_cap * 2 : 1 << 16;
        while (cap < h_logs_len + len + 1)
            cap *= 2;
        h_logs = realloc(h_logs, cap);
        h_logs_cap = cap;
    }
    memcpy(h_logs + h_logs_len, line, len);
    h_logs_len += len;
    h_logs[h_logs_len] = '\0';
    pthread_cond_broadcast(&h_log_cv);
    pthread_mutex_unlock(&h_log_mu);
}

/* Wait until `needle` appears in the captured logs, for at most `ms`
 * (unscaled: callers that block the bot's loop need a firm cap). Any
 * thread, including the bot's own: the sink never waits for the waiter.
 * Returns 1 if it appeared. */
static inline int
h_log_wait(const char *needle, long long ms)
{
    struct timespec dl;
    int found;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)(ms / 1000);
    dl.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h_log_mu);
    while (!(found = h_logs && strstr(h_logs, needle) != NULL))
        if (pthread_cond_timedwait(&h_log_cv, &h_log_mu, &dl) != 0)
            break;
    if (!found)
        found = h_logs && strstr(h_logs, needle) != NULL;
    pthread_mutex_unlock(&h_log_mu);
    return found;
}

/* 1 if `needle` appears in the captured logs. */
static inline int
h_log_has(const char *needle)
{
    int found;

    pthread_mutex_lock(&h_log_mu);
    found = h_logs && strstr(h_logs, needle) != NULL;
    pthread_mutex_unlock(&h_log_mu);
    return found;
}

static inline void
h_log_reset(void)
{
    pthread_mutex_lock(&h_log_mu);
    h_logs_len = 0;
    if (h_logs)
        h_logs[0] = '\0';
    pthread_mutex_unlock(&h_log_mu);
}

static inline void
h_record(dbot *bot, const dbot_event *ev, void *data)
{
    struct harness *h = data;
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(ev->data, "i");

    (void)bot;
    pthread_mutex_lock(&h->mu);
    if (h->nev < H_MAX_EVENTS) {
        struct h_event *e = &h->ev[h->nev++];
        snprintf(e->name, sizeof e->name, "%s", ev->name);
        e->seq = ev->seq;
        e->shard = ev->shard_id;
        e->i = cJSON_IsNumber(i) ? i->valueint : -1;
    }
    pthread_mutex_unlock(&h->mu);
}

static inline int
h_count(struct harness *h, const char *name)
{
    int n = 0;

    pthread_mutex_lock(&h->mu);
    for (int k = 0; k < h->nev; k++)
        n += strcmp(h->ev[k].name, name) == 0;
    pthread_mutex_unlock(&h->mu);
    return n;
}

/* Dispatches named FAKECORD_BATCH/TEST_EVENT carry d.i; check that the
 * bot saw i = 0..n-1 exactly once each and in order. */
static inline void
h_assert_sequence(struct harness *h, const char *name, int n)
{
    int next = 0;

    pthread_mutex_lock(&h->mu);
    for (int k = 0; k < h->nev; k++) {
        if (strcmp(h->ev[k].name, name) != 0)
            continue;
        if (h->ev[k].i != next) {
            pthread_mutex_unlock(&h->mu);
            CHECK_FAIL_("%s: expected i=%d, got i=%d (seq %lld)", name, next,
                        h->ev[k].i, (long long)h->ev[k].seq);
        }
        next++;
    }
    pthread_mutex_unlock(&h->mu);
    ASSERT_EQ(next, n);
}

/* Push dispatches `name` with d = {"i": from .. to-1}, in order. */
static inline void
h_push_numbered(struct harness *h, const char *name, int from, int to)
{
    char d[64];

    for (int i = from; i < to; i++) {
        snprintf(d, sizeof d, "{\"i\":%d}", i);
        ASSERT_GE(fakecord_push_event(h->fc, name, d), 0);
    }
}

static inline struct fakecord_stats
h_stats(struct harness *h)
{
    struct fakecord_stats s;

    fakecord_stats(h->fc, &s);
    return s;
}

/* The fake's record of interaction `id`; free with fakecord_ix_log_free. */
static inline struct fakecord_ix_log
h_ix_log(struct harness *h, uint64_t id)
{
    struct fakecord_ix_log l;

    ASSERT_EQ(fakecord_interaction_log(h->fc, id, &l), 0);
    return l;
}

/* The fake's record of interaction `id` once it has at least `callbacks`
 * callbacks and `edits` edits (fails the test after 10 s). */
static inline struct fakecord_ix_log
h_ix_wait(struct harness *h, uint64_t id, int callbacks, int edits)
{
    struct fakecord_ix_log l;
    long long dl = check_now_ms_() + check_timeout_ms_(10000);

    for (;;) {
        struct timespec ts = { 0, 2000000 };

        memset(&l, 0, sizeof l);
        ASSERT_EQ(fakecord_interaction_log(h->fc, id, &l), 0);
        if (l.callbacks >= callbacks && l.edits >= edits)
            return l;
        fakecord_ix_log_free(&l);
        if (check_now_ms_() > dl)
            CHECK_FAIL_("interaction %llu: waited for %d callbacks and %d "
                        "edits",
                        (unsigned long long)id, callbacks, edits);
        nanosleep(&ts, NULL);
    }
}

static inline int
h_ix_edits(struct harness *h, uint64_t id)
{
    struct fakecord_ix_log l = h_ix_log(h, id);
    int n = l.edits;

    fakecord_ix_log_free(&l);
    return n;
}

static inline int
h_ix_callbacks(struct harness *h, uint64_t id)
{
    struct fakecord_ix_log l = h_ix_log(h, id);
    int n = l.callbacks;

    fakecord_ix_log_free(&l);
    return n;
}

/* A gate the test opens: jobs and handlers wait at it, so they block
 * exactly as long as the test needs, with no sleeps. */
static pthread_mutex_t h_gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t h_gate_cv = PTHREAD_COND_INITIALIZER;
static int h_gate_open;
static atomic_int h_gate_waiting; /* threads waiting at the gate now */

static inline void
h_gate_set(int open)
{
    pthread_mutex_lock(&h_gate_mu);
    h_gate_open = open;
    pthread_cond_broadcast(&h_gate_cv);
    pthread_mutex_unlock(&h_gate_mu);
}

static inline void
h_gate_pass(void)
{
    pthread_mutex_lock(&h_gate_mu);
    atomic_fetch_add(&h_gate_waiting, 1);
    while (!h_gate_open)
        pthread_cond_wait(&h_gate_cv, &h_gate_mu);
    atomic_fetch_sub(&h_gate_waiting, 1);
    pthread_mutex_unlock(&h_gate_mu);
}

static inline void *
h_bot_thread(void *arg)
{
    struct harness *h = arg;

    h->rc = dbot_run(h->bot);
    atomic_store(&h->running, 0);
    return NULL;
}

/* Start a fake (opts may be NULL) unless h->fc is already set. */
static inline void
h_start_fake(struct harness *h, const struct fakecord_opts *o)
{
    struct fakecord_opts d;

    if (!o) {
        memset(&d, 0, sizeof d);
        o = &d;
    }
    d = *o;
    if (!d.token)
        d.token = H_TOKEN;
    h->fc = fakecord_start(&d);
    ASSERT_TRUE(h->fc != NULL);
}

/* Build a bot pointing at the fake; `extra` is more JSON members
 * (",\"intents\":[...]") or "". Without `gateway_url` the bot asks
 * GET /gateway/bot for it, as with Discord. */
static inline void
h_new_bot_at(struct harness *h, int gateway_url, const char *extra)
{
    char json[2048], gw[256] = "";

    if (gateway_url)
        snprintf(gw, sizeof gw, "\"gateway_url\":\"%s\",",
                 fakecord_gateway_url(h->fc));
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",%s"
             "\"log_level\":\"%s\",\"reconnect_min_ms\":50,"
             "\"reconnect_max_ms\":400%s}",
             H_TOKEN, fakecord_api_url(h->fc), gw, "debug", extra ? extra : "");
    ASSERT_EQ(dbot_new_from_json(&h->bot, json), 0);
    ASSERT_EQ(dbot_on(h->bot, "*", h_record, h), 0);
}

static inline void
h_new_bot(struct harness *h, const char *extra)
{
    h_new_bot_at(h, 1, extra);
}

static inline void
h_run_bot(struct harness *h)
{
    atomic_store(&h->running, 1);
    ASSERT_EQ(pthread_create(&h->th, NULL, h_bot_thread, h), 0);
}

static inline void
h_start(struct harness *h, const struct fakecord_opts *o, const char *extra)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(h, o);
    h_new_bot(h, extra);
    h_run_bot(h);
}

/* h_start, with setup(h->bot, arg) run before the loop starts (routes,
 * settings: calls that are loop-thread only once dbot_run runs). */
static inline void
h_start_with(struct harness *h, const struct fakecord_opts *o,
             const char *extra, void (*setup)(dbot *bot, void *arg), void *arg)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(h, o);
    h_new_bot(h, extra);
    if (setup)
        setup(h->bot, arg);
    h_run_bot(h);
}

/* Wait for the bot thread to end by itself (fatal close) or stop it. */
static inline int
h_finish(struct harness *h, int stop)
{
    if (stop)
        dbot_stop(h->bot);
    WAIT_UNTIL(!atomic_load(&h->running), 10000);
    pthread_join(h->th, NULL);
    dbot_free(h->bot);
    h->bot = NULL;
    return h->rc;
}

static inline void
h_teardown(struct harness *h)
{
    char *v;

    if (h->bot)
        h_finish(h, 1);
    v = fakecord_violations(h->fc);
    if (v && *v) {
        fprintf(stderr, "fakecord violations:\n%s", v);
    }
    free(v);
    fakecord_stop(h->fc);
    h->fc = NULL;
    pthread_mutex_destroy(&h->mu);
    ASSERT_TRUE(!h_log_has(H_TOKEN));
}

#endif
