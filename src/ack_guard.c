/*
 * ack_guard.c: the deadlines of gateway interactions on the gateway
 * thread (ack_guard.h).
 *
 * DESIGN. A record is shared by three holders, counted atomically: the
 * event carrying it to the loop (then the interaction there), the armed
 * deadline timer on the gateway thread's heap, and the guard's defer
 * request while it is in flight. Its state is one atomic int moved out of
 * OPEN once, by compare-and-swap; everything else is written before the
 * record is shared (id, token, type, receipt time) or belongs to one
 * thread (the timer and list links to the gateway thread; the bound
 * interaction to the loop). The defer's result is atomic because a defer
 * that could not be sent is reported from the gateway thread.
 */
#include "ack_guard.h"

#include "clock.h"
#include "log.h"
#include "loop.h"
#include "rest.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A token longer than this is not Discord's: no guard for it (the loop
 * refuses it as before). */
#define MAX_TOKEN 1024

/* Interaction types and the callback a late one gets. */
#define IX_COMMAND      2
#define IX_COMPONENT    3
#define IX_AUTOCOMPLETE 4
#define IX_MODAL        5
#define CB_DEFER        5
#define CB_DEFER_UPDATE 6
#define CB_CHOICES      8

struct dbot__ack {
    atomic_int state;
    atomic_int refs;
    atomic_int result; /* 0 unknown, 1 landed, -1 failed */
    struct dbot__ackg *g;
    struct dbot__ack *next; /* the guard's queue, gateway thread */
    uint64_t id;
    int type;
    int64_t t_recv;
    int64_t due; /* t_recv + deadline_ms */
    void *bound; /* loop thread */
    char token[];
};

/* Every record has the same deadline after its arrival, so arrival order
 * is deadline order: one FIFO and one timer, not a timer per interaction.
 * The timer runs at most every TICK_MS and handles every record due
 * before the next run, so a deferral goes out up to TICK_MS early, never
 * late. (A timer per interaction woke the thread once per interaction:
 * most of the thread's CPU at 1,000/s, when lws's timers still spun
 * through each wait's last fraction of a millisecond; see loop.c.) */
#define TICK_MS 100

struct dbot__ackg {
    struct dbot__ackg_deps d;
    struct dbot__ack *head, *tail; /* deadlines pending, oldest first */
    size_t n_armed;
    struct dbot__timer tick;
};

static void tick_cb(struct dbot__timer *t);
static void expire(struct dbot__ack *a);

int
dbot__ackg_new(struct dbot__ackg **out, const struct dbot__ackg_deps *d)
{
    struct dbot__ackg *g = calloc(1, sizeof *g);

    *out = NULL;
    if (!g)
        return DBOT_ENOMEM;
    g->d = *d;
    dbot__timer_init(&g->tick, tick_cb);
    *out = g;
    return 0;
}

static struct dbot__ack *
pop(struct dbot__ackg *g)
{
    struct dbot__ack *a = g->head;

    g->head = a->next;
    if (!g->head)
        g->tail = NULL;
    a->next = NULL;
    g->n_armed--;
    return a;
}

void
dbot__ackg_free(struct dbot__ackg *g)
{
    if (!g)
        return;
    dbot__loop_timer_disarm(g->d.loop, &g->tick);
    while (g->head)
        dbot__ack_unref(pop(g));
    free(g);
}

/* Handle every record due before the next run, then arm for the next. */
static void
tick_cb(struct dbot__timer *t)
{
    struct dbot__ackg *g = lws_container_of(t, struct dbot__ackg, tick);
    int64_t horizon = dbot__clock_ms() + TICK_MS;

    /* Strictly before: with the clock in whole ms, "<=" could send one
     * 101 ms early by the caller's clock. */
    while (g->head && g->head->due < horizon)
        expire(pop(g));
    if (g->head) {
        int64_t wait = g->head->due - TICK_MS - dbot__clock_ms();

        dbot__loop_timer_arm(g->d.loop, &g->tick,
                             wait > TICK_MS ? wait : TICK_MS);
    }
}

size_t
dbot__ackg_pending(const struct dbot__ackg *g)
{
    return g ? g->n_armed : 0;
}

/* The interaction's id, or 0 when "id" is not a snowflake string. */
static uint64_t
snowflake(const cJSON *v)
{
    const char *s = cJSON_GetStringValue(v);
    uint64_t n = 0;

    if (!s || !*s || strlen(s) > 20)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
            return 0;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    return n;
}

