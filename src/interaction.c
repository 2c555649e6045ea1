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

#include "bot.h"
#include "config.h"
#include "health.h"
#include "log.h"

#include <dbot/command.h>
#include <dbot/interaction_data.h>
#include <dbot/message.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char MSG_UNKNOWN[] =
    "Sorry, this command is not available right now.";
static const char MSG_FAILED[] = "Sorry, something went wrong running this "
                                 "command.";
static const char MSG_NO_ANSWER[] = "Sorry, this command did not respond.";
static const char MSG_STOPPING[] = "Sorry, the bot is restarting and could "
                                   "not finish this. Please try again in a "
                                   "minute.";

/* ---- helpers ------------------------------------------------------------ */

dbot *
dbot__ix_bot_of(const dbot_interaction *ix)
{
    return ix->owner->bot;
}

static const struct dbot_config *
cfg_of(const dbot_interaction *ix)
{
    return dbot__bot_config(dbot__ix_bot_of(ix));
}

int
dbot__ix_expired(const dbot_interaction *ix)
{
    return dbot_now_ms() - ix->t_recv >= ix->owner->token_life_ms;
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
    int64_t ms = dbot_now_ms() - ix->t_recv;
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
    lws_sul_cancel(&ix->deadline_sul);
    lws_sul_cancel(&ix->abandon_sul);
    cJSON_Delete(ix->parked_edit);
    cJSON_Delete(ix->json);
    free(ix->path);
    free(ix);
}

/* ---- initial response ----------------------------------------------------- */

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
    } else if (res->err != DBOT_ECANCELED) {
        ix->owner->stats.failed++;
        ix->state = DBOT_IXS_FAILED;
        LOG_E("interaction",
              "initial response to %s (%" PRIu64 ") failed after %lld ms: "
              "HTTP %d, code %d: %s",
              describe(ix), ix->id,
              (long long)(dbot_now_ms() - ix->t_recv), res->status,
              res->discord_code, res->message ? res->message : "");
    } else {
        ix->state = DBOT_IXS_FAILED;
    }
    if (ix->state == DBOT_IXS_FAILED && ix->parked_edit) {
        LOG_W("interaction", "dropping the edit of %s: no response to edit",
              describe(ix));
        cJSON_Delete(ix->parked_edit);
        ix->parked_edit = NULL;
    }
    dbot_interaction_unref(ix);
}

/* Move out of RECEIVED and send the one initial response. `data` may be
 * NULL (defers). The state changes first: this is the only place that
 * sends a callback. */
int
dbot__ix_send_initial(dbot_interaction *ix, int type, const cJSON *data)
{
    cJSON *body;
    int rc;

    if (ix->state != DBOT_IXS_RECEIVED)
        return DBOT_ESTATE;
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddNumberToObject(body, "type", type) ||
        (data && !cJSON_AddItemToObject(body, "data",
                                        cJSON_Duplicate(data, 1)))) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    ix->state = (type == CB_DEFER || type == CB_DEFER_UPDATE)
                    ? DBOT_IXS_DEFERRING
                    : DBOT_IXS_ACKNOWLEDGING;
    lws_sul_cancel(&ix->deadline_sul);
    dbot_interaction_ref(ix);
    rc = dbot_rest_interaction_callback(dbot__ix_bot_of(ix), ix->id, ix->token,
                                        body, initial_done, ix);
    cJSON_Delete(body);
    if (rc < 0) {
        ix->state = DBOT_IXS_FAILED;
        dbot_interaction_unref(ix);
    }
    return rc;
}

/* ---- edits and followups -------------------------------------------------- */


