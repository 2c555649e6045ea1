/*
 * rest_calls.c: the message, DM, channel and thread routes of
 * <dbot/rest_calls.h>, and the checks every audited call shares.
 *
 * DESIGN. What Discord would refuse with a 400 for the whole request (a
 * reason over 512 characters, a bulk delete of 1 or 101 messages or of one
 * older than 14 days, a thread name of 101 characters) is refused here,
 * with a log line naming it, so the author sees a DBOT_EINVAL at the call
 * instead of a 50035 a round trip later. Everything else (permissions,
 * unknown ids) is Discord's to answer, and reaches the callback.
 */
#include "rest_calls.h"

#include "log.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Discord's epoch (2015-01-01 UTC), for a snowflake's time. */
#define DISCORD_EPOCH_MS 1420070400000LL

int
dbot__rest_reason_check(const char *reason, const char *what)
{
    long n;

    if (!reason || !reason[0])
        return 0;
    n = dbot__utf8_len(reason);
    if (n < 0) {
        LOG_W("rest", "%s: audit-log reason is not UTF-8", what);
        return DBOT_EINVAL;
    }
    if (n > DBOT_AUDIT_REASON_MAX) {
        LOG_W("rest",
              "%s: audit-log reason has %ld characters (Discord "
              "takes at most %d)",
              what, n, DBOT_AUDIT_REASON_MAX);
        return DBOT_EINVAL;
    }
    return 0;
}

int
dbot__rest_audited(struct dbot__rest *r, const char *method, const char *path,
                   const cJSON *body, const char *reason, dbot_rest_fn cb,
                   void *data)
{
    dbot_rest_opts o = { .reason = reason };
    int rc = dbot__rest_reason_check(reason, path);

    if (rc < 0)
        return rc;
    return dbot__rest_ex(r, method, path, body, reason ? &o : NULL, cb, data);
}

