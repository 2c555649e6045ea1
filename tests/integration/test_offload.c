/*
 * test_offload.c: dbot_interaction_offload() against the fake Discord:
 * acknowledgement within 3 s while every worker is busy, results edited
 * into @original, the ephemeral "busy" answer when the queue is full, the
 * deadline of a job that waited too long, answers that get through
 * Discord's 5xx exactly once, the watchdog naming a handler while it
 * blocks the loop, and every done callback run exactly once at shutdown.
 */
#include "harness.h"

#include <dbot/interaction.h>

#include <cjson/cJSON.h>

#include <errno.h>

static struct harness H;

static int
under_valgrind(void)
{
    const char *v = getenv("DBOT_UNDER_VALGRIND");

    return v && *v == '1';
}

static void
sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
}

/* Push /name with integer option n. */
static uint64_t
push_cmd(struct harness *h, const char *name, int n)
{
    char json[512];
    uint64_t id;

    snprintf(json, sizeof json,
             "{\"type\":2,\"channel_id\":\"5\",\"user\":{\"id\":\"42\","
             "\"username\":\"u\"},\"data\":{\"id\":\"7\",\"name\":\"%s\","
             "\"type\":1,\"options\":[{\"name\":\"n\",\"type\":4,"
             "\"value\":%d}]}}",
             name, n);
    id = fakecord_push_interaction(h->fc, json);
    ASSERT_NE(id, 0);
    return id;
}

static const char *
content_of(const cJSON *msg)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(msg, "content");

    return cJSON_IsString(c) ? c->valuestring : "";
}

static int
flags_of(const cJSON *body)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "data");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "flags");

    return cJSON_IsNumber(f) ? f->valueint : 0;
}

static void
assert_no_violations(struct harness *h)
{
    char *v = fakecord_violations(h->fc);

    ASSERT_STREQ(v, "");
    free(v);
    ASSERT_EQ(h_stats(h).violations, 0);
}

/* ---- handlers ---------------------------------------------------------- */

static atomic_int last_rc = 1;
static int job_ms = 200;

/* Worker: a slow job whose answer depends on the options. */
static void
slow_work(dbot_work *w)
{
    char text[64];
    int64_t n = dbot_option_int(dbot_work_options(w), "n", -1);

    sleep_ms(job_ms);
    snprintf(text, sizeof text, "result %lld for %llu", (long long)n,
             (unsigned long long)dbot_work_user_id(w));
    dbot_work_reply(w, text);
}

static int
on_slow(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, slow_work, NULL);
}

static void
gated_work(dbot_work *w)
{
    char text[64];

    h_gate_pass();
    snprintf(text, sizeof text, "gated %lld",
             (long long)dbot_option_int(dbot_work_options(w), "n", -1));
    dbot_work_reply(w, text);
}

static int
on_gated(dbot_interaction *ix, void *data)
{
    int rc = dbot_interaction_offload(ix, gated_work, data);

    atomic_store(&last_rc, rc);
    return rc;
}

static void
setup_slow(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "slow", on_slow, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "gated", on_gated, NULL), 0);
}

/* ---- (a) acknowledgement under load ------------------------------------- */

