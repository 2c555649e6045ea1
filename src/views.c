/*
 * views.c: state attached to a message's components, and waits.
 *
 * DESIGN. A view has an id (a counter, never reused) and makes its
 * components' custom_ids as "dbot.v:<id>:<name>". The interaction layer
 * routes the reserved prefix here like any prefix route, so views need no
 * hook in routing and cannot collide with the bot's own custom_ids (the
 * public dbot_on_component refuses "dbot." ids). A view is found by id in
 * one map and, once its message is known, by message id in a second one
 * (for MESSAGE_DELETE). Timeouts and waits are timers on the loop's heap.
 *
 * A view ends once. Ending inside its own on_click (dbot_view_stop from
 * the handler, or a message deletion the handler caused) is deferred until
 * on_click returns, so the handler never runs on a freed view; the end
 * callback runs before the bound interaction is released, so on_end can
 * still edit the message through its token.
 */
#include "views.h"

#include "clock.h"
#include "interaction.h"
#include "log.h"
#include "loop.h"
#include "strmap.h"

#include <dbot/interaction_data.h>
#include <dbot/timer.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_PREFIX   "dbot.w:"
#define NAME_MAX_LEN  60
#define TOKEN_SAFE_MS (14 * 60 * 1000) /* edit through the token until */

static const char MSG_GONE[] = "This is no longer active.";
static const char MSG_NOT_YOURS[] = "This is not for you.";

struct dbot_view {
    struct dbot__strmap_node by_id; /* first */
    struct dbot__strmap_node by_msg;
    struct dbot__views *owner;
    uint64_t id;
    dbot_view_opts o;
    struct dbot__timer timeout;
    dbot_interaction *bound;
    uint64_t channel_id, message_id;
    int in_msg_map;
    /* the one wait */
    dbot_wait_fn wfn;
    void *wdata;
    uint64_t wuser;
    struct dbot__timer wtimer;
    int busy;        /* inside on_click or a wait's fn */
    int end_pending; /* a reason to end with once not busy */
    int ended;
};

struct modal_wait {
    struct dbot__strmap_node node; /* first */
    struct dbot__timer timer;
    struct dbot__views *owner;
    uint64_t user;
    dbot_wait_fn fn;
    void *data;
};

struct dbot__views {
    struct dbot__views_deps d;
    struct dbot__strmap views, by_msg, waits;
    uint64_t next_id;
    int closing;
};

static void view_end(dbot_view *v, int reason);

/* ---- helpers -------------------------------------------------------------
 */

static void
key_of(uint64_t id, char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu64, id);
}

static int
answer_gone(dbot_interaction *ix)
{
    int rc = dbot_interaction_reply_ephemeral(ix, MSG_GONE);

    LOG_D("view", "interaction on a view or wait that has ended: %s",
          dbot_interaction_custom_id(ix) ? dbot_interaction_custom_id(ix)
                                         : "?");
    dbot__interactions_report(ix, DBOT_ERROR_UNKNOWN, DBOT_ENOENT,
                              rc == 0 ? MSG_GONE : NULL, 0);
    return 0;
}

static void
learn_message(dbot_view *v, dbot_interaction *ix)
{
    const cJSON *json = dbot_interaction_json(ix);
    const cJSON *msg = dbot_ix_message(json);
    uint64_t mid =
        msg ? dbot_json_snowflake(cJSON_GetObjectItem(msg, "id")) : 0;

    if (mid && !v->message_id)
        dbot_view_set_message(v, dbot_ix_channel_id(json), mid);
}

/* ---- waits on a view -----------------------------------------------------
 */

/* Take the view's wait and tell its fn (ix NULL: it is over unanswered). */
static int
wait_finish(dbot_view *v, dbot_interaction *ix)
{
    dbot_wait_fn fn = v->wfn;
    void *data = v->wdata;

    if (!fn)
        return 0;
    v->wfn = NULL;
    dbot__loop_timer_disarm(v->owner->d.loop, &v->wtimer);
    return fn(v->owner->d.bot, ix, data);
}

static void
wait_timed_out(struct dbot__timer *t)
{
    dbot_view *v = lws_container_of(t, dbot_view, wtimer);

    v->busy++;
    wait_finish(v, NULL);
    v->busy--;
    if (v->end_pending && !v->busy)
        view_end(v, v->end_pending);
}

int
dbot_view_wait(dbot_view *v, uint64_t user_id, int64_t timeout_ms,
               dbot_wait_fn fn, void *data)
{
    if (!v || !fn || v->ended || timeout_ms < 1 ||
        timeout_ms > DBOT_TIMER_MAX_MS)
        return DBOT_EINVAL;
    DBOT__LOOP_CHECK_OR(v->owner->d.loop, DBOT_EWRONGTHREAD);
    if (v->wfn)
        return DBOT_EBUSY;
    dbot__timer_init(&v->wtimer, wait_timed_out);
    if (dbot__loop_timer_arm(v->owner->d.loop, &v->wtimer, timeout_ms) < 0)
        return DBOT_ENOMEM;
    v->wfn = fn;
    v->wdata = data;
    v->wuser = user_id;
    return 0;
}

