/*
 * interaction_api.c: the calls a handler makes on its interaction:
 * answering (reply, defer, update, modal, autocomplete, edits and
 * followups, the builder variants) and reading (ids, the option view,
 * age, state). Every answer goes through the state machine in interaction.c
 * (dbot__ix_answer, dbot__ix_send_initial), which guarantees exactly one
 * initial response.
 */
#include "interaction_impl.h"
#include "clock.h"

#include "discord_limits.h"
#include "log.h"
#include "msgcheck.h"

#include <dbot/interaction_data.h>
#include <dbot/message.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- Discord's limits -------------------------------------------------- */

/* What an answer's body is, for check_body. */
enum body {
    BODY_MESSAGE, /* reply, update, edit, followup */
    BODY_CHOICES, /* autocomplete result data */
    BODY_MODAL,   /* modal data */
};

/* Check data against Discord's limits before `what` sends it: 0, or the
 * DBOT_E* code with the broken limit logged and the refusal counted.
 * Refused here, the handler gets the error while it can still answer
 * otherwise; sent, it would fail at Discord with 50035. */
static int
check_body(dbot_interaction *ix, enum body kind, const cJSON *data,
           const char *what)
{
    struct dbot__bld b = { 0 };
    int rc;

    switch (kind) {
    case BODY_CHOICES:
        rc = dbot__check_choices(&b, data);
        break;
    case BODY_MODAL:
        rc = dbot__check_modal(&b, data);
        break;
    default:
        rc = dbot__check_message(&b, data);
        break;
    }
    if (rc == 0)
        return 0;
    ix->owner->stats.refused_locally++;
    LOG_E("interaction", "%s of %s (%" PRIu64 ") not sent: %s", what,
          ix->path        ? ix->path
          : ix->custom_id ? ix->custom_id
                          : "interaction",
          ix->id, b.err);
    return rc;
}

/* ---- public: answering ----------------------------------------------------
 */

int
dbot_interaction_reply_json(dbot_interaction *ix, const cJSON *data)
{
    int rc;

    if (!ix || !data)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check_body(ix, BODY_MESSAGE, data, "reply")) < 0)
        return rc;
    return dbot__ix_answer(ix, CB_MESSAGE, data, "reply");
}

static int
reply_text(dbot_interaction *ix, const char *content, int ephemeral)
{
    cJSON *m;
    int rc;

    if (!ix || !content)
        return DBOT_EINVAL;
    m = dbot__ix_text_message(content, ephemeral);
    if (!m)
        return DBOT_ENOMEM;
    rc = dbot_interaction_reply_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

int
dbot_interaction_reply(dbot_interaction *ix, const char *content)
{
    return reply_text(ix, content, 0);
}

int
dbot_interaction_reply_ephemeral(dbot_interaction *ix, const char *content)
{
    return reply_text(ix, content, 1);
}

int
dbot_interaction_update_json(dbot_interaction *ix, const cJSON *data)
{
    int rc;

    if (!ix || !data)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if (ix->type != DBOT_IX_COMPONENT && ix->type != DBOT_IX_MODAL_SUBMIT)
        return DBOT_EINVAL;
    if ((rc = check_body(ix, BODY_MESSAGE, data, "update")) < 0)
        return rc;
    return dbot__ix_answer(ix, CB_UPDATE, data, "update");
}

static int
defer_with(dbot_interaction *ix, int type, const cJSON *data)
{
    if (!ix)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    dbot__ix_sync(ix);
    if (dbot__ix_expired(ix))
        return dbot__ix_refuse(ix, DBOT_EEXPIRED, "defer");
    if (ix->state == DBOT_IXS_DEFERRING || ix->state == DBOT_IXS_DEFERRED)
        return 0; /* already deferred (perhaps by the deadline): fine */
    if (ix->state != DBOT_IXS_RECEIVED)
        return dbot__ix_refuse(ix, DBOT_ESTATE, "defer");
    return dbot__ix_send_initial(ix, type, data);
}

int
dbot_interaction_defer(dbot_interaction *ix, int ephemeral)
{
    cJSON *d = NULL;
    int rc;

    if (ephemeral) {
        d = cJSON_CreateObject();
        if (!d || !cJSON_AddNumberToObject(d, "flags", FLAG_EPHEMERAL)) {
            cJSON_Delete(d);
            return DBOT_ENOMEM;
        }
    }
    rc = defer_with(ix, CB_DEFER, d);
    cJSON_Delete(d);
    return rc;
}

int
dbot_interaction_defer_update(dbot_interaction *ix)
{
    if (ix && ix->type != DBOT_IX_COMPONENT && ix->type != DBOT_IX_MODAL_SUBMIT)
        return DBOT_EINVAL;
    return defer_with(ix, CB_DEFER_UPDATE, NULL);
}

int
dbot_interaction_modal_json(dbot_interaction *ix, const cJSON *data)
{
    int rc;

    if (!ix || !data)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if (ix->type == DBOT_IX_MODAL_SUBMIT || ix->type == DBOT_IX_AUTOCOMPLETE)
        return DBOT_EINVAL; /* Discord allows no modal in answer to these */
    if ((rc = check_body(ix, BODY_MODAL, data, "modal")) < 0)
        return rc;
    dbot__ix_sync(ix);
    if (dbot__ix_expired(ix))
        return dbot__ix_refuse(ix, DBOT_EEXPIRED, "modal");
    if (ix->state != DBOT_IXS_RECEIVED)
        return dbot__ix_refuse(ix, DBOT_ESTATE, "modal");
    return dbot__ix_send_initial(ix, CB_MODAL, data);
}

int
dbot_interaction_autocomplete_json(dbot_interaction *ix, const cJSON *data)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(data, "choices");
    cJSON *d, *kept;
    int rc;

    if (!ix || !cJSON_IsObject(data) || !cJSON_IsArray(choices))
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if (ix->type != DBOT_IX_AUTOCOMPLETE)
        return DBOT_EINVAL;
    dbot__ix_sync(ix);
    if (ix->state != DBOT_IXS_RECEIVED)
        return dbot__ix_refuse(ix, DBOT_ESTATE, "autocomplete");
    d = cJSON_Duplicate(data, 1);
    if (!d)
        return DBOT_ENOMEM;
    /* The builder's limit, applied to JSON from anywhere: suggestions are
     * a ranked list, so the first ones are the ones to keep. */
    kept = cJSON_GetObjectItemCaseSensitive(d, "choices");
    while (cJSON_GetArraySize(kept) > DBOT__MAX_CHOICES)
        cJSON_DeleteItemFromArray(kept, DBOT__MAX_CHOICES);
    rc = check_body(ix, BODY_CHOICES, d, "autocomplete result");
    if (rc == 0)
        rc = dbot__ix_send_initial(ix, CB_AUTOCOMPLETE, d);
    cJSON_Delete(d);
    return rc;
}

