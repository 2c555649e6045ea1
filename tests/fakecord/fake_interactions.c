/*
 * fake_interactions.c: interactions in the fake: creating them
 * (INTERACTION_CREATE), the initial callback and its 3 s deadline, and the
 * webhook routes (followups, @original) on the 15 min token (§3.3, §3.4).
 * Every answer is recorded in the interaction's fc_ix for
 * fakecord_interaction_log().
 */
#include "fake_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IX_CALLBACK_MS 3000
#define IX_TOKEN_MS    (15 * 60 * 1000)

/* callback_ms in µs resolution: acknowledgements take well under 1 ms. */
static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t
fc_ix_push(struct fakecord *fc, const char *json)
{
    cJSON *j = cJSON_Parse(json), *gid;
    struct fc_session *s0, *s;
    struct fc_ix *x;
    char buf[32], *tok;
    size_t tlen;
    char *text;
    int shard = 0;
    uint64_t id;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return 0;
    }
    s0 = fc_session_newest(fc, 0);
    gid = cJSON_GetObjectItemCaseSensitive(j, "guild_id");
    if (s0 && cJSON_IsString(gid) && s0->num_shards > 1)
        shard = (int)((strtoull(gid->valuestring, NULL, 10) >> 22) %
                      (uint64_t)s0->num_shards);
    s = fc_session_newest(fc, shard);
    x = calloc(1, sizeof *x);
    if ((!s && !fc_endpoint_active(fc)) || !x) {
        free(x);
        cJSON_Delete(j);
        return 0;
    }
    id = fc_snowflake(fc);
    /* Token characters as Discord's (base64url); padded to the configured
     * length so fixed-size token buffers in a client show up. */
    tlen = fc->o.interaction_token_len > 64
               ? (size_t)fc->o.interaction_token_len
               : 64;
    tok = malloc(tlen + 1);
    if (!tok) {
        free(x);
        cJSON_Delete(j);
        return 0;
    }
    snprintf(tok, tlen + 1, "aW50ZXJhY3Rpb246%016llx%016llx",
             (unsigned long long)id, (unsigned long long)(id * 2654435761u));
    for (size_t i = strlen(tok); i < tlen; i++)
        tok[i] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                [(i * 7 + id) % 64];
    tok[tlen] = '\0';
    cJSON_DeleteItemFromObjectCaseSensitive(j, "id");
    cJSON_DeleteItemFromObjectCaseSensitive(j, "token");
    cJSON_AddStringToObject(j, "id", fc_str_of(buf, sizeof buf, id));
    cJSON_AddStringToObject(j, "token", tok);
    if (!cJSON_GetObjectItemCaseSensitive(j, "application_id"))
        cJSON_AddStringToObject(j, "application_id", FAKECORD_APP_ID);
    if (!cJSON_GetObjectItemCaseSensitive(j, "type"))
        cJSON_AddNumberToObject(j, "type", 2);
    if (!cJSON_GetObjectItemCaseSensitive(j, "version"))
        cJSON_AddNumberToObject(j, "version", 1);
    x->id = id;
    x->type = cJSON_GetObjectItemCaseSensitive(j, "type")->valueint;
    x->token = tok;
    x->created_ms = fc_now_ms();
    x->created_us = now_us();
    x->callback_type = -1;
    x->followup_bodies = cJSON_CreateArray();
    x->next = fc->ixs;
    fc->ixs = x;
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text || !x->token)
        id = 0;
    else if (fc_endpoint_active(fc))
        id = fc_endpoint_post(fc, id, text) < 0 ? 0 : id;
    else if (fc_gw_dispatch(fc, s, "INTERACTION_CREATE", text) < 0)
        id = 0;
    free(text);
    return id;
}

/* Callback types each interaction type accepts (§3.3): 6/7 only for
 * components (and modals opened from them), 8 only for autocomplete, no
 * modal in answer to a modal; PONG is for the HTTP endpoint only. */
int
fc_ix_callback_type_ok(int ix_type, int cb)
{
    switch (cb) {
    case 4:
    case 5:
    case 12:
        return ix_type != 1 && ix_type != 4;
    case 6:
    case 7:
        return ix_type == 3 || ix_type == 5;
    case 8:
        return ix_type == 4;
    case 9:
        return ix_type == 2 || ix_type == 3;
    default:
        return 0;
    }
}