void
dbot__ix_later_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dbot__ix_later *l = arg;

    (void)bot;
    if (res->err && res->err != DBOT_ECANCELED)
        LOG_W("interaction", "%s of %s (%" PRIu64 ") failed: HTTP %d, code "
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

int
dbot__ix_send_edit(dbot_interaction *ix, const cJSON *data)
{
    struct dbot__ix_later *l = later_new(ix, "edit of the original response");
    int rc;

    if (!l)
        return DBOT_ENOMEM;
    ix->state = DBOT_IXS_DONE;
    rc = dbot_rest_interaction_original_edit(dbot__ix_bot_of(ix), ix->app_id,
                                             ix->token, data,
                                             dbot__ix_later_done, l);
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
dbot__ix_answer(dbot_interaction *ix, int type, const cJSON *data, const char *what)
{
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

/* ---- deadlines ------------------------------------------------------------ */

static void
deadline_cb(lws_sorted_usec_list_t *sul)
{
    dbot_interaction *ix =
        lws_container_of(sul, dbot_interaction, deadline_sul);
    int64_t age = dbot_now_ms() - ix->t_recv;

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
        cJSON *d = cJSON_CreateObject();
        cJSON_AddItemToObject(d, "choices", cJSON_CreateArray());
        dbot__ix_send_initial(ix, CB_AUTOCOMPLETE, d);
        cJSON_Delete(d);
        return;
    }
    dbot__ix_send_initial(ix, ix->type == DBOT_IX_COMPONENT ? CB_DEFER_UPDATE
                                                   : CB_DEFER,
                 NULL);
}

/* Someone kept a reference to a deferred interaction and never answered. */
static void
abandon_cb(lws_sorted_usec_list_t *sul)
{
    dbot_interaction *ix = lws_container_of(sul, dbot_interaction, abandon_sul);

    if (ix->state != DBOT_IXS_DEFERRED)
        return;
    LOG_E("interaction", "%s (%" PRIu64 ") was deferred and never answered; "
                         "telling the user it failed",
          describe(ix), ix->id);
    ix->owner->stats.never_answered++;
    dbot_interaction_original_edit(ix, MSG_NO_ANSWER);
}

/* The last reference is going and the user has no answer: give one.
 * Returns 1 if a request now holds the interaction alive. */
static int
answer_for_silent_handler(dbot_interaction *ix, const char *text)
{
    cJSON *m;
    int rc = -1;

    if (dbot__ix_expired(ix) || dbot_is_stopping(dbot__ix_bot_of(ix)))
        return 0;
    if (ix->state == DBOT_IXS_RECEIVED) {
        if (ix->type == DBOT_IX_AUTOCOMPLETE) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddItemToObject(d, "choices", cJSON_CreateArray());
            rc = dbot__ix_send_initial(ix, CB_AUTOCOMPLETE, d);
            cJSON_Delete(d);
            return rc == 0;
        }
        m = dbot__ix_text_message(text, 1);
        if (m)
            rc = dbot__ix_send_initial(ix, CB_MESSAGE, m);
        cJSON_Delete(m);
    } else if (ix->state == DBOT_IXS_DEFERRED) {
        m = dbot__ix_text_message(text, 0);
        if (m)
            rc = dbot__ix_send_edit(ix, m);
        cJSON_Delete(m);
    } else {
        return 0;
    }
    if (rc == 0)
        ix->owner->stats.never_answered++;
    return rc == 0;
}

/* ---- lifetime -------------------------------------------------------------- */

/* The count is not atomic: a worker touching it would race the loop, so
 * debug builds refuse that (ref returns NULL, unref leaves it alone). */
dbot_interaction *
dbot_interaction_ref(dbot_interaction *ix)
{
    if (!ix)
        return NULL;
    DBOT__CHECK_LOOP_OR(dbot__ix_bot_of(ix), NULL);
    ix->refs++;
    return ix;
}

void
dbot_interaction_unref(dbot_interaction *ix)
{
    if (!ix)
        return;
    DBOT__CHECK_LOOP_OR(dbot__ix_bot_of(ix), );
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
    dbot__health_enter(dbot__bot_health(dbot__ix_bot_of(ix)), "handler", m->name,
                       describe(ix));
    rc = m->fn(ix, m->data);
    dbot__health_leave(dbot__bot_health(dbot__ix_bot_of(ix)));
    if (rc < 0 && answer_for_silent_handler(ix, MSG_FAILED))
        LOG_W("interaction", "handler %s failed (%s) on %s without answering; "
                             "the user was told",
              m->name, dbot_strerror(rc), describe(ix));
}

void
dbot__interactions_on_event(struct dbot__interactions *ixs, const cJSON *d)
{
    dbot_interaction *ix;
    struct dbot__route_match m;
    enum dbot__route_kind kind;
    const char *key, *option = NULL;
    int found = 0, deadline;
    char path[256];

    ix = calloc(1, sizeof *ix);
    if (!ix)
        return;
    ix->owner = ixs;
    ix->refs = 1;
    ix->t_recv = dbot_now_ms();
    ix->json = cJSON_Duplicate(d, 1);
    ix->id = dbot_ix_id(d);
    ix->app_id = dbot_ix_application_id(d);
    ix->type = dbot_ix_type(d);
    ix->token = ix->json ? dbot_ix_token(ix->json) : NULL;
    ixs->stats.received++;
    if (!ix->json || !ix->id || !ix->token || !ix->token[0]) {
        LOG_W("interaction", "INTERACTION_CREATE without id or token ignored");
        cJSON_Delete(ix->json);
        free(ix);
        return;
    }
    dbot_log_add_secret(ix->token);
    ix->live_next = ixs->live;
    if (ixs->live)
        ixs->live->live_prev = ix;
    ixs->live = ix;
    if (!ixs->app_id)
        ixs->app_id = ix->app_id;
    if (dbot_ix_command_path(ix->json, path, sizeof path) >= 0)
        ix->path = strdup(path);
    ix->custom_id = dbot_ix_custom_id(ix->json);

    switch (ix->type) {
    case DBOT_IX_COMMAND:
        kind = DBOT__ROUTE_COMMAND, key = ix->path;
        break;
    case DBOT_IX_AUTOCOMPLETE:
        kind = DBOT__ROUTE_AUTOCOMPLETE, key = ix->path;
        dbot_option_focused(dbot_options_of(ix->json), &option, NULL);
        break;
    case DBOT_IX_COMPONENT:
        kind = DBOT__ROUTE_COMPONENT, key = ix->custom_id;
        break;
    case DBOT_IX_MODAL_SUBMIT:
        kind = DBOT__ROUTE_MODAL, key = ix->custom_id;
        break;
    default:
        LOG_D("interaction", "ignoring interaction type %d", ix->type);
        dbot_interaction_unref(ix);
        return;
    }
    deadline = cfg_of(ix)->ack_deadline_ms;
    if (deadline > 0)
        lws_sul_schedule(dbot__bot_lws(ixs->bot), 0, &ix->deadline_sul,
                         deadline_cb, (lws_usec_t)deadline * 1000);
    lws_sul_schedule(dbot__bot_lws(ixs->bot), 0, &ix->abandon_sul, abandon_cb,
                     (lws_usec_t)cfg_of(ix)->interaction_timeout_ms * 1000);
    found = dbot__routes_find(ixs->routes, kind, key, option, &m);
    if (found) {
        run_handler(ix, &m);
    } else {
        ixs->stats.unknown_routes++;
        LOG_W("interaction", "no handler for %s \"%s\"; answered \"unknown\"",
              kind == DBOT__ROUTE_COMMAND        ? "command"
              : kind == DBOT__ROUTE_AUTOCOMPLETE ? "autocomplete of"
              : kind == DBOT__ROUTE_COMPONENT    ? "component"
                                                 : "modal",
              key ? key : "?");
        if (kind == DBOT__ROUTE_AUTOCOMPLETE) {
            answer_for_silent_handler(ix, MSG_UNKNOWN);
        } else {
            dbot_interaction_reply_ephemeral(ix, MSG_UNKNOWN);
        }
    }
    dbot_interaction_unref(ix);
}

/* ---- shutdown ---------------------------------------------------------------- */

/* The user is still waiting on us: no answer yet, or only "thinking...". */
static int
user_waiting(const dbot_interaction *ix)
{
    return !dbot__ix_expired(ix) && (ix->state == DBOT_IXS_RECEIVED ||
                            ix->state == DBOT_IXS_DEFERRING ||
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
            cJSON *d = cJSON_CreateObject();

            cJSON_AddItemToObject(d, "choices", cJSON_CreateArray());
            rc = dbot__ix_send_initial(ix, CB_AUTOCOMPLETE, d);
            cJSON_Delete(d);
        } else {
            m = dbot__ix_text_message(MSG_STOPPING, ix->state == DBOT_IXS_RECEIVED);
            if (m)
                rc = dbot__ix_answer(ix, CB_MESSAGE, m, "shutdown answer");
            cJSON_Delete(m);
        }
        if (rc == 0) {
            ix->owner->stats.never_answered++;
            LOG_W("interaction", "shutting down: told the user of %s "
                                 "(%" PRIu64 ", handler %s) the bot is "
                                 "restarting",
                  describe(ix), ix->id, ix->handler ? ix->handler : "(none)");
            n++;
        }
    }
    return n;
}

