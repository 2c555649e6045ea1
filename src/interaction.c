/*
 * interaction.c: one interaction's life, and the 3-second guarantee.
 *
 * DESIGN. An interaction is reference-counted: the dispatcher holds one
 * reference while the handler runs, every request in flight holds one, and
 * a handler that answers later holds its own. Its state moves
 *
 *   RECEIVED -> ACKNOWLEDGING -> ACKNOWLEDGED (reply, update, modal, choices)
 *   RECEIVED -> DEFERRING -> DEFERRED -> DONE  (defer, then edit @original)
 *
 * (an edit of an ACKNOWLEDGED answer also makes it DONE)
 *
 * and every transition happens before the request that causes it is sent,
 * so two initial responses can never both leave: whoever moves the state
 * out of RECEIVED first owns the initial response, and everyone after is
 * turned into an edit of @original or refused locally.
 *
 * The deadline timer (ack_deadline_ms after receipt) defers an interaction
 * still in RECEIVED. A reply that arrives while the defer is in flight is
 * parked and sent as an edit when the defer completes (Discord needs the
 * defer to finish first). When the last reference goes and nobody answered,
 * the user gets an error instead of "This interaction failed".
 */
#include "interaction_impl.h"
#include "clock.h"

#include "config.h"
#include "health.h"
#include "log.h"

#include <dbot/command.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Discord takes the initial response within 3 s of the interaction's
 * creation; a fallback sent later would only earn 10062. The margin
 * covers the gateway's delivery and the request's own trip. */
#define INITIAL_WINDOW_MS 2800

/* The fallback answers, in the user's language and naming what was used
 * (interaction_fallback.c). */
#define MSG_UNKNOWN   DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_UNKNOWN)
#define MSG_FAILED    DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_FAILED)
#define MSG_NO_ANSWER DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_NO_ANSWER)
#define MSG_STOPPING  DBOT__IX_FALLBACK(ix, DBOT_FALLBACK_STOPPING)

/* ---- helpers ------------------------------------------------------------ */

dbot *
dbot__ix_bot_of(const dbot_interaction *ix)
{
    return ix->owner->bot;
}

int
dbot__ix_stopping(const dbot_interaction *ix)
{
    return atomic_load(ix->owner->d.stopping) != 0;
}

static const struct dbot_config *
cfg_of(const dbot_interaction *ix)
{
    return ix->owner->d.cfg;
}

int
dbot__ix_expired(const dbot_interaction *ix)
{
    return dbot__clock_ms() - ix->t_recv >= ix->owner->token_life_ms;
}

static const char *
describe(const dbot_interaction *ix)
{
    if (ix->path)
        return ix->path;
    if (ix->custom_id)
        return ix->custom_id;
    return "interaction";
}

static void
record_ack(dbot_interaction *ix)
{
    struct dbot__ix_stats *st = &ix->owner->stats;
    int64_t ms = dbot__clock_ms() - ix->t_recv;
    int b = 0;

    while (b < DBOT__ACK_HIST_BUCKETS - 1 && ms >= ((int64_t)1 << b))
        b++;
    st->ack_ms_hist[b]++;
    st->acknowledged++;
    st->ack_ms_sum += ms;
    if (ms > st->ack_ms_max)
        st->ack_ms_max = ms;
}

