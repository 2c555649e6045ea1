/*
 * rest_guild.c: the member, moderation, role, guild and webhook routes of
 * <dbot/rest_calls.h>. Same design as rest_calls.c: Discord's hard limits
 * (timeout up to 28 days, ban message deletion up to 7 days, member pages
 * of 1..1000, webhook names) are checked before sending; every audited
 * call goes through dbot__rest_audited, which checks the reason.
 */
#include "rest_calls.h"

#include "log.h"
#include "utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAN_DELETE_MAX_S (7 * 24 * 3600)

static void
member_path(char *buf, size_t n, uint64_t guild_id, uint64_t user_id)
{
    snprintf(buf, n, "/guilds/%" PRIu64 "/members/%" PRIu64, guild_id, user_id);
}

int
dbot__rest_member_get(struct dbot__rest *r, uint64_t guild_id, uint64_t user_id,
                      dbot_rest_fn cb, void *data)
{
    char path[96];

    if (!guild_id || !user_id)
        return DBOT_EINVAL;
    member_path(path, sizeof path, guild_id, user_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_member_list(struct dbot__rest *r, uint64_t guild_id, uint64_t after,
                       int limit, dbot_rest_fn cb, void *data)
{
    char path[128];

    if (!guild_id || limit < 1 || limit > DBOT_MEMBER_PAGE_MAX)
        return DBOT_EINVAL;
    snprintf(path, sizeof path,
             "/guilds/%" PRIu64 "/members?limit=%d&after=%" PRIu64, guild_id,
             limit, after);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_member_role(struct dbot__rest *r, uint64_t guild_id,
                       uint64_t user_id, uint64_t role_id, int add,
                       const char *reason, dbot_rest_fn cb, void *data)
{
    char path[128];

    if (!guild_id || !user_id || !role_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path,
             "/guilds/%" PRIu64 "/members/%" PRIu64 "/roles/%" PRIu64, guild_id,
             user_id, role_id);
    return dbot__rest_audited(r, add ? "PUT" : "DELETE", path, NULL, reason, cb,
                              data);
}

int
dbot__rest_member_timeout(struct dbot__rest *r, uint64_t guild_id,
                          uint64_t user_id, int64_t seconds, int64_t now_unix_s,
                          const char *reason, dbot_rest_fn cb, void *data)
{
    char path[96], iso[40];
    cJSON *body;
    int rc;

    if (!guild_id || !user_id || seconds < 0 || seconds > DBOT_TIMEOUT_MAX_S) {
        if (seconds < 0 || seconds > DBOT_TIMEOUT_MAX_S)
            LOG_W("rest",
                  "timeout of %" PRId64 " s: Discord takes up to 28 "
                  "days (0 ends a timeout)",
                  seconds);
        return DBOT_EINVAL;
    }
    body = cJSON_CreateObject();
    if (!body)
        return DBOT_ENOMEM;
    if (seconds) {
        time_t until = (time_t)(now_unix_s + seconds);
        struct tm tm;

        gmtime_r(&until, &tm);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
        rc = cJSON_AddStringToObject(body, "communication_disabled_until",
                                     iso) != NULL;
    } else {
        rc =
            cJSON_AddNullToObject(body, "communication_disabled_until") != NULL;
    }
    if (!rc) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    member_path(path, sizeof path, guild_id, user_id);
    rc = dbot__rest_audited(r, "PATCH", path, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_member_kick(struct dbot__rest *r, uint64_t guild_id,
                       uint64_t user_id, const char *reason, dbot_rest_fn cb,
                       void *data)
{
    char path[96];

    if (!guild_id || !user_id)
        return DBOT_EINVAL;
    member_path(path, sizeof path, guild_id, user_id);
    return dbot__rest_audited(r, "DELETE", path, NULL, reason, cb, data);
}

static int
ban_path(char *buf, size_t n, uint64_t guild_id, uint64_t user_id)
{
    if (!guild_id || !user_id)
        return DBOT_EINVAL;
    snprintf(buf, n, "/guilds/%" PRIu64 "/bans/%" PRIu64, guild_id, user_id);
    return 0;
}

int
dbot__rest_member_ban(struct dbot__rest *r, uint64_t guild_id, uint64_t user_id,
                      int delete_message_seconds, const char *reason,
                      dbot_rest_fn cb, void *data)
{
    char path[96];
    cJSON *body;
    int rc;

    if (ban_path(path, sizeof path, guild_id, user_id) < 0 ||
        delete_message_seconds < 0 || delete_message_seconds > BAN_DELETE_MAX_S)
        return DBOT_EINVAL;
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddNumberToObject(body, "delete_message_seconds",
                                          delete_message_seconds)) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    rc = dbot__rest_audited(r, "PUT", path, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_member_unban(struct dbot__rest *r, uint64_t guild_id,
                        uint64_t user_id, const char *reason, dbot_rest_fn cb,
                        void *data)
{
    char path[96];

    if (ban_path(path, sizeof path, guild_id, user_id) < 0)
        return DBOT_EINVAL;
    return dbot__rest_audited(r, "DELETE", path, NULL, reason, cb, data);
}

int
dbot__rest_role_list(struct dbot__rest *r, uint64_t guild_id, dbot_rest_fn cb,
                     void *data)
{
    char path[64];

    if (!guild_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/guilds/%" PRIu64 "/roles", guild_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_role_create(struct dbot__rest *r, uint64_t guild_id,
                       const cJSON *params, const char *reason, dbot_rest_fn cb,
                       void *data)
{
    char path[64];
    cJSON *empty = NULL;
    int rc;

    if (!guild_id || (params && !cJSON_IsObject(params)))
        return DBOT_EINVAL;
    if (!params && !(params = empty = cJSON_CreateObject()))
        return DBOT_ENOMEM;
    snprintf(path, sizeof path, "/guilds/%" PRIu64 "/roles", guild_id);
    rc = dbot__rest_audited(r, "POST", path, params, reason, cb, data);
    cJSON_Delete(empty);
    return rc;
}

int
dbot__rest_role_modify(struct dbot__rest *r, uint64_t guild_id,
                       uint64_t role_id, const cJSON *params,
                       const char *reason, dbot_rest_fn cb, void *data)
{
    char path[96];

    if (!guild_id || !role_id || !cJSON_IsObject(params))
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/guilds/%" PRIu64 "/roles/%" PRIu64, guild_id,
             role_id);
    return dbot__rest_audited(r, "PATCH", path, params, reason, cb, data);
}

int
dbot__rest_role_delete(struct dbot__rest *r, uint64_t guild_id,
                       uint64_t role_id, const char *reason, dbot_rest_fn cb,
                       void *data)
{
    char path[96];

    if (!guild_id || !role_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/guilds/%" PRIu64 "/roles/%" PRIu64, guild_id,
             role_id);
    return dbot__rest_audited(r, "DELETE", path, NULL, reason, cb, data);
}

int
dbot__rest_guild_get(struct dbot__rest *r, uint64_t guild_id, dbot_rest_fn cb,
                     void *data)
{
    char path[48];

    if (!guild_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/guilds/%" PRIu64, guild_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

/* Discord's webhook name rule (webhook.mdx, Create Webhook): 1..80
 * characters, no "clyde" or "discord" in any case. */
static int
webhook_name_ok(const char *name)
{
    long n = name ? dbot__utf8_len(name) : -1;
    char low[512];
    size_t i;

    if (n < 1 || n > 80)
        return 0;
    for (i = 0; name[i] && i < sizeof low - 1; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = '\0';
    return !strstr(low, "clyde") && !strstr(low, "discord");
}

int
dbot__rest_webhook_create(struct dbot__rest *r, uint64_t channel_id,
                          const char *name, const char *reason, dbot_rest_fn cb,
                          void *data)
{
    char path[64];
    cJSON *body;
    int rc;

    if (!channel_id || !webhook_name_ok(name)) {
        if (name)
            LOG_W("rest", "webhook name refused: Discord takes 1 to 80 "
                          "characters without \"clyde\" or \"discord\"");
        return DBOT_EINVAL;
    }
    body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "name", name)) {
        cJSON_Delete(body);
        return DBOT_ENOMEM;
    }
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/webhooks", channel_id);
    rc = dbot__rest_audited(r, "POST", path, body, reason, cb, data);
    cJSON_Delete(body);
    return rc;
}

int
dbot__rest_webhook_execute(struct dbot__rest *r, uint64_t webhook_id,
                           const char *token, const cJSON *msg, dbot_rest_fn cb,
                           void *data)
{
    char *path;
    size_t n;
    int rc;

    if (!webhook_id || !msg || !dbot__rest_token_ok(token))
        return DBOT_EINVAL;
    n = strlen(token) + 64;
    path = malloc(n);
    if (!path)
        return DBOT_ENOMEM;
    snprintf(path, n, "/webhooks/%" PRIu64 "/%s?wait=true", webhook_id, token);
    rc = dbot__rest_json(r, "POST", path, msg, cb, data);
    free(path);
    return rc;
}