TEST(acks_stay_fast_while_every_worker_is_busy)
{
    int n = under_valgrind() ? 40 : 500;
    int per_sec = under_valgrind() ? 20 : 100;
    uint64_t *ids = calloc((size_t)n, sizeof *ids);
    struct timespec t0, t;
    double worst = 0;
    long long deadline;
    int upto = 0;

    ASSERT_TRUE(ids != NULL);
    job_ms = 200;
    /* 16 workers x 200 ms = 80 jobs/s against 100 interactions/s: the
     * queue grows for the whole run and no worker is ever idle. */
    h_start_with(&H, NULL, ",\"workers\":16,\"queue_size\":1024", setup_slow,
                 NULL);
    wait_ready(&H);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        long long ns =
            (long long)t0.tv_nsec + (long long)i * 1000000000LL / per_sec;

        t.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000LL);
        t.tv_nsec = (long)(ns % 1000000000LL);
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
               EINTR)
            ;
        ids[i] = push_cmd(&H, "slow", i);
    }
    /* Results land roughly in order: watch the oldest not yet edited. */
    deadline = check_now_ms_() + check_timeout_ms_(30000);
    while (upto < n) {
        if (h_ix_edits(&H, ids[upto]) > 0) {
            upto++;
            continue;
        }
        if (check_now_ms_() > deadline)
            CHECK_FAIL_("interaction %d of %d never edited", upto, n);
        sleep_ms(20);
    }
    for (int i = 0; i < n; i++) {
        struct fakecord_ix_log l = h_ix_log(&H, ids[i]);
        char want[64];

        snprintf(want, sizeof want, "result %d for 42", i);
        ASSERT_EQ(l.callbacks, 1);
        ASSERT_EQ(l.callback_type, 5);
        ASSERT_EQ(l.callback_status, 204);
        ASSERT_LE((long long)l.callback_ms, 2999);
        if (l.callback_ms > worst)
            worst = l.callback_ms;
        ASSERT_EQ(l.edits, 1);
        ASSERT_STREQ(content_of(l.last_edit), want);
        fakecord_ix_log_free(&l);
    }
    fprintf(stderr, "   %d interactions at %d/s: slowest ack %.0f ms\n", n,
            per_sec, worst);
    assert_no_violations(&H);
    h_teardown(&H);
    free(ids);
}

/* ---- (b) backpressure and deadlines -------------------------------------- */

static void
setup_busy(dbot *bot, void *arg)
{
    setup_slow(bot, arg);
    ASSERT_EQ(dbot_interaction_set_busy_message(bot, ""), DBOT_EINVAL);
    ASSERT_EQ(dbot_interaction_set_busy_message(bot, "Queue full, sorry!"), 0);
}

TEST(full_queue_answers_busy_ephemerally)
{
    uint64_t id[4];
    struct fakecord_ix_log l;

    h_gate_set(0);
    h_start_with(&H, NULL, ",\"workers\":1,\"queue_size\":2", setup_busy, NULL);
    wait_ready(&H);
    id[0] = push_cmd(&H, "gated", 0);
    WAIT_UNTIL(atomic_load(&h_gate_waiting) == 1, 10000); /* running */
    id[1] = push_cmd(&H, "gated", 1);
    WAIT_UNTIL(h_ix_callbacks(&H, id[1]) == 1, 10000);
    /* The handler stores its rc after the ack went out: wait for both. */
    atomic_store(&last_rc, 1);
    id[2] = push_cmd(&H, "gated", 2); /* the queue holds 2 */
    WAIT_UNTIL(h_ix_callbacks(&H, id[2]) == 1, 10000);
    WAIT_UNTIL(atomic_load(&last_rc) != 1, 10000);
    ASSERT_EQ(atomic_load(&last_rc), 0);
    atomic_store(&last_rc, 1);
    id[3] = push_cmd(&H, "gated", 3);
    WAIT_UNTIL(h_ix_callbacks(&H, id[3]) == 1, 10000);
    WAIT_UNTIL(atomic_load(&last_rc) != 1, 10000);
    ASSERT_EQ(atomic_load(&last_rc), DBOT_EBUSY);

    l = h_ix_log(&H, id[3]);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(flags_of(l.callback_body), 64);
    ASSERT_STREQ(
        content_of(cJSON_GetObjectItemCaseSensitive(l.callback_body, "data")),
        "Queue full, sorry!");
    fakecord_ix_log_free(&l);

    h_gate_set(1);
    for (int i = 0; i < 3; i++) {
        char want[32];

        WAIT_UNTIL(h_ix_edits(&H, id[i]) == 1, 10000);
        l = h_ix_log(&H, id[i]);
        snprintf(want, sizeof want, "gated %d", i);
        ASSERT_EQ(l.callback_type, 5);
        ASSERT_STREQ(content_of(l.last_edit), want);
        fakecord_ix_log_free(&l);
    }
    /* The busy one never ran: nothing edited it, and the handler's
     * DBOT_EBUSY did not earn it a second answer. */
    ASSERT_EQ(h_ix_edits(&H, id[3]), 0);
    ASSERT_EQ(h_ix_callbacks(&H, id[3]), 1);
    assert_no_violations(&H);
    h_teardown(&H);
}

static void
setup_deadline(dbot *bot, void *arg)
{
    setup_slow(bot, arg);
    ASSERT_EQ(dbot_interaction_set_offload_deadline(bot, -1), DBOT_EINVAL);
    ASSERT_EQ(dbot_interaction_set_offload_deadline(bot, 300), 0);
}