int
dbot__bulk_delete_check(const uint64_t *ids, size_t n, int64_t now_unix_ms)
{
    if (!ids || n < DBOT_BULK_DELETE_MIN || n > DBOT_BULK_DELETE_MAX) {
        LOG_W("rest", "bulk delete of %zu messages: Discord takes %d to %d", n,
              DBOT_BULK_DELETE_MIN, DBOT_BULK_DELETE_MAX);
        return DBOT_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t at = (int64_t)(ids[i] >> 22) + DISCORD_EPOCH_MS;

        if (!ids[i]) {
            LOG_W("rest", "bulk delete: message id 0");
            return DBOT_EINVAL;
        }
        if (now_unix_ms - at > DBOT_BULK_DELETE_MAX_MS) {
            LOG_W("rest",
                  "bulk delete: message %" PRIu64 " is older than 14 days "
                  "(Discord refuses the whole request; delete it alone)",
                  ids[i]);
            return DBOT_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (ids[j] == ids[i]) {
                LOG_W("rest", "bulk delete: message %" PRIu64 " given twice",
                      ids[i]);
                return DBOT_EINVAL;
            }
    }
    return 0;
}

int
dbot__rest_message_get(struct dbot__rest *r, uint64_t channel_id,
                       uint64_t message_id, dbot_rest_fn cb, void *data)
{
    char path[80];

    if (!channel_id || !message_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/%" PRIu64,
             channel_id, message_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_message_edit(struct dbot__rest *r, uint64_t channel_id,
                        uint64_t message_id, const cJSON *msg, dbot_rest_fn cb,
                        void *data)
{
    char path[80];

    if (!channel_id || !message_id || !msg)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/%" PRIu64,
             channel_id, message_id);
    return dbot__rest_json(r, "PATCH", path, msg, cb, data);
}

int
dbot__rest_message_delete(struct dbot__rest *r, uint64_t channel_id,
                          uint64_t message_id, const char *reason,
                          dbot_rest_fn cb, void *data)
{
    char path[80];

    if (!channel_id || !message_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/%" PRIu64,
             channel_id, message_id);
    return dbot__rest_audited(r, "DELETE", path, NULL, reason, cb, data);
}

int
dbot__rest_message_bulk_delete(struct dbot__rest *r, uint64_t channel_id,
                               const uint64_t *ids, size_t n,
                               int64_t now_unix_ms, const char *reason,
                               dbot_rest_fn cb, void *data)
{
    char path[80], id[24];
    cJSON *body, *arr;
    int rc;

    if (!channel_id || dbot__bulk_delete_check(ids, n, now_unix_ms) < 0)
        return DBOT_EINVAL;
    body = cJSON_CreateObject();
    arr = body ? cJSON_AddArrayToObject(body, "messages") : NULL;
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *s;

        snprintf(id, sizeof id, "%" PRIu64, ids[i]);
        s = cJSON_CreateString(id);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            arr = NULL;
        }
    }
    if (!arr) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/bulk-delete",
             channel_id);
    rc = dbot__rest_audited(r, "POST", path, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_message_pin(struct dbot__rest *r, uint64_t channel_id,
                       uint64_t message_id, int pin, const char *reason,
                       dbot_rest_fn cb, void *data)
{
    char path[96];

    if (!channel_id || !message_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/pins/%" PRIu64,
             channel_id, message_id);
    return dbot__rest_audited(r, pin ? "PUT" : "DELETE", path, NULL, reason, cb,
                              data);
}

int
dbot__rest_dm_open(struct dbot__rest *r, uint64_t user_id, dbot_rest_fn cb,
                   void *data)
{
    char id[24];
    cJSON *body;
    int rc;

    if (!user_id)
        return DBOT_EINVAL;
    snprintf(id, sizeof id, "%" PRIu64, user_id);
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "recipient_id", id)) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    rc = dbot__rest_json(r, "POST", "/users/@me/channels", body, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_channel_get(struct dbot__rest *r, uint64_t channel_id,
                       dbot_rest_fn cb, void *data)
{
    char path[48];

    if (!channel_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64, channel_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_channel_modify(struct dbot__rest *r, uint64_t channel_id,
                          const cJSON *changes, const char *reason,
                          dbot_rest_fn cb, void *data)
{
    char path[48];

    if (!channel_id || !cJSON_IsObject(changes))
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64, channel_id);
    return dbot__rest_audited(r, "PATCH", path, changes, reason, cb, data);
}

int
dbot__rest_thread_create(struct dbot__rest *r, uint64_t channel_id,
                         uint64_t message_id, const char *name,
                         const char *reason, dbot_rest_fn cb, void *data)
{
    char path[96];
    long len = name ? dbot__utf8_len(name) : -1;
    cJSON *body;
    int rc;

    if (!channel_id || len < 1 || len > 100) {
        if (name)
            LOG_W("rest",
                  "thread name: %s (Discord takes 1 to 100 "
                  "characters)",
                  len < 0 ? "not UTF-8" : "wrong length");
        return DBOT_EINVAL;
    }
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "name", name) ||
        (!message_id && !cJSON_AddNumberToObject(body, "type", 11))) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    if (message_id)
        snprintf(path, sizeof path,
                 "/channels/%" PRIu64 "/messages/%" PRIu64 "/threads",
                 channel_id, message_id);
    else
        snprintf(path, sizeof path, "/channels/%" PRIu64 "/threads",
                 channel_id);
    rc = dbot__rest_audited(r, "POST", path, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_thread_join(struct dbot__rest *r, uint64_t thread_id,
                       dbot_rest_fn cb, void *data)
{
    char path[64];

    if (!thread_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/thread-members/@me",
             thread_id);
    return dbot__rest_json(r, "PUT", path, NULL, cb, data);
}

int
dbot__rest_thread_archive(struct dbot__rest *r, uint64_t thread_id,
                          int archived, const char *reason, dbot_rest_fn cb,
                          void *data)
{
    cJSON *body = cJSON_CreateObject();
    int rc;

    if (!body || !cJSON_AddBoolToObject(body, "archived", archived != 0)) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    rc = dbot__rest_channel_modify(r, thread_id, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}
