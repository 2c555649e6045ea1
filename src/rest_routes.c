/*
 * rest_routes.c: Discord's routes on top of the REST client: the work of
 * the public REST API (dbot/rest.h), whose entry points in api_rest.c
 * check the thread and pass the bot's client here, and what the
 * interaction module and the command sync send.
 *
 * DESIGN. Each call prints the JSON body (so the caller keeps ownership),
 * formats the path and submits to the client.
 * The user's (fn, data) pair rides along in a small heap cell that the
 * completion frees after calling fn(bot, res, data) on the loop thread.
 * With fn NULL nothing is allocated and the client logs failures itself.
 */
#include "rest.h"

#include "log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_cb {
    dbot *bot;
    dbot_rest_fn fn;
    void *data;
};

static void
api_done(const dbot_rest_result *res, void *ud)
{
    struct api_cb *c = ud;

    c->fn(c->bot, res, c->data);
    free(c);
}

int
dbot__rest_ex(struct dbot__rest *r, const char *method, const char *path,
              const cJSON *body, const dbot_rest_opts *opts, dbot_rest_fn cb,
              void *data)
{
    struct dbot__rest_call call = { 0 };
    struct api_cb *c = NULL;
    char *text = NULL;
    int rc;

    if (!r || !method || !path)
        return DBOT_EINVAL;
    if (opts && opts->nfiles > DBOT__REST_MAX_FILES)
        return DBOT_EINVAL;
    if (body) {
        text = cJSON_PrintUnformatted(body);
        if (!text)
            return DBOT_ENOMEM;
    }
    if (cb) {
        c = malloc(sizeof *c);
        if (!c) {
            cJSON_free(text);
            return DBOT_ENOMEM;
        }
        c->bot = dbot__rest_owner(r);
        c->fn = cb;
        c->data = data;
    }
    call.method = method;
    call.path = path;
    call.body = text;
    call.body_len = text ? strlen(text) : 0;
    if (opts) {
        call.reason = opts->reason;
        call.files = opts->files;
        call.nfiles = opts->nfiles;
    }
    rc = dbot__rest_submit(r, &call, c ? api_done : NULL, c);
    cJSON_free(text);
    if (rc < 0)
        free(c);
    return rc;
}

int
dbot__rest_json(struct dbot__rest *r, const char *method, const char *path,
                const cJSON *body, dbot_rest_fn cb, void *data)
{
    return dbot__rest_ex(r, method, path, body, NULL, cb, data);
}

/* Format a path into buf; tokens are checked to be one plain segment so a
 * caller's string cannot smuggle in another route. */