TEST(job_queued_past_its_deadline_is_dropped_and_user_told)
{
    uint64_t a, b;
    struct fakecord_ix_log l;

    h_gate_set(0);
    h_log_reset();
    h_start_with(&H, NULL, ",\"workers\":1,\"queue_size\":8", setup_deadline,
                 NULL);
    wait_ready(&H);
    a = push_cmd(&H, "gated", 0);
    WAIT_UNTIL(atomic_load(&h_gate_waiting) == 1, 10000);
    b = push_cmd(&H, "gated", 1);
    /* b waits behind a; 300 ms after it arrived it is dropped. */
    WAIT_UNTIL(h_ix_edits(&H, b) == 1, 10000);
    l = h_ix_log(&H, b);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_CONTAINS(content_of(l.last_edit), "could not get to this in time");
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("still queued at its deadline"));
    /* a was already running: it is never interrupted. */
    h_gate_set(1);
    WAIT_UNTIL(h_ix_edits(&H, a) == 1, 10000);
    l = h_ix_log(&H, a);
    ASSERT_STREQ(content_of(l.last_edit), "gated 0");
    fakecord_ix_log_free(&l);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- the STYLE.md shape: string options copied into the job ------------- */

/* The deprecated job readers (until 0.3, docs/api.md) read what the
 * dbot_option_* family reads; called on purpose, so their warning is off
 * here, as it is for the old name of the work-function type. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int
deprecated_readers_agree(const dbot_work *w)
{
    const dbot_options *o = dbot_work_options(w);

    return dbot_work_option_str(w, "topic", "life") ==
               dbot_option_str(o, "topic", "life") &&
           dbot_work_option_int(w, "topic", 4) == 4 &&
           dbot_work_option_num(w, "none", 0.5) == 0.5 &&
           dbot_work_option_bool(w, "none", 1) == 1;
}
#pragma GCC diagnostic pop

static void
fortune_work(dbot_work *w)
{
    char text[128];
    const char *topic = dbot_option_str(dbot_work_options(w), "topic", "life");

    snprintf(text, sizeof text, "On %s: wait for it.", topic);
    dbot_work_reply(w, deprecated_readers_agree(w) ? text : "old != new");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static const dbot_interaction_work_fn fortune_fn = fortune_work;
#pragma GCC diagnostic pop

static int
on_fortune(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, fortune_fn, NULL);
}

static void
setup_fortune(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "fortune", on_fortune, NULL), 0);
}

TEST(fortune_reads_its_options_on_the_worker)
{
    uint64_t a, b;
    struct fakecord_ix_log l;

    h_start_with(&H, NULL, "", setup_fortune, NULL);
    wait_ready(&H);
    a = fakecord_push_interaction(
        H.fc, "{\"type\":2,\"user\":{\"id\":\"1\"},\"data\":{\"name\":"
              "\"fortune\",\"type\":1,\"options\":[{\"name\":\"topic\","
              "\"type\":3,\"value\":\"cats\"}]}}");
    b = fakecord_push_interaction(
        H.fc, "{\"type\":2,\"user\":{\"id\":\"1\"},\"data\":{\"name\":"
              "\"fortune\",\"type\":1}}");
    ASSERT_NE(a, 0);
    ASSERT_NE(b, 0);
    WAIT_UNTIL(h_ix_edits(&H, a) == 1, 10000);
    WAIT_UNTIL(h_ix_edits(&H, b) == 1, 10000);
    l = h_ix_log(&H, a);
    ASSERT_STREQ(content_of(l.last_edit), "On cats: wait for it.");
    fakecord_ix_log_free(&l);
    l = h_ix_log(&H, b);
    ASSERT_STREQ(content_of(l.last_edit), "On life: wait for it.");
    fakecord_ix_log_free(&l);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- answers through Discord's 5xx, exactly once ------------------------ */

/* During incidents Discord answers 500/502/503/504 or drops the
 * connection, sometimes after doing the work. The user still sees "thinking..."
 * and then the answer, once each: the acknowledgement is resent (a 40060 to the
 * resend means the first one landed) and the edit of @original is resent
 * (idempotent). With the answer lost the fake sees the work twice, to the same
 * effect. */
