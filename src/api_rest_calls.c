/*
 * api_rest_calls.c: the public entry points of <dbot/rest_calls.h>. Each
 * checks its thread and hands the bot's REST client to the route in
 * rest_calls.c or rest_guild.c. The two chained calls (dbot_dm_send,
 * dbot_member_list_all) live here, because each step after the first must
 * find the REST client through the bot again: a completion can run after
 * the client was freed (dbot_free drains the loop), and then the bot says
 * there is none instead of handing out a dangling pointer.
 */
#include "bot.h"
#include "rest_calls.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ENTER(bot)              \
    do {                        \
        if (!(bot))             \
            return DBOT_EINVAL; \
        DBOT__CHECK_LOOP(bot);  \
    } while (0)

static int64_t
wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
dbot_message_get(dbot *bot, uint64_t channel_id, uint64_t message_id,
                 dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_get(dbot__bot_rest(bot), channel_id, message_id,
                                  cb, data);
}

int
dbot_message_edit(dbot *bot, uint64_t channel_id, uint64_t message_id,
                  const cJSON *msg, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_edit(dbot__bot_rest(bot), channel_id, message_id,
                                   msg, cb, data);
}

int
dbot_message_delete(dbot *bot, uint64_t channel_id, uint64_t message_id,
                    const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_delete(dbot__bot_rest(bot), channel_id,
                                     message_id, reason, cb, data);
}

int
dbot_message_bulk_delete(dbot *bot, uint64_t channel_id, const uint64_t *ids,
                         size_t n, int64_t now_unix_ms, const char *reason,
                         dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_bulk_delete(
        dbot__bot_rest(bot), channel_id, ids, n,
        now_unix_ms ? now_unix_ms : wall_ms(), reason, cb, data);
}

int
dbot_message_pin(dbot *bot, uint64_t channel_id, uint64_t message_id,
                 const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_pin(dbot__bot_rest(bot), channel_id, message_id,
                                  1, reason, cb, data);
}

int
dbot_message_unpin(dbot *bot, uint64_t channel_id, uint64_t message_id,
                   const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_message_pin(dbot__bot_rest(bot), channel_id, message_id,
                                  0, reason, cb, data);
}

int
dbot_dm_open(dbot *bot, uint64_t user_id, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_dm_open(dbot__bot_rest(bot), user_id, cb, data);
}

/* ---- chains ----------------------------------------------------------- */

/* The outcome of a step that could not be sent, as a result for cb. */
static void
fail_chain(dbot *bot, dbot_rest_fn cb, void *data, int err)
{
    dbot_rest_result res = { .err = err,
                             .message = dbot_strerror(err),
                             .body = "" };

    if (cb)
        cb(bot, &res, data);
}

struct dm_send {
    dbot_rest_fn cb;
    void *data;
    cJSON *msg;
};

static void
dm_sent(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dm_send *s = arg;

    if (s->cb)
        s->cb(bot, res, s->data);
    cJSON_Delete(s->msg);
    free(s);
}

static void
dm_opened(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dm_send *s = arg;
    const cJSON *id =
        res->json ? cJSON_GetObjectItemCaseSensitive(res->json, "id") : NULL;
    uint64_t channel =
        cJSON_IsString(id) ? strtoull(id->valuestring, NULL, 10) : 0;
    int rc;

    if (res->err || !channel) {
        dm_sent(bot, res, s);
        return;
    }
    rc = dbot__rest_message_create(dbot__bot_rest(bot), channel, s->msg,
                                   dm_sent, s);
    if (rc < 0) {
        fail_chain(bot, s->cb, s->data, rc);
        cJSON_Delete(s->msg);
        free(s);
    }
}

int
dbot_dm_send(dbot *bot, uint64_t user_id, const cJSON *msg, dbot_rest_fn cb,
             void *data)
{
    struct dm_send *s;
    int rc;

    ENTER(bot);
    if (!user_id || !msg)
        return DBOT_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s || !(s->msg = cJSON_Duplicate(msg, 1))) {
        free(s);
        return DBOT_ENOMEM;
    }
    s->cb = cb;
    s->data = data;
    rc = dbot__rest_dm_open(dbot__bot_rest(bot), user_id, dm_opened, s);
    if (rc < 0) {
        cJSON_Delete(s->msg);
        free(s);
    }
    return rc;
}