int
dbot__rest_token_ok(const char *token)
{
    if (!token || !*token)
        return 0;
    for (const char *p = token; *p; p++)
        if (*p == '/' || *p == '?' || *p == '#' || (unsigned char)*p <= 0x20 ||
            (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

int
dbot__rest_message_create(struct dbot__rest *r, uint64_t channel_id,
                          const cJSON *msg, dbot_rest_fn cb, void *data)
{
    char path[64];

    if (!channel_id || !msg)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages", channel_id);
    return dbot__rest_json(r, "POST", path, msg, cb, data);
}

int
dbot__rest_message_send(struct dbot__rest *r, uint64_t channel_id,
                        const char *text, dbot_rest_fn cb, void *data)
{
    cJSON *msg;
    int rc;

    if (!text)
        return DBOT_EINVAL;
    msg = cJSON_CreateObject();
    if (!msg || !cJSON_AddStringToObject(msg, "content", text)) {
        cJSON_Delete(msg);
        return DBOT_ENOMEM;
    }
    rc = dbot__rest_message_create(r, channel_id, msg, cb, data);
    cJSON_Delete(msg);
    return rc;
}

/* Paths with a token are built on the heap: tokens can be 150 kB. */
static int
token_call(struct dbot__rest *r, const char *method, const char *fmt_pre,
           uint64_t id, const char *token, const char *suffix,
           const cJSON *body, dbot_rest_fn cb, void *data)
{
    size_t n;
    char *path;
    int rc;

    if (!id || !dbot__rest_token_ok(token))
        return DBOT_EINVAL;
    n = strlen(fmt_pre) + 24 + strlen(token) + strlen(suffix) + 2;
    path = malloc(n);
    if (!path)
        return DBOT_ENOMEM;
    snprintf(path, n, "%s/%" PRIu64 "/%s%s", fmt_pre, id, token, suffix);
    rc = dbot__rest_json(r, method, path, body, cb, data);
    free(path);
    return rc;
}

int
dbot__rest_interaction_callback(struct dbot__rest *r, uint64_t interaction_id,
                                const char *token, const cJSON *body,
                                dbot_rest_fn cb, void *data)
{
    if (!body)
        return DBOT_EINVAL;
    return token_call(r, "POST", "/interactions", interaction_id, token,
                      "/callback", body, cb, data);
}

int
dbot__rest_interaction_followup(struct dbot__rest *r, uint64_t app_id,
                                const char *token, const cJSON *msg,
                                dbot_rest_fn cb, void *data)
{
    if (!msg)
        return DBOT_EINVAL;
    return token_call(r, "POST", "/webhooks", app_id, token, "", msg, cb, data);
}

int
dbot__rest_interaction_followup_edit(struct dbot__rest *r, uint64_t app_id,
                                     const char *token, uint64_t message_id,
                                     const cJSON *msg, dbot_rest_fn cb,
                                     void *data)
{
    char suffix[48];

    if (!msg || !message_id)
        return DBOT_EINVAL;
    snprintf(suffix, sizeof suffix, "/messages/%" PRIu64, message_id);
    return token_call(r, "PATCH", "/webhooks", app_id, token, suffix, msg, cb,
                      data);
}

int
dbot__rest_interaction_followup_delete(struct dbot__rest *r, uint64_t app_id,
                                       const char *token, uint64_t message_id,
                                       dbot_rest_fn cb, void *data)
{
    char suffix[48];

    if (!message_id)
        return DBOT_EINVAL;
    snprintf(suffix, sizeof suffix, "/messages/%" PRIu64, message_id);
    return token_call(r, "DELETE", "/webhooks", app_id, token, suffix, NULL, cb,
                      data);
}

int
dbot__rest_interaction_original_edit(struct dbot__rest *r, uint64_t app_id,
                                     const char *token, const cJSON *msg,
                                     dbot_rest_fn cb, void *data)
{
    if (!msg)
        return DBOT_EINVAL;
    return token_call(r, "PATCH", "/webhooks", app_id, token,
                      "/messages/@original", msg, cb, data);
}

int
dbot__rest_interaction_original_delete(struct dbot__rest *r, uint64_t app_id,
                                       const char *token, dbot_rest_fn cb,
                                       void *data)
{
    return token_call(r, "DELETE", "/webhooks", app_id, token,
                      "/messages/@original", NULL, cb, data);
}

int
dbot__rest_commands_overwrite_global(struct dbot__rest *r, uint64_t app_id,
                                     const cJSON *cmds, dbot_rest_fn cb,
                                     void *data)
{
    char path[64];

    if (!app_id || !cJSON_IsArray(cmds))
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/applications/%" PRIu64 "/commands", app_id);
    return dbot__rest_json(r, "PUT", path, cmds, cb, data);
}

int
dbot__rest_commands_overwrite_guild(struct dbot__rest *r, uint64_t app_id,
                                    uint64_t guild_id, const cJSON *cmds,
                                    dbot_rest_fn cb, void *data)
{
    char path[96];

    if (!app_id || !guild_id || !cJSON_IsArray(cmds))
        return DBOT_EINVAL;
    snprintf(path, sizeof path,
             "/applications/%" PRIu64 "/guilds/%" PRIu64 "/commands", app_id,
             guild_id);
    return dbot__rest_json(r, "PUT", path, cmds, cb, data);
}

int
dbot__rest_commands_get_global(struct dbot__rest *r, uint64_t app_id,
                               dbot_rest_fn cb, void *data)
{
    char path[64];

    if (!app_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path, "/applications/%" PRIu64 "/commands", app_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_commands_get_guild(struct dbot__rest *r, uint64_t app_id,
                              uint64_t guild_id, dbot_rest_fn cb, void *data)
{
    char path[96];

    if (!app_id || !guild_id)
        return DBOT_EINVAL;
    snprintf(path, sizeof path,
             "/applications/%" PRIu64 "/guilds/%" PRIu64 "/commands", app_id,
             guild_id);
    return dbot__rest_json(r, "GET", path, NULL, cb, data);
}

int
dbot__rest_gateway_bot_get(struct dbot__rest *r, dbot_rest_fn cb, void *data)
{
    return dbot__rest_json(r, "GET", "/gateway/bot", NULL, cb, data);
}

int
dbot__rest_application_get(struct dbot__rest *r, dbot_rest_fn cb, void *data)
{
    return dbot__rest_json(r, "GET", "/applications/@me", NULL, cb, data);
}