cJSON *
dbot__ix_text_message(const char *content, int ephemeral)
{
    cJSON *m = cJSON_CreateObject();

    if (!m)
        return NULL;
    if (!cJSON_AddStringToObject(m, "content", content) ||
        (ephemeral && !cJSON_AddNumberToObject(m, "flags", FLAG_EPHEMERAL))) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

static void
ix_free(dbot_interaction *ix)
{
    if (ix->live_prev)
        ix->live_prev->live_next = ix->live_next;
    else if (ix->owner->live == ix)
        ix->owner->live = ix->live_next;
    if (ix->live_next)
        ix->live_next->live_prev = ix->live_prev;
    dbot__loop_timer_disarm(ix->owner->d.loop, &ix->deadline_timer);
    dbot__loop_timer_disarm(ix->owner->d.loop, &ix->abandon_timer);
    if (ix->ack) {
        dbot__ack_bind(ix->ack, NULL);
        dbot__ack_unref(ix->ack);
    }
    if (ix->transport.release)
        ix->transport.release(ix->transport.ud);
    cJSON_Delete(ix->parked_edit);
    dbot__json_clone_free(ix->json);
    free(ix->path);
    free(ix);
}

/* ---- initial response -----------------------------------------------------
 */

/* Did Discord refuse this response for what it said (a 4xx such as 50035
 * Invalid Form Body), so that another answer would still be taken? Not
 * after 40060 (the interaction is answered already), 10062/10015/50027 or
 * 401/404 (the token is dead), or a 429. */
static int
refused_for_its_body(const dbot_rest_result *res)
{
    return res->status >= 400 && res->status < 500 && res->status != 401 &&
           res->status != 404 && res->status != 429 &&
           res->discord_code != 40060 && res->discord_code != 10062 &&
           res->discord_code != 10015 && res->discord_code != 50027;
}

/* The error answer as an initial response: an ephemeral message, or for
 * autocomplete (which has no messages; text may be NULL) an empty choice
 * list. */
static int
send_error_initial(dbot_interaction *ix, const char *text)
{
    cJSON *d;
    int rc;

    if (ix->type == DBOT_IX_AUTOCOMPLETE) {
        d = cJSON_CreateObject();
        if (d && !cJSON_AddArrayToObject(d, "choices")) {
            cJSON_Delete(d);
            d = NULL;
        }
        rc = d ? dbot__ix_send_initial(ix, CB_AUTOCOMPLETE, d) : DBOT_ENOMEM;
    } else {
        d = dbot__ix_text_message(text, 1);
        rc = d ? dbot__ix_send_initial(ix, CB_MESSAGE, d) : DBOT_ENOMEM;
    }
    cJSON_Delete(d);
    return rc;
}

/* Discord refused the initial response and nothing acknowledged the
 * interaction: while the 3 s last, it still takes one, so the user gets
 * the error answer instead of "This interaction failed". Once only. */
static void
fall_back_initial(dbot_interaction *ix, const dbot_rest_result *res)
{
    int64_t age = dbot__clock_ms() - ix->t_recv;

    if (ix->fell_back || !refused_for_its_body(res) || dbot__ix_stopping(ix))
        return;
    if (age >= INITIAL_WINDOW_MS) {
        LOG_W("interaction",
              "%s (%" PRIu64 ") is %lld ms old: too late to send an error "
              "answer instead",
              describe(ix), ix->id, (long long)age);
        return;
    }
    ix->fell_back = 1;
    ix->state = DBOT_IXS_RECEIVED;
    if (send_error_initial(ix, MSG_FAILED) < 0) {
        ix->state = DBOT_IXS_FAILED;
        return;
    }
    ix->owner->stats.never_answered++;
    LOG_W("interaction",
          "told the user of %s (%" PRIu64 ") it failed, "
          "with an ephemeral error answer",
          describe(ix), ix->id);
    dbot__interactions_report(
        ix, DBOT_ERROR_REFUSED,
        res->discord_code ? res->discord_code : res->status, MSG_FAILED, 0);
}

static void
initial_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    dbot_interaction *ix = arg;
    int deferred = ix->state == DBOT_IXS_DEFERRING;

    (void)bot;
    if (res->err == 0) {
        record_ack(ix);
        ix->state = deferred ? DBOT_IXS_DEFERRED : DBOT_IXS_ACKNOWLEDGED;
        if (ix->parked_edit) {
            cJSON *edit = ix->parked_edit;
            ix->parked_edit = NULL;
            dbot__ix_send_edit(ix, edit);
            cJSON_Delete(edit);
        }
        dbot_interaction_unref(ix);
        return;
    }
    ix->state = DBOT_IXS_FAILED;
    if (res->err != DBOT_ECANCELED) {
        ix->owner->stats.failed++;
        LOG_E("interaction",
              "initial response to %s (%" PRIu64 ") failed after %lld ms: "
              "HTTP %d, code %d: %s",
              describe(ix), ix->id, (long long)(dbot__clock_ms() - ix->t_recv),
              res->status, res->discord_code, res->message ? res->message : "");
    }
    if (ix->parked_edit) {
        LOG_W("interaction", "dropping the edit of %s: no response to edit",
              describe(ix));
        cJSON_Delete(ix->parked_edit);
        ix->parked_edit = NULL;
    }
    if (res->err != DBOT_ECANCELED)
        fall_back_initial(ix, res);
    dbot_interaction_unref(ix);
}

/* Move out of RECEIVED and send the one initial response. `data` may be
 * NULL (defers). The state changes first: this is the only place that
 * sends a callback. */