/* ---- registry --------------------------------------------------------------- */

int
dbot__interactions_new(struct dbot__interactions **out, dbot *bot)
{
    struct dbot__interactions *ixs = calloc(1, sizeof *ixs);

    if (!ixs)
        return DBOT_ENOMEM;
    ixs->bot = bot;
    ixs->token_life_ms = TOKEN_LIFE_MS;
    if (dbot__routes_new(&ixs->routes) < 0) {
        free(ixs);
        return DBOT_ENOMEM;
    }
    *out = ixs;
    return 0;
}

void
dbot__interactions_free(struct dbot__interactions *ixs)
{
    dbot_interaction *ix, *next;

    if (!ixs)
        return;
    /* References a handler never dropped: the bot is gone, and so is the
     * lws context their timers were on (not to be touched). */
    for (ix = ixs->live; ix; ix = next) {
        next = ix->live_next;
        cJSON_Delete(ix->parked_edit);
        cJSON_Delete(ix->json);
        free(ix->path);
        free(ix);
    }
    dbot__routes_free(ixs->routes);
    cJSON_Delete(ixs->commands);
    free(ixs->offload.busy_text);
    free(ixs);
}

int
dbot__interactions_set_commands(struct dbot__interactions *ixs,
                                cJSON *commands)
{
    cJSON_Delete(ixs->commands);
    ixs->commands = commands;
    /* Declared after READY: sync now rather than at the next session. */
    if (ixs->app_id && ixs->synced)
        dbot__interactions_sync_commands(ixs, ixs->bot, commands, ixs->app_id);
    return 0;
}