int
dbot_interaction_autocomplete_choices(dbot_interaction *ix,
                                      const dbot_choice *choices, size_t n,
                                      int type)
{
    char err[160];
    cJSON *d;
    int rc;

    if (!ix)
        return DBOT_EINVAL;
    d = dbot_autocomplete_json(choices, n, type, err, sizeof err);
    if (!d) {
        LOG_E("interaction", "autocomplete result not sent: %s", err);
        return DBOT_EINVAL;
    }
    rc = dbot_interaction_autocomplete_json(ix, d);
    cJSON_Delete(d);
    return rc;
}

int
dbot_interaction_original_edit_json(dbot_interaction *ix, const cJSON *data)
{
    int rc;

    if (!ix || !data)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check_body(ix, BODY_MESSAGE, data, "edit")) < 0)
        return rc;
    if (dbot__ix_expired(ix))
        return dbot__ix_refuse(ix, DBOT_EEXPIRED, "edit");
    dbot__ix_sync(ix);
    switch (ix->state) {
    case DBOT_IXS_RECEIVED:
    case DBOT_IXS_FAILED:
        return dbot__ix_refuse(ix, DBOT_ESTATE, "edit before any response");
    case DBOT_IXS_DEFERRING:
    case DBOT_IXS_ACKNOWLEDGING:
        /* The response is in flight: edit it when it lands (the latest
         * edit wins, as it would on Discord). */
        cJSON_Delete(ix->parked_edit);
        ix->parked_edit = cJSON_Duplicate(data, 1);
        return ix->parked_edit ? 0 : DBOT_ENOMEM;
    default:
        return dbot__ix_send_edit(ix, data);
    }
}