struct dbot__ack *
dbot__ackg_track(struct dbot__ackg *g, const cJSON *d)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
    const char *token =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "token"));
    uint64_t id = snowflake(cJSON_GetObjectItemCaseSensitive(d, "id"));
    struct dbot__ack *a;
    size_t len;
    int t;

    if (!g || g->d.deadline_ms <= 0 || !cJSON_IsNumber(type) || !id || !token)
        return NULL;
    t = type->valueint;
    if (t != IX_COMMAND && t != IX_COMPONENT && t != IX_AUTOCOMPLETE &&
        t != IX_MODAL)
        return NULL; /* PING, or a type the loop ignores */
    len = strlen(token);
    if (!len || len > MAX_TOKEN || !dbot__rest_token_ok(token))
        return NULL;
    a = calloc(1, sizeof *a + len + 1);
    if (!a)
        return NULL;
    memcpy(a->token, token, len + 1);
    a->g = g;
    a->id = id;
    a->type = t;
    a->t_recv = dbot__clock_ms();
    a->due = a->t_recv + g->d.deadline_ms;
    atomic_init(&a->state, DBOT__ACK_OPEN);
    atomic_init(&a->refs, 2); /* the caller's and the queue's */
    atomic_init(&a->result, 0);
    if (!dbot__timer_armed(&g->tick) &&
        dbot__loop_timer_arm(
            g->d.loop, &g->tick,
            g->d.deadline_ms > TICK_MS ? g->d.deadline_ms - TICK_MS : 0) < 0) {
        free(a);
        return NULL;
    }
    if (g->tail)
        g->tail->next = a;
    else
        g->head = a;
    g->tail = a;
    g->n_armed++;
    return a;
}

int
dbot__ack_claim(struct dbot__ack *a)
{
    int open = DBOT__ACK_OPEN;

    return atomic_compare_exchange_strong(&a->state, &open, DBOT__ACK_TAKEN) ||
           open == DBOT__ACK_TAKEN;
}

enum dbot__ack_state
dbot__ack_state(const struct dbot__ack *a)
{
    return (enum dbot__ack_state)atomic_load(&a->state);
}

int64_t
dbot__ack_received_ms(const struct dbot__ack *a)
{
    return a->t_recv;
}

int
dbot__ack_defer_result(const struct dbot__ack *a)
{
    return atomic_load(&a->result);
}

struct dbot__ack *
dbot__ack_ref(struct dbot__ack *a)
{
    atomic_fetch_add(&a->refs, 1);
    return a;
}

void
dbot__ack_unref(struct dbot__ack *a)
{
    if (a && atomic_fetch_sub(&a->refs, 1) == 1)
        free(a);
}

void
dbot__ack_bind(struct dbot__ack *a, void *owner)
{
    a->bound = owner;
}

void *
dbot__ack_bound(const struct dbot__ack *a)
{
    return a->bound;
}

/* ---- the guard's defer ------------------------------------------------- */

/* Bot loop thread (the REST client's deliver). */
static void
defer_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dbot__ack *a = arg;

    (void)bot;
    atomic_store(&a->result, res->err == 0 ? 1 : -1);
    if (res->err && res->err != DBOT_ECANCELED)
        LOG_E("interaction",
              "the deferral of interaction %" PRIu64 " failed: HTTP %d, "
              "code %d: %s",
              a->id, res->status, res->discord_code,
              res->message ? res->message : "");
    a->g->d.on_deferred(a->g->d.ud, a, res);
    dbot__ack_unref(a);
}

struct unsent {
    struct dbot__ack *a;
    int err;
};

static void
report_unsent(void *arg)
{
    struct unsent *u = arg;
    dbot_rest_result res = { .err = u->err, .body = "" };

    defer_done(NULL, &res, u->a);
    free(u);
}

/* The record's deadline came: defer it unless someone answered. */
static void
expire(struct dbot__ack *a)
{
    struct dbot__ackg *g = a->g;
    int open = DBOT__ACK_OPEN;
    cJSON *body;
    int rc;

    if (!atomic_compare_exchange_strong(&a->state, &open, DBOT__ACK_GUARD)) {
        dbot__ack_unref(a); /* answered in time */
        return;
    }
    /* The queue's reference goes to the request. */
    LOG_D("interaction",
          "interaction %" PRIu64 " unanswered %d ms after it arrived: "
          "deferring it from the gateway thread",
          a->id, g->d.deadline_ms);
    body = cJSON_CreateObject();
    if (body && a->type == IX_AUTOCOMPLETE) {
        /* Autocomplete cannot be deferred: no choices. */
        cJSON *data = cJSON_AddObjectToObject(body, "data");
        if (!cJSON_AddNumberToObject(body, "type", CB_CHOICES) || !data ||
            !cJSON_AddArrayToObject(data, "choices")) {
            cJSON_Delete(body);
            body = NULL;
        }
    } else if (body && !cJSON_AddNumberToObject(body, "type",
                                                a->type == IX_COMPONENT
                                                    ? CB_DEFER_UPDATE
                                                    : CB_DEFER)) {
        cJSON_Delete(body);
        body = NULL;
    }
    rc = body ? dbot__rest_interaction_callback(g->d.rest, a->id, a->token,
                                                body, defer_done, a)
              : DBOT_ENOMEM;
    cJSON_Delete(body);
    if (rc < 0) {
        struct unsent *u = malloc(sizeof *u);

        LOG_E("interaction", "cannot defer interaction %" PRIu64 ": %s", a->id,
              dbot_strerror(rc));
        if (u) {
            u->a = a;
            u->err = rc;
            if (g->d.post(g->d.post_ctx, report_unsent, u) == 0)
                return;
            free(u);
        }
        atomic_store(&a->result, -1);
        dbot__ack_unref(a);
    }
}