#define MEMBER_LIST_DEFAULT_MAX 100000

struct member_list {
    uint64_t guild;
    size_t max, n;
    cJSON *all;
    dbot_rest_fn cb;
    void *data;
};

static void
list_done(dbot *bot, struct member_list *l, const dbot_rest_result *fail,
          int truncated)
{
    dbot_rest_result res = { .status = 200,
                             .json = l->all,
                             .body = "",
                             .message = truncated ? "truncated" : NULL };

    if (l->cb)
        l->cb(bot, fail ? fail : &res, l->data);
    cJSON_Delete(l->all);
    free(l);
}

static void
list_page(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct member_list *l = arg;
    const cJSON *m;
    uint64_t last = 0;
    int got = 0, rc;

    if (res->err || !cJSON_IsArray(res->json)) {
        list_done(bot, l, res, 0);
        return;
    }
    cJSON_ArrayForEach(m, res->json) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(m, "user"), "id");
        cJSON *copy;

        got++;
        if (l->n == l->max) {
            list_done(bot, l, NULL, 1);
            return;
        }
        if (cJSON_IsString(id))
            last = strtoull(id->valuestring, NULL, 10);
        copy = cJSON_Duplicate(m, 1);
        if (!copy || !cJSON_AddItemToArray(l->all, copy)) {
            cJSON_Delete(copy);
            list_done(bot, l, NULL, 1);
            return;
        }
        l->n++;
    }
    /* A short page is the last; a full one without ids cannot go on. */
    if (got < DBOT_MEMBER_PAGE_MAX || !last) {
        list_done(bot, l, NULL, 0);
        return;
    }
    rc = dbot__rest_member_list(dbot__bot_rest(bot), l->guild, last,
                                DBOT_MEMBER_PAGE_MAX, list_page, l);
    if (rc < 0) {
        fail_chain(bot, l->cb, l->data, rc);
        l->cb = NULL;
        list_done(bot, l, NULL, 0);
    }
}

int
dbot_member_list_all(dbot *bot, uint64_t guild_id, size_t max, dbot_rest_fn cb,
                     void *data)
{
    struct member_list *l;
    int rc;

    ENTER(bot);
    if (!guild_id)
        return DBOT_EINVAL;
    l = calloc(1, sizeof *l);
    if (!l || !(l->all = cJSON_CreateArray())) {
        free(l);
        return DBOT_ENOMEM;
    }
    l->guild = guild_id;
    l->max = max ? max : MEMBER_LIST_DEFAULT_MAX;
    l->cb = cb;
    l->data = data;
    rc = dbot__rest_member_list(dbot__bot_rest(bot), guild_id, 0,
                                DBOT_MEMBER_PAGE_MAX, list_page, l);
    if (rc < 0) {
        cJSON_Delete(l->all);
        free(l);
    }
    return rc;
}

/* ---- channels, threads ------------------------------------------------ */

int
dbot_channel_get(dbot *bot, uint64_t channel_id, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_channel_get(dbot__bot_rest(bot), channel_id, cb, data);
}

int
dbot_channel_modify(dbot *bot, uint64_t channel_id, const cJSON *changes,
                    const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_channel_modify(dbot__bot_rest(bot), channel_id, changes,
                                     reason, cb, data);
}

int
dbot_thread_create(dbot *bot, uint64_t channel_id, uint64_t message_id,
                   const char *name, const char *reason, dbot_rest_fn cb,
                   void *data)
{
    ENTER(bot);
    return dbot__rest_thread_create(dbot__bot_rest(bot), channel_id, message_id,
                                    name, reason, cb, data);
}

int
dbot_thread_join(dbot *bot, uint64_t thread_id, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_thread_join(dbot__bot_rest(bot), thread_id, cb, data);
}

int
dbot_thread_archive(dbot *bot, uint64_t thread_id, int archived,
                    const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_thread_archive(dbot__bot_rest(bot), thread_id, archived,
                                     reason, cb, data);
}