/* The callback's data against Discord's limits (answers h if not). */
static int
callback_data_ok(struct fakecord *fc, struct fc_http *h, int cb,
                 const cJSON *data)
{
    if (!data)
        return 1;
    if (cb == 4 || cb == 7)
        return fc_limits_ok(fc, h, data, FC_BODY_MESSAGE);
    if (cb == 8)
        return fc_limits_ok(fc, h, data, FC_BODY_CHOICES);
    if (cb == 9)
        return fc_limits_ok(fc, h, data, FC_BODY_MODAL);
    return 1;
}

void
fc_ix_callback(struct fakecord *fc, struct fc_http *h, const struct fc_route *r)
{
    struct fc_ix *x = fc_ix_find(fc, strtoull(r->seg[1], NULL, 10));
    int64_t now = now_us();
    cJSON *b, *type, *data, *out, *ixo, *res;
    double ms;
    char buf[32];

    if (!x || strcmp(x->token, r->seg[2])) {
        fc_violation(fc, "interaction callback for unknown interaction");
        fc_http_error(h, 404, 10062, "Unknown interaction");
        return;
    }
    ms = (double)(now - x->created_us) / 1000.0;
    x->callbacks++;
    b = fc_body_json(fc, h);
    type = b ? cJSON_GetObjectItemCaseSensitive(b, "type") : NULL;
    if (x->callbacks == 1) {
        x->callback_ms = ms;
        x->callback_type = cJSON_IsNumber(type) ? type->valueint : -1;
        x->callback_body = b ? cJSON_Duplicate(b, 1) : NULL;
    }
    if (x->original_id) {
        /* After an answer the fake itself lost, the client cannot know
         * the first callback landed: its resend is no bug. */
        if (!x->answer_lost)
            fc_violation(fc, "interaction acknowledged twice");
        fc_http_error(h, 400, 40060,
                      "Interaction has already been acknowledged.");
    } else if (ms > IX_CALLBACK_MS) {
        fc_violation(fc, "interaction callback after 3 s (%.0f ms)", ms);
        fc_http_error(h, 404, 10062, "Unknown interaction");
    } else if (!cJSON_IsNumber(type) ||
               !fc_ix_callback_type_ok(x->type, type->valueint)) {
        fc_violation(fc,
                     "interaction callback type %d invalid for interaction "
                     "type %d",
                     cJSON_IsNumber(type) ? type->valueint : -1, x->type);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
    } else if (!callback_data_ok(fc, h, type->valueint,
                                 cJSON_GetObjectItemCaseSensitive(b, "data"))) {
        /* answered 400 50035: not acknowledged, another callback may come */
    } else {
        x->original_id = (int64_t)fc_snowflake(fc);
        x->answer_lost = h->lost;
        if (!strstr(h->query, "with_response=true")) {
            fc_http_reply(h, 204, NULL);
        } else {
            out = cJSON_CreateObject();
            ixo = cJSON_AddObjectToObject(out, "interaction");
            cJSON_AddStringToObject(ixo, "id",
                                    fc_str_of(buf, sizeof buf, x->id));
            cJSON_AddNumberToObject(ixo, "type", x->type);
            cJSON_AddStringToObject(
                ixo, "response_message_id",
                fc_str_of(buf, sizeof buf, (uint64_t)x->original_id));
            cJSON_AddBoolToObject(ixo, "response_message_loading",
                                  type->valueint == 5);
            data = cJSON_GetObjectItemCaseSensitive(b, "data");
            res = cJSON_AddObjectToObject(out, "resource");
            cJSON_AddNumberToObject(res, "type", type->valueint);
            if (type->valueint == 4 || type->valueint == 5 ||
                type->valueint == 7)
                cJSON_AddItemToObject(
                    res, "message",
                    fc_message_object((uint64_t)x->original_id, "0", data, 1));
            fc_http_reply_json(h, 200, out);
        }
    }
    if (x->callbacks == 1)
        x->callback_status = h->status;
    cJSON_Delete(b);
}