TEST(answers_survive_5xx_exactly_once)
{
    /* status 0 with drop: the connection closes without an answer. */
    static const struct {
        int status, drop, lost; /* lost: the work done, its answer lost */
    } faults[] = {
        { 500, 0, 0 }, { 502, 0, 0 }, { 503, 0, 0 }, { 504, 0, 0 },
        { 500, 0, 1 }, { 502, 0, 1 }, { 503, 0, 1 }, { 504, 0, 1 },
        { 0, 1, 0 },   { 0, 1, 1 },
    };
    enum {
        NF = sizeof faults / sizeof faults[0]
    };
    uint64_t ids[NF];
    struct fakecord_ix_log l;

    h_start_with(&H, NULL, "", setup_fortune, NULL);
    wait_ready(&H);
    for (int i = 0; i < NF; i++) {
        struct fakecord_rest_rule rule = { 0 };

        rule.count = 1;
        rule.status = faults[i].status;
        rule.drop = faults[i].drop;
        rule.after_effect = faults[i].lost;
        rule.method = "POST";
        rule.path_prefix = "/interactions/";
        ASSERT_EQ(fakecord_rest_script(H.fc, &rule), 0);
        rule.method = "PATCH";
        rule.path_prefix = "/webhooks/";
        ASSERT_EQ(fakecord_rest_script(H.fc, &rule), 0);
        ids[i] = fakecord_push_interaction(
            H.fc, "{\"type\":2,\"user\":{\"id\":\"1\"},\"data\":{\"name\":"
                  "\"fortune\",\"type\":1}}");
        ASSERT_NE(ids[i], 0);
        WAIT_UNTIL(h_ix_edits(&H, ids[i]) == 1 + faults[i].lost, 10000);
    }
    /* Checked once everything is over: nothing arrived late or twice. */
    for (int i = 0; i < NF; i++) {
        l = h_ix_log(&H, ids[i]);
        ASSERT_EQ(l.callbacks, 1 + faults[i].lost);
        ASSERT_EQ(l.callback_type, 5);
        ASSERT_EQ(l.edits, 1 + faults[i].lost);
        ASSERT_EQ(l.followups, 0);
        ASSERT_STREQ(content_of(l.last_edit), "On life: wait for it.");
        fakecord_ix_log_free(&l);
    }
    ASSERT_TRUE(!h_log_has("failed"));
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- done callbacks, silent work, already acknowledged ------------------ */

static void
quiet_work(dbot_work *w)
{
    (void)w; /* stores nothing */
}

static int
on_quiet(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, quiet_work, NULL);
}

static void
then_done(dbot_interaction *ix, dbot_work *w, int status)
{
    char text[96];

    snprintf(text, sizeof text, "done %d: %s (%s)", status,
             content_of(dbot_work_result(w)), (const char *)dbot_work_data(w));
    ASSERT_EQ(dbot_interaction_reply(ix, text), 0);
}

static int
on_then(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload_then(ix, slow_work, then_done, "ctx");
}

static int
on_ack_first(dbot_interaction *ix, void *data)
{
    int rc;

    (void)data;
    rc = dbot_interaction_reply(ix, "working on it");
    if (rc < 0)
        return rc;
    return dbot_interaction_offload(ix, slow_work, NULL);
}

static void
setup_variants(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "quiet", on_quiet, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "then", on_then, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "ackfirst", on_ack_first, NULL), 0);
}