/* ---- members, roles, guild, webhooks ---------------------------------- */

int
dbot_member_get(dbot *bot, uint64_t guild_id, uint64_t user_id, dbot_rest_fn cb,
                void *data)
{
    ENTER(bot);
    return dbot__rest_member_get(dbot__bot_rest(bot), guild_id, user_id, cb,
                                 data);
}

int
dbot_member_list(dbot *bot, uint64_t guild_id, uint64_t after, int limit,
                 dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_member_list(dbot__bot_rest(bot), guild_id, after, limit,
                                  cb, data);
}

int
dbot_member_role_add(dbot *bot, uint64_t guild_id, uint64_t user_id,
                     uint64_t role_id, const char *reason, dbot_rest_fn cb,
                     void *data)
{
    ENTER(bot);
    return dbot__rest_member_role(dbot__bot_rest(bot), guild_id, user_id,
                                  role_id, 1, reason, cb, data);
}

int
dbot_member_role_remove(dbot *bot, uint64_t guild_id, uint64_t user_id,
                        uint64_t role_id, const char *reason, dbot_rest_fn cb,
                        void *data)
{
    ENTER(bot);
    return dbot__rest_member_role(dbot__bot_rest(bot), guild_id, user_id,
                                  role_id, 0, reason, cb, data);
}

int
dbot_member_timeout(dbot *bot, uint64_t guild_id, uint64_t user_id,
                    int64_t seconds, const char *reason, dbot_rest_fn cb,
                    void *data)
{
    ENTER(bot);
    return dbot__rest_member_timeout(dbot__bot_rest(bot), guild_id, user_id,
                                     seconds, wall_ms() / 1000, reason, cb,
                                     data);
}

int
dbot_member_kick(dbot *bot, uint64_t guild_id, uint64_t user_id,
                 const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_member_kick(dbot__bot_rest(bot), guild_id, user_id,
                                  reason, cb, data);
}

int
dbot_member_ban(dbot *bot, uint64_t guild_id, uint64_t user_id,
                int delete_message_seconds, const char *reason, dbot_rest_fn cb,
                void *data)
{
    ENTER(bot);
    return dbot__rest_member_ban(dbot__bot_rest(bot), guild_id, user_id,
                                 delete_message_seconds, reason, cb, data);
}

int
dbot_member_unban(dbot *bot, uint64_t guild_id, uint64_t user_id,
                  const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_member_unban(dbot__bot_rest(bot), guild_id, user_id,
                                   reason, cb, data);
}

int
dbot_role_list(dbot *bot, uint64_t guild_id, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_role_list(dbot__bot_rest(bot), guild_id, cb, data);
}

int
dbot_role_create(dbot *bot, uint64_t guild_id, const cJSON *params,
                 const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_role_create(dbot__bot_rest(bot), guild_id, params, reason,
                                  cb, data);
}

int
dbot_role_modify(dbot *bot, uint64_t guild_id, uint64_t role_id,
                 const cJSON *params, const char *reason, dbot_rest_fn cb,
                 void *data)
{
    ENTER(bot);
    return dbot__rest_role_modify(dbot__bot_rest(bot), guild_id, role_id,
                                  params, reason, cb, data);
}

int
dbot_role_delete(dbot *bot, uint64_t guild_id, uint64_t role_id,
                 const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_role_delete(dbot__bot_rest(bot), guild_id, role_id,
                                  reason, cb, data);
}

int
dbot_guild_get(dbot *bot, uint64_t guild_id, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_guild_get(dbot__bot_rest(bot), guild_id, cb, data);
}

int
dbot_webhook_create(dbot *bot, uint64_t channel_id, const char *name,
                    const char *reason, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_webhook_create(dbot__bot_rest(bot), channel_id, name,
                                     reason, cb, data);
}

int
dbot_webhook_execute(dbot *bot, uint64_t webhook_id, const char *token,
                     const cJSON *msg, dbot_rest_fn cb, void *data)
{
    ENTER(bot);
    return dbot__rest_webhook_execute(dbot__bot_rest(bot), webhook_id, token,
                                      msg, cb, data);
}