int
dbot__ix_send_initial(dbot_interaction *ix, int type, const cJSON *data)
{
    return dbot__ix_send_initial_files(ix, type, data, NULL, 0);
}

/* With files, the callback goes multipart through the same route (the REST
 * client classifies it by its path: 3-second deadline, own lane). */
static int
send_callback(dbot_interaction *ix, const cJSON *body,
              const dbot_rest_file *files, size_t n)
{
    dbot_rest_opts o = { .files = files, .nfiles = n };
    size_t len;
    char *path;
    int rc;

    if (!n)
        return dbot__rest_interaction_callback(
            ix->owner->d.rest, ix->id, ix->token, body, initial_done, ix);
    len = strlen(ix->token) + 64;
    if (!(path = malloc(len)))
        return DBOT_ENOMEM;
    snprintf(path, len, "/interactions/%" PRIu64 "/%s/callback", ix->id,
             ix->token);
    rc = dbot__rest_ex(ix->owner->d.rest, "POST", path, body, &o, initial_done,
                       ix);
    free(path);
    return rc;
}

/* The guard took the initial response between the caller's look at the
 * state and our claim: do what the caller would have done had it seen
 * the guard's defer (a message becomes an edit of @original). */
static int
answer_after_guard(dbot_interaction *ix, int type, const cJSON *data,
                   const dbot_rest_file *files, size_t n)
{
    dbot__ix_sync(ix);
    switch (type) {
    case CB_DEFER:
    case CB_DEFER_UPDATE:
        return 0; /* deferred already */
    case CB_MESSAGE:
    case CB_UPDATE:
        if (!n)
            return dbot__ix_answer(ix, type, data, "reply");
        if (ix->state == DBOT_IXS_DEFERRED)
            return dbot_interaction_original_edit_files(ix, data, files, n);
        /* fall through */
    default:
        return dbot__ix_refuse(ix, DBOT_ESTATE, "answer after the deferral");
    }
}

int
dbot__ix_send_initial_files(dbot_interaction *ix, int type, const cJSON *data,
                            const dbot_rest_file *files, size_t n)
{
    cJSON *body;
    int rc;

    if (ix->state != DBOT_IXS_RECEIVED)
        return DBOT_ESTATE;
    /* The one initial response: taken from the gateway thread's guard,
     * which sends the deferral when nobody answered in time. */
    if (ix->ack && !dbot__ack_claim(ix->ack))
        return answer_after_guard(ix, type, data, files, n);
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddNumberToObject(body, "type", type) ||
        (data &&
         !cJSON_AddItemToObject(body, "data", cJSON_Duplicate(data, 1)))) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    ix->state = (type == CB_DEFER || type == CB_DEFER_UPDATE)
                    ? DBOT_IXS_DEFERRING
                    : DBOT_IXS_ACKNOWLEDGING;
    ix->silent_defer = type == CB_DEFER_UPDATE;
    dbot__loop_timer_disarm(ix->owner->d.loop, &ix->deadline_timer);
    dbot_interaction_ref(ix);
    if (ix->transport.respond && !n) {
        rc = ix->transport.respond(ix->transport.ud, body, initial_done, ix);
    } else {
        /* Files go multipart through REST, over HTTP too (the request is
         * then answered 202: the response came through the API). */
        rc = send_callback(ix, body, files, n);
        if (rc == 0 && ix->transport.elsewhere)
            ix->transport.elsewhere(ix->transport.ud);
    }
    cJSON_Delete(body);
    if (rc < 0) {
        ix->state = DBOT_IXS_FAILED;
        dbot_interaction_unref(ix);
    }
    return rc;
}

/* ---- edits and followups --------------------------------------------------
 */

void
dbot__ix_later_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dbot__ix_later *l = arg;

    (void)bot;
    if (res->err && res->err != DBOT_ECANCELED)
        LOG_W("interaction",
              "%s of %s (%" PRIu64 ") failed: HTTP %d, code "
              "%d: %s",
              l->what, describe(l->ix), l->ix->id, res->status,
              res->discord_code, res->message ? res->message : "");
    dbot_interaction_unref(l->ix);
    free(l);
}

static struct dbot__ix_later *
later_new(dbot_interaction *ix, const char *what)
{
    struct dbot__ix_later *l = malloc(sizeof *l);

    if (!l)
        return NULL;
    l->ix = dbot_interaction_ref(ix);
    l->what = what;
    l->completes_defer = 0;
    return l;
}

