/*
 * bench_ix_pending.c: what a new interaction costs the loop when 10 or
 * 100,000 interactions are already pending (arrived, held by their
 * handlers, each with its 2 s deadline and 14 min abandon timers armed).
 * Issue 13's target: 100,000 pending cost a new one no more than 10 do.
 *
 * Each arrival is the whole loop-side path of INTERACTION_CREATE: the
 * replay guard, the copy of the JSON, both timers, routing and a handler
 * that keeps a reference (no answer is sent: the bench runs no loop and
 * makes no request). Beside it, in the same run, the comparison the heap
 * replaced: the same two deadlines armed as lws timers in lws's sorted
 * list with the same number pending. Medians of 5 batches of 2,000
 * arrivals. Prints one JSON line.
 */
#include "bot.h"
#include "interaction_impl.h"
#include "loop.h"

#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"

#define BATCH   2000
#define BATCHES 5
#define MANY    100000
#define LWS_OPS 200 /* lws arrivals measured (each walks the list) */

static dbot_interaction **held;
static size_t nheld, capheld;
static uint64_t next_id = 1000000;

static int
on_hold(dbot_interaction *ix, void *data)
{
    (void)data;
    if (nheld == capheld) {
        capheld = capheld ? capheld * 2 : 1024;
        held = realloc(held, capheld * sizeof *held);
        if (!held)
            abort();
    }
    held[nheld++] = dbot_interaction_ref(ix);
    return 0;
}

static void
arrive(struct dbot__interactions *ixs)
{
    char json[256];
    cJSON *d;

    snprintf(json, sizeof json,
             "{\"id\":\"%llu\",\"application_id\":\"42\",\"type\":2,"
             "\"token\":\"tok\",\"channel_id\":\"2\",\"data\":{\"id\":\"7\","
             "\"name\":\"hold\",\"type\":1},\"user\":{\"id\":\"3\"}}",
             (unsigned long long)next_id++);
    d = cJSON_Parse(json);
    if (!d)
        abort();
    dbot__interactions_on_event(ixs, d, NULL);
    cJSON_Delete(d);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Let go of the newest held interaction as if its handler had answered
 * (no request is sent: the bench has no Discord). */
static void
release_newest(void)
{
    dbot_interaction *ix = held[--nheld];

    ix->state = DBOT_IXS_DONE;
    dbot_interaction_unref(ix);
}

/* Median µs per arrival over BATCHES batches. With `keep` 0 each arrival
 * is let go of after the batch, untimed, so the number pending stays. */
static double
measure(struct dbot__interactions *ixs, int keep)
{
    double v[BATCHES];

    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_s();

        for (int i = 0; i < BATCH; i++)
            arrive(ixs);
        v[b] = (now_s() - t0) * 1e6 / BATCH;
        for (int i = 0; !keep && i < BATCH; i++)
            release_newest();
    }
    qsort(v, BATCHES, sizeof *v, cmp_double);
    return v[BATCHES / 2];
}

static void
never_sul(lws_sorted_usec_list_t *s)
{
    (void)s;
    abort();
}

/* lws's list with `n` interactions' two timers pending: µs to arm the
 * two timers of one more (deadline 2 s, abandon 14 min). */
static double
measure_lws(struct lws_context *ctx, int n)
{
    lws_sorted_usec_list_t *s =
        calloc((size_t)(2 * n + 2 * LWS_OPS), sizeof *s);
    double t0, us;

    if (!s)
        abort();
    /* The list arrivals leave: each one's timers 10 us later than the
     * previous one's. Filled from the latest down, abandon timers first
     * (each insert then lands at the head), since filling it in arrival
     * order is itself quadratic. */
    for (int i = n - 1; i >= 0; i--)
        lws_sul_schedule(ctx, 0, &s[2 * i + 1], never_sul,
                         (lws_usec_t)840000 * LWS_US_PER_MS + i * 10);
    for (int i = n - 1; i >= 0; i--)
        lws_sul_schedule(ctx, 0, &s[2 * i], never_sul,
                         (lws_usec_t)2000 * LWS_US_PER_MS + i * 10);
    t0 = now_s();
    for (int i = n; i < n + LWS_OPS; i++) {
        lws_sul_schedule(ctx, 0, &s[2 * i], never_sul,
                         (lws_usec_t)2000 * LWS_US_PER_MS + i * 10);
        lws_sul_schedule(ctx, 0, &s[2 * i + 1], never_sul,
                         (lws_usec_t)840000 * LWS_US_PER_MS + i * 10);
    }
    us = (now_s() - t0) * 1e6 / LWS_OPS;
    for (int i = 0; i < 2 * (n + LWS_OPS); i++)
        lws_sul_cancel(&s[i]);
    free(s);
    return us;
}

int
main(void)
{
    dbot *bot;
    struct dbot__interactions *ixs;
    double few, many, lws_few, lws_many;
    size_t timers_many;

    dbot_log_set_level(DBOT_LOG_ERROR);
    if (dbot_new_from_json(&bot, "{\"token\":\"abc.def.ghi\",\"api_url\":"
                                 "\"http://127.0.0.1:9/api/v10\","
                                 "\"log_level\":\"error\"}") < 0)
        return 1;
    dbot_log_set_level(DBOT_LOG_ERROR);
    if (dbot_on_command(bot, "hold", on_hold, NULL) < 0)
        return 1;
    ixs = dbot__bot_interactions(bot);
    for (int i = 0; i < 10; i++)
        arrive(ixs);
    measure(ixs, 0); /* warm-up */
    few = measure(ixs, 0);
    while (nheld < MANY)
        arrive(ixs);
    many = measure(ixs, 0);
    timers_many = 2 * nheld;
    lws_few = measure_lws(dbot__bot_lws(bot), 10);
    lws_many = measure_lws(dbot__bot_lws(bot), MANY);
    /* Let go without answering: a stopping bot sends nothing. */
    dbot_stop(bot);
    for (size_t i = 0; i < nheld; i++)
        dbot_interaction_unref(held[i]);
    free(held);
    dbot_free(bot);
    printf("{\"bench\":\"ix_pending\",\"what\":\"us of loop time per new "
           "interaction (arrival, replay guard, JSON copy, both timers, "
           "routing, a handler keeping a reference) with N pending, median "
           "of %d batches of %d\",",
           BATCHES, BATCH);
    printf("\"pending\":[10,%d],\"arrival_us\":[%.2f,%.2f],"
           "\"ratio_100k_over_10\":%.2f,\"timers_pending_at_100k\":%zu,",
           MANY, few, many, many / few, timers_many);
    printf("\"floor\":\"the same two deadlines as lws timers (the old way), "
           "same run: %.2f us at 10 pending, %.2f us at %d\","
           "\"lws_two_timers_us\":[%.2f,%.2f]}\n",
           lws_few, lws_many, MANY, lws_few, lws_many);
    return 0;
}