int
dbot_interaction_original_edit(dbot_interaction *ix, const char *content)
{
    cJSON *m;
    int rc;

    if (!ix || !content)
        return DBOT_EINVAL;
    m = dbot__ix_text_message(content, 0);
    if (!m)
        return DBOT_ENOMEM;
    rc = dbot_interaction_original_edit_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

int
dbot_interaction_original_delete(dbot_interaction *ix)
{
    struct dbot__ix_later *l;
    int rc;

    if (!ix)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    l = dbot__ix_followup_later(ix, "delete of the original response", &rc);
    if (!l)
        return rc;
    rc = dbot__rest_interaction_original_delete(
        ix->owner->d.rest, ix->app_id, ix->token, dbot__ix_later_done, l);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

int
dbot_interaction_followup_edit_json(dbot_interaction *ix, uint64_t message_id,
                                    const cJSON *data)
{
    struct dbot__ix_later *l;
    int rc;

    if (!ix || !data || !message_id)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check_body(ix, BODY_MESSAGE, data, "followup edit")) < 0)
        return rc;
    l = dbot__ix_followup_later(ix, "followup edit", &rc);
    if (!l)
        return rc;
    rc = dbot__rest_interaction_followup_edit(ix->owner->d.rest, ix->app_id,
                                              ix->token, message_id, data,
                                              dbot__ix_later_done, l);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

int
dbot_interaction_followup_delete(dbot_interaction *ix, uint64_t message_id)
{
    struct dbot__ix_later *l;
    int rc;

    if (!ix || !message_id)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    l = dbot__ix_followup_later(ix, "followup delete", &rc);
    if (!l)
        return rc;
    rc = dbot__rest_interaction_followup_delete(ix->owner->d.rest, ix->app_id,
                                                ix->token, message_id,
                                                dbot__ix_later_done, l);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

int
dbot_interaction_followup_json(dbot_interaction *ix, const cJSON *data)
{
    struct dbot__ix_later *l;
    int rc;

    if (!ix || !data)
        return DBOT_EINVAL;
    DBOT__IX_CHECK_LOOP(ix);
    if ((rc = check_body(ix, BODY_MESSAGE, data, "followup")) < 0)
        return rc;
    /* Followups need the initial response to have landed (a followup to a
     * pending defer would edit the loading message instead). */
    l = dbot__ix_followup_later(ix, "followup", &rc);
    if (!l)
        return rc;
    rc = dbot__rest_interaction_followup(
        ix->owner->d.rest, ix->app_id, ix->token, data, dbot__ix_later_done, l);
    return rc < 0 ? dbot__ix_later_fail(l, rc) : 0;
}

int
dbot_interaction_followup(dbot_interaction *ix, const char *content,
                          int ephemeral)
{
    cJSON *m;
    int rc;

    if (!ix || !content)
        return DBOT_EINVAL;
    m = dbot__ix_text_message(content, ephemeral);
    if (!m)
        return DBOT_ENOMEM;
    rc = dbot_interaction_followup_json(ix, m);
    cJSON_Delete(m);
    return rc;
}

/* ---- public: reading ----------------------------------------------------- */

dbot *
dbot_interaction_bot(const dbot_interaction *ix)
{
    return dbot__ix_bot_of(ix);
}

const cJSON *
dbot_interaction_json(const dbot_interaction *ix)
{
    return ix->json;
}

int
dbot_interaction_type(const dbot_interaction *ix)
{
    return ix->type;
}

uint64_t
dbot_interaction_id(const dbot_interaction *ix)
{
    return ix->id;
}

const char *
dbot_interaction_command(const dbot_interaction *ix)
{
    return ix->path;
}

const char *
dbot_interaction_custom_id(const dbot_interaction *ix)
{
    return ix->custom_id;
}

const char *
dbot_interaction_route_arg(const dbot_interaction *ix)
{
    return ix->route_arg ? ix->route_arg : "";
}

int64_t
dbot_interaction_age_ms(const dbot_interaction *ix)
{
    return dbot__clock_ms() - ix->t_recv;
}

int
dbot_interaction_state(const dbot_interaction *ix)
{
    dbot__ix_sync((dbot_interaction *)ix);
    return ix->state;
}

const dbot_options *
dbot_interaction_options(const dbot_interaction *ix)
{
    return dbot_options_of(ix ? ix->json : NULL);
}

/* ---- builders ----------------------------------------------------------- */

/* Send a builder's JSON through `send`, or log the builder's first error. */
static int
send_built(dbot_interaction *ix, cJSON *json, const char *err,
           int (*send)(dbot_interaction *, const cJSON *), const char *what)
{
    int rc;

    if (!json) {
        LOG_E("interaction", "%s not sent: %s", what, err);
        return DBOT_EINVAL;
    }
    rc = send(ix, json);
    cJSON_Delete(json);
    return rc;
}

int
dbot_interaction_reply_msg(dbot_interaction *ix, const dbot_msg *m)
{
    return send_built(ix, dbot_msg_json(m), dbot_msg_error(m),
                      dbot_interaction_reply_json, "reply");
}

int
dbot_interaction_original_edit_msg(dbot_interaction *ix, const dbot_msg *m)
{
    return send_built(ix, dbot_msg_json(m), dbot_msg_error(m),
                      dbot_interaction_original_edit_json, "edit");
}

int
dbot_interaction_followup_msg(dbot_interaction *ix, const dbot_msg *m)
{
    return send_built(ix, dbot_msg_json(m), dbot_msg_error(m),
                      dbot_interaction_followup_json, "followup");
}

int
dbot_interaction_update(dbot_interaction *ix, const dbot_msg *m)
{
    return send_built(ix, dbot_msg_json(m), dbot_msg_error(m),
                      dbot_interaction_update_json, "update");
}

int
dbot_interaction_modal(dbot_interaction *ix, const dbot_modal *m)
{
    return send_built(ix, dbot_modal_json(m), dbot_modal_error(m),
                      dbot_interaction_modal_json, "modal");
}