/* ---- the life of a view --------------------------------------------------
 */

static void
view_timed_out(struct dbot__timer *t)
{
    view_end(lws_container_of(t, dbot_view, timeout), DBOT_VIEW_TIMEOUT);
}

static void
view_end(dbot_view *v, int reason)
{
    struct dbot__views *vs = v->owner;

    if (v->ended)
        return;
    if (v->busy) {
        if (!v->end_pending)
            v->end_pending = reason;
        return;
    }
    v->ended = 1;
    dbot__loop_timer_disarm(vs->d.loop, &v->timeout);
    dbot__strmap_remove(&vs->views, &v->by_id);
    if (v->in_msg_map)
        dbot__strmap_remove(&vs->by_msg, &v->by_msg);
    v->in_msg_map = 0;
    v->busy++; /* a stop from inside on_end is a no-op (ended) */
    wait_finish(v, NULL);
    if (v->o.on_end)
        v->o.on_end(v, reason, v->o.state);
    dbot_interaction_unref(v->bound);
    free(v);
}

int
dbot__views_create(struct dbot__views *vs, const dbot_view_opts *o,
                   dbot_view **out)
{
    dbot_view *v;
    char key[24];

    *out = NULL;
    if (o->timeout_ms < 0 || o->timeout_ms > DBOT_TIMER_MAX_MS)
        return DBOT_EINVAL;
    if (vs->closing)
        return DBOT_ESHUTDOWN;
    if (vs->views.n + vs->waits.n >= DBOT_VIEW_MAX)
        return DBOT_EBUSY;
    v = calloc(1, sizeof *v);
    if (!v)
        return DBOT_ENOMEM;
    v->owner = vs;
    v->o = *o;
    v->id = ++vs->next_id;
    dbot__timer_init(&v->timeout, view_timed_out);
    dbot__timer_init(&v->wtimer, wait_timed_out);
    key_of(v->id, key, sizeof key);
    if (dbot__strmap_insert(&vs->views, &v->by_id, key) < 0) {
        free(v);
        return DBOT_ENOMEM;
    }
    if (o->timeout_ms > 0 &&
        dbot__loop_timer_arm(vs->d.loop, &v->timeout, o->timeout_ms) < 0) {
        dbot__strmap_remove(&vs->views, &v->by_id);
        free(v);
        return DBOT_ENOMEM;
    }
    *out = v;
    return 0;
}

/* The route of "dbot.v:<id>:<name>". */
static int
view_route(dbot_interaction *ix, void *data)
{
    struct dbot__views *vs = data;
    const char *arg = dbot_interaction_route_arg(ix);
    const char *colon = strchr(arg, ':');
    char key[24];
    struct dbot__strmap_node *n;
    dbot_view *v;
    uint64_t user;
    int rc;

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof key)
        return answer_gone(ix);
    memcpy(key, arg, (size_t)(colon - arg));
    key[colon - arg] = '\0';
    n = dbot__strmap_find(&vs->views, key);
    if (!n)
        return answer_gone(ix);
    v = (dbot_view *)n;
    learn_message(v, ix);
    if (v->o.timeout_ms > 0)
        dbot__loop_timer_arm(vs->d.loop, &v->timeout, v->o.timeout_ms);
    user = dbot_ix_user_id(dbot_interaction_json(ix));
    v->busy++;
    if (v->wfn && (v->wuser == 0 || v->wuser == user))
        rc = wait_finish(v, ix);
    else if (v->o.on_click)
        rc = v->o.on_click(v, ix, colon + 1, v->o.state);
    else if (v->wfn)
        rc = dbot_interaction_reply_ephemeral(ix, MSG_NOT_YOURS);
    else
        rc = dbot_interaction_defer_update(ix);
    v->busy--;
    if (v->end_pending && !v->busy)
        view_end(v, v->end_pending);
    return rc;
}

/* ---- modal waits ---------------------------------------------------------
 */

static void
modal_wait_free(struct modal_wait *w)
{
    dbot__loop_timer_disarm(w->owner->d.loop, &w->timer);
    dbot__strmap_remove(&w->owner->waits, &w->node);
    free(w);
}

static void
modal_wait_timed_out(struct dbot__timer *t)
{
    struct modal_wait *w = lws_container_of(t, struct modal_wait, timer);
    dbot_wait_fn fn = w->fn;
    void *data = w->data;
    dbot *bot = w->owner->d.bot;

    modal_wait_free(w);
    fn(bot, NULL, data);
}