int
dbot__ix_later_fail(struct dbot__ix_later *l, int rc)
{
    dbot_interaction_unref(l->ix);
    free(l);
    return rc;
}

/* Followups, their edits and deletes: allowed once the response landed. */
struct dbot__ix_later *
dbot__ix_followup_later(dbot_interaction *ix, const char *what, int *rc)
{
    struct dbot__ix_later *l;

    *rc = 0;
    if (dbot__ix_expired(ix))
        *rc = dbot__ix_refuse(ix, DBOT_EEXPIRED, what);
    else if (ix->state != DBOT_IXS_ACKNOWLEDGED &&
             ix->state != DBOT_IXS_DEFERRED && ix->state != DBOT_IXS_DONE)
        *rc = dbot__ix_refuse(ix, DBOT_ESTATE, what);
    if (*rc)
        return NULL;
    l = later_new(ix, what);
    if (!l)
        *rc = DBOT_ENOMEM;
    return l;
}

/* An error for a user who saw the interaction deferred. After a silent
 * defer (type 6, a component's) @original is the message the component
 * sits on, which an edit would overwrite: the error is an ephemeral
 * followup then; otherwise it replaces "thinking...". */
static int
error_after_defer(dbot_interaction *ix, const char *text)
{
    cJSON *m = dbot__ix_text_message(text, ix->silent_defer);
    int rc = DBOT_ENOMEM;

    if (m && ix->silent_defer) {
        rc = dbot_interaction_followup_json(ix, m);
        if (rc == 0)
            ix->state = DBOT_IXS_DONE; /* answered: nobody waits any more */
    } else if (m) {
        rc = dbot__ix_send_edit(ix, m);
    }
    cJSON_Delete(m);
    return rc;
}

/* An edit that answers a deferred interaction was refused for what it
 * said: tell the user, once. After a type 5 defer the error text replaces
 * "thinking...", which would otherwise stay until the token dies; after a
 * type 6 (a component's silent defer) @original is the message the
 * component sits on, which must not be overwritten, so the error is an
 * ephemeral followup. */
static void
edit_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dbot__ix_later *l = arg;
    dbot_interaction *ix = dbot_interaction_ref(l->ix);
    int fall_back = res->err && res->err != DBOT_ECANCELED &&
                    l->completes_defer && !ix->fell_back &&
                    refused_for_its_body(res) && !dbot__ix_expired(ix) &&
                    !dbot__ix_stopping(ix);

    dbot__ix_later_done(bot, res, arg); /* logs the failure; frees l */
    if (fall_back) {
        int rc;

        ix->fell_back = 1;
        rc = error_after_defer(ix, MSG_FAILED);
        if (rc == 0) {
            ix->owner->stats.never_answered++;
            LOG_W("interaction",
                  "told the user of %s (%" PRIu64 ") it failed, %s",
                  describe(ix), ix->id,
                  ix->silent_defer ? "in an ephemeral followup"
                                   : "in place of \"thinking...\"");
            dbot__interactions_report(ix, DBOT_ERROR_REFUSED,
                                      res->discord_code ? res->discord_code
                                                        : res->status,
                                      MSG_FAILED, 0);
        }
    }
    dbot_interaction_unref(ix);
}