void
fc_ix_webhook(struct fakecord *fc, struct fc_http *h, const struct fc_route *r)
{
    struct fc_ix *x = r->n >= 3 ? fc_ix_find_token(fc, r->seg[2]) : NULL;
    int64_t now = fc_now_ms();
    int original = fc_route_is(r, 4, "@original");
    uint64_t mid;
    cJSON *b;

    if (r->n < 3 || strcmp(r->seg[1], FAKECORD_APP_ID) || !x) {
        fc_http_error(h, 401, 50027, "Invalid Webhook Token");
        return;
    }
    if (now - x->created_ms > IX_TOKEN_MS) {
        fc_violation(fc, "interaction token expired");
        fc_http_error(h, 404, 10062, "Unknown interaction");
        return;
    }
    if (!x->original_id) {
        fc_violation(fc, "webhook call before the initial response");
        fc_http_error(h, 404, 10015, "Unknown Webhook");
        return;
    }
    if (r->n == 3 && !strcmp(h->method, "POST")) {
        b = fc_body_json(fc, h);
        if (!fc_message_body_ok(h, b) ||
            !fc_limits_ok(fc, h, b, FC_BODY_MESSAGE)) {
            cJSON_Delete(b);
            return;
        }
        x->followups++;
        cJSON_AddItemToArray(x->followup_bodies, cJSON_Duplicate(b, 1));
        fc_http_reply_json(h, 200,
                           fc_message_object(fc_snowflake(fc), "0", b, 1));
        cJSON_Delete(b);
        return;
    }
    if (r->n != 5 || !fc_route_is(r, 3, "messages")) {
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    mid = original ? (uint64_t)x->original_id : strtoull(r->seg[4], NULL, 10);
    if (!strcmp(h->method, "DELETE")) {
        x->deletes++;
        fc_http_reply(h, 204, NULL);
    } else if (!strcmp(h->method, "PATCH")) {
        b = fc_body_json(fc, h);
        if (!cJSON_IsObject(b)) {
            cJSON_Delete(b);
            fc_http_error(h, 400, 50109,
                          "The request body contains invalid JSON.");
            return;
        }
        if (!fc_limits_ok(fc, h, b, FC_BODY_MESSAGE)) {
            cJSON_Delete(b);
            return;
        }
        if (original) {
            x->edits++;
            cJSON_Delete(x->last_edit);
            x->last_edit = cJSON_Duplicate(b, 1);
        }
        fc_http_reply_json(h, 200, fc_message_object(mid, "0", b, 1));
        cJSON_Delete(b);
    } else if (!strcmp(h->method, "GET")) {
        fc_http_reply_json(
            h, 200,
            fc_message_object(mid, "0", original ? x->last_edit : NULL, 1));
    } else {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
    }
}

/* ---- public queries ------------------------------------------------------ */

int
fakecord_age_interaction(fakecord *fc, uint64_t id, int64_t ms)
{
    struct fc_ix *x;

    pthread_mutex_lock(&fc->mu);
    x = fc_ix_find(fc, id);
    if (x)
        x->created_ms -= ms, x->created_us -= ms * 1000;
    pthread_mutex_unlock(&fc->mu);
    return x ? 0 : -1;
}

int
fakecord_interaction_log(fakecord *fc, uint64_t id, struct fakecord_ix_log *out)
{
    struct fc_ix *x;

    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&fc->mu);
    x = fc_ix_find(fc, id);
    if (x) {
        out->token = strdup(x->token);
        out->callbacks = x->callbacks;
        out->callback_type = x->callback_type;
        out->callback_status = x->callback_status;
        out->callback_ms = x->callback_ms;
        out->edits = x->edits;
        out->followups = x->followups;
        out->deletes = x->deletes;
        out->callback_body =
            x->callback_body ? cJSON_Duplicate(x->callback_body, 1) : NULL;
        out->last_edit = x->last_edit ? cJSON_Duplicate(x->last_edit, 1) : NULL;
        out->followup_bodies = cJSON_Duplicate(x->followup_bodies, 1);
    }
    pthread_mutex_unlock(&fc->mu);
    return x ? 0 : -1;
}

int
fakecord_interaction_acks(fakecord *fc, struct fakecord_ack **out)
{
    struct fc_ix *x;
    int n = 0;

    *out = NULL;
    pthread_mutex_lock(&fc->mu);
    for (x = fc->ixs; x; x = x->next)
        n++;
    if (n && !(*out = calloc((size_t)n, sizeof **out))) {
        pthread_mutex_unlock(&fc->mu);
        return -1;
    }
    /* The list is newest first; the answer is oldest first. */
    x = fc->ixs;
    for (int i = n - 1; i >= 0; i--, x = x->next) {
        (*out)[i].id = x->id;
        (*out)[i].callbacks = x->callbacks;
        (*out)[i].callback_type = x->callback_type;
        (*out)[i].callback_ms = x->callback_ms;
        (*out)[i].edits = x->edits;
    }
    pthread_mutex_unlock(&fc->mu);
    return n;
}

void
fakecord_ix_log_free(struct fakecord_ix_log *l)
{
    if (!l)
        return;
    free(l->token);
    cJSON_Delete(l->callback_body);
    cJSON_Delete(l->last_edit);
    cJSON_Delete(l->followup_bodies);
    memset(l, 0, sizeof *l);
}