int
dbot__views_modal_wait(struct dbot__views *vs, uint64_t user_id,
                       int64_t timeout_ms, dbot_wait_fn fn, void *data,
                       char *custom_id, size_t len)
{
    struct modal_wait *w;
    char key[24];

    if (timeout_ms < 1 || timeout_ms > DBOT_TIMER_MAX_MS ||
        len < DBOT_CUSTOM_ID_LEN)
        return DBOT_EINVAL;
    if (vs->closing)
        return DBOT_ESHUTDOWN;
    if (vs->views.n + vs->waits.n >= DBOT_VIEW_MAX)
        return DBOT_EBUSY;
    w = calloc(1, sizeof *w);
    if (!w)
        return DBOT_ENOMEM;
    w->owner = vs;
    w->user = user_id;
    w->fn = fn;
    w->data = data;
    dbot__timer_init(&w->timer, modal_wait_timed_out);
    key_of(++vs->next_id, key, sizeof key);
    if (dbot__strmap_insert(&vs->waits, &w->node, key) < 0) {
        free(w);
        return DBOT_ENOMEM;
    }
    if (dbot__loop_timer_arm(vs->d.loop, &w->timer, timeout_ms) < 0) {
        modal_wait_free(w);
        return DBOT_ENOMEM;
    }
    snprintf(custom_id, len, WAIT_PREFIX "%s", key);
    return 0;
}

/* The route of "dbot.w:<id>" (modal submits). */
static int
wait_route(dbot_interaction *ix, void *data)
{
    struct dbot__views *vs = data;
    struct dbot__strmap_node *n =
        dbot__strmap_find(&vs->waits, dbot_interaction_route_arg(ix));
    struct modal_wait *w = (struct modal_wait *)n;
    dbot_wait_fn fn;
    void *wdata;

    if (!w ||
        (w->user && w->user != dbot_ix_user_id(dbot_interaction_json(ix))))
        return answer_gone(ix);
    fn = w->fn;
    wdata = w->data;
    modal_wait_free(w);
    return fn(vs->d.bot, ix, wdata);
}

/* ---- the module ----------------------------------------------------------
 */

int
dbot__views_new(struct dbot__views **out, const struct dbot__views_deps *d)
{
    struct dbot__views *vs = calloc(1, sizeof *vs);
    int rc;

    *out = NULL;
    if (!vs)
        return DBOT_ENOMEM;
    vs->d = *d;
    rc = dbot__interactions_route_add(d->ixs, DBOT__ROUTE_COMPONENT,
                                      DBOT_VIEW_ID_PREFIX, NULL, view_route,
                                      "view", vs);
    if (rc == 0)
        rc = dbot__interactions_route_add(d->ixs, DBOT__ROUTE_MODAL,
                                          DBOT_VIEW_ID_PREFIX, NULL, view_route,
                                          "view", vs);
    if (rc == 0)
        rc =
            dbot__interactions_route_add(d->ixs, DBOT__ROUTE_MODAL, WAIT_PREFIX,
                                         NULL, wait_route, "modal wait", vs);
    if (rc < 0) {
        free(vs);
        return rc;
    }
    *out = vs;
    return 0;
}

/* The first node of a map, or NULL (the map has no iterator). */
static struct dbot__strmap_node *
any_node(const struct dbot__strmap *m)
{
    for (size_t i = 0; i < m->cap && m->n; i++)
        if (m->tab[i])
            return m->tab[i];
    return NULL;
}

void
dbot__views_stop_all(struct dbot__views *vs)
{
    struct dbot__strmap_node *n;

    if (!vs)
        return;
    vs->closing = 1;
    /* By id, looked up again before each end: an on_end may stop other
     * views. A view busy in its handler ends when the handler returns. */
    if (vs->views.n) {
        uint64_t *ids = malloc(vs->views.n * sizeof *ids);
        size_t k = 0;

        for (size_t i = 0; ids && i < vs->views.cap; i++)
            for (n = vs->views.tab[i]; n; n = n->next)
                ids[k++] = ((dbot_view *)n)->id;
        for (size_t i = 0; i < k; i++) {
            char key[24];

            key_of(ids[i], key, sizeof key);
            n = dbot__strmap_find(&vs->views, key);
            if (n)
                view_end((dbot_view *)n, DBOT_VIEW_SHUTDOWN);
        }
        if (!ids) /* out of memory: one at a time, the slow way */
            while ((n = any_node(&vs->views)) != NULL &&
                   !((dbot_view *)n)->busy)
                view_end((dbot_view *)n, DBOT_VIEW_SHUTDOWN);
        free(ids);
    }
    while ((n = any_node(&vs->waits)) != NULL) {
        struct modal_wait *w = (struct modal_wait *)n;
        dbot_wait_fn fn = w->fn;
        void *data = w->data;

        modal_wait_free(w);
        fn(vs->d.bot, NULL, data);
    }
}