void
dbot__interactions_on_ready(struct dbot__interactions *ixs, const cJSON *d)
{
    const cJSON *app = cJSON_GetObjectItemCaseSensitive(d, "application");
    uint64_t id = dbot_json_snowflake(cJSON_GetObjectItemCaseSensitive(app,
                                                                       "id"));
    uint64_t cfg_id = dbot__bot_config(ixs->bot)->application_id;

    ixs->app_id = cfg_id ? cfg_id : id;
    if (ixs->synced)
        return;
    ixs->synced = 1;
    if (!ixs->app_id) {
        LOG_W("commands", "no application id in READY or config; commands "
                          "not registered");
        return;
    }
    dbot__interactions_sync_commands(ixs, ixs->bot, ixs->commands,
                                     ixs->app_id);
}

void
dbot__interactions_stats(const struct dbot__interactions *ixs,
                         struct dbot__ix_stats *out)
{
    *out = ixs->stats;
}

void
dbot__interactions_set_token_life(struct dbot__interactions *ixs, int64_t ms)
{
    ixs->token_life_ms = ms;
}

struct dbot__routes *
dbot__interactions_routes(struct dbot__interactions *ixs)
{
    return ixs->routes;
}

struct dbot__offload_conf *
dbot__interactions_offload_conf(struct dbot__interactions *ixs)
{
    return &ixs->offload;
}

static int
add_route(dbot *bot, enum dbot__route_kind kind, const char *key,
          const char *option, dbot_interaction_fn fn, const char *name,
          void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__routes_add(dbot__bot_interactions(bot)->routes, kind, key,
                            option, fn, name, data);
}

int
dbot_on_command_named(dbot *bot, const char *path, dbot_interaction_fn fn,
                      const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_COMMAND, path, NULL, fn, name, data);
}

int
dbot_on_component_named(dbot *bot, const char *custom_id,
                        dbot_interaction_fn fn, const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_COMPONENT, custom_id, NULL, fn, name,
                     data);
}

int
dbot_on_modal_named(dbot *bot, const char *custom_id, dbot_interaction_fn fn,
                    const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_MODAL, custom_id, NULL, fn, name, data);
}

int
dbot_on_autocomplete_named(dbot *bot, const char *path, const char *option,
                           dbot_interaction_fn fn, const char *name,
                           void *data)
{
    return add_route(bot, DBOT__ROUTE_AUTOCOMPLETE, path, option, fn, name,
                     data);
}