TEST(done_callback_silent_work_and_early_reply)
{
    uint64_t q, t, a;
    struct fakecord_ix_log l;

    job_ms = 20;
    h_start_with(&H, NULL, ",\"workers\":2", setup_variants, NULL);
    wait_ready(&H);
    q = push_cmd(&H, "quiet", 1);
    t = push_cmd(&H, "then", 2);
    a = push_cmd(&H, "ackfirst", 3);
    WAIT_UNTIL(h_ix_edits(&H, q) == 1, 10000);
    WAIT_UNTIL(h_ix_edits(&H, t) == 1, 10000);
    WAIT_UNTIL(h_ix_edits(&H, a) == 1, 10000);

    l = h_ix_log(&H, q); /* never silent: the user hears something */
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_CONTAINS(content_of(l.last_edit), "did not respond");
    fakecord_ix_log_free(&l);

    l = h_ix_log(&H, t); /* the done callback's reply became the edit */
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_STREQ(content_of(l.last_edit), "done 0: result 2 for 42 (ctx)");
    fakecord_ix_log_free(&l);

    l = h_ix_log(&H, a); /* answered first: no defer, the result edits it */
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_STREQ(content_of(l.last_edit), "result 3 for 42");
    fakecord_ix_log_free(&l);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- (c) the watchdog names a blocking handler while it blocks ---------- */

static atomic_int seen_while_blocked = -1;

static int
on_block(dbot_interaction *ix, void *data)
{
    long long t0 = check_now_ms_(), left;

    (void)data;
    /* Blocks the loop (what a handler must never do) until the watchdog
     * has said so, then on to 1.5 s. */
    atomic_store(&seen_while_blocked, h_log_wait("loop blocked", 5000));
    left = 1500 - (check_now_ms_() - t0);
    if (left > 0)
        sleep_ms((int)left);
    return dbot_interaction_reply(ix, "unblocked");
}

static void
setup_block(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "block", on_block, NULL), 0);
}

TEST(watchdog_names_the_blocking_handler_while_it_blocks)
{
    uint64_t id;
    struct fakecord_ix_log l;

    h_log_reset();
    h_start_with(&H, NULL, "", setup_block, NULL);
    wait_ready(&H);
    id = push_cmd(&H, "block", 0);
    WAIT_UNTIL(h_ix_callbacks(&H, id) == 1, 10000);
    ASSERT_EQ(atomic_load(&seen_while_blocked), 1);
    ASSERT_TRUE(h_log_has("in handler on_block (block)"));
    WAIT_UNTIL(h_log_has("loop recovered after"), 5000);
    ASSERT_TRUE(h_log_has("slow handler on_block"));
    l = h_ix_log(&H, id);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_LE((long long)l.callback_ms, 2999);
    fakecord_ix_log_free(&l);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- (d) shutdown with queued jobs ----------------------------------------
 */

#define SHUT_JOBS 40
static int shut_done[SHUT_JOBS];
static int shut_status[SHUT_JOBS];

static void
counted_done(dbot_interaction *ix, dbot_work *w, int status)
{
    int64_t n = dbot_option_int(dbot_work_options(w), "n", -1);

    ASSERT_TRUE(n >= 0 && n < SHUT_JOBS);
    shut_done[n]++;
    shut_status[n] = status;
    if (status == 0)
        dbot_interaction_reply(ix, content_of(dbot_work_result(w)));
}

static int
on_counted(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload_then(ix, slow_work, counted_done, NULL);
}

static void
setup_counted(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "counted", on_counted, NULL), 0);
}