void
dbot__views_free(struct dbot__views *vs)
{
    if (!vs)
        return;
    dbot__views_stop_all(vs);
    dbot__strmap_free(&vs->views);
    dbot__strmap_free(&vs->by_msg);
    dbot__strmap_free(&vs->waits);
    free(vs);
}

static void
end_for_message(struct dbot__views *vs, const cJSON *id)
{
    char key[24];
    struct dbot__strmap_node *n;
    uint64_t mid = dbot_json_snowflake(id);

    if (!mid)
        return;
    key_of(mid, key, sizeof key);
    n = dbot__strmap_find(&vs->by_msg, key);
    if (n)
        view_end(lws_container_of(n, dbot_view, by_msg), DBOT_VIEW_DELETED);
}

void
dbot__views_on_event(struct dbot__views *vs, const char *name, const cJSON *d)
{
    const cJSON *id;

    if (!vs || !name || !vs->by_msg.n)
        return;
    if (strcmp(name, "MESSAGE_DELETE") == 0) {
        end_for_message(vs, cJSON_GetObjectItem(d, "id"));
    } else if (strcmp(name, "MESSAGE_DELETE_BULK") == 0) {
        cJSON_ArrayForEach(id, cJSON_GetObjectItem(d, "ids"))
            end_for_message(vs, id);
    }
}

size_t
dbot__views_live(const struct dbot__views *vs)
{
    return vs->views.n + vs->waits.n;
}

/* ---- the view's own public calls -----------------------------------------
 */

int
dbot_view_custom_id(const dbot_view *v, const char *name, char *buf, size_t len)
{
    size_t n = name ? strlen(name) : 0;
    int w;

    if (!v || !buf || n < 1 || n > NAME_MAX_LEN || strchr(name, ':'))
        return DBOT_EINVAL;
    w = snprintf(buf, len, DBOT_VIEW_ID_PREFIX "%" PRIu64 ":%s", v->id, name);
    return w < 0 || (size_t)w >= len ? DBOT_EINVAL : 0;
}

int
dbot_view_bind(dbot_view *v, dbot_interaction *ix)
{
    if (!v || !ix)
        return DBOT_EINVAL;
    DBOT__LOOP_CHECK_OR(v->owner->d.loop, DBOT_EWRONGTHREAD);
    if (v->bound)
        return DBOT_ESTATE;
    v->bound = dbot_interaction_ref(ix);
    return v->bound ? 0 : DBOT_EWRONGTHREAD;
}

int
dbot_view_set_message(dbot_view *v, uint64_t channel_id, uint64_t message_id)
{
    char key[24];

    if (!v || !channel_id || !message_id)
        return DBOT_EINVAL;
    DBOT__LOOP_CHECK_OR(v->owner->d.loop, DBOT_EWRONGTHREAD);
    if (v->in_msg_map)
        dbot__strmap_remove(&v->owner->by_msg, &v->by_msg);
    v->in_msg_map = 0;
    v->channel_id = channel_id;
    v->message_id = message_id;
    if (v->ended)
        return 0;
    key_of(message_id, key, sizeof key);
    /* A message carries one view: a newer one takes its place (the older
     * one lives on until its own end, but a deletion no longer finds it). */
    {
        struct dbot__strmap_node *old =
            dbot__strmap_find(&v->owner->by_msg, key);

        if (old) {
            lws_container_of(old, dbot_view, by_msg)->in_msg_map = 0;
            dbot__strmap_remove(&v->owner->by_msg, old);
        }
    }
    if (dbot__strmap_insert(&v->owner->by_msg, &v->by_msg, key) < 0)
        return DBOT_ENOMEM;
    v->in_msg_map = 1;
    return 0;
}

void
dbot_view_stop(dbot_view *v)
{
    if (!v)
        return;
    DBOT__LOOP_CHECK_OR(v->owner->d.loop, );
    view_end(v, DBOT_VIEW_STOPPED);
}

void *
dbot_view_state(const dbot_view *v)
{
    return v ? v->o.state : NULL;
}

dbot *
dbot_view_bot(const dbot_view *v)
{
    return v ? v->owner->d.bot : NULL;
}

uint64_t
dbot_view_message_id(const dbot_view *v)
{
    return v ? v->message_id : 0;
}

void
dbot__view_target(const dbot_view *v, dbot_interaction **ix,
                  uint64_t *channel_id, uint64_t *message_id)
{
    *ix = v->bound && dbot_interaction_age_ms(v->bound) < TOKEN_SAFE_MS
              ? v->bound
              : NULL;
    *channel_id = v->channel_id;
    *message_id = v->message_id;
}