int
dbot__ix_send_edit(dbot_interaction *ix, const cJSON *data)
{
    struct dbot__ix_later *l = later_new(ix, "edit of the original response");
    int rc;

    if (!l)
        return DBOT_ENOMEM;
    l->completes_defer = ix->state == DBOT_IXS_DEFERRED;
    ix->state = DBOT_IXS_DONE;
    rc = dbot__rest_interaction_original_edit(ix->owner->d.rest, ix->app_id,
                                              ix->token, data, edit_done, l);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

int
dbot__ix_refuse(dbot_interaction *ix, int rc, const char *what)
{
    ix->owner->stats.refused_locally++;
    LOG_E("interaction", "%s on %s (%" PRIu64 ") refused: %s", what,
          describe(ix), ix->id,
          rc == DBOT_EEXPIRED ? "the 15-minute token has expired"
                              : "it was already answered; use "
                                "dbot_interaction_followup() or "
                                "dbot_interaction_original_edit()");
    return rc;
}

/* A message answer (reply or update) in whatever state we are in. */
int
dbot__ix_answer(dbot_interaction *ix, int type, const cJSON *data,
                const char *what)
{
    dbot__ix_sync(ix);
    if (dbot__ix_expired(ix))
        return dbot__ix_refuse(ix, DBOT_EEXPIRED, what);
    switch (ix->state) {
    case DBOT_IXS_RECEIVED:
        return dbot__ix_send_initial(ix, type, data);
    case DBOT_IXS_DEFERRING:
        if (ix->parked_edit)
            return dbot__ix_refuse(ix, DBOT_ESTATE, what);
        /* The defer is in flight: edit once it lands. */
        ix->parked_edit = cJSON_Duplicate(data, 1);
        return ix->parked_edit ? 0 : DBOT_ENOMEM;
    case DBOT_IXS_DEFERRED:
        return dbot__ix_send_edit(ix, data);
    default:
        return dbot__ix_refuse(ix, DBOT_ESTATE, what);
    }
}

/* ---- deadlines ------------------------------------------------------------
 */

/* The guard deferred `ix` (or is deferring it): take that on. */
static void
adopt_guard_answer(dbot_interaction *ix)
{
    int result = dbot__ack_defer_result(ix->ack);
    int choices = ix->type == DBOT_IX_AUTOCOMPLETE;

    ix->owner->stats.auto_deferred++;
    dbot__loop_timer_disarm(ix->owner->d.loop, &ix->deadline_timer);
    LOG_W("interaction",
          "handler %s has not answered %s (%" PRIu64 ") after %d ms: "
          "%s it; %s. Move slow work to dbot_interaction_offload()",
          ix->handler ? ix->handler : "(none)", describe(ix), ix->id,
          cfg_of(ix)->ack_deadline_ms,
          choices ? "answered no choices to" : "the gateway thread deferred",
          choices ? "its own answer comes too late"
                  : "its reply will edit the original response");
    ix->silent_defer = ix->type == DBOT_IX_COMPONENT;
    if (result < 0) {
        ix->state = DBOT_IXS_FAILED;
        return;
    }
    if (result > 0) {
        record_ack(ix);
        ix->state = choices ? DBOT_IXS_ACKNOWLEDGED : DBOT_IXS_DEFERRED;
        return;
    }
    /* In flight: its answer (dbot__interactions_on_deferred) finishes the
     * move, as a defer of ours would in initial_done, and holds a
     * reference until then. */
    ix->state = choices ? DBOT_IXS_ACKNOWLEDGING : DBOT_IXS_DEFERRING;
    ix->guard_pending = 1;
    dbot_interaction_ref(ix);
}

void
dbot__ix_sync(dbot_interaction *ix)
{
    if (ix->ack && ix->state == DBOT_IXS_RECEIVED &&
        dbot__ack_state(ix->ack) == DBOT__ACK_GUARD)
        adopt_guard_answer(ix);
}

void
dbot__interactions_on_deferred(struct dbot__interactions *ixs,
                               struct dbot__ack *a, const dbot_rest_result *res)
{
    dbot_interaction *ix = dbot__ack_bound(a);

    (void)ixs;
    if (!ix)
        return; /* not arrived yet (arrival reads the result) or gone */
    if (!ix->guard_pending) {
        dbot__ix_sync(ix); /* it never looked: adopt the result now */
        return;
    }
    ix->guard_pending = 0;
    /* The same ending as our own initial response's: parked edits go,
     * a failure is logged and counted; drops the reference. */
    initial_done(dbot__ix_bot_of(ix), res, ix);
}

static void
deadline_cb(struct dbot__timer *t)
{
    dbot_interaction *ix =
        lws_container_of(t, dbot_interaction, deadline_timer);
    int64_t age = dbot__clock_ms() - ix->t_recv;

    if (ix->state != DBOT_IXS_RECEIVED)
        return;
    ix->owner->stats.auto_deferred++;
    LOG_W("interaction",
          "handler %s has not answered %s (%" PRIu64 ") after %lld ms: "
          "deferred it; its reply will edit the original response. Move "
          "slow work to dbot_interaction_offload()",
          ix->handler ? ix->handler : "(none)", describe(ix), ix->id,
          (long long)age);
    if (ix->type == DBOT_IX_AUTOCOMPLETE) {
        /* Autocomplete cannot be deferred: answer with no choices. */
        send_error_initial(ix, NULL);
        return;
    }
    dbot__ix_send_initial(
        ix, ix->type == DBOT_IX_COMPONENT ? CB_DEFER_UPDATE : CB_DEFER, NULL);
}

/* Someone kept a reference to a deferred interaction and never answered. */
static void
abandon_cb(struct dbot__timer *t)
{
    dbot_interaction *ix = lws_container_of(t, dbot_interaction, abandon_timer);

    if (ix->state != DBOT_IXS_DEFERRED)
        return;
    LOG_E("interaction",
          "%s (%" PRIu64 ") was deferred and never answered; "
          "telling the user it failed",
          describe(ix), ix->id);
    ix->owner->stats.never_answered++;
    if (error_after_defer(ix, MSG_NO_ANSWER) == 0)
        dbot__interactions_report(ix, DBOT_ERROR_TIMED_OUT, DBOT_ETIMEDOUT,
                                  MSG_NO_ANSWER, 0);
}

/* The last reference is going and the user has no answer: give one.
 * Returns 1 if a request now holds the interaction alive. */
static int
answer_for_silent_handler(dbot_interaction *ix, const char *text)
{
    int rc = -1;

    if (dbot__ix_expired(ix) || dbot__ix_stopping(ix))
        return 0;
    dbot__ix_sync(ix);
    if (ix->state == DBOT_IXS_RECEIVED) {
        rc = send_error_initial(ix, text);
    } else if (ix->state == DBOT_IXS_DEFERRED) {
        rc = error_after_defer(ix, text);
    } else {
        return 0;
    }
    if (rc == 0)
        ix->owner->stats.never_answered++;
    return rc == 0;
}

/* ---- lifetime --------------------------------------------------------------
 */

/* The count is not atomic: a worker touching it would race the loop, so
 * debug builds refuse that (ref returns NULL, unref leaves it alone). */
dbot_interaction *
dbot_interaction_ref(dbot_interaction *ix)
{
    if (!ix)
        return NULL;
    DBOT__IX_CHECK_LOOP_OR(ix, NULL);
    ix->refs++;
    return ix;
}

void
dbot_interaction_unref(dbot_interaction *ix)
{
    if (!ix)
        return;
    DBOT__IX_CHECK_LOOP_OR(ix, );
    if (--ix->refs > 0)
        return;
    /* A parked reply waits for its defer, which holds a reference, so we
     * only get here with nothing left to send. */
    ix->refs = 1;
    if (answer_for_silent_handler(ix, MSG_NO_ANSWER)) {
        LOG_E("interaction",
              "handler %s let go of %s (%" PRIu64 ") without answering; "
              "the user was told it did not respond",
              ix->handler ? ix->handler : "(none)", describe(ix), ix->id);
        dbot__interactions_report(ix, DBOT_ERROR_NO_RESPONSE, 0, MSG_NO_ANSWER,
                                  0);
        dbot_interaction_unref(ix); /* the request holds its own ref */
        return;
    }
    ix_free(ix);
}

/* ---- arrival ----------------------------------------------------------- */

static void
run_handler(dbot_interaction *ix, const struct dbot__route_match *m)
{
    int rc;

    ix->handler = m->name;
    ix->route_arg = m->arg;
    /* Timed and named by loop health like event handlers: it logs a slow
     * one (slow_handler_ms) and the watchdog reports one blocking the loop
     * while it blocks. */
    dbot__health_enter(ix->owner->d.health, "handler", m->name, describe(ix));
    rc = m->fn(ix, m->data);
    dbot__health_leave(ix->owner->d.health);
    if (rc >= 0)
        return;
    if (answer_for_silent_handler(ix, MSG_FAILED)) {
        LOG_W("interaction",
              "handler %s failed (%s) on %s without answering; "
              "the user was told",
              m->name, dbot_strerror(rc), describe(ix));
        dbot__interactions_report(ix, DBOT_ERROR_HANDLER, rc, MSG_FAILED, 0);
    } else {
        dbot__interactions_report(ix, DBOT_ERROR_HANDLER, rc, NULL, 0);
    }
}

/* Should this arrival run a handler? Not when it is a replay: Discord
 * may deliver an event twice (a new session replaying it, two sessions
 * while resharding), and a second run acknowledges twice (40060) and
 * repeats the handler's side effects. Returns 0 (run it), DBOT_EINVAL
 * (nothing answers its type) or DBOT_ESTATE (a replay). */
static int
first_arrival(struct dbot__interactions *ixs, const struct dbot__ix_view *v)
{
    uint64_t id = v->id;
    int rc;

    if (!v->answerable) {
        ixs->stats.ignored++;
        /* Warn: rare over the gateway, and a type added by Discord that
         * users can trigger needs a newer dbot. */
        LOG_W("interaction",
              "ignoring interaction %" PRIu64 " of type %d: not one a bot "
              "answers",
              id, v->type);
        return DBOT_EINVAL;
    }
    rc = dbot__ix_seen_add(&ixs->seen, id, dbot__clock_ms());
    if (rc == 1) {
        ixs->stats.duplicates++;
        LOG_W("interaction",
              "interaction %" PRIu64 " delivered again (a replay): dropped; "
              "its handler already ran",
              id);
        return DBOT_ESTATE;
    }
    if (rc < 0)
        LOG_W("interaction",
              "cannot remember interaction %" PRIu64 " (%s): a replay of it "
              "would run its handler again",
              id, dbot_strerror(rc));
    return 0;
}

/* An interaction from either transport (t NULL: the gateway's). */
static int
arrive(struct dbot__interactions *ixs, const cJSON *d,
       const struct dbot__ix_transport *t, struct dbot__ack *ack)
{
    dbot_interaction *ix;
    struct dbot__route_match m;
    struct dbot__ix_view v;
    int found = 0, deadline, rc;

    ixs->stats.received++;
    if (dbot__ix_view_read(d, &v) < 0) {
        LOG_W("interaction", "interaction without id or token ignored");
        rc = DBOT_EINVAL;
    } else {
        rc = first_arrival(ixs, &v);
    }
    /* Not run (a replay, a type nobody answers): no deferral either. */
    if (rc < 0 && ack)
        dbot__ack_claim(ack);
    if (rc < 0)
        return rc;
    ix = calloc(1, sizeof *ix);
    if (!ix) {
        if (ack)
            dbot__ack_claim(ack);
        return DBOT_ENOMEM;
    }
    ix->owner = ixs;
    ix->refs = 1;
    ix->t_recv = ack ? dbot__ack_received_ms(ack) : dbot__clock_ms();
    ix->json = dbot__json_clone(d); /* one malloc, not one per node */
    /* The view borrowed from d, which the dispatcher frees after this
     * call: read it again from our copy. */
    if (!ix->json || dbot__ix_view_read(ix->json, &v) < 0) {
        LOG_E("interaction", "out of memory copying interaction %" PRIu64,
              v.id);
        dbot__json_clone_free(ix->json);
        free(ix);
        if (ack)
            dbot__ack_claim(ack);
        return DBOT_ENOMEM;
    }
    if (t)
        ix->transport = *t;
    if (ack) {
        ix->ack = dbot__ack_ref(ack);
        dbot__ack_bind(ack, ix);
    }
    ix->id = v.id;
    ix->app_id = v.app_id;
    ix->type = v.type;
    ix->token = v.token;
    /* The token is not registered with the logger: its shape is redacted
     * wherever it appears (log.c), and a list entry per interaction would
     * lengthen every log line's scan for 15 minutes. */
    ix->live_next = ixs->live;
    if (ixs->live)
        ixs->live->live_prev = ix;
    ixs->live = ix;
    if (!ixs->app_id)
        ixs->app_id = ix->app_id;
    if (v.path[0])
        ix->path = strdup(v.path);
    if (v.path[0] && v.kind == DBOT__ROUTE_COMMAND)
        dbot__ix_mark_declared(ixs->commands, ix->json, v.path);
    ix->custom_id = v.custom_id;

    /* Two timers per interaction, on the loop's heap: O(log n) each, so
     * 100,000 deferred interactions pending do not slow the next one. The
     * deadline is the gateway thread's when it keeps one (ack_guard.h):
     * it fires even while a handler blocks the loop. */
    dbot__timer_init(&ix->deadline_timer, deadline_cb);
    dbot__timer_init(&ix->abandon_timer, abandon_cb);
    deadline = ack ? 0 : cfg_of(ix)->ack_deadline_ms;
    if (ack)
        dbot__ix_sync(ix); /* deferred while it waited in the queue */
    if ((deadline > 0 && dbot__loop_timer_arm(ixs->d.loop, &ix->deadline_timer,
                                              deadline) < 0) ||
        dbot__loop_timer_arm(ixs->d.loop, &ix->abandon_timer,
                             cfg_of(ix)->interaction_timeout_ms) < 0)
        LOG_E("interaction",
              "out of memory arming the timers of %" PRIu64
              ": it will not be deferred or timed out by the framework",
              ix->id);
    found = dbot__routes_find(ixs->routes, v.kind, v.key, v.option, &m);
    if (found) {
        run_handler(ix, &m);
    } else {
        ixs->stats.unknown_routes++;
        LOG_W("interaction", "no handler for %s \"%s\"; answered \"unknown\"",
              v.kind == DBOT__ROUTE_COMMAND        ? "command"
              : v.kind == DBOT__ROUTE_AUTOCOMPLETE ? "autocomplete of"
              : v.kind == DBOT__ROUTE_COMPONENT    ? "component"
                                                   : "modal",
              v.key ? v.key : "?");
        if (v.kind == DBOT__ROUTE_AUTOCOMPLETE) {
            answer_for_silent_handler(ix, MSG_UNKNOWN);
        } else {
            dbot_interaction_reply_ephemeral(ix, MSG_UNKNOWN);
        }
        dbot__interactions_report(
            ix, DBOT_ERROR_UNKNOWN, DBOT_ENOENT,
            v.kind == DBOT__ROUTE_AUTOCOMPLETE ? NULL : MSG_UNKNOWN, 0);
    }
    dbot_interaction_unref(ix);
    return 0;
}

void
dbot__interactions_on_event(struct dbot__interactions *ixs, const cJSON *d,
                            struct dbot__ack *ack)
{
    arrive(ixs, d, NULL, ack);
}

int
dbot__interactions_on_http(struct dbot__interactions *ixs, const cJSON *d,
                           const struct dbot__ix_transport *t)
{
    return arrive(ixs, d, t, NULL);
}

int
dbot_interaction_transport(const dbot_interaction *ix)
{
    return ix->transport.respond ? ix->transport.kind : DBOT_TRANSPORT_GATEWAY;
}

/* ---- shutdown
 * ---------------------------------------------------------------- */

/* The user is still waiting on us: no answer yet, or only "thinking...". */
static int
user_waiting(const dbot_interaction *ix)
{
    return !dbot__ix_expired(ix) &&
           (ix->state == DBOT_IXS_RECEIVED || ix->state == DBOT_IXS_DEFERRING ||
            ix->state == DBOT_IXS_DEFERRED);
}

int
dbot__interactions_waiting(const struct dbot__interactions *ixs)
{
    int n = 0;

    for (const dbot_interaction *ix = ixs->live; ix; ix = ix->live_next)
        n += user_waiting(ix);
    return n;
}

/* Shutdown ran out of time: whoever still waits on us hears why, instead
 * of "This interaction failed" or an endless "thinking...". Each answer
 * moves its interaction out of the waiting states, so calling this again
 * (once a defer in flight has landed) answers only the rest. */
int
dbot__interactions_give_up(struct dbot__interactions *ixs)
{
    dbot_interaction *ix, *next;
    int n = 0;

    for (ix = ixs->live; ix; ix = next) {
        cJSON *m;
        int rc = -1;

        next = ix->live_next;
        if (!user_waiting(ix) ||
            (ix->state == DBOT_IXS_DEFERRING && ix->parked_edit))
            continue;
        if (ix->type == DBOT_IX_AUTOCOMPLETE) {
            rc = send_error_initial(ix, NULL);
        } else if (ix->state == DBOT_IXS_DEFERRED) {
            rc = error_after_defer(ix, MSG_STOPPING);
        } else {
            m = dbot__ix_text_message(MSG_STOPPING,
                                      ix->state == DBOT_IXS_RECEIVED);
            if (m)
                rc = dbot__ix_answer(ix, CB_MESSAGE, m, "shutdown answer");
            cJSON_Delete(m);
        }
        if (rc == 0) {
            ix->owner->stats.never_answered++;
            LOG_W("interaction",
                  "shutting down: told the user of %s "
                  "(%" PRIu64 ", handler %s) the bot is "
                  "restarting",
                  describe(ix), ix->id, ix->handler ? ix->handler : "(none)");
            dbot__interactions_report(
                ix, DBOT_ERROR_SHUTDOWN, DBOT_ESHUTDOWN,
                ix->type == DBOT_IX_AUTOCOMPLETE ? NULL : MSG_STOPPING, 0);
            n++;
        }
    }
    return n;
}