TEST(shutdown_with_queued_jobs_runs_every_done_once)
{
    uint64_t ids[SHUT_JOBS];
    int ran = 0, canceled = 0;

    /* 2 workers x 300 ms jobs: 40 of them need 6 s, well over the 1 s
     * shutdown grace, so some run and the rest are cancelled. */
    job_ms = 300;
    memset(shut_done, 0, sizeof shut_done);
    h_start_with(&H, NULL, ",\"workers\":2,\"shutdown_grace_ms\":1000",
                 setup_counted, NULL);
    wait_ready(&H);
    for (int i = 0; i < SHUT_JOBS; i++)
        ids[i] = push_cmd(&H, "counted", i);
    for (int i = 0; i < SHUT_JOBS; i++)
        WAIT_UNTIL(h_ix_callbacks(&H, ids[i]) == 1, 10000);
    h_finish(&H, 1); /* dbot_free runs what is left */
    for (int i = 0; i < SHUT_JOBS; i++) {
        ASSERT_EQ(shut_done[i], 1);
        ASSERT_TRUE(shut_status[i] == 0 || shut_status[i] == DBOT_ECANCELED);
        ran += shut_status[i] == 0;
        canceled += shut_status[i] == DBOT_ECANCELED;
    }
    fprintf(stderr, "   at shutdown: %d ran, %d cancelled\n", ran, canceled);
    ASSERT_GE(canceled, 1);
    ASSERT_EQ(ran + canceled, SHUT_JOBS);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- argument checks
 * --------------------------------------------------------- */

/* The deprecated bare-array form (until 0.3, docs/api.md) still answers;
 * called on purpose, so its warning is off here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int
deprecated_autocomplete(dbot_interaction *ix, const cJSON *choices)
{
    return dbot_interaction_autocomplete(ix, choices);
}
#pragma GCC diagnostic pop

static int
on_autocomplete(dbot_interaction *ix, void *data)
{
    int rc = dbot_interaction_offload(ix, slow_work, NULL);
    cJSON *none = cJSON_CreateArray();

    (void)data;
    atomic_store(&last_rc, rc);
    rc = deprecated_autocomplete(ix, none);
    cJSON_Delete(none);
    return rc;
}

static void
setup_args(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_interaction_offload(NULL, slow_work, NULL), DBOT_EINVAL);
    ASSERT_EQ(dbot_interaction_set_busy_message(NULL, "x"), DBOT_EINVAL);
    ASSERT_EQ(dbot_interaction_set_offload_deadline(bot, 15 * 60 * 1000),
              DBOT_EINVAL);
    ASSERT_EQ(dbot_on_autocomplete(bot, "find", NULL, on_autocomplete, NULL),
              0);
}

TEST(autocomplete_cannot_be_offloaded)
{
    uint64_t id;

    atomic_store(&last_rc, 1);
    h_start_with(&H, NULL, "", setup_args, NULL);
    wait_ready(&H);
    id = fakecord_push_interaction(
        H.fc, "{\"type\":4,\"data\":{\"name\":\"find\",\"type\":1,"
              "\"options\":[{\"name\":\"q\",\"type\":3,\"value\":\"a\","
              "\"focused\":true}]}}");
    ASSERT_NE(id, 0);
    WAIT_UNTIL(h_ix_callbacks(&H, id) == 1, 10000);
    WAIT_UNTIL(atomic_load(&last_rc) != 1, 10000);
    ASSERT_EQ(atomic_load(&last_rc), DBOT_EINVAL);
    assert_no_violations(&H);
    h_teardown(&H);
}

/* ---- a stored answer over Discord's limits ------------------------------ */

static atomic_int store_rc = 1;

/* Stores a message one character over the content limit. */
static void
long_work(dbot_work *w)
{
    cJSON *m = cJSON_CreateObject();
    char *text = malloc(2002);

    memset(text, 'x', 2001);
    text[2001] = '\0';
    cJSON_AddStringToObject(m, "content", text);
    atomic_store(&store_rc, dbot_work_reply_json(w, m));
    cJSON_Delete(m);
    free(text);
}

static int
on_long_work(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, long_work, NULL);
}

static void
setup_long_work(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "longwork", on_long_work, NULL), 0);
}

/* The worker learns at once that its answer is over the limit, and the
 * user, instead of "thinking..." until the token dies (the edit would
 * fail at Discord), is told the command did not respond. */
TEST(stored_answer_over_the_limit_is_refused_and_user_told)
{
    struct fakecord_ix_log l;
    uint64_t id;

    atomic_store(&store_rc, 1);
    h_start_with(&H, NULL, "", setup_long_work, NULL);
    wait_ready(&H);
    id = push_cmd(&H, "longwork", 1);
    WAIT_UNTIL(h_ix_edits(&H, id) == 1, 10000);
    ASSERT_EQ(atomic_load(&store_rc), DBOT_ETOOBIG);
    l = h_ix_log(&H, id);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_CONTAINS(content_of(l.last_edit), "did not respond");
    fakecord_ix_log_free(&l);
    ASSERT_TRUE(h_log_has("content: longer than 2000 characters (2001)"));
    assert_no_violations(&H);
    h_teardown(&H);
}

int
main(void)
{
    RUN(acks_stay_fast_while_every_worker_is_busy);
    RUN(full_queue_answers_busy_ephemerally);
    RUN(fortune_reads_its_options_on_the_worker);
    RUN(answers_survive_5xx_exactly_once);
    RUN(job_queued_past_its_deadline_is_dropped_and_user_told);
    RUN(done_callback_silent_work_and_early_reply);
    RUN(watchdog_names_the_blocking_handler_while_it_blocks);
    RUN(shutdown_with_queued_jobs_runs_every_done_once);
    RUN(autocomplete_cannot_be_offloaded);
    RUN(stored_answer_over_the_limit_is_refused_and_user_told);
    free(h_logs);
    return 0;
}
